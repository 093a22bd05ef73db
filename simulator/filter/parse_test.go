package filter

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/scimsim/scimsim/internal/golden"
)

// astOpts compares ASTs without positions, which differ between an input and its canonical form.
func astOpts() cmp.Options {
	return cmp.Options{
		cmpopts.IgnoreFields(Compare{}, "Pos"),
		cmpopts.IgnoreFields(Present{}, "Pos"),
		cmpopts.IgnoreFields(Logical{}, "Pos"),
		cmpopts.IgnoreFields(Not{}, "Pos"),
		cmpopts.IgnoreFields(ValuePath{}, "Pos"),
	}
}

// rfcFilters reads testdata/rfc7644_filters.txt.
func rfcFilters(tb testing.TB) []string { return golden.Lines(tb, "testdata/rfc7644_filters.txt") }

func TestParse_RFC7644Examples(t *testing.T) {
	filters := rfcFilters(t)
	if got, want := len(filters), 17; got != want {
		t.Fatalf("testdata has %d RFC 7644 example filters, want %d", got, want)
	}
	for _, s := range filters {
		t.Run(s, func(t *testing.T) {
			for _, opts := range [][]Option{nil, {AllowValuePathSubAttribute()}} {
				e, err := Parse(s, opts...)
				if err != nil {
					t.Fatalf("Parse(%q) error: %v", s, err)
				}
				// Each example is already in canonical form, except for one pair of redundant parentheses.
				want := strings.Replace(s, `(emails.type eq "work")`, `emails.type eq "work"`, 1)
				if got := e.String(); got != want {
					t.Errorf("Parse(%q).String()=%q, want %q", s, got, want)
				}
			}
		})
	}
}

var (
	enterpriseURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	userURN       = "urn:ietf:params:scim:schemas:core:2.0:User"
)

