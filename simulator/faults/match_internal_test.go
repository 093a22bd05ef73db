package faults

import (
	"net/http/httptest"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scimsim/scimsim/internal/golden"
)

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
		reason        string
	}{
		{"/Users", "/Users", true, ""},
		{"/users", "/Users", true, "case-insensitive, as SCIM endpoints are read"},
		{"/Users/*", "/Users/42", true, ""},
		{"/Users/*", "/Users", false, ""},
		{"/Users/*", "/Users/42/x", false, "a single star stays within a segment"},
		{"/Users*", "/Users/.search", false, ""},
		{"/Users/**", "/Users/42/x", true, "a double star crosses segments"},
		{"/**/Users/*", "/tenants/a/scim/v2/Users/42", true, ""},
		{"/**/x*/y", "/x1/x2/y", true, "the double star must give back what the single star cannot take"},
		{"/tenants/*/scim/v2/**", "/tenants/a/scim/v2/Groups/g", true, ""},
		{"/Us?rs", "/Users", true, ""},
		{"/Users/?", "/Users/", false, ""},
		{"*", "", true, ""},
		{"**", "/any/thing", true, ""},
		{"", "", true, ""},
		{"/a*b*c", "/aXbYbZc", true, ""},
		{"/a*b*c", "/aXbYbZ", false, ""},
	}
	for _, tt := range tests {
		if got := globMatch(tt.pattern, tt.name); got != tt.want {
			t.Errorf("globMatch(%q, %q)=%v, want %v %s", tt.pattern, tt.name, got, tt.want, tt.reason)
		}
	}
}

