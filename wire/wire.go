// Package wire holds the vocabulary of SCIM 2.0 on the wire (RFC 7643, RFC 7644) that every part of
// scimsim speaks: the media type, the schema and message URNs, filter string literals, case-insensitive
// attribute access, deep copies of decoded resources, version-4 GUIDs, attribute paths, and recorded
// exchanges with one redaction rule.
//
// It is a leaf: it imports nothing of scimsim, so that the engine, the simulator, the conformance
// checks, the harness and the scenario loader all share one copy of each rule.
package wire

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// MediaType is the media type of every SCIM request and response (RFC 7644 Section 3.1).
const MediaType = "application/scim+json"

// Schema URIs of SCIM messages (RFC 7644 Sections 3.4.2, 3.4.3, 3.5.2, 3.12) and resources (RFC 7643
// Sections 4 and 8.7).
const (
	ListResponseSchema  = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	SearchRequestSchema = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
	PatchOpSchema       = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	ErrorSchema         = "urn:ietf:params:scim:api:messages:2.0:Error"
	UserSchema          = "urn:ietf:params:scim:schemas:core:2.0:User"
	GroupSchema         = "urn:ietf:params:scim:schemas:core:2.0:Group"
	EnterpriseSchema    = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	// ServiceProviderConfigSchema, ResourceTypeSchema and SchemaSchema are the discovery
	// resources' schemas (RFC 7643 Sections 5, 6 and 7).
	ServiceProviderConfigSchema = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	ResourceTypeSchema          = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	SchemaSchema                = "urn:ietf:params:scim:schemas:core:2.0:Schema"
)

// Resource endpoints (RFC 7644 Section 3.2).
const (
	Users  = "Users"
	Groups = "Groups"
)

// Quote returns s as a SCIM filter string literal: RFC 7644 Section 3.4.2.2 compares against JSON
// strings, so '"' and '\' are escaped with a backslash and control characters are written as JSON
// escapes. Bytes that are not UTF-8 become U+FFFD.
func Quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 {
				fmt.Fprintf(&b, `\u%04x`, r)
				continue
			}
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// EqFilter returns the filter `attr eq "value"`.
func EqFilter(attr, value string) string { return attr + " eq " + Quote(value) }

// Field returns the member of m named name, compared case-insensitively as RFC 7643 Section 2.1
// requires of attribute names; nil when there is none.
func Field(m map[string]any, name string) any {
	if m == nil {
		return nil
	}
	if v, ok := m[name]; ok {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

// GUID formats 16 random bytes as a version-4 GUID, with the version and variant bits set (RFC 9562
// Section 5.4): the form of Entra's object ids and of the value Test Connection queries for.
func GUID(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// RandomGUID is GUID of 16 bytes drawn from r, one Intn(256) each: the engine, the job and the
// expression language's Guid() draw theirs from a seeded *rand.Rand, so that a run is reproducible.
func RandomGUID(r interface{ Intn(n int) int }) string {
	var b [16]byte
	for i := range b {
		b[i] = byte(r.Intn(256))
	}
	return GUID(b)
}

// Clone returns a deep copy of a decoded JSON or YAML value (a resource, a list of them): its
// objects and arrays are copied, so that changing the copy never changes v; other values are shared.
func Clone[V any](v V) V {
	c, _ := clone(v).(V)
	return c
}

func clone(v any) any {
	switch v := v.(type) {
	case map[string]any:
		if v == nil {
			return v
		}
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = clone(x)
		}
		return out
	case []any:
		if v == nil {
			return v
		}
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = clone(x)
		}
		return out
	}
	return v
}

// Get returns a resource's attribute by name: "userName", a dotted sub-attribute ("name.familyName"),
// or an extension attribute with its schema URN ("urn:...:enterprise:2.0:User:employeeNumber",
// RFC 7644 Section 3.10). Names compare case-insensitively. For value paths with filters, use Path.
func Get(m map[string]any, name string) any {
	if m == nil {
		return nil
	}
	if HasURN(name) {
		if i := strings.LastIndex(name, ":"); i > 0 {
			ext, _ := Field(m, name[:i]).(map[string]any)
			return Get(ext, name[i+1:])
		}
	}
	head, rest, dotted := strings.Cut(name, ".")
	v := Field(m, head)
	if !dotted {
		return v
	}
	sub, _ := v.(map[string]any)
	return Get(sub, rest)
}

// HasURN reports whether name starts with a schema URN ("urn:", any case).
func HasURN(name string) bool { return len(name) >= 4 && strings.EqualFold(name[:4], "urn:") }

// ID returns a resource's id, "" when it has none.
func ID(m map[string]any) string {
	s, _ := Field(m, "id").(string)
	return s
}

// MemberValues returns the values of a group's members (RFC 7643 Section 4.2, members.value), in
// the order listed. A group without a members attribute has none (Section 2.5: unassigned
// attributes are omitted).
func MemberValues(group map[string]any) []string {
	var ids []string
	list, _ := Field(group, "members").([]any)
	for _, m := range list {
		if mm, ok := m.(map[string]any); ok {
			if v, ok := Field(mm, "value").(string); ok {
				ids = append(ids, v)
			}
		}
	}
	return ids
}

// ParseName returns the one of names that s spells, "" spelling the first (the default): the
// parser of a setting that takes one of a few names, such as a tenant's profile or Entra's
// dialect. what names the setting in the error: `unknown profile "x" (want "entra" or "strict")`.
func ParseName[T ~string](what, s string, names ...T) (T, error) {
	if s == "" {
		return names[0], nil
	}
	if i := slices.Index(names, T(s)); i >= 0 {
		return names[i], nil
	}
	want := make([]string, len(names))
	for i, n := range names {
		want[i] = strconv.Quote(string(n))
	}
	return "", fmt.Errorf("unknown %s %q (want %s or %s)", what, s, strings.Join(want[:len(want)-1], ", "), want[len(want)-1])
}
