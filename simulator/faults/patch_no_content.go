package faults

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// patchNoContent answers a successful PATCH with 204 No Content and no body, where the target
// would have sent 200 and the resource. RFC 7644 Section 3.5.2 allows either ("MUST return a 200
// OK ... and the entire resource ..., or MAY return HTTP status code 204 (No Content)"), and real
// targets do both: JFrog Artifactory added a 204 on group PATCH in 7.71.11 for large groups, and
// Microsoft says a 204 to a PATCH "is perfectly fine ... with Entra user provisioning" (Microsoft
// Q&A 1389417, answered by the Entra provisioning team). A client that reads the updated resource
// out of every PATCH answer breaks here. Headers the target set (ETag, Location) are kept, so a
// client can still learn the new version.
type patchNoContent struct{}

// The type's row of the fault registry (registry.go).
var _ = register(TypeInfo{Name: "patch_no_content", Description: "a successful PATCH answers 204 No Content without the resource, instead of 200 with it",
	Example: `{"type": "patch_no_content", "match": {"resource": "Groups"}}`}, stateless[patchNoContent])

// Selects PATCH requests on a resource by id.
func (patchNoContent) Selects(c echo.Context) bool {
	kind, _ := kindOf(c.Request())
	return kind == kindByID && c.Request().Method == http.MethodPatch
}

func (patchNoContent) Apply(c echo.Context, next echo.HandlerFunc) error {
	rec := record(c, next)
	if rec.status != http.StatusOK {
		miss(c) // an error, or already a 204: nothing to take away
		return rec.send(c)
	}
	rec.status = http.StatusNoContent
	rec.body.Reset()
	rec.header.Del(echo.HeaderContentType)
	rec.header.Del(echo.HeaderContentLength)
	return rec.send(c)
}
