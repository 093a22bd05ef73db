package faults

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// emptyQuery404 answers 404 to a query that found nothing, where RFC 7644 Section 3.4.2 wants a
// 200 ListResponse with totalResults 0. Entra's test connection queries a random GUID and
// expects exactly that empty list; a 404 is the classic "SCIM compliance issue" that puts a job
// in quarantine (application-provisioning-quarantine-status.md).
type emptyQuery404 struct{ queriesOnly }

// The type's row of the fault registry (registry.go).
var _ = register(TypeInfo{Name: "empty_query_404", Description: "a query with zero results answers 404 instead of an empty ListResponse",
	Example: `{"type": "empty_query_404", "match": {"resource": "Users"}}`}, stateless[emptyQuery404])

func (emptyQuery404) Apply(c echo.Context, next echo.HandlerFunc) error {
	rec := record(c, next)
	if l, ok := rec.parseList(); ok && l.total == 0 {
		rec.replaceWithSCIMError(http.StatusNotFound, "No resources match the query.")
	} else {
		miss(c)
	}
	return rec.send(c)
}