var parseTests = []struct {
	name   string
	in     string
	opts   []Option
	want   Expr   // nil: only String is checked
	str    string // canonical form; "" means the input
	reason string
}{
	{
		name: "compare",
		in:   `userName eq "bjensen"`,
		want: &Compare{Attr: AttrPath{Attr: "userName"}, Op: "eq", Value: "bjensen"},
	},
	{
		name:   "keywords in any case",
		in:     `UserName EQ "x" AND Title PR Or NOT (a Ne true)`,
		str:    `UserName eq "x" and Title pr or not (a ne true)`,
		reason: "ABNF quoted strings are case-insensitive (RFC 5234 Section 2.3); names keep their case",
	},
	{
		name: "precedence: and binds tighter than or",
		in:   `a pr or b pr and c pr`,
		want: &Logical{Op: "or",
			Left:  &Present{Attr: AttrPath{Attr: "a"}},
			Right: &Logical{Op: "and", Left: &Present{Attr: AttrPath{Attr: "b"}}, Right: &Present{Attr: AttrPath{Attr: "c"}}}},
	},
	{
		name: "parentheses override precedence",
		in:   `(a pr or b pr) and c pr`,
		want: &Logical{Op: "and",
			Left:  &Logical{Op: "or", Left: &Present{Attr: AttrPath{Attr: "a"}}, Right: &Present{Attr: AttrPath{Attr: "b"}}},
			Right: &Present{Attr: AttrPath{Attr: "c"}}},
	},
	{
		name: "left associative",
		in:   `a pr or b pr or c pr`,
		want: &Logical{Op: "or",
			Left:  &Logical{Op: "or", Left: &Present{Attr: AttrPath{Attr: "a"}}, Right: &Present{Attr: AttrPath{Attr: "b"}}},
			Right: &Present{Attr: AttrPath{Attr: "c"}}},
	},
	{
		name:   "right-nested group keeps its parentheses",
		in:     `a pr or (b pr or c pr)`,
		reason: "printing it without them would parse to a different tree",
	},
	{name: "redundant parentheses dropped", in: `((a pr)) and (b pr)`, str: `a pr and b pr`},
	{name: "not", in: `not(a pr)`, str: `not (a pr)`, want: &Not{X: &Present{Attr: AttrPath{Attr: "a"}}}},
	{name: "not binds tighter than and", in: `not (a pr) and b pr`},
	{name: "attribute named not", in: `not eq "x"`, want: &Compare{Attr: AttrPath{Attr: "not"}, Op: "eq", Value: "x"}},
	{name: "attribute named pr", in: `pr pr`, want: &Present{Attr: AttrPath{Attr: "pr"}}},
	{name: "extra whitespace", in: " \tuserName   eq\n\"x\"  ", str: `userName eq "x"`},
	{
		name: "enterprise extension attribute",
		in:   enterpriseURN + `:employeeNumber eq "42"`,
		want: &Compare{Attr: AttrPath{URN: enterpriseURN, Attr: "employeeNumber"}, Op: "eq", Value: "42"},
	},
	{
		name:   "extension sub-attribute",
		in:     enterpriseURN + `:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`,
		want:   &Compare{Attr: AttrPath{URN: enterpriseURN, Attr: "manager", Sub: "value"}, Op: "eq", Value: "26118915-6090-4610-87e4-49d8ca9f808d"},
		reason: `the URN ends at the last colon, so "2.0" stays in it`,
	},
	{
		name: "core URN prefix",
		in:   userURN + `:name.givenName sw "B"`,
		want: &Compare{Attr: AttrPath{URN: userURN, Attr: "name", Sub: "givenName"}, Op: "sw", Value: "B"},
	},
	{name: "$ref", in: `members[$ref co "/Users/"]`},
	{name: "integer", in: `age gt 42`, want: &Compare{Attr: AttrPath{Attr: "age"}, Op: "gt", Value: int64(42)}},
	{name: "negative integer", in: `age ge -7`, want: &Compare{Attr: AttrPath{Attr: "age"}, Op: "ge", Value: int64(-7)}},
	{name: "decimal", in: `score lt 1.5`, want: &Compare{Attr: AttrPath{Attr: "score"}, Op: "lt", Value: 1.5}},
	{name: "exponent", in: `score le 2.5E3`, str: `score le 2500.0`, want: &Compare{Attr: AttrPath{Attr: "score"}, Op: "le", Value: 2500.0}},
	{name: "integer beyond int64", in: `n eq 92233720368547758070`, str: `n eq 9.223372036854776e+19`},
	{name: "true", in: `active eq TRUE`, str: `active eq true`, want: &Compare{Attr: AttrPath{Attr: "active"}, Op: "eq", Value: true}},
	{name: "false", in: `active ne false`, want: &Compare{Attr: AttrPath{Attr: "active"}, Op: "ne", Value: false}},
	{name: "null", in: `title eq Null`, str: `title eq null`, want: &Compare{Attr: AttrPath{Attr: "title"}, Op: "eq", Value: nil}},
	{
		name: "string escapes",
		in:   `displayName eq "a\"b\\c\/d\u00e9\ud83d\ude00\n\t"`,
		str:  `displayName eq "a\"b\\c/dé😀\n\t"`,
		want: &Compare{Attr: AttrPath{Attr: "displayName"}, Op: "eq", Value: "a\"b\\c/dé😀\n\t"},
	},
	{name: "lone surrogate becomes U+FFFD", in: `x eq "\ud800"`, str: `x eq "` + "\uFFFD" + `"`},
	{name: "non-ASCII", in: `displayName co "Jöns"`},
	{
		name: "value path",
		in:   `emails[type eq "work" and value co "@example.com"]`,
		want: &ValuePath{Attr: AttrPath{Attr: "emails"}, Filter: &Logical{Op: "and",
			Left:  &Compare{Attr: AttrPath{Attr: "type"}, Op: "eq", Value: "work"},
			Right: &Compare{Attr: AttrPath{Attr: "value"}, Op: "co", Value: "@example.com"}}},
	},
	{name: "not inside a value path", in: `emails[not (type eq "work")]`},
	{
		name: "value path with sub-attribute (entra)",
		in:   `emails[type eq "work"].value eq "bjensen@example.com"`,
		opts: []Option{AllowValuePathSubAttribute()},
		str:  `emails[type eq "work" and value eq "bjensen@example.com"]`,
		want: &ValuePath{Attr: AttrPath{Attr: "emails"}, Filter: &Logical{Op: "and",
			Left:  &Compare{Attr: AttrPath{Attr: "type"}, Op: "eq", Value: "work"},
			Right: &Compare{Attr: AttrPath{Attr: "value"}, Op: "eq", Value: "bjensen@example.com"}}},
		reason: "rewritten to the equivalent RFC form",
	},
	{
		name: "value path with sub-attribute keeps or grouped (entra)",
		in:   `emails[type eq "work" or primary eq true].value pr`,
		opts: []Option{AllowValuePathSubAttribute()},
		str:  `emails[(type eq "work" or primary eq true) and value pr]`,
	},
	{
		name: "value path with sub-attribute inside a logical expression (entra)",
		in:   `userName eq "a" or emails[type eq "work"].value eq "b" and active eq true`,
		opts: []Option{AllowValuePathSubAttribute()},
		str:  `userName eq "a" or emails[type eq "work" and value eq "b"] and active eq true`,
	},
	{name: "long filter within MaxLength", in: `a eq "` + strings.Repeat("x", 100) + `"`, opts: []Option{MaxLength(108)}},
	{name: "deep nesting within MaxDepth", in: strings.Repeat("(", 3) + "a pr" + strings.Repeat(")", 3), opts: []Option{MaxDepth(3)}, str: "a pr"},
}

