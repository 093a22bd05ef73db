// Package golden checks a test's output against a file of the repository (a golden file, or a
// generated part of the docs) and rewrites the file instead when the test runs with -update, so
// that every generated file is made and checked the same way; Contains checks the lines a test
// pins of an output that has no file; Read reads a file a test checks, Lines a file of inputs one
// a line; Seed starts a fuzz test from the repository's example files.
package golden

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files and the generated parts of the docs from what the tests make")

// Update reports whether the tests run with -update.
func Update() bool { return *update }

// Read returns the file at path, a doc or fixture of the repository a test holds to the code; a
// file that cannot be read fails the test.
func Read(tb testing.TB, path string) string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("reading %s: %v", path, err)
	}
	return string(b)
}

// Lines returns the lines of the file at path that are neither blank nor comments (a line starting
// with #): a file of test inputs, one a line. A file that cannot be read fails the test.
func Lines(tb testing.TB, path string) []string {
	tb.Helper()
	var out []string
	for line := range strings.Lines(Read(tb, path)) {
		if line = strings.TrimRight(line, "\r\n"); line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out
}

// File checks that the file at path holds got; with -update it writes got there.
func File(tb testing.TB, path, got string) {
	tb.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (%s)", err, rerun(tb))
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		tb.Errorf("%s is not what the test makes; %s (-file +test):\n%s", path, rerun(tb), diff)
	}
}

// Section checks that the text between the line holding begin and the line holding end of the
// file at path is got; with -update it writes got there.
func Section(tb testing.TB, path, begin, end, got string) {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	i, k := bytes.Index(b, []byte(begin)), bytes.Index(b, []byte(end))
	if i < 0 || k < i {
		tb.Fatalf("%s has no section between %q and %q", path, begin, end)
	}
	head := b[:i+bytes.IndexByte(b[i:], '\n')+1]
	if *update {
		out := append(append(append([]byte{}, head...), got...), b[k:]...)
		if err := os.WriteFile(path, out, 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	if diff := cmp.Diff(string(b[len(head):k]), got); diff != "" {
		tb.Errorf("%s: the section after %q is not what the test makes; %s (-file +test):\n%s", path, begin, rerun(tb), diff)
	}
}

// Contains checks that got, the output of what, holds each of wants: for output of which a test
// pins some lines only (a run's reports around a summary table). A miss is reported once, with
// every line missing and the whole output.
func Contains(tb testing.TB, what, got string, wants ...string) {
	tb.Helper()
	var missing []string
	for _, w := range wants {
		if !strings.Contains(got, w) {
			missing = append(missing, fmt.Sprintf("%q", w))
		}
	}
	if len(missing) > 0 {
		tb.Errorf("%s lacks %s:\n%s", what, strings.Join(missing, ", "), got)
	}
}

// Seed adds every file matching one of patterns (filepath.Glob's) to a fuzz test's seed corpus, so
// that fuzzing starts from the files the repository ships.
func Seed(f *testing.F, patterns ...string) {
	f.Helper()
	for _, pattern := range patterns {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
}

func rerun(tb testing.TB) string {
	return fmt.Sprintf("run go test -run '^%s$' -update to rewrite it", tb.Name())
}
