package engine

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scimsim/scimsim/engine/expr"
	"github.com/scimsim/scimsim/entra"
)

// MaxGroupMembers is how many members one on-demand group run provisions: "On-demand
// provisioning of groups supports updating up to five members at a time".
const MaxGroupMembers = 5

// groupRun is the state of one group's run.
type groupRun struct {
	*run
	rep     *Report
	group   *Group
	members []*User
	flow    []flowValue
	inScope bool
	why     string
	matched map[string]any
}

// group provisions a group on demand: its selected members first (those not yet in the target
// are created, as Entra does), then the group, created empty and filled by a member PATCH, or
// updated (rename, members added and removed) when it is already in the target.
func (r *run) group(ctx context.Context, subj Subject) (*Report, error) {
	start := time.Now()
	g, err := r.src.FindGroup(subj.Group)
	if err != nil {
		return nil, &InputError{err}
	}
	if g == nil {
		rep := r.newReport("Group", "", subj.Group)
		s := rep.Step(StepImport)
		s.Details.add("Search", subj.Group)
		r.fail(rep, s, entra.CodeSubjectNotFound, fmt.Sprintf("No group in the source has the name %q.", subj.Group))
		rep.DurationMs = time.Since(start).Milliseconds()
		return rep, nil
	}
	gr := &groupRun{run: r, group: g, rep: r.newReport("Group", g.ObjectID, g.DisplayName)}
	defer func() { gr.rep.DurationMs = time.Since(start).Milliseconds() }()
	members, err := gr.selectMembers(subj.Members)
	if err != nil {
		return nil, &InputError{err}
	}
	if !r.testConnection(ctx, gr.rep, "Groups", &r.cfg.Groups) {
		return gr.rep, nil
	}
	if !gr.importStep(members) {
		return gr.rep, nil
	}
	if !gr.scopeStep() || !gr.matchStep(ctx) {
		return gr.rep, nil
	}
	gr.actionStep(ctx)
	return gr.rep, nil
}

