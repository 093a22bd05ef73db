package simulator

import (
	"strings"

	"github.com/elimity-com/scim/schema"

	"github.com/scimsim/scimsim/simulator/filter"
	"github.com/scimsim/scimsim/wire"
)

// Schema URNs the simulator serves (RFC 7643 §4 and §8.7.1) and the message URNs of RFC 7644 §3,
// as the SCIM vocabulary (package wire) writes them.
const (
	userURN          = wire.UserSchema
	groupURN         = wire.GroupSchema
	enterpriseURN    = wire.EnterpriseSchema
	listResponseURN  = wire.ListResponseSchema
	searchRequestURN = wire.SearchRequestSchema
	patchOpURN       = wire.PatchOpSchema
	errorURN         = wire.ErrorSchema
	spcURN           = wire.ServiceProviderConfigSchema
)

// kind is one resource type: its schemas and its memdb table.
type kind struct {
	index      int    // position in kinds
	name       string // meta.resourceType: "User"
	endpoint   string // path segment and table name: "Users"
	core       schema.Schema
	exts       []schema.Schema
	fs         filter.Schema // the same schemas, for filter.Check and filter.Eval
	validating schema.Schema // core plus externalId, for validate
	check      *validator    // validating's rules, and each extension's (validate.go)
	extChecks  []*validator
	coreIdx    attrIndex    // the core schema's attributes and the common ones, by name
	extIdx     []attrIndex  // each extension's
	only       []*kind      // the kind alone, what a query of its endpoint reads
	unique     []uniqueAttr // extension attributes with uniqueness server or global (customunique.go)
	immutable  []uniqueAttr // extension attributes whose mutability is immutable
	custom     bool         // a resource type of a tenant's own, core schema and all (customtypes.go)
	required   []bool       // per extension: schemaExtensions[].required (RFC 7643 §6)
	requested  []attrRef    // custom attributes returned "request" (customtypes.go)
}

// internNames interns the names of attrs and of their sub-attributes, and their canonical values
// (decodeFast).
func internNames(attrs []schema.CoreAttribute) {
	for _, a := range attrs {
		intern(a.Name())
		for _, v := range a.CanonicalValues() {
			intern(v)
		}
		internNames(a.SubAttributes())
	}
}

func init() {
	for _, s := range []string{"schemas", "id", "meta", "Operations", "op", "path", "value", "Add", "Replace", "Remove",
		"add", "replace", "remove", "work", "home", "other", "mobile", "fax", "User", "Group", patchOpURN, searchRequestURN} {
		intern(s)
	}
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
	a, ok := x.fold[filter.Fold(name)]
	return a, ok
}

var (
	userKind = &kind{
		name:     "User",
		endpoint: "Users",
		core:     schema.CoreUserSchema(),
		exts:     []schema.Schema{schema.ExtensionEnterpriseUser()},
	}
	groupKind = &kind{
		index:    1,
		name:     "Group",
		endpoint: "Groups",
		core:     schema.CoreGroupSchema(),
	}
	kinds = []*kind{userKind, groupKind}
)

func init() {
	for _, k := range kinds {
		k.build()
		internNames(k.validating.Attributes)
		intern(k.core.ID)
		intern(k.name)
		for _, e := range k.exts {
			internNames(e.Attributes)
			intern(e.ID)
		}
	}
}

// build derives what the kind computes from its schemas once: the filter schema, the validators
// and the attribute indexes. A tenant's custom schemas (customschema.go) build kinds of their own
// at run time; only the built-in kinds intern their names, at init, since the table is not
// safe for concurrent writes.
func (k *kind) build() {
	k.fs = filter.SchemaOf(k.core, k.exts...)
	k.validating = withExternalID(k.core)
	k.check = newValidator(k.validating.ID, k.validating.Attributes)
	k.coreIdx = newAttrIndex(k.core.Attributes, commonAttrs)
	k.extChecks, k.extIdx = nil, nil
	for _, e := range k.exts {
		v := newValidator(e.ID, e.Attributes)
		if !containsFold(builtinSchemas, e.ID) {
			v.dropNever() // customschema.go
		}
		k.extChecks = append(k.extChecks, v)
		k.extIdx = append(k.extIdx, newAttrIndex(e.Attributes))
	}
	k.only = []*kind{k}
	k.unique = uniqueAttrs(k.exts)
	k.immutable = immutableAttrs(k.exts)
	k.buildCustom()
}

// is reports whether k is resource type b: b itself, or a tenant's copy of b with custom
// extensions (same position in kinds).
func (k *kind) is(b *kind) bool { return k.index == b.index }

// kindByEndpoint returns the kind served under the path segment ep ("Users", "Groups").
func kindByEndpoint(ep string) *kind {
	for _, k := range kinds {
		if k.endpoint == ep {
			return k
		}
	}
	return nil
}

// ext returns the extension schema with the given URN, matched case-insensitively (attribute
// names and URNs are case-insensitive, RFC 7643 §2.1).
func (k *kind) ext(urn string) (schema.Schema, bool) {
	for _, e := range k.exts {
		if strings.EqualFold(e.ID, urn) {
			return e, true
		}
	}
	return schema.Schema{}, false
}

// commonAttrs are the attributes RFC 7643 §3.1 gives every resource; elimity's schemas leave
// them out.
var commonAttrs = schema.Attributes(schema.CommonAttributes())

// attr finds the definition of a top-level attribute: in the core schema (and the common
// attributes) when urn is empty or the core URN, in the extension otherwise.
func (k *kind) attr(urn, name string) (schema.CoreAttribute, bool) {
	if urn == "" || strings.EqualFold(urn, k.core.ID) {
		return k.coreIdx.get(name)
	}
	for i, e := range k.exts {
		if strings.EqualFold(e.ID, urn) {
			return k.extIdx[i].get(name)
		}
	}
	return schema.CoreAttribute{}, false
}

// validate checks a resource's attributes against the kind's schemas, as elimity does for POST
// and PUT bodies: names are matched case-insensitively and canonicalised, values are checked
// and converted (json.Number to int64 or float64), extension data is validated under its URN.
// PATCH results go through it again, since elimity validates the operations, not their outcome.
func (k *kind) validate(attrs map[string]any) (map[string]any, error) {
	in := make(map[string]any, len(attrs)+1)
	for name, v := range attrs {
		in[name] = v
	}
	in["schemas"] = []any{k.core.ID}
	out, se := k.check.resource(in, true)
	if se != nil {
		return nil, *se
	}
	for i, e := range k.exts {
		v, ok := attrs[e.ID]
		if !ok || v == nil {
			continue
		}
		ext, se := k.extChecks[i].resource(v, false)
		if se != nil {
			return nil, *se
		}
		out[e.ID] = ext
	}
	return out, k.checkRequiredExts(out)
}

// withExternalID returns s plus externalId, a common attribute (RFC 7643 §3.1) that elimity
// validates on every resource type.
func withExternalID(s schema.Schema) schema.Schema {
	attrs := make([]schema.CoreAttribute, len(s.Attributes), len(s.Attributes)+1)
	copy(attrs, s.Attributes)
	s.Attributes = append(attrs, schema.SimpleCoreAttribute(schema.SimpleStringParams(schema.StringParams{
		CaseExact:  true,
		Mutability: schema.AttributeMutabilityReadWrite(),
		Name:       "externalId",
		Uniqueness: schema.AttributeUniquenessNone(),
	})))
	return s
}
