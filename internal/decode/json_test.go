package decode

import (
	"errors"
	"fmt"
	"os"
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
	files, _ := filepath.Glob(filepath.Join("testdata", "json", "*.json"))
	if len(files) == 0 {
		t.Fatal("no files in testdata/json")
	}
	for _, p := range files {
		t.Run(filepath.Base(p), func(t *testing.T) {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			var v jsonSample
			err = JSON(filepath.Base(p), b, &v)
			got := fmt.Sprintf("%+v\n", v)
			if err != nil {
				got = err.Error() + "\n"
				for _, e := range unwrap(err) {
					var de *Error
					if !errors.As(e, &de) {
						t.Errorf("%q is not an *Error", e)
					}
				}
			}
			golden.File(t, strings.TrimSuffix(p, ".json")+".want", got)
		})
	}
}

// FuzzJSON: no input panics JSON, and every mistake names the document.
func FuzzJSON(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "json", "*.json"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
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
