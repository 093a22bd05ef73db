// Validation of a PATCH request's operations and paths before any is applied, and the limits of
// one request. Two paths lead here: validatePatchOps, the fast path, checks the operations whose
// shape it knows exactly as elimity would (its errors, its order); validatePatchAny checks the
// rest as RFC 7644 §3.5.2 asks. The values themselves are checked in patchvalue.go.

package simulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/elimity-com/scim/schema"

	"github.com/scimsim/scimsim/simulator/filter"
	"github.com/scimsim/scimsim/wire"
)

// validatePatchAny validates a PATCH body whose operations validatePatchOps leaves aside: paths
// with a filter other than `attr eq "string"` (members[value eq "a" or value eq "b"],
// emails[type eq "work" and primary eq true].value), escaped strings, URNs written in another
// case. It checks what RFC 7644 §3.5.2 asks of the request itself: the PatchOp schema, at least
// one operation, op one of add, remove and replace ("op" values are case-insensitive, §3.5.2),
// a value for add and replace, a path for remove (§3.5.2.2: noTarget), and a path that parses and
// names attributes of the kind (invalidPath). What the value may be is checked where the
// operation is applied (applyPatch) and on the patched resource as a whole (kind.validate), as for
// every PATCH.
func validatePatchAny(k *kind, body []byte) ([]patchOp, error) {
	var req struct {
		Schemas    []string
		Operations []json.RawMessage
	}
	if err := decodeNumbers(body, &req); err != nil {
		return nil, invalidSyntax("PATCH body: %v", err)
	}
	if len(req.Schemas) != 1 || req.Schemas[0] != wire.PatchOpSchema {
		return nil, invalidValue("PATCH body: schemas must be [%q]", wire.PatchOpSchema)
	}
	if len(req.Operations) == 0 {
		return nil, invalidValue("PATCH body: no operations")
	}
	ops := make([]patchOp, 0, len(req.Operations))
	for i, raw := range req.Operations {
		var op struct {
			Op    string
			Path  string
			Value any
		}
		if err := decodeNumbers(raw, &op); err != nil {
			return nil, invalidSyntax("operation %d: %v", i+1, err)
		}
		op.Op = strings.ToLower(op.Op)
		switch op.Op {
		case "add", "replace":
			if op.Value == nil {
				return nil, invalidValue("operation %d: %s needs a value", i+1, op.Op)
			}
		case "remove":
			if op.Path == "" {
				return nil, scimErr(http.StatusBadRequest, scimerrors.ScimTypeNoTarget, "operation %d: remove needs a path", i+1)
			}
		default:
			return nil, invalidValue("operation %d: unknown op %q (want add, replace or remove)", i+1, op.Op)
		}
		if op.Path != "" {
			p, err := filter.ParsePath(op.Path)
			if err != nil {
				return nil, invalidPath("operation %d: path %q: %v", i+1, op.Path, err)
			}
			if err := filter.CheckPath(p, k.fs); err != nil {
				return nil, invalidPath("operation %d: path %q: %v", i+1, op.Path, err)
			}
		}
		if m, ok := op.Value.(map[string]any); ok {
			// The resource's id is not the operation's to change (Okta sends it), as
			// validatePatchOp drops it.
			for name := range m {
				if strings.EqualFold(name, "id") {
					delete(m, name)
				}
			}
		}
		ops = append(ops, patchOp{Op: op.Op, Path: op.Path, Value: op.Value})
	}
	return ops, nil
}

// PATCH request validation in front of elimity.
//
// elimity validates every operation of a PATCH request before its handler runs
// (ResourceType.validatePatch): it parses each path with github.com/scim2/filter-parser, which
// costs ~90 µs per path, checks the path against the schemas, and checks and converts the value.
// Entra sends every update as a PATCH, so validatePatchOps does the same for the operations it
// knows the shape of, with the simulator's own path parser, and answers exactly as elimity
// would: the same checks in the same order, elimity's own error values, and the values elimity's
// Schema API converts. A request with an operation of another shape is left to elimity
// (ok false).