func TestScimPath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/scim/v2/Users/42", "/Users/42"},
		{"/tenants/a/scim/v2/Groups", "/Groups"},
		{"/scim/v2", "/"},
		{"/scim/v2x/Users", "/scim/v2x/Users"},
		{"/admin/faults", "/admin/faults"},
	}
	for _, tt := range tests {
		if got := scimPath(tt.in); got != tt.want {
			t.Errorf("scimPath(%q)=%q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestKindOf(t *testing.T) {
	tests := []struct {
		method, path string
		kind         requestKind
		id           string
	}{
		{"GET", "/scim/v2/Users", kindQuery, ""},
		{"GET", "/tenants/a/scim/v2/Groups", kindQuery, ""},
		{"POST", "/scim/v2/Users/.search", kindQuery, ""},
		{"GET", "/scim/v2/Users/.search", kindOther, ""},
		{"POST", "/scim/v2/Users", kindOther, ""},
		{"GET", "/scim/v2/Users/42", kindByID, "42"},
		{"DELETE", "/scim/v2/Groups/g-1", kindByID, "g-1"},
		{"GET", "/scim/v2/Users/42/x", kindOther, ""},
		{"GET", "/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", kindOther, ""},
		{"GET", "/scim/v2/ResourceTypes", kindOther, ""},
		{"GET", "/scim/v2", kindOther, ""},
	}
	for _, tt := range tests {
		kind, id := kindOf(httptest.NewRequest(tt.method, tt.path, nil))
		if kind != tt.kind || id != tt.id {
			t.Errorf("kindOf(%s %s)=(%v, %q), want (%v, %q)", tt.method, tt.path, kind, id, tt.kind, tt.id)
		}
	}
}

func TestFilterAttributes(t *testing.T) {
	tests := []struct {
		filter string
		want   []string
	}{
		{`userName eq "alice@contoso.com"`, []string{"userName"}},
		{`userName eq "a" and externalId eq "b"`, []string{"userName", "externalId"}},
		{`emails[type eq "work"].value eq "a@b.c"`, []string{"emails.type", "emails.value"}},
		{`emails[type eq "work" and value co "@"]`, []string{"emails.type", "emails.value"}},
		{`name.givenName sw "A" or not (title pr)`, []string{"name.givenName", "title"}},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "7"`,
			[]string{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"}},
		{`meta.lastModified gt "2011-05-13T04:42:34Z" and count gt 1e3`, []string{"meta.lastModified", "count"}},
		{`title eq "eq and \"or\" title2"`, []string{"title"}},
		{`USERNAME EQ "x" and userName eq "y"`, []string{"USERNAME"}},
		{`active eq true and x eq null`, []string{"active", "x"}},
		{``, nil},
		{`"unterminated`, nil},
		{`]]].x [[`, nil},
	}
	for _, tt := range tests {
		if got := filterAttributes(tt.filter); !slices.Equal(got, tt.want) {
			t.Errorf("filterAttributes(%q)=%q, want %q", tt.filter, got, tt.want)
		}
	}
}

func TestFilterTouches(t *testing.T) {
	tests := []struct {
		filterAttrs, attrs []string
		want               bool
	}{
		{[]string{"userName"}, []string{"username"}, true},
		{[]string{"emails.value"}, []string{"emails"}, true},
		{[]string{"emails.value"}, []string{"emails.type"}, false},
		{[]string{"emails"}, []string{"emails.value"}, false},
		{[]string{"urn:ietf:params:scim:schemas:core:2.0:User:userName"}, []string{"userName"}, true},
		{[]string{"emailsX"}, []string{"emails"}, false},
		{nil, []string{"userName"}, false},
	}
	for _, tt := range tests {
		if got := filterTouches(tt.filterAttrs, tt.attrs); got != tt.want {
			t.Errorf("filterTouches(%q, %q)=%v, want %v", tt.filterAttrs, tt.attrs, got, tt.want)
		}
	}
}

// FuzzGlobMatch checks globMatch against path.Match wherever both define the same language:
// patterns without "**", character classes or escapes, on lower-case input.
func FuzzGlobMatch(f *testing.F) {
	for _, seed := range [][2]string{{"/users/*", "/users/42"}, {"/**/x*/y", "/x1/x2/y"}, {"a*b?c", "axxbyc"}, {"*/*", "a/b"}} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, pattern, name string) {
		got := globMatch(pattern, name) // must not panic or hang, whatever the input
		if strings.ContainsAny(pattern, `[]\`) || strings.Contains(pattern, "**") {
			return
		}
		if strings.ToLower(pattern) != pattern || strings.ToLower(name) != name || !isASCII(pattern+name) {
			return
		}
		want, err := path.Match(pattern, name)
		if err == nil && got != want {
			t.Fatalf("globMatch(%q, %q)=%v, path.Match=%v", pattern, name, got, want)
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// FuzzFilterAttributes: the scanner never fails, and what it returns are attribute names.
func FuzzFilterAttributes(f *testing.F) {
	for _, seed := range []string{`userName eq "x"`, `emails[type eq "work"].value eq "a"`, `a[b[c eq 1]].d`, `"\"`, `x eq -1.5e3`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, filter string) {
		for _, a := range filterAttributes(filter) {
			if a == "" || !isAttrStart(a[0]) {
				t.Fatalf("filterAttributes(%q) returned %q", filter, a)
			}
		}
	})
}

// FuzzParseSpecs: no input makes the loader panic, and whatever it accepts is a valid spec.
func FuzzParseSpecs(f *testing.F) {
	golden.Seed(f, filepath.Join("testdata", "load", "*"), filepath.Join("testdata", "load-errors", "*"))
	f.Fuzz(func(t *testing.T, data []byte) {
		specs, err := parseSpecs("fuzz.yaml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yaml") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		set := NewSet(1)
		for _, s := range specs {
			if err := s.Validate(); err != nil {
				t.Fatalf("parseSpecs accepted an invalid spec: %v", err)
			}
			if _, err := set.Add(s); err != nil && s.Name == "" {
				t.Fatalf("Add(%+v): %v", s, err)
			}
		}
	})
}
