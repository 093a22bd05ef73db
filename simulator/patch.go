package simulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/elimity-com/scim/schema"

	"github.com/scimsim/scimsim/simulator/filter"
)

// patchOp is one PATCH operation in canonical form: op in lower case, path as sent (after the
// profile's normalisation), value as elimity validated it.
type patchOp struct {
	Op    string
	Path  string
	Value any
}

// patchRules are the differences between profiles that depend on the resource's state, so that
// the request normalisation cannot express them.
type patchRules struct {
	// createOnAbsent makes a replace on a value path that matches no value add one, built from
	// the path's equality filter: Entra replaces emails[type eq "work"].value on users that have
	// no work email. RFC 7644 §3.5.2.3 answers 400 noTarget instead.
	createOnAbsent bool
}

// applyPatch applies ops to doc (a resource's attributes without id, meta and schemas) in order,
// as RFC 7644 §3.5.2 describes. The caller validates the result against the schema again.
func applyPatch(k *kind, doc map[string]any, ops []patchOp, rules patchRules) error {
	for i := 0; i < len(ops); i++ {
		op := ops[i]
		if n := removeValuesRun(k, doc, ops[i:]); n > 0 {
			i += n - 1
			continue
		}
		if err := applyOp(k, doc, op, rules); err != nil {
			var se scimerrors.ScimError
			if errors.As(err, &se) {
				se.Detail = "operation " + strconv.Itoa(i+1) + ": " + se.Detail
				return se
			}
			return err
		}
	}
	return nil
}

func applyOp(k *kind, doc map[string]any, op patchOp, rules patchRules) error {
	switch op.Op {
	case "add", "replace", "remove":
	default:
		return invalidValue("unknown op %q (want add, replace or remove)", op.Op)
	}
	if op.Path == "" {
		if op.Op == "remove" {
			return scimErr(http.StatusBadRequest, scimerrors.ScimTypeNoTarget, "remove needs a path")
		}
		m, ok := op.Value.(map[string]any)
		if !ok {
			return invalidValue("%s without a path needs an object value", op.Op)
		}
		return applyNoPath(k, doc, op.Op, m)
	}
	p, err := filter.ParsePath(op.Path)
	if err != nil {
		return invalidPath("path %q: %v", op.Path, err)
	}
	if p.URN != "" && p.Sub == "" && p.Filter == nil {
		if e, ok := k.ext(p.URN + ":" + p.Attr); ok {
			return applyExtension(k, doc, op.Op, e, op.Value)
		}
	}
	ref, ok := resolveRef(k, p.URN, p.Attr, p.Sub)
	if !ok {
		return invalidPath("path %q: no such attribute of %s", op.Path, k.name)
	}
	if e, isExt := k.ext(ref.attr); isExt && ref.sub == "" && ref.urn == "" {
		return applyExtension(k, doc, op.Op, e, op.Value)
	}
	a, _ := k.attr(ref.urn, ref.attr)
	if a.Mutability() == "readOnly" {
		return scimErr(http.StatusBadRequest, scimerrors.ScimTypeMutability, "path %q: %s is read-only", op.Path, ref.attr)
	}
	if p.Filter != nil {
		if !a.MultiValued() || !a.HasSubAttributes() {
			return invalidPath("path %q: a value filter needs a multi-valued complex attribute", op.Path)
		}
		if err := filter.CheckPath(p, k.fs); err != nil {
			return invalidPath("path %q: %v", op.Path, err)
		}
		return applyFiltered(k, doc, op, ref, a, p.Filter, rules)
	}
	return applyAttr(doc, op.Op, ref, a, op.Value)
}