// selectMembers resolves the --member queries against the group's members. nil means every
// member, which must be at most five.
func (gr *groupRun) selectMembers(queries []string) ([]*User, error) {
	if len(queries) == 0 {
		var all []*User
		for _, id := range gr.group.Members {
			if u := gr.src.user(id); u != nil {
				all = append(all, u)
			}
		}
		return all, nil
	}
	var out []*User
	for _, q := range queries {
		u, err := gr.src.FindUser(q)
		if err != nil {
			return nil, err
		}
		if u == nil {
			return nil, fmt.Errorf("--member %q: no user in the source matches it", q)
		}
		if !slices.Contains(gr.group.Members, u.ObjectID) {
			return nil, fmt.Errorf("--member %q: %s is not a member of the group %q", q, u.Display(), gr.group.DisplayName)
		}
		if !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out, nil
}

func (gr *groupRun) env() expr.Env {
	attrs := make(map[string]any, len(gr.group.Attrs)+1)
	for k, v := range gr.group.Attrs {
		attrs[k] = v
	}
	attrs["IsSoftDeleted"] = false
	return expr.Env{Attrs: attrs, Now: gr.o.now, Rand: gr.o.rand}
}

// importStep is step 2 for a group: its attributes and the members this run provisions; more
// than five is refused with the document's sentence.
func (gr *groupRun) importStep(members []*User) bool {
	s := gr.rep.Step(StepImport)
	s.Details.add("objectId", gr.group.ObjectID)
	s.Details.add("displayName", gr.group.DisplayName)
	names := make([]string, 0, len(members))
	for _, u := range members {
		names = append(names, u.Display())
	}
	s.Details.add("members", orNone(names))
	if len(members) > MaxGroupMembers {
		gr.fail(gr.rep, s, entra.CodeTooManyGroupMembers, fmt.Sprintf("The group has %d members to provision: on-demand provisioning of groups supports updating up to five members at a time. Pick up to five with --member.", len(members)), entra.TipGroupMembers)
		return false
	}
	gr.members = members
	var err error
	var nulls []string
	if gr.flow, nulls, err = evaluateMappings(gr.cfg.Groups.Mappings, gr.env()); err != nil {
		gr.fail(gr.rep, s, entra.CodeExpressionFailed, err.Error(), entra.TipMappingHasAttr)
		return false
	}
	status := StatusSuccess
	if len(nulls) > 0 {
		s.Details.add("Not provisioned (null)", strings.Join(nulls, ", "))
		s.Tips = append(s.Tips, entra.TipNullAttribute)
		status = StatusWarning
	}
	for _, m := range gr.cfg.Groups.matchingMappings() {
		if gr.value(m) != nil {
			gr.finish(gr.rep, s, status)
			return true
		}
	}
	gr.skip(gr.rep, s, entra.CodeImportSkipped, "The group has no value for its matching "+pluralWord(len(gr.cfg.Groups.matchingMappings()), "attribute", "attributes")+".", entra.TipMissingMatching)
	return false
}

func (gr *groupRun) value(m *Mapping) any {
	for _, f := range gr.flow {
		if f.m == m {
			return f.value
		}
	}
	return nil
}

// scopeStep is step 3 for a group: assigned to the application (or sync all) and its scoping
// filters. It returns false when the run ended here.
func (gr *groupRun) scopeStep() bool {
	s := gr.rep.Step(StepScoping)
	gr.inScope = true
	if gr.cfg.Job.Scope == ScopeAll {
		s.Details.add("Scope sync all", "true")
	} else {
		assigned, pending := false, false
		for _, a := range gr.src.Assignments {
			if a.Principal != gr.group.ObjectID {
				continue
			}
			if !a.AssignedAt.IsZero() && gr.o.now().Sub(a.AssignedAt) < gr.cfg.Job.ReplicationDelay {
				pending = true
				continue
			}
			assigned = true
		}
		s.Details.add("Assigned to application", strconv.FormatBool(assigned))
		if !assigned {
			gr.inScope = false
			gr.why = "The group is not assigned to the application."
			s.Tips = append(s.Tips, entra.TipNotAssigned)
			if pending {
				gr.why = fmt.Sprintf("The group is not assigned to the application yet: its assignment is younger than the replication delay (job.replicationDelay %s).", gr.cfg.Job.ReplicationDelay)
				s.Tips = []Tip{entra.TipReplication}
			}
		}
	}
	if filters := gr.cfg.Groups.ScopingFilters; len(filters) > 0 {
		anyPassed := false
		for _, f := range filters {
			passed := true
			for _, c := range f.Clauses {
				ok, err := c.eval(f.Name, gr.group.Attrs)
				if err != nil {
					gr.fail(gr.rep, s, entra.CodeInvalidScopingFilter, err.Error(), entra.TipScopingRule)
					return false
				}
				s.Details.add(c.label(f.Name), strconv.FormatBool(ok))
				passed = passed && ok
			}
			anyPassed = anyPassed || passed
		}
		if !anyPassed && gr.inScope {
			gr.inScope, gr.why = false, "No scoping filter passed."
			s.Tips = append(s.Tips, entra.TipFilterFalse)
		}
	}
	if !gr.inScope {
		// Decided after matching: skipped (not in the target) or deleted.
		return true
	}
	gr.finish(gr.rep, s, StatusSuccess)
	return true
}

// matchStep is step 4 for a group: GET /Groups?excludedAttributes=members&filter=displayName eq
// "...". A group that comes back with members despite the exclusion is
// SystemForCrossDomainIdentityManagementMultipleEntriesInResponse, as Entra logs it.
func (gr *groupRun) matchStep(ctx context.Context) bool {
	s := gr.rep.Step(StepMatching)
	for _, m := range gr.cfg.Groups.matchingMappings() {
		v := gr.value(m)
		if v == nil {
			continue
		}
		filter := entra.EqFilter(m.Target, scalarString(v))
		lr, err := gr.c.Query(ctx, "Groups", filter)
		if err != nil {
			code, reason, tips := gr.classify(ctx, err, StepMatching)
			gr.fail(gr.rep, s, code, reason, tips...)
			return false
		}
		if len(lr.Resources) == 0 {
			s.Details.add(filter, "no match")
			continue
		}
		for _, res := range lr.Resources {
			if ms, ok := getCI(res, "members").([]any); ok && len(ms) > 0 {
				s.Details.add(filter, fmt.Sprintf("%s, with %s", count(len(lr.Resources), "match", "matches"), count(len(ms), "member", "members")))
				gr.fail(gr.rep, s, entra.CodeMultipleEntries,
					fmt.Sprintf("The group query asked for excludedAttributes=members but the target returned %s.", count(len(ms), "member", "members")), entra.TipMultipleGroup)
				return false
			}
		}
		if len(lr.Resources) > 1 {
			s.Details.add(filter, fmt.Sprintf("%d matches", len(lr.Resources)))
			gr.fail(gr.rep, s, entra.CodeDuplicateTargetEntries, fmt.Sprintf("%d groups in the target have %s.", len(lr.Resources), filter), entra.TipUnique)
			return false
		}
		s.Details.add(filter, "1 match")
		s.Details.add("Matched group ("+m.Target+")", summarize(lr.Resources[0]))
		gr.matched = lr.Resources[0]
		break
	}
	if gr.matched == nil {
		s.Details.add("Result", "no group matched in the target")
	} else {
		id, _ := gr.matched["id"].(string)
		name, _ := getCI(gr.matched, "displayName").(string)
		gr.rep.Target = &Identity{Type: "Group", ID: id, Display: name}
		gr.known = append(gr.known, id)
	}
	gr.finish(gr.rep, s, StatusSuccess)
	if !gr.inScope {
		sc := gr.rep.Step(StepScoping)
		if gr.matched == nil {
			gr.skip(gr.rep, sc, entra.CodeSkipped, gr.why+" The group is out of scope and not in the target: nothing to do.")
			return false
		}
		sc.Reason = gr.why + " The group exists in the target, so it is deprovisioned."
		sc.Status = StatusWarning
	}
	return true
}

// deleteGroup deprovisions a group that is out of scope but in the target: groups have no active
// attribute, so Entra deletes them when Delete is an enabled target object action.
func (gr *groupRun) deleteGroup(ctx context.Context, s *Step) {
	id, _ := gr.matched["id"].(string)
	if !gr.cfg.Job.allows(ActionDelete) {
		gr.skip(gr.rep, s, entra.CodeSkipped, "The group is out of scope, but Delete is not an enabled target object action.")
		return
	}
	s.Details.add("id", id)
	if err := gr.c.Delete(ctx, "Groups", id); err != nil {
		code, reason, tips := gr.classify(ctx, err, StepExport)
		gr.fail(gr.rep, s, code, fmt.Sprintf("Failed to delete Group %s: %s", id, reason), tips...)
		return
	}
	gr.rep.ModifiedProperties = []ModifiedProperty{{Name: "id", OldValue: id, NewValue: nil}}
	gr.finish(gr.rep, s, StatusSuccess)
	gr.rep.Action = ReportDelete
}

// provisionMembers runs each selected member through the five user steps and returns the target
// ids of those that are in the target afterwards. A member out of scope is left out of the group,
// as Entra documents ("the group is provisioned without that member").
func (gr *groupRun) provisionMembers(ctx context.Context) ([]string, []string) {
	var ids, notes []string
	for _, u := range gr.members {
		rep := gr.user(ctx, u, false)
		gr.rep.Members = append(gr.rep.Members, rep)
		if rep.Target != nil && rep.Status != StatusFailure && rep.Action != ReportDisable && rep.Action != ReportDelete {
			ids = append(ids, rep.Target.ID)
			continue
		}
		notes = append(notes, fmt.Sprintf("%s not added (%s %s)", u.Display(), rep.Status, rep.ErrorCode))
	}
	return ids, notes
}

// actionStep is step 5 for a group.
func (gr *groupRun) actionStep(ctx context.Context) {
	s := gr.rep.Step(StepExport)
	if !gr.inScope {
		gr.deleteGroup(ctx, s)
		return
	}
	ids, notes := gr.provisionMembers(ctx)
	for _, n := range notes {
		s.Details.add("Member", n)
	}
	if gr.matched == nil {
		gr.createGroup(ctx, s, ids)
		return
	}
	gr.updateGroup(ctx, s, ids)
}

func (gr *groupRun) createGroup(ctx context.Context, s *Step, ids []string) {
	if !gr.cfg.Job.allows(ActionCreate) {
		gr.skip(gr.rep, s, entra.CodeSkipped, "No group matched in the target, and Create is not an enabled target object action.")
		return
	}
	body := map[string]any{}
	var props []ModifiedProperty
	for _, f := range gr.flow {
		if f.value == nil || f.m.Target == "members" {
			continue
		}
		f.m.path.Set(body, f.value)
		props = append(props, ModifiedProperty{Name: f.m.Target, NewValue: f.value})
		s.Details.add(f.m.Target, showValue(f.value))
	}
	body = entra.GroupCreateBody(body)
	gr.rep.ModifiedProperties = props
	res, err := gr.c.Create(ctx, "Groups", body)
	if err != nil {
		code, reason, tips := gr.classify(ctx, err, StepExport)
		gr.fail(gr.rep, s, code, "Failed to create Group: "+reason, tips...)
		return
	}
	id, _ := res["id"].(string)
	gr.rep.Target = &Identity{Type: "Group", ID: id, Display: gr.group.DisplayName}
	gr.known = append(gr.known, id)
	if len(ids) > 0 && gr.hasMembersMapping() {
		if _, err := gr.c.Patch(ctx, "Groups", id, gr.dialect.GroupPatch("", ids, nil)); err != nil {
			code, reason, tips := gr.classify(ctx, err, StepExport)
			gr.fail(gr.rep, s, code, fmt.Sprintf("Created Group %s but failed to add its members: %s", id, reason), tips...)
			return
		}
		gr.rep.ModifiedProperties = append(gr.rep.ModifiedProperties, ModifiedProperty{Name: "members", NewValue: ids})
		s.Details.add("members added", strings.Join(ids, ", "))
	}
	gr.rep.Created = append(gr.rep.Created, Identity{Type: "Group", ID: id, Display: gr.group.DisplayName})
	want := ids
	if !gr.hasMembersMapping() {
		want = nil
	}
	gr.end(ctx, s, ReportCreate, id, want)
}

// end finishes a successful group action: the group's members are read back (scimsim's own
// request) and compared with what they should be now.
func (gr *groupRun) end(ctx context.Context, s *Step, action, id string, members []string) {
	var problems []string
	if gr.hasMembersMapping() {
		problems = gr.verifyMembers(ctx, s, id, gr.c.LastStatus(), members)
	}
	status := StatusSuccess
	if len(problems) > 0 {
		status = StatusWarning
	}
	gr.finish(gr.rep, s, status)
	gr.rep.Action = action
	gr.warnReadBack(gr.rep, s, problems)
}

func (gr *groupRun) hasMembersMapping() bool { return gr.cfg.Groups.mappingFor("members") != nil }

// updateGroup renames the group when its displayName changed, adds the selected members it lacks
// and removes the members that left the source group, in one PATCH.
func (gr *groupRun) updateGroup(ctx context.Context, s *Step, ids []string) {
	id, _ := gr.matched["id"].(string)
	rename := ""
	var props []ModifiedProperty
	if m := gr.cfg.Groups.mappingFor("displayName"); m != nil {
		if v, ok := gr.value(m).(string); ok && m.Apply != ApplyCreation {
			if cur := getCI(gr.matched, "displayName"); !equalValue(v, cur) {
				rename = v
				props = append(props, ModifiedProperty{Name: "displayName", OldValue: cur, NewValue: v})
			}
		}
	}
	var add, remove, current []string
	if gr.hasMembersMapping() {
		var err error
		current, err = gr.currentMembers(ctx, id)
		if err != nil {
			code, reason, tips := gr.classify(ctx, err, StepExport)
			gr.fail(gr.rep, s, code, reason, tips...)
			return
		}
		for _, m := range ids {
			if !slices.Contains(current, m) {
				add = append(add, m)
			}
		}
		if remove, err = gr.departed(ctx, current, ids); err != nil {
			code, reason, tips := gr.classify(ctx, err, StepExport)
			gr.fail(gr.rep, s, code, reason, tips...)
			return
		}
	}
	if rename == "" && len(add) == 0 && len(remove) == 0 {
		gr.skip(gr.rep, s, entra.CodeRedundantExport, "The group's name and the selected members already match the target: nothing to update.")
		return
	}
	if !gr.cfg.Job.allows(ActionUpdate) {
		gr.skip(gr.rep, s, entra.CodeSkipped, "The group matched in the target, and Update is not an enabled target object action.")
		return
	}
	if len(add) > 0 {
		props = append(props, ModifiedProperty{Name: "members (added)", NewValue: add})
		s.Details.add("members added", strings.Join(add, ", "))
	}
	if len(remove) > 0 {
		props = append(props, ModifiedProperty{Name: "members (removed)", OldValue: remove})
		s.Details.add("members removed", strings.Join(remove, ", "))
	}
	if rename != "" {
		s.Details.add("displayName", rename)
	}
	gr.rep.ModifiedProperties = props
	if _, err := gr.c.Patch(ctx, "Groups", id, gr.dialect.GroupPatch(rename, add, remove)); err != nil {
		code, reason, tips := gr.classify(ctx, err, StepExport)
		gr.fail(gr.rep, s, code, fmt.Sprintf("Failed to update Group %s: %s", id, reason), tips...)
		return
	}
	want := slices.DeleteFunc(append(slices.Clone(current), add...), func(m string) bool { return slices.Contains(remove, m) })
	gr.end(ctx, s, ReportUpdate, id, want)
}

// currentMembers reads the target group's member ids. Entra knows which members it provisioned from
// its own records of earlier exports and never reads a group's members (every read it makes asks for
// excludedAttributes=members); an on-demand run in scimsim has no such history, so it reads them
// itself, in a request marked as scimsim's own.
func (gr *groupRun) currentMembers(ctx context.Context, id string) ([]string, error) {
	res, err := gr.c.ReadBack(ctx, "Groups", id)
	if err != nil {
		return nil, err
	}
	var out []string
	list, _ := getCI(res, "members").([]any)
	for _, m := range list {
		if mm, ok := m.(map[string]any); ok {
			if v, ok := mm["value"].(string); ok {
				out = append(out, v)
			}
		}
	}
	return out, nil
}

// departed returns the target members that correspond to source users who are no longer members
// of the group. Target members the source does not know are left alone: Entra only changes what
// it provisions.
func (gr *groupRun) departed(ctx context.Context, current, selected []string) ([]string, error) {
	matching := gr.cfg.Users.matchingMappings()
	var out []string
	for _, id := range current {
		if slices.Contains(selected, id) {
			continue
		}
		// Entra knows the source user behind each member it provisioned; scimsim reads the member
		// (its own request) to find it.
		res, err := gr.c.ReadBack(ctx, "Users", id)
		if err != nil {
			return nil, err
		}
		u := gr.sourceUserFor(res, matching)
		if u != nil && !slices.Contains(gr.group.Members, u.ObjectID) {
			out = append(out, id)
		}
	}
	return out, nil
}

// sourceUserFor finds the source user whose matching attribute values equal the target user's.
func (gr *groupRun) sourceUserFor(res map[string]any, matching []*Mapping) *User {
	for _, m := range matching {
		cur := m.path.Get(res)
		if cur == nil || m.expr != nil || m.Constant != "" {
			continue
		}
		for _, u := range gr.src.Users {
			if v, ok := u.Attrs[m.Source]; ok && equalValue(v, cur) {
				return u
			}
		}
	}
	return nil
}
