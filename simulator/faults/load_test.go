package faults_test

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimsim/scimsim/simulator/faults"
)

func TestLoadFile(t *testing.T) {
	want := []faults.Spec{
		{Name: "dup", Type: "duplicate_match", Match: faults.Match{Method: "GET", Resource: "Users", FilterAttribute: "userName"}},
		{Name: "flaky", Type: "server_error", After: 2, Count: 3, Probability: 0.5, Attributes: map[string]any{"status": 503, "retryAfter": 5}},
		{Type: "drop_attribute", Attributes: map[string]any{"attribute": []any{"title", "name.givenName"}}},
	}
	for _, file := range []string{"good.yaml", "good.json", "wrapped.yaml"} {
		t.Run(file, func(t *testing.T) {
			got, err := faults.LoadFile(filepath.Join("testdata", "load", file))
			if err != nil {
				t.Fatalf("LoadFile: %v", err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("LoadFile (-want +got):\n%s", diff)
			}
			set := faults.NewSet(1)
			for _, s := range got {
				if _, err := set.Add(s); err != nil {
					t.Errorf("Add(%+v): %v", s, err)
				}
			}
		})
	}
}

// TestLoadFile_errors reads the expected error from each file's first lines, "# want: ...", one
// line of the error each, with FILE standing for the file's path and KNOWN for the list of types.
func TestLoadFile_errors(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "load-errors", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no error cases: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			want := strings.ReplaceAll(wantLines(t, file), "FILE", file)
			want = strings.ReplaceAll(want, "KNOWN", knownTypes())
			_, err := faults.LoadFile(file)
			if err == nil {
				t.Fatalf("LoadFile(%s)=nil error, want %q", file, want)
			}
			if got := err.Error(); got != want {
				t.Fatalf("LoadFile error=\n%s\nwant\n%s", got, want)
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		_, err := faults.LoadFile(filepath.Join("testdata", "load", "nope.yaml"))
		if err == nil || !strings.Contains(err.Error(), "nope.yaml") {
			t.Fatalf("LoadFile(missing)=%v, want an error naming the file", err)
		}
	})
}

// wantLines joins the "# want: " lines a file starts with.
func wantLines(t *testing.T, file string) string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var want []string
	for s := bufio.NewScanner(f); s.Scan(); {
		line, ok := strings.CutPrefix(s.Text(), "# want: ")
		if !ok {
			break
		}
		want = append(want, line)
	}
	return strings.Join(want, "\n")
}

// knownTypes lists the registry's types as the loader's messages do.
func knownTypes() string {
	var names []string
	for _, ti := range faults.Types() {
		names = append(names, ti.Name)
	}
	return strings.Join(names, ", ")
}
