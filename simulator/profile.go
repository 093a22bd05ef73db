package simulator

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/scimsim/scimsim/simulator/filter"
	"github.com/scimsim/scimsim/wire"
)

// This file is the one place where the profiles differ in how they read a request. The entra
// profile rewrites what Entra ID sends today into its RFC 7644 form before elimity validates it
// ("Known issues and resolutions with SCIM 2.0 protocol compliance", Microsoft Learn; reference
// notes §1.6); the strict profile passes requests through unchanged, so that elimity rejects
// what the RFC does not allow. The differences that depend on stored state are patchRules; the
// filter grammar difference is the filter.AllowValuePathSubAttribute option in query.go; group
// displayName uniqueness is Tenant.entra in the store calls.

// normaliseResource rewrites a POST/PUT body (or a seeded resource): string booleans ("True",
// "False") become booleans where the schema says boolean. Top-level values are replaced in res;
// nested objects and lists that change are copied, never modified, since a seeded resource
// belongs to the caller. The attributes are looked up in the kind's validators, which know each
// one's type without copying its definition.
func normaliseResource(k *kind, res map[string]any) bool {
	changed := false
	for key, v := range res {
		var nv any
		var ok bool
		if i := k.check.position(key); i >= 0 {
			nv, ok = k.check.attrs[i].fix(v)
		} else if i := extIndex(k, key); i < len(k.exts) {
			if m, isMap := v.(map[string]any); isMap {
				nv, ok = k.extChecks[i].fix(m)
			}
		}
		if ok {
			res[key] = nv
			changed = true
		}
	}
	return changed
}

// fix returns a copy of m with the string booleans of v's attributes converted; ok is false (and
// m returned) when there were none.
func (v *validator) fix(m map[string]any) (map[string]any, bool) {
	var out map[string]any
	for key, val := range m {
		i := v.position(key)
		if i < 0 {
			continue
		}
		if nv, ok := v.attrs[i].fix(val); ok {
			if out == nil {
				out = cloneMap(m)
			}
			out[key] = nv
		}
	}
	if out == nil {
		return m, false
	}
	return out, true
}

// fix returns v converted for the attribute; ok is false when nothing changed. Besides string
// booleans it reads the manager reference as Entra sends it, a plain string id
// ({"op":"Add","path":"urn:...:enterprise:2.0:User:manager","value":"<id>"}, and
// {"manager":"<id>"} in a create; field reports Captain-P-Goldfish/SCIM-SDK issues 541 and 686,
// apache/directory-scimple issue 1242), as the complex value RFC 7643 Section 4.3 defines,
// {"value":"<id>"}: a single-valued complex attribute with a "value" sub-attribute.
func (r *attrRule) fix(v any) (any, bool) {
	switch {
	case r.boolean:
		if s, ok := v.(string); ok {
			switch strings.ToLower(s) {
			case "true":
				return true, true
			case "false":
				return false, true
			}
		}
	case r.complex:
		switch v := v.(type) {
		case string:
			if !r.multiValued && v != "" && r.sub.position("value") >= 0 {
				return map[string]any{"value": v}, true
			}
		case map[string]any:
			return r.sub.fix(v)
		case []any:
			var out []any
			for i, e := range v {
				m, isMap := e.(map[string]any)
				if !isMap {
					continue
				}
				if nm, ok := r.sub.fix(m); ok {
					if out == nil {
						out = append([]any(nil), v...)
					}
					out[i] = nm
				}
			}
			if out != nil {
				return out, true
			}
		}
	}
	return v, false
}

// rule returns the validator rule of a top-level attribute (urn "" or the core schema's: the
// core schema's), nil for none; names are matched as resource.Type.Attr matches them.
func (k *kind) rule(urn, name string) *attrRule {
	v := k.check
	if urn != "" && !strings.EqualFold(urn, k.core.ID) {
		i := extIndex(k, urn)
		if i == len(k.exts) {
			return nil
		}
		v = k.extChecks[i]
	}
	if i := v.position(name); i >= 0 {
		return &v.attrs[i]
	}
	return nil
}

// prepareResource reads a POST/PUT body for kind k under profile p: the strict profile rejects
// attributes the kind does not define, at every depth, and the entra profile converts string
// booleans and leaves unknown attributes to validation, which drops them (unknown.go). It returns
// nil and no error for a body that does not decode: validateBody answers it with invalidSyntax.
// plain is decodeBody's: the body names no secret the journal would redact.
func prepareResource(k *kind, body []byte, p Profile) (doc map[string]any, plain bool, err error) {
	if k.is(groupKind) {
		doc, err = decodeObject(body, true)
	} else {
		doc, plain, err = decodeBody(body)
	}
	if err != nil || doc == nil {
		return nil, false, nil
	}
	if p == ProfileStrict {
		if err := checkUnknown(k, doc); err != nil {
			return nil, false, err
		}
	}
	if p == ProfileEntra {
		normaliseResource(k, doc)
	}
	return doc, plain, nil
}

