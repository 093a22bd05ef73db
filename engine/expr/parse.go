package expr

import (
	"errors"
	"fmt"
	"iter"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/scimsim/scimsim/internal/suggest"
)

// MaxLength is the longest expression Entra accepts, in characters: "The maximum supported length
// for a single attribute mapping expression is 10,000 characters" (Microsoft's expression
// reference, Syntax overview, ms.date 2026-04-10; also known-issues.md of the provisioning docs).
const MaxLength = 10000

// Expr is a parsed and checked expression. It is immutable and safe for concurrent use.
type Expr struct {
	src   string
	root  Node
	attrs []string
}

// ParseOption configures Parse.
type ParseOption func(*parseConfig)

type parseConfig struct {
	attrs map[string]bool
}

// WithAttributes declares the source attributes that exist; a reference to any other attribute is
// an error that names the nearest known attribute.
func WithAttributes(names []string) ParseOption {
	return func(c *parseConfig) {
		c.attrs = make(map[string]bool, len(names))
		for _, n := range names {
			c.attrs[n] = true
		}
	}
}

// Parse parses src and checks it the way Entra validates a mapping before saving it: syntax,
// function names and arity, regular expressions and date formats given as constants, and, with
// WithAttributes, attribute names. Errors are *Error.
func Parse(src string, opts ...ParseOption) (*Expr, error) {
	var cfg parseConfig
	for _, o := range opts {
		o(&cfg)
	}
	if n := utf8.RuneCountInString(src); n > MaxLength {
		pos := 0
		for i := 0; i < MaxLength; i++ {
			_, w := utf8.DecodeRuneInString(src[pos:])
			pos += w
		}
		return nil, &Error{Pos: pos, Src: src, Msg: fmt.Sprintf("expression is %d characters long; Entra accepts at most %d", n, MaxLength)}
	}
	toks, lerr := lex(src)
	if lerr != nil {
		return nil, lerr
	}
	p := &parser{src: src, toks: toks, cfg: &cfg}
	root, err := p.arg()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.Kind != TokEOF {
		if t.Kind == TokRParen {
			return nil, p.errAt(t.Pos, `unexpected ")" without a matching "("`)
		}
		return nil, p.errAt(t.Pos, "unexpected %s after the end of the expression", t.describe())
	}
	e := &Expr{src: src, root: root}
	seen := map[string]bool{}
	var check *Error
	walk(root, func(n Node) {
		switch n := n.(type) {
		case *Attr:
			if !seen[n.Name] {
				seen[n.Name] = true
				e.attrs = append(e.attrs, n.Name)
			}
		case *Call:
			if n.Name == "SelectUniqueValue" && n != root && check == nil {
				check = p.errAt(n.At, "SelectUniqueValue must be the whole expression: it cannot be nested inside another function")
			}
		}
	})
	if check != nil {
		return nil, check
	}
	slices.Sort(e.attrs)
	return e, nil
}

// MustParse is like Parse but panics on error. It is meant for expressions that are constants of
// a program, in tests and examples.
func MustParse(src string, opts ...ParseOption) *Expr {
	e, err := Parse(src, opts...)
	if err != nil {
		panic(err)
	}
	return e
}

// String returns the expression in canonical form: one space after each comma, around each
// comparison operator, and nowhere else.
func (e *Expr) String() string { return e.root.String() }

// Redacted reports whether the expression calls Redact: Entra then shows the value as "[Redact]"
// in its provisioning logs, and so should any report of the evaluated value.
func (e *Expr) Redacted() bool {
	found := false
	walk(e.root, func(n Node) {
		if c, ok := n.(*Call); ok && c.Name == "Redact" {
			found = true
		}
	})
	return found
}

// Root returns the top node of the parsed expression, for tools that inspect its structure.
func (e *Expr) Root() Node { return e.root }

// Source returns the text Parse was given.
func (e *Expr) Source() string { return e.src }

