package faults

import (
	"net/http"

	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/labstack/echo/v4"
)

// notFound answers 404 for a resource by id that exists, as for a stale id: the target lost the
// resource Entra matched earlier. Entra reports InvalidAnchor on an update
// (howto-analyze-provisioning-logs.md).
type notFound struct{}

// The type's row of the fault registry (registry.go).
var _ = register(TypeInfo{Name: "not_found", Description: "404 for a resource that exists (GET, PUT, PATCH, DELETE by id)",
	Example: `{"type": "not_found", "match": {"method": "PATCH", "resource": "Users"}}`}, stateless[notFound])

// Selects GET, PUT, PATCH and DELETE of /Resource/{id}.
func (notFound) Selects(c echo.Context) bool {
	r := c.Request()
	switch r.Method {
	case http.MethodGet, http.MethodPut, http.MethodPatch, http.MethodDelete:
		kind, _ := kindOf(r)
		return kind == kindByID
	}
	return false
}

func (notFound) Apply(c echo.Context, _ echo.HandlerFunc) error {
	_, id := kindOf(c.Request())
	e := scimerrors.ScimErrorResourceNotFound(id)
	return writeSCIMError(c, e.Status, "", e.Detail)
}
