package faults

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
)

// serverError answers 500, 502 or 503 with a SCIM error body. Entra reports InternalServerError
// and retries the object in a later cycle (application-provisioning-quarantine-status.md). A
// 503 with retryAfter also carries Retry-After (RFC 9110 Section 10.2.3).
type serverError struct {
	status     int
	retryAfter int
}

func newServerError(_ Spec, a attrs, _ *lockedRand) Fault {
	return serverError{status: a.int("status"), retryAfter: a.int("retryAfter")}
}

// The type's row of the fault registry (registry.go).
var _ = register(TypeInfo{Name: "server_error", Description: "500, 502 or 503 with a SCIM error body",
	Attributes: []AttrInfo{
		{Name: "status", Type: Integer, Default: 500, OneOf: []int{500, 502, 503}, Description: "the 5xx status"},
		{Name: "retryAfter", Type: Integer, Default: 0, Description: "seconds in a Retry-After header; 0 sends none"},
	},
	Example: `{"type": "server_error", "probability": 0.3, "attributes": {"status": 503}}`}, newServerError)

func (f serverError) Apply(c echo.Context, _ echo.HandlerFunc) error {
	if f.retryAfter > 0 {
		c.Response().Header().Set(echo.HeaderRetryAfter, strconv.Itoa(f.retryAfter))
	}
	return writeSCIMError(c, f.status, "", http.StatusText(f.status)+" (injected by scimsim).")
}
