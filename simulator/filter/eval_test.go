package filter

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// resources loads testdata/resources.json with numbers as conv makes them, which mimics the decoders
// the simulator feeds Eval with.
func resources(tb testing.TB, conv func(json.Number) any) map[string]map[string]any {
	tb.Helper()
	data, err := os.ReadFile("testdata/resources.json")
	if err != nil {
		tb.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out map[string]map[string]any
	if err := dec.Decode(&out); err != nil {
		tb.Fatal(err)
	}
	for _, r := range out {
		convertNumbers(r, conv)
	}
	return out
}

func convertNumbers(v any, conv func(json.Number) any) any {
	switch x := v.(type) {
	case json.Number:
		return conv(x)
	case map[string]any:
		for k, el := range x {
			x[k] = convertNumbers(el, conv)
		}
	case []any:
		for i, el := range x {
			x[i] = convertNumbers(el, conv)
		}
	}
	return v
}

// numberForms are the number representations Eval must handle: json.Number (UseNumber), float64
// (plain json.Unmarshal), int64 and int (elimity's validation).
var numberForms = []struct {
	name string
	conv func(json.Number) any
}{
	{"json.Number", func(n json.Number) any { return n }},
	{"float64", func(n json.Number) any { f, _ := n.Float64(); return f }},
	{"int64", func(n json.Number) any {
		if i, err := n.Int64(); err == nil {
			return i
		}
		f, _ := n.Float64()
		return f
	}},
	{"int", func(n json.Number) any {
		if i, err := n.Int64(); err == nil {
			return int(i)
		}
		f, _ := n.Float64()
		return f
	}},
}

const (
	bjensenID = "2819c223-7f76-453a-919d-413861904646"
	extra     = extraURN + ":"
	ent       = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:"
)

func TestEval(t *testing.T) {
	all := []string{"bjensen", "bjorn", "guides", "mpepper"}
	tests := []struct {
		name   string
		filter string
		want   []string // names of the matching resources in testdata/resources.json
		opts   []Option
	}{
		// RFC 7644 Section 3.4.2.2 examples.
		{name: "eq", filter: `userName eq "bjensen"`, want: []string{"bjensen"}},
		{name: "co on a sub-attribute", filter: `name.familyName co "O'Malley"`, want: []string{"mpepper"}},
		{name: "sw", filter: `userName sw "J"`},
		{name: "core URN", filter: `urn:ietf:params:scim:schemas:core:2.0:User:userName sw "B"`, want: []string{"bjensen"}},
		{name: "pr", filter: `title pr`, want: []string{"bjensen"}},
		{name: "dateTime gt", filter: `meta.lastModified gt "2011-05-13T04:42:34Z"`, want: []string{"mpepper"}},
		{name: "dateTime ge", filter: `meta.lastModified ge "2011-05-13T04:42:34Z"`, want: []string{"bjensen", "guides", "mpepper"}},
		{name: "dateTime lt", filter: `meta.lastModified lt "2011-05-13T04:42:34Z"`},
		{name: "dateTime le", filter: `meta.lastModified le "2011-05-13T04:42:34Z"`, want: []string{"bjensen", "guides"}},
		{name: "and", filter: `title pr and userType eq "Employee"`, want: []string{"bjensen"}},
		{name: "or", filter: `title pr or userType eq "Intern"`, want: []string{"bjensen", "mpepper"}},
		{name: "multi-valued string", filter: `schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`, want: []string{"bjensen"}},
		{name: "complex multi-valued compares value", filter: `userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")`, want: []string{"bjensen"}},
		{name: "not", filter: `userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")`, want: []string{"bjorn", "guides"}},
		{name: "sub-attribute of multi-valued", filter: `userType eq "Employee" and (emails.type eq "work")`, want: []string{"bjensen"}},
		{name: "value path", filter: `userType eq "Employee" and emails[type eq "work" and value co "@example.com"]`, want: []string{"bjensen"}},
		{name: "value paths or", filter: `emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]`, want: []string{"bjensen"}},

		// Multi-valued semantics: any value matches; a value path matches within one value.
		{name: "value path is per value", filter: `emails[type eq "home" and value co "@example.com"]`},
		{name: "sub-attributes match across values", filter: `emails.type eq "home" and emails.value co "@example.com"`, want: []string{"bjensen"}},
		{name: "second value matches", filter: `emails eq "babs@jensen.org"`, want: []string{"bjensen"}},
		{name: "members value path", filter: `members[value eq "` + bjensenID + `"]`, want: []string{"guides"}},
		{name: "members sub-attribute", filter: `members.display sw "babs"`, want: []string{"guides"}},
		{name: "$ref", filter: `members.$ref ew "/Users/` + bjensenID + `"`, want: []string{"guides"}},
		{name: "value path on a single complex attribute", filter: `name[givenName eq "mary"]`, want: []string{"mpepper"}},
		{
			name: "value path sub-attribute (entra)", filter: `emails[type eq "work"].value eq "bjensen@example.com"`,
			want: []string{"bjensen"}, opts: []Option{AllowValuePathSubAttribute()},
		},
		{
			name: "value path sub-attribute is per value (entra)", filter: `emails[type eq "home"].value eq "bjensen@example.com"`,
			opts: []Option{AllowValuePathSubAttribute()},
		},

		// Case rules (RFC 7643 Section 2.1, 2.3.1, 3.1).
		{name: "attribute names are case-insensitive", filter: `NAME.FAMILYNAME co "o'malley"`, want: []string{"mpepper"}},
		{name: "resource keys are case-insensitive", filter: `displayName eq "tour guides"`, want: []string{"guides"}},
		{name: "caseExact false folds", filter: `userName eq "BJENSEN"`, want: []string{"bjensen"}},
		{name: "id is caseExact", filter: `id eq "2819C223-7F76-453A-919D-413861904646"`},
		{name: "id", filter: `id eq "` + bjensenID + `"`, want: []string{"bjensen"}},
		{name: "externalId is caseExact", filter: `externalId eq "mpepper"`},
		{name: "externalId", filter: `externalId eq "MPepper"`, want: []string{"mpepper"}},
		{name: "meta.resourceType is caseExact", filter: `meta.resourceType eq "user"`},
		{name: "meta.resourceType", filter: `meta.resourceType eq "User"`, want: []string{"bjensen", "mpepper"}},
		{name: "ew folds", filter: `userName ew "PEPPER"`, want: []string{"mpepper"}},
		{name: "gt folds", filter: `userName gt "C"`, want: []string{"bjorn", "mpepper"}},
		{name: "le folds", filter: `userName le "mPePPeR"`, want: []string{"bjensen", "mpepper"}},
		{name: "co folds non-ASCII", filter: `displayName co "JÖNS"`, want: []string{"bjorn"}},
		{name: "sw non-ASCII", filter: `displayName sw "BJÖ"`, want: []string{"bjorn"}},
		{name: "dateTime equality is by instant", filter: `meta.lastModified eq "2011-05-13T06:42:34+02:00"`, want: []string{"bjensen", "guides"}},
		{name: "dateTime with fraction", filter: `meta.created eq "2011-08-01T18:29:49.793Z"`, want: []string{"mpepper"}},
		{name: "dateTime co is textual", filter: `meta.created co "2011-08"`, want: []string{"mpepper"}},

		// Enterprise extension: nested under its URN.
		{name: "extension attribute", filter: ent + `employeeNumber eq "701984"`, want: []string{"bjensen"}},
		{name: "extension sub-attribute", filter: ent + `manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`, want: []string{"bjensen"}},
		{name: "extension pr", filter: ent + `department pr`, want: []string{"bjensen"}},
		{name: "extension URN in any case", filter: `URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:employeeNumber eq "701984"`, want: []string{"bjensen"}},
		{name: "extension attribute is not top-level", filter: `employeeNumber eq "701984"`},

		// Numbers, booleans, null.
		{name: "integer gt", filter: extra + `age gt 18`, want: []string{"bjensen"}},
		{name: "integer ge", filter: extra + `age ge 17`, want: []string{"bjensen", "mpepper"}},
		{name: "integer eq decimal literal", filter: extra + `age eq 42.0`, want: []string{"bjensen"}},
		{name: "integer lt decimal literal", filter: extra + `age lt 17.5`, want: []string{"mpepper"}},
		{name: "decimal eq integer literal", filter: extra + `score eq 9`, want: []string{"mpepper"}},
		{name: "decimal gt", filter: extra + `score gt 7.25`, want: []string{"bjensen", "mpepper"}},
		{name: "exponent literal", filter: extra + `score lt 7.6e0`, want: []string{"bjensen"}},
		{name: "multi-valued integer", filter: extra + `badges eq 5`, want: []string{"bjensen"}},
		{name: "empty array is not present", filter: extra + `badges pr`, want: []string{"bjensen"}},
		{name: "extension dateTime", filter: extra + `hired lt "2019-03-01T08:30:00Z"`, want: []string{"bjensen"}},
		{name: "boolean true", filter: `active eq true`, want: []string{"bjensen"}},
		{name: "boolean false", filter: `active eq false`, want: []string{"mpepper"}},
		{name: "ne holds for unassigned", filter: `active ne true`, want: []string{"bjorn", "guides", "mpepper"}},
		{name: "extension boolean", filter: extra + `verified eq true`, want: []string{"bjensen"}},
		{name: "eq null is not present", filter: `title eq null`, want: []string{"bjorn", "guides", "mpepper"}},
		{name: "ne null is present", filter: `title ne null`, want: []string{"bjensen"}},
		{name: "null value eq null", filter: extra + `hired eq null`, want: []string{"bjorn", "guides", "mpepper"}},
		{name: "empty array is not present (core)", filter: `phoneNumbers pr`},
		{name: "complex pr", filter: `name pr`, want: []string{"bjensen", "mpepper"}},
		{name: "not pr", filter: `not (userName pr)`, want: []string{"guides"}},

		// Type mismatches do not match and never panic.
		{name: "number literal against a string", filter: `userName eq 5`},
		{name: "string literal against an integer", filter: extra + `age eq "42"`},
		{name: "ne with a mismatched type holds", filter: extra + `age ne "42"`, want: all},
		{name: "boolean literal against a string", filter: `userName eq true`},
		{name: "complex compared without sub-attribute", filter: `name eq "Jensen"`},
		{name: "gt on a boolean", filter: `active gt 0`},
		{name: "dateTime against a malformed literal compares as text", filter: `meta.lastModified lt "yesterday"`, want: []string{"bjensen", "guides", "mpepper"}},
		{name: "unknown attribute", filter: `nope eq "x"`},
		{name: "sub-attribute of a string", filter: `userName.x eq "bjensen"`},
	}
	s := testSchema()
	for _, form := range numberForms {
		res := resources(t, form.conv)
		t.Run(form.name, func(t *testing.T) {
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					if got := matching(t, tt.filter, tt.opts, res, s); !slices.Equal(got, tt.want) {
						t.Errorf("Eval(%q) matched %q, want %q", tt.filter, got, tt.want)
					}
				})
			}
		})
	}
}

