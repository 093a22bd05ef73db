package engine

import (
	"context"
	"fmt"

	"github.com/scimsim/scimsim/entra"
)

// actionStep is step 5: create, update, disable, delete or skip.
func (ur *userRun) actionStep(ctx context.Context) {
	s := ur.rep.Step(StepExport)
	job := ur.cfg.Job
	switch {
	case ur.matched == nil && !job.allows(ActionCreate):
		ur.skip(ur.rep, s, entra.CodeSkipped, "No user matched in the target, and Create is not an enabled target object action.")
	case ur.matched == nil:
		ur.create(ctx, s)
	case !ur.inScope:
		ur.deprovision(ctx, s)
	case !job.allows(ActionUpdate):
		ur.skip(ur.rep, s, entra.CodeSkipped, "The user matched in the target, and Update is not an enabled target object action.")
	default:
		ur.update(ctx, s)
	}
}

// rolesDropped reports the role mappings on-demand provisioning leaves out.
func (ur *userRun) rolesDropped(s *Step) bool {
	dropped := false
	for _, f := range ur.flow {
		if f.m.isRole() && f.value != nil {
			s.Details.add(f.m.Target, "not sent: on-demand provisioning of roles isn't supported")
			dropped = true
		}
	}
	if dropped {
		s.Tips = append(s.Tips, entra.TipRoles)
	}
	return dropped
}

// create POSTs the user: every mapping's value, nulls omitted, default values for nulls (applied
// on create only), "Only during object creation" mappings included, references resolved to the
// target's ids. The user is then read back and compared with what was sent.
func (ur *userRun) create(ctx context.Context, s *Step) {
	if !ur.selectUniqueValues(ctx, s, true) {
		return
	}
	if err := ur.resolveReferences(ctx, s); err != nil {
		code, reason, tips := ur.classify(ctx, err, StepExport)
		ur.fail(ur.rep, s, code, "Failed to resolve the manager reference: "+reason, tips...)
		return
	}
	body, sent := createBody(ur.flow)
	props := make([]ModifiedProperty, 0, len(sent))
	for _, sv := range sent {
		props = append(props, ModifiedProperty{Name: sv.m.Target, OldValue: nil, NewValue: sv.m.shown(sv.value)})
	}
	for _, p := range props {
		s.Details.add(p.Name, showValue(p.NewValue))
	}
	roles := ur.rolesDropped(s)
	ur.rep.ModifiedProperties = props
	res, err := ur.c.Create(ctx, "Users", body)
	if err != nil {
		code, reason, tips := ur.classify(ctx, err, StepExport)
		ur.fail(ur.rep, s, code, "Failed to create User: "+reason, tips...)
		return
	}
	id, _ := res["id"].(string)
	name, _ := getCI(res, "userName").(string)
	ur.rep.Target = &Identity{Type: "User", ID: id, Display: name}
	ur.known = append(ur.known, id)
	ur.rep.Created = append(ur.rep.Created, Identity{Type: "User", ID: id, Display: name})
	problems := ur.verifyUser(ctx, s, id, ur.c.LastStatus(), sent)
	ur.done(s, ReportCreate, roles || len(problems) > 0)
	ur.warnReadBack(ur.rep, s, problems)
}

// shown is how reports show a value of the mapping: "[Redact]" when its expression calls Redact,
// as Entra's provisioning logs do; the target still gets the value.
func (m *Mapping) shown(v any) any {
	if v != nil && m.expr != nil && m.expr.Redacted() {
		return "[Redact]"
	}
	return v
}

// done ends a successful action.
func (ur *userRun) done(s *Step, action string, warn bool) {
	status := StatusSuccess
	if warn {
		status = StatusWarning
	}
	ur.finish(ur.rep, s, status)
	ur.rep.Action = action
}

// update PATCHes the attributes whose value differs from the target's; nothing changed is a skip
// with RedundantExport. "Only during object creation" mappings and default values do not apply.
func (ur *userRun) update(ctx context.Context, s *Step) {
	if !ur.selectUniqueValues(ctx, s, false) {
		return
	}
	if err := ur.resolveReferences(ctx, s); err != nil {
		code, reason, tips := ur.classify(ctx, err, StepExport)
		ur.fail(ur.rep, s, code, "Failed to resolve the manager reference: "+reason, tips...)
		return
	}
	changes, props, sent := updateChanges(ur.flow, ur.matched)
	roles := ur.rolesDropped(s)
	if len(changes) == 0 {
		ur.skip(ur.rep, s, entra.CodeRedundantExport, "The user's attributes in the source and the target already match: nothing to update.")
		return
	}
	ur.patch(ctx, s, changes, props, sent, ReportUpdate, roles)
}

