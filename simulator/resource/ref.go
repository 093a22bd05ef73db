// Attribute references: an attribute path resolved once against a resource type's schemas to
// the canonical names its stored documents use, so that projection, sorting and PATCH need not
// compare names case-insensitively again.

package resource

import (
	"strings"

	"github.com/elimity-com/scim/schema"
)

// Ref is an attribute path as used by attributes, excludedAttributes and sortBy, resolved
// against the schema to the keys the stored document uses.
type Ref struct {
	URN  string // extension URN as stored ("" for core and common attributes)
	Attr string // canonical attribute name
	Sub  string // canonical sub-attribute name, or ""
}

// Resolve resolves a path to canonical names; ok is false for an attribute k does not define.
// A bare extension URN as attr names the whole extension object.
func Resolve(k *Type, urn, attr, sub string) (Ref, bool) {
	ref := Ref{}
	if urn != "" && !strings.EqualFold(urn, k.Core.ID) {
		e, ok := k.Ext(urn)
		if !ok {
			return ref, false
		}
		ref.URN = e.ID
	}
	a, ok := k.Attr(ref.URN, attr)
	if !ok {
		if ref.URN == "" && sub == "" {
			// A bare extension URN names the whole extension object.
			if e, ok := k.Ext(attr); ok {
				return Ref{Attr: e.ID}, true
			}
		}
		return ref, false
	}
	ref.Attr = a.Name()
	if sub != "" {
		s, ok := SubAttr(a, sub)
		if !ok {
			return ref, false
		}
		ref.Sub = s.Name()
	}
	return ref, true
}

// SubAttr returns the sub-attribute of a that name names, case-insensitively (RFC 7643 §2.1).
func SubAttr(a schema.CoreAttribute, name string) (schema.CoreAttribute, bool) {
	if !a.HasSubAttributes() {
		return schema.CoreAttribute{}, false
	}
	return a.SubAttributes().ContainsAttribute(name)
}

// container returns the map holding p.Attr: the document or its extension object.
func container(doc map[string]any, p Ref) (map[string]any, bool) {
	if p.URN == "" {
		return doc, true
	}
	m, ok := doc[p.URN].(map[string]any)
	return m, ok
}
