package engine

import (
	"fmt"
	"maps"
	"slices"
	"time"
)

// Touched names the objects a set of changes affects, which an incremental cycle processes:
// "Query the source system for any users and groups that were updated since the last watermark"
// (how-provisioning-works.md, "Incremental cycles").
type Touched struct {
	Users  []string
	Groups []string
}

func (t *Touched) user(id string) {
	if !slices.Contains(t.Users, id) {
		t.Users = append(t.Users, id)
	}
}

func (t *Touched) group(id string) {
	if !slices.Contains(t.Groups, id) {
		t.Groups = append(t.Groups, id)
	}
}

// changeAttrs applies the attribute changes of list, the file's field (change.users), to the
// objects of byID they name: each change's attributes in key order through set (f is the change's
// field), then touch. A change naming no object of byID is an error at its objectId.
func changeAttrs[T any](list []AttrChange, field, noun string, byID map[string]*T, fail func(Pos, string, string, ...any) error,
	set func(obj *T, ac AttrChange, k, f string) error, touch func(*T)) error {
	for i, ac := range list {
		f := fmt.Sprintf("%s[%d]", field, i)
		obj := byID[ac.ObjectID]
		if obj == nil {
			return fail(ac.Pos.At("objectId"), f+".objectId", "no %s has objectId %q", noun, ac.ObjectID)
		}
		for _, k := range slices.Sorted(maps.Keys(ac.Attrs)) {
			if err := set(obj, ac, k, f); err != nil {
				return err
			}
		}
		touch(obj)
	}
	return nil
}

// Clone returns a copy of the source that Apply can change without touching s: users and groups
// are copied with their attributes.
func (s *Source) Clone() *Source {
	c := *s // every field, the tenant's settings included; the objects are copied below
	cp := &c
	cp.index = nil
	cp.Users, cp.Groups, cp.Assignments = make([]*User, len(s.Users)), make([]*Group, len(s.Groups)), slices.Clone(s.Assignments)
	for i, u := range s.Users {
		cu := *u
		cu.Attrs = cloneAttrs(u.Attrs)
		cp.Users[i] = &cu
	}
	for i, g := range s.Groups {
		cg := *g
		cg.Attrs = cloneAttrs(g.Attrs)
		cg.Members = slices.Clone(g.Members)
		cp.Groups[i] = &cg
	}
	if s.index != nil {
		cp.Reindex()
	}
	return cp
}

func cloneAttrs(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if l, ok := v.([]string); ok {
			v = slices.Clone(l)
		}
		out[k] = v
	}
	return out
}

