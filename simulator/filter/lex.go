package filter

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// lexer splits a filter into tokens on demand. It is a plain scanner rather than a channel-driven
// state machine: the parser pulls one token at a time, so lexing a short filter allocates nothing.
type lexer struct {
	src string
	pos int
	err *Error // first lexical error; the token returned with it is tokEOF
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isWordStart reports whether c may start an attribute name or keyword. "$" starts "$ref" (RFC 7643
// Section 2.3.7), which the ABNF's ATTRNAME omits but every SCIM client sends.
func isWordStart(c byte) bool { return isAlpha(c) || c == '$' || c == '_' }

// isWordChar reports whether c may continue a word: ATTRNAME characters plus the ":" and "." of URNs
// and sub-attributes, which the parser splits afterwards.
func isWordChar(c byte) bool {
	return isAlpha(c) || isDigit(c) || c == '-' || c == '_' || c == '$' || c == ':' || c == '.'
}

// next returns the next token. On a lexical error it records l.err and returns tokEOF.
func (l *lexer) next() token {
	for l.pos < len(l.src) && isSpace(l.src[l.pos]) {
		l.pos++
	}
	start := l.pos
	if start >= len(l.src) {
		return token{Kind: tokEOF, Pos: start}
	}
	c := l.src[start]
	if k := punctuation[c]; k != tokEOF {
		l.pos++
		return token{Kind: k, Pos: start, Value: l.src[start:l.pos]}
	}
	switch {
	case c == '"':
		return l.lexString()
	case c == '-' || isDigit(c):
		return l.lexNumber()
	case isWordStart(c):
		l.pos++
		for l.pos < len(l.src) && isWordChar(l.src[l.pos]) {
			l.pos++
		}
		return token{Kind: tokWord, Pos: start, Value: l.src[start:l.pos]}
	}
	return l.fail(start, `unexpected character "`+firstRune(l.src[start:])+`"`)
}

func (l *lexer) fail(pos int, msg string) token {
	if l.err == nil {
		l.err = &Error{Pos: pos, Msg: msg, Input: l.src}
	}
	l.pos = len(l.src)
	return token{Kind: tokEOF, Pos: pos}
}

// lexString scans a JSON string (RFC 8259 Section 7); the parser unquotes it.
func (l *lexer) lexString() token {
	start := l.pos
	i := start + 1
	for i < len(l.src) {
		c := l.src[i]
		switch {
		case c == '"':
			l.pos = i + 1
			return token{Kind: tokString, Pos: start, Value: l.src[start:l.pos]}
		case c == '\\':
			if i+1 >= len(l.src) {
				return l.fail(start, "unterminated string")
			}
			switch l.src[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(l.src) || !isHex4(l.src[i+2:i+6]) {
					return l.fail(i, `invalid \u escape in string: want four hex digits`)
				}
				i += 6
			default:
				return l.fail(i, `invalid escape "\`+firstRune(l.src[i+1:])+`" in string`)
			}
		case c < 0x20:
			return l.fail(i, "control character in string: escape it as \\u00XX")
		default:
			i++
		}
	}
	return l.fail(start, "unterminated string")
}

func isHex4(s string) bool {
	for i := 0; i < 4; i++ {
		c := s[i]
		if !isDigit(c) && !(c|0x20 >= 'a' && c|0x20 <= 'f') {
			return false
		}
	}
	return true
}

// lexNumber scans a JSON number (RFC 8259 Section 6): -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (l *lexer) lexNumber() token {
	start := l.pos
	i := start
	s := l.src
	digits := func() bool {
		j := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		return i > j
	}
	bad := func() token {
		end := i
		for end < len(s) && (isWordChar(s[end]) || s[end] == '+' || s[end] == '-') {
			end++
		}
		if end == i && i < len(s) {
			end++
		}
		return l.fail(start, "invalid number "+`"`+s[start:end]+`"`)
	}
	if s[i] == '-' {
		i++
	}
	if i < len(s) && s[i] == '0' {
		i++
	} else if !digits() {
		return bad()
	}
	if i < len(s) && s[i] == '.' {
		i++
		if !digits() {
			return bad()
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if !digits() {
			return bad()
		}
	}
	if i < len(s) && (isWordChar(s[i]) || s[i] == '"') {
		return bad()
	}
	l.pos = i
	return token{Kind: tokNumber, Pos: start, Value: s[start:i]}
}

// firstRune renders the first character of s for an error message: itself when printable, else U+XXXX.
func firstRune(s string) string {
	r, _ := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError || !unicode.IsPrint(r) || r == '"' {
		return fmt.Sprintf("%U", r)
	}
	return string(r)
}

// punctuation is the kind of each one-byte token, tokEOF for any other byte.
var punctuation = [256]tokenKind{'(': tokLParen, ')': tokRParen, '[': tokLBracket, ']': tokRBracket, '.': tokDot}
