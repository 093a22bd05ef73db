package faults

import (
	"bytes"
	"net/http"

	"github.com/labstack/echo/v4"
)

// malformedFallback is sent when the target's own answer has no body to cut (a 204).
const malformedFallback = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":`

// malformedResponse cuts the target's answer short: the status stays, the body is a prefix of
// the real JSON (never valid: a proper prefix of an object is not JSON), labelled
// application/scim+json. Entra reports SystemForCrossDomainIdentityManagementServiceIncompatible.
type malformedResponse struct{ keep int }

func newMalformedResponse(_ Spec, a attrs, _ *lockedRand) Fault {
	return malformedResponse{keep: a.int("keepBytes")}
}

// The type's row of the fault registry (registry.go).
var _ = register(TypeInfo{Name: "malformed_response", Description: "the target's answer cut short: invalid JSON labelled application/scim+json",
	Attributes: []AttrInfo{{Name: "keepBytes", Type: Integer, Default: 0, Description: "bytes of the body to keep; 0 keeps half"}},
	Example:    `{"type": "malformed_response", "match": {"method": "GET"}}`}, newMalformedResponse)

func (f malformedResponse) Apply(c echo.Context, next echo.HandlerFunc) error {
	rec := record(c, next)
	body := bytes.TrimRight(rec.body.Bytes(), " \t\r\n")
	status := rec.status
	if len(body) == 0 {
		body = []byte(malformedFallback)
		if status == 0 || status == http.StatusNoContent {
			status = http.StatusOK
		}
	}
	keep := f.keep
	switch {
	case keep == 0:
		keep = len(body) / 2
	case keep >= len(body):
		keep = len(body) - 1
	}
	rec.replace(status, scimContentType, bytes.Clone(body[:keep]))
	return rec.send(c)
}
