package filter

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

func (*Compare) expr()   {}
func (*Present) expr()   {}
func (*Logical) expr()   {}
func (*Not) expr()       {}
func (*ValuePath) expr() {}

// Position returns the byte offset of the attribute name.
func (e *Compare) Position() int { return e.Pos }

// Position returns the byte offset of the attribute name.
func (e *Present) Position() int { return e.Pos }

// Position returns the byte offset of the left operand.
func (e *Logical) Position() int { return e.Pos }

// Position returns the byte offset of the not keyword.
func (e *Not) Position() int { return e.Pos }

// Position returns the byte offset of the attribute name.
func (e *ValuePath) Position() int { return e.Pos }

// String returns the canonical form of the expression.
func (e *Compare) String() string { return exprString(e) }

// String returns the canonical form of the expression.
func (e *Present) String() string { return exprString(e) }

// String returns the canonical form of the expression.
func (e *Logical) String() string { return exprString(e) }

// String returns the canonical form of the expression.
func (e *Not) String() string { return exprString(e) }

// String returns the canonical form of the expression.
func (e *ValuePath) String() string { return exprString(e) }

func exprString(e Expr) string {
	var p printer
	p.expr(e, precOr)
	return p.String()
}

// printer writes the canonical form. When target is set, at records where target starts in the output,
// which lets Check point its errors into the canonical text.
type printer struct {
	strings.Builder
	target Expr
	at     int
}

// Precedence levels for printing: an operand is parenthesized when it binds looser than its position
// requires.
const (
	precOr = iota
	precAnd
	precAtom
)

func precedence(e Expr) int {
	if l, ok := e.(*Logical); ok {
		if l.Op == "or" {
			return precOr
		}
		return precAnd
	}
	return precAtom
}

// expr prints e where an expression of at least precedence min is expected.
func (b *printer) expr(e Expr, min int) {
	if precedence(e) < min {
		b.WriteByte('(')
		b.expr(e, precOr)
		b.WriteByte(')')
		return
	}
	if e != nil && e == b.target {
		b.at = b.Len()
	}
	switch e := e.(type) {
	case *Compare:
		writeAttrPath(&b.Builder, e.Attr)
		b.WriteByte(' ')
		b.WriteString(e.Op)
		b.WriteByte(' ')
		writeValue(&b.Builder, e.Value)
	case *Present:
		writeAttrPath(&b.Builder, e.Attr)
		b.WriteString(" pr")
	case *Logical:
		// Both operators associate to the left, so a right operand of the same precedence keeps its
		// parentheses: "a or (b or c)" must not print as "a or b or c".
		p := precedence(e)
		b.expr(e.Left, p)
		b.WriteByte(' ')
		b.WriteString(e.Op)
		b.WriteByte(' ')
		b.expr(e.Right, p+1)
	case *Not:
		b.WriteString("not (")
		b.expr(e.X, precOr)
		b.WriteByte(')')
	case *ValuePath:
		writeAttrPath(&b.Builder, e.Attr)
		b.WriteByte('[')
		b.expr(e.Filter, precOr)
		b.WriteByte(']')
	case nil:
		b.WriteString("<nil>")
	}
}

func writeAttrPath(b *strings.Builder, p AttrPath) {
	if p.URN != "" {
		b.WriteString(p.URN)
		b.WriteByte(':')
	}
	b.WriteString(p.Attr)
	if p.Sub != "" {
		b.WriteByte('.')
		b.WriteString(p.Sub)
	}
}

func (p AttrPath) string() string {
	var b strings.Builder
	writeAttrPath(&b, p)
	return b.String()
}

func (p Path) string() string {
	var b printer
	b.path(p)
	return b.String()
}

func (b *printer) path(p Path) {
	writeAttrPath(&b.Builder, AttrPath{URN: p.URN, Attr: p.Attr})
	if p.Filter != nil {
		b.WriteByte('[')
		b.expr(p.Filter, precOr)
		b.WriteByte(']')
	}
	if p.Sub != "" {
		b.WriteByte('.')
		b.WriteString(p.Sub)
	}
}

// writeValue prints a literal so that it lexes back to the same value: strings JSON-quoted, floats
// always with a fraction or exponent so they stay float64.
func writeValue(b *strings.Builder, v any) {
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case float64:
		if math.IsInf(v, 0) || math.IsNaN(v) {
			// Not produced by Parse (JSON numbers are finite); print something that fails loudly.
			b.WriteString(strconv.Quote(strconv.FormatFloat(v, 'g', -1, 64)))
			return
		}
		s := strconv.FormatFloat(v, 'g', -1, 64)
		b.WriteString(s)
		if !strings.ContainsAny(s, ".e") {
			b.WriteString(".0")
		}
	case string:
		writeJSONString(b, v)
	}
}

const hexDigits = "0123456789abcdef"

// writeJSONString quotes s as a JSON string (RFC 8259 Section 7), escaping only what JSON requires.
// Bytes that are not valid UTF-8 are kept as they are, so the string round-trips byte for byte.
func writeJSONString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
			i++
		case c == '\n':
			b.WriteString(`\n`)
			i++
		case c == '\r':
			b.WriteString(`\r`)
			i++
		case c == '\t':
			b.WriteString(`\t`)
			i++
		case c < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0xf])
			i++
		case c < utf8.RuneSelf:
			b.WriteByte(c)
			i++
		default:
			_, n := utf8.DecodeRuneInString(s[i:])
			b.WriteString(s[i : i+n])
			i += n
		}
	}
	b.WriteByte('"')
}