// matching parses filter with opts and returns the sorted names of the resources it matches.
func matching(t *testing.T, filter string, opts []Option, res map[string]map[string]any, s Schema) []string {
	t.Helper()
	e, err := Parse(filter, opts...)
	if err != nil {
		t.Fatalf("Parse(%q): %v", filter, err)
	}
	var got []string
	for name, r := range res {
		if Eval(e, r, s) {
			got = append(got, name)
		}
	}
	sort.Strings(got)
	return got
}

// TestEval_NoSchema checks the defaults without a schema: strings fold, except the common attributes
// RFC 7643 Section 3.1 makes caseExact, and meta dates compare as dateTimes.
func TestEval_NoSchema(t *testing.T) {
	res := resources(t, numberForms[0].conv)
	tests := []struct {
		filter string
		want   []string
	}{
		{`userName eq "BJENSEN"`, []string{"bjensen"}},
		{`id eq "2819C223-7F76-453A-919D-413861904646"`, nil},
		{`externalId eq "BJENSEN"`, nil},
		{`meta.lastModified eq "2011-05-13T06:42:34+02:00"`, []string{"bjensen", "guides"}},
		{extra + `age gt 18`, []string{"bjensen"}},
		// Unknown to the built-in attributes, a dateTime compares as text: 09:00+01:00 > 08:30Z.
		{extra + `hired gt "2019-03-01T08:30:00Z"`, []string{"bjensen"}},
		{`emails[type eq "WORK"]`, []string{"bjensen", "mpepper"}},
	}
	for _, tt := range tests {
		if got := matching(t, tt.filter, nil, res, nil); !slices.Equal(got, tt.want) {
			t.Errorf("Eval(%q, nil schema) matched %q, want %q", tt.filter, got, tt.want)
		}
	}
}

