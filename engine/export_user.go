package engine

import (
	"context"
	"fmt"

	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/report"
	"github.com/scimsim/scimsim/wire"
)

// export is step 5 for a user: create it when no user matched, deprovision it when it is out of
// scope, update it otherwise, or skip what the target object actions do not allow.
func (u userObject) export(ctx context.Context, p *pass, s *Step) {
	job := p.cfg.Job
	switch {
	case p.matched == nil && !job.allows(ActionCreate):
		p.skip(s, entra.CodeSkipped, "No user matched in the target, and Create is not an enabled target object action.")
	case p.matched == nil:
		p.createUser(ctx, s)
	case !p.scope.in:
		p.deprovisionUser(ctx, s)
	case !job.allows(ActionUpdate):
		p.skip(s, entra.CodeSkipped, "The user matched in the target, and Update is not an enabled target object action.")
	default:
		p.updateUser(ctx, s)
	}
}

// refused fails the step, before any request, on the first value to send that the provisioning
// service itself refuses (entra.CheckValue: a row of the table of codes).
func (p *pass) refused(ctx context.Context, s *Step, sent []sentValue) bool {
	for _, sv := range sent {
		if err := entra.CheckValue(sv.m.Target, sv.value); err != nil {
			p.failRequest(ctx, s, err, "")
			return true
		}
	}
	return false
}

// rolesDropped reports the role mappings on-demand provisioning leaves out.
func (p *pass) rolesDropped(s *Step) bool {
	dropped := false
	for _, f := range p.flow {
		if f.m.isRole() && f.value != nil {
			s.Details.Add(f.m.Target, "not sent: on-demand provisioning of roles isn't supported")
			dropped = true
		}
	}
	if dropped {
		s.Tips = append(s.Tips, entra.TipRoles)
	}
	return dropped
}

// computed completes the values a create (creating) or an update sends: SelectUniqueValue's,
// asked of the target, and references resolved to the target's ids. false means the step has
// ended.
func (p *pass) computed(ctx context.Context, s *Step, creating bool) bool {
	if !p.selectUniqueValues(ctx, s, creating) {
		return false
	}
	if err := p.resolveReferences(ctx, s); err != nil {
		p.failRequest(ctx, s, err, "Failed to resolve the manager reference: ")
		return false
	}
	return true
}

// createUser POSTs the user (createBody), references resolved to the target's ids, then reads it
// back and compares it with what was sent.
func (p *pass) createUser(ctx context.Context, s *Step) {
	if !p.computed(ctx, s, true) {
		return
	}
	body, sent := createBody(p.flow)
	if p.refused(ctx, s, sent) {
		return
	}
	props := make([]ModifiedProperty, 0, len(sent))
	for _, sv := range sent {
		props = append(props, ModifiedProperty{Name: sv.m.Target, OldValue: nil, NewValue: sv.m.shown(sv.value)})
	}
	for _, mp := range props {
		s.Details.Add(mp.Name, report.ShowValue(mp.NewValue))
	}
	roles := p.rolesDropped(s)
	p.rep.ModifiedProperties = props
	res, err := p.t.Create(ctx, wire.Users, body)
	if err != nil {
		p.failRequest(ctx, s, err, "Failed to create User: ")
		return
	}
	id := wire.ID(res)
	p.target(id, nameOf(res, "userName"), true)
	problems := p.verifyUser(ctx, s, id, p.t.LastStatus(), sent)
	p.done(s, report.ActionCreate, roles || len(problems) > 0)
	p.warnReadBack(s, problems)
}

// updateUser PATCHes the attributes whose value differs from the target's (updateChanges);
// nothing changed is a skip with RedundantExport.
func (p *pass) updateUser(ctx context.Context, s *Step) {
	if !p.computed(ctx, s, false) {
		return
	}
	changes, props, sent := updateChanges(p.flow, p.matched)
	roles := p.rolesDropped(s)
	if len(changes) == 0 {
		p.skip(s, entra.CodeRedundantExport, "The user's attributes in the source and the target already match: nothing to update.")
		return
	}
	if p.refused(ctx, s, sent) {
		return
	}
	p.patchUser(ctx, s, changes, props, sent, report.ActionUpdate, roles)
}

func (p *pass) patchUser(ctx context.Context, s *Step, changes []entra.Change, props []ModifiedProperty, sent []sentValue, action string, roles bool) {
	for _, mp := range props {
		s.Details.Add(mp.Name, fmt.Sprintf("%s -> %s", report.ShowValue(mp.OldValue), report.ShowValue(mp.NewValue)))
	}
	p.rep.ModifiedProperties = props
	id := wire.ID(p.matched)
	if err := p.t.Update(ctx, wire.Users, id, changes); err != nil {
		verb := "update"
		if action == report.ActionDisable {
			verb = "disable"
		}
		p.failRequest(ctx, s, err, fmt.Sprintf("Failed to %s User %s: ", verb, id))
		return
	}
	problems := p.verifyUser(ctx, s, id, p.t.LastStatus(), sent)
	p.done(s, action, roles || len(problems) > 0)
	p.warnReadBack(s, problems)
}

// deprovisionUser handles a user out of scope that exists in the target: disable it through the
// computed IsSoftDeleted flowing into active, or delete it when no mapping targets active and
// Delete is an enabled action (how-provisioning-works.md, deprovisioning).
func (p *pass) deprovisionUser(ctx context.Context, s *Step) {
	job := p.cfg.Job
	id := wire.ID(p.matched)
	if m := p.cfg.Users.mappingFor("active"); m != nil {
		want := p.value(m)
		if want == nil {
			want = false
		}
		cur := m.path.Get(p.matched)
		if equalValue(want, cur) {
			p.skip(s, entra.CodeRedundantExport, "The user is out of scope and already inactive in the target: nothing to disable.")
			return
		}
		if !job.allows(ActionUpdate) {
			p.skip(s, entra.CodeSkipped, "The user is out of scope, but Update (which disables) is not an enabled target object action.")
			return
		}
		p.patchUser(ctx, s, []entra.Change{{Path: m.Target, Value: want, Op: addOrReplace(cur)}},
			[]ModifiedProperty{{Name: m.Target, OldValue: cur, NewValue: want}}, []sentValue{{m: m, value: want}}, report.ActionDisable, false)
		return
	}
	if !job.allows(ActionDelete) {
		p.skip(s, entra.CodeSkipped, "The user is out of scope; no mapping targets active and Delete is not an enabled target object action.")
		return
	}
	p.deleteMatched(ctx, s, p.t.Delete, wire.Users, "User", id)
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
// provision-on-demand.md, Step 2; "By default, the Microsoft Entra provisioning service doesn't send
// null values to target systems", customize-application-attributes.md), so a value the source no
// longer has is left as the target holds it. "Only during object creation" mappings and default
// values do not apply.
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
