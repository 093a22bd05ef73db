package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/report"
	"github.com/scimsim/scimsim/wire"
)

// MaxGroupMembers is how many members one on-demand group run provisions: "On-demand
// provisioning of groups supports updating up to five members at a time" (provision-on-demand.md,
// Known limitations).
const MaxGroupMembers = 5

// export is step 5 for a group: its selected members first (those not yet in the target are
// created, as Entra does), then the group, created empty and filled by a member PATCH, or updated
// (rename, members added and removed) when it is already in the target; out of scope, it is
// deleted.
func (g groupObject) export(ctx context.Context, p *pass, s *Step) {
	if !p.scope.in {
		p.deleteGroup(ctx, s)
		return
	}
	ids, notes := p.cycleMembers()
	if p.cycle == nil {
		ids, notes = p.provisionMembers(ctx, g.members)
	}
	for _, n := range notes {
		s.Details.Add("Member", n)
	}
	if p.matched == nil {
		p.createGroup(ctx, s, ids)
		return
	}
	p.updateGroup(ctx, s, ids)
}

// provisionMembers runs each selected member through the five user steps and returns the target
// ids of those that are in the target afterwards. A member out of scope is left out of the group,
// as Entra documents ("the group is provisioned without that member").
func (p *pass) provisionMembers(ctx context.Context, members []*User) ([]string, []string) {
	var ids, notes []string
	for _, u := range members {
		rep := p.provision(ctx, userObject{u}, true)
		p.rep.Members = append(p.rep.Members, rep)
		if rep.Target != nil && rep.Status != report.StatusFailure && rep.Action != report.ActionDisable && rep.Action != report.ActionDelete {
			ids = append(ids, rep.Target.ID)
			continue
		}
		notes = append(notes, fmt.Sprintf("%s not added (%s %s)", u.Display(), rep.Status, rep.ErrorCode))
	}
	return ids, notes
}

func (p *pass) hasMembersMapping() bool { return p.cfg.Groups.mappingFor("members") != nil }

// deleteGroup deprovisions a group that is out of scope but in the target: groups have no active
// attribute, so Entra deletes them when Delete is an enabled target object action.
func (p *pass) deleteGroup(ctx context.Context, s *Step) {
	id := wire.ID(p.matched)
	if !p.cfg.Job.allows(ActionDelete) {
		p.skip(s, entra.CodeSkipped, "The group is out of scope, but Delete is not an enabled target object action.")
		return
	}
	p.deleteMatched(ctx, s, p.c.Delete, wire.Groups, "Group", id)
}

func (p *pass) createGroup(ctx context.Context, s *Step, ids []string) {
	if !p.cfg.Job.allows(ActionCreate) {
		p.skip(s, entra.CodeSkipped, "No group matched in the target, and Create is not an enabled target object action.")
		return
	}
	body := map[string]any{}
	var props []ModifiedProperty
	for _, f := range p.flow {
		if f.value == nil || f.m.Target == "members" {
			continue
		}
		f.m.path.Set(body, f.value)
		props = append(props, ModifiedProperty{Name: f.m.Target, NewValue: f.value})
		s.Details.Add(f.m.Target, report.ShowValue(f.value))
	}
	p.rep.ModifiedProperties = props
	res, err := p.c.Create(ctx, wire.Groups, entra.GroupCreateBody(body))
	if err != nil {
		p.failRequest(ctx, s, err, "Failed to create Group: ")
		return
	}
	id := wire.ID(res)
	p.target(id, p.obj.identity().Display, true)
	if len(ids) > 0 && p.hasMembersMapping() {
		if _, err := p.c.Patch(ctx, wire.Groups, id, p.dialect.GroupPatch("", ids, nil)); err != nil {
			p.failRequest(ctx, s, err, fmt.Sprintf("Created Group %s but failed to add its members: ", id))
			return
		}
		p.rep.ModifiedProperties = append(p.rep.ModifiedProperties, ModifiedProperty{Name: "members", NewValue: ids})
		s.Details.Add("members added", strings.Join(ids, ", "))
	}
	p.endGroup(ctx, s, report.ActionCreate, id, ids)
}

