package faults

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// wrongContentTypePage is what a misconfigured reverse proxy or a login portal in front of the
// SCIM endpoint answers: HTML, with 200.
const wrongContentTypePage = `<!DOCTYPE html>
<html><head><title>Sign in</title></head>
<body><h1>Sign in</h1><form method="post" action="/login"><input name="user"><input name="password" type="password"></form></body></html>
`

// wrongContentType answers 200 text/html: the body is not SCIM JSON, so Entra reports
// SystemForCrossDomainIdentityManagementServiceIncompatible (RFC 7644 Section 3.1 requires
// application/scim+json).
type wrongContentType struct{}

// The type's row of the fault registry (registry.go).
var _ = register(TypeInfo{Name: "wrong_content_type", Description: "200 with Content-Type: text/html and an HTML page instead of SCIM JSON",
	Example: `{"type": "wrong_content_type", "count": 1}`}, stateless[wrongContentType])

func (wrongContentType) Apply(c echo.Context, _ echo.HandlerFunc) error {
	return c.HTML(http.StatusOK, wrongContentTypePage)
}
