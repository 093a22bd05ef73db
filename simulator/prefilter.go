package simulator

import (
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/scimsim/scimsim/simulator/filter"
	"github.com/scimsim/scimsim/simulator/resource"
)

// A scan must decode every stored document to evaluate a filter, which is by far its cost. A
// prefilter rules documents out from their bytes first: it is a necessary condition of the
// filter, so it may let a document through that does not match (filter.Eval decides) but never
// rejects one that does.
//
// It relies on how records are encoded: canonical attribute names, and values that
// encoding/json writes unchanged when they hold only "safe" ASCII. A document with any
// non-ASCII byte is always let through, since Unicode case folding could match it to an ASCII
// literal.
type prefilter func(doc string) bool

// needle is a byte pattern: bytes before fold compare exactly, the rest ASCII
// case-insensitively (the literal of an attribute that is not caseExact).
type needle struct {
	b     []byte // the fold part in lower case
	fold  int
	exact string // b[:fold], which matcher sets when fold > 0
}

func prefilterOf(k *kind, e filter.Expr) prefilter {
	return build(k, e, nil)
}

// build returns the prefilter of e, or nil when e constrains nothing that bytes can show. Inside
// a value path, parent is the multi-valued attribute whose sub-attributes the filter names.
func build(k *kind, e filter.Expr, parent *filter.AttrPath) prefilter {
	switch e := e.(type) {
	case *filter.Logical:
		l, r := build(k, e.Left, parent), build(k, e.Right, parent)
		if e.Op == "and" {
			switch {
			case l == nil:
				return r
			case r == nil:
				return l
			}
			return func(doc string) bool { return l(doc) && r(doc) }
		}
		if l == nil || r == nil {
			return nil
		}
		return func(doc string) bool { return l(doc) || r(doc) }
	case *filter.ValuePath:
		return build(k, e.Filter, &e.Attr)
	case *filter.Present:
		key, _, ok := keyOf(k, e.Attr, parent)
		if !ok {
			return nil
		}
		return matcher(needle{b: []byte(`"` + key + `":`), fold: len(key) + 3})
	case *filter.Compare:
		return compareNeedle(k, e, parent)
	}
	return nil
}

func compareNeedle(k *kind, e *filter.Compare, parent *filter.AttrPath) prefilter {
	key, caseExact, ok := keyOf(k, e.Attr, parent)
	if !ok {
		return nil
	}
	prefix := `"` + key + `":`
	switch v := e.Value.(type) {
	case bool:
		if e.Op != "eq" {
			return nil
		}
		lit, _ := json.Marshal(v)
		return matcher(needle{b: append([]byte(prefix), lit...), fold: len(prefix) + len(lit)})
	case string:
		if !safe(v) || v == "" {
			return nil
		}
		lit := []byte(v)
		if !caseExact {
			lit = lowerASCII(lit)
		}
		switch e.Op {
		case "eq":
			return matcher(needle{b: append(append([]byte(prefix+`"`), lit...), '"'), fold: len(prefix) + 1}.exactIf(caseExact))
		case "sw":
			return matcher(needle{b: append([]byte(prefix+`"`), lit...), fold: len(prefix) + 1}.exactIf(caseExact))
		case "ew":
			return matcher(needle{b: append(lit, '"')}.exactIf(caseExact))
		case "co":
			return matcher(needle{b: lit}.exactIf(caseExact))
		}
	}
	return nil
}

func (n needle) exactIf(caseExact bool) needle {
	if caseExact {
		n.fold = len(n.b)
	}
	return n
}

// keyOf returns the stored key of the attribute a filter names, and whether it is caseExact.
func keyOf(k *kind, a filter.AttrPath, parent *filter.AttrPath) (string, bool, bool) {
	var ref resource.Ref
	var ok bool
	if parent != nil {
		if a.URN != "" || a.Sub != "" {
			return "", false, false
		}
		ref, ok = resource.Resolve(k.typ, parent.URN, parent.Attr, a.Attr)
	} else {
		ref, ok = resource.Resolve(k.typ, a.URN, a.Attr, a.Sub)
	}
	if !ok {
		return "", false, false
	}
	if ref.URN == "" && ref.Sub == "" && (ref.Attr == "id" || ref.Attr == "externalId") {
		// Common attributes (RFC 7643 §3.1), which the filter schema leaves to the filter
		// package's built-ins: both caseExact.
		return ref.Attr, true, true
	}
	info, ok := k.fs.Lookup(ref.URN, ref.Attr, ref.Sub)
	if ref.Sub != "" {
		return ref.Sub, info.CaseExact, ok
	}
	return ref.Attr, info.CaseExact, ok
}

// safe reports whether encoding/json writes s unchanged: printable ASCII other than '"', '\\'
// and the HTML characters it escapes.
func safe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

func lowerASCII(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

func matcher(n needle) prefilter {
	if n.fold >= len(n.b) {
		// Exact bytes: a non-ASCII document cannot match them by folding either.
		exact := string(n.b)
		return func(doc string) bool { return strings.Contains(doc, exact) }
	}
	n.exact = string(n.b[:n.fold])
	return func(doc string) bool { return n.in(doc) || !isASCII(doc) }
}

// isASCII reports whether s is all ASCII, eight bytes at a time.
func isASCII(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if w&0x8080808080808080 != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// in reports whether doc contains the needle.
func (n needle) in(doc string) bool {
	m := len(n.b)
	if m == 0 {
		return true
	}
	if n.fold > 0 {
		// The exact part first, with strings.Index (vectorised), then the folded rest.
		for i := 0; i+m <= len(doc); i++ {
			j := strings.Index(doc[i:], n.exact)
			if j < 0 || i+j+m > len(doc) {
				return false
			}
			i += j
			if n.at(doc[i:]) {
				return true
			}
		}
		return false
	}
	for i := 0; i+m <= len(doc); i++ {
		if n.at(doc[i:]) {
			return true
		}
	}
	return false
}

// at reports whether doc starts with the needle.
func (n needle) at(doc string) bool {
	for j, want := range n.b {
		c := doc[j]
		if j >= n.fold && 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != want {
			return false
		}
	}
	return true
}
