package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// seedFiles adds every YAML file matching the patterns to the fuzz corpus.
func seedFiles(f *testing.F, patterns ...string) {
	f.Helper()
	n := 0
	for _, p := range patterns {
		files, _ := filepath.Glob(p)
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
			n++
		}
	}
	if n == 0 {
		f.Fatalf("no seed files for %v", patterns)
	}
}

// loaded reports whether fuzz.yaml loaded, failing t when the error of a load that failed does not
// name the file.
func loaded(t *testing.T, err error) bool {
	t.Helper()
	if err != nil && !strings.HasPrefix(err.Error(), "fuzz.yaml") {
		t.Fatalf("error %q does not name the file", err)
	}
	return err == nil
}

// FuzzParseConfig: any input either loads into a config that validates again, or fails with an
// error naming the file; it never panics.
func FuzzParseConfig(f *testing.F) {
	seedFiles(f, "../testdata/configs/*.yaml", "testdata/config-errors/*.yaml")
	f.Fuzz(func(t *testing.T, b []byte) {
		cfg, err := ParseConfig("fuzz.yaml", b)
		if !loaded(t, err) {
			return
		}
		if err := cfg.Validate(); err != nil {
			t.Fatalf("a loaded config does not validate again: %v", err)
		}
	})
}

// FuzzParseSource is FuzzParseConfig for sources; a loaded source can also be searched.
func FuzzParseSource(f *testing.F) {
	seedFiles(f, "../testdata/sources/*.yaml", "testdata/source-errors/*.yaml")
	f.Fuzz(func(t *testing.T, b []byte) {
		src, err := ParseSource("fuzz.yaml", b)
		if !loaded(t, err) {
			return
		}
		if err := src.Validate(); err != nil {
			t.Fatalf("a loaded source does not validate again: %v", err)
		}
		for _, u := range src.Users {
			_, _ = src.FindUser(u.ObjectID)
		}
	})
}