// TestEval_OddValues feeds values of every type Eval may meet, and some it should not, to every
// operator: nothing may panic, and the results follow the rules for mismatched types.
func TestEval_OddValues(t *testing.T) {
	values := []any{
		nil, "", "x", true, false, json.Number("1"), json.Number("1.5"), json.Number("bad"), int64(1), 1, int32(1),
		1.0, float32(1), uint8(1), []any{}, []any{nil}, []any{[]any{"x"}}, map[string]any{},
		map[string]any{"value": map[string]any{"value": "x"}}, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		[]string{"x"}, struct{}{},
	}
	literals := []string{`"x"`, `"2020-01-01T00:00:00Z"`, `1`, `1.5`, `true`, `null`}
	ops := []string{"eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"}
	schemas := []Schema{nil, testSchema()}
	for _, v := range values {
		res := map[string]any{"a": v, "meta": map[string]any{"created": v}, "emails": v}
		for _, attr := range []string{"a", "a.b", "meta.created", "emails", "emails.value", "userName"} {
			for _, op := range ops {
				for _, lit := range literals {
					e, err := Parse(attr + " " + op + " " + lit)
					if err != nil {
						continue // operator and literal do not combine
					}
					for _, s := range schemas {
						Eval(e, res, s)
					}
				}
			}
			e, _ := Parse(attr + " pr")
			Eval(e, res, nil)
		}
		e, _ := Parse(`emails[value eq "x"]`)
		Eval(e, res, nil)
	}
	// A hand-built expression may hold what Parse never produces.
	odd := []Expr{
		&Compare{Attr: AttrPath{Attr: "a"}, Op: "eq", Value: 1},
		&Compare{Attr: AttrPath{Attr: "a"}, Op: "bogus", Value: "x"},
		&Logical{Op: "xor", Left: &Present{Attr: AttrPath{Attr: "a"}}, Right: &Present{Attr: AttrPath{Attr: "a"}}},
		&ValuePath{Attr: AttrPath{Attr: "a"}, Filter: &ValuePath{Attr: AttrPath{Attr: "b"}, Filter: &Present{Attr: AttrPath{Attr: "c"}}}},
		nil,
	}
	for _, e := range odd {
		Eval(e, map[string]any{"a": []any{map[string]any{"b": "x"}}}, nil)
	}
}