// validatePatchOps validates a PATCH body for kind k as elimity's validatePatch does. ok is false
// when an operation has a shape left to elimity.
func validatePatchOps(k *kind, body []byte) (ops []patchOp, ok bool, err error) {
	var req struct {
		Schemas    []string
		Operations []json.RawMessage
	}
	if err := decodeNumbers(body, &req); err != nil {
		return nil, true, scimerrors.ScimErrorInvalidSyntax
	}
	// RFC 7644 §3.5.2: the body holds the PatchOp schema and one or more operations.
	if len(req.Schemas) != 1 || req.Schemas[0] != wire.PatchOpSchema || len(req.Operations) < 1 {
		return nil, true, scimerrors.ScimErrorInvalidValue
	}
	ops = make([]patchOp, 0, len(req.Operations))
	for _, raw := range req.Operations {
		op, ok, err := validatePatchOp(k, raw)
		if !ok || err != nil {
			return nil, ok, err
		}
		ops = append(ops, op)
	}
	return ops, true, nil
}

func decodeNumbers(body []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	return d.Decode(v)
}

// validatePatchOp is elimity's patch.NewValidator followed by its Validate for one operation.
func validatePatchOp(k *kind, raw []byte) (patchOp, bool, error) {
	var op struct {
		Op    string
		Path  string
		Value any
	}
	if err := decodeNumbers(raw, &op); err != nil {
		return patchOp{}, true, scimerrors.ScimErrorInvalidPath
	}
	op.Op = strings.ToLower(op.Op)
	if m, isMap := op.Value.(map[string]any); isMap {
		// elimity drops the resource's id from an object value (Okta sends it).
		key, found := "", false
		for name := range m {
			if strings.ToLower(name) == "id" {
				if found {
					return patchOp{}, true, scimerrors.ScimErrorInvalidPath
				}
				key, found = name, true
			}
		}
		delete(m, key)
	}
	out := patchOp{Op: op.Op, Path: op.Path}
	var p knownPath
	if op.Path != "" {
		var ok bool
		if p, ok = parseKnownPath(k, op.Path, true); !ok {
			return patchOp{}, false, nil
		}
		if !p.valid(k) {
			return patchOp{}, true, scimerrors.ScimErrorInvalidPath
		}
	}
	var err error
	switch op.Op {
	case "add", "replace":
		if op.Value == nil {
			return patchOp{}, true, scimerrors.ScimErrorInvalidValue
		}
		if op.Path == "" {
			var ok bool
			out.Value, ok, err = validateNoPath(k, k.validating, op.Value)
			if !ok {
				return patchOp{}, false, nil
			}
			break
		}
		out.Value, err = p.validateValue(k, op.Value, true)
	case "remove":
		if op.Path == "" {
			return patchOp{}, true, scimerrors.ScimErrorNoTarget
		}
		out.Value, err = p.validateValue(k, op.Value, false)
	default:
		return patchOp{}, true, scimerrors.ScimErrorInvalidValue
	}
	return out, true, err
}

// knownPath is a PATCH path in the shape validatePatchOp handles: [URN ":"] attr ["." sub], or
// attr "[" filterAttr " eq " "string" "]" ["." sub], with names of ALPHA *(ALPHA / DIGIT / "-" /
// "_") (RFC 7644 §3.10, ATTRNAME), a URN that is one of the kind's schema ids as written, and a
// string without escapes. Every path in this shape parses the same with filter.ParsePath and
// with elimity's parser.
type knownPath struct {
	urn, attr, sub string // sub: of attr, or after the filter
	filterAttr     string // "" without a value filter
}

