// Package faults makes a SCIM target misbehave on purpose, the way toxiproxy's toxics make a TCP
// proxy misbehave: a fault is a value (Spec), its behaviour sits behind one small interface, and one
// registry table lists every type.
package faults

import "github.com/labstack/echo/v4"

// Spec is a fault as users write it, in the admin API and in --faults files.
type Spec struct {
	Name        string         `json:"name" yaml:"name"`
	Type        string         `json:"type" yaml:"type"`
	Match       Match          `json:"match" yaml:"match"`
	After       int            `json:"after,omitempty" yaml:"after"`
	Count       int            `json:"count,omitempty" yaml:"count"`
	Probability float64        `json:"probability,omitempty" yaml:"probability"`
	Attributes  map[string]any `json:"attributes,omitempty" yaml:"attributes"`
}

// Match selects the requests a fault applies to; an empty field matches anything.
type Match struct {
	Method          string `json:"method,omitempty" yaml:"method"`
	Path            string `json:"path,omitempty" yaml:"path"`
	Resource        string `json:"resource,omitempty" yaml:"resource"`
	FilterAttribute string `json:"filterAttribute,omitempty" yaml:"filterAttribute"`
	Tenant          string `json:"tenant,omitempty" yaml:"tenant"`
}

// RequestInfo is what the simulator knows about a request before the faults see it.
type RequestInfo struct {
	Tenant           string
	Resource         string
	FilterAttributes []string
}

const (
	infoKey = "scimsim.faults.info"
	hitKey  = "scimsim.faults.hit"
)

// SetRequestInfo records what the simulator parsed from the request for the faults to match on.
func SetRequestInfo(c echo.Context, info RequestInfo) { c.Set(infoKey, info) }

// HitBy names the fault that hit this request, or "" when none did.
func HitBy(c echo.Context) string {
	s, _ := c.Get(hitKey).(string)
	return s
}

// Set is one tenant's faults.
type Set struct{}

// NewSet returns an empty set whose probability draws come from seed.
func NewSet(seed int64) *Set { return &Set{} }

// Middleware applies the set's faults to the requests they match.
func (s *Set) Middleware() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
}