func TestParse(t *testing.T) {
	for _, tt := range parseTests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Parse(tt.in, tt.opts...)
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tt.in, err)
			}
			wantString(t, fmt.Sprintf("Parse(%q)", tt.in), e, tt.in, tt.str)
			if tt.want != nil {
				if diff := cmp.Diff(tt.want, e, astOpts()); diff != "" {
					t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.in, diff)
				}
			}
		})
	}
}

func TestParse_Positions(t *testing.T) {
	e, err := Parse(`a pr and (not (emails[type eq "w"]))`)
	if err != nil {
		t.Fatal(err)
	}
	and := e.(*Logical)
	not := and.Right.(*Not)
	vp := not.X.(*ValuePath)
	inner := vp.Filter.(*Compare)
	for _, c := range []struct {
		name      string
		got, want int
	}{
		{"and", and.Position(), 0},
		{"a pr", and.Left.Position(), 0},
		{"not", not.Position(), 10},
		{"emails", vp.Position(), 15},
		{"type", inner.Position(), 22},
	} {
		if c.got != c.want {
			t.Errorf("Position() of %s = %d, want %d", c.name, c.got, c.want)
		}
	}
}

// errorTest is a case of a parser's error table: in (parsed with opts) fails with msg at pos.
type errorTest struct {
	name string
	in   string
	opts []Option
	msg  string
	pos  int
}

