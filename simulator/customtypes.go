package simulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/elimity-com/scim/schema"
	"github.com/labstack/echo/v4"

	"github.com/scimsim/scimsim/simulator/resource"
)

// New resource types: a --resource-types entry (RFC 7643 Section 6) whose schema is a custom
// schema, not User or Group, is a resource type of its own. It is a kind like the built-in ones
// (schema.go): a table of the tenant's store (store.go), the routes of scimRoutes under its
// endpoint (customRoutes), the root queries, /ResourceTypes and /Schemas, the faults (which match
// the endpoint by name), the journal and the state file. What only Users and Groups have stays
// theirs: the userName and displayName indexes, group membership, Entra's matching rules.

// maxKinds caps a tenant's resource types: User, Group and up to 14 of its own. The store keeps a
// count of each in a fixed array, read on every list without a lock.
const maxKinds = 16

// endpointName is what a new resource type's endpoint may be, after its leading "/": a path
// segment of letters, digits, '-' and '_', starting with a letter (RFC 7643 Section 6:
// "The resource type's HTTP-addressable endpoint relative to the Base URL, e.g., '/Users'").
var endpointName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,63}$`)

// reservedEndpoints are the path segments below a SCIM base that mean something else (RFC 7644
// Sections 3.2, 3.7, 3.11 and 4).
var reservedEndpoints = []string{"Users", "Groups", "Schemas", "ResourceTypes", "ServiceProviderConfig", "Bulk", "Me"}

// newKind returns the resource type rt as a kind of its own at position index, its core schema
// and extensions taken from byID (the custom schemas, by lower-case id). It reports false when
// rt's schema is not one of them.
func newKind(rt ResourceTypeSpec, index int, byID map[string]schema.Schema) (*kind, bool, error) {
	core, ok := byID[strings.ToLower(rt.Schema)]
	if !ok {
		return nil, false, nil
	}
	where := fmt.Sprintf("resource type %q (schema %q, endpoint %q)", rt.Name, rt.Schema, rt.Endpoint)
	ep := strings.TrimPrefix(rt.Endpoint, "/")
	switch {
	case index >= maxKinds:
		return nil, true, fmt.Errorf("%s: a tenant serves at most %d resource types of its own", where, maxKinds-2)
	case rt.Name == "" || strings.ContainsAny(rt.Name, "/?#%"):
		return nil, true, fmt.Errorf("%s: the name is required and holds no '/', '?', '#' or '%%'", where)
	case !endpointName.MatchString(ep):
		return nil, true, fmt.Errorf("%s: the endpoint is '/' and a path segment of letters, digits, '-' and '_' starting with a letter", where)
	case containsFold(reservedEndpoints, ep):
		return nil, true, fmt.Errorf("%s: /%s is an endpoint of SCIM itself (RFC 7644 Sections 3 and 4)", where, ep)
	}
	k := &kind{index: index, name: rt.Name, endpoint: ep, core: core, custom: true}
	for _, e := range rt.SchemaExtensions {
		s, ok := byID[strings.ToLower(e.Schema)]
		if !ok {
			return nil, true, fmt.Errorf("%s: extension %q is not one of the schemas given", where, e.Schema)
		}
		if strings.EqualFold(s.ID, core.ID) {
			return nil, true, fmt.Errorf("%s: extension %q is the resource type's own schema", where, e.Schema)
		}
		if _, dup := k.ext(s.ID); dup {
			return nil, true, fmt.Errorf("%s: extension %q is listed twice", where, e.Schema)
		}
		k.exts = append(k.exts, s)
		k.required = append(k.required, e.Required)
	}
	return k, true, nil
}

// checkNewKinds refuses two resource types with one name or endpoint, or a schema that is the
// core schema of one resource type and an extension of another.
func checkNewKinds(ks []*kind) error {
	names, eps, cores := map[string]string{}, map[string]string{}, map[string]string{}
	for _, k := range ks {
		for _, c := range []struct {
			seen  map[string]string
			key   string
			label string
		}{{names, strings.ToLower(k.name), "name"}, {eps, strings.ToLower(k.endpoint), "endpoint"}} {
			if other, dup := c.seen[c.key]; dup {
				return fmt.Errorf("resource types %q and %q have the same %s", other, k.name, c.label)
			}
			c.seen[c.key] = k.name
		}
		cores[strings.ToLower(k.core.ID)] = k.name
	}
	for _, k := range ks {
		for _, e := range k.exts {
			if other, ok := cores[strings.ToLower(e.ID)]; ok {
				return fmt.Errorf("schema %q is the core schema of %q and cannot also extend %s", e.ID, other, k.name)
			}
		}
	}
	return nil
}

// buildCustom derives what a kind with custom schemas needs beyond build: a custom core schema
// keeps no attribute returned "never" and has its unique and immutable attributes enforced as an
// extension's are (customunique.go); attributes returned "request" are listed for projection.
func (k *kind) buildCustom() {
	if k.custom {
		k.check.dropNever()
		core := schema.Schema{Attributes: k.core.Attributes} // urn "": the attributes of the document
		k.unique = append(uniqueAttrs([]schema.Schema{core}), k.unique...)
		k.immutable = append(immutableAttrs([]schema.Schema{core}), k.immutable...)
	}
	if len(k.required) < len(k.exts) {
		// A copy of User or Group: the built-in extensions and those a resource type lists.
		k.required = append(k.required, make([]bool, len(k.exts)-len(k.required))...)
	}
	k.requested = nil
	if k.custom {
		k.requested = requestedAttrs("", k.core.Attributes)
	}
	for _, e := range k.exts {
		if !containsFold(builtinSchemas, e.ID) {
			k.requested = append(k.requested, requestedAttrs(e.ID, e.Attributes)...)
		}
	}
}

// requestedAttrs returns the attributes (and sub-attributes) of a schema returned "request": RFC
// 7643 Section 7, "The attribute is returned in a SCIM query operation only if specified in the
// 'attributes' parameter".
func requestedAttrs(urn string, attrs []schema.CoreAttribute) []resource.Ref {
	var out []resource.Ref
	for _, a := range attrs {
		if a.Returned() == "request" {
			out = append(out, resource.Ref{URN: urn, Attr: a.Name()})
			continue
		}
		for _, s := range a.SubAttributes() {
			if s.Returned() == "request" {
				out = append(out, resource.Ref{URN: urn, Attr: a.Name(), Sub: s.Name()})
			}
		}
	}
	return out
}

// withoutRequested removes from doc the attributes returned "request" that include does not name
// (RFC 7643 Section 7); with include, project copied only those it names already.
func withoutRequested(k *kind, doc map[string]any, include []resource.Ref) map[string]any {
	if len(include) > 0 {
		return doc
	}
	for _, p := range k.requested {
		resource.RemovePath(doc, p)
	}
	return doc
}

// patchReply is the body of a PATCH's 200 without the attributes returned "request" that the
// operations did not name: RFC 7643 Section 7 returns such an attribute "in response to any PUT,
// POST, or PATCH operations if the attribute was specified by the client (for example, the
// attribute was modified)". A POST or PUT specified every attribute it stores; a PATCH only those
// its operations name.
func patchReply(k *kind, body []byte, ops []patchOp) []byte {
	if len(k.requested) == 0 || body == nil {
		return body
	}
	var doc map[string]any
	if json.Unmarshal(body, &doc) != nil {
		return body
	}
	removed := false
	for _, ref := range k.requested {
		if !slices.ContainsFunc(ops, func(op patchOp) bool { return opNames(k, op, ref) }) {
			resource.RemovePath(doc, ref)
			removed = true
		}
	}
	if !removed {
		return body
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return body
	}
	return out
}

// opNames reports whether a PATCH operation names the attribute ref: by its path (the attribute,
// one of its sub-attributes or value filters, or the whole extension), or, without a path, by a
// key of its value (the attribute, a dotted sub-attribute, or the extension object holding it).
func opNames(k *kind, op patchOp, ref resource.Ref) bool {
	if op.Path == "" {
		value, _ := op.Value.(map[string]any)
		for key, v := range value {
			if ref.URN == "" && namesAttr(key, ref.Attr) {
				return true
			}
			if ref.URN != "" {
				if strings.EqualFold(key, ref.URN) {
					ext, _ := v.(map[string]any)
					for sub := range ext {
						if namesAttr(sub, ref.Attr) {
							return true
						}
					}
				} else if namesAttr(key, ref.URN+":"+ref.Attr) {
					return true
				}
			}
		}
		return false
	}
	path := op.Path
	if ref.URN == "" {
		if rest, ok := cutPrefixFold(path, k.core.ID+":"); ok {
			path = rest
		}
		return namesAttr(path, ref.Attr)
	}
	return strings.EqualFold(path, ref.URN) || namesAttr(path, ref.URN+":"+ref.Attr)
}

// namesAttr reports whether path is attr itself or starts with it followed by a sub-attribute
// or a value filter ("attr.sub", "attr[type eq \"x\"]"), case-insensitively (RFC 7643 §2.1).
func namesAttr(path, attr string) bool {
	rest, ok := cutPrefixFold(path, attr)
	return ok && (rest == "" || rest[0] == '.' || rest[0] == '[')
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return s, false
	}
	return s[len(prefix):], true
}

// checkRequiredExts refuses a resource without an extension its resource type requires: RFC
// 7643 Section 6, schemaExtensions.required, "If true, a resource of this type MUST include this
// schema extension". attrs is the validated resource (an extension's data under its URN).
func (k *kind) checkRequiredExts(attrs map[string]any) error {
	for i, e := range k.exts {
		if !k.required[i] {
			continue
		}
		if ext, ok := attrs[e.ID].(map[string]any); !ok || len(ext) == 0 {
			return invalidValue("%s requires the extension %s: the resource holds none of its attributes (RFC 7643 §6)", k.name, e.ID)
		}
	}
	return nil
}

// customOnly serves a route registered for the tenants' own resource types (customRoutes): the
// path's first segment must name one of the tenant's (enter resolved it into st.kind), and any
// other path is answered as no route served it.
func customOnly(h echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if st := state(c); st.kind == nil || !st.kind.custom {
			return fallbackErr(c)
		}
		return h(c)
	}
}

// customRoutes registers under prefix the routes of the built-in resource types for an endpoint
// named by a path parameter, so that a tenant's own resource types are served with the same
// handlers; echo prefers the static routes of Users, Groups and the discovery endpoints.
func (s *Server) customRoutes(add func(method, path string, h echo.HandlerFunc)) {
	add(http.MethodGet, "/:endpoint", customOnly(s.list))
	add(http.MethodGet, "/:endpoint/:id", customOnly(s.getOne))
	add(http.MethodPost, "/:endpoint/.search", customOnly(s.search))
	add(http.MethodPost, "/:endpoint", customOnly(s.create))
	add(http.MethodPut, "/:endpoint/:id", customOnly(s.replace))
	add(http.MethodPatch, "/:endpoint/:id", customOnly(s.patch))
	add(http.MethodDelete, "/:endpoint/:id", customOnly(s.remove))
}

// refsOf is of for a projection that may be nil (no attributes, no excludedAttributes): a
// resource type with attributes returned "request" is projected even then.
func (p *projection) refsOf(k *kind) (include, exclude []resource.Ref) {
	if p == nil {
		return nil, nil
	}
	return p.of(k)
}