func TestEval_MismatchedTypes(t *testing.T) {
	tests := []struct {
		filter string
		value  any
		want   bool
	}{
		{`a eq "1"`, json.Number("1"), false},
		{`a ne "1"`, json.Number("1"), true},
		{`a eq 1`, "1", false},
		{`a ne 1`, "1", true},
		{`a eq true`, "true", false},
		{`a ne true`, "true", true},
		{`a eq 1`, json.Number("bad"), false},
		{`a gt 1`, true, false},
		{`a eq 1`, uint8(1), false},
		{`a eq "x"`, []string{"x"}, false},
		{`a eq "2020-01-01T01:00:00+01:00"`, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{`a ne "not a time"`, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{`a eq 1`, float32(1), true},
		{`a eq 1`, int32(1), true},
	}
	for _, tt := range tests {
		e, err := Parse(tt.filter)
		if err != nil {
			t.Fatal(err)
		}
		if got := Eval(e, map[string]any{"a": tt.value}, nil); got != tt.want {
			t.Errorf("Eval(%q) on a=%#v = %v, want %v", tt.filter, tt.value, got, tt.want)
		}
	}
}

func TestEval_LongContains(t *testing.T) {
	long := strings.Repeat("ab", 20000) + "XYZ"
	tests := []struct {
		value, literal string
		want           bool
	}{
		{long, "abxyz", true},
		{long, "ABABX", true},
		{long, "xyza", false},
		{"short Value", "VALUE", true},
	}
	for _, tt := range tests {
		got := compareStrings("co", tt.value, tt.literal, false)
		if got != tt.want {
			t.Errorf("co(%d-byte value, %q) = %v, want %v", len(tt.value), tt.literal, got, tt.want)
		}
	}
}
