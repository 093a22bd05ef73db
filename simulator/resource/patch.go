// Applying a PATCH request (RFC 7644 §3.5.2) to a resource's attributes: the operations in
// canonical form, the profile rules that depend on the resource's state, and the algorithm for
// each shape of path. The operations reach ApplyPatch already validated (patchvalidate.go,
// patchvalue.go in package simulator); large member removals take the fast path in
// patchremove.go.

package resource

import (
	"errors"
	"net/http"
	"strconv"

	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/elimity-com/scim/schema"

	"github.com/scimsim/scimsim/simulator/filter"
)

// PatchOp is one PATCH operation in canonical form: op in lower case, path as sent (after the
// profile's normalisation), value as elimity validated it.
type PatchOp struct {
	Op    string
	Path  string
	Value any
}

// PatchRules are the differences between profiles that depend on the resource's state, so that
// the request normalisation cannot express them.
type PatchRules struct {
	// CreateOnAbsent makes a replace on a value path that matches no value add one, built from
	// the path's equality filter: Entra replaces emails[type eq "work"].value on users that have
	// no work email. RFC 7644 §3.5.2.3 answers 400 noTarget instead.
	CreateOnAbsent bool
}

// ApplyPatch applies ops to doc (a resource's attributes without id, meta and schemas) in order,
// as RFC 7644 §3.5.2 describes. The caller validates the result against the schema again.
func ApplyPatch(k *Type, doc map[string]any, ops []PatchOp, rules PatchRules) error {
	for i := 0; i < len(ops); i++ {
		op := ops[i]
		if n := removeValuesRun(k, doc, ops[i:]); n > 0 {
			i += n - 1
			continue
		}
		if err := ApplyOp(k, doc, op, rules); err != nil {
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

// ApplyOp applies one operation, without ApplyPatch's fast path for runs of member removals and
// without numbering the operation in its error.
func ApplyOp(k *Type, doc map[string]any, op PatchOp, rules PatchRules) error {
	switch op.Op {
	case "add", "replace", "remove":
	default:
		return InvalidValue("unknown op %q (want add, replace or remove)", op.Op)
	}
	if op.Path == "" {
		if op.Op == "remove" {
			return Errorf(http.StatusBadRequest, scimerrors.ScimTypeNoTarget, "remove needs a path")
		}
		m, ok := op.Value.(map[string]any)
		if !ok {
			return InvalidValue("%s without a path needs an object value", op.Op)
		}
		return applyNoPath(k, doc, op.Op, m)
	}
	p, err := filter.ParsePath(op.Path)
	if err != nil {
		return InvalidPath("path %q: %v", op.Path, err)
	}
	if p.URN != "" && p.Sub == "" && p.Filter == nil {
		if e, ok := k.Ext(p.URN + ":" + p.Attr); ok {
			return applyExtension(k, doc, op.Op, e, op.Value)
		}
	}
	ref, ok := Resolve(k, p.URN, p.Attr, p.Sub)
	if !ok {
		return InvalidPath("path %q: no such attribute of %s", op.Path, k.Name)
	}
	if e, isExt := k.Ext(ref.Attr); isExt && ref.Sub == "" && ref.URN == "" {
		return applyExtension(k, doc, op.Op, e, op.Value)
	}
	a, _ := k.Attr(ref.URN, ref.Attr)
	if a.Mutability() == "readOnly" {
		return Errorf(http.StatusBadRequest, scimerrors.ScimTypeMutability, "path %q: %s is read-only", op.Path, ref.Attr)
	}
	if p.Filter != nil {
		if !a.MultiValued() || !a.HasSubAttributes() {
			return InvalidPath("path %q: a value filter needs a multi-valued complex attribute", op.Path)
		}
		if err := filter.CheckPath(p, k.Filter); err != nil {
			return InvalidPath("path %q: %v", op.Path, err)
		}
		return applyFiltered(k, doc, op, ref, a, p.Filter, rules)
	}
	return applyAttr(doc, op.Op, ref, a, op.Value)
}

// applyNoPath applies an add or replace whose value holds the attributes to change (RFC 7644
// §3.5.2.1 and §3.5.2.3, "If omitted, the target location is assumed to be the resource
// itself"). Keys are attribute names or extension URNs; the entra profile has already turned
// Entra's dotted keys into operations with a path.
func applyNoPath(k *Type, doc map[string]any, op string, value map[string]any) error {
	for key, v := range value {
		if e, ok := k.Ext(key); ok {
			if err := applyExtension(k, doc, op, e, v); err != nil {
				return err
			}
			continue
		}
		ref, ok := Resolve(k, "", key, "")
		if !ok {
			continue // unknown: rejected before in the strict profile, ignored in entra (unknown.go)
		}
		a, _ := k.Attr("", ref.Attr)
		if a.Mutability() == "readOnly" {
			continue // id and meta: ignored as in a POST (RFC 7643 §2.2)
		}
		if err := applyAttr(doc, op, ref, a, v); err != nil {
			return err
		}
	}
	return nil
}

func applyExtension(k *Type, doc map[string]any, op string, e schema.Schema, v any) error {
	if op == "remove" {
		delete(doc, e.ID)
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return InvalidValue("value of %s must be an object", e.ID)
	}
	// Sub-attributes not given are left unchanged, by add and by replace (RFC 7644 §3.5.2.3).
	for key, sv := range m {
		ref, ok := Resolve(k, e.ID, key, "")
		if !ok {
			continue // as in applyNoPath
		}
		a, _ := k.Attr(e.ID, ref.Attr)
		if err := applyAttr(doc, op, ref, a, sv); err != nil {
			return err
		}
	}
	return nil
}

// holder returns the map that holds ref.attr, creating an extension object when create is set.
func holder(doc map[string]any, ref Ref, create bool) map[string]any {
	if ref.URN == "" {
		return doc
	}
	m, ok := doc[ref.URN].(map[string]any)
	if !ok {
		if !create {
			return nil
		}
		m = map[string]any{}
		doc[ref.URN] = m
	}
	return m
}

// AsList returns v as a list: a list as it is, nil as no values, anything else as a list of one.
func AsList(v any) []any {
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
func applyAttr(doc map[string]any, op string, ref Ref, a schema.CoreAttribute, v any) error {
	c := holder(doc, ref, op != "remove")
	if c == nil {
		return nil
	}
	if ref.Sub != "" {
		return applySub(c, op, ref, a, v)
	}
	switch {
	case op == "remove":
		// RFC 7644 §3.5.2.2: without a filter, the attribute and all its values are removed.
		delete(c, ref.Attr)
	case a.MultiValued() && op == "add":
		// RFC 7644 §3.5.2.1: new values are added; a value already present is not added again.
		cur := AsList(c[ref.Attr])
		present := newValueSet(cur)
		for _, nv := range AsList(v) {
			if !present.contains(cur, nv) {
				cur = append(cur, nv)
				present.add(nv)
			}
		}
		c[ref.Attr] = cur
	case a.MultiValued():
		c[ref.Attr] = AsList(v)
	case a.HasSubAttributes():
		// Complex: the given sub-attributes replace or add, the others stay (§3.5.2.1, §3.5.2.3).
		m, ok := v.(map[string]any)
		if !ok {
			return InvalidValue("value of %s must be an object", ref.Attr)
		}
		cur, _ := c[ref.Attr].(map[string]any)
		merged := make(map[string]any, len(cur)+len(m))
		for key, sv := range cur {
			merged[key] = sv
		}
		for key, sv := range m {
			merged[key] = sv
		}
		c[ref.Attr] = merged
	default:
		c[ref.Attr] = v
	}
	return nil
}

func applySub(c map[string]any, op string, ref Ref, a schema.CoreAttribute, v any) error {
	if a.MultiValued() {
		list := AsList(c[ref.Attr])
		if len(list) == 0 && op != "remove" {
			c[ref.Attr] = []any{map[string]any{ref.Sub: v}}
			return nil
		}
		out := make([]any, 0, len(list))
		for _, e := range list {
			em, ok := e.(map[string]any)
			if !ok {
				out = append(out, e)
				continue
			}
			em = CloneMap(em)
			if op == "remove" {
				delete(em, ref.Sub)
			} else {
				em[ref.Sub] = v
			}
			out = append(out, em)
		}
		c[ref.Attr] = out
		return nil
	}
	m, _ := c[ref.Attr].(map[string]any)
	m = CloneMap(m)
	if op == "remove" {
		delete(m, ref.Sub)
	} else {
		m[ref.Sub] = v
	}
	if len(m) == 0 {
		delete(c, ref.Attr)
		return nil
	}
	c[ref.Attr] = m
	return nil
}

// applyFiltered applies an operation whose path selects values of a multi-valued complex
// attribute with a filter (RFC 7644 §3.5.2, valuePath), optionally naming a sub-attribute.
func applyFiltered(k *Type, doc map[string]any, op PatchOp, ref Ref, a schema.CoreAttribute, f filter.Expr, rules PatchRules) error {
	c := holder(doc, ref, op.Op != "remove")
	if c == nil {
		return nil
	}
	vp := &filter.ValuePath{Attr: filter.AttrPath{URN: ref.URN, Attr: ref.Attr}, Filter: f}
	list := AsList(c[ref.Attr])
	out := make([]any, 0, len(list)+1)
	matched := 0
	for _, e := range list {
		em, ok := e.(map[string]any)
		if !ok || !filter.Eval(vp, single(ref, em), k.Filter) {
			out = append(out, e)
			continue
		}
		matched++
		switch {
		case op.Op == "remove" && ref.Sub == "":
			// the value is dropped
		case op.Op == "remove":
			em = CloneMap(em)
			delete(em, ref.Sub)
			out = append(out, em)
		case ref.Sub != "":
			em = CloneMap(em)
			em[ref.Sub] = op.Value
			out = append(out, em)
		default:
			nv, ok := elementValue(op.Value)
			if !ok {
				return InvalidValue("value for %q must be an object", op.Path)
			}
			if op.Op == "add" {
				nv = mergeMaps(em, nv)
			}
			out = append(out, nv)
		}
	}
	if matched == 0 && op.Op != "remove" {
		if op.Op == "replace" && !rules.CreateOnAbsent {
			return Errorf(http.StatusBadRequest, scimerrors.ScimTypeNoTarget,
				"path %q matches no value of %s", op.Path, ref.Attr)
		}
		nv, err := newElement(a, f, ref, op)
		if err != nil {
			return err
		}
		out = append(out, nv)
	}
	if len(out) == 0 {
		delete(c, ref.Attr)
		return nil
	}
	c[ref.Attr] = out
	return nil
}

// newElement builds the value an add (or an entra replace) creates when the value filter matches
// nothing: the filter's equality (type eq "work") plus the given value.
func newElement(a schema.CoreAttribute, f filter.Expr, ref Ref, op PatchOp) (map[string]any, error) {
	attr, value, ok := filter.EqualityOn(f)
	if !ok {
		return nil, Errorf(http.StatusBadRequest, scimerrors.ScimTypeNoTarget,
			"path %q matches no value of %s, and its filter is not an equality to build one from", op.Path, ref.Attr)
	}
	el := map[string]any{}
	if s, ok := SubAttr(a, attr.Attr); ok {
		el[s.Name()] = value
	}
	if ref.Sub != "" {
		el[ref.Sub] = op.Value
		return el, nil
	}
	nv, ok := elementValue(op.Value)
	if !ok {
		return nil, InvalidValue("value for %q must be an object", op.Path)
	}
	return mergeMaps(el, nv), nil
}

// single wraps one value of a multi-valued attribute as a resource holding only that value, so
// that filter.Eval evaluates the value path's filter against it.
func single(ref Ref, em map[string]any) map[string]any {
	res := map[string]any{ref.Attr: []any{em}}
	if ref.URN != "" {
		return map[string]any{ref.URN: res}
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

// CloneMap returns a shallow copy of m.
func CloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

func mergeMaps(a, b map[string]any) map[string]any {
	out := CloneMap(a)
	for k, v := range b {
		out[k] = v
	}
	return out
}