func parseKnownPath(k *kind, path string, filterAllowed bool) (knownPath, bool) {
	var p knownPath
	rest := path
	if strings.HasPrefix(rest, "urn:") {
		for _, id := range k.schemaIDs() {
			if strings.HasPrefix(rest, id+":") {
				p.urn, rest = id, rest[len(id)+1:]
				break
			}
		}
		if p.urn == "" {
			return p, false
		}
	}
	if p.attr, rest = cutAttrName(rest); p.attr == "" {
		return p, false
	}
	if filterAllowed && strings.HasPrefix(rest, "[") {
		if p.filterAttr, rest = cutAttrName(rest[1:]); p.filterAttr == "" {
			return p, false
		}
		var ok bool
		if rest, ok = strings.CutPrefix(rest, ` eq "`); !ok {
			return p, false
		}
		end := strings.IndexByte(rest, '"')
		if end < 0 || strings.IndexByte(rest[:end], '\\') >= 0 {
			return p, false
		}
		if rest, ok = strings.CutPrefix(rest[end+1:], "]"); !ok {
			return p, false
		}
	}
	if after, ok := strings.CutPrefix(rest, "."); ok {
		if p.sub, rest = cutAttrName(after); p.sub == "" {
			return p, false
		}
	}
	if rest != "" {
		return p, false
	}
	// The simulator's parser must read the path as this function does.
	fp, err := filter.ParsePath(path)
	if err != nil || !strings.EqualFold(fp.Attr, p.attr) || !strings.EqualFold(fp.Sub, p.sub) || (fp.Filter == nil) != (p.filterAttr == "") {
		return p, false
	}
	return p, true
}

// cutAttrName splits an ATTRNAME off the front of s.
func cutAttrName(s string) (name, rest string) {
	i := 0
	for i < len(s) {
		c := s[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '-' || c == '_')) {
			break
		}
		i++
	}
	return s[:i], s[i:]
}

// schemaIDs returns the URNs of the kind's schemas, core first.
func (k *kind) schemaIDs() []string {
	ids := make([]string, 0, 1+len(k.exts))
	ids = append(ids, k.core.ID)
	for _, e := range k.exts {
		ids = append(ids, e.ID)
	}
	return ids
}

// schemaFor returns the schema a URN names exactly (elimity's lookup is case-sensitive), the
// core schema with externalId for "".
func (k *kind) schemaFor(urn string) (schema.Schema, bool) {
	if urn == "" || urn == k.core.ID {
		return k.validating, true
	}
	for _, e := range k.exts {
		if e.ID == urn {
			return e, true
		}
	}
	return schema.Schema{}, false
}

// valid is elimity's PathValidator.Validate: the path names an attribute of the core schema or
// of an extension (a URN must be that schema's id), its sub-attributes exist, and a value
// filter's attribute is one of the attribute's sub-attributes (the attribute's own "value" for
// a multi-valued simple attribute). The eq operator suits every attribute type.
func (p knownPath) valid(k *kind) bool {
	for _, s := range append([]schema.Schema{k.validating}, k.exts...) {
		if p.urn != "" && p.urn != s.ID {
			continue
		}
		a, ok := s.Attributes.ContainsAttribute(p.attr)
		if !ok {
			continue
		}
		if p.filterAttr != "" {
			if _, ok := filterAttributes(a).ContainsAttribute(p.filterAttr); !ok {
				continue
			}
		}
		if p.sub != "" {
			if !a.HasSubAttributes() {
				continue
			}
			if _, ok := a.SubAttributes().ContainsAttribute(p.sub); !ok {
				continue
			}
		}
		return true
	}
	return false
}

// filterAttributes is elimity's filter.MultiValuedFilterAttributes, for the names only: the
// sub-attributes of a complex attribute, else one called "value".
func filterAttributes(a schema.CoreAttribute) schema.Attributes {
	if a.AttributeType() == "complex" {
		return a.SubAttributes()
	}
	return schema.Attributes{schema.SimpleCoreAttribute(schema.SimpleStringParams(schema.StringParams{Name: "value"}))}
}

// Limits of one request, so that a PATCH costs time in proportion to its size and a hostile one
// cannot occupy the server: RFC 7644 sets none, and §3.12 answers a request too large to process
// with 413. Entra sends a handful of operations per PATCH and adds or removes members a few at a
// time, far below both.
const (
	maxPatchOperations = 1000  // operations in one PATCH body, as sent
	maxRequestMembers  = 10000 // member values in one request (POST, PUT or PATCH of a group)
)

func tooLarge(format string, args ...any) error {
	return scimErr(http.StatusRequestEntityTooLarge, "", format, args...)
}

// checkMemberCount refuses a POST or PUT whose group lists more than maxRequestMembers members.
func checkMemberCount(k *kind, rec *record) error {
	if k.is(groupKind) && len(rec.Members) > maxRequestMembers {
		return tooLarge("the group lists %d members; one request may carry at most %d", len(rec.Members), maxRequestMembers)
	}
	return nil
}
