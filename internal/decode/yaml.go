package decode

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/scimsim/scimsim/internal/suggest"
)

// Decoder walks the node tree of one file. A key or list item whose value is wrong is recorded and
// skipped, so that one load reports every mistake of the file (Err).
type Decoder struct {
	Mistakes
}

// New returns a decoder for the file name.
func New(name string) *Decoder { return &Decoder{Mistakes{File: name}} }

// Document parses b, the file name, as one YAML (or JSON) document and returns its root node: a
// syntax error, an empty file or a second document is an *Error. noun names the file in those
// errors ("scenario file"; "" for a document). A document of one value only (not a mapping) is
// returned as it is: the caller says what it wants at the top.
func Document(name string, b []byte, noun string) (*yaml.Node, error) {
	empty, one := "empty document", "the file holds one"
	if noun != "" {
		empty, one = "empty "+noun, "a "+noun+" holds one"
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{Pos: Pos{File: name, Line: 1}, Msg: empty, Err: ErrEmpty}
		}
		return nil, SyntaxError(name, err)
	}
	if doc.Kind == 0 || (doc.Kind == yaml.DocumentNode && len(doc.Content) == 0) {
		return nil, &Error{Pos: Pos{File: name, Line: 1}, Msg: empty, Err: ErrEmpty}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, Errorf(Pos{File: name, Line: extra.Line}, "", "more than one YAML document; %s", one)
	} else if !errors.Is(err, io.EOF) {
		return nil, SyntaxError(name, err)
	}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		return doc.Content[0], nil
	}
	return &doc, nil
}

// Mapping is Document for a file whose top level is a mapping.
func Mapping(name string, b []byte) (*yaml.Node, *Decoder, error) {
	root, err := Document(name, b, "")
	if err != nil {
		return nil, nil, err
	}
	d := New(name)
	if root.Kind != yaml.MappingNode {
		return nil, nil, d.Errorf(root, "", "want a mapping at the top level, got %s", Describe(root))
	}
	return root, d, nil
}

var yamlLine = regexp.MustCompile(`(?s)^(?:yaml: )?line (\d+): (.*)$`)

// SyntaxError turns an error of the YAML library ("yaml: line 3: ...") into an *Error of the file
// name, on one line: a newline the library quotes from the file is written \n.
func SyntaxError(name string, err error) *Error {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = oneLine(msg)
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{Pos: Pos{File: name, Line: line}, Msg: m[2]}
	}
	return &Error{Pos: Pos{File: name}, Msg: strings.TrimPrefix(msg, "yaml: ")}
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", `\n`) }

// Pos is where n was written.
func (d *Decoder) Pos(n *yaml.Node) Pos { return Pos{File: d.File, Line: n.Line, Col: n.Column} }

// Errorf returns an *Error at n.
func (d *Decoder) Errorf(n *yaml.Node, field, format string, args ...any) error {
	return Errorf(d.Pos(n), field, format, args...)
}

// Describe names what a node holds, for messages: "a mapping", "a list", `"text"`, null.
func Describe(n *yaml.Node) string {
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

func resolve(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

// ErrUnknownKey, returned by a Fields callback, reports the key as unknown.
var ErrUnknownKey = errors.New("unknown key")

// Fields calls f for each key of the mapping n (the value at field), in order, and records each
// key's position in pos (when not nil). A key not in known (nil: any key) is an unknown key, with
// a hint, and f is not called for it; f may also return ErrUnknownKey. Duplicate keys are mistakes.
// A mistake in a key's value is recorded and the next key read: Fields returns an error only when
// n is not a mapping.
func (d *Decoder) Fields(n *yaml.Node, field string, pos *Pos, known []string, f func(key string, k, v *yaml.Node) error) error {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		return d.Errorf(n, field, "want a mapping, got %s", Describe(n))
	}
	seen := make(map[string]bool, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			d.Add(d.Errorf(k, field, "want a string key, got %s", Describe(k)))
			continue
		}
		if seen[k.Value] {
			d.Add(d.Errorf(k, Field(field, k.Value), "duplicate key"))
			continue
		}
		seen[k.Value] = true
		if known != nil && !slices.Contains(known, k.Value) {
			d.Add(UnknownKey(d.Pos(k), k.Value, field, known))
			continue
		}
		if pos != nil {
			pos.SetKey(k.Value, d.Pos(k))
		}
		if err := f(k.Value, k, v); err != nil {
			if errors.Is(err, ErrUnknownKey) {
				err = UnknownKey(d.Pos(k), k.Value, field, known)
			}
			// The key's value is left unset; the keys after it are still read.
			d.Add(err)
		}
	}
	return nil
}