// Tree returns an indented tree of the expression, one node per line, each argument labelled
// with the documented name of its parameter.
func (e *Expr) Tree() string {
	var b strings.Builder
	writeTree(&b, e.root, "", 0)
	return b.String()
}

// Attributes returns the names of the referenced source attributes, sorted, without duplicates.
func (e *Expr) Attributes() []string { return slices.Clone(e.attrs) }

type parser struct {
	src  string
	toks []Token
	i    int
	cfg  *parseConfig
}

func (p *parser) peek() Token { return p.toks[p.i] }

func (p *parser) next() Token {
	t := p.toks[p.i]
	if t.Kind != TokEOF {
		p.i++
	}
	return t
}

func (p *parser) errAt(pos int, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...), Src: p.src}
}

// arg parses one argument: an operand, optionally compared with another. Comparisons do not
// chain; Entra has no AND or OR either, and documents nested IIFs instead.
func (p *parser) arg() (Node, *Error) {
	l, err := p.operand()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	if t.Kind != TokCompare {
		return l, nil
	}
	p.next()
	r, err := p.operand()
	if err != nil {
		return nil, err
	}
	if t2 := p.peek(); t2.Kind == TokCompare {
		return nil, p.errAt(t2.Pos, "comparisons cannot be chained (%s %s ... %s ...): nest IIF calls instead", l, t.Value, t2.Value)
	}
	return &Cmp{At: t.Pos, Op: t.Value, L: l, R: r}, nil
}

func (p *parser) operand() (Node, *Error) {
	t := p.next()
	switch t.Kind {
	case TokAttr:
		if p.cfg.attrs != nil && !p.cfg.attrs[t.Value] {
			msg := fmt.Sprintf("unknown attribute [%s]", t.Value)
			if s := nearest(t.Value, maps.Keys(p.cfg.attrs)); s != "" {
				msg += fmt.Sprintf(" (did you mean [%s]?)", s)
			}
			return nil, p.errAt(t.Pos, "%s", msg)
		}
		return &Attr{At: t.Pos, Name: t.Value}, nil
	case TokString:
		return &Str{At: t.Pos, Value: t.Value, boxed: t.Value}, nil
	case TokNumber:
		v, err := parseNumber(t.Value)
		if err != nil {
			return nil, p.errAt(t.Pos, "%v", err)
		}
		return &Num{At: t.Pos, Text: t.Value, boxed: v}, nil
	case TokIdent:
		if p.peek().Kind == TokLParen {
			return p.call(t)
		}
		if v, ok := constants[t.Value]; ok {
			return &Const{At: t.Pos, Name: t.Value, boxed: v}, nil
		}
		if _, ok := Functions[t.Value]; ok {
			return nil, p.errAt(t.End, `missing "(" after function name %s`, t.Value)
		}
		msg := fmt.Sprintf("unknown name %s: a value must be a function call, an [attribute], a \"string\" or a number", t.Value)
		if s := nearest(t.Value, maps.Keys(constants)); s != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", s)
		}
		return nil, p.errAt(t.Pos, "%s", msg)
	case TokEOF:
		return nil, p.errAt(t.Pos, "unexpected end of expression: expected a function call, an [attribute], a \"string\" or a number")
	case TokRParen:
		return nil, p.errAt(t.Pos, `unexpected ")": expected a function call, an [attribute], a "string" or a number`)
	default:
		return nil, p.errAt(t.Pos, "unexpected %s: expected a function call, an [attribute], a \"string\" or a number", t.describe())
	}
}

