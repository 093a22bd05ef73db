package decode

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/scimsim/scimsim/internal/golden"
)

// jsonSample is a body JSON reads: its json tags are the keys it may hold.
type jsonSample struct {
	Name  string   `json:"name"`
	Count int      `json:"count"`
	Tags  []string `json:"tags"`
	Match struct {
		Method string `json:"method"`
	} `json:"match"`
	Items      []struct{ Value string } `json:"items"`
	Attributes map[string]any           `json:"attributes"`
	jsonEmbedded
}

type jsonEmbedded struct {
	Embedded string `json:"embedded"`
}

// TestJSON: every file under testdata/json reads to what its .want file says: the value, or every
// mistake as "file:line:col: field: message" (-update rewrites them).
func TestJSON(t *testing.T) {
	goldenFiles(t, "json", ".json", func(name string, b []byte) (any, error) {
		var v jsonSample
		err := JSON(name, b, &v)
		return v, err
	})
}

// FuzzJSON: no input panics JSON, and every mistake names the document.
func FuzzJSON(f *testing.F) {
	golden.Seed(f, filepath.Join("testdata", "json", "*.json"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var v jsonSample
		if err := JSON("body", b, &v); err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "body") {
					t.Fatalf("a mistake that does not name the document: %q", line)
				}
			}
		}
	})
}