// applyNoPath applies an add or replace whose value holds the attributes to change (RFC 7644
// §3.5.2.1 and §3.5.2.3, "If omitted, the target location is assumed to be the resource
// itself"). Keys are attribute names or extension URNs; the entra profile has already turned
// Entra's dotted keys into operations with a path.
func applyNoPath(k *kind, doc map[string]any, op string, value map[string]any) error {
	for key, v := range value {
		if e, ok := k.ext(key); ok {
			if err := applyExtension(k, doc, op, e, v); err != nil {
				return err
			}
			continue
		}
		ref, ok := resolveRef(k, "", key, "")
		if !ok {
			continue // unknown: rejected before in the strict profile, ignored in entra (unknown.go)
		}
		a, _ := k.attr("", ref.attr)
		if a.Mutability() == "readOnly" {
			continue // id and meta: ignored as in a POST (RFC 7643 §2.2)
		}
		if err := applyAttr(doc, op, ref, a, v); err != nil {
			return err
		}
	}
	return nil
}

func applyExtension(k *kind, doc map[string]any, op string, e schema.Schema, v any) error {
	if op == "remove" {
		delete(doc, e.ID)
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return invalidValue("value of %s must be an object", e.ID)
	}
	// Sub-attributes not given are left unchanged, by add and by replace (RFC 7644 §3.5.2.3).
	for key, sv := range m {
		ref, ok := resolveRef(k, e.ID, key, "")
		if !ok {
			continue // as in applyNoPath
		}
		a, _ := k.attr(e.ID, ref.attr)
		if err := applyAttr(doc, op, ref, a, sv); err != nil {
			return err
		}
	}
	return nil
}

// holder returns the map that holds ref.attr, creating an extension object when create is set.
func holder(doc map[string]any, ref attrRef, create bool) map[string]any {
	if ref.urn == "" {
		return doc
	}
	m, ok := doc[ref.urn].(map[string]any)
	if !ok {
		if !create {
			return nil
		}
		m = map[string]any{}
		doc[ref.urn] = m
	}
	return m
}

func asList(v any) []any {
	switch v := v.(type) {
	case []any:
		return v
	case nil:
		return nil
	}
	return []any{v}
}

// applyAttr applies an operation on an attribute or one of its sub-attributes, without a value
// filter.
func applyAttr(doc map[string]any, op string, ref attrRef, a schema.CoreAttribute, v any) error {
	c := holder(doc, ref, op != "remove")
	if c == nil {
		return nil
	}
	if ref.sub != "" {
		return applySub(c, op, ref, a, v)
	}
	switch {
	case op == "remove":
		// RFC 7644 §3.5.2.2: without a filter, the attribute and all its values are removed.
		delete(c, ref.attr)
	case a.MultiValued() && op == "add":
		// RFC 7644 §3.5.2.1: new values are added; a value already present is not added again.
		cur := asList(c[ref.attr])
		present := newValueSet(cur)
		for _, nv := range asList(v) {
			if !present.contains(cur, nv) {
				cur = append(cur, nv)
				present.add(nv)
			}
		}
		c[ref.attr] = cur
	case a.MultiValued():
		c[ref.attr] = asList(v)
	case a.HasSubAttributes():
		// Complex: the given sub-attributes replace or add, the others stay (§3.5.2.1, §3.5.2.3).
		m, ok := v.(map[string]any)
		if !ok {
			return invalidValue("value of %s must be an object", ref.attr)
		}
		cur, _ := c[ref.attr].(map[string]any)
		merged := make(map[string]any, len(cur)+len(m))
		for key, sv := range cur {
			merged[key] = sv
		}
		for key, sv := range m {
			merged[key] = sv
		}
		c[ref.attr] = merged
	default:
		c[ref.attr] = v
	}
	return nil
}

func applySub(c map[string]any, op string, ref attrRef, a schema.CoreAttribute, v any) error {
	if a.MultiValued() {
		list := asList(c[ref.attr])
		if len(list) == 0 && op != "remove" {
			c[ref.attr] = []any{map[string]any{ref.sub: v}}
			return nil
		}
		out := make([]any, 0, len(list))
		for _, e := range list {
			em, ok := e.(map[string]any)
			if !ok {
				out = append(out, e)
				continue
			}
			em = cloneMap(em)
			if op == "remove" {
				delete(em, ref.sub)
			} else {
				em[ref.sub] = v
			}
			out = append(out, em)
		}
		c[ref.attr] = out
		return nil
	}
	m, _ := c[ref.attr].(map[string]any)
	m = cloneMap(m)
	if op == "remove" {
		delete(m, ref.sub)
	} else {
		m[ref.sub] = v
	}
	if len(m) == 0 {
		delete(c, ref.attr)
		return nil
	}
	c[ref.attr] = m
	return nil
}

