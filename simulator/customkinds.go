package simulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/elimity-com/scim/schema"
	"github.com/labstack/echo/v4"
	"go.yaml.in/yaml/v3"

	"github.com/scimsim/scimsim/internal/decode"
)

// CustomSchemas are a tenant's schemas beyond the built-in ones (customschema.go), and which
// resource type each extends.
type CustomSchemas struct {
	Schemas []schema.Schema
	// ResourceTypes, RFC 7643 Section 6 resources, say which resource type each schema extends.
	// A schema no resource type names extends User when its id ends in ":User", Group when it
	// ends in ":Group".
	ResourceTypes []ResourceTypeSpec
}

// ResourceTypeSpec is an RFC 7643 Section 6 resource type, as a --resource-types file holds it.
type ResourceTypeSpec struct {
	ID               string          `json:"id,omitempty" yaml:"id"`
	Name             string          `json:"name" yaml:"name"`
	Endpoint         string          `json:"endpoint" yaml:"endpoint"`
	Description      string          `json:"description,omitempty" yaml:"description"`
	Schema           string          `json:"schema" yaml:"schema"`
	SchemaExtensions []ExtensionSpec `json:"schemaExtensions,omitempty" yaml:"schemaExtensions"`
	Schemas          []string        `json:"schemas,omitempty" yaml:"schemas"`
	Meta             map[string]any  `json:"meta,omitempty" yaml:"meta"`
}

// ExtensionSpec is one of a resource type's schemaExtensions.
type ExtensionSpec struct {
	Schema   string `json:"schema" yaml:"schema"`
	Required bool   `json:"required" yaml:"required"`
}

// LoadResourceTypes reads RFC 7643 Section 6 resource types from b, the file name: one object or
// a list (a ListResponse's Resources too).
func LoadResourceTypes(name string, b []byte) ([]ResourceTypeSpec, error) {
	root, err := decode.Document(name, b, "resource type file")
	if err != nil {
		return nil, err
	}
	if res := decode.Find(root, "Resources"); root != res && res.Kind == yaml.SequenceNode {
		root = res
	}
	d := decode.New(name)
	var out []ResourceTypeSpec
	if root.Kind == yaml.SequenceNode {
		d.Strict(root, &out, "the resource type file")
	} else {
		var one ResourceTypeSpec
		d.Strict(root, &one, "the resource type")
		out = []ResourceTypeSpec{one}
	}
	if err := d.Err(); err != nil {
		return nil, err
	}
	for i, rt := range out {
		if rt.Schema == "" {
			return nil, decode.Errorf(d.At(root, fmt.Sprint(i)), decode.Index("", i), "resource type %q needs a schema", rt.Name)
		}
	}
	return out, nil
}

// schemaSet is a tenant's resource types when it has custom schemas: its own kinds (copies of
// the built-in ones with the extensions added), which its routes and /Schemas and /ResourceTypes
// (discovery.go) serve.
type schemaSet struct {
	custom CustomSchemas
	kinds  []*kind
	own    bool // set for the tenant itself (SetSchemas), not the server's: a state file keeps it
}

// kinds returns the tenant's resource types, in the order of the built-in kinds.
func (t *Tenant) kinds() []*kind {
	if s := t.schemas.Load(); s != nil {
		return s.kinds
	}
	return kinds
}

// kindOf returns the tenant's version of built-in kind b.
func (t *Tenant) kindOf(b *kind) *kind { return t.kinds()[b.index] }

// kindByEndpoint returns the tenant's kind served under the path segment ep.
func (t *Tenant) kindByEndpoint(ep string) *kind {
	for _, k := range t.kinds() {
		if k.endpoint == ep {
			return k
		}
	}
	return nil
}

// Schemas returns the tenant's custom schemas.
func (t *Tenant) Schemas() CustomSchemas {
	if s := t.schemas.Load(); s != nil {
		return s.custom
	}
	return CustomSchemas{}
}

// SetSchemas replaces the tenant's custom schemas; an empty set returns it to the built-in ones.
// Stored resources are kept as they are: a resource holding an extension the new set lacks keeps
// it until it is next written. The resources of a resource type of the tenant's own that the new
// set no longer has are deleted with it (customstore.go). The state file keeps the schemas, and
// Reset leaves them: they are the tenant's configuration, as its profile and token are.
func (t *Tenant) SetSchemas(cs CustomSchemas) error {
	set, err := newSchemaSet(cs, true)
	if err != nil {
		return fmt.Errorf("tenant %q: %w", t.name, err)
	}
	return t.commit(func(w *writer) error { return w.useSchemas(set) })
}

