package golden

import (
	"fmt"
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
