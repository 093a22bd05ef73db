package simulator

import (
	"strings"

	"github.com/elimity-com/scim/schema"

	"github.com/scimsim/scimsim/simulator/filter"
)

// Schema URNs the simulator serves (RFC 7643 §4 and §8.7.1) and the message URNs of RFC 7644 §3.
const (
	userURN          = schema.UserSchema
	groupURN         = schema.GroupSchema
	enterpriseURN    = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	listResponseURN  = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	searchRequestURN = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
	patchOpURN       = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	errorURN         = "urn:ietf:params:scim:api:messages:2.0:Error"
	spcURN           = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
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
		k.fs = filter.SchemaOf(k.core, k.exts...)
		k.validating = withExternalID(k.core)
	}
}

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
		if a, ok := schema.Attributes(k.core.Attributes).ContainsAttribute(name); ok {
			return a, true
		}
		return commonAttrs.ContainsAttribute(name)
	}
	e, ok := k.ext(urn)
	if !ok {
		return schema.CoreAttribute{}, false
	}
	return schema.Attributes(e.Attributes).ContainsAttribute(name)
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
	out, se := k.validating.Validate(in)
	if se != nil {
		return nil, *se
	}
	for _, e := range k.exts {
		v, ok := attrs[e.ID]
		if !ok || v == nil {
			continue
		}
		ext, se := e.ValidateExtension(v)
		if se != nil {
			return nil, *se
		}
		out[e.ID] = ext
	}
	return out, nil
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
