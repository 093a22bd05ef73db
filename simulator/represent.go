package simulator

import "bytes"

// The representation of an unassigned attribute.
//
// RFC 7643 §2.5: "Unassigned attributes, the null value, or an empty array (in the case of a
// multi-valued attribute) SHALL be considered to be equivalent in "state". Assigning an attribute
// with the value "null" or an empty array ... has the effect of making the attribute
// "unassigned"." The simulator therefore stores, and so answers on every route (POST, PUT and
// PATCH replies, GET, lists, .search) and writes to the state file, no null, no empty array and
// no complex value without sub-attributes: encodeRecord applies assignedAttrs to every resource
// it encodes, and every stored document is one encodeRecord wrote. "roles": [] posted is read
// back as no roles at all, not "roles": null; a name whose sub-attributes are all null is no name,
// not "name": {}.

// assignedAttrs returns attrs without its unassigned values, at every depth: nulls, empty lists,
// objects left without members, and list elements that are null or empty objects. It returns
// attrs itself, unmodified and without allocating, when every value is assigned (the common case
// on the write path); otherwise a copy that shares the unchanged values.
func assignedAttrs(attrs map[string]any) map[string]any {
	if !hasUnassigned(attrs) {
		return attrs
	}
	out, _ := assigned(attrs)
	m, _ := out.(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return m
}

// hasUnassigned reports whether v holds an unassigned value anywhere below it.
func hasUnassigned(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		for _, e := range v {
			if unassigned(e) || hasUnassigned(e) {
				return true
			}
		}
	case []any:
		for _, e := range v {
			if unassigned(e) || hasUnassigned(e) {
				return true
			}
		}
	}
	return false
}

// hasUnassignedBelow reports whether a value of attrs holds an unassigned value below it: what
// assignedAttrs would change besides leaving out attrs' own unassigned values.
func hasUnassignedBelow(attrs map[string]any) bool {
	for _, e := range attrs {
		if !unassigned(e) && hasUnassigned(e) {
			return true
		}
	}
	return false
}

// unassigned reports whether v, as a value of its own, is one of RFC 7643 §2.5's unassigned forms.
func unassigned(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case map[string]any:
		return len(v) == 0
	case []any:
		return len(v) == 0
	case []string:
		return len(v) == 0
	}
	return false
}

// assigned returns v without its unassigned parts; ok is false when nothing of v is left.
func assigned(v any) (_ any, ok bool) {
	switch v := v.(type) {
	case nil:
		return nil, false
	case map[string]any:
		if !hasUnassigned(v) {
			return v, len(v) > 0
		}
		out := make(map[string]any, len(v))
		for k, e := range v {
			if e, ok := assigned(e); ok {
				out[k] = e
			}
		}
		return out, len(out) > 0
	case []any:
		if !hasUnassigned(v) {
			return v, len(v) > 0
		}
		out := make([]any, 0, len(v))
		for _, e := range v {
			if e, ok := assigned(e); ok {
				out = append(out, e)
			}
		}
		return out, len(out) > 0
	case []string:
		return v, len(v) > 0
	}
	return v, true
}

// mayHoldUnassigned reports whether a stored document may hold an unassigned value, so that a
// state file written before the rule above (or by hand) is encoded again on load rather than kept
// byte for byte. It may answer true for a document that holds none (the bytes inside a string).
func mayHoldUnassigned(doc []byte) bool {
	return bytes.Contains(doc, []byte("null")) || bytes.Contains(doc, []byte("[]")) || bytes.Contains(doc, []byte("{}"))
}
