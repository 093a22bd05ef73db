package faults

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
)

// throttle answers 429 Too Many Requests with Retry-After (RFC 6585 Section 4, RFC 9110 Section
// 10.2.3). Entra reports TooManyRequests and retries automatically
// (howto-analyze-provisioning-logs.md). It must come from middleware: the SCIM library turns a
// 429 returned by a handler into a 500.
type throttle struct{ retryAfter string }

func newThrottle(_ Spec, a attrs, _ *lockedRand) Fault {
	return throttle{retryAfter: strconv.Itoa(a.int("retryAfter"))}
}

// The type's row of the fault registry (registry.go).
var _ = register(TypeInfo{Name: "throttle", Description: "429 Too Many Requests with Retry-After",
	Attributes: []AttrInfo{{Name: "retryAfter", Type: Integer, Default: 1, Description: "seconds in the Retry-After header"}},
	Example:    `{"type": "throttle", "count": 2, "attributes": {"retryAfter": 5}}`}, newThrottle)

func (f throttle) Apply(c echo.Context, _ echo.HandlerFunc) error {
	c.Response().Header().Set(echo.HeaderRetryAfter, f.retryAfter)
	unit := " seconds."
	if f.retryAfter == "1" {
		unit = " second."
	}
	return writeSCIMError(c, http.StatusTooManyRequests, "", "Too many requests; retry after "+f.retryAfter+unit)
}
