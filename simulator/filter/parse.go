package filter

import (
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

type config struct {
	valuePathSub        bool
	maxLength, maxDepth int
}

func newConfig(opts []Option) config {
	c := config{maxLength: DefaultMaxLength, maxDepth: DefaultMaxDepth}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// parser is a recursive-descent parser over the RFC 7644 Section 3.4.2.2 ABNF:
//
//	FILTER    = attrExp / logExp / valuePath / *1"not" "(" FILTER ")"
//	valuePath = attrPath "[" valFilter "]"
//	valFilter = attrExp / logExp / *1"not" "(" valFilter ")"
//	attrExp   = (attrPath SP "pr") / (attrPath SP compareOp SP compValue)
//	logExp    = FILTER SP ("and" / "or") SP FILTER
//	attrPath  = [URI ":"] ATTRNAME *1subAttr
//
// with the precedence of Section 3.4.2.2 (not, then and, then or) and grouping parentheses. It is
// lenient about whitespace (any amount, or none where tokens cannot merge).
type parser struct {
	lex   lexer
	tok   token // current token
	cfg   config
	depth int
	err   *Error
}

func (p *parser) init(s string, cfg config) {
	p.lex = lexer{src: s}
	p.cfg = cfg
	p.advance()
}

func (p *parser) advance() {
	p.tok = p.lex.next()
	if p.lex.err != nil && p.err == nil {
		p.err = p.lex.err
	}
}

// fail records the first error; parsing then unwinds returning nil.
func (p *parser) fail(pos int, msg string) {
	if p.err == nil {
		p.err = newError(p.lex.src, pos, msg)
	}
	p.tok = token{Kind: tokEOF, Pos: pos}
}

func (p *parser) isWord(kw string) bool {
	return p.tok.Kind == tokWord && strings.EqualFold(p.tok.Value, kw)
}

func checkInput(s string, cfg config) *Error {
	if len(s) > cfg.maxLength {
		return newError(s, cfg.maxLength, "input is longer than "+strconv.Itoa(cfg.maxLength)+" bytes")
	}
	if strings.TrimLeft(s, " \t\r\n") == "" {
		return newError(s, len(s), "empty input")
	}
	return nil
}

func parseFilter(s string, cfg config) (Expr, error) {
	if err := checkInput(s, cfg); err != nil {
		return nil, err
	}
	var p parser
	p.init(s, cfg)
	e := p.parseOr(false)
	if p.err == nil && p.tok.Kind != tokEOF {
		p.fail(p.tok.Pos, "unexpected "+p.tok.describe()+" after a complete filter")
	}
	if p.err != nil {
		return nil, p.err
	}
	return e, nil
}

// parseOr parses `and` chains joined by `or`. inValue is true inside a value path's brackets, where
// names are sub-attributes and value paths cannot nest.
func (p *parser) parseOr(inValue bool) Expr { return p.parseLogical("or", inValue, p.parseAnd) }

// parseAnd parses unary filters joined by `and`.
func (p *parser) parseAnd(inValue bool) Expr { return p.parseLogical("and", inValue, p.parseUnary) }

// parseLogical parses operands joined by the logical operator op, grouped from the left.
func (p *parser) parseLogical(op string, inValue bool, operand func(inValue bool) Expr) Expr {
	left := operand(inValue)
	for p.err == nil && p.isWord(op) {
		p.advance()
		right := operand(inValue)
		if p.err != nil {
			return nil
		}
		left = &Logical{Op: op, Left: left, Right: right, Pos: left.Position()}
	}
	return left
}

func (p *parser) enter(pos int) bool {
	p.depth++
	if p.depth > p.cfg.maxDepth {
		p.fail(pos, "nested deeper than "+strconv.Itoa(p.cfg.maxDepth)+" levels")
		return false
	}
	return true
}

// parseUnary parses a parenthesized filter, `not (...)`, or an attribute expression.
func (p *parser) parseUnary(inValue bool) Expr {
	if p.err != nil {
		return nil
	}
	switch p.tok.Kind {
	case tokLParen:
		return p.parseParen(inValue)
	case tokWord:
		if strings.EqualFold(p.tok.Value, "not") {
			// "not" is an operator only before "(": an attribute may itself be named "not".
			notTok := p.tok
			save := p.lex.pos
			p.advance()
			if p.tok.Kind == tokLParen {
				x := p.parseParen(inValue)
				if p.err != nil {
					return nil
				}
				return &Not{X: x, Pos: notTok.Pos}
			}
			if p.tok.Kind != tokWord || !isOperator(p.tok.Value) {
				p.fail(p.tok.Pos, `expected "(" after "not", found `+p.tok.describe())
				return nil
			}
			p.lex.pos = save
			p.tok = notTok
		}
		return p.parseAttrExp(inValue)
	}
	p.fail(p.tok.Pos, `expected an attribute name, "(" or "not (", found `+p.tok.describe())
	return nil
}

func (p *parser) parseParen(inValue bool) Expr {
	e, _ := p.parseGroup(inValue, tokRParen, "()")
	return e
}

// parseGroup parses the filter inside a pair of brackets, one nesting level down: p.tok is the
// opening one, and closing the kind of the closing one, brackets the two as text for the error.
// It returns where the closing bracket stands; after an error (p.err), a nil filter.
func (p *parser) parseGroup(inValue bool, closing tokenKind, brackets string) (Expr, int) {
	open := p.tok
	if !p.enter(open.Pos) {
		return nil, 0
	}
	p.advance()
	e := p.parseOr(inValue)
	if p.err != nil {
		return nil, 0
	}
	if p.tok.Kind != closing {
		p.fail(p.tok.Pos, `expected "`+brackets[1:]+`" to close "`+brackets[:1]+`" at position `+itoa(open.Pos)+", found "+p.tok.describe())
		return nil, 0
	}
	closePos := p.tok.Pos
	p.depth--
	p.advance()
	return e, closePos
}

// parseAttrExp parses `attrPath pr`, `attrPath op value` or a value path, the current token being the
// attribute word.
func (p *parser) parseAttrExp(inValue bool) Expr {
	word := p.tok
	attr, ok := p.attrPath(word)
	if !ok {
		return nil
	}
	if inValue && (attr.URN != "" || attr.Sub != "") {
		p.fail(word.Pos, "a value filter names sub-attributes only, found "+`"`+word.Value+`"`)
		return nil
	}
	p.advance()
	if p.tok.Kind == tokLBracket {
		if inValue {
			p.fail(p.tok.Pos, "value paths cannot be nested")
			return nil
		}
		return p.parseValuePath(attr, word)
	}
	return p.parseComparison(attr, word)
}

// parseComparison parses the operator and value after an attribute path.
func (p *parser) parseComparison(attr AttrPath, word token) Expr {
	if p.tok.Kind != tokWord || !isOperator(p.tok.Value) {
		p.fail(p.tok.Pos, `expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le or pr) after "`+word.Value+`", found `+p.tok.describe())
		return nil
	}
	op := lowerOp(p.tok.Value)
	opTok := p.tok
	p.advance()
	if op == "pr" {
		return &Present{Attr: attr, Pos: word.Pos}
	}
	v, ok := p.value(opTok)
	if !ok {
		return nil
	}
	return &Compare{Attr: attr, Op: op, Value: v, Pos: word.Pos}
}

// parseValuePath parses `[valFilter]` and, with AllowValuePathSubAttribute, the Entra extension
// `[valFilter].sub op value`, which it rewrites to the equivalent `[valFilter and sub op value]`.
func (p *parser) parseValuePath(attr AttrPath, word token) Expr {
	if attr.Sub != "" {
		p.fail(word.Pos, `a value path's attribute cannot have a sub-attribute, found "`+word.Value+`"`)
		return nil
	}
	f, closePos := p.parseGroup(true, tokRBracket, "[]")
	if p.err != nil {
		return nil
	}
	vp := &ValuePath{Attr: attr, Filter: f, Pos: word.Pos}
	if p.tok.Kind != tokDot || p.tok.Pos != closePos+1 {
		return vp
	}
	dot := p.tok
	if !p.cfg.valuePathSub {
		p.fail(dot.Pos, `a sub-attribute after a value path (`+word.Value+`[...].sub) is not allowed by RFC 7644 Section 3.4.2.2`)
		return nil
	}
	p.advance()
	subTok := p.tok
	if subTok.Kind != tokWord || subTok.Pos != dot.Pos+1 || !isAttrName(subTok.Value) {
		p.fail(subTok.Pos, `expected a sub-attribute name after "]."`+", found "+subTok.describe())
		return nil
	}
	p.advance()
	sub := AttrPath{Attr: subTok.Value}
	cond := p.parseComparison(sub, subTok)
	if p.err != nil {
		return nil
	}
	vp.Filter = &Logical{Op: "and", Left: f, Right: cond, Pos: f.Position()}
	return vp
}

// attrPath splits a word into URN, attribute and sub-attribute. The URN ends at the last colon, so
// the "2.0" in "urn:...:enterprise:2.0:User:manager.value" stays in the URN.
func (p *parser) attrPath(word token) (AttrPath, bool) {
	a, msg, off := splitAttrPath(word.Value)
	if msg != "" {
		p.fail(word.Pos+off, msg)
		return AttrPath{}, false
	}
	return a, true
}

// splitAttrPath parses attrPath = [URI ":"] ATTRNAME *1subAttr. On failure it returns a message and
// the offset of the problem within s.
func splitAttrPath(s string) (a AttrPath, msg string, off int) {
	name := s
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		a.URN, name = s[:i], s[i+1:]
		if len(a.URN) < 4 || !strings.EqualFold(a.URN[:4], "urn:") {
			return AttrPath{}, `a qualified attribute name must start with "urn:", found "` + s + `"`, 0
		}
		off = i + 1
	}
	a.Attr = name
	if i := strings.IndexByte(name, '.'); i >= 0 {
		a.Attr, a.Sub = name[:i], name[i+1:]
		if strings.IndexByte(a.Sub, '.') >= 0 {
			return AttrPath{}, `at most one sub-attribute level is allowed, found "` + s + `"`, 0
		}
		if !isAttrName(a.Sub) {
			return AttrPath{}, `invalid sub-attribute name "` + a.Sub + `" in "` + s + `"`, off + i + 1
		}
	}
	if !isAttrName(a.Attr) {
		return AttrPath{}, `invalid attribute name "` + a.Attr + `" in "` + s + `"`, off
	}
	return a, "", 0
}

// isAttrName reports whether s is an ATTRNAME (RFC 7643 Section 2.1: ALPHA *(nameChar)), also
// allowing the leading "$" of "$ref".
func isAttrName(s string) bool {
	if s == "" || !(isAlpha(s[0]) || s[0] == '$') {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isAlpha(c) && !isDigit(c) && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

var operators = [...]string{"eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "pr"}

func isOperator(s string) bool { return lowerOp(s) != "" }

// lowerOp returns the canonical spelling of operator s, or "" when s is not one. It returns a constant,
// so no string is allocated.
func lowerOp(s string) string {
	if len(s) != 2 {
		return ""
	}
	for _, op := range operators {
		if strings.EqualFold(s, op) {
			return op
		}
	}
	return ""
}

// value parses compValue = false / null / true / number / string, checking that the operator takes it:
// co, sw and ew need a string; gt, ge, lt and le a string or a number (RFC 7644 Section 3.4.2.2).
func (p *parser) value(op token) (any, bool) {
	t := p.tok
	var v any
	switch {
	case t.Kind == tokString:
		s, ok := unquote(t.Value)
		if !ok {
			p.fail(t.Pos, "invalid string "+t.Value)
			return nil, false
		}
		v = s
	case t.Kind == tokNumber:
		n, ok := parseNumber(t.Value)
		if !ok {
			p.fail(t.Pos, "number "+t.Value+" is out of range")
			return nil, false
		}
		v = n
	case t.Kind == tokWord && strings.EqualFold(t.Value, "true"):
		v = true
	case t.Kind == tokWord && strings.EqualFold(t.Value, "false"):
		v = false
	case t.Kind == tokWord && strings.EqualFold(t.Value, "null"):
		v = nil
	default:
		p.fail(t.Pos, `expected a value (string, number, true, false or null) after "`+op.Value+`", found `+t.describe())
		return nil, false
	}
	switch lowerOp(op.Value) {
	case "co", "sw", "ew":
		if t.Kind != tokString {
			p.fail(t.Pos, `operator "`+lowerOp(op.Value)+`" needs a string, found `+literalName(t))
			return nil, false
		}
	case "gt", "ge", "lt", "le":
		if t.Kind != tokString && t.Kind != tokNumber {
			p.fail(t.Pos, `operator "`+lowerOp(op.Value)+`" needs a string or a number, found `+literalName(t))
			return nil, false
		}
	}
	p.advance()
	return v, true
}

func literalName(t token) string {
	if t.Kind == tokWord {
		return strings.ToLower(t.Value)
	}
	return t.describe()
}

// parseNumber converts a lexed JSON number: int64 when it is an integer that fits, float64 otherwise.
// It fails only for a magnitude beyond float64 (1e400), which no SCIM attribute can hold.
func parseNumber(s string) (any, bool) {
	if !strings.ContainsAny(s, ".eE") {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, true
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// unquote decodes a lexed JSON string literal. Strings without escapes are returned as a substring of
// the input, without copying. Lone surrogates become U+FFFD, as encoding/json does.
func unquote(q string) (string, bool) {
	s := q[1 : len(q)-1]
	if strings.IndexByte(s, '\\') < 0 {
		return s, true
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' {
			b = append(b, c)
			i++
			continue
		}
		if i+1 >= len(s) {
			return "", false
		}
		switch s[i+1] {
		case '"', '\\', '/':
			b = append(b, s[i+1])
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := hex4(s, i+2)
			if !ok {
				return "", false
			}
			i += 6
			if utf16.IsSurrogate(r) {
				if r2, ok := hex4(s, i+2); ok && i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						b = utf8.AppendRune(b, dec)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			b = utf8.AppendRune(b, r)
			continue
		default:
			return "", false
		}
		i += 2
	}
	return string(b), true
}

func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	n, err := strconv.ParseUint(s[i:i+4], 16, 32)
	if err != nil {
		return 0, false
	}
	return rune(n), true
}

func itoa(n int) string { return strconv.Itoa(n) }
