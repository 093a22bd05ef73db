package engine

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Pos is where a value was written: file and line. The zero Pos (a value built in Go) prints as
// nothing, so errors stay readable for Go callers too.
type Pos struct {
	File string
	Line int
	// keys holds the line of each key of the mapping at Pos, so that errors point at the field.
	keys map[string]int
}

// at returns the position of the key named key, or p itself when the key was not written.
func (p Pos) at(key string) Pos {
	if l, ok := p.keys[key]; ok {
		return Pos{File: p.File, Line: l}
	}
	return Pos{File: p.File, Line: p.Line}
}

func (p Pos) String() string {
	switch {
	case p.File == "" && p.Line == 0:
		return ""
	case p.Line == 0:
		return p.File
	}
	return fmt.Sprintf("%s:%d", p.File, p.Line)
}

// FieldError is an invalid value in a source or config file: "file:line: field: message".
type FieldError struct {
	Pos   Pos
	Field string // dotted path such as "users.mappings[2].target"; empty for file-level errors
	Msg   string
}

func (e *FieldError) Error() string {
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

// decoder walks a YAML node tree. A key or list item whose value is wrong is recorded (add) and
// skipped, so that one load reports every mistake of the file, up to maxErrors (err).
type decoder struct {
	file    string
	errs    []error
	dropped int // mistakes beyond maxErrors, counted
}

// maxErrors bounds the mistakes one file reports: enough to fix a file in one go, without a flood
// from a file that is not a config at all.
const maxErrors = 20

// add records a mistake.
func (d *decoder) add(err error) {
	if len(d.errs) < maxErrors {
		d.errs = append(d.errs, err)
		return
	}
	d.dropped++
}

// err returns every mistake recorded, joined (each a *FieldError, in the order of the file), or nil.
func (d *decoder) err() error { return joinMistakes(d.file, d.errs, d.dropped) }

// joinMistakes joins the mistakes of one file, saying how many more there were beyond maxErrors.
func joinMistakes(file string, errs []error, dropped int) error {
	if dropped > 0 {
		errs = append(errs, &FieldError{Pos: Pos{File: file}, Msg: fmt.Sprintf("%d more %s not shown (the first %d are above)", dropped, pluralWord(dropped, "mistake", "mistakes"), maxErrors)})
	}
	return errors.Join(errs...)
}

func (d *decoder) pos(n *yaml.Node) Pos { return Pos{File: d.file, Line: n.Line} }

func (d *decoder) errf(n *yaml.Node, field, format string, args ...any) error {
	return &FieldError{Pos: d.pos(n), Field: field, Msg: fmt.Sprintf(format, args...)}
}

// readDocument reads path and returns its top-level mapping node.
func readDocument(path string) (*yaml.Node, *decoder, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	return parseDocument(path, b)
}

func parseDocument(name string, b []byte) (*yaml.Node, *decoder, error) {
	d := &decoder{file: name}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, nil, &FieldError{Pos: Pos{File: name, Line: yamlErrorLine(err)}, Msg: yamlErrorMsg(err)}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, nil, &FieldError{Pos: Pos{File: name, Line: 1}, Msg: "empty document"}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, nil, d.errf(root, "", "want a mapping at the top level, got %s", kindName(root))
	}
	return root, d, nil
}

// yamlErrorLine extracts the line from a yaml.v3 syntax error ("yaml: line 3: ...").
func yamlErrorLine(err error) int {
	var te *yaml.TypeError
	msg := err.Error()
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	if i := strings.Index(msg, "line "); i >= 0 {
		rest := msg[i+5:]
		if j := strings.IndexAny(rest, ": "); j > 0 {
			if n, err := strconv.Atoi(rest[:j]); err == nil {
				return n
			}
		}
	}
	return 0
}

func yamlErrorMsg(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if i := strings.Index(msg, "line "); i == 0 {
		if j := strings.Index(msg, ": "); j > 0 {
			msg = msg[j+2:]
		}
	}
	return msg
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "null"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "nothing"
}

// mapping calls f for each key of a mapping node, in order. f returns errUnknownKey for a key it
// does not know; mapping records that as `file:line: unknown key "x"`. Duplicate keys are mistakes.
func (d *decoder) mapping(n *yaml.Node, field string, f func(key string, k, v *yaml.Node) error) error {
	return d.fields(n, field, nil, f)
}

