package faults

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

// dropAttribute accepts a write but does not store the named attributes: it strips them from a
// POST or PUT body, and from PATCH operations (RFC 7644 Section 3.5.2), before the handler runs.
// The client gets the usual 201/200/204, and the next read shows the attribute missing: Entra
// sees a change it cannot make stick and exports it again on every cycle.
//
// A PATCH whose operations all touch dropped attributes is answered 204 No Content without
// reaching the handler (the RFC allows no empty operation list).
type dropAttribute struct {
	writesOnly
	attrs []string
}

func newDropAttribute(_ Spec, a attrs, _ *lockedRand) Fault {
	return dropAttribute{attrs: a.strings("attribute")}
}

// The type's row of the fault registry (registry.go).
var _ = register(TypeInfo{Name: "drop_attribute", Description: "accepts a write but silently does not store the named attribute(s)",
	Attributes: []AttrInfo{{Name: "attribute", Type: StringList, Required: true, Description: "attribute path(s) to drop, e.g. title, name.givenName, urn:...:enterprise:2.0:User:manager"}},
	Example:    `{"type": "drop_attribute", "attributes": {"attribute": ["title"]}}`}, newDropAttribute)

func (f dropAttribute) Apply(c echo.Context, next echo.HandlerFunc) error {
	orig := c.Request()
	if orig.Body == nil || orig.Body == http.NoBody {
		miss(c)
		return next(c)
	}
	body, err := io.ReadAll(orig.Body)
	orig.Body.Close()
	if err != nil {
		// Hand the handler what was read and the same error, as if we had not been here.
		orig.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{err}))
		miss(c)
		return next(c)
	}
	orig.Body = io.NopCloser(bytes.NewReader(body)) // the original stays readable for the journal

	var changed, emptyPatch bool
	var out []byte
	if orig.Method == http.MethodPatch {
		out, changed, emptyPatch = f.dropFromPatch(body)
	} else {
		out, changed = f.dropFromResource(body)
	}
	if !changed {
		miss(c)
		return next(c)
	}
	if emptyPatch {
		return c.NoContent(http.StatusNoContent)
	}
	r := orig.Clone(orig.Context())
	r.Body = io.NopCloser(bytes.NewReader(out))
	r.ContentLength = int64(len(out))
	r.Header.Set(echo.HeaderContentLength, strconv.Itoa(len(out)))
	c.SetRequest(r)
	err = next(c)
	c.SetRequest(orig)
	orig.Body = io.NopCloser(bytes.NewReader(body))
	return err
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// dropFromResource removes the attributes from a resource body.
func (f dropAttribute) dropFromResource(body []byte) ([]byte, bool) {
	obj, ok := decodeObject(body)
	if !ok {
		return nil, false
	}
	changed := false
	for _, a := range f.attrs {
		changed = removeAttr(obj, parseAttrPath(a)) || changed
	}
	if !changed {
		return nil, false
	}
	out, err := json.Marshal(obj)
	return out, err == nil
}

// dropFromPatch removes the operations on the attributes, and the attributes from the values of
// operations on their parents ({"op":"replace","path":"name","value":{"givenName":...}}) or
// without a path ({"op":"Replace","value":{"title":...}}, Entra's form).
func (f dropAttribute) dropFromPatch(body []byte) (out []byte, changed, empty bool) {
	obj, ok := decodeObject(body)
	if !ok {
		return nil, false, false
	}
	key := fieldKey(obj, "Operations")
	ops, ok := obj[key].([]any)
	if !ok {
		return nil, false, false
	}
	kept := slices.DeleteFunc(ops, func(raw any) bool {
		op, ok := raw.(map[string]any)
		if !ok {
			return false
		}
		drop := false
		for _, a := range f.attrs {
			d, c := dropFromOperation(op, a)
			drop = drop || d
			changed = changed || c || d
		}
		return drop
	})
	if !changed {
		return nil, false, false
	}
	obj[key] = kept
	out, err := json.Marshal(obj)
	return out, err == nil, len(kept) == 0
}

