package expr

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// lexer turns an expression into tokens. It is a state-function lexer in the style of
// text/template/parse: each state consumes some input and returns the next state, and a nil state
// ends the scan. Unlike text/template it fills a slice instead of a channel, because expressions
// are short and parsed on a hot path of the provisioning engine.
type lexer struct {
	src    string
	start  int // start of the token being scanned
	pos    int // current position
	tokens []Token
	err    *Error
}

type stateFn func(*lexer) stateFn

// lex scans src completely. The first lexical error stops the scan.
func lex(src string) ([]Token, *Error) {
	l := &lexer{src: src, tokens: make([]Token, 0, len(src)/4+2)}
	for state := lexAny; state != nil; {
		state = state(l)
	}
	return l.tokens, l.err
}

func (l *lexer) emit(k Kind, value string) {
	l.tokens = append(l.tokens, Token{Pos: l.start, End: l.pos, Kind: k, Value: value})
	l.start = l.pos
}

func (l *lexer) errorf(pos int, msg string) stateFn {
	l.err = &Error{Pos: pos, Msg: msg, Src: l.src}
	return nil
}

func (l *lexer) peek() (rune, int) {
	if l.pos >= len(l.src) {
		return -1, 0
	}
	return utf8.DecodeRuneInString(l.src[l.pos:])
}

func lexAny(l *lexer) stateFn {
	for {
		r, w := l.peek()
		if r < 0 {
			l.start = l.pos
			l.emit(TokEOF, "")
			return nil
		}
		if !unicode.IsSpace(r) {
			break
		}
		l.pos += w
	}
	l.start = l.pos
	r, w := l.peek()
	switch {
	case r == '(':
		l.pos += w
		l.emit(TokLParen, "(")
	case r == ')':
		l.pos += w
		l.emit(TokRParen, ")")
	case r == ',':
		l.pos += w
		l.emit(TokComma, ",")
	case r == '"':
		return lexString
	case r == '[':
		return lexAttr
	case r == ']':
		return l.errorf(l.pos, `unexpected "]" without a matching "["`)
	case r == '=':
		l.pos += w
		l.emit(TokCompare, "=")
	case r == '<' || r == '>':
		l.pos += w
		if next, nw := l.peek(); next == '=' || (r == '<' && next == '>') {
			l.pos += nw
		}
		l.emit(TokCompare, l.src[l.start:l.pos])
	case r == '&' || r == '-' || ('0' <= r && r <= '9'):
		return lexNumber
	case r == '_' || unicode.IsLetter(r):
		return lexIdent
	default:
		return l.errorf(l.pos, "unexpected character "+quoteRune(r))
	}
	return lexAny
}

// lexString scans a string constant. Per the syntax overview of Microsoft's expression reference,
// a backslash or a quotation mark inside a string must be escaped with a backslash; no other
// escape exists, so any other backslash sequence is an error rather than a silent guess.
func lexString(l *lexer) stateFn {
	l.pos++ // opening quote
	var b strings.Builder
	plain := l.pos
	for {
		r, w := l.peek()
		switch r {
		case -1:
			return l.errorf(l.start, "unterminated string: missing closing \"")
		case '"':
			var value string
			if b.Len() == 0 {
				value = l.src[plain:l.pos]
			} else {
				b.WriteString(l.src[plain:l.pos])
				value = b.String()
			}
			l.pos += w
			l.emit(TokString, value)
			return lexAny
		case '\\':
			b.WriteString(l.src[plain:l.pos])
			next, nw := utf8.DecodeRuneInString(l.src[l.pos+w:])
			if next != '\\' && next != '"' {
				if l.pos+w >= len(l.src) {
					return l.errorf(l.start, "unterminated string: missing closing \"")
				}
				return l.errorf(l.pos, `invalid escape \`+string(next)+` in string: only \\ and \" are escapes; write \\`+string(next)+` for a literal backslash`)
			}
			b.WriteRune(next)
			l.pos += w + nw
			plain = l.pos
		default:
			l.pos += w
		}
	}
}

// lexAttr scans an attribute reference: everything between "[" and "]" on one line.
func lexAttr(l *lexer) stateFn {
	l.pos++ // [
	for {
		r, w := l.peek()
		switch r {
		case -1, '\n', '\r':
			return l.errorf(l.start, `unterminated attribute: missing "]"`)
		case '[':
			return l.errorf(l.pos, `unexpected "[" inside attribute name: missing "]"`)
		case ']':
			name := l.src[l.start+1 : l.pos]
			l.pos += w
			if strings.TrimSpace(name) == "" {
				return l.errorf(l.start, "empty attribute name []")
			}
			l.emit(TokAttr, name)
			return lexAny
		default:
			l.pos += w
		}
	}
}

// lexNumber scans a decimal number with an optional sign and fraction, or a VBA hexadecimal
// literal &Hxx as in the BitAnd example of Microsoft's reference (BitAnd(&HF, &HF7)).
func lexNumber(l *lexer) stateFn {
	if l.src[l.pos] == '&' {
		l.pos++
		if r, w := l.peek(); r == 'H' || r == 'h' {
			l.pos += w
		} else {
			return l.errorf(l.start, `"&" must start a hexadecimal number such as &HF7`)
		}
		digits := l.pos
		for l.pos < len(l.src) && isHex(l.src[l.pos]) {
			l.pos++
		}
		if l.pos == digits {
			return l.errorf(l.start, "hexadecimal number "+l.src[l.start:l.pos]+" has no digits")
		}
		return l.endNumber()
	}
	if l.src[l.pos] == '-' {
		l.pos++
	}
	digits := l.pos
	for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
		l.pos++
	}
	if l.pos == digits {
		return l.errorf(l.start, `"-" must start a number such as -10`)
	}
	if l.pos+1 < len(l.src) && l.src[l.pos] == '.' && isDigit(l.src[l.pos+1]) {
		l.pos++
		for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
			l.pos++
		}
	}
	return l.endNumber()
}

func (l *lexer) endNumber() stateFn {
	if r, _ := l.peek(); r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) {
		return l.errorf(l.start, "malformed number "+quoteRune(r)+" after "+l.src[l.start:l.pos])
	}
	l.emit(TokNumber, l.src[l.start:l.pos])
	return lexAny
}

func lexIdent(l *lexer) stateFn {
	for {
		r, w := l.peek()
		if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			break
		}
		l.pos += w
	}
	l.emit(TokIdent, l.src[l.start:l.pos])
	return lexAny
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isHex(c byte) bool { return isDigit(c) || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F') }

func quoteRune(r rune) string { return strconv.Quote(string(r)) }
