package graph

import (
	"encoding/json"
	"os"
	"slices"
	"testing"
)

type filterCase struct {
	Name    string   `json:"name"`
	Filter  string   `json:"filter"`
	Matches []string `json:"matches"`
	Error   string   `json:"error"`
}

func loadJSON(t testing.TB, name string, v any) {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// TestFilter_Matches runs every filter of testdata/filters.json against testdata/users.json: the ids
// it matches, or the exact error.
func TestFilter_Matches(t *testing.T) {
	var cases []filterCase
	var users []map[string]any
	loadJSON(t, "filters.json", &cases)
	loadJSON(t, "users.json", &users)
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			f, err := parseFilter(tc.Filter)
			if tc.Error != "" {
				if err == nil || err.Error() != tc.Error {
					t.Fatalf("parseFilter(%q) error = %v, want %q", tc.Filter, err, tc.Error)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseFilter(%q): %v", tc.Filter, err)
			}
			got := []string{}
			for _, u := range users {
				if f.matches(u) {
					got = append(got, u["id"].(string))
				}
			}
			if !slices.Equal(got, tc.Matches) {
				t.Fatalf("%q matches %v, want %v", tc.Filter, got, tc.Matches)
			}
		})
	}
}

// FuzzParseFilter: no input panics, and an accepted filter evaluates on any user.
func FuzzParseFilter(f *testing.F) {
	var cases []filterCase
	loadJSON(f, "filters.json", &cases)
	for _, tc := range cases {
		f.Add(tc.Filter)
	}
	var users []map[string]any
	loadJSON(f, "users.json", &users)
	f.Fuzz(func(t *testing.T, src string) {
		flt, err := parseFilter(src)
		if err != nil {
			if _, ok := err.(*FilterError); !ok {
				t.Fatalf("parseFilter(%q) returned %T, want *FilterError", src, err)
			}
			return
		}
		if len(flt) == 0 {
			t.Fatalf("parseFilter(%q) accepted an empty filter", src)
		}
		for _, u := range users {
			flt.matches(u)
		}
	})
}
