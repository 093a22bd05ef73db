package filter

import (
	"strings"
	"time"
)

// checker walks an Expr. Its errors name the node at fault; check turns them into an *Error that
// points into the canonical String() of the expression, since the parsed input is not kept.
type checker struct {
	s Schema
}

type checkError struct {
	node  Expr // nil: the start of the input
	msg   string
	atSub bool // a PATCH path's trailing sub-attribute is at fault
}

func check(e Expr, s Schema) error {
	c := checker{s: s}
	if ce := c.check(e, nil); ce != nil {
		p := printer{target: ce.node}
		p.expr(e, precOr)
		return newError(p.String(), p.at, ce.msg)
	}
	return nil
}

// check reports the first problem in e. parent is the value path's attribute when e sits inside one.
func (c *checker) check(e Expr, parent *AttrPath) *checkError {
	switch e := e.(type) {
	case *Logical:
		if err := c.check(e.Left, parent); err != nil {
			return err
		}
		return c.check(e.Right, parent)
	case *Not:
		return c.check(e.X, parent)
	case *Present:
		_, err := c.resolve(e, e.Attr, parent)
		return err
	case *Compare:
		return c.checkCompare(e, parent)
	case *ValuePath:
		info, err := c.resolve(e, e.Attr, parent)
		if err != nil {
			return err
		}
		if info.Type != typeComplex {
			return &checkError{node: e, msg: `a value path needs a complex attribute, "` + e.Attr.string() + `" is ` + article(info.Type)}
		}
		return c.check(e.Filter, &e.Attr)
	}
	return &checkError{node: e, msg: "unsupported expression"}
}

// fullName spells an attribute for messages: inside a value path, as parent.sub.
func fullName(a AttrPath, parent *AttrPath) string {
	if parent != nil {
		return AttrPath{URN: parent.URN, Attr: parent.Attr, Sub: a.Attr}.string()
	}
	return a.string()
}

// resolve looks the attribute of node up, inside parent when given.
func (c *checker) resolve(node Expr, a AttrPath, parent *AttrPath) (AttrInfo, *checkError) {
	var info AttrInfo
	var ok bool
	if parent != nil {
		info, ok = lookup(c.s, parent.URN, parent.Attr, a.Attr)
	} else {
		info, ok = lookup(c.s, a.URN, a.Attr, a.Sub)
	}
	if !ok {
		return AttrInfo{}, &checkError{node: node, msg: `unknown attribute "` + fullName(a, parent) + `"`}
	}
	return info, nil
}

// checkCompare applies RFC 7644 Section 3.4.2.2: gt, ge, lt and le are not defined for boolean and
// binary attributes (400 invalidFilter), and a literal must have the attribute's type.
func (c *checker) checkCompare(e *Compare, parent *AttrPath) *checkError {
	info, err := c.resolve(e, e.Attr, parent)
	if err != nil {
		return err
	}
	if e.Value == nil {
		return nil // eq null and ne null test presence, which every attribute has
	}
	name := fullName(e.Attr, parent)
	if info.Type == typeComplex {
		// `emails eq "x"` compares the value sub-attribute of a multi-valued complex attribute.
		sub, ok := AttrInfo{}, false
		if info.MultiValued && parent == nil && e.Attr.Sub == "" {
			sub, ok = lookup(c.s, e.Attr.URN, e.Attr.Attr, "value")
		}
		if !ok {
			return &checkError{node: e, msg: `complex attribute "` + name + `" cannot be compared; name one of its sub-attributes`}
		}
		info, name = sub, name+".value"
	}
	ordering := e.Op == "gt" || e.Op == "ge" || e.Op == "lt" || e.Op == "le"
	substring := e.Op == "co" || e.Op == "sw" || e.Op == "ew"
	switch info.Type {
	case typeBoolean:
		if ordering || substring {
			return &checkError{node: e, msg: `operator "` + e.Op + `" is not allowed on boolean attribute "` + name + `"`}
		}
	case typeBinary:
		if ordering {
			return &checkError{node: e, msg: `operator "` + e.Op + `" is not allowed on binary attribute "` + name + `"`}
		}
	case typeInteger, typeDecimal:
		if substring {
			return &checkError{node: e, msg: `operator "` + e.Op + `" is not allowed on ` + info.Type + ` attribute "` + name + `"`}
		}
	}
	want := ""
	switch v := e.Value.(type) {
	case bool:
		if info.Type != typeBoolean && info.Type != "" {
			want = "true or false"
		}
	case int64, float64:
		if info.Type != typeInteger && info.Type != typeDecimal && info.Type != "" {
			want = "a number"
		}
	case string:
		switch info.Type {
		case typeBoolean, typeInteger, typeDecimal:
			want = "a string"
		case typeDateTime:
			if !substring {
				if _, ok := parseTime(v); !ok {
					return &checkError{node: e, msg: `attribute "` + name + `" is a dateTime; "` + v + `" is not an RFC 3339 date and time`}
				}
			}
		}
	}
	if want != "" {
		var b strings.Builder
		writeValue(&b, e.Value)
		return &checkError{node: e, msg: `attribute "` + name + `" is ` + article(info.Type) + `, so it cannot be compared with ` + b.String()}
	}
	return nil
}

// article prefixes a type name with "a" or "an".
func article(typ string) string {
	if typ == typeInteger {
		return "an " + typ
	}
	return "a " + typ
}

// parseTime parses an xsd:dateTime as SCIM uses it (RFC 7643 Section 2.3.5), which is RFC 3339 with
// an optional fraction.
func parseTime(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}

func checkPath(p Path, s Schema) error {
	c := checker{s: s}
	ce := c.checkPath(p)
	if ce == nil {
		return nil
	}
	pr := printer{target: ce.node}
	pr.path(p)
	at := pr.at
	if ce.atSub {
		at = pr.Len() - len(p.Sub)
	}
	return newError(pr.String(), at, ce.msg)
}

func (c *checker) checkPath(p Path) *checkError {
	attr := AttrPath{URN: p.URN, Attr: p.Attr}
	if p.Filter == nil {
		attr.Sub = p.Sub
		if _, ok := lookup(c.s, attr.URN, attr.Attr, attr.Sub); ok {
			return nil
		}
		// A path that is a whole extension URN addresses the extension object, whose value is a map of
		// its attributes (RFC 7644 Section 3.5.2.1).
		if l, ok := c.s.(schemaLister); ok && p.URN != "" && p.Sub == "" && l.HasSchema(p.URN+":"+p.Attr) {
			return nil
		}
		return &checkError{msg: `unknown attribute "` + attr.string() + `"`}
	}
	info, ok := lookup(c.s, attr.URN, attr.Attr, "")
	if !ok {
		return &checkError{msg: `unknown attribute "` + attr.string() + `"`}
	}
	if info.Type != typeComplex {
		return &checkError{msg: `a value path needs a complex attribute, "` + attr.string() + `" is ` + article(info.Type)}
	}
	if err := c.check(p.Filter, &attr); err != nil {
		return err
	}
	if p.Sub != "" {
		if _, ok := lookup(c.s, p.URN, p.Attr, p.Sub); !ok {
			return &checkError{msg: `unknown attribute "` + AttrPath{URN: p.URN, Attr: p.Attr, Sub: p.Sub}.string() + `"`, atSub: true}
		}
	}
	return nil
}
