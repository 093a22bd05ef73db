package simulator

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestStoreSchema(t *testing.T) {
	if err := storeSchema().Validate(); err != nil {
		t.Fatalf("storeSchema().Validate() = %v", err)
	}
}

func TestEtagMatches(t *testing.T) {
	tests := []struct {
		name, header, current string
		want                  bool
	}{
		{"same weak tag", `W/"3"`, `W/"3"`, true},
		{"strong form of the same tag", `"3"`, `W/"3"`, true},
		{"other version", `W/"2"`, `W/"3"`, false},
		{"any", `*`, `W/"3"`, true},
		{"list", `W/"1", W/"3"`, `W/"3"`, true},
		{"garbage", `3`, `W/"3"`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := etagMatches(tt.header, tt.current); got != tt.want {
				t.Fatalf("etagMatches(%q, %q) = %v, want %v", tt.header, tt.current, got, tt.want)
			}
		})
	}
}

func TestJournal_List(t *testing.T) {
	j := newJournal(3)
	if got := j.list(); len(got) != 0 {
		t.Fatalf("list() of an empty journal = %v", got)
	}
	for i := range 5 {
		j.add(JournalEntry{Query: fmt.Sprint(i)})
	}
	var got []string
	for _, e := range j.list() {
		got = append(got, e.Query)
	}
	if diff := cmp.Diff([]string{"2", "3", "4"}, got); diff != "" {
		t.Fatalf("list() (-want +got):\n%s", diff)
	}
	j.reset()
	if got := j.list(); len(got) != 0 {
		t.Fatalf("list() after reset = %v", got)
	}
	newJournal(0).add(JournalEntry{}) // a journal of size 0 keeps nothing and does not panic
}

func TestIDGenerator_Next(t *testing.T) {
	a, b := newIDGenerator(7, "x"), newIDGenerator(7, "x")
	other := newIDGenerator(7, "y")
	for range 3 {
		ia, ib, io := a.next(), b.next(), other.next()
		if ia != ib {
			t.Fatalf("same seed and tenant: %q != %q", ia, ib)
		}
		if ia == io {
			t.Fatalf("other tenant drew the same id %q", ia)
		}
		if len(ia) != 36 || ia[14] != '4' {
			t.Fatalf("id %q is not a version 4 UUID", ia)
		}
	}
}

func TestFilterCache_Get(t *testing.T) {
	fc := newFilterCache(2)
	a := fc.get(userKind, true, `userName eq "a"`)
	if a.err != nil {
		t.Fatalf("parse: %v", a.err)
	}
	if fc.get(userKind, true, `userName eq "a"`) != a {
		t.Fatal("second get parsed again")
	}
	fc.get(userKind, true, `userName eq "b"`)
	fc.get(userKind, true, `userName eq "c"`)
	if fc.ll.Len() != 2 {
		t.Fatalf("cache holds %d entries, want 2", fc.ll.Len())
	}
	if _, ok := fc.m[filterKey{k: userKind, entra: true, src: `userName eq "a"`}]; ok {
		t.Fatal("least recently used entry not evicted")
	}
	if bad := fc.get(userKind, false, `emails[type eq "work"].value eq "x"`); bad.err == nil {
		t.Fatal("strict profile accepted a value path with a sub-attribute")
	}
	if got := fc.get(userKind, true, `emails[type eq "work"].value eq "x"`); got.err != nil {
		t.Fatalf("entra profile rejected a value path with a sub-attribute: %v", got.err)
	}
}

func TestValidTenantName(t *testing.T) {
	for name, want := range map[string]bool{"a": true, "suite-1.x_y": true, "": false, "-a": false, "a/b": false, "a b": false} {
		if got := ValidTenantName(name); got != want {
			t.Errorf("ValidTenantName(%q) = %v, want %v", name, got, want)
		}
	}
}
