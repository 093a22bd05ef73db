package decode

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Strict decodes n into v, a pointer to a Go value whose yaml tags name the keys a file may hold.
// Before decoding it walks n against v's type and records every key that names no field (with a
// hint), every value of the wrong shape and every time that is not RFC 3339; then it records each
// value the YAML library cannot convert, once per line. Values that decode themselves
// (yaml.Unmarshaler) and free-form ones (any, maps) are not walked: their keys are the file's own.
// what names the document in messages about its top level ("the scenario").
func (d *Decoder) Strict(n *yaml.Node, v any, what string) {
	d.checkKeys(n, reflect.TypeOf(v), "", what)
	if err := n.Decode(v); err != nil {
		d.typeError(err)
	}
}

var (
	timeType        = reflect.TypeOf(time.Time{})
	anyType         = reflect.TypeOf((*any)(nil)).Elem()
	unmarshalerType = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()
)

func (d *Decoder) checkKeys(n *yaml.Node, t reflect.Type, path, what string) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
		if n == nil {
			return
		}
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	described := path
	if described == "" {
		described = what
	}
	switch {
	case t == anyType || reflect.PointerTo(t).Implements(unmarshalerType):
		return
	case t == timeType:
		if _, err := time.Parse(time.RFC3339, n.Value); n.Kind != yaml.ScalarNode || err != nil {
			d.Addf(d.Pos(n), "", "%s %s is not a time: write it as RFC 3339, e.g. 2026-11-25T10:00:00Z", described, describeValue(n))
			// The decoder stops at the first time it cannot parse; with the mistake recorded, a
			// zero time in its place lets it go on and report the others.
			*n = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!timestamp", Value: "0001-01-01T00:00:00Z", Line: n.Line, Column: n.Column}
		}
	case t.Kind() == reflect.Struct:
		if !d.shaped(n, yaml.MappingNode, described, "a mapping") {
			return
		}
		fields := yamlFields(t)
		known := make([]string, 0, len(fields))
		for k := range fields {
			known = append(known, k)
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			f, ok := fields[k.Value]
			if !ok {
				d.Add(UnknownKey(d.Pos(k), k.Value, path, known))
				continue
			}
			d.checkKeys(v, f, Field(path, k.Value), what)
		}
	case t.Kind() == reflect.Slice:
		if !d.shaped(n, yaml.SequenceNode, described, "a list") {
			return
		}
		for i, c := range n.Content {
			d.checkKeys(c, t.Elem(), Index(path, i), what)
		}
	case t.Kind() == reflect.Map:
		d.shaped(n, yaml.MappingNode, described, "a mapping")
	default:
		if n.Kind != yaml.ScalarNode {
			d.Addf(d.Pos(n), "", "%s must be a single value, not %s", described, describeValue(n))
		}
	}
}

// shaped reports whether n is of kind want. When it is not, a null passes (it leaves the value
// unset) and anything else is recorded as "DESCRIBED must be NOUN, not ...".
func (d *Decoder) shaped(n *yaml.Node, want yaml.Kind, described, noun string) bool {
	if n.Kind == want {
		return true
	}
	if n.Tag != "!!null" {
		d.Addf(d.Pos(n), "", "%s must be %s, not %s", described, noun, describeValue(n))
	}
	return false
}

// describeValue names a value for Strict's messages: a mapping, a list, or the text written.
func describeValue(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode, yaml.SequenceNode:
		return Describe(n)
	}
	return strconv.Quote(n.Value)
}

// yamlFields maps the yaml key of each decodable field of a struct type to the field's type.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := make(map[string]reflect.Type, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if tag == "-" || !f.IsExported() {
			continue
		}
		if tag == "" {
			tag = strings.ToLower(f.Name)
		}
		out[tag] = f.Type
	}
	return out
}

// typeError records each entry of a *yaml.TypeError ("line 4: cannot unmarshal ...") at its line.
// A mistake on a line already reported (checkKeys found the shape wrong) is not repeated, nor is an
// error without a line after others: the decoder stops at the first value it cannot convert.
func (d *Decoder) typeError(err error) {
	reported := d.Lines()
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		if d.Len() == 0 {
			d.Add(SyntaxError(d.File, err))
		}
		return
	}
	for _, e := range te.Errors {
		e = oneLine(e)
		if m := yamlLine.FindStringSubmatch(e); m != nil {
			line, _ := strconv.Atoi(m[1])
			if !reported[line] {
				d.Addf(Pos{File: d.File, Line: line}, "", "%s", m[2])
			}
			continue
		}
		d.Addf(Pos{File: d.File}, "", "%s", e)
	}
}