// applyFiltered applies an operation whose path selects values of a multi-valued complex
// attribute with a filter (RFC 7644 §3.5.2, valuePath), optionally naming a sub-attribute.
func applyFiltered(k *kind, doc map[string]any, op patchOp, ref attrRef, a schema.CoreAttribute, f filter.Expr, rules patchRules) error {
	c := holder(doc, ref, op.Op != "remove")
	if c == nil {
		return nil
	}
	vp := &filter.ValuePath{Attr: filter.AttrPath{URN: ref.urn, Attr: ref.attr}, Filter: f}
	list := asList(c[ref.attr])
	out := make([]any, 0, len(list)+1)
	matched := 0
	for _, e := range list {
		em, ok := e.(map[string]any)
		if !ok || !filter.Eval(vp, single(ref, em), k.fs) {
			out = append(out, e)
			continue
		}
		matched++
		switch {
		case op.Op == "remove" && ref.sub == "":
			// the value is dropped
		case op.Op == "remove":
			em = cloneMap(em)
			delete(em, ref.sub)
			out = append(out, em)
		case ref.sub != "":
			em = cloneMap(em)
			em[ref.sub] = op.Value
			out = append(out, em)
		default:
			nv, ok := elementValue(op.Value)
			if !ok {
				return invalidValue("value for %q must be an object", op.Path)
			}
			if op.Op == "add" {
				nv = mergeMaps(em, nv)
			}
			out = append(out, nv)
		}
	}
	if matched == 0 && op.Op != "remove" {
		if op.Op == "replace" && !rules.createOnAbsent {
			return scimErr(http.StatusBadRequest, scimerrors.ScimTypeNoTarget,
				"path %q matches no value of %s", op.Path, ref.attr)
		}
		nv, err := newElement(a, f, ref, op)
		if err != nil {
			return err
		}
		out = append(out, nv)
	}
	if len(out) == 0 {
		delete(c, ref.attr)
		return nil
	}
	c[ref.attr] = out
	return nil
}

// newElement builds the value an add (or an entra replace) creates when the value filter matches
// nothing: the filter's equality (type eq "work") plus the given value.
func newElement(a schema.CoreAttribute, f filter.Expr, ref attrRef, op patchOp) (map[string]any, error) {
	attr, value, ok := filter.EqualityOn(f)
	if !ok {
		return nil, scimErr(http.StatusBadRequest, scimerrors.ScimTypeNoTarget,
			"path %q matches no value of %s, and its filter is not an equality to build one from", op.Path, ref.attr)
	}
	el := map[string]any{}
	if s, ok := subAttr(a, attr.Attr); ok {
		el[s.Name()] = value
	}
	if ref.sub != "" {
		el[ref.sub] = op.Value
		return el, nil
	}
	nv, ok := elementValue(op.Value)
	if !ok {
		return nil, invalidValue("value for %q must be an object", op.Path)
	}
	return mergeMaps(el, nv), nil
}

// single wraps one value of a multi-valued attribute as a resource holding only that value, so
// that filter.Eval evaluates the value path's filter against it.
func single(ref attrRef, em map[string]any) map[string]any {
	res := map[string]any{ref.attr: []any{em}}
	if ref.urn != "" {
		return map[string]any{ref.urn: res}
	}
	return res
}

func elementValue(v any) (map[string]any, bool) {
	if l, ok := v.([]any); ok && len(l) == 1 {
		v = l[0]
	}
	m, ok := v.(map[string]any)
	return m, ok
}

func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

func mergeMaps(a, b map[string]any) map[string]any {
	out := cloneMap(a)
	for k, v := range b {
		out[k] = v
	}
	return out
}

