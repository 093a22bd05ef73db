package simulator

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/elimity-com/scim/schema"
	"github.com/labstack/echo/v4"

	"github.com/scimsim/scimsim/wire"
)

// The discovery endpoints (RFC 7644 §4): /ServiceProviderConfig, /ResourceTypes and /Schemas,
// with the single resources /ResourceTypes/{id} and /Schemas/{id}, and what every other path and
// method of a tenant's SCIM base answers (fallback). The documents are built from the schemas the
// tenant serves (kinds); elimity's schema package renders each schema's attributes.

// Pagination limits of RFC 9865 cursors (cursor.go), advertised in /ServiceProviderConfig.
const cursorTimeoutSeconds = 3600

// serviceProviderConfig answers what the simulator really supports (RFC 7643 §5), with the
// pagination capabilities of RFC 9865 §4: both methods, index the default (§2.4: a provider that
// paged by index before keeps index as its default, so that existing clients see no change).
func (s *Server) serviceProviderConfig(c echo.Context) error {
	st := state(c)
	doc := map[string]any{
		"schemas":          []string{wire.ServiceProviderConfigSchema},
		"documentationUri": "https://github.com/scimsim/scimsim",
		"patch":            map[string]any{"supported": true},
		// RFC 7644 §3.7: bulk is optional; /Bulk answers 501 (fallback).
		"bulk":           map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
		"filter":         map[string]any{"supported": true, "maxResults": maxCount},
		"changePassword": map[string]any{"supported": false},
		"sort":           map[string]any{"supported": true},
		"etag":           map[string]any{"supported": true},
		"pagination": map[string]any{
			"cursor":                  true,
			"index":                   true,
			"defaultPaginationMethod": "index",
			"defaultPageSize":         defaultCount,
			"maxPageSize":             maxCount,
			"cursorTimeout":           cursorTimeoutSeconds,
		},
		"authenticationSchemes": []map[string]any{st.tenant.authenticationScheme()},
		"meta":                  map[string]any{"resourceType": "ServiceProviderConfig", "location": st.base.url + "/ServiceProviderConfig"},
	}
	return writeJSON(c, http.StatusOK, doc)
}

// authenticationScheme is the scheme the tenant takes, as /ServiceProviderConfig lists it (RFC
// 7643 §5, whose types include "oauthbearertoken" and "httpbasic").
func (t *Tenant) authenticationScheme() map[string]any {
	if t.basic() {
		return map[string]any{
			"type": "httpbasic", "name": "HTTP Basic", "primary": true,
			"description": "Authentication scheme using the HTTP Basic Standard",
			"specUri":     "https://www.rfc-editor.org/info/rfc7617",
		}
	}
	return map[string]any{
		"type": "oauthbearertoken", "name": "OAuth Bearer Token", "primary": true,
		"description": "Authentication scheme using the OAuth Bearer Token Standard",
		"specUri":     "https://www.rfc-editor.org/info/rfc6750",
	}
}

// describe is a resource type's description, as RFC 7643 §8.6 words the two core types.
func describe(k *kind) string {
	if k.is(userKind) {
		return "User Account"
	}
	return k.name
}

// resourceTypeDoc is the ResourceType resource of k (RFC 7643 §6).
func resourceTypeDoc(k *kind, b base) map[string]any {
	exts := make([]map[string]any, 0, len(k.exts))
	for i, e := range k.exts {
		exts = append(exts, map[string]any{"schema": e.ID, "required": k.required[i]})
	}
	return map[string]any{
		"schemas":          []string{wire.ResourceTypeSchema},
		"id":               k.name,
		"name":             k.name,
		"description":      describe(k),
		"endpoint":         "/" + k.endpoint,
		"schema":           k.core.ID,
		"schemaExtensions": exts,
		"meta":             map[string]any{"resourceType": "ResourceType", "location": b.url + "/ResourceTypes/" + url.PathEscape(k.name)},
	}
}

// servedSchemas lists the schemas /Schemas returns: the three that describe the discovery
// resources themselves (RFC 7643 §5, §6, §7), then each resource type's core schema and its
// extensions, each once, in the order elimity's server listed them.
func servedSchemas(ks []*kind) []schema.Schema {
	out := []schema.Schema{schema.Definition(), schema.ResourceTypeSchema(), schema.ServiceProviderConfigSchema()}
	seen := map[string]bool{}
	for _, k := range ks {
		for _, s := range append([]schema.Schema{k.core}, k.exts...) {
			if !seen[s.ID] {
				seen[s.ID] = true
				out = append(out, s)
			}
		}
	}
	return out
}

// schemaDoc is the Schema resource of s (RFC 7643 §7), with the meta of §8.7.1's examples.
func schemaDoc(s schema.Schema, b base) map[string]any {
	doc := s.ToMap()
	doc["meta"] = map[string]any{"resourceType": "Schema", "location": b.url + "/Schemas/" + s.ID}
	return doc
}

// resourceTypes serves GET /ResourceTypes and /ResourceTypes/{id}.
func (s *Server) resourceTypes(c echo.Context) error {
	st := state(c)
	ks := st.tenant.kinds()
	var docs []any
	for _, k := range ks {
		docs = append(docs, resourceTypeDoc(k, st.base))
	}
	return s.discoveryList(c, docs, "/ResourceTypes", func(i int) string { return ks[i].name })
}

