package entra

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scimsim/scimsim/internal/golden"
	"github.com/scimsim/scimsim/wire"
)

// payloadCases are the PATCH bodies whose shape per dialect is pinned by golden files.
var payloadCases = []struct {
	name  string
	build func(Dialect) PatchRequest
}{
	{"update_user", func(d Dialect) PatchRequest {
		return d.UserPatch([]Change{
			{Path: `emails[type eq "work"].value`, Value: "updatedEmail@microsoft.com"},
			{Path: "name.familyName", Value: "updatedFamilyName"},
			{Path: "userName", Value: "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"},
			{Path: "active", Value: false},
		})
	}},
	{"disable_user", func(d Dialect) PatchRequest {
		return d.UserPatch([]Change{{Path: "active", Value: false}})
	}},
	{"add_attribute", func(d Dialect) PatchRequest {
		return d.UserPatch([]Change{{Path: "nickName", Value: "Babs", Op: Add}})
	}},
	{"replace_extension", func(d Dialect) PatchRequest {
		return d.UserPatch([]Change{
			{Path: "name.givenName", Value: "Barbara"},
			{Path: wire.EnterpriseSchema + ":employeeNumber", Value: "701984"},
		})
	}},
	{"update_group", func(d Dialect) PatchRequest {
		return d.GroupPatch("1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName",
			[]string{"f648f8d5ea4e4cd38e9c"}, []string{"f648f8d5ea4e4cd38e9c"})
	}},
	{"remove_members", func(d Dialect) PatchRequest {
		return d.GroupPatch("", nil, []string{"u-1", `u-"2"`})
	}},
}

// TestDialect_goldens pins the PATCH bodies of both dialects; -update rewrites them.
func TestDialect_goldens(t *testing.T) {
	for _, d := range []Dialect{DialectEntra, DialectEntraCompliant} {
		for _, c := range payloadCases {
			t.Run(string(d)+"/"+c.name, func(t *testing.T) {
				got, err := json.MarshalIndent(c.build(d), "", "  ")
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, '\n')
				path := filepath.Join("testdata", string(d), c.name+".json")
				golden.File(t, path, string(got))
			})
		}
	}
}

func TestQuote(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"alice@contoso.com", `"alice@contoso.com"`},
		{`a"b\c`, `"a\"b\\c"`},
		{"tab\there", `"tab\there"`},
		{"\x01", `"\u0001"`},
		{"é", `"é"`},
	} {
		got := Quote(tt.in)
		if got != tt.want {
			t.Errorf("Quote(%q) = %s, want %s", tt.in, got, tt.want)
		}
		var back string
		if err := json.Unmarshal([]byte(got), &back); err != nil || back != tt.in {
			t.Errorf("Quote(%q) = %s is not the JSON string of the input (%v)", tt.in, got, err)
		}
	}
}

func TestParseDialect(t *testing.T) {
	for in, want := range map[string]Dialect{"": DialectEntra, "entra": DialectEntra, "entra-compliant": DialectEntraCompliant} {
		if got, err := ParseDialect(in); err != nil || got != want {
			t.Errorf("ParseDialect(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseDialect("aadOptscim062020"); err == nil || !strings.Contains(err.Error(), `"aadOptscim062020"`) {
		t.Errorf("ParseDialect(unknown) error = %v, want one naming the input", err)
	}
}

// FuzzQuote: Quote's output is always a JSON string that decodes to the input (for valid UTF-8).
func FuzzQuote(f *testing.F) {
	for _, s := range []string{"", "a", `"`, `\`, "\n", "ü", "userName eq \"x\""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := Quote(s)
		var back string
		if err := json.Unmarshal([]byte(q), &back); err != nil {
			t.Fatalf("Quote(%q) = %s: not a JSON string: %v", s, q, err)
		}
		// Each byte that is not UTF-8 becomes one U+FFFD, as ranging over a string reads it
		// (bytes.ToValidUTF8 would fold a run of them into one).
		if back != string([]rune(s)) {
			t.Fatalf("Quote(%q) decodes to %q", s, back)
		}
	})
}