// customKinds returns copies of the built-in kinds with each custom schema added as an
// extension of the resource type it extends, then the resource types whose schema is a custom
// one, as kinds of their own (customtypes.go).
func customKinds(cs CustomSchemas) ([]*kind, error) {
	byName := map[string]*kind{}
	out := make([]*kind, len(kinds))
	for i, b := range kinds {
		k := *b
		k.exts = append([]schema.Schema(nil), b.exts...)
		k.required = append([]bool(nil), b.required...)
		out[i] = &k
		byName[strings.ToLower(b.name)] = &k
		byName[strings.ToLower(b.core.ID)] = &k
		byName[strings.ToLower("/"+b.endpoint)] = &k
	}
	byID := map[string]schema.Schema{}
	for _, s := range cs.Schemas {
		byID[strings.ToLower(s.ID)] = s
	}
	target := map[string]*kind{}
	required := map[string]bool{}
	own := map[string]bool{} // schemas a new resource type holds, as its core or an extension
	for _, rt := range cs.ResourceTypes {
		if k := byName[strings.ToLower(rt.Schema)]; k != nil {
			for _, e := range rt.SchemaExtensions {
				target[strings.ToLower(e.Schema)] = k
				required[strings.ToLower(e.Schema)] = e.Required
			}
			continue
		}
		k, ok, err := newKind(rt, len(out), byID)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("resource type %q (schema %q, endpoint %q): the schema is neither User, Group nor one of the schemas given", rt.Name, rt.Schema, rt.Endpoint)
		}
		own[strings.ToLower(k.core.ID)] = true
		for _, e := range k.exts {
			own[strings.ToLower(e.ID)] = true
		}
		out = append(out, k)
	}
	if err := checkNewKinds(out); err != nil {
		return nil, err
	}
	for _, s := range cs.Schemas {
		k := target[strings.ToLower(s.ID)]
		if k == nil {
			switch {
			case own[strings.ToLower(s.ID)]:
				continue
			case strings.HasSuffix(s.ID, ":User"):
				k = out[userKind.index]
			case strings.HasSuffix(s.ID, ":Group"):
				k = out[groupKind.index]
			default:
				return nil, fmt.Errorf("schema %q extends no resource type: its id ends neither in :User nor in :Group, and no resource type lists it as its schema or in schemaExtensions", s.ID)
			}
		}
		if _, dup := k.ext(s.ID); dup {
			return nil, fmt.Errorf("schema %q is already an extension of %s", s.ID, k.name)
		}
		k.exts = append(k.exts, s)
		k.required = append(k.required, required[strings.ToLower(s.ID)])
	}
	for _, k := range out {
		k.build()
	}
	return out, nil
}

// MarshalJSON writes the schemas as GET /Schemas lists them and the resource types as given.
func (cs CustomSchemas) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Schemas       []schema.Schema    `json:"schemas"`
		ResourceTypes []ResourceTypeSpec `json:"resourceTypes,omitempty"`
	}{cs.Schemas, cs.ResourceTypes})
}

// tenantPathName reads the {name} of /admin/tenants/{name}, for a PUT: "default" is the default
// tenant, ""; any other name must be one ValidTenantName allows.
func tenantPathName(c echo.Context) (string, error) {
	name := c.Param("name")
	if name == "default" {
		return "", nil
	}
	if !ValidTenantName(name) {
		return "", badTenantName(name)
	}
	return name, nil
}

func badTenantName(name string) error {
	return adminErr(http.StatusBadRequest, "tenant %q: names are 1 to 64 letters, digits, '.', '_' and '-'", name)
}

// adminPutSchemas serves PUT /admin/tenants/{name}/schemas: the body is what a --schema file
// holds (one schema resource, a list, or a ListResponse of them), with the server's resource
// types (--resource-types), or {"schemas": [...], "resourceTypes": [...]} as GET returns it,
// whose resource types replace the server's (new resource types of the tenant's own among them);
// [] returns the tenant to the built-in schemas.
func (s *Server) adminPutSchemas(c echo.Context) error {
	name, err := tenantPathName(c)
	if err != nil {
		return err
	}
	body, err := readBody(c, DefaultMaxBody)
	if err != nil {
		return adminErr(http.StatusRequestEntityTooLarge, "request body exceeds %d bytes", DefaultMaxBody)
	}
	var cs CustomSchemas
	switch {
	case strings.TrimSpace(string(body)) == "[]":
	case isSchemasBody(body): // customstore.go
		if cs, err = decodeCustomSchemas("body", body); err != nil {
			return adminErr(http.StatusBadRequest, "%v", err)
		}
		if cs.ResourceTypes == nil {
			cs.ResourceTypes = s.opts.schemas.ResourceTypes
		}
	default:
		if cs.Schemas, err = LoadSchemas("body", body); err != nil {
			return adminErr(http.StatusBadRequest, "%v", err)
		}
		cs.ResourceTypes = s.opts.schemas.ResourceTypes
	}
	t, err := s.tenant(name, true)
	if err != nil {
		return adminErr(http.StatusBadRequest, "tenant %q: %v", name, err)
	}
	s.touch(t)
	if err := t.SetSchemas(cs); err != nil {
		return adminErr(http.StatusBadRequest, "%v", err)
	}
	return c.JSON(http.StatusOK, t.Schemas())
}

// adminGetSchemas serves GET /admin/tenants/{name}/schemas: the tenant's custom schemas.
func (s *Server) adminGetSchemas(c echo.Context) error {
	name := c.Param("name")
	if name == "default" {
		name = ""
	}
	t, ok := s.lookup(name)
	if !ok {
		return adminErr(http.StatusNotFound, "no tenant %q", name)
	}
	return c.JSON(http.StatusOK, t.Schemas())
}

// LoadSchemaFiles reads `serve --schema` files (LoadSchemas) and a `--resource-types` file
// (LoadResourceTypes; "" for none), and checks that every schema extends a resource type.
func LoadSchemaFiles(schemaFiles []string, resourceTypes string) (CustomSchemas, error) {
	var cs CustomSchemas
	for _, name := range schemaFiles {
		b, err := os.ReadFile(name)
		if err != nil {
			return cs, err
		}
		s, err := LoadSchemas(name, b)
		if err != nil {
			return cs, err
		}
		cs.Schemas = append(cs.Schemas, s...)
	}
	if resourceTypes != "" {
		b, err := os.ReadFile(resourceTypes)
		if err != nil {
			return cs, err
		}
		if cs.ResourceTypes, err = LoadResourceTypes(resourceTypes, b); err != nil {
			return cs, err
		}
	}
	if _, err := customKinds(cs); err != nil {
		return cs, err
	}
	return cs, nil
}
