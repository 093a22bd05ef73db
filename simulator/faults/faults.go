// Package faults makes a SCIM target misbehave on purpose, the way toxiproxy's toxics make a TCP
// proxy misbehave: a fault is a value (Spec), its behaviour sits behind one small interface
// (Fault), and one registry (registry.go) lists every type, each type's row written in the type's
// own file; it feeds `scimsim serve --list-faults`, the README's table and the scenario loader's
// list of types, and is checked against docs/faults.md by a test. A new type is one file and its
// section of docs/faults.md.
//
// A Set holds one tenant's faults and is installed as echo middleware in front of the SCIM
// handlers. Faults that answer with a status the SCIM library cannot produce from a handler (429,
// 503, 409 on GET: see elimity-com/scim errors.CheckScimError, which turns them into 500) must come
// from here, which is why every fault writes its answer itself instead of returning an error.
package faults

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// Spec is a fault as users write it, in the admin API and in --faults files.
type Spec struct {
	// Name identifies the fault in its Set; Add generates one ("throttle-1") when empty.
	Name string `json:"name" yaml:"name"`
	// Type is one of the registry's types (see Types).
	Type string `json:"type" yaml:"type"`
	// Match selects the requests the fault applies to.
	Match Match `json:"match" yaml:"match"`
	// After lets the first After matching requests through untouched.
	After int `json:"after,omitempty" yaml:"after"`
	// Count limits how many requests the fault hits once After has passed; 0 means no limit.
	Count int `json:"count,omitempty" yaml:"count"`
	// Probability is the chance, in (0,1], that a matching request is hit; 0 means the default, 1.
	Probability float64 `json:"probability,omitempty" yaml:"probability"`
	// Attributes configure the type, e.g. {"status": 503} or {"retryAfter": 5}. Numbers may be
	// float64 (JSON) or int (YAML).
	Attributes map[string]any `json:"attributes,omitempty" yaml:"attributes"`
}

// Match selects the requests a fault applies to; an empty field matches anything.
type Match struct {
	// Method is an HTTP method, compared case-insensitively.
	Method string `json:"method,omitempty" yaml:"method"`
	// Path is a glob matched case-insensitively against the request path, either whole
	// ("/tenants/*/scim/v2/Users") or relative to the SCIM base ("/Users/*"): "*" matches within
	// one path segment, "**" across segments, "?" one character.
	Path string `json:"path,omitempty" yaml:"path"`
	// Resource is the SCIM resource type endpoint, e.g. "Users", "Groups" or a tenant's own ("Devices").
	Resource string `json:"resource,omitempty" yaml:"resource"`
	// FilterAttribute matches requests whose filter references this attribute, e.g. "userName",
	// "emails" or "emails.value" (compared case-insensitively; a name without a dot also matches
	// its sub-attributes).
	FilterAttribute string `json:"filterAttribute,omitempty" yaml:"filterAttribute"`
	// Tenant is the tenant name; "default" (or "") is the default tenant at /scim/v2.
	Tenant string `json:"tenant,omitempty" yaml:"tenant"`
}

// Fault is the behaviour of one fault type. Apply either answers the request itself (and does
// not call next), or calls next and changes the request before or the response after.
type Fault interface {
	Apply(c echo.Context, next echo.HandlerFunc) error
}

// Selector is an optional capability: a fault type that only makes sense for some requests (a
// conflict only for writes, a not_found only for a resource by id) narrows Match with it. A
// request the selector refuses does not count as a matching request for After, Count and
// Probability, so `count: 1` on a conflict is spent on the first write, not on a GET before it.
type Selector interface {
	Selects(c echo.Context) bool
}

// queriesOnly and writesOnly are the Selectors several types share, embedded in the type.
type (
	queriesOnly struct{}
	writesOnly  struct{}
)

// Selects queries: GET /Resource and POST /Resource/.search.
func (queriesOnly) Selects(c echo.Context) bool {
	kind, _ := kindOf(c.Request())
	return kind == kindQuery
}

// Selects writes: POST, PUT and PATCH.
func (writesOnly) Selects(c echo.Context) bool {
	switch c.Request().Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		return true
	}
	return false
}

// RequestInfo is what the simulator knows about a request before the faults see it. When the
// simulator has not called SetRequestInfo, the faults derive it from the URL: the tenant from
// "/tenants/{name}/", the resource from the first segment after "/scim/v2/", and the filter
// attributes from the "filter" query parameter.
type RequestInfo struct {
	// Tenant is the tenant name, "" for the default tenant.
	Tenant string
	// Resource is the resource type endpoint ("Users", "Groups"), "" for other routes.
	Resource string
	// FilterAttributes are the attribute paths the request's filter references, sub-attributes
	// joined with a dot: `emails[type eq "work"].value eq "x"` gives emails.type and emails.value.
	FilterAttributes []string
}

// ErrInvalidSpec is wrapped by every error Spec.Validate returns: the admin API answers 400.
var ErrInvalidSpec = errors.New("invalid fault")

// ErrExists is returned by Set.Add and Set.Update when the name is already taken (409).
var ErrExists = errors.New("fault already exists")

// ErrNotFound is returned by Set.Update when no fault has the name (404).
var ErrNotFound = errors.New("fault not found")

const (
	infoKey = "scimsim.faults.info"
	hitKey  = "scimsim.faults.hit"
	missKey = "scimsim.faults.miss"
)

// SetRequestInfo records what the simulator parsed from the request for the faults to match on.
// Call it before the Set's middleware runs.
func SetRequestInfo(c echo.Context, info RequestInfo) { c.Set(infoKey, info) }

// SetRequestInfoAt is SetRequestInfo for an info the caller keeps, unchanged, for as long as the
// request runs: the context holds the pointer, which spares the copy c.Set would allocate.
func SetRequestInfoAt(c echo.Context, info *RequestInfo) { c.Set(infoKey, info) }

// HitBy names the fault that hit this request, or "" when none did. When several faults stack on
// one request (a latency, then a server_error), their names are joined with commas, outermost
// first. Call it after the Set's middleware has returned, e.g. in the journal.
func HitBy(c echo.Context) string {
	names, _ := c.Get(hitKey).([]string)
	return strings.Join(names, ",")
}

// miss tells the Set that the fault it just applied left this request as it was (a
// duplicate_match on a list with two results, a drop_attribute on a body without the attribute):
// the request is not recorded as hit and does not use up the fault's Count.
func miss(c echo.Context) { c.Set(missKey, true) }

func markHit(c echo.Context, name string) {
	names, _ := c.Get(hitKey).([]string)
	c.Set(hitKey, append(names, name))
}

// takeMiss reports whether the fault just applied called miss, and clears the mark.
func takeMiss(c echo.Context, name string) bool {
	if missed, _ := c.Get(missKey).(bool); !missed {
		return false
	}
	c.Set(missKey, false)
	names, _ := c.Get(hitKey).([]string)
	for i := len(names) - 1; i >= 0; i-- {
		if names[i] == name {
			names = append(names[:i:i], names[i+1:]...)
			break
		}
	}
	if len(names) == 0 {
		names = nil
	}
	c.Set(hitKey, names)
	return true
}