// fields is mapping that also records each key's line in pos. A mistake in a key's value is
// recorded and the next key read: fields returns an error only when n is not a mapping.
func (d *decoder) fields(n *yaml.Node, field string, pos *Pos, f func(key string, k, v *yaml.Node) error) error {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind != yaml.MappingNode {
		return d.errf(n, field, "want a mapping, got %s", kindName(n))
	}
	seen := make(map[string]bool, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.add(d.errf(k, field, "want a string key, got %s", kindName(k)))
			continue
		}
		if seen[k.Value] {
			d.add(d.errf(k, join(field, k.Value), "duplicate key"))
			continue
		}
		seen[k.Value] = true
		if pos != nil {
			if pos.keys == nil {
				pos.keys = map[string]int{}
			}
			pos.keys[k.Value] = k.Line
		}
		if v.Kind == yaml.AliasNode && v.Alias != nil {
			v = v.Alias
		}
		if err := f(k.Value, k, v); err != nil {
			if errors.Is(err, errUnknownKey) {
				err = &FieldError{Pos: d.pos(k), Msg: fmt.Sprintf("unknown key %q", k.Value)}
			}
			// The key's value is left unset; the keys after it are still read.
			d.add(err)
		}
	}
	return nil
}

var errUnknownKey = errors.New("unknown key")

// sequence calls f for each item of a sequence node.
func (d *decoder) sequence(n *yaml.Node, field string, f func(i int, item *yaml.Node) error) error {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		return d.errf(n, field, "want a list, got %s", kindName(n))
	}
	for i, item := range n.Content {
		if item.Kind == yaml.AliasNode && item.Alias != nil {
			item = item.Alias
		}
		if err := f(i, item); err != nil {
			d.add(err) // and on with the next item
		}
	}
	return nil
}

func (d *decoder) str(n *yaml.Node, field string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", d.errf(n, field, "want a string, got %s", kindName(n))
	}
	return n.Value, nil
}

func (d *decoder) boolean(n *yaml.Node, field string) (bool, error) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!bool" {
		var b bool
		if err := n.Decode(&b); err == nil {
			return b, nil
		}
	}
	return false, d.errf(n, field, "want true or false, got %s", kindName(n))
}

func (d *decoder) integer(n *yaml.Node, field string) (int, error) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!int" {
		if i, err := strconv.Atoi(n.Value); err == nil {
			return i, nil
		}
	}
	return 0, d.errf(n, field, "want an integer, got %s", kindName(n))
}

func (d *decoder) duration(n *yaml.Node, field string) (time.Duration, error) {
	s, err := d.str(n, field)
	if err != nil {
		return 0, err
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return 0, d.errf(n, field, "want a duration such as 30s or 2m, got %q", s)
	}
	return v, nil
}

func (d *decoder) timestamp(n *yaml.Node, field string) (time.Time, error) {
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		if t, err := time.Parse(time.RFC3339, n.Value); err == nil {
			return t, nil
		}
	}
	return time.Time{}, d.errf(n, field, "want an RFC 3339 time such as 2026-11-25T09:58:00Z, got %s", kindName(n))
}

func (d *decoder) strings(n *yaml.Node, field string) ([]string, error) {
	var out []string
	err := d.sequence(n, field, func(i int, item *yaml.Node) error {
		s, err := d.str(item, fmt.Sprintf("%s[%d]", field, i))
		out = append(out, s)
		return err
	})
	return out, err
}

// scalar converts a source attribute value: string, bool, int64, float64, []string (lists of
// scalars), or nil for null.
func (d *decoder) scalar(n *yaml.Node, field string) (any, error) {
	switch n.Kind {
	case yaml.SequenceNode:
		out := make([]string, 0, len(n.Content))
		for i, item := range n.Content {
			if item.Kind != yaml.ScalarNode || item.Tag == "!!null" {
				return nil, d.errf(item, fmt.Sprintf("%s[%d]", field, i), "want a scalar in a multi-valued attribute, got %s", kindName(item))
			}
			out = append(out, item.Value)
		}
		return out, nil
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return nil, nil
		case "!!bool":
			return d.boolean(n, field)
		case "!!int":
			i, err := strconv.ParseInt(n.Value, 0, 64)
			if err != nil {
				return nil, d.errf(n, field, "integer %q out of range", n.Value)
			}
			return i, nil
		case "!!float":
			var f float64
			if err := n.Decode(&f); err != nil {
				return nil, d.errf(n, field, "bad number %q", n.Value)
			}
			return f, nil
		case "!!timestamp":
			return n.Value, nil
		}
		return n.Value, nil
	}
	return nil, d.errf(n, field, "want a string, number, boolean or list, got %s", kindName(n))
}

func join(field, key string) string {
	if field == "" {
		return key
	}
	return field + "." + key
}