// valueSet answers "does the list already hold this value?" for a multi-valued add in constant
// time per value, so that adding n members to a group of m costs n+m, not n×m. Values with a
// string "value" sub-attribute (members, emails) are the same when their "value" is; any other
// value is compared whole (reflect.DeepEqual) with every element.
type valueSet map[string]struct{}

func newValueSet(list []any) valueSet {
	s := make(valueSet, len(list))
	for _, e := range list {
		s.add(e)
	}
	return s
}

func stringValue(v any) (string, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return "", false
	}
	s, ok := m["value"].(string)
	return s, ok
}

func (s valueSet) add(v any) {
	if sv, ok := stringValue(v); ok {
		s[sv] = struct{}{}
	}
}

func (s valueSet) contains(list []any, v any) bool {
	if sv, ok := stringValue(v); ok {
		_, found := s[sv]
		return found
	}
	for _, e := range list {
		if reflect.DeepEqual(e, v) {
			return true
		}
	}
	return false
}

// removeValuesRun applies, in one pass over the attribute's values, a run of operations at the
// start of ops that each remove the values of one multi-valued complex attribute whose "value"
// equals a string (`members[value eq "id"]`, which the entra profile makes of Entra's Remove
// with a value array), and returns how many operations it applied; 0 when ops does not start with
// such a run of two or more. One pass for n removals keeps a PATCH that removes n members of m
// at n+m, not n×m. The values compare as filter.Eval compares them, by the sub-attribute's
// caseExact, and removing a value that is not there is no error, as for one operation.
func removeValuesRun(k *kind, doc map[string]any, ops []patchOp) int {
	var ref attrRef
	var caseExact bool
	values := map[string]struct{}{}
	n := 0
	for _, op := range ops {
		r, v, exact, ok := removeValuePath(k, op)
		if !ok || n > 0 && r != ref {
			break
		}
		ref, caseExact = r, exact
		if !caseExact {
			v = filter.Fold(v)
		}
		values[v] = struct{}{}
		n++
	}
	if n < 2 {
		return 0
	}
	c := holder(doc, ref, false)
	if c == nil {
		return n
	}
	list := asList(c[ref.attr])
	kept := make([]any, 0, len(list))
	for _, e := range list {
		if sv, ok := stringValue(e); ok {
			if !caseExact {
				sv = filter.Fold(sv)
			}
			if _, drop := values[sv]; drop {
				continue
			}
		}
		kept = append(kept, e)
	}
	if len(kept) == 0 {
		delete(c, ref.attr)
	} else {
		c[ref.attr] = kept
	}
	return n
}

