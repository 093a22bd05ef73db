package engine

import (
	"slices"
	"testing"
	"time"
)

// TestLoadChanges_errors checks the exact error of every broken changes file under
// testdata/changes-errors, read against Contoso's source: the first line holds it ("# want: ...").
func TestLoadChanges_errors(t *testing.T) {
	src := testSource(t, "contoso")
	testLoadErrors(t, "testdata/changes-errors", func(p string) error { _, err := LoadChanges(p, src); return err })
}

// TestSource_Apply applies the repository's changes file to Contoso's source cycle by cycle and
// checks what each set touches and leaves: the objects an incremental cycle processes.
func TestSource_Apply(t *testing.T) {
	src := testSource(t, "contoso")
	ch, err := LoadChanges("../testdata/changes/contoso.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	cp := src.Clone()
	cp.Reindex()
	at := time.Date(2026, 11, 25, 10, 30, 0, 0, time.UTC)
	tests := []struct {
		cycle         int
		users, groups []string
		check         func(t *testing.T)
	}{
		{2, []string{"u-zoe", "u-alice"}, nil, func(t *testing.T) {
			if cp.User("u-zoe") == nil || !cp.Assigned("u-zoe") {
				t.Error("u-zoe was not added and assigned")
			}
			if _, ok := cp.User("u-alice").Attrs["department"]; ok {
				t.Error("department: null did not remove the attribute")
			}
			if got := cp.User("u-alice").String("jobTitle"); got != "Sales Director" {
				t.Errorf("jobTitle = %q", got)
			}
			for _, a := range cp.Assignments {
				if a.Principal == "u-zoe" && !a.AssignedAt.Equal(at) {
					t.Errorf("the new assignment is dated %s, want the time of the change %s", a.AssignedAt, at)
				}
			}
		}},
		{3, []string{"u-carol", "u-zoe"}, []string{"g-sales"}, func(t *testing.T) {
			if !cp.User("u-carol").SoftDeleted() {
				t.Error("u-carol is not soft-deleted")
			}
			if !slices.Contains(cp.Group("g-sales").Members, "u-zoe") {
				t.Error("u-zoe did not join Sales")
			}
		}},
		{4, []string{"u-alice", "u-carol"}, nil, func(t *testing.T) {
			if cp.User("u-carol").SoftDeleted() {
				t.Error("u-carol is still soft-deleted")
			}
			if slices.ContainsFunc(cp.Assignments, func(a Assignment) bool { return a.Principal == "u-alice" }) {
				t.Error("u-alice's own assignment is still there")
			}
			if src.User("u-carol").SoftDeleted() {
				t.Error("Apply changed the source Clone copied")
			}
		}},
	}
	for _, tt := range tests {
		cs, ok := ch.Set(tt.cycle)
		if !ok {
			t.Fatalf("no set for cycle %d", tt.cycle)
		}
		touched, err := cp.Apply(cs, at)
		if err != nil {
			t.Fatalf("cycle %d: %v", tt.cycle, err)
		}
		if !slices.Equal(touched.Users, tt.users) || !slices.Equal(touched.Groups, tt.groups) {
			t.Errorf("cycle %d touched users %v groups %v, want %v %v", tt.cycle, touched.Users, touched.Groups, tt.users, tt.groups)
		}
		tt.check(t)
	}
	if ch.Last() != 4 {
		t.Errorf("Last() = %d, want 4", ch.Last())
	}
}

// FuzzParseChanges: any input either loads (and its sets apply to the source) or fails with an
// error naming the file; it never panics.
func FuzzParseChanges(f *testing.F) {
	seedFiles(f, "../testdata/changes/*.yaml", "testdata/changes-errors/*.yaml")
	src, err := LoadSource("../testdata/sources/contoso.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ch, err := ParseChanges("fuzz.yaml", b, src)
		if !loaded(t, err) {
			return
		}
		cp := src.Clone()
		for _, cs := range ch.Sets {
			if _, err := cp.Apply(cs, time.Time{}); err != nil {
				t.Fatalf("a checked file does not apply: %v", err)
			}
		}
	})
}
