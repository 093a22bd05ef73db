package engine

import (
	"fmt"
	"strings"

	"github.com/scimsim/scimsim/engine/scimclient"
)

// targetPath is a parsed SCIM attribute path as mappings name their targets (RFC 7644 Section
// 3.10 attribute notation, plus the value filter Entra uses, e.g. `emails[type eq "work"].value`).
type targetPath struct {
	raw    string
	schema string // extension schema URN, "" for the core schema
	attr   string
	// filterAttr and filterValue select one element of a multi-valued attribute.
	filterAttr, filterValue string
	sub                     string
}

// parseTargetPath accepts `attr`, `attr.sub`, `attr[key eq "v"]`, `attr[key eq "v"].sub`, each
// optionally prefixed with an extension schema URN and a colon.
func parseTargetPath(s string) (targetPath, error) {
	p := targetPath{raw: s}
	rest := s
	if strings.HasPrefix(strings.ToLower(s), "urn:") {
		i := strings.LastIndex(s, ":")
		if j := strings.Index(s, "["); j >= 0 && j < i {
			return p, fmt.Errorf("bad attribute path %q: a value filter cannot hold a colon", s)
		}
		p.schema, rest = s[:i], s[i+1:]
		if p.schema == "urn" || rest == "" {
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
		p.filterAttr, p.filterValue = fields[0], fields[2][1:len(fields[2])-1]
		tail := rest[j+1:]
		rest = rest[:i]
		switch {
		case tail == "":
		case strings.HasPrefix(tail, ".") && len(tail) > 1:
			p.sub = tail[1:]
		default:
			return p, fmt.Errorf("bad attribute path %q: unexpected %q after the value filter", s, tail)
		}
	} else if i := strings.Index(rest, "."); i >= 0 {
		rest, p.sub = rest[:i], rest[i+1:]
	}
	p.attr = rest
	if !validName(p.attr) || (p.sub != "" && !validName(p.sub)) || (p.filterAttr != "" && !validName(p.filterAttr)) {
		return p, fmt.Errorf("bad attribute path %q: attribute names are letters, digits, '_' and '-', starting with a letter", s)
	}
	return p, nil
}

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
func (p targetPath) container(res map[string]any, create bool) map[string]any {
	if p.schema == "" {
		return res
	}
	if m, ok := getCI(res, p.schema).(map[string]any); ok {
		return m
	}
	if !create {
		return nil
	}
	m := map[string]any{}
	res[p.schema] = m
	return m
}

// set writes v at the path into a resource body being built for a create.
func (p targetPath) set(res map[string]any, v any) {
	c := p.container(res, true)
	switch {
	case p.filterAttr != "":
		list, _ := c[p.attr].([]any)
		var el map[string]any
		for _, item := range list {
			if m, ok := item.(map[string]any); ok && fmt.Sprint(m[p.filterAttr]) == p.filterValue {
				el = m
			}
		}
		if el == nil {
			el = map[string]any{p.filterAttr: p.filterValue}
			// Entra marks the element it creates for the work email primary (the create_user
			// exchange recorded in elimity-com/scim's azuread testdata).
			if len(list) == 0 && p.filterAttr == "type" {
				el["primary"] = true
			}
			list = append(list, el)
			c[p.attr] = list
		}
		sub := p.sub
		if sub == "" {
			sub = "value"
		}
		el[sub] = v
	case p.sub != "":
		m, ok := c[p.attr].(map[string]any)
		if !ok {
			m = map[string]any{}
			c[p.attr] = m
		}
		m[p.sub] = v
	default:
		c[p.attr] = v
	}
}

// get reads the path's value from a target resource; attribute names compare case-insensitively
// (RFC 7643 Section 2.1). It returns nil when the resource has no value there.
func (p targetPath) get(res map[string]any) any {
	c := p.container(res, false)
	if c == nil {
		return nil
	}
	v := getCI(c, p.attr)
	switch {
	case p.filterAttr != "":
		list, _ := v.([]any)
		for _, item := range list {
			m, ok := item.(map[string]any)
			if !ok || !strings.EqualFold(fmt.Sprint(getCI(m, p.filterAttr)), p.filterValue) {
				continue
			}
			sub := p.sub
			if sub == "" {
				sub = "value"
			}
			return getCI(m, sub)
		}
		return nil
	case p.sub != "":
		if m, ok := v.(map[string]any); ok {
			return getCI(m, p.sub)
		}
		// An extension attribute such as manager may come back as a plain string.
		return nil
	}
	return v
}

// getCI looks a key up case-insensitively.
func getCI(m map[string]any, key string) any {
	if v, ok := m[key]; ok {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

// schemasFor returns the schemas of a create body. Entra always names the enterprise extension for
// users, whether or not an enterprise attribute is mapped (the create_user exchange recorded in
// elimity-com/scim's internal/idp_test/testdata/azuread), and never a custom extension URN ("the
// custom extension URN is not added to schemas").
func schemasFor(resource string) []string {
	if resource == "Groups" {
		return []string{scimclient.GroupSchema}
	}
	return []string{scimclient.UserSchema, scimclient.EnterpriseSchema}
}
