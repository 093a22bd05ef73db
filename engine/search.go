package engine

import (
	"fmt"
	"slices"
	"strings"
)

// searchAttributes are what the portal's search box matches for an Entra source: "Search for a
// user by first name, last name, display name, user principal name, or email address."
var searchAttributes = []string{"givenName", "surname", "displayName", "userPrincipalName", "mail"}

// cloudHRAttributes are what a Cloud HR source is searched by (the document's note: "For Workday
// scenario, please provide "WorkerID" or "WID" of the user in Workday. For SuccessFactors
// scenario, please provide "personIdExternal" of the user in SuccessFactors.").
var cloudHRAttributes = map[string][]string{
	KindWorkday:        {"workerId", "WorkerID", "WID", "wid"},
	KindSuccessFactors: {"workerId", "personIdExternal"},
}

// AmbiguousSubjectError is a search that found several users; Candidates names them.
type AmbiguousSubjectError struct {
	Query      string
	Candidates []string
}

func (e *AmbiguousSubjectError) Error() string {
	return fmt.Sprintf("%q matches %d users, name one of them: %s", e.Query, len(e.Candidates), strings.Join(e.Candidates, ", "))
}

// searchResult is what the portal's search found.
type searchResult struct {
	user *User
	// hidden is a user that matches but that the search does not show (disabled or soft-deleted
	// in the source): the document's limitation "Those users don't appear when you search".
	hidden *User
}

// FindUser searches the source the way the portal's search box does. For an Entra source the
// query matches (case-insensitively) the first name, last name, display name, user principal name,
// email address or objectId; for a Cloud HR source only the worker id. Disabled and soft-deleted
// users are not found, as on-demand provisioning documents. Several matches are an
// *AmbiguousSubjectError listing them.
func (s *Source) FindUser(query string) (*User, error) {
	r, err := s.search(query)
	return r.user, err
}

func (s *Source) search(query string) (searchResult, error) {
	q := strings.TrimSpace(query)
	var found, hidden []*User
	for _, u := range s.Users {
		if !s.matches(u, q) {
			continue
		}
		if s.Hidden(u) {
			hidden = append(hidden, u)
			continue
		}
		found = append(found, u)
	}
	if len(found) == 0 && len(hidden) > 0 {
		return searchResult{hidden: hidden[0]}, nil
	}
	u, err := theOne(query, found, func(u *User) string { return fmt.Sprintf("%s (%s)", u.Display(), u.ObjectID) })
	return searchResult{user: u}, err
}

// theOne is what a search found: nil for nothing, the one it found, or for several an
// *AmbiguousSubjectError naming each as name writes it.
func theOne[T any](query string, found []*T, name func(*T) string) (*T, error) {
	switch len(found) {
	case 0:
		return nil, nil
	case 1:
		return found[0], nil
	}
	names := make([]string, 0, len(found))
	for _, x := range found {
		names = append(names, name(x))
	}
	return nil, &AmbiguousSubjectError{Query: query, Candidates: names}
}

// Hidden reports whether the portal's search leaves u out although it matches: a disabled or
// soft-deleted user of an Entra source ("Those users won't appear when you search for a user").
// The limitation is the Entra search's: a Cloud HR worker is found by id whatever its state, and
// scoping reports it as not active.
func (s *Source) Hidden(u *User) bool {
	return s.Kind == KindEntra && (!u.Enabled() || u.SoftDeleted())
}

// SearchAttributes returns the attributes the portal's search box matches for this source: first
// name, last name, display name, user principal name and email for an Entra source, the worker ids
// for a Cloud HR source. A user's objectId is matched too.
func (s *Source) SearchAttributes() []string {
	if attrs, ok := cloudHRAttributes[s.Kind]; ok {
		return slices.Clone(attrs)
	}
	return slices.Clone(searchAttributes)
}

func (s *Source) matches(u *User, q string) bool {
	if q == "" {
		return false
	}
	if attrs, ok := cloudHRAttributes[s.Kind]; ok {
		for _, a := range attrs {
			if v, ok := u.Attrs[a]; ok && fmt.Sprint(v) == q {
				return true
			}
		}
		return false
	}
	if u.ObjectID == q {
		return true
	}
	for _, a := range searchAttributes {
		if v := u.String(a); v != "" && strings.EqualFold(v, q) {
			return true
		}
	}
	return false
}

// user returns the user with objectId id.
func (s *Source) user(id string) *User {
	if s.index != nil {
		return s.index.users[id]
	}
	for _, u := range s.Users {
		if u.ObjectID == id {
			return u
		}
	}
	return nil
}

// FindGroup returns the group whose displayName (case-insensitive) or objectId is name.
func (s *Source) FindGroup(name string) (*Group, error) {
	var found []*Group
	for _, g := range s.Groups {
		if g.ObjectID == name || strings.EqualFold(g.DisplayName, name) {
			found = append(found, g)
		}
	}
	return theOne(name, found, func(g *Group) string { return fmt.Sprintf("%s (%s)", g.DisplayName, g.ObjectID) })
}
