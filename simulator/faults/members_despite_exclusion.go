package faults

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// membersDespiteExclusion ignores excludedAttributes=members (RFC 7644 Section 3.4.2.5): it takes
// "members" out of the parameter before the handler sees it, so group responses carry their
// members. Entra asks for groups without members when matching
// (use-scim-to-provision-users-and-groups.md) and fails with
// SystemForCrossDomainIdentityManagementMultipleEntriesInResponse when they come anyway.
type membersDespiteExclusion struct{}

// The type's row of the fault registry (registry.go).
var _ = register(TypeInfo{Name: "members_despite_exclusion", Description: "returns group members even when excludedAttributes=members was asked",
	Example: `{"type": "members_despite_exclusion", "match": {"resource": "Groups"}}`}, stateless[membersDespiteExclusion])

const excludedParam = "excludedAttributes"

// Selects GET requests whose excludedAttributes names members.
func (membersDespiteExclusion) Selects(c echo.Context) bool {
	if c.Request().Method != http.MethodGet {
		return false
	}
	for _, a := range strings.Split(c.QueryParam(excludedParam), ",") {
		if isMembers(a) {
			return true
		}
	}
	return false
}

func (membersDespiteExclusion) Apply(c echo.Context, next echo.HandlerFunc) error {
	orig := c.Request()
	// echo's cached copy, which c.QueryParams() answers: changed too, for a handler that reads
	// it; the simulator's own reads follow the rewritten RawQuery (params.go).
	query := c.QueryParams()
	saved, had := query[excludedParam]
	var keep []string
	for _, a := range strings.Split(query.Get(excludedParam), ",") {
		if !isMembers(a) {
			keep = append(keep, strings.TrimSpace(a))
		}
	}
	if len(keep) == 0 {
		query.Del(excludedParam)
	} else {
		query.Set(excludedParam, strings.Join(keep, ","))
	}
	r := orig.Clone(orig.Context())
	r.URL.RawQuery = query.Encode()
	c.SetRequest(r)
	err := next(c)
	// Outer middleware (the journal) sees the request as the client sent it.
	c.SetRequest(orig)
	if had {
		query[excludedParam] = saved
	}
	return err
}

func isMembers(attr string) bool {
	return strings.EqualFold(unqualify(strings.TrimSpace(attr)), "members")
}
