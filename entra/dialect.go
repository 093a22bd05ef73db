package entra

import (
	"fmt"
	"strings"

	"github.com/scimsim/scimsim/wire"

	"github.com/scimsim/scimsim/report"
)

// Dialect is the shape of the requests the client sends. Microsoft Entra ID's provisioning service
// speaks two: what the production `scim` job sends today, and what it sends when the
// `aadOptscim062020` feature flag is appended to the tenant URL. The differences are listed in
// "Known issues and resolutions with SCIM 2.0 protocol compliance of the Microsoft Entra user
// provisioning service" (application-provisioning-config-problem-scim-compatibility.md).
type Dialect string

const (
	// DialectEntra is the production behaviour: capitalised ops ("Add", "Replace", "Remove"),
	// booleans sent as the strings "True" and "False", one Replace per path, and group members
	// removed with `{"op":"Remove","path":"members","value":[{"$ref":null,"value":"<id>"}]}`.
	DialectEntra Dialect = report.DialectEntra
	// DialectEntraCompliant is what the aadOptscim062020 flag produces: lower-case ops, real JSON
	// booleans, several attributes replaced by one no-path "replace" whose value has dotted keys,
	// and members removed with `{"op":"remove","path":"members[value eq \"<id>\"]"}`.
	DialectEntraCompliant Dialect = report.DialectEntraCompliant
)

// CompliantFlag is the feature flag that switches Entra's client to DialectEntraCompliant when it
// is appended to the tenant URL as a query parameter.
const CompliantFlag = "aadOptscim062020"

// PatchOpSchema is the schema URI of a SCIM PATCH request body (RFC 7644 Section 3.5.2).
const PatchOpSchema = wire.PatchOpSchema

// ParseDialect returns the dialect named s; the empty string is DialectEntra.
func ParseDialect(s string) (Dialect, error) {
	return wire.ParseName("dialect", s, DialectEntra, DialectEntraCompliant)
}

// PatchRequest is a SCIM PATCH body (RFC 7644 Section 3.5.2).
type PatchRequest struct {
	Schemas    []string `json:"schemas"`
	Operations []Op     `json:"Operations"`
}

// Op is one PATCH operation. Value is omitted when nil (a remove by path carries no value).
type Op struct {
	Op    string `json:"op"`
	Path  string `json:"path,omitempty"`
	Value any    `json:"value,omitempty"`
}

// ChangeOp is what a Change does to the target's attribute.
type ChangeOp int

const (
	// Replace changes a value the target has.
	Replace ChangeOp = iota
	// Add sets a value the target does not have yet: Entra sends "Add" then, also for one element
	// of a multi-valued attribute that the target lacks, with the value-filtered path
	// (application-provisioning-config-problem-scim-compatibility.md, "Add single-value string";
	// field report wireapp/wire-server pull 5419: Add on emails[type eq "work"].value when no work
	// email exists).
	Add
	// Remove clears a value the source no longer has.
	Remove
)

func (o ChangeOp) name() string { return [...]string{"Replace", "Add", "Remove"}[o] }

// Change is one attribute the engine wants to change on an existing resource.
type Change struct {
	// Path is the SCIM attribute path: "userName", "name.givenName",
	// `emails[type eq "work"].value` or an extension attribute with its schema URN prefix, such as
	// the manager reference "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager".
	Path string
	// Value is the new value: string, bool, []string; nil for a Remove. A manager reference is the
	// manager's id in the target as a plain string, as Entra sends it (field reports
	// Captain-P-Goldfish/SCIM-SDK issue 686 and apache/directory-scimple issue 1242:
	// {"op":"Add","path":"urn:...:enterprise:2.0:User:manager","value":"<id>"}).
	Value any
	Op    ChangeOp
}

// op returns the operation name in the dialect's case.
func (d Dialect) op(name string) string {
	if d == DialectEntraCompliant {
		return strings.ToLower(name)
	}
	return name
}