var parseErrorTests = []errorTest{
	{"empty", ``, nil, `empty input`, 0},
	{"blank", "  \t", nil, `empty input`, 3},
	{"too long", `userName eq "abc"`, []Option{MaxLength(10)}, `input is longer than 10 bytes`, 10},
	{"default max length", strings.Repeat(" ", DefaultMaxLength) + "a pr", nil, `input is longer than 10000 bytes`, 10000},
	{"too deep", `((((a pr))))`, []Option{MaxDepth(3)}, `nested deeper than 3 levels`, 3},
	{"missing operator", `userName`, nil, `expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le or pr) after "userName", found end of input`, 8},
	{"unknown operator", `userName xx "a"`, nil, `expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le or pr) after "userName", found "xx"`, 9},
	{"missing value", `userName eq`, nil, `expected a value (string, number, true, false or null) after "eq", found end of input`, 11},
	{"unquoted value", `userName eq bjensen`, nil, `expected a value (string, number, true, false or null) after "eq", found "bjensen"`, 12},
	{"single quotes", `userName eq 'bjensen'`, nil, `unexpected character "'"`, 12},
	{"unterminated string", `userName eq "bjensen`, nil, `unterminated string`, 12},
	{"bad escape", `userName eq "a\qb"`, nil, `invalid escape "\q" in string`, 14},
	{"bad unicode escape", `userName eq "\u12"`, nil, `invalid \u escape in string: want four hex digits`, 13},
	{"control character", "userName eq \"a\nb\"", nil, `control character in string: escape it as \u00XX`, 14},
	{"bad number", `age eq 01`, nil, `invalid number "01"`, 7},
	{"number glued to a word", `age eq 12abc`, nil, `invalid number "12abc"`, 7},
	{"lone minus", `age eq -`, nil, `invalid number "-"`, 7},
	{"huge exponent", `score eq 1e400`, nil, `number 1e400 is out of range`, 9},
	{"co needs a string", `age co 4`, nil, `operator "co" needs a string, found number 4`, 7},
	{"sw with null", `title sw null`, nil, `operator "sw" needs a string, found null`, 9},
	{"gt with a boolean", `active gt true`, nil, `operator "gt" needs a string or a number, found true`, 10},
	{"gt with null", `title GT null`, nil, `operator "gt" needs a string or a number, found null`, 9},
	{"pr with a value", `title pr "x"`, nil, `unexpected string "x" after a complete filter`, 9},
	{"trailing junk", `a pr b pr`, nil, `unexpected "b" after a complete filter`, 5},
	{"dangling and", `a pr and`, nil, `expected an attribute name, "(" or "not (", found end of input`, 8},
	{"leading or", `or a pr`, nil, `expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le or pr) after "or", found "a"`, 3},
	{"unbalanced open", `(a pr`, nil, `expected ")" to close "(" at position 0, found end of input`, 5},
	{"unbalanced close", `a pr)`, nil, `unexpected ")" after a complete filter`, 4},
	{"empty parentheses", `()`, nil, `expected an attribute name, "(" or "not (", found ")"`, 1},
	{"not without parentheses", `not a pr`, nil, `expected "(" after "not", found "a"`, 4},
	{"not at end", `not`, nil, `expected "(" after "not", found end of input`, 3},
	{"bad character", `a pr & b pr`, nil, `unexpected character "&"`, 5},
	{"bad sub-attribute", `name.1x eq "a"`, nil, `invalid sub-attribute name "1x" in "name.1x"`, 5},
	{"two sub-attribute levels", `a.b.c eq "x"`, nil, `at most one sub-attribute level is allowed, found "a.b.c"`, 0},
	{"URN without urn:", `foo:bar eq "x"`, nil, `a qualified attribute name must start with "urn:", found "foo:bar"`, 0},
	{"URN without attribute", `urn:x:y: eq "x"`, nil, `invalid attribute name "" in "urn:x:y:"`, 8},
	{"unclosed value path", `emails[type eq "work"`, nil, `expected "]" to close "[" at position 6, found end of input`, 21},
	{"empty value path", `emails[]`, nil, `expected an attribute name, "(" or "not (", found "]"`, 7},
	{"nested value path", `emails[a[b pr]]`, nil, `value paths cannot be nested`, 8},
	{"sub-attribute inside value path", `emails[type.x eq "a"]`, nil, `a value filter names sub-attributes only, found "type.x"`, 7},
	{"URN inside value path", `emails[urn:a:b eq "a"]`, nil, `a value filter names sub-attributes only, found "urn:a:b"`, 7},
	{"value path on a sub-attribute", `name.x[a pr]`, nil, `a value path's attribute cannot have a sub-attribute, found "name.x"`, 0},
	{"value path compared", `emails[type eq "work"] eq "x"`, nil, `unexpected "eq" after a complete filter`, 23},
	{
		"value path sub-attribute in strict mode", `emails[type eq "work"].value eq "x"`, nil,
		`a sub-attribute after a value path (emails[...].sub) is not allowed by RFC 7644 Section 3.4.2.2`, 22,
	},
	{
		"value path sub-attribute without a name", `emails[type eq "work"]. eq "x"`, []Option{AllowValuePathSubAttribute()},
		`expected a sub-attribute name after "].", found "eq"`, 24,
	},
	{
		"value path sub-attribute without comparison", `emails[type eq "work"].value`, []Option{AllowValuePathSubAttribute()},
		`expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le or pr) after "value", found end of input`, 28,
	},
	{"dot alone", `.a pr`, nil, `expected an attribute name, "(" or "not (", found "."`, 0},
	{
		"space between value path and sub-attribute", `emails[type eq "work"] .value eq "x"`, []Option{AllowValuePathSubAttribute()},
		`unexpected "." after a complete filter`, 23,
	},
}

