package faults

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// AttrType is the type of a fault attribute's value.
type AttrType string

// The attribute types. JSON numbers (float64) and YAML integers (int) are both accepted for
// Integer, as long as the value is whole.
const (
	Integer    AttrType = "integer"
	String     AttrType = "string"
	StringList AttrType = "string list" // a string, or a list of strings
)

// AttrInfo describes one attribute of a fault type.
type AttrInfo struct {
	Name        string   `json:"name"`
	Type        AttrType `json:"type"`
	Default     any      `json:"default,omitempty"`  // nil: no default
	OneOf       []int    `json:"oneOf,omitempty"`    // the allowed values of an Integer, if limited
	Values      []string `json:"values,omitempty"`   // the allowed values of a String, if limited
	Required    bool     `json:"required,omitempty"` // the type cannot work without it
	Description string   `json:"description"`
}

// TypeInfo describes one fault type: the registry table's row.
type TypeInfo struct {
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Attributes  []AttrInfo `json:"attributes,omitempty"`
}

// factory builds a fault from its spec and its checked attributes (defaults filled in). rnd is
// the fault's own generator, for faults that draw (latency's jitter).
type factory func(spec Spec, a attrs, rnd *lockedRand) Fault

type registration struct {
	TypeInfo
	build factory
}

// registry is the one table of fault types, in the order of the design's table. Types,
// WriteTable (`scimsim serve --list-faults`), Validate and Set.Add all read it, and a test checks
// that docs/faults.md has a section for every row.
var registry = []registration{
	{TypeInfo{Name: "auth_failure", Description: "401 (or 403) with a SCIM error and WWW-Authenticate, as for a wrong or expired secret token",
		Attributes: []AttrInfo{{Name: "status", Type: Integer, Default: 401, OneOf: []int{401, 403}, Description: "401 Unauthorized or 403 Forbidden"}}},
		newAuthFailure},
	{TypeInfo{Name: "unsupported_filter", Description: "400 invalidFilter for filters on the named attribute(s)",
		Attributes: []AttrInfo{{Name: "attribute", Type: StringList, Description: "attribute(s) the target cannot filter on; default the match's filterAttribute, else any filter"}}},
		newUnsupportedFilter},
	{TypeInfo{Name: "duplicate_match", Description: "a query that finds one resource returns two: the real one and a clone with another id"},
		newDuplicateMatch},
	{TypeInfo{Name: "throttle", Description: "429 Too Many Requests with Retry-After",
		Attributes: []AttrInfo{{Name: "retryAfter", Type: Integer, Default: 1, Description: "seconds in the Retry-After header"}}},
		newThrottle},
	{TypeInfo{Name: "server_error", Description: "500, 502 or 503 with a SCIM error body",
		Attributes: []AttrInfo{
			{Name: "status", Type: Integer, Default: 500, OneOf: []int{500, 502, 503}, Description: "the 5xx status"},
			{Name: "retryAfter", Type: Integer, Default: 0, Description: "seconds in a Retry-After header; 0 sends none"},
		}},
		newServerError},
	{TypeInfo{Name: "latency", Description: "delays the request before the target answers it (fixed or jittered)",
		Attributes: []AttrInfo{
			{Name: "delayMs", Type: Integer, Default: 1000, Description: "delay in milliseconds"},
			{Name: "jitterMs", Type: Integer, Default: 0, Description: "up to this many milliseconds more or less, drawn from the seeded generator"},
		}},
		newLatency},
	{TypeInfo{Name: "timeout", Description: "never answers: holds the request until the client gives up, then closes the connection",
		Attributes: []AttrInfo{{Name: "holdMs", Type: Integer, Default: 60000, Description: "longest hold in milliseconds before the connection is closed"}}},
		newTimeout},
	{TypeInfo{Name: "conflict", Description: "409 uniqueness on create or update (POST, PUT, PATCH)"},
		newConflict},
	{TypeInfo{Name: "not_found", Description: "404 for a resource that exists (GET, PUT, PATCH, DELETE by id)"},
		newNotFound},
	{TypeInfo{Name: "malformed_response", Description: "the target's answer cut short: invalid JSON labelled application/scim+json",
		Attributes: []AttrInfo{{Name: "keepBytes", Type: Integer, Default: 0, Description: "bytes of the body to keep; 0 keeps half"}}},
		newMalformedResponse},
	{TypeInfo{Name: "drop_attribute", Description: "accepts a write but silently does not store the named attribute(s)",
		Attributes: []AttrInfo{{Name: "attribute", Type: StringList, Required: true, Description: "attribute path(s) to drop, e.g. title, name.givenName, urn:...:enterprise:2.0:User:manager"}}},
		newDropAttribute},
	{TypeInfo{Name: "empty_query_404", Description: "a query with zero results answers 404 instead of an empty ListResponse"},
		newEmptyQuery404},
	{TypeInfo{Name: "members_despite_exclusion", Description: "returns group members even when excludedAttributes=members was asked"},
		newMembersDespiteExclusion},
	{TypeInfo{Name: "hide_inactive", Description: "users whose active is false are missing from queries, and 404 by id"},
		newHideInactive},
	{TypeInfo{Name: "connection_reset", Description: "closes the connection without an answer (TCP RST where possible)"},
		newConnectionReset},
	{TypeInfo{Name: "wrong_content_type", Description: "200 with Content-Type: text/html and an HTML page instead of SCIM JSON"},
		newWrongContentType},
	{TypeInfo{Name: "bad_cursor", Description: "RFC 9865 cursor paging that misbehaves: a nextCursor that repeats the page or skips the next one",
		Attributes: []AttrInfo{{Name: "mode", Type: String, Default: "repeat", Values: []string{"repeat", "skip"},
			Description: "repeat: nextCursor leads back to the same page; skip: it leads past the page that follows"}}},
		newBadCursor},
}

// Types lists every fault type with its attributes, in the registry's order.
func Types() []TypeInfo {
	out := make([]TypeInfo, len(registry))
	for i, r := range registry {
		out[i] = r.TypeInfo
		out[i].Attributes = append([]AttrInfo(nil), r.Attributes...)
	}
	return out
}

func lookup(typ string) (*registration, bool) {
	for i := range registry {
		if registry[i].Name == typ {
			return &registry[i], true
		}
	}
	return nil, false
}

func typeNames() string {
	names := make([]string, len(registry))
	for i, r := range registry {
		names[i] = r.Name
	}
	return strings.Join(names, ", ")
}

// WriteTable writes the registry as an aligned text table, one row per type, for `scimsim serve
// --list-faults`.
func WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TYPE\tATTRIBUTES\tWHAT THE CLIENT SEES")
	for _, r := range registry {
		attrs := make([]string, 0, len(r.Attributes))
		for _, a := range r.Attributes {
			attrs = append(attrs, a.summary())
		}
		desc := "-"
		if len(attrs) > 0 {
			desc = strings.Join(attrs, " ")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Name, desc, r.Description)
	}
	return tw.Flush()
}

// summary renders an attribute as name=default, with its allowed values: status=401(401|403).
func (a AttrInfo) summary() string {
	s := a.Name
	switch {
	case a.Required:
		s += "=(required)"
	case a.Default != nil:
		s += "=" + fmt.Sprint(a.Default)
	}
	if len(a.OneOf) > 0 {
		vals := make([]string, len(a.OneOf))
		for i, v := range a.OneOf {
			vals[i] = strconv.Itoa(v)
		}
		s += "(" + strings.Join(vals, "|") + ")"
	}
	if len(a.Values) > 0 {
		s += "(" + strings.Join(a.Values, "|") + ")"
	}
	return s
}
