package engine

import (
	"os"

	"go.yaml.in/yaml/v3"

	"github.com/scimsim/scimsim/internal/decode"
)

// Pos is where a value was written: file, line and column. The zero Pos (a value built in Go)
// prints as nothing, so errors stay readable for Go callers too.
type Pos = decode.Pos

// FieldError is an invalid value in a source, config or changes file: "file:line:col: field:
// message".
type FieldError = decode.Error

// loadFile reads the file path and decodes its top-level mapping with dec.
func loadFile[T any](path string, dec func(*yaml.Node, *decode.Decoder) (T, error)) (T, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		var zero T
		return zero, err
	}
	return parse(path, b, dec)
}

// parse decodes b, the file name, as one top-level mapping with dec.
func parse[T any](name string, b []byte, dec func(*yaml.Node, *decode.Decoder) (T, error)) (T, error) {
	root, d, err := decode.Mapping(name, b)
	if err != nil {
		var zero T
		return zero, err
	}
	return dec(root, d)
}