// schemas serves GET /Schemas and /Schemas/{id}.
func (s *Server) schemas(c echo.Context) error {
	st := state(c)
	list := servedSchemas(st.tenant.kinds())
	docs := make([]any, len(list))
	for i, sc := range list {
		docs[i] = schemaDoc(sc, st.base)
	}
	return s.discoveryList(c, docs, "/Schemas", func(i int) string { return list[i].ID })
}

// discoveryList answers a discovery collection: the resource whose id follows the collection's
// path (404 when none has it), or the ListResponse of all of them: the simulator takes no filter,
// sort or paging parameter on the discovery endpoints, so every resource is returned, and
// itemsPerPage is their number (RFC 7644 §3.4.2: "The number of resources returned in a list
// response page").
func (s *Server) discoveryList(c echo.Context, docs []any, path string, id func(int) string) error {
	st := state(c)
	if rest, ok := strings.CutPrefix(st.rel, path+"/"); ok {
		want, err := url.PathUnescape(rest)
		if err != nil {
			want = rest
		}
		for i := range docs {
			if id(i) == want {
				return writeJSON(c, http.StatusOK, docs[i])
			}
		}
		return scimErr(http.StatusNotFound, "", "%s %q not found", strings.TrimPrefix(path, "/"), want)
	}
	if st.rel != path {
		return fallbackErr(c)
	}
	return writeJSON(c, http.StatusOK, map[string]any{
		"schemas":      []string{wire.ListResponseSchema},
		"totalResults": len(docs),
		"itemsPerPage": len(docs),
		"startIndex":   1,
		"Resources":    docs,
	})
}

func writeJSON(c echo.Context, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.Blob(status, scimContentType, b)
}

// allowedMethods returns the methods the path rel (below a tenant's SCIM base) takes, in the
// order an Allow header lists them; ok is false for a path the simulator does not serve.
func allowedMethods(rel string, k *kind) (methods []string, ok bool) {
	seg := strings.Split(strings.Trim(rel, "/"), "/")
	get := []string{http.MethodGet, http.MethodHead}
	switch {
	case rel == "" || rel == "/":
		return get, true
	case len(seg) == 1 && seg[0] == ".search":
		return []string{http.MethodPost}, true
	case seg[0] == "ServiceProviderConfig" && len(seg) == 1,
		seg[0] == "ResourceTypes" && len(seg) <= 2,
		seg[0] == "Schemas" && len(seg) <= 2:
		return get, true
	case seg[0] == "Bulk" && len(seg) == 1:
		return []string{http.MethodPost}, true
	}
	if k != nil || kindByEndpoint(seg[0]) != nil {
		switch {
		case len(seg) == 1:
			return []string{http.MethodGet, http.MethodHead, http.MethodPost}, true
		case len(seg) == 2 && seg[1] == ".search":
			return []string{http.MethodPost}, true
		case len(seg) == 2:
			return []string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodPatch, http.MethodDelete}, true
		}
	}
	return nil, false
}

// fallback answers every request no route of the simulator serves: 501 for the optional features
// it does not implement (RFC 7644 §3.7 Bulk, advertised bulk.supported false; §3.11 /Me, "SHOULD
// respond with HTTP status code 501"), 405 with Allow for a method a served path does not take
// (RFC 9110 §15.5.6: the origin server MUST generate an Allow header), 404 otherwise.
func (s *Server) fallback(c echo.Context) error { return fallbackErr(c) }

func fallbackErr(c echo.Context) error {
	st := state(c)
	rel := st.rel
	switch seg := strings.Trim(rel, "/"); {
	case seg == "Me" || strings.HasPrefix(seg, "Me/"):
		return scimErr(http.StatusNotImplemented, "", "the /Me alias (RFC 7644 §3.11) is not supported")
	case seg == "Bulk" && c.Request().Method == http.MethodPost:
		return scimErr(http.StatusNotImplemented, "", "bulk operations (RFC 7644 §3.7) are not supported: see bulk.supported in /ServiceProviderConfig")
	}
	methods, ok := allowedMethods(rel, st.kind)
	if !ok {
		return scimErr(http.StatusNotFound, "", "Specified endpoint does not exist.")
	}
	allow := strings.Join(methods, ", ")
	c.Response().Header().Set("Allow", allow)
	return scimErr(http.StatusMethodNotAllowed, "", "%s %s: the endpoint takes %s", c.Request().Method, strconv.Quote(rel), allow)
}

// headWriter drops the body of a HEAD answer: RFC 9110 §9.3.2, HEAD is GET without content.
type headWriter struct{ http.ResponseWriter }

func (headWriter) Write(b []byte) (int, error) { return len(b), nil }

// asGet serves a HEAD request with the GET route's handler: the same status and header fields,
// no body. The journal, which reads the request before this runs, keeps HEAD.
func asGet(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		g := r.Clone(r.Context())
		g.Method = http.MethodGet
		c.SetRequest(g)
		res := c.Response()
		w := res.Writer
		res.Writer = headWriter{w}
		err := next(c)
		if err != nil {
			c.Error(err) // rendered now, through headWriter
		}
		res.Writer = w
		c.SetRequest(r)
		return nil
	}
}
