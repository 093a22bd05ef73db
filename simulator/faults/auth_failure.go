package faults

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// authFailure answers as a target does for a wrong or expired secret token. The on-demand test
// connection step fails with Unauthorized (401) or InsufficientRights (403)
// (howto-analyze-provisioning-logs.md). WWW-Authenticate follows RFC 6750 Section 3: error
// invalid_token for 401, insufficient_scope for 403.
type authFailure struct{ status int }

func newAuthFailure(_ Spec, a attrs, _ *lockedRand) Fault {
	return authFailure{status: a.int("status")}
}

// The type's row of the fault registry (registry.go).
var _ = register(TypeInfo{Name: "auth_failure", Description: "401 (or 403) with a SCIM error and WWW-Authenticate, as for a wrong or expired secret token",
	Attributes: []AttrInfo{{Name: "status", Type: Integer, Default: 401, OneOf: []int{401, 403}, Description: "401 Unauthorized or 403 Forbidden"}},
	Example:    `{"type": "auth_failure", "attributes": {"status": 401}}`}, newAuthFailure)

func (f authFailure) Apply(c echo.Context, _ echo.HandlerFunc) error {
	if f.status == http.StatusForbidden {
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="scimsim", error="insufficient_scope"`)
		return writeSCIMError(c, f.status, "", "The token does not grant access to this resource.")
	}
	c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="scimsim", error="invalid_token"`)
	return writeSCIMError(c, http.StatusUnauthorized, "", "The bearer token is missing, invalid or expired.")
}
