package decode

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
)

// JSON decodes b, the JSON document name (a file, or "body" for an API's request), into v, a
// pointer to a Go value whose json tags name the keys the document may hold, with encoding/json:
// a large document (a seed) decodes at its speed and without the node tree a YAML reading builds.
// Its mistakes are *Error as a YAML reading's are: a syntax error or a value of the wrong type at
// its line and column, every key that names no field (with the closest known key, or the list of
// them), a second value after the first.
func JSON(name string, b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	err := d.Decode(v)
	if err == nil {
		off := d.InputOffset()
		if _, err := d.Token(); !errors.Is(err, io.EOF) {
			for off < int64(len(b)) && strings.IndexByte(" \t\r\n", b[off]) >= 0 {
				off++
			}
			return Errorf(offsetPos(name, b, off), "", "more than one JSON value")
		}
		return nil
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return &Error{Pos: Pos{File: name, Line: 1}, Msg: "empty document", Err: ErrEmpty}
	case errors.As(err, &se):
		return Errorf(offsetPos(name, b, se.Offset), "", "%s", se.Error())
	case errors.As(err, &te):
		return Errorf(offsetPos(name, b, te.Offset), te.Field, "want %s, got %s", te.Type, te.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json names the key alone: walk the document against v's type for where it is,
		// in which mapping, and what was meant.
		w := jsonWalk{d: json.NewDecoder(bytes.NewReader(b)), b: b, m: Mistakes{File: name}}
		w.d.UseNumber()
		w.value(reflect.TypeOf(v), "")
		if w.m.Len() > 0 {
			return w.m.Err()
		}
	}
	return &Error{Pos: Pos{File: name}, Msg: strings.TrimPrefix(err.Error(), "json: ")}
}

// offsetPos is the line and column (in bytes, 1-based) of offset off of b.
func offsetPos(name string, b []byte, off int64) Pos {
	off = min(max(off, 0), int64(len(b)))
	head := b[:off]
	line := 1 + bytes.Count(head, []byte("\n"))
	return Pos{File: name, Line: line, Col: len(head) - bytes.LastIndexByte(head, '\n')}
}

var (
	jsonUnmarshaler = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()
	textUnmarshaler = reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()
)

// jsonWalk reads a document token by token against a Go type and records its unknown keys.
type jsonWalk struct {
	d *json.Decoder
	b []byte
	m Mistakes
}

// value reads one value of type t at path.
func (w *jsonWalk) value(t reflect.Type, path string) bool {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	tok, err := w.d.Token()
	if err != nil {
		return false
	}
	open, isDelim := tok.(json.Delim)
	if !isDelim {
		return true
	}
	free := t == nil || t == anyType || reflect.PointerTo(t).Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler)
	switch {
	case open == '{' && !free && t.Kind() == reflect.Struct:
		fields := jsonFields(t)
		known := make([]string, 0, len(fields))
		for k := range fields {
			known = append(known, k)
		}
		for w.d.More() {
			at := w.keyPos()
			tok, err := w.d.Token()
			if err != nil {
				return false
			}
			key, _ := tok.(string)
			f, ok := fields[key]
			if !ok {
				for k, ft := range fields { // encoding/json matches keys case-insensitively
					if strings.EqualFold(k, key) {
						f, ok = ft, true
						break
					}
				}
			}
			if !ok {
				w.m.Add(UnknownKey(at, key, path, known))
				f = nil
			}
			if !w.value(f, Field(path, key)) {
				return false
			}
		}
	case open == '{' && !free && t.Kind() == reflect.Map:
		for w.d.More() {
			tok, err := w.d.Token()
			if err != nil {
				return false
			}
			key, _ := tok.(string)
			if !w.value(t.Elem(), Field(path, key)) {
				return false
			}
		}
	case open == '[' && !free && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array):
		for i := 0; w.d.More(); i++ {
			if !w.value(t.Elem(), Index(path, i)) {
				return false
			}
		}
	default: // free-form, or of another shape than t (encoding/json reports that)
		for w.d.More() {
			if open == '{' {
				if _, err := w.d.Token(); err != nil {
					return false
				}
			}
			if !w.value(nil, path) {
				return false
			}
		}
	}
	_, err = w.d.Token() // the closing delimiter
	return err == nil
}

// keyPos is where the next key starts: past the separator and white space after the last token.
func (w *jsonWalk) keyPos() Pos {
	off := w.d.InputOffset()
	for off < int64(len(w.b)) && strings.IndexByte(" \t\r\n,", w.b[off]) >= 0 {
		off++
	}
	return offsetPos(w.m.File, w.b, off)
}

// jsonFields maps the JSON key of each decodable field of a struct type to the field's type, the
// fields of embedded structs included, as encoding/json reads them.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == "-" {
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && tag == "" && ft.Kind() == reflect.Struct {
			for k, v := range jsonFields(ft) {
				if _, ok := out[k]; !ok {
					out[k] = v
				}
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if tag == "" {
			tag = f.Name
		}
		out[tag] = f.Type
	}
	return out
}
