package filter

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var pathTests = []struct {
	name string
	in   string
	want Path
	str  string // canonical form; "" means the input
}{
	// RFC 7644 Section 3.5.2 examples.
	{name: "attribute", in: `members`, want: Path{Attr: "members"}},
	{name: "sub-attribute", in: `name.familyName`, want: Path{Attr: "name", Sub: "familyName"}},
	{
		name: "value path",
		in:   `addresses[type eq "work"]`,
		want: Path{Attr: "addresses", Filter: &Compare{Attr: AttrPath{Attr: "type"}, Op: "eq", Value: "work"}},
	},
	{
		name: "members value path",
		in:   `members[value eq "2819c223-7f76-453a-919d-413861904646"]`,
		want: Path{Attr: "members", Filter: &Compare{Attr: AttrPath{Attr: "value"}, Op: "eq", Value: "2819c223-7f76-453a-919d-413861904646"}},
	},
	{
		name: "value path with sub-attribute",
		in:   `members[value eq "2819c223-7f76-453a-919d-413861904646"].displayName`,
		want: Path{Attr: "members", Sub: "displayName", Filter: &Compare{Attr: AttrPath{Attr: "value"}, Op: "eq", Value: "2819c223-7f76-453a-919d-413861904646"}},
	},
	{
		name: "emails work value (Entra)",
		in:   `emails[type eq "work"].value`,
		want: Path{Attr: "emails", Sub: "value", Filter: &Compare{Attr: AttrPath{Attr: "type"}, Op: "eq", Value: "work"}},
	},
	{
		name: "extension sub-attribute (Entra)",
		in:   `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`,
		want: Path{URN: enterpriseURN, Attr: "manager", Sub: "value"},
	},
	{
		name: "extension attribute",
		in:   `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber`,
		want: Path{URN: enterpriseURN, Attr: "employeeNumber"},
	},
	{
		name: "extension URN alone",
		in:   `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`,
		want: Path{URN: "urn:ietf:params:scim:schemas:extension:enterprise:2.0", Attr: "User"},
	},
	{
		name: "core URN",
		in:   `urn:ietf:params:scim:schemas:core:2.0:User:name.givenName`,
		want: Path{URN: userURN, Attr: "name", Sub: "givenName"},
	},
	{
		name: "logical value filter",
		in:   `emails[type eq "work" and not (primary eq false)]`,
		want: Path{Attr: "emails", Filter: &Logical{Op: "and",
			Left:  &Compare{Attr: AttrPath{Attr: "type"}, Op: "eq", Value: "work"},
			Right: &Not{X: &Compare{Attr: AttrPath{Attr: "primary"}, Op: "eq", Value: false}}}},
	},
	{name: "surrounding space", in: ` active `, want: Path{Attr: "active"}, str: "active"},
	{name: "keyword case in the filter", in: `emails[TYPE EQ "work"]`, want: Path{Attr: "emails", Filter: &Compare{Attr: AttrPath{Attr: "TYPE"}, Op: "eq", Value: "work"}}, str: `emails[TYPE eq "work"]`},
}

func TestParsePath(t *testing.T) {
	for _, tt := range pathTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePath(tt.in)
			if err != nil {
				t.Fatalf("ParsePath(%q) error: %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got, astOpts()); diff != "" {
				t.Errorf("ParsePath(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
			wantString(t, fmt.Sprintf("ParsePath(%q)", tt.in), got, tt.in, tt.str)
		})
	}
}

var pathErrorTests = []errorTest{
	{"empty", ``, nil, `empty input`, 0},
	{"too long", `name.familyName`, []Option{MaxLength(4)}, `input is longer than 4 bytes`, 4},
	{"filter instead of path", `userName eq "x"`, nil, `unexpected "eq" after a complete path`, 9},
	{"starts with a bracket", `[type eq "work"]`, nil, `expected an attribute name, found "["`, 0},
	{"two sub-attribute levels", `name.familyName.x`, nil, `at most one sub-attribute level is allowed, found "name.familyName.x"`, 0},
	{"bad name", `emails.1`, nil, `invalid sub-attribute name "1" in "emails.1"`, 7},
	{"unclosed value path", `emails[type eq "work"`, nil, `expected "]" to close "[" at position 6, found end of input`, 21},
	{"empty value path", `emails[]`, nil, `expected an attribute name, "(" or "not (", found "]"`, 7},
	{"space before bracket", `emails [type eq "work"]`, nil, `unexpected space before "["`, 7},
	{"value path on sub-attribute", `name.x[a pr]`, nil, `a value path's attribute cannot have a sub-attribute, found "name.x"`, 0},
	{"nested value path", `emails[a[b pr]]`, nil, `value paths cannot be nested`, 8},
	{"dot without name", `emails[type eq "work"].`, nil, `expected a sub-attribute name after "].", found end of input`, 23},
	{"space after dot", `emails[type eq "work"]. value`, nil, `expected a sub-attribute name after "].", found "value"`, 23},
	{"two sub-attributes after value path", `emails[type eq "work"].value.x`, nil, `expected a sub-attribute name after "].", found "value.x"`, 23},
	{"trailing junk", `emails[type eq "work"] x`, nil, `unexpected "x" after a complete path`, 23},
	{"bad filter", `emails[type eq work]`, nil, `expected a value (string, number, true, false or null) after "eq", found "work"`, 15},
}

func TestParsePath_Errors(t *testing.T) {
	for _, tt := range pathErrorTests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParsePath(tt.in, tt.opts...)
			wantError(t, fmt.Sprintf("ParsePath(%q)", tt.in), p, err, tt.msg, tt.pos)
		})
	}
}