// preparePatch reads a PATCH body for kind k under profile p. It returns the body to validate
// (rewritten when the entra profile changed it) and the path of every operation in order:
// elimity, which validates the operations validatePatchOps leaves to it, hands paths on in a
// form the simulator does not use, so the handler reads them from here instead.
//
// A body that does not decode is passed on untouched, to be answered with invalidSyntax. A body
// with more operations or member values than one request may carry (maxPatchOperations,
// maxRequestMembers) is an error, 413.
func preparePatch(k *kind, body []byte, p Profile) ([]byte, []string, error) {
	var doc map[string]any
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	if err := d.Decode(&doc); err != nil || d.More() {
		return body, nil, nil
	}
	opsKey, rawOps := "", []any(nil)
	for key, v := range doc {
		if strings.EqualFold(key, "Operations") {
			opsKey, rawOps = key, asList(v)
		}
	}
	if len(rawOps) > maxPatchOperations {
		return nil, nil, tooLarge("the PATCH has %d operations; one request may carry at most %d", len(rawOps), maxPatchOperations)
	}
	if n := patchMembers(rawOps); n > maxRequestMembers {
		return nil, nil, tooLarge("the PATCH names %d members; one request may carry at most %d", n, maxRequestMembers)
	}
	changed := false
	ops := make([]any, 0, len(rawOps))
	var paths []string
	for _, raw := range rawOps {
		op, ok := raw.(map[string]any)
		if !ok {
			ops = append(ops, raw)
			paths = append(paths, "")
			continue
		}
		out := []map[string]any{op}
		if p == ProfileEntra {
			var c bool
			out, c = normaliseOp(k, op)
			changed = changed || c
		}
		for _, o := range out {
			o, pruned, err := unknownRule(k, o, p)
			if err != nil {
				return nil, nil, err
			}
			changed = changed || pruned
			ops = append(ops, o)
			path, _ := wire.Field(o, "path").(string)
			paths = append(paths, path)
		}
	}
	if !changed {
		return body, paths, nil
	}
	doc[opsKey] = ops
	return reencode(doc, body), paths, nil
}

// patchMembers counts the member values PATCH operations name: the values of operations on
// members (a value path names one), and those of a members key in a value without a path.
func patchMembers(ops []any) int {
	n := 0
	for _, raw := range ops {
		op, ok := raw.(map[string]any)
		if !ok {
			continue
		}
		path, _ := wire.Field(op, "path").(string)
		value := wire.Field(op, "value")
		switch {
		case path == "":
			if m, ok := value.(map[string]any); ok {
				n += len(asList(wire.Field(m, "members")))
			}
		case len(path) >= 7 && strings.EqualFold(path[:7], "members"):
			if strings.Contains(path, "[") {
				n++
			} else {
				n += len(asList(value))
			}
		}
	}
	return n
}

// reencode returns doc as JSON, or body unchanged if doc does not encode (it always does: it
// was decoded from JSON).
func reencode(doc map[string]any, body []byte) []byte {
	b, err := json.Marshal(doc)
	if err != nil {
		return body
	}
	return b
}

func setField(m map[string]any, key string, v any) {
	for k := range m {
		if strings.EqualFold(k, key) {
			m[k] = v
			return
		}
	}
	m[key] = v
}

// normaliseOp rewrites one Entra PATCH operation into its RFC form:
//   - "False"/"True" become booleans where the path's attribute is boolean;
//   - {"op":"Remove","path":"members","value":[{"value":"id"}]} means "remove these members"
//     to Entra, whereas RFC 7644 §3.5.2.2 removes every member: it becomes one remove per value,
//     members[value eq "id"];
//   - a no-path add/replace whose value has dotted keys ("name.givenName") or URN-qualified keys
//     ("urn:...:enterprise:2.0:User:employeeNumber") becomes one operation per such key.
func normaliseOp(k *kind, op map[string]any) ([]map[string]any, bool) {
	name, _ := wire.Field(op, "op").(string)
	name = strings.ToLower(name)
	path, _ := wire.Field(op, "path").(string)
	value := wire.Field(op, "value")
	if path == "" {
		m, ok := value.(map[string]any)
		if !ok || (name != "add" && name != "replace") {
			return []map[string]any{op}, false
		}
		var out []map[string]any
		rest := map[string]any{}
		changed := false
		for key, v := range m {
			if _, isExt := k.ext(key); !isExt && (strings.Contains(key, ".") || strings.Contains(key, ":")) {
				o, _ := normaliseValue(k, map[string]any{"op": name, "path": key, "value": v})
				out = append(out, o)
				changed = true
				continue
			}
			rest[key] = v
		}
		if normaliseResource(k, rest) {
			changed = true
		}
		if !changed {
			return []map[string]any{op}, false
		}
		if len(rest) > 0 {
			out = append([]map[string]any{{"op": name, "value": rest}}, out...)
		}
		return out, true
	}
	if name == "remove" {
		if list, ok := value.([]any); ok && len(list) > 0 {
			if p, err := filter.ParsePath(path); err == nil && p.Filter == nil && p.Sub == "" {
				if a, ok := k.attr(p.URN, p.Attr); ok && a.MultiValued() && a.HasSubAttributes() {
					out := make([]map[string]any, 0, len(list))
					for _, e := range list {
						em, ok := e.(map[string]any)
						v, isStr := wire.Field(em, "value").(string)
						if !ok || !isStr {
							return []map[string]any{op}, false
						}
						q, _ := json.Marshal(v)
						out = append(out, map[string]any{"op": "remove", "path": path + "[value eq " + string(q) + "]"})
					}
					return out, true
				}
			}
		}
	}
	op2, changed := normaliseValue(k, op)
	return []map[string]any{op2}, changed
}

// normaliseValue converts string booleans in an operation's value for the attribute its path
// names; changed reports whether it converted any.
func normaliseValue(k *kind, op map[string]any) (_ map[string]any, changed bool) {
	path, _ := wire.Field(op, "path").(string)
	p, err := filter.ParsePath(path)
	if err != nil {
		return op, false
	}
	r := k.rule(p.URN, p.Attr)
	if r == nil {
		return op, false
	}
	if p.Sub != "" {
		if r.sub == nil {
			return op, false
		}
		i := r.sub.position(p.Sub)
		if i < 0 {
			return op, false
		}
		r = &r.sub.attrs[i]
	}
	if nv, ok := r.fix(wire.Field(op, "value")); ok {
		out := cloneMap(op)
		setField(out, "value", nv)
		return out, true
	}
	return op, false
}
