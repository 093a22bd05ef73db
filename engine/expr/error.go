package expr

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Error is a parse, check or evaluation error at a position of the expression.
type Error struct {
	Pos int    // byte offset into Src
	Msg string // what is wrong, in the user's terms
	Src string // the whole expression
	// Err is the error an evaluation failed with, when there is one to inspect: ErrNoDefaultDomain,
	// ErrNoUniqueValue, or the error of Env.Exists (a failed lookup in the target). Msg already
	// includes its text.
	Err error
}

// Unwrap returns Err, so that errors.Is and errors.As see what the evaluation failed with.
func (e *Error) Unwrap() error { return e.Err }

// snippetWidth bounds the source shown above the caret, so that a 10,000-character expression
// still gives a readable error.
const snippetWidth = 72

// Error returns the message with the line and column, followed by the offending line and a caret
// under the position, like a compiler:
//
//	1:1: unknown function Joinn (did you mean Join?)
//	  Joinn(" ", [givenName], [surname])
//	  ^
func (e *Error) Error() string {
	line, col, text, caret := e.locate()
	return fmt.Sprintf("%d:%d: %s\n  %s\n  %s^", line, col, e.Msg, text, caret)
}

// Line returns the 1-based line of the error.
func (e *Error) Line() int {
	l, _, _, _ := e.locate()
	return l
}

// Column returns the 1-based column of the error, counted in characters.
func (e *Error) Column() int {
	_, c, _, _ := e.locate()
	return c
}

func (e *Error) locate() (line, col int, text, caret string) {
	pos := min(max(e.Pos, 0), len(e.Src))
	start := strings.LastIndexByte(e.Src[:pos], '\n') + 1
	end := strings.IndexByte(e.Src[pos:], '\n')
	if end < 0 {
		end = len(e.Src)
	} else {
		end += pos
	}
	line = strings.Count(e.Src[:start], "\n") + 1
	col = utf8.RuneCountInString(e.Src[start:pos]) + 1
	lineText := strings.TrimRight(e.Src[start:end], "\r")

	// Window the line around the column when it is long.
	runes := []rune(lineText)
	c := col - 1
	from, to := 0, len(runes)
	prefix, suffix := "", ""
	if len(runes) > snippetWidth {
		from = max(0, c-snippetWidth/2)
		to = min(len(runes), from+snippetWidth)
		from = max(0, to-snippetWidth)
		if from > 0 {
			prefix = "..."
		}
		if to < len(runes) {
			suffix = "..."
		}
	}
	text = prefix + string(runes[from:to]) + suffix
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", len(prefix)))
	for _, r := range runes[from:min(c, len(runes))] {
		if r == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
	}
	return line, col, text, b.String()
}
