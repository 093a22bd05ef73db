package golden

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// recorder is a testing.TB that keeps what Errorf reports.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// TestContains: a miss is one error naming every line missing, with the output; no miss, no error.
func TestContains(t *testing.T) {
	r := &recorder{TB: t}
	Contains(r, "demo output", "one\ntwo\n", "one", "three", "four")
	want := "demo output lacks \"three\", \"four\":\none\ntwo\n"
	if len(r.errs) != 1 || r.errs[0] != want {
		t.Errorf("errors = %q, want [%q]", r.errs, want)
	}
	r.errs = nil
	Contains(r, "demo output", "one\ntwo\n", "one", "two")
	if len(r.errs) != 0 {
		t.Errorf("errors = %q, want none", r.errs)
	}
}

// TestLines: blank lines and comments are left out, and a line ending in CRLF reads as with LF.
func TestLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "inputs.txt")
	if err := os.WriteFile(path, []byte("# inputs\nuserName eq \"a\"\n\n  # not a comment: it starts with spaces\r\ntitle pr"), 0o644); err != nil {
		t.Fatal(err)
	}
	got := Lines(t, path)
	want := []string{`userName eq "a"`, "  # not a comment: it starts with spaces", "title pr"}
	if !slices.Equal(got, want) {
		t.Errorf("Lines = %q, want %q", got, want)
	}
}
