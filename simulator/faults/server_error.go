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

func (f serverError) Apply(c echo.Context, _ echo.HandlerFunc) error {
	if f.retryAfter > 0 {
		c.Response().Header().Set(echo.HeaderRetryAfter, strconv.Itoa(f.retryAfter))
	}
	return writeSCIMError(c, f.status, "", http.StatusText(f.status)+" (injected by scimsim).")
}