func (p *parser) call(name Token) (Node, *Error) {
	fn, ok := Functions[name.Value]
	if !ok {
		msg := fmt.Sprintf("unknown function %s", name.Value)
		if s := nearest(name.Value, maps.Keys(Functions)); s != "" {
			msg += fmt.Sprintf(" (did you mean %s?", s)
			if strings.EqualFold(s, name.Value) {
				msg += " names are case-sensitive"
			}
			msg += ")"
		}
		return nil, p.errAt(name.Pos, "%s", msg)
	}
	open := p.next() // (
	c := &Call{At: name.Pos, Name: name.Value, fn: fn}
	if p.peek().Kind == TokRParen {
		p.next()
		return p.finish(c, open)
	}
	for {
		var a Node
		if k := p.peek().Kind; k == TokComma || k == TokRParen {
			a = &Empty{At: p.peek().Pos}
		} else {
			var err *Error
			if a, err = p.arg(); err != nil {
				return nil, err
			}
		}
		c.Args = append(c.Args, a)
		t := p.next()
		switch t.Kind {
		case TokComma:
			continue
		case TokRParen:
			return p.finish(c, open)
		case TokEOF:
			return nil, p.errAt(open.Pos, `missing ")" to close %s(`, c.Name)
		default:
			return nil, p.errAt(t.Pos, `expected "," or ")" after argument %d of %s, found %s`, len(c.Args), c.Name, t.describe())
		}
	}
}

// finish checks a complete call against the function table: arity, required arguments, and the
// function's own checks of constant arguments.
func (p *parser) finish(c *Call, open Token) (Node, *Error) {
	fn := c.fn
	n := len(c.Args)
	if n < fn.MinArgs || (fn.MaxArgs >= 0 && n > fn.MaxArgs) {
		return nil, p.errAt(c.At, "%s takes %s, got %d: %s", c.Name, fn.arity(), n, fn.Signature)
	}
	for i, a := range c.Args {
		if _, empty := a.(*Empty); empty && !fn.optional(i) {
			return nil, p.errAt(a.Pos(), "%s: argument %d (%s) is required and cannot be empty: %s", c.Name, i+1, fn.paramName(i), fn.Signature)
		}
	}
	if fn.Check != nil {
		if err := fn.Check(c); err != nil {
			var ae *argError
			if errors.As(err, &ae) {
				return nil, p.errAt(c.Args[ae.arg].Pos(), "%s: argument %d (%s): %s", c.Name, ae.arg+1, fn.paramName(ae.arg), ae.msg)
			}
			return nil, p.errAt(c.At, "%s: %v", c.Name, err)
		}
	}
	return c, nil
}

// argError is returned by a function's Check to blame one argument.
type argError struct {
	arg int
	msg string
}

func (e *argError) Error() string { return e.msg }

func argErrorf(arg int, format string, args ...any) error {
	return &argError{arg: arg, msg: fmt.Sprintf(format, args...)}
}

// parseNumber reads a decimal integer, a decimal fraction, or a VBA hexadecimal literal &Hxx.
func parseNumber(text string) (any, error) {
	if strings.HasPrefix(text, "&H") || strings.HasPrefix(text, "&h") {
		u, err := strconv.ParseUint(text[2:], 16, 64)
		if err != nil {
			return nil, fmt.Errorf("hexadecimal number %s does not fit in 64 bits", text)
		}
		return int64(u), nil
	}
	if strings.Contains(text, ".") {
		f, err := strconv.ParseFloat(text, 64)
		if err != nil || math.IsInf(f, 0) {
			return nil, fmt.Errorf("number %s is out of range", text)
		}
		return f, nil
	}
	i, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("number %s does not fit in 64 bits", text)
	}
	return i, nil
}

// constants are the named constants of the language: InStr's compareType values, from VBA.
var constants = map[string]any{
	"vbBinaryCompare": int64(0),
	"vbTextCompare":   int64(1),
}

// nearest returns the candidate closest to s by edit distance (ignoring case), the first in sorted
// order among equals, or "" when none is close enough to be a plausible typo. The order the
// candidates come in does not matter.
func nearest(s string, candidates iter.Seq[string]) string {
	best, bestDist := "", math.MaxInt
	for c := range candidates {
		d := suggest.Distance(s, c)
		if d < bestDist || (d == bestDist && c < best) {
			best, bestDist = c, d
		}
	}
	if best == "" || bestDist > max(1, utf8.RuneCountInString(s)/3) {
		return ""
	}
	return best
}
