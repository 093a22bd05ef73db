package engine

import (
	"fmt"
	"maps"
	"slices"
)

// ExpressionAttributes returns what an expression sees of the user query finds, without a job
// configuration (scimsim expr): the user's attributes, IsSoftDeleted, true when the user is
// disabled or soft-deleted (assignment and scoping need a job), and appRoleAssignments, the roles
// of the assignments that reach the user, each once. query may also name a disabled or
// soft-deleted user by objectId, which the portal's search does not find.
func (s *Source) ExpressionAttributes(query string) (map[string]any, error) {
	var u *User
	for _, cand := range s.Users {
		if cand.ObjectID == query {
			u = cand
		}
	}
	if u == nil {
		var err error
		if u, err = s.FindUser(query); err != nil {
			return nil, err
		}
	}
	if u == nil {
		return nil, fmt.Errorf("no user matches %q (disabled and soft-deleted users are found by objectId only)", query)
	}
	attrs := make(map[string]any, len(u.Attrs)+2)
	for k, v := range u.Attrs {
		attrs[k] = v
	}
	attrs["IsSoftDeleted"] = !u.Enabled() || u.SoftDeleted()
	var roles []string
	for _, a := range s.assignmentsOf(u.ObjectID) {
		if !slices.Contains(roles, a.role()) {
			roles = append(roles, a.role())
		}
	}
	if len(roles) > 0 {
		attrs["appRoleAssignments"] = roles
	}
	return attrs, nil
}

// AttributeNames lists, sorted, every attribute some user of the source has and the ones the
// provisioning service computes (IsSoftDeleted, appRoleAssignments).
func (s *Source) AttributeNames() []string {
	seen := map[string]bool{"IsSoftDeleted": true, "appRoleAssignments": true}
	for _, u := range s.Users {
		for k := range u.Attrs {
			seen[k] = true
		}
	}
	return slices.Sorted(maps.Keys(seen))
}
