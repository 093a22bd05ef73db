// A resource type's schemas and the attribute lookups every write and query makes on them.

package resource

import (
	"strings"

	"github.com/elimity-com/scim/schema"

	"github.com/scimsim/scimsim/simulator/filter"
)

// Type is one resource type as the model reads it: its core schema, its extensions and the
// attribute tables derived from them once. A Type is read-only after NewType, so one may be
// shared by any number of requests.
type Type struct {
	Name   string // meta.resourceType: "User"
	Core   schema.Schema
	Exts   []schema.Schema
	Filter filter.Schema // the same schemas, for filter.Check and filter.Eval

	coreIdx attrIndex   // the core schema's attributes and the common ones, by name
	extIdx  []attrIndex // each extension's
}

// NewType derives the attribute tables of a resource type from its schemas.
func NewType(name string, core schema.Schema, exts []schema.Schema) *Type {
	t := &Type{Name: name, Core: core, Exts: exts, Filter: filter.SchemaOf(core, exts...)}
	t.coreIdx = newAttrIndex(core.Attributes, commonAttrs)
	for _, e := range exts {
		t.extIdx = append(t.extIdx, newAttrIndex(e.Attributes))
	}
	return t
}

// commonAttrs are the attributes RFC 7643 §3.1 gives every resource; elimity's schemas leave
// them out.
var commonAttrs = schema.Attributes(schema.CommonAttributes())

// Ext returns the extension schema with the given URN, matched case-insensitively (attribute
// names and URNs are case-insensitive, RFC 7643 §2.1).
func (k *Type) Ext(urn string) (schema.Schema, bool) {
	for _, e := range k.Exts {
		if strings.EqualFold(e.ID, urn) {
			return e, true
		}
	}
	return schema.Schema{}, false
}

// Attr finds the definition of a top-level attribute: in the core schema (and the common
// attributes) when urn is empty or the core URN, in the extension otherwise.
func (k *Type) Attr(urn, name string) (schema.CoreAttribute, bool) {
	if urn == "" || strings.EqualFold(urn, k.Core.ID) {
		return k.coreIdx.get(name)
	}
	for i, e := range k.Exts {
		if strings.EqualFold(e.ID, urn) {
			return k.extIdx[i].get(name)
		}
	}
	return schema.CoreAttribute{}, false
}

// attrIndex finds an attribute by name as schema.Attributes.ContainsAttribute does
// (strings.EqualFold, the first match winning) with one map lookup instead of a comparison with
// every name: attribute lookups are on every write's path.
type attrIndex struct {
	exact, fold map[string]schema.CoreAttribute
}

func newAttrIndex(lists ...[]schema.CoreAttribute) attrIndex {
	x := attrIndex{exact: map[string]schema.CoreAttribute{}, fold: map[string]schema.CoreAttribute{}}
	for _, list := range lists {
		for _, a := range list {
			if _, dup := x.fold[filter.Fold(a.Name())]; dup {
				continue
			}
			x.exact[a.Name()] = a
			x.fold[filter.Fold(a.Name())] = a
		}
	}
	return x
}

func (x attrIndex) get(name string) (schema.CoreAttribute, bool) {
	if a, ok := x.exact[name]; ok {
		return a, true
	}
	var buf [128]byte
	a, ok := x.fold[string(filter.AppendFold(buf[:0], name))]
	return a, ok
}