func TestParse_Errors(t *testing.T) {
	for _, tt := range parseErrorTests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Parse(tt.in, tt.opts...)
			if perr := wantError(t, fmt.Sprintf("Parse(%q)", tt.in), e, err, tt.msg, tt.pos); perr.Input != tt.in {
				t.Errorf("Parse(%q) error has Input %q", tt.in, perr.Input)
			}
		})
	}
}

// wantString fails t unless x, what call gave, prints as str, or as the input in when str is "".
func wantString(t *testing.T, call string, x fmt.Stringer, in, str string) {
	t.Helper()
	want := str
	if want == "" {
		want = in
	}
	if got := x.String(); got != want {
		t.Errorf("%s.String()=%q, want %q", call, got, want)
	}
}

// wantError fails t unless err, the error of call (which gave got), is an *Error with msg at pos.
func wantError(t *testing.T, call string, got any, err error, msg string, pos int) *Error {
	t.Helper()
	if err == nil {
		t.Fatalf("%s=%v, want error %q", call, got, msg)
	}
	var perr *Error
	if !errors.As(err, &perr) {
		t.Fatalf("%s error %T, want *Error", call, err)
	}
	if perr.Msg != msg || perr.Pos != pos {
		t.Errorf("%s error = {Pos: %d, Msg: %q}, want {Pos: %d, Msg: %q}", call, perr.Pos, perr.Msg, pos, msg)
	}
	return perr
}

func TestError_Error(t *testing.T) {
	tests := []struct {
		name string
		err  Error
		want string
	}{
		{
			name: "caret under the position",
			err:  Error{Pos: 9, Msg: "bad", Input: `userName xx "a"`},
			want: "bad at position 9\n    userName xx \"a\"\n             ^",
		},
		{
			name: "caret after the end",
			err:  Error{Pos: 8, Msg: "bad", Input: `userName`},
			want: "bad at position 8\n    userName\n            ^",
		},
		{
			name: "long input is cut around the position",
			err:  Error{Pos: 100, Msg: "bad", Input: strings.Repeat("a", 100) + "!" + strings.Repeat("b", 100)},
			want: "bad at position 100\n    ..." + strings.Repeat("a", 40) + "!" + strings.Repeat("b", 39) + "...\n       " + strings.Repeat(" ", 40) + "^",
		},
		{
			name: "newlines and tabs print as spaces, multi-byte runes count once",
			err:  Error{Pos: 7, Msg: "bad", Input: "é\tx\ny ?"},
			want: "bad at position 7\n    é x y ?\n          ^",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error()=\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
