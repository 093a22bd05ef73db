package simulator

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimsim/scimsim/simulator/filter"
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
	tests := []struct {
		name      string
		size, add int
		want      []string
	}{
		{name: "empty", size: 3, add: 0, want: []string{}},
		{name: "growing", size: 3, add: 2, want: []string{"0", "1"}},
		{name: "exactly full", size: 3, add: 3, want: []string{"0", "1", "2"}},
		{name: "wrapped", size: 3, add: 5, want: []string{"2", "3", "4"}},
		{name: "wrapped twice", size: 3, add: 7, want: []string{"4", "5", "6"}},
		{name: "size 0 keeps nothing", size: 0, add: 2, want: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := newJournal(tt.size)
			queries := func() []string {
				got := []string{}
				for _, e := range j.list() {
					got = append(got, e.Query)
				}
				return got
			}
			for i := range tt.add {
				j.add(JournalEntry{Query: fmt.Sprint(i)})
			}
			if diff := cmp.Diff(tt.want, queries()); diff != "" {
				t.Fatalf("list() (-want +got):\n%s", diff)
			}
			if len(j.entries) > tt.size {
				t.Fatalf("journal of size %d holds %d entries", tt.size, len(j.entries))
			}
			j.reset()
			if got := queries(); len(got) != 0 {
				t.Fatalf("list() after reset = %v", got)
			}
			j.add(JournalEntry{Query: "after"})
			if want, got := min(tt.size, 1), len(queries()); got != want {
				t.Fatalf("len(list()) after reset and one add = %d, want %d", got, want)
			}
		})
	}
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

// TestPrefilter_NeverRejectsAMatch checks the prefilter's one promise over every filter of
// testdata/filter_cases.json and every resource of testdata/seed.json, plus documents built to
// tempt it (values in other cases, non-ASCII look-alikes, escaped characters).
func TestPrefilter_NeverRejectsAMatch(t *testing.T) {
	var cases []struct {
		Resource, Filter string
	}
	readJSON(t, "testdata/filter_cases.json", &cases)
	var seed SeedData
	readJSON(t, "testdata/seed.json", &seed)
	extra := []map[string]any{
		{"userName": "ALICE@CONTOSO.COM", "title": "ENGINEER", "active": false},
		{"userName": "\u212Aelvin", "title": "engineer\u00e9"}, // KELVIN SIGN folds to k
		{"userName": "a<b>&c", "title": "x\"y"},
	}
	extraFilters := []string{`userName eq "kelvin"`, `title sw "ENG"`, `userName co "<b>"`, `title ew "y"`, `title eq "ENGINEER"`,
		`userName eq "a" or title pr`, `not (userName eq "x")`, `emails[value ew ".COM"]`}
	for _, c := range cases {
		if c.Resource == "Users" {
			extraFilters = append(extraFilters, c.Filter)
		}
	}
	check := func(k *kind, res map[string]any, src string) {
		e, err := filter.Parse(src, filter.AllowValuePathSubAttribute())
		if err != nil || filter.Check(e, k.fs) != nil {
			return
		}
		in := map[string]any{"schemas": []any{k.core.ID}}
		for key, v := range res {
			in[key] = v
		}
		attrs, err := k.validate(in)
		if err != nil {
			t.Fatalf("validate %v: %v", res, err)
		}
		rec, err := encodeRecord(k, "id-1", 1, attrs, metaInfo{version: 1})
		if err != nil {
			t.Fatal(err)
		}
		doc, err := rec.decode()
		if err != nil {
			t.Fatal(err)
		}
		pre := prefilterOf(k, e)
		if filter.Eval(e, doc, k.fs) && pre != nil && !pre(rec.Doc) {
			t.Errorf("prefilter of %q rejects the matching %s", src, rec.Doc)
		}
	}
	for _, src := range extraFilters {
		for _, u := range append(seed.Users, extra...) {
			check(userKind, u, src)
		}
	}
	for _, c := range cases {
		if c.Resource == "Groups" {
			for _, g := range seed.Groups {
				check(groupKind, g, c.Filter)
			}
		}
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
