package engine

import (
	"fmt"
	"strings"

	"github.com/scimsim/scimsim/internal/suggest"
)

// SuggestUsers returns up to three users whose searchable names are closest to a query the
// portal's search found nobody for, each shown by its user principal name and display name (a
// Cloud HR worker by the id it is searched by). None when a user carries the query exactly (the
// search left it out on purpose: disabled or soft-deleted, which the report says) or when no name
// is close; for a Cloud HR source, a worker named exactly is suggested by its id.
func (s *Source) SuggestUsers(query string) []string {
	q := strings.TrimSpace(query)
	ids := cloudHRAttributes[s.Kind]
	var names []string
	owner := map[string]*User{}
	for _, u := range s.Users {
		for _, a := range append(append([]string(nil), searchAttributes...), ids...) {
			v := u.String(a)
			if v == "" {
				continue
			}
			if strings.EqualFold(v, q) {
				if ids == nil {
					return nil
				}
				return []string{describeCandidate(u, ids)}
			}
			if _, dup := owner[v]; !dup {
				owner[v] = u
				names = append(names, v)
			}
		}
	}
	var out []string
	seen := map[*User]bool{}
	for _, n := range suggest.Closest(q, names, 10) {
		u := owner[n]
		if seen[u] || len(out) == 3 {
			continue
		}
		seen[u] = true
		out = append(out, describeCandidate(u, ids))
	}
	return out
}

// SuggestGroups returns up to three group names closest to name.
func (s *Source) SuggestGroups(name string) []string {
	names := make([]string, 0, len(s.Groups))
	for _, g := range s.Groups {
		names = append(names, g.DisplayName)
	}
	return suggest.Closest(name, names, 3)
}

func describeCandidate(u *User, ids []string) string {
	for _, a := range ids {
		if v := u.String(a); v != "" {
			return fmt.Sprintf("%s %s (%s)", a, v, u.String("displayName"))
		}
	}
	if dn := u.String("displayName"); dn != "" && dn != u.Display() {
		return fmt.Sprintf("%s (%s)", u.Display(), dn)
	}
	return u.Display()
}