// Apply changes the source as cs says, at time at (the assignments it adds without assignedAt
// date from then), and returns what it touched. An entry naming an object the source does not
// have, or a change that contradicts it (restoring a user that is not deleted), is an error naming
// the entry's file, line and field; the source is then partly changed.
func (s *Source) Apply(cs ChangeSet, at time.Time) (Touched, error) {
	var t Touched
	groups := map[string]*Group{}
	for _, g := range s.Groups {
		groups[g.ObjectID] = g
	}
	// users is the index's map when the source has one (a job's large source): Apply adds to it,
	// and rebuilds the index only when assignments or memberships change.
	var users map[string]*User
	if s.index != nil {
		users = s.index.users
	} else {
		users = make(map[string]*User, len(s.Users))
		for _, u := range s.Users {
			users[u.ObjectID] = u
		}
	}
	ids := idSet{users: users, groups: groups}
	pref := fmt.Sprintf("cycle %d: ", cs.Cycle)
	fail := func(p Pos, field, format string, args ...any) error {
		return &FieldError{Pos: p, Field: field, Msg: pref + fmt.Sprintf(format, args...)}
	}
	touchPrincipal := func(id string) {
		if g, ok := groups[id]; ok {
			t.group(id)
			for _, m := range g.Members {
				t.user(m)
			}
			return
		}
		t.user(id)
	}
	for i, u := range cs.AddUsers {
		f := fmt.Sprintf("add.users[%d].objectId", i)
		switch {
		case u.ObjectID == "":
			return t, fail(u.Pos, f, "required")
		case ids.has(u.ObjectID):
			return t, fail(u.Pos, f, "the source already has an object %q", u.ObjectID)
		}
		users[u.ObjectID] = u
		s.Users = append(s.Users, u)
		t.user(u.ObjectID)
	}
	for i, g := range cs.AddGroups {
		f := fmt.Sprintf("add.groups[%d]", i)
		switch {
		case g.ObjectID == "":
			return t, fail(g.Pos, f+".objectId", "required")
		case g.DisplayName == "":
			return t, fail(g.Pos, f+".displayName", "required")
		case ids.has(g.ObjectID):
			return t, fail(g.Pos, f+".objectId", "the source already has an object %q", g.ObjectID)
		}
		for j, m := range g.Members {
			if users[m] == nil {
				return t, fail(g.Pos.At("members"), fmt.Sprintf("%s.members[%d]", f, j), "no user has objectId %q", m)
			}
		}
		groups[g.ObjectID] = g
		s.Groups = append(s.Groups, g)
		t.group(g.ObjectID)
	}
	err := changeAttrs(cs.ChangeUsers, "change.users", "user", users, fail, func(u *User, ac AttrChange, k, _ string) error {
		setAttr(u.Attrs, k, ac.Attrs[k])
		return nil
	}, func(u *User) { t.user(u.ObjectID) })
	if err != nil {
		return t, err
	}
	err = changeAttrs(cs.ChangeGroups, "change.groups", "group", groups, fail, func(g *Group, ac AttrChange, k, f string) error {
		v := ac.Attrs[k]
		if k == "displayName" {
			name, ok := v.(string)
			if !ok || name == "" {
				return fail(ac.Pos.At(k), f+".displayName", "a group's displayName cannot be removed")
			}
			g.DisplayName = name
		}
		setAttr(g.Attrs, k, v)
		return nil
	}, func(g *Group) { t.group(g.ObjectID) })
	if err != nil {
		return t, err
	}
	for i, a := range cs.Assign {
		if !ids.has(a.Principal) {
			return t, fail(a.Pos.At("principal"), fmt.Sprintf("assign[%d].principal", i), "no user or group has objectId %q", a.Principal)
		}
		if a.AssignedAt.IsZero() {
			a.AssignedAt = at
		}
		s.Assignments = append(s.Assignments, a)
		touchPrincipal(a.Principal)
	}
	for i, r := range cs.Unassign {
		f := fmt.Sprintf("unassign[%d]", i)
		if !ids.has(r.ID) {
			return t, fail(r.Pos, f, "no user or group has objectId %q", r.ID)
		}
		n := len(s.Assignments)
		s.Assignments = slices.DeleteFunc(s.Assignments, func(a Assignment) bool { return a.Principal == r.ID })
		if len(s.Assignments) == n {
			return t, fail(r.Pos, f, "%q has no assignment to the application to remove", r.ID)
		}
		touchPrincipal(r.ID)
	}
	softDelete := func(list []Ref, field string, deleted bool) error {
		for i, r := range list {
			f := fmt.Sprintf("%s[%d]", field, i)
			var attrs map[string]any
			if u := users[r.ID]; u != nil {
				attrs = u.Attrs
				t.user(r.ID)
			} else if g := groups[r.ID]; g != nil {
				attrs = g.Attrs
				touchPrincipal(r.ID)
			} else {
				return fail(r.Pos, f, "no user or group has objectId %q", r.ID)
			}
			cur, _ := attrs["softDeleted"].(bool)
			switch {
			case deleted && cur:
				return fail(r.Pos, f, "%q is already soft-deleted", r.ID)
			case !deleted && !cur:
				return fail(r.Pos, f, "%q is not soft-deleted, so it cannot be restored", r.ID)
			}
			if deleted {
				attrs["softDeleted"] = true
			} else {
				delete(attrs, "softDeleted")
			}
		}
		return nil
	}
	if err := softDelete(cs.SoftDelete, "softDelete", true); err != nil {
		return t, err
	}
	if err := softDelete(cs.Restore, "restore", false); err != nil {
		return t, err
	}
	members := func(list []Membership, field string, add bool) error {
		for i, m := range list {
			f := fmt.Sprintf("%s[%d]", field, i)
			g := groups[m.Group]
			if g == nil {
				return fail(m.Pos.At("group"), f+".group", "no group has objectId %q", m.Group)
			}
			for j, id := range m.Users {
				uf := fmt.Sprintf("%s.users[%d]", f, j)
				if users[id] == nil {
					return fail(m.Pos.At("users"), uf, "no user has objectId %q", id)
				}
				in := slices.Contains(g.Members, id)
				switch {
				case add && in:
					return fail(m.Pos.At("users"), uf, "%q is already a member of %q", id, g.DisplayName)
				case !add && !in:
					return fail(m.Pos.At("users"), uf, "%q is not a member of %q", id, g.DisplayName)
				case add:
					g.Members = append(g.Members, id)
				default:
					g.Members = slices.DeleteFunc(g.Members, func(x string) bool { return x == id })
				}
				t.user(id)
			}
			t.group(g.ObjectID)
		}
		return nil
	}
	if err := members(cs.AddMembers, "members.add", true); err != nil {
		return t, err
	}
	if err := members(cs.RemoveMembers, "members.remove", false); err != nil {
		return t, err
	}
	if s.index != nil && (len(cs.AddGroups) > 0 || len(cs.Assign) > 0 || len(cs.Unassign) > 0 || len(cs.AddMembers) > 0 || len(cs.RemoveMembers) > 0) {
		s.Reindex()
	}
	return t, nil
}

// idSet answers whether a user or group has an objectId.
type idSet struct {
	users  map[string]*User
	groups map[string]*Group
}

func (s idSet) has(id string) bool { return s.users[id] != nil || s.groups[id] != nil }

// setAttr sets an attribute of a changed object; null removes it.
func setAttr(attrs map[string]any, k string, v any) {
	if v == nil {
		delete(attrs, k)
		return
	}
	attrs[k] = v
}
