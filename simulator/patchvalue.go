// Checking a PATCH operation's value against the attribute it targets, for the fast validation in
// patchvalidate.go: what elimity's validateUpdate, validateRemove and validateEmptyPath check, so
// that validatePatchOps answers with elimity's own errors and converted values. It sits apart from
// the path checks because it is the one part that reads the attribute's type and converts values.

package simulator

import (
	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/elimity-com/scim/schema"
)

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
