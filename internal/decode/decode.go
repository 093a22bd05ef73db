// Package decode reads the YAML and JSON files users write (job configs, sources, changes files,
// scenarios, attribute files) into Go values, with one error type for every mistake they can hold.
//
// An error reads "file:line:col: field: message", the form editors and CI logs turn into a link; the
// column is left out where the YAML library gives none (a syntax error), the field where the mistake
// concerns the whole file. A key no field knows is reported with the closest known key ("did you
// mean") or, when none is close, the list of known keys. A load reports every mistake of a file, in
// the order of the file, up to MaxErrors, and says how many more there were.
//
// Two ways of decoding share the reader: a Decoder walks a node tree key by key (Fields, Sequence,
// Str, Bool...), for files whose values are checked as they are read (engine's sources and configs);
// Strict decodes a node into a Go value whose yaml tags are the known keys (scenario files, fault
// files). JSON is YAML to the reader, so an API's JSON body decodes with the same errors; JSON
// decodes one with encoding/json instead, for bodies too large for a node tree, and reports its
// mistakes as the same *Error.
package decode

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Pos is where a value was written: file, line and column (1-based; 0 when unknown). The zero Pos
// (a value built in Go) prints as nothing, so errors stay readable for Go callers too.
type Pos struct {
	File      string
	Line, Col int
	// keys holds the position of each key of the mapping at Pos, so that errors point at the field.
	keys map[string]Pos
}

// At returns the position of the key named key, or p itself (without its keys) when the key was not
// written.
func (p Pos) At(key string) Pos {
	if k, ok := p.keys[key]; ok {
		return k
	}
	return Pos{File: p.File, Line: p.Line, Col: p.Col}
}

// SetKey records where the key named key of the mapping at p was written.
func (p *Pos) SetKey(key string, at Pos) {
	if p.keys == nil {
		p.keys = map[string]Pos{}
	}
	p.keys[key] = Pos{File: at.File, Line: at.Line, Col: at.Col}
}

func (p Pos) String() string {
	switch {
	case p.Line == 0:
		return p.File
	case p.Col == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Error is one mistake in a file: "file:line:col: field: message".
type Error struct {
	Pos   Pos
	Field string // dotted path such as "users.mappings[2].target"; empty for file-level mistakes
	Msg   string
	// Err, when set, is the error the mistake comes from (ErrEmpty for an empty document).
	Err error
}

// Unwrap returns Err.
func (e *Error) Unwrap() error { return e.Err }

// ErrEmpty is in the chain of the error of a document that holds nothing.
var ErrEmpty = errors.New("empty document")

func (e *Error) Error() string {
	var parts []string
	if p := e.Pos.String(); p != "" {
		parts = append(parts, p)
	}
	if e.Field != "" {
		parts = append(parts, e.Field)
	}
	parts = append(parts, e.Msg)
	return strings.Join(parts, ": ")
}

// Errorf returns an *Error at pos.
func Errorf(pos Pos, field, format string, args ...any) *Error {
	return &Error{Pos: pos, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// MaxErrors bounds the mistakes one file reports: enough to fix a file in one go, without a flood
// from a file that is not what it is read as at all.
const MaxErrors = 20

// Mistakes collects the mistakes found in one file, so that it is reported whole.
type Mistakes struct {
	File string
	errs []error
}

// Add records err, each of them when it joins several; nil is nothing.
func (m *Mistakes) Add(err error) {
	if err == nil {
		return
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			m.Add(e)
		}
		return
	}
	m.errs = append(m.errs, err)
}

// Addf records an *Error at pos.
func (m *Mistakes) Addf(pos Pos, field, format string, args ...any) {
	m.Add(Errorf(pos, field, format, args...))
}

// Len is the number of mistakes recorded.
func (m *Mistakes) Len() int { return len(m.errs) }

// Lines returns the lines that mistakes were recorded on.
func (m *Mistakes) Lines() map[int]bool {
	out := map[int]bool{}
	for _, e := range m.errs {
		out[LineOf(e)] = true
	}
	return out
}

// Err returns the mistakes recorded, joined in the order of their lines (those without a line
// first), the first MaxErrors of them and a last one saying how many more there were; nil when
// there are none.
func (m *Mistakes) Err() error { return Join(m.File, m.errs) }

// Join joins the mistakes of one file as Mistakes.Err does.
func Join(file string, errs []error) error {
	errs = append([]error(nil), errs...)
	sort.SliceStable(errs, func(i, j int) bool { return LineOf(errs[i]) < LineOf(errs[j]) })
	if n := len(errs) - MaxErrors; n > 0 {
		word := "mistakes"
		if n == 1 {
			word = "mistake"
		}
		errs = append(errs[:MaxErrors], &Error{Pos: Pos{File: file}, Msg: fmt.Sprintf("%d more %s not shown (the first %d are above)", n, word, MaxErrors)})
	}
	return errors.Join(errs...)
}

// LineOf is the line an error points at, 0 when it is not an *Error or names none.
func LineOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Pos.Line
	}
	return 0
}

// UnknownKey is the mistake of a key no field knows, at pos in the mapping at path (empty at the
// top level), with the closest of known as a hint, or the known keys when none is close.
func UnknownKey(pos Pos, key, path string, known []string) *Error {
	in := ""
	if path != "" {
		in = " in " + path
	}
	return Errorf(pos, "", "unknown key %q%s%s", key, in, hint(key, known))
}

// hint names the known key closest to a misspelt one, when one is close enough to be the intent.
func hint(key string, known []string) string {
	if len(known) == 0 {
		return ""
	}
	if best := closest(key, known); best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	sorted := append([]string(nil), known...)
	sort.Strings(sorted)
	return " (known keys: " + strings.Join(sorted, ", ") + ")"
}

// Field joins a key to the dotted path of the mapping it is in.
func Field(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// Index names item i of the list at path.
func Index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// ErrIn is Err for the mistakes of the file named file (validation of values that may come from
// several files, or none).
func (m *Mistakes) ErrIn(file string) error { return Join(file, m.errs) }
