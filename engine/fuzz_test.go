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

// FuzzParseConfig: any input either loads into a config that validates again, or fails with an
// error naming the file; it never panics.
func FuzzParseConfig(f *testing.F) {
	seedFiles(f, "../testdata/configs/*.yaml", "testdata/config-errors/*.yaml")
	f.Fuzz(func(t *testing.T, b []byte) {
		cfg, err := ParseConfig("fuzz.yaml", b)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yaml") {
				t.Fatalf("error %q does not name the file", err)
			}
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
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yaml") {
				t.Fatalf("error %q does not name the file", err)
			}
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

// FuzzParseTargetPath: the attribute path parser never panics, and what it accepts can be set and
// read back.
func FuzzParseTargetPath(f *testing.F) {
	for _, s := range []string{"userName", "name.givenName", `emails[type eq "work"].value`, `phoneNumbers[type eq "mobile"]`,
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "urn:x:manager.value", "a[", "]", "urn:", "a.b.c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parseTargetPath(s)
		if err != nil {
			return
		}
		res := map[string]any{}
		p.set(res, "v")
		if got := p.get(res); got != "v" {
			t.Fatalf("path %q: set then get = %v", s, got)
		}
	})
}
