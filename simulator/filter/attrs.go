package filter

import "strings"

func attributes(e Expr) []AttrPath {
	var out []AttrPath
	add := func(a AttrPath) {
		for _, have := range out {
			if strings.EqualFold(have.URN, a.URN) && strings.EqualFold(have.Attr, a.Attr) && strings.EqualFold(have.Sub, a.Sub) {
				return
			}
		}
		out = append(out, a)
	}
	var walk func(e Expr, parent *AttrPath)
	walk = func(e Expr, parent *AttrPath) {
		switch e := e.(type) {
		case *Logical:
			walk(e.Left, parent)
			walk(e.Right, parent)
		case *Not:
			walk(e.X, parent)
		case *Present:
			add(qualify(e.Attr, parent))
		case *Compare:
			add(qualify(e.Attr, parent))
		case *ValuePath:
			add(e.Attr)
			walk(e.Filter, &e.Attr)
		}
	}
	walk(e, nil)
	return out
}

// qualify turns a name inside a value path into the full path parent.name.
func qualify(a AttrPath, parent *AttrPath) AttrPath {
	if parent == nil {
		return a
	}
	return AttrPath{URN: parent.URN, Attr: parent.Attr, Sub: a.Attr}
}

func equalityOn(e Expr) (AttrPath, string, bool) {
	return equality(e, nil)
}

// equality finds a necessary condition `attr eq "value"`: the comparison itself, a conjunct of an
// `and` (left first), or such a condition inside a value path. Conditions under `or` and `not` are not
// necessary, so they are not used.
func equality(e Expr, parent *AttrPath) (AttrPath, string, bool) {
	switch e := e.(type) {
	case *Compare:
		if s, ok := e.Value.(string); ok && e.Op == "eq" {
			return qualify(e.Attr, parent), s, true
		}
	case *Logical:
		if e.Op == "and" {
			if a, v, ok := equality(e.Left, parent); ok {
				return a, v, true
			}
			return equality(e.Right, parent)
		}
	case *ValuePath:
		if parent == nil {
			return equality(e.Filter, &e.Attr)
		}
	}
	return AttrPath{}, "", false
}
