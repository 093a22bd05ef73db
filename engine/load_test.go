package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scimsim/scimsim/internal/decode"
)

// globFiles returns the files matching pattern, failing tb when there are none: a test over no
// files would pass without testing anything.
func globFiles(tb testing.TB, pattern string) []string {
	tb.Helper()
	files, _ := filepath.Glob(pattern)
	if len(files) == 0 {
		tb.Fatalf("no files match %s", pattern)
	}
	return files
}

// TestLoad_repositoryTestdata loads every source and job config the project ships: the scenario
// catalog and the documentation depend on them.
func TestLoad_repositoryTestdata(t *testing.T) {
	for _, tc := range []struct {
		pattern, loader string
		load            func(string) error
	}{
		{"../testdata/sources/*.yaml", "LoadSource", func(p string) error { _, err := LoadSource(p); return err }},
		{"../testdata/configs/*.yaml", "LoadConfig", func(p string) error { _, err := LoadConfig(p); return err }},
	} {
		for _, p := range globFiles(t, tc.pattern) {
			t.Run(p, func(t *testing.T) {
				if err := tc.load(p); err != nil {
					t.Fatalf("%s: %v", tc.loader, err)
				}
			})
		}
	}
}

// TestLoadConfig_errors checks the exact error of every broken config under testdata/config-errors:
// the first line of each file is a comment holding the expected error ("# want: ...").
func TestLoadConfig_errors(t *testing.T) {
	testLoadErrors(t, "testdata/config-errors", func(p string) error { _, err := LoadConfig(p); return err })
}

// TestLoadSource_errors is TestLoadConfig_errors for sources.
func TestLoadSource_errors(t *testing.T) {
	testLoadErrors(t, "testdata/source-errors", func(p string) error { _, err := LoadSource(p); return err })
}

func testLoadErrors(t *testing.T, dir string, load func(string) error) {
	t.Helper()
	for _, p := range globFiles(t, filepath.Join(dir, "*.yaml")) {
		t.Run(filepath.Base(p), func(t *testing.T) {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			first, _, _ := strings.Cut(string(b), "\n")
			want := strings.TrimSpace(strings.TrimPrefix(first, "# want:"))
			err = load(p)
			if err == nil {
				t.Fatalf("loaded without error, want %q", want)
			}
			// Only the first line: an expression error goes on with a caret snippet.
			got, _, _ := strings.Cut(err.Error(), "\n")
			if got != want {
				t.Fatalf("error:\n got %s\nwant %s", got, want)
			}
		})
	}
}

// TestLoadConfig_everyMistake: a config with several mistakes reports each of them, in the order of
// the file (testdata/config-mistakes: NAME.yaml and the whole error in NAME.want), while reading
// and, once it reads cleanly, while validating.
func TestLoadConfig_everyMistake(t *testing.T) {
	for _, p := range globFiles(t, filepath.Join("testdata", "config-mistakes", "*.yaml")) {
		t.Run(filepath.Base(p), func(t *testing.T) {
			want, err := os.ReadFile(strings.TrimSuffix(p, ".yaml") + ".want")
			if err != nil {
				t.Fatal(err)
			}
			_, err = LoadConfig(p)
			if err == nil {
				t.Fatal("loaded without error")
			}
			if got := err.Error() + "\n"; got != string(want) {
				t.Errorf("errors:\n%s\nwant:\n%s", got, want)
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Errorf("%T is not a *FieldError", err)
			}
		})
	}
}

// TestLoadConfig_mistakeLimit: past decode.MaxErrors, the rest are counted, not listed.
func TestLoadConfig_mistakeLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString("job:\n")
	for i := range decode.MaxErrors + 5 {
		fmt.Fprintf(&b, "  unknown%d: x\n", i)
	}
	_, err := ParseConfig("many.yaml", []byte(b.String()))
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != decode.MaxErrors+1 || lines[0] != `many.yaml:2:3: unknown key "unknown0" in job (known keys: accidentalDeletionThreshold, actions, dialect, kind, preventAccidentalDeletions, replicationDelay, requestTimeout, requiredRoles, running, scope, timeout)` || lines[decode.MaxErrors] != "many.yaml: 5 more mistakes not shown (the first 20 are above)" {
		t.Errorf("%d lines, first %q, last %q", len(lines), lines[0], lines[len(lines)-1])
	}
}

// seedFiles adds every YAML file matching the patterns to the fuzz corpus.
func seedFiles(f *testing.F, patterns ...string) {
	f.Helper()
	for _, p := range patterns {
		for _, file := range globFiles(f, p) {
			b, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
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

// fuzzParse: any input either parses into a value that validates again (and then passes check),
// or fails with an error naming the file; it never panics. The corpus is the files of patterns.
func fuzzParse[T interface{ Validate() error }](f *testing.F, parse func(string, []byte) (T, error), check func(T), patterns ...string) {
	seedFiles(f, patterns...)
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := parse("fuzz.yaml", b)
		if !loaded(t, err) {
			return
		}
		if err := v.Validate(); err != nil {
			t.Fatalf("a loaded %T does not validate again: %v", v, err)
		}
		if check != nil {
			check(v)
		}
	})
}

// FuzzParseConfig is fuzzParse over ParseConfig.
func FuzzParseConfig(f *testing.F) {
	fuzzParse(f, ParseConfig, nil, "../testdata/configs/*.yaml", "testdata/config-errors/*.yaml")
}

// FuzzParseSource is fuzzParse over ParseSource; a loaded source can also be searched.
func FuzzParseSource(f *testing.F) {
	fuzzParse(f, ParseSource, func(src *Source) {
		for _, u := range src.Users {
			_, _ = src.FindUser(u.ObjectID)
		}
	}, "../testdata/sources/*.yaml", "testdata/source-errors/*.yaml")
}
