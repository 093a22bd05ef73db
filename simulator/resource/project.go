// Projection: attributes and excludedAttributes (RFC 7644 §3.4.2.5), resolved once per request
// and resource type and applied to decoded documents.

package resource

import (
	"github.com/scimsim/scimsim/simulator/filter"
)

// ResolvePaths resolves the attribute paths of attributes or excludedAttributes for k; paths k
// does not define are ignored, so that a root query may name attributes of either type.
func ResolvePaths(k *Type, paths []string) []Ref {
	var out []Ref
	for _, p := range paths {
		if e, ok := k.Ext(p); ok {
			out = append(out, Ref{Attr: e.ID})
			continue
		}
		pp, err := filter.ParsePath(p)
		if err != nil || pp.Filter != nil {
			continue
		}
		if r, ok := Resolve(k, pp.URN, pp.Attr, pp.Sub); ok {
			out = append(out, r)
		}
	}
	return out
}

// Project applies attributes/excludedAttributes (RFC 7644 §3.4.2.5) to a decoded resource:
// attributes returned "always" (id, schemas) stay; with attributes, only the named ones (and
// their sub-attributes) are returned; with excludedAttributes, the named ones are removed.
func Project(k *Type, doc map[string]any, include, exclude []Ref) map[string]any {
	if len(include) > 0 {
		out := map[string]any{"id": doc["id"], "schemas": doc["schemas"]}
		for _, p := range include {
			copyPath(out, doc, p)
		}
		return out
	}
	for _, p := range exclude {
		if a, ok := k.Attr(p.URN, p.Attr); ok && a.Returned() == "always" && p.Sub == "" {
			continue
		}
		RemovePath(doc, p)
	}
	return doc
}

func copyPath(dst, src map[string]any, p Ref) {
	from, ok := container(src, p)
	if !ok {
		return
	}
	v, ok := from[p.Attr]
	if !ok {
		return
	}
	to := dst
	if p.URN != "" {
		m, ok := dst[p.URN].(map[string]any)
		if !ok {
			m = map[string]any{}
			dst[p.URN] = m
		}
		to = m
	}
	if p.Sub == "" {
		to[p.Attr] = v
		return
	}
	switch v := v.(type) {
	case map[string]any:
		if sv, ok := v[p.Sub]; ok {
			m, _ := to[p.Attr].(map[string]any)
			if m == nil {
				m = map[string]any{}
			}
			m[p.Sub] = sv
			to[p.Attr] = m
		}
	case []any:
		var out []any
		for _, e := range v {
			if em, ok := e.(map[string]any); ok {
				if sv, ok := em[p.Sub]; ok {
					out = append(out, map[string]any{p.Sub: sv})
				}
			}
		}
		if out != nil {
			to[p.Attr] = out
		}
	}
}

// RemovePath deletes the attribute p names from doc (from its extension object for an extension
// attribute), or the sub-attribute from its complex value or from every element of a multi-valued one.
func RemovePath(doc map[string]any, p Ref) {
	c, ok := container(doc, p)
	if !ok {
		return
	}
	if p.Sub == "" {
		delete(c, p.Attr)
		return
	}
	switch v := c[p.Attr].(type) {
	case map[string]any:
		delete(v, p.Sub)
	case []any:
		for _, e := range v {
			if em, ok := e.(map[string]any); ok {
				delete(em, p.Sub)
			}
		}
	}
}
