package filter

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// snippetRadius is how many bytes of input Error shows on each side of the error position, so that a
// 10,000-byte hostile filter does not end up whole in a 400 response.
const snippetRadius = 40

// Error renders as the message, the position, and the input around it with a caret under the position:
//
//	expected an operator after "userName", found "xx" at position 9
//	    userName xx "a"
//	             ^
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Msg)
	b.WriteString(" at position ")
	b.WriteString(strconv.Itoa(e.Pos))
	snippet, caret := e.snippet()
	b.WriteString("\n    ")
	b.WriteString(snippet)
	b.WriteString("\n    ")
	b.WriteString(strings.Repeat(" ", caret))
	b.WriteByte('^')
	return b.String()
}

// snippet returns the input around Pos on one line and the caret's column within it.
func (e *Error) snippet() (string, int) {
	pos := min(max(e.Pos, 0), len(e.Input))
	from, to := max(pos-snippetRadius, 0), min(pos+snippetRadius, len(e.Input))
	for from > 0 && !utf8.RuneStart(e.Input[from]) {
		from--
	}
	for to < len(e.Input) && !utf8.RuneStart(e.Input[to]) {
		to++
	}
	var b strings.Builder
	if from > 0 {
		b.WriteString("...")
	}
	caret := 0
	for i, r := range e.Input[from:to] {
		if from+i == pos {
			caret = utf8.RuneCountInString(b.String())
		}
		if r < 0x20 || r == utf8.RuneError {
			r = ' '
		}
		b.WriteRune(r)
	}
	if pos == to {
		caret = utf8.RuneCountInString(b.String())
	}
	if to < len(e.Input) {
		b.WriteString("...")
	}
	return b.String(), caret
}

// newError builds an *Error; messages are written out at each call site, where tests pin them.
func newError(input string, pos int, msg string) *Error {
	return &Error{Pos: pos, Msg: msg, Input: input}
}
