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

// TestLoad_repositoryTestdata loads every source and job config the project ships: the scenario
// catalog and the documentation depend on them.
func TestLoad_repositoryTestdata(t *testing.T) {
	sources, _ := filepath.Glob("../testdata/sources/*.yaml")
	configs, _ := filepath.Glob("../testdata/configs/*.yaml")
	if len(sources) == 0 || len(configs) == 0 {
		t.Fatalf("no testdata found: %d sources, %d configs", len(sources), len(configs))
	}
	for _, p := range sources {
		t.Run(p, func(t *testing.T) {
			if _, err := LoadSource(p); err != nil {
				t.Fatalf("LoadSource: %v", err)
			}
		})
	}
	for _, p := range configs {
		t.Run(p, func(t *testing.T) {
			if _, err := LoadConfig(p); err != nil {
				t.Fatalf("LoadConfig: %v", err)
			}
		})
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
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if len(files) == 0 {
		t.Fatalf("no files in %s", dir)
	}
	for _, p := range files {
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
	files, _ := filepath.Glob(filepath.Join("testdata", "config-mistakes", "*.yaml"))
	if len(files) == 0 {
		t.Fatal("no files in testdata/config-mistakes")
	}
	for _, p := range files {
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
