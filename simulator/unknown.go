package simulator

import (
	"maps"
	"slices"
	"strings"

	"github.com/elimity-com/scim/schema"

	"github.com/scimsim/scimsim/simulator/filter"
	"github.com/scimsim/scimsim/simulator/resource"
	"github.com/scimsim/scimsim/wire"
)

// This file is the one rule for attributes a resource type does not define, at every depth: a
// top-level attribute, a sub-attribute (name.givenNme), an extension attribute, a sub-attribute
// of a multi-valued complex value (a group member's displayName), in a POST or PUT body, in a
// seed, and in a PATCH operation's value. A PATCH path that names such an attribute is always
// 400 invalidPath, in both profiles (applyOp: RFC 7644 Section 3.12, "The "path" attribute was
// invalid or malformed").
//
// The strict profile answers an unknown attribute in a body or a value 400 invalidValue naming
// it (RFC 7644 Section 3.12: "the value specified was not compatible with the operation or
// attribute type, or resource schema"), so that a mapping typo fails where it is made.
//
// The entra profile does what the SCIM servers of the applications Entra provisions do: they
// ignore an attribute they do not define in a body, at every depth, and refuse a PATCH path that
// names one.
//   - Captain-P-Goldfish/SCIM-SDK issue 539 ("Validation for non-supported attributes", 2023,
//     reported for an Azure mapping of an attribute the app lacks): POST and PUT skip the
//     attribute, PATCH answers 400 invalidPath for it; the maintainer keeps that by design.
//   - scimmyjs/scimmy pull request 49 (2024): unknown attributes are stripped from a resource,
//     and unknown sub-attributes of a complex value now too ("bringing the behaviour in line");
//     run by `make conformance`, SCIMMY drops an extension it lacks and refuses its URN paths with
//     invalidPath (docs/conformance.md).
//   - elimity-com/scim, whose schema validation the simulator reuses: Schema.Validate copies the
//     attributes the schema defines and leaves every other key out, at every depth.
//
// Microsoft's guidance for SCIM endpoints ("Tutorial: Develop and plan provisioning for a SCIM
// endpoint in Microsoft Entra ID") sets no rule for unknown attributes. Seeds, which are the
// operator's own data, reject them in both profiles. The drop_attribute fault drops an attribute
// the schema does define.

// unknownAttr returns the path of the first attribute of res that kind k does not define
// ("name.givenNme", "members.displayName", "urn:...:enterprise:2.0:User:costCentre"), and "" when
// every attribute is defined. Keys are visited in sorted order, so the answer is the same for
// the same body.
func unknownAttr[V any](k *kind, res map[string]V) string {
	for _, key := range slices.Sorted(maps.Keys(res)) {
		switch strings.ToLower(key) {
		case "schemas", "id", "meta":
			continue
		}
		if e, ok := k.ext(key); ok {
			if m, ok := any(res[key]).(map[string]any); ok {
				if p := unknownIn(e.Attributes, m); p != "" {
					return e.ID + ":" + p
				}
			}
			continue
		}
		a, ok := k.attr("", key)
		if !ok {
			return key
		}
		if p := unknownValue(a, res[key]); p != "" {
			return a.Name() + "." + p
		}
	}
	return ""
}

// unknownIn returns the first key of m (sorted) that attrs does not define, or the path of an
// unknown sub-attribute below it.
func unknownIn(attrs schema.Attributes, m map[string]any) string {
	for _, key := range slices.Sorted(maps.Keys(m)) {
		a, ok := attrs.ContainsAttribute(key)
		if !ok {
			return key
		}
		if p := unknownValue(a, m[key]); p != "" {
			return a.Name() + "." + p
		}
	}
	return ""
}

// unknownValue returns the path, relative to attribute a, of an unknown sub-attribute in v: v is
// a's value, one complex value or a list of them.
func unknownValue(a schema.CoreAttribute, v any) string {
	if !a.HasSubAttributes() {
		return ""
	}
	switch v := v.(type) {
	case map[string]any:
		return unknownIn(a.SubAttributes(), v)
	case []any:
		for _, e := range v {
			if m, ok := e.(map[string]any); ok {
				if p := unknownIn(a.SubAttributes(), m); p != "" {
					return p
				}
			}
		}
	}
	return ""
}

// checkUnknown is the strict rule for a body: 400 invalidValue naming the attribute.
func checkUnknown[V any](k *kind, res map[string]V) error {
	if p := unknownAttr(k, res); p != "" {
		return invalidValue("attribute %q is not defined for %s", p, k.name)
	}
	return nil
}