// value renders v the way the dialect sends it: production Entra sends booleans as "True" and
// "False" strings, which strict SCIM servers reject.
func (d Dialect) value(v any) any {
	if b, ok := v.(bool); ok && d != DialectEntraCompliant {
		if b {
			return "True"
		}
		return "False"
	}
	return v
}

// UserPatch returns the PATCH body that sets changes on a user.
//
// In DialectEntra every change is its own "Add" or "Replace" operation with a path. In
// DialectEntraCompliant additions stay one operation each, value-path replacements (those with a
// filter such as emails[type eq "work"].value) stay one operation each, and the remaining
// replacements become a single no-path "replace" whose value maps each path to its value, as the
// compliance doc's "Replace multiple attributes" example shows; a single remaining replacement
// keeps its path.
func (d Dialect) UserPatch(changes []Change) PatchRequest {
	p := PatchRequest{Schemas: []string{PatchOpSchema}, Operations: []Op{}}
	if d != DialectEntraCompliant {
		for _, c := range changes {
			p.Operations = append(p.Operations, Op{Op: c.Op.name(), Path: c.Path, Value: d.value(c.Value)})
		}
		return p
	}
	var plain []Change
	for _, c := range changes {
		switch {
		case c.Op != Replace:
			p.Operations = append(p.Operations, Op{Op: strings.ToLower(c.Op.name()), Path: c.Path, Value: c.Value})
		case strings.Contains(c.Path, "["):
			p.Operations = append(p.Operations, Op{Op: "replace", Path: c.Path, Value: c.Value})
		default:
			plain = append(plain, c)
		}
	}
	switch len(plain) {
	case 0:
	case 1:
		p.Operations = append(p.Operations, Op{Op: "replace", Path: plain[0].Path, Value: plain[0].Value})
	default:
		obj := make(map[string]any, len(plain))
		for _, c := range plain {
			obj[c.Path] = c.Value
		}
		p.Operations = append(p.Operations, Op{Op: "replace", Value: obj})
	}
	return p
}

// GroupPatch returns the PATCH body that renames a group (rename != "") and adds and removes
// members by target id. Entra sends a rename as a Replace of displayName and members in one Add
// and one Remove operation, each with a value array (the recorded exchange in elimity-com/scim's
// internal/idp_test/testdata/azuread/update_group.json); with aadOptscim062020 each removal is its
// own `remove` with a value filter path and no value.
func (d Dialect) GroupPatch(rename string, add, remove []string) PatchRequest {
	p := PatchRequest{Schemas: []string{PatchOpSchema}, Operations: []Op{}}
	if rename != "" {
		p.Operations = append(p.Operations, Op{Op: d.op("Replace"), Path: "displayName", Value: rename})
	}
	if len(add) > 0 {
		p.Operations = append(p.Operations, Op{Op: d.op("Add"), Path: "members", Value: d.memberValues(add)})
	}
	if len(remove) == 0 {
		return p
	}
	if d == DialectEntraCompliant {
		for _, id := range remove {
			p.Operations = append(p.Operations, Op{Op: "remove", Path: fmt.Sprintf("members[value eq %s]", Quote(id))})
		}
		return p
	}
	p.Operations = append(p.Operations, Op{Op: "Remove", Path: "members", Value: d.memberValues(remove)})
	return p
}

// memberValues renders member references: production Entra sends an explicit null "$ref".
func (d Dialect) memberValues(ids []string) []map[string]any {
	out := make([]map[string]any, 0, len(ids))
	for _, id := range ids {
		if d == DialectEntraCompliant {
			out = append(out, map[string]any{"value": id})
			continue
		}
		out = append(out, map[string]any{"$ref": nil, "value": id})
	}
	return out
}

// Quote returns s as a SCIM filter string literal (wire.Quote).
func Quote(s string) string { return wire.Quote(s) }

// EqFilter returns the filter `attr eq "value"` (Filter).
func EqFilter(attr, value string) string { return wire.EqFilter(attr, value) }
