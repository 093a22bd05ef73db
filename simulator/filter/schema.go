package filter

import (
	"strings"

	"github.com/elimity-com/scim/schema"
)

// coreURNPrefix starts every core schema URN (RFC 7643 Section 8.7.1 and Section 3): names qualified
// with it are top-level attributes of the resource, not an extension object.
const coreURNPrefix = "urn:ietf:params:scim:schemas:core:"

func isCoreURN(urn string) bool {
	return len(urn) >= len(coreURNPrefix) && strings.EqualFold(urn[:len(coreURNPrefix)], coreURNPrefix)
}

// Attribute types (RFC 7643 Section 2.3), as AttrInfo.Type spells them.
const (
	typeString    = "string"
	typeBoolean   = "boolean"
	typeInteger   = "integer"
	typeDecimal   = "decimal"
	typeDateTime  = "dateTime"
	typeReference = "reference"
	typeBinary    = "binary"
	typeComplex   = "complex"
)

// commonAttribute describes the attributes every resource has (RFC 7643 Section 3 and 3.1): schemas,
// a multi-valued string; id and externalId, caseExact ("caseExact" as "true" in the RFC), and so are
// meta.resourceType and meta.version; meta.created and meta.lastModified are dateTimes; meta.location
// is a reference, which is case exact (RFC 7643 Section 2.3.7). These are built in because schemas
// such as elimity's keep them out of the resource schema.
func commonAttribute(urn, attr, sub string) (AttrInfo, bool) {
	if urn != "" && !isCoreURN(urn) {
		return AttrInfo{}, false
	}
	switch {
	case strings.EqualFold(attr, "schemas"):
		if sub != "" {
			return AttrInfo{}, false
		}
		return AttrInfo{Type: typeString, MultiValued: true}, true
	case strings.EqualFold(attr, "id"), strings.EqualFold(attr, "externalId"):
		if sub != "" {
			return AttrInfo{}, false
		}
		return AttrInfo{Type: typeString, CaseExact: true}, true
	case strings.EqualFold(attr, "meta"):
		switch {
		case sub == "":
			return AttrInfo{Type: typeComplex}, true
		case strings.EqualFold(sub, "resourceType"), strings.EqualFold(sub, "version"):
			return AttrInfo{Type: typeString, CaseExact: true}, true
		case strings.EqualFold(sub, "created"), strings.EqualFold(sub, "lastModified"):
			return AttrInfo{Type: typeDateTime}, true
		case strings.EqualFold(sub, "location"):
			return AttrInfo{Type: typeReference, CaseExact: true}, true
		}
	}
	return AttrInfo{}, false
}

// lookup resolves an attribute: the common attributes first, then s (which may be nil).
func lookup(s Schema, urn, attr, sub string) (AttrInfo, bool) {
	if info, ok := commonAttribute(urn, attr, sub); ok {
		return info, true
	}
	if s == nil {
		return AttrInfo{}, false
	}
	return s.Lookup(urn, attr, sub)
}

// schemaLister is implemented by Schemas that know their schema URNs, such as SchemaOf's. CheckPath
// uses it to accept a PATCH path that is a whole extension URN.
type schemaLister interface {
	HasSchema(urn string) bool
}

// scimSchema is the Schema built by SchemaOf.
type scimSchema struct {
	core       string
	attrs      names[*scimAttr]
	extensions names[names[*scimAttr]]
}

type scimAttr struct {
	info AttrInfo
	subs names[AttrInfo]
}

// names is a case-insensitive table that answers names in their canonical case without allocating:
// each entry is stored under its name as defined and under its lower-case form.
type names[T any] map[string]T

func (n names[T]) add(name string, v T) {
	n[name] = v
	n[strings.ToLower(name)] = v
}

func (n names[T]) get(name string) (T, bool) {
	if v, ok := n[name]; ok {
		return v, true
	}
	v, ok := n[strings.ToLower(name)]
	return v, ok
}

func newSCIMSchema(core schema.Schema, extensions []schema.Schema) Schema {
	s := &scimSchema{core: core.ID, attrs: attrTable(core.Attributes), extensions: names[names[*scimAttr]]{}}
	for _, ext := range extensions {
		s.extensions.add(ext.ID, attrTable(ext.Attributes))
	}
	return s
}

func attrTable(attrs schema.Attributes) names[*scimAttr] {
	t := names[*scimAttr]{}
	for _, a := range attrs {
		sa := &scimAttr{info: infoOf(a), subs: names[AttrInfo]{}}
		for _, sub := range a.SubAttributes() {
			sa.subs.add(sub.Name(), infoOf(sub))
		}
		t.add(a.Name(), sa)
	}
	return t
}

func infoOf(a schema.CoreAttribute) AttrInfo {
	return AttrInfo{Type: a.AttributeType(), CaseExact: a.CaseExact(), MultiValued: a.MultiValued()}
}

// Lookup implements Schema.
func (s *scimSchema) Lookup(urn, attr, sub string) (AttrInfo, bool) {
	table := s.attrs
	if urn != "" && !strings.EqualFold(urn, s.core) {
		var ok bool
		if table, ok = s.extensions.get(urn); !ok {
			return AttrInfo{}, false
		}
	}
	a, ok := table.get(attr)
	if !ok {
		return AttrInfo{}, false
	}
	if sub == "" {
		return a.info, true
	}
	return a.subs.get(sub)
}

// HasSchema reports whether urn is the core schema's or an extension's URN.
func (s *scimSchema) HasSchema(urn string) bool {
	if strings.EqualFold(urn, s.core) {
		return true
	}
	_, ok := s.extensions.get(urn)
	return ok
}
