package wire

import (
	"fmt"
	"strings"
)

// Path is a parsed SCIM attribute path as Entra's attribute mappings name their targets: RFC 7644
// Section 3.10 attribute notation (`attr`, `attr.sub`, each optionally prefixed with an extension
// schema URN and a colon) plus the value filter Entra writes for one element of a multi-valued
// attribute (`emails[type eq "work"].value`).
type Path struct {
	raw string
	// Schema is the extension schema URN, "" for the core schema.
	Schema string
	Attr   string
	// FilterAttr and FilterValue select one element of a multi-valued attribute.
	FilterAttr, FilterValue string
	Sub                     string
}

// ParsePath parses s. It accepts `attr`, `attr.sub`, `attr[key eq "v"]` and `attr[key eq "v"].sub`,
// each optionally prefixed with an extension schema URN and a colon.
func ParsePath(s string) (Path, error) {
	p := Path{raw: s}
	rest := s
	if HasURN(s) {
		i := strings.LastIndex(s, ":")
		if j := strings.Index(s, "["); j >= 0 && j < i {
			return p, fmt.Errorf("bad attribute path %q: a value filter cannot hold a colon", s)
		}
		p.Schema, rest = s[:i], s[i+1:]
		if strings.EqualFold(p.Schema, "urn") || rest == "" {
			return p, fmt.Errorf("bad attribute path %q: want urn:...:attribute", s)
		}
	}
	if i := strings.Index(rest, "["); i >= 0 {
		j := strings.Index(rest, "]")
		if j < i {
			return p, fmt.Errorf("bad attribute path %q: unclosed value filter", s)
		}
		filter := rest[i+1 : j]
		fields := strings.SplitN(filter, " ", 3)
		if len(fields) != 3 || !strings.EqualFold(fields[1], "eq") || len(fields[2]) < 2 || fields[2][0] != '"' || fields[2][len(fields[2])-1] != '"' {
			return p, fmt.Errorf(`bad attribute path %q: want a value filter such as [type eq "work"]`, s)
		}
		p.FilterAttr, p.FilterValue = fields[0], fields[2][1:len(fields[2])-1]
		tail := rest[j+1:]
		rest = rest[:i]
		switch {
		case tail == "":
		case strings.HasPrefix(tail, ".") && len(tail) > 1:
			p.Sub = tail[1:]
		default:
			return p, fmt.Errorf("bad attribute path %q: unexpected %q after the value filter", s, tail)
		}
	} else if i := strings.Index(rest, "."); i >= 0 {
		rest, p.Sub = rest[:i], rest[i+1:]
	}
	p.Attr = rest
	if !validName(p.Attr) || (p.Sub != "" && !validName(p.Sub)) || (p.FilterAttr != "" && !validName(p.FilterAttr)) {
		return p, fmt.Errorf("bad attribute path %q: attribute names are letters, digits, '_' and '-', starting with a letter", s)
	}
	return p, nil
}

// MustPath parses s and panics on error; for paths written in the code.
func MustPath(s string) Path {
	p, err := ParsePath(s)
	if err != nil {
		panic(err)
	}
	return p
}

// String returns the path as it was written.
func (p Path) String() string { return p.raw }

// Filtered reports whether the path selects one element of a multi-valued attribute.
func (p Path) Filtered() bool { return p.FilterAttr != "" }

// Top returns the path of the attribute itself, without sub-attribute or value filter, with its
// schema URN: "emails", "name", "urn:...:User:manager".
func (p Path) Top() string {
	if p.Schema == "" {
		return p.Attr
	}
	return p.Schema + ":" + p.Attr
}

// Is reports whether the path names the attribute top (case-insensitive, URN included).
func (p Path) Is(top string) bool { return strings.EqualFold(p.Top(), top) }

// validName follows RFC 7643 Section 2.1 ATTRNAME = ALPHA *(nameChar), nameChar = "-" / "_" /
// DIGIT / ALPHA; "$ref" is allowed as a sub-attribute.
func validName(s string) bool {
	if s == "$ref" {
		return true
	}
	if s == "" {
		return false
	}
	for i, r := range s {
		letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if i == 0 && !letter {
			return false
		}
		if !letter && !(r >= '0' && r <= '9') && r != '-' && r != '_' {
			return false
		}
	}
	return true
}

// container returns the map the path's attribute lives in: the resource itself, or its extension
// object (created when create is set).
func (p Path) container(res map[string]any, create bool) map[string]any {
	if p.Schema == "" {
		return res
	}
	if m, ok := Field(res, p.Schema).(map[string]any); ok {
		return m
	}
	if !create {
		return nil
	}
	m := map[string]any{}
	res[p.Schema] = m
	return m
}

// sub returns the sub-attribute a value-path names, "value" when it names none.
func (p Path) sub() string {
	if p.Sub == "" {
		return "value"
	}
	return p.Sub
}

// Set writes v at the path into a resource body being built. A value path creates its element
// (with the filter's attribute, e.g. "type": "work") when the body has none; the first element of a
// multi-valued attribute typed by a filter is marked primary, as Entra's create bodies do.
func (p Path) Set(res map[string]any, v any) {
	c := p.container(res, true)
	switch {
	case p.FilterAttr != "":
		list, _ := c[p.Attr].([]any)
		var el map[string]any
		for _, item := range list {
			if m, ok := item.(map[string]any); ok && fmt.Sprint(m[p.FilterAttr]) == p.FilterValue {
				el = m
				break
			}
		}
		if el == nil {
			el = map[string]any{p.FilterAttr: p.FilterValue}
			if len(list) == 0 && p.FilterAttr == "type" {
				el["primary"] = true
			}
			list = append(list, el)
			c[p.Attr] = list
		}
		el[p.sub()] = v
	case p.Sub != "":
		m, ok := c[p.Attr].(map[string]any)
		if !ok {
			m = map[string]any{}
			c[p.Attr] = m
		}
		m[p.Sub] = v
	default:
		c[p.Attr] = v
	}
}

// Get reads the path's value from a resource; attribute names and the filter's value compare
// case-insensitively (RFC 7643 Section 2.1; type values are canonical values, compared as caseExact
// false). It returns nil when the resource has no value there.
func (p Path) Get(res map[string]any) any {
	c := p.container(res, false)
	if c == nil {
		return nil
	}
	v := Field(c, p.Attr)
	switch {
	case p.FilterAttr != "":
		if el := p.Element(res); el != nil {
			return Field(el, p.sub())
		}
		return nil
	case p.Sub != "":
		if m, ok := v.(map[string]any); ok {
			return Field(m, p.Sub)
		}
		return nil
	}
	return v
}

// Element returns the element of the multi-valued attribute that a value path selects, nil when the
// resource has none (or the path has no filter).
func (p Path) Element(res map[string]any) map[string]any {
	if p.FilterAttr == "" {
		return nil
	}
	c := p.container(res, false)
	list, _ := Field(c, p.Attr).([]any)
	for _, item := range list {
		m, ok := item.(map[string]any)
		if ok && strings.EqualFold(fmt.Sprint(Field(m, p.FilterAttr)), p.FilterValue) {
			return m
		}
	}
	return nil
}