func (ur *userRun) patch(ctx context.Context, s *Step, changes []entra.Change, props []ModifiedProperty, sent []sentValue, action string, roles bool) {
	for _, p := range props {
		s.Details.add(p.Name, fmt.Sprintf("%s -> %s", showValue(p.OldValue), showValue(p.NewValue)))
	}
	ur.rep.ModifiedProperties = props
	id, _ := ur.matched["id"].(string)
	if _, err := ur.c.Patch(ctx, "Users", id, ur.dialect.UserPatch(changes)); err != nil {
		code, reason, tips := ur.classify(ctx, err, StepExport)
		verb := "update"
		if action == ReportDisable {
			verb = "disable"
		}
		ur.fail(ur.rep, s, code, fmt.Sprintf("Failed to %s User %s: %s", verb, id, reason), tips...)
		return
	}
	problems := ur.verifyUser(ctx, s, id, ur.c.LastStatus(), sent)
	ur.done(s, action, roles || len(problems) > 0)
	ur.warnReadBack(ur.rep, s, problems)
}

// deprovision handles a user out of scope that exists in the target: disable it through the
// computed IsSoftDeleted flowing into active, or delete it when no mapping targets active and
// Delete is an enabled action (how-provisioning-works.md, deprovisioning).
func (ur *userRun) deprovision(ctx context.Context, s *Step) {
	job := ur.cfg.Job
	id, _ := ur.matched["id"].(string)
	if m := ur.cfg.Users.mappingFor("active"); m != nil {
		want := ur.value(m)
		if want == nil {
			want = false
		}
		cur := m.path.Get(ur.matched)
		if equalValue(want, cur) {
			ur.skip(ur.rep, s, entra.CodeRedundantExport, "The user is out of scope and already inactive in the target: nothing to disable.")
			return
		}
		if !job.allows(ActionUpdate) {
			ur.skip(ur.rep, s, entra.CodeSkipped, "The user is out of scope, but Update (which disables) is not an enabled target object action.")
			return
		}
		ur.patch(ctx, s, []entra.Change{{Path: m.Target, Value: want, Op: addOrReplace(cur)}},
			[]ModifiedProperty{{Name: m.Target, OldValue: cur, NewValue: want}}, []sentValue{{m: m, value: want}}, ReportDisable, false)
		return
	}
	if !job.allows(ActionDelete) {
		ur.skip(ur.rep, s, entra.CodeSkipped, "The user is out of scope; no mapping targets active and Delete is not an enabled target object action.")
		return
	}
	s.Details.add("id", id)
	if err := ur.c.Delete(ctx, "Users", id); err != nil {
		code, reason, tips := ur.classify(ctx, err, StepExport)
		ur.fail(ur.rep, s, code, fmt.Sprintf("Failed to delete User %s: %s", id, reason), tips...)
		return
	}
	ur.rep.ModifiedProperties = []ModifiedProperty{{Name: "id", OldValue: id, NewValue: nil}}
	ur.done(s, ReportDelete, false)
}

// addOrReplace is the operation Entra sends for a value the target has (cur not nil) or lacks.
func addOrReplace(cur any) entra.ChangeOp {
	if cur == nil {
		return entra.Add
	}
	return entra.Replace
}

// createBody is what a create POSTs: every mapping's value, nulls omitted, the default value of a
// null (applied on create only), "Only during object creation" mappings included, roles left out
// (on-demand provisioning does not provision them), in Entra's create body (entra.UserCreateBody).
func createBody(flow []flowValue) (map[string]any, []sentValue) {
	body := map[string]any{}
	var sent []sentValue
	for _, f := range flow {
		v := f.value
		if v == nil && f.m.Default != "" {
			v = normalize(f.m, f.m.Default)
		}
		if v == nil || f.m.isRole() {
			continue
		}
		f.m.path.Set(body, v)
		sent = append(sent, sentValue{m: f.m, value: v})
	}
	return entra.UserCreateBody(body), sent
}

// updateChanges is what an update PATCHes against the target's resource cur: the attributes whose
// value differs, "Add" for a value the target lacks (one element of a multi-valued attribute
// included, with its value-filtered path) and "Replace" for one it has. A null is not provisioned
// ("The provisioning service currently doesn't support provisioning null attributes",
// provision-on-demand.md, Step 2), so a value the source no longer has is left as the target holds
// it. "Only during object creation" mappings and default values do not apply.
func updateChanges(flow []flowValue, cur map[string]any) ([]entra.Change, []ModifiedProperty, []sentValue) {
	var changes []entra.Change
	var props []ModifiedProperty
	var sent []sentValue
	for _, f := range flow {
		if f.value == nil || f.m.Apply == ApplyCreation || f.m.isRole() {
			continue
		}
		old := f.m.path.Get(cur)
		if equalValue(f.value, old) {
			continue
		}
		changes = append(changes, entra.Change{Path: f.m.Target, Value: f.value, Op: addOrReplace(old)})
		props = append(props, ModifiedProperty{Name: f.m.Target, OldValue: f.m.shown(old), NewValue: f.m.shown(f.value)})
		sent = append(sent, sentValue{m: f.m, value: f.value})
	}
	return changes, props, sent
}