// dropFromOperation removes attr from one PATCH operation. drop means the whole operation goes;
// changed means its value lost part of itself.
func dropFromOperation(op map[string]any, attr string) (drop, changed bool) {
	path, _ := op[fieldKey(op, "path")].(string)
	valueKey := fieldKey(op, "value")
	value := op[valueKey]
	target := parseAttrPath(attr)
	if strings.TrimSpace(path) == "" {
		m, ok := value.(map[string]any)
		if !ok || !removeAttr(m, target) {
			return false, false
		}
		return len(m) == 0, true
	}
	p := normalizePath(path)
	a := unqualify(attr)
	switch {
	case strings.EqualFold(p, a) || hasPrefixFold(p, a+".") || hasPrefixFold(p, a+":"):
		return true, false // the operation is on the attribute or inside it
	case hasPrefixFold(a, p+".") || hasPrefixFold(a, p+":"):
		// The operation sets a parent of the attribute: drop the rest from its value.
		rest := parseAttrPath(a[len(p)+1:])
		switch v := value.(type) {
		case map[string]any:
			if removeAttr(v, rest) {
				return len(v) == 0, true
			}
		case []any:
			for _, e := range v {
				if m, ok := e.(map[string]any); ok && removeAttr(m, rest) {
					changed = true
				}
			}
		}
	}
	return false, changed
}

// attrPath is an attribute path split as RFC 7644 Section 3.10 writes it: an optional schema
// URN, the attribute name and an optional sub-attribute.
type attrPath struct{ urn, name, sub string }

func parseAttrPath(s string) attrPath {
	var p attrPath
	s = unqualify(strings.TrimSpace(s))
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		p.urn, s = s[:i], s[i+1:]
	}
	p.name, p.sub, _ = strings.Cut(s, ".")
	return p
}

// removeAttr removes the attribute from a resource (or a no-path PATCH value) and reports
// whether anything was there. It handles nested objects ({"name":{"givenName":...}}), dotted keys
// ({"name.givenName":...}, Entra's no-path replace), multi-valued sub-attributes (each element),
// and extension attributes both nested under their URN and written out in full.
func removeAttr(obj map[string]any, p attrPath) bool {
	removed := false
	if p.urn != "" {
		for k, v := range obj {
			if m, ok := v.(map[string]any); ok && strings.EqualFold(k, p.urn) {
				removed = removeAttr(m, attrPath{name: p.name, sub: p.sub}) || removed
			}
		}
		p.name = p.urn + ":" + p.name
	}
	for k, v := range obj {
		switch {
		case strings.EqualFold(unqualify(k), p.name):
			if p.sub == "" {
				delete(obj, k)
				removed = true
			} else if removeSub(v, p.sub) {
				removed = true
			}
		case p.sub != "" && strings.EqualFold(unqualify(k), p.name+"."+p.sub),
			p.sub == "" && hasPrefixFold(unqualify(k), p.name+"."):
			delete(obj, k)
			removed = true
		}
	}
	return removed
}

// removeSub removes a sub-attribute from a complex value or from every element of a
// multi-valued one.
func removeSub(v any, sub string) bool {
	removed := false
	switch t := v.(type) {
	case map[string]any:
		if k := fieldKey(t, sub); k != "" {
			if _, ok := t[k]; ok {
				delete(t, k)
				removed = true
			}
		}
	case []any:
		for _, e := range t {
			removed = removeSub(e, sub) || removed
		}
	}
	return removed
}

// normalizePath turns a PATCH path into an attribute path: value filters go
// (`emails[type eq "work"].value` becomes emails.value) and a core schema URN prefix goes.
func normalizePath(path string) string {
	var b strings.Builder
	depth, inString := 0, false
	for i := 0; i < len(path); i++ {
		c := path[i]
		switch {
		case inString:
			if c == '\\' {
				i++
			} else if c == '"' {
				inString = false
			}
		case c == '"' && depth > 0:
			inString = true
		case c == '[':
			depth++
		case c == ']':
			if depth > 0 {
				depth--
			}
		case depth == 0:
			b.WriteByte(c)
		}
	}
	return unqualify(strings.TrimSpace(b.String()))
}

// fieldKey returns the key of obj equal to name ignoring case (SCIM attribute names are
// case-insensitive, RFC 7643 Section 2.1), or name when there is none.
func fieldKey(obj map[string]any, name string) string {
	if _, ok := obj[name]; ok {
		return name
	}
	for k := range obj {
		if strings.EqualFold(k, name) {
			return k
		}
	}
	return name
}

func decodeObject(body []byte) (map[string]any, bool) {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber() // keep numbers exactly as sent
	var obj map[string]any
	if d.Decode(&obj) != nil || obj == nil {
		return nil, false
	}
	return obj, true
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
