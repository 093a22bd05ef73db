package faults

import (
	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/labstack/echo/v4"
)

// conflict answers 409 uniqueness on a create or update (RFC 7644 Sections 3.3 and 3.12), as a
// target does when another resource already holds the userName; Entra reports EntryConflict.
type conflict struct{ writesOnly }

// The type's row of the fault registry (registry.go).
var _ = register(TypeInfo{Name: "conflict", Description: "409 uniqueness on create or update (POST, PUT, PATCH)",
	Example: `{"type": "conflict", "match": {"method": "POST", "resource": "Users"}}`}, stateless[conflict])

func (conflict) Apply(c echo.Context, _ echo.HandlerFunc) error {
	e := scimerrors.ScimErrorUniqueness
	return writeSCIMError(c, e.Status, e.ScimType, e.Detail)
}
