package simulator

import (
	"maps"
	"strings"

	"github.com/elimity-com/scim/schema"

	"github.com/scimsim/scimsim/simulator/filter"
	"github.com/scimsim/scimsim/simulator/resource"
	"github.com/scimsim/scimsim/wire"
)

// kind is one resource type as a tenant serves it: its schemas (typ, the model's view of them,
// with the attribute tables), its memdb table, its validators and its uniqueness rules.
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
	typ        *resource.Type // core and exts with their attribute tables; fs is typ.Filter
	only       []*kind        // the kind alone, what a query of its endpoint reads
	unique     []uniqueAttr   // extension attributes with uniqueness server or global (customunique.go)
	immutable  []uniqueAttr   // extension attributes whose mutability is immutable
	custom     bool           // a resource type of a tenant's own, core schema and all (customtypes.go)
	required   []bool         // per extension: schemaExtensions[].required (RFC 7643 §6)
	requested  []resource.Ref // custom attributes returned "request" (customtypes.go)
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
		"add", "replace", "remove", "work", "home", "other", "mobile", "fax", "User", "Group", wire.PatchOpSchema, wire.SearchRequestSchema} {
		intern(s)
	}
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
	k.typ = resource.NewType(k.name, k.core, k.exts)
	k.fs = k.typ.Filter
	k.validating = withExternalID(k.core)
	k.check = newValidator(k.validating.ID, k.validating.Attributes)
	k.check.notAttributes("schemas", "meta")
	k.extChecks = nil
	for _, e := range k.exts {
		k.check.notAttributes(e.ID)
		v := newValidator(e.ID, e.Attributes)
		if !containsFold(builtinSchemas, e.ID) {
			v.dropNever() // customschema.go
		}
		k.extChecks = append(k.extChecks, v)
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

// ext returns the extension schema with the given URN, matched case-insensitively. It reads
// k.exts rather than k.typ, so that it also answers while the kind is being put together
// (customKinds, newKind), before build.
func (k *kind) ext(urn string) (schema.Schema, bool) {
	for _, e := range k.exts {
		if strings.EqualFold(e.ID, urn) {
			return e, true
		}
	}
	return schema.Schema{}, false
}

// returnedNever reports whether the core attribute name is returned "never" (RFC 7643 §7): the
// password, which no stored document keeps.
func (k *kind) returnedNever(name string) bool {
	i := k.check.position(name)
	return i >= 0 && k.check.attrs[i].returnedNever
}

// attr finds the definition of a top-level attribute (resource.Type.Attr).
func (k *kind) attr(urn, name string) (schema.CoreAttribute, bool) { return k.typ.Attr(urn, name) }

// validate checks a resource's attributes against the kind's schemas, as elimity does for POST
// and PUT bodies: names are matched case-insensitively and canonicalised, values are checked
// and converted (json.Number to int64 or float64), extension data is validated under its URN.
// PATCH results go through it again, since elimity validates the operations, not their outcome.
// attrs is not modified.
func (k *kind) validate(attrs map[string]any) (map[string]any, error) {
	in := make(map[string]any, len(attrs)+1)
	maps.Copy(in, attrs)
	in["schemas"] = []any{k.core.ID}
	return k.validateDoc(in, false)
}

// validateDoc is elimity's ResourceType.validate of doc: the core schema plus externalId checked
// as Schema.Validate does (which requires the core URN in "schemas"), and each extension present
// checked under its URN, by the kind's validators (validate.go); its errors are elimity's. With
// take, doc is the validators' to consume (validator.take): a body nothing reads afterwards.
func (k *kind) validateDoc(doc map[string]any, take bool) (map[string]any, error) {
	check := (*validator).resource
	if take {
		check = (*validator).take
	}
	// The core validation may take doc, and leaves out the extensions' members: read them first.
	var extBuf [4]any
	exts := extBuf[:0]
	for _, e := range k.exts {
		exts = append(exts, doc[e.ID])
	}
	attrs, se := check(k.check, doc, true)
	if se != nil {
		return nil, *se
	}
	for i, e := range k.exts {
		if exts[i] == nil {
			continue
		}
		ext, se := check(k.extChecks[i], exts[i], false)
		if se != nil {
			return nil, *se
		}
		attrs[e.ID] = ext
	}
	return attrs, k.checkRequiredExts(attrs)
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