// Sequence calls f for each item of the list n (the value at field); null is an empty list.
func (d *Decoder) Sequence(n *yaml.Node, field string, f func(i int, item *yaml.Node) error) error {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		return d.Errorf(n, field, "want a list, got %s", Describe(n))
	}
	for i, item := range n.Content {
		if err := f(i, resolve(item)); err != nil {
			d.Add(err) // and on with the next item
		}
	}
	return nil
}

// Str reads a string.
func (d *Decoder) Str(n *yaml.Node, field string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", d.Errorf(n, field, "want a string, got %s", Describe(n))
	}
	return n.Value, nil
}

// Bool reads true or false.
func (d *Decoder) Bool(n *yaml.Node, field string) (bool, error) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!bool" {
		var b bool
		if err := n.Decode(&b); err == nil {
			return b, nil
		}
	}
	return false, d.Errorf(n, field, "want true or false, got %s", Describe(n))
}

// Int reads an integer.
func (d *Decoder) Int(n *yaml.Node, field string) (int, error) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!int" {
		if i, err := strconv.Atoi(n.Value); err == nil {
			return i, nil
		}
	}
	return 0, d.Errorf(n, field, "want an integer, got %s", Describe(n))
}

// Duration reads a Go duration such as 30s.
func (d *Decoder) Duration(n *yaml.Node, field string) (time.Duration, error) {
	s, err := d.Str(n, field)
	if err != nil {
		return 0, err
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return 0, d.Errorf(n, field, "want a duration such as 30s or 2m, got %q", s)
	}
	return v, nil
}

// Time reads an RFC 3339 time.
func (d *Decoder) Time(n *yaml.Node, field string) (time.Time, error) {
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		if t, err := time.Parse(time.RFC3339, n.Value); err == nil {
			return t, nil
		}
	}
	return time.Time{}, d.Errorf(n, field, "want an RFC 3339 time such as 2026-11-25T09:58:00Z, got %s", Describe(n))
}

// Strings reads a list of strings.
func (d *Decoder) Strings(n *yaml.Node, field string) ([]string, error) {
	var out []string
	err := d.Sequence(n, field, func(i int, item *yaml.Node) error {
		s, err := d.Str(item, Index(field, i))
		out = append(out, s)
		return err
	})
	return out, err
}

// Scalar reads an attribute value: string, bool, int64, float64, []string (a list of scalars), or
// nil for null. A date stays the text written, as a directory attribute would.
func (d *Decoder) Scalar(n *yaml.Node, field string) (any, error) {
	switch n.Kind {
	case yaml.SequenceNode:
		out := make([]string, 0, len(n.Content))
		for i, item := range n.Content {
			if item.Kind != yaml.ScalarNode || item.Tag == "!!null" {
				return nil, d.Errorf(item, Index(field, i), "want a scalar in a multi-valued attribute, got %s", Describe(item))
			}
			out = append(out, item.Value)
		}
		return out, nil
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return nil, nil
		case "!!bool":
			return d.Bool(n, field)
		case "!!int":
			i, err := strconv.ParseInt(n.Value, 0, 64)
			if err != nil {
				return nil, d.Errorf(n, field, "integer %q out of range", n.Value)
			}
			return i, nil
		case "!!float":
			var f float64
			if err := n.Decode(&f); err != nil {
				return nil, d.Errorf(n, field, "bad number %q", n.Value)
			}
			return f, nil
		}
		return n.Value, nil
	}
	return nil, d.Errorf(n, field, "want a string, number, boolean or list, got %s", Describe(n))
}

// Find returns the node at a key path below root (list items by index, as "0"), and the deepest
// node found on the way when the path goes further than the file does.
func Find(root *yaml.Node, path ...string) *yaml.Node {
	n := root
	for _, key := range path {
		n = resolve(n)
		var next *yaml.Node
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == key {
					next = n.Content[i+1]
					break
				}
			}
		case yaml.SequenceNode:
			if i, err := strconv.Atoi(key); err == nil && i >= 0 && i < len(n.Content) {
				next = n.Content[i]
			}
		}
		if next == nil {
			return n
		}
		n = next
	}
	return n
}

// At is the position of the value at a key path below root (see Find).
func (d *Decoder) At(root *yaml.Node, path ...string) Pos { return d.Pos(Find(root, path...)) }

// closest is the known key nearest to key, when it is near enough to be the one meant: fewer
// edits than half its length (ties alphabetical).
func closest(key string, known []string) string {
	best, bestDist := "", len(key)/2+1
	for _, k := range known {
		if d := suggest.Distance(key, k); d < bestDist || (d == bestDist && best != "" && k < best) {
			best, bestDist = k, d
		}
	}
	return best
}
