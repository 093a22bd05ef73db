package faults

import (
	"encoding/json"
	"net/http"
	"strings"

	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/labstack/echo/v4"
)

// hideInactive behaves like the apps that treat a disabled user as gone: queries leave out users
// whose active is false (totalResults counts only the users left on the page), and GET by id of
// such a user is 404. Entra requires the opposite ("inactive users still returned",
// use-scim-to-provision-users-and-groups.md), so a disable followed by a match creates a
// duplicate.
type hideInactive struct{}

// The type's row of the fault registry (registry.go).
var _ = register(TypeInfo{Name: "hide_inactive", Description: "users whose active is false are missing from queries, and 404 by id",
	Example: `{"type": "hide_inactive"}`}, stateless[hideInactive])

// Selects reads of users: queries and GET /Users/{id}.
func (hideInactive) Selects(c echo.Context) bool {
	if !strings.EqualFold(requestInfo(c).Resource, "Users") {
		return false
	}
	kind, _ := kindOf(c.Request())
	return kind == kindQuery || kind == kindByID && c.Request().Method == http.MethodGet
}

func (hideInactive) Apply(c echo.Context, next echo.HandlerFunc) error {
	kind, id := kindOf(c.Request())
	rec := record(c, next)
	switch {
	case kind == kindQuery:
		l, ok := rec.parseList()
		if !ok {
			break
		}
		kept := l.resources[:0]
		for _, r := range l.resources {
			if !inactive(r) {
				kept = append(kept, r)
			}
		}
		if removed := len(l.resources) - len(kept); removed > 0 {
			l.resources = kept
			rec.setList(l, -removed)
			return rec.send(c)
		}
	case rec.status == http.StatusOK && inactive(rec.body.Bytes()):
		rec.replaceWithSCIMError(http.StatusNotFound, scimerrors.ScimErrorResourceNotFound(id).Detail)
		return rec.send(c)
	}
	miss(c)
	return rec.send(c)
}

// inactive reports whether a user resource has active false, as a boolean or as Entra's string
// "False" (use-scim-to-provision-users-and-groups.md).
func inactive(raw []byte) bool {
	var u struct {
		Active any `json:"active"`
	}
	if json.Unmarshal(raw, &u) != nil {
		return false
	}
	switch v := u.Active.(type) {
	case bool:
		return !v
	case string:
		return strings.EqualFold(v, "false")
	}
	return false
}
