package faults

import (
	"time"

	"github.com/labstack/echo/v4"
)

// timeout never answers: it holds the request until the client gives up (the request context is
// done), and at the latest after holdMs closes the connection without a response, like
// toxiproxy's timeout toxic. Entra reports Timeout and retries in a later cycle
// (application-provisioning-quarantine-status.md).
type timeout struct{ hold time.Duration }

func newTimeout(_ Spec, a attrs, _ *lockedRand) Fault {
	return timeout{hold: time.Duration(a.int("holdMs")) * time.Millisecond}
}

// The type's row of the fault registry (registry.go).
var _ = register(TypeInfo{Name: "timeout", Description: "never answers: holds the request until the client gives up, then closes the connection",
	Attributes: []AttrInfo{{Name: "holdMs", Type: Integer, Default: 60000, Description: "longest hold in milliseconds before the connection is closed"}},
	Example:    `{"type": "timeout", "match": {"method": "PATCH"}}`}, newTimeout)

func (f timeout) Apply(c echo.Context, _ echo.HandlerFunc) error {
	if !wait(c, f.hold) {
		return nil
	}
	return abortConnection(c, false)
}
