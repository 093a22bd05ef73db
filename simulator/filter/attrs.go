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
	eqs := equalities(e, nil, nil)
	if len(eqs) == 0 {
		return AttrPath{}, "", false
	}
	return eqs[0].Attr, eqs[0].Value, true
}

func equalitiesOf(e Expr) []Equality {
	return equalities(e, nil, nil)
}

// equalities appends the necessary conditions `attr eq "value"` of e: the comparison itself, the
// conjuncts of an `and` (left first), and those inside a value path, where the one on the "value"
// sub-attribute comes first. Conditions under `or` and `not` are not necessary, so they are skipped.
func equalities(e Expr, parent *AttrPath, out []Equality) []Equality {
	switch e := e.(type) {
	case *Compare:
		if s, ok := e.Value.(string); ok && e.Op == "eq" {
			out = append(out, Equality{Attr: qualify(e.Attr, parent), Value: s})
		}
	case *Logical:
		if e.Op == "and" {
			out = equalities(e.Left, parent, out)
			out = equalities(e.Right, parent, out)
		}
	case *ValuePath:
		if parent == nil {
			n := len(out)
			out = equalities(e.Filter, &e.Attr, out)
			// "value" is a multi-valued attribute's significant value (RFC 7643 Section 2.4), the one
			// a store indexes: emails[type eq "work" and value eq "x"] is best answered by emails.value.
			for i := n + 1; i < len(out); i++ {
				if strings.EqualFold(out[i].Attr.Sub, "value") {
					v := out[i]
					copy(out[n+1:i+1], out[n:i])
					out[n] = v
					break
				}
			}
		}
	}
	return out
}