// updateGroup renames the group when its displayName changed, adds the selected members it lacks
// and removes the members that left the source group, in one PATCH.
func (p *pass) updateGroup(ctx context.Context, s *Step, ids []string) {
	id := wire.ID(p.matched)
	rename := ""
	var props []ModifiedProperty
	if m := p.cfg.Groups.mappingFor("displayName"); m != nil {
		if v, ok := p.value(m).(string); ok && m.Apply != ApplyCreation {
			if cur := wire.Field(p.matched, "displayName"); !equalValue(v, cur) {
				rename = v
				props = append(props, ModifiedProperty{Name: "displayName", OldValue: cur, NewValue: v})
			}
		}
	}
	var add, remove, current []string
	if p.hasMembersMapping() {
		var err error
		if current, err = p.currentMembers(ctx, id); err != nil {
			p.failRequest(ctx, s, err, "")
			return
		}
		for _, m := range ids {
			if !slices.Contains(current, m) {
				add = append(add, m)
			}
		}
		if remove, err = p.departed(ctx, current, ids); err != nil {
			p.failRequest(ctx, s, err, "")
			return
		}
	}
	if rename == "" && len(add) == 0 && len(remove) == 0 {
		p.skip(s, entra.CodeRedundantExport, "The group's name and the selected members already match the target: nothing to update.")
		return
	}
	if !p.cfg.Job.allows(ActionUpdate) {
		p.skip(s, entra.CodeSkipped, "The group matched in the target, and Update is not an enabled target object action.")
		return
	}
	if len(add) > 0 {
		props = append(props, ModifiedProperty{Name: "members (added)", NewValue: add})
		s.Details.Add("members added", strings.Join(add, ", "))
	}
	if len(remove) > 0 {
		props = append(props, ModifiedProperty{Name: "members (removed)", OldValue: remove})
		s.Details.Add("members removed", strings.Join(remove, ", "))
	}
	if rename != "" {
		s.Details.Add("displayName", rename)
	}
	p.rep.ModifiedProperties = props
	if _, err := p.c.Patch(ctx, wire.Groups, id, p.dialect.GroupPatch(rename, add, remove)); err != nil {
		p.failRequest(ctx, s, err, fmt.Sprintf("Failed to update Group %s: ", id))
		return
	}
	want := slices.DeleteFunc(append(slices.Clone(current), add...), func(m string) bool { return slices.Contains(remove, m) })
	p.endGroup(ctx, s, report.ActionUpdate, id, want)
}

// endGroup finishes a successful group action: the group's members are read back (scimsim's own
// request) and compared with what they should be now.
func (p *pass) endGroup(ctx context.Context, s *Step, action, id string, members []string) {
	var problems []string
	if p.hasMembersMapping() {
		problems = p.verifyMembers(ctx, s, id, p.c.LastStatus(), members)
	}
	p.done(s, action, len(problems) > 0)
	p.warnReadBack(s, problems)
}

// currentMembers reads the target group's member ids. Entra knows which members it provisioned from
// its own records of earlier exports and never reads a group's members (every read it makes asks for
// excludedAttributes=members); an on-demand run in scimsim has no such history, so it reads them
// itself, in a request marked as scimsim's own.
func (p *pass) currentMembers(ctx context.Context, id string) ([]string, error) {
	res, err := p.c.ReadBack(ctx, wire.Groups, id)
	if err != nil {
		return nil, err
	}
	return wire.MemberValues(res), nil
}

// departed returns the target members that correspond to source users who are no longer members
// of the group. Target members the source does not know are left alone: Entra only changes what
// it provisions.
func (p *pass) departed(ctx context.Context, current, selected []string) ([]string, error) {
	matching := p.cfg.Users.matchingMappings()
	group := p.obj.(groupObject)
	var out []string
	for _, id := range current {
		if slices.Contains(selected, id) {
			continue
		}
		// Entra knows the source user behind each member it provisioned; scimsim reads the member
		// (its own request) to find it.
		res, err := p.c.ReadBack(ctx, wire.Users, id)
		if err != nil {
			return nil, err
		}
		u := p.sourceUserFor(res, matching)
		if u != nil && !slices.Contains(group.Members, u.ObjectID) {
			out = append(out, id)
		}
	}
	return out, nil
}

// sourceUserFor finds the source user whose matching attribute values equal the target user's.
func (p *pass) sourceUserFor(res map[string]any, matching []*Mapping) *User {
	for _, m := range matching {
		cur := m.path.Get(res)
		if cur == nil || m.expr != nil || m.Constant != "" {
			continue
		}
		for _, u := range p.src.Users {
			if v, ok := u.Attrs[m.Source]; ok && equalValue(v, cur) {
				return u
			}
		}
	}
	return nil
}
