package graph

import (
	"fmt"
	"strings"

	"github.com/scimsim/scimsim/wire"
)

// A filter is the subset of OData's $filter (OData v4.01 Part 2, URL Conventions, section 5.1.1)
// that a directory query for cross-tenant synchronization needs: equality on a property, joined
// by "and", and an "any" lambda over a collection of complex values:
//
//	userType eq 'Guest' and externalUserState eq 'PendingAcceptance'
//	alternativeSecurityIds/any(x:x/key eq 'MTAwMzIwMDA=')
//
// The first is the query of the configure page's troubleshooting script ("Get-MgUser -Filter
// "userType eq 'Guest' and externalUserState eq 'PendingAcceptance'""); the second is how scimsim's
// client looks a user up by its matching attribute. Anything else is a 400, as Graph answers a
// filter it does not support, never an empty result.
type filter []clause

// clause is one equality: on a property (sub is ""), or, inside an any lambda, on the sub-property
// sub of any element of the collection property prop.
type clause struct {
	prop, sub string
	value     any // string, bool or nil
}

// FilterError is a $filter that does not parse, with the position of the problem.
type FilterError struct {
	Pos int
	Msg string
}

func (e *FilterError) Error() string { return fmt.Sprintf("invalid $filter at %d: %s", e.Pos, e.Msg) }

// parseFilter parses src. Names are kept as written; matching is case-insensitive.
func parseFilter(src string) (filter, error) {
	p := &filterParser{src: src}
	var f filter
	for {
		c, err := p.clause()
		if err != nil {
			return nil, err
		}
		f = append(f, c)
		p.space()
		if p.done() {
			return f, nil
		}
		if !p.keyword("and") {
			return nil, p.errorf("want 'and' or the end of the filter")
		}
	}
}

type filterParser struct {
	src string
	pos int
}

func (p *filterParser) errorf(format string, args ...any) error {
	return &FilterError{Pos: p.pos, Msg: fmt.Sprintf(format, args...)}
}

func (p *filterParser) done() bool { return p.pos >= len(p.src) }

func (p *filterParser) space() {
	for p.pos < len(p.src) && p.src[p.pos] == ' ' {
		p.pos++
	}
}

// keyword consumes word followed by a space (or the end), case-insensitively.
func (p *filterParser) keyword(word string) bool {
	p.space()
	end := p.pos + len(word)
	if end > len(p.src) || !strings.EqualFold(p.src[p.pos:end], word) {
		return false
	}
	if end < len(p.src) && p.src[end] != ' ' {
		return false
	}
	p.pos = end
	return true
}

func (p *filterParser) name() (string, error) {
	p.space()
	start := p.pos
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || p.pos > start && c >= '0' && c <= '9' {
			p.pos++
			continue
		}
		break
	}
	if p.pos == start {
		return "", p.errorf("want a property name")
	}
	return p.src[start:p.pos], nil
}

func (p *filterParser) expect(s string) error {
	p.space()
	if !strings.HasPrefix(p.src[p.pos:], s) {
		return p.errorf("want %q", s)
	}
	p.pos += len(s)
	return nil
}

func (p *filterParser) clause() (clause, error) {
	prop, err := p.name()
	if err != nil {
		return clause{}, err
	}
	if p.pos < len(p.src) && p.src[p.pos] == '/' {
		return p.lambda(prop)
	}
	if !p.keyword("eq") {
		return clause{}, p.errorf("only eq is supported")
	}
	v, err := p.literal()
	if err != nil {
		return clause{}, err
	}
	return clause{prop: prop, value: v}, nil
}

// lambda parses "/any(x:x/sub eq literal)" after prop.
func (p *filterParser) lambda(prop string) (clause, error) {
	p.pos++ // '/'
	if !strings.HasPrefix(strings.ToLower(p.src[p.pos:]), "any(") {
		return clause{}, p.errorf("only the any lambda is supported after %s/", prop)
	}
	p.pos += len("any(")
	v, err := p.name()
	if err != nil {
		return clause{}, err
	}
	if err := p.expect(":"); err != nil {
		return clause{}, err
	}
	ref, err := p.name()
	if err != nil {
		return clause{}, err
	}
	if ref != v {
		return clause{}, p.errorf("the lambda variable is %q, not %q", v, ref)
	}
	if err := p.expect("/"); err != nil {
		return clause{}, err
	}
	sub, err := p.name()
	if err != nil {
		return clause{}, err
	}
	if !p.keyword("eq") {
		return clause{}, p.errorf("only eq is supported")
	}
	lit, err := p.literal()
	if err != nil {
		return clause{}, err
	}
	if err := p.expect(")"); err != nil {
		return clause{}, err
	}
	return clause{prop: prop, sub: sub, value: lit}, nil
}

// literal parses a string in single quotes (a quote inside is doubled), true, false or null.
func (p *filterParser) literal() (any, error) {
	p.space()
	if p.done() {
		return nil, p.errorf("want a value")
	}
	if p.src[p.pos] == '\'' {
		var b strings.Builder
		for i := p.pos + 1; i < len(p.src); i++ {
			if p.src[i] != '\'' {
				b.WriteByte(p.src[i])
				continue
			}
			if i+1 < len(p.src) && p.src[i+1] == '\'' {
				b.WriteByte('\'')
				i++
				continue
			}
			p.pos = i + 1
			return b.String(), nil
		}
		return nil, p.errorf("unterminated string")
	}
	for _, kw := range []struct {
		word string
		v    any
	}{{"true", true}, {"false", false}, {"null", nil}} {
		end := p.pos + len(kw.word)
		if end <= len(p.src) && strings.EqualFold(p.src[p.pos:end], kw.word) &&
			(end == len(p.src) || p.src[end] == ' ' || p.src[end] == ')') {
			p.pos = end
			return kw.v, nil
		}
	}
	return nil, p.errorf("want a string in single quotes, true, false or null")
}

// matches reports whether the user u (a stored Graph user) passes every clause. Strings compare
// case-insensitively: Graph compares userPrincipalName and mail so, and scimsim does the same for
// every string property.
func (f filter) matches(u map[string]any) bool {
	for _, c := range f {
		if !c.matches(u) {
			return false
		}
	}
	return true
}

func (c clause) matches(u map[string]any) bool {
	v := wire.Field(u, c.prop) // Graph's property names are case-insensitive in queries
	if c.sub == "" {
		return equal(v, c.value)
	}
	list, _ := v.([]any)
	for _, el := range list {
		if m, ok := el.(map[string]any); ok && equal(wire.Field(m, c.sub), c.value) {
			return true
		}
	}
	return false
}

func equal(got, want any) bool {
	switch w := want.(type) {
	case nil:
		return got == nil
	case string:
		g, ok := got.(string)
		return ok && strings.EqualFold(g, w)
	case bool:
		g, ok := got.(bool)
		return ok && g == w
	}
	return false
}