// removeValuePath reports whether op is `remove ATTR[value eq "v"]` on a writable multi-valued
// complex attribute, and returns the attribute, v and whether value is caseExact.
func removeValuePath(k *kind, op patchOp) (attrRef, string, bool, bool) {
	if op.Op != "remove" || !strings.Contains(op.Path, "[") {
		return attrRef{}, "", false, false
	}
	p, err := filter.ParsePath(op.Path)
	if err != nil || p.Filter == nil || p.Sub != "" {
		return attrRef{}, "", false, false
	}
	cmp, ok := p.Filter.(*filter.Compare)
	if !ok || cmp.Op != "eq" || cmp.Attr.URN != "" || cmp.Attr.Sub != "" || !strings.EqualFold(cmp.Attr.Attr, "value") {
		return attrRef{}, "", false, false
	}
	v, ok := cmp.Value.(string)
	if !ok {
		return attrRef{}, "", false, false
	}
	ref, ok := resolveRef(k, p.URN, p.Attr, "")
	if !ok {
		return attrRef{}, "", false, false
	}
	a, _ := k.attr(ref.urn, ref.attr)
	if !a.MultiValued() || !a.HasSubAttributes() || a.Mutability() == "readOnly" {
		return attrRef{}, "", false, false
	}
	info, ok := k.fs.Lookup(ref.urn, ref.attr, "value")
	if !ok {
		return attrRef{}, "", false, false
	}
	return ref, v, info.CaseExact, true
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
	if len(req.Schemas) != 1 || req.Schemas[0] != patchOpURN || len(req.Operations) < 1 {
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

// validateValue is elimity's validateUpdate (update true) or validateRemove for a path: the
// attribute is looked up in the schema the URN names (the core schema without one), the value
// filter is checked against its sub-attributes, and the value is checked and converted by the
// attribute's ValidateSingular, element by element for a multi-valued attribute.
func (p knownPath) validateValue(k *kind, value any, update bool) (any, error) {
	s, ok := k.schemaFor(p.urn)
	if !ok {
		return nil, scimerrors.ScimErrorInvalidValue
	}
	a, ok := s.Attributes.ContainsAttribute(p.attr)
	if !ok {
		return nil, scimerrors.ScimErrorInvalidValue
	}
	if p.filterAttr != "" {
		attrs := a.SubAttributes()
		if !update {
			attrs = filterAttributes(a)
		}
		if _, ok := attrs.ContainsAttribute(p.filterAttr); !ok {
			return nil, scimerrors.ScimErrorInvalidValue
		}
	}
	if p.sub != "" {
		if !a.HasSubAttributes() {
			return nil, scimerrors.ScimErrorInvalidValue
		}
		if a, ok = a.SubAttributes().ContainsAttribute(p.sub); !ok {
			return nil, scimerrors.ScimErrorInvalidValue
		}
	}
	if value == nil {
		if update {
			return nil, scimerrors.ScimErrorInvalidValue
		}
		return nil, nil
	}
	return validateAttrValue(a, value, update && p.filterAttr != "")
}

// validateAttrValue checks value against attribute a as elimity does: a multi-valued attribute
// takes a list, or one value that it wraps in a list unless unwrapped (a value filter targets one
// element).
func validateAttrValue(a schema.CoreAttribute, value any, unwrapped bool) (any, error) {
	if !a.MultiValued() {
		v, se := a.ValidateSingular(value)
		if se != nil {
			return nil, *se
		}
		return v, nil
	}
	if list, ok := value.([]any); ok {
		var out []any
		for _, e := range list {
			v, se := a.ValidateSingular(e)
			if se != nil {
				return nil, *se
			}
			out = append(out, v)
		}
		return out, nil
	}
	v, se := a.ValidateSingular(value)
	if se != nil {
		return nil, *se
	}
	if unwrapped {
		return v, nil
	}
	return []any{v}, nil
}

// validateNoPath is elimity's validateEmptyPath: an add or replace without a path holds an object
// whose keys are attribute paths of s, or schema URNs (written exactly) whose object holds that
// schema's attributes. ok is false when a key has a shape left to elimity.
func validateNoPath(k *kind, s schema.Schema, value any) (any, bool, error) {
	m, isMap := value.(map[string]any)
	if !isMap {
		return nil, true, scimerrors.ScimErrorInvalidValue
	}
	out := make(map[string]any, len(m))
	for key, v := range m {
		if es, ok := k.schemaFor(key); ok && key != "" {
			sub, ok, err := validateNoPath(k, es, v)
			if !ok || err != nil {
				return nil, ok, err
			}
			out[key] = sub
			continue
		}
		p, ok := parseKnownPath(k, key, false)
		if !ok {
			return nil, false, nil
		}
		ref := s
		if p.urn != "" {
			if ref, ok = k.schemaFor(p.urn); !ok {
				return nil, true, scimerrors.ScimErrorInvalidValue
			}
		}
		a, ok := ref.Attributes.ContainsAttribute(p.attr)
		if !ok {
			return nil, true, scimerrors.ScimErrorInvalidValue
		}
		if p.sub != "" {
			if !a.HasSubAttributes() {
				return nil, true, scimerrors.ScimErrorInvalidValue
			}
			if a, ok = a.SubAttributes().ContainsAttribute(p.sub); !ok {
				return nil, true, scimerrors.ScimErrorInvalidValue
			}
		}
		if v == nil {
			return nil, true, scimerrors.ScimErrorInvalidValue
		}
		cv, err := validateAttrValue(a, v, false)
		if err != nil {
			return nil, true, err
		}
		out[key] = cv
	}
	return out, true, nil
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
