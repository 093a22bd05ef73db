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

// readDocument reads path and returns its top-level mapping node.
func readDocument(path string) (*yaml.Node, *decode.Decoder, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	return decode.Mapping(path, b)
}