// unknownRule applies the rule to one PATCH operation as the client sent it (after the entra
// profile's rewriting), before validation, which drops some unknown attributes and refuses others
// with a message that names none: a path naming an unknown attribute is 400 invalidPath in both
// profiles; an unknown attribute in the value, checked against the attribute the path names (the
// resource itself without a path, an extension for an extension URN), is 400 invalidValue in the
// strict profile, and in entra it is removed from the operation (pruned true).
func unknownRule(k *kind, raw map[string]any, p Profile) (_ map[string]any, pruned bool, _ error) {
	name, _ := wire.Field(raw, "op").(string)
	path, _ := wire.Field(raw, "path").(string)
	op := patchOp{Op: strings.ToLower(name), Path: path, Value: wire.Field(raw, "value")}
	if u := unknownPath(k, path); u != "" {
		return nil, false, invalidPath("path %q: attribute %q is not defined for %s", path, u, k.name)
	}
	if p == ProfileStrict {
		if u := unknownInOp(k, op); u != "" {
			return nil, false, invalidValue("attribute %q of the value of %s %q is not defined for %s", u, name, path, k.name)
		}
		return raw, false, nil
	}
	// Validation drops unknown sub-attributes of a known attribute itself; what it would refuse
	// is an unknown key of an object of attributes: the resource's (no path) or an extension's.
	m, ok := op.Value.(map[string]any)
	if !ok || op.Op == "remove" {
		return raw, false, nil
	}
	var attrs schema.Attributes
	if path != "" {
		e, ok := k.ext(path)
		if !ok {
			return raw, false, nil
		}
		attrs = e.Attributes
	}
	kept := make(map[string]any, len(m))
	for key, v := range m {
		switch e, isExt := k.ext(key); {
		case path == "" && isExt:
			if em, ok := v.(map[string]any); ok {
				v = knownOnly(e.Attributes, em)
				pruned = pruned || len(v.(map[string]any)) < len(em)
			}
		case path == "" && strings.EqualFold(key, "id"):
		case path == "" && unknownAttr(k, map[string]any{key: nil}) != "",
			path != "" && unknownIn(attrs, map[string]any{key: nil}) != "":
			continue
		}
		kept[key] = v
	}
	if !pruned && len(kept) == len(m) {
		return raw, false, nil
	}
	out := cloneMap(raw)
	setField(out, "value", kept)
	return out, true, nil
}

// knownOnly returns the members of m that attrs defines.
func knownOnly(attrs schema.Attributes, m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for key, v := range m {
		if _, ok := attrs.ContainsAttribute(key); ok {
			out[key] = v
		}
	}
	return out
}

// unknownPath returns the attribute a PATCH path names that kind k does not define ("name.givenNme",
// "members.displayName"), "" when it defines it or the path does not parse (applyOp answers that).
// It resolves the path as applyOp does.
func unknownPath(k *kind, path string) string {
	if path == "" {
		return ""
	}
	p, err := filter.ParsePath(path)
	if err != nil {
		return ""
	}
	if p.URN != "" && p.Sub == "" && p.Filter == nil {
		if _, ok := k.ext(p.URN + ":" + p.Attr); ok {
			return ""
		}
	}
	if _, ok := resource.Resolve(k.typ, p.URN, p.Attr, p.Sub); ok {
		return ""
	}
	name := p.Attr
	if p.URN != "" {
		name = p.URN + ":" + p.Attr
	}
	if a, ok := k.attr(p.URN, p.Attr); ok && p.Sub != "" {
		return a.Name() + "." + p.Sub
	}
	if p.Sub != "" {
		name += "." + p.Sub
	}
	return name
}

func unknownInOp(k *kind, op patchOp) string {
	if op.Op == "remove" || op.Value == nil {
		return ""
	}
	if op.Path == "" {
		m, ok := op.Value.(map[string]any)
		if !ok {
			return ""
		}
		return unknownAttr(k, m)
	}
	p, err := filter.ParsePath(op.Path)
	if err != nil {
		return ""
	}
	if p.URN != "" && p.Sub == "" && p.Filter == nil {
		if e, ok := k.ext(p.URN + ":" + p.Attr); ok {
			m, _ := op.Value.(map[string]any)
			return unknownIn(e.Attributes, m)
		}
	}
	if e, ok := k.ext(p.Attr); ok && p.URN == "" && p.Sub == "" {
		m, _ := op.Value.(map[string]any)
		return unknownIn(e.Attributes, m)
	}
	ref, ok := resource.Resolve(k.typ, p.URN, p.Attr, p.Sub)
	if !ok || ref.Sub != "" {
		return ""
	}
	a, ok := k.attr(ref.URN, ref.Attr)
	if !ok {
		return ""
	}
	if m, ok := op.Value.(map[string]any); ok && p.Filter != nil {
		// A value path's value is one element of the multi-valued attribute.
		return prefixed(a, unknownIn(a.SubAttributes(), m))
	}
	return prefixed(a, unknownValue(a, op.Value))
}

// prefixed names sub-attribute path sub of a ("name.givenNme"); "" stays "".
func prefixed(a schema.CoreAttribute, sub string) string {
	if sub == "" {
		return ""
	}
	return a.Name() + "." + sub
}
