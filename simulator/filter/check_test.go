package filter

import (
	"errors"
	"fmt"
	"testing"
)

func TestCheck(t *testing.T) {
	s := testSchema()
	for _, f := range rfcFilters(t) {
		e, err := Parse(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := Check(e, s); err != nil {
			t.Errorf("Check(%q) = %v, want nil", f, err)
		}
	}
	tests := []struct {
		name   string
		filter string
		opts   []Option
		msg    string // "" means valid
		input  string // the canonical text the error points into; "" means the filter
		pos    int
	}{
		{name: "common attributes", filter: `id eq "1" and externalId eq "x" and meta.version eq "W/\"1\"" and meta.location sw "https:"`},
		{name: "core URN", filter: userURN + `:userName eq "x"`},
		{name: "extension", filter: ent + `manager.value eq "x" and ` + ent + `manager pr`},
		{name: "integer with integer literal", filter: extra + `age gt 17`},
		{name: "integer with decimal literal", filter: extra + `age gt 17.5`},
		{name: "decimal with integer literal", filter: extra + `score le 9`},
		{name: "multi-valued integer", filter: extra + `badges eq 5`},
		{name: "boolean eq", filter: `active eq true and ` + extra + `verified ne false`},
		{name: "null against anything", filter: extra + `age eq null and active ne null and name eq null`},
		{name: "dateTime", filter: extra + `hired ge "2019-03-01T09:00:00.5+01:00"`},
		{name: "dateTime co is textual", filter: `meta.created co "2011"`},
		{name: "binary eq", filter: extra + `photo eq "aGk="`},
		{name: "complex multi-valued compares value", filter: `emails co "example.com"`},
		{name: "complex pr", filter: `name pr and emails pr`},
		{name: "value path", filter: `emails[type eq "work" and not (primary eq false)]`},
		{name: "value path sub-attribute (entra)", filter: `emails[type eq "work"].value eq "x"`, opts: []Option{AllowValuePathSubAttribute()}},
		{name: "names in any case", filter: `EMAILS[TYPE eq "work"] and USERNAME pr`},

		{name: "unknown attribute", filter: `userName eq "x" and nope pr`, msg: `unknown attribute "nope"`, pos: 20},
		{name: "unknown sub-attribute", filter: `name.nope eq "x"`, msg: `unknown attribute "name.nope"`},
		{name: "sub-attribute of a simple attribute", filter: `userName.x eq "x"`, msg: `unknown attribute "userName.x"`},
		{name: "extension attribute without URN", filter: `employeeNumber eq "1"`, msg: `unknown attribute "employeeNumber"`},
		{name: "unknown extension", filter: `urn:nope:User:x eq "1"`, msg: `unknown attribute "urn:nope:User:x"`},
		{name: "unknown attribute in value path", filter: `emails[nope eq "x"]`, msg: `unknown attribute "emails.nope"`, pos: 7},
		{name: "unknown value path attribute", filter: `nope[value eq "x"]`, msg: `unknown attribute "nope"`},
		{name: "value path on a simple attribute", filter: `userName[value eq "x"]`, msg: `a value path needs a complex attribute, "userName" is a string`},
		{name: "gt on boolean", filter: `active gt "x"`, msg: `operator "gt" is not allowed on boolean attribute "active"`},
		{name: "co on boolean", filter: extra + `verified co "t"`, msg: `operator "co" is not allowed on boolean attribute "` + extra + `verified"`},
		{name: "lt on binary", filter: extra + `photo lt "aGk="`, msg: `operator "lt" is not allowed on binary attribute "` + extra + `photo"`},
		{name: "sw on integer", filter: extra + `age sw "4"`, msg: `operator "sw" is not allowed on integer attribute "` + extra + `age"`},
		{name: "gt on complex", filter: `name gt "x"`, msg: `complex attribute "name" cannot be compared; name one of its sub-attributes`},
		{name: "complex single-valued eq", filter: `name eq "x"`, msg: `complex attribute "name" cannot be compared; name one of its sub-attributes`},
		{name: "string against integer", filter: extra + `age eq "42"`, msg: `attribute "` + extra + `age" is an integer, so it cannot be compared with "42"`},
		{name: "boolean against string", filter: `userName eq true`, msg: `attribute "userName" is a string, so it cannot be compared with true`},
		{name: "number against string", filter: `userName eq 42`, msg: `attribute "userName" is a string, so it cannot be compared with 42`},
		{name: "string against boolean", filter: `active eq "true"`, msg: `attribute "active" is a boolean, so it cannot be compared with "true"`},
		{name: "number against dateTime", filter: `meta.created gt 2011`, msg: `attribute "meta.created" is a dateTime, so it cannot be compared with 2011`},
		{name: "malformed dateTime", filter: `meta.lastModified gt "yesterday"`, msg: `attribute "meta.lastModified" is a dateTime; "yesterday" is not an RFC 3339 date and time`},
		{
			name: "error points into the canonical form", filter: `(userName  EQ "x")  AND  nope  PR`,
			msg: `unknown attribute "nope"`, input: `userName eq "x" and nope pr`, pos: 20,
		},
		{
			name: "entra sub-attribute checked inside the value path", filter: `emails[type eq "work"].nope eq "x"`, opts: []Option{AllowValuePathSubAttribute()},
			msg: `unknown attribute "emails.nope"`, input: `emails[type eq "work" and nope eq "x"]`, pos: 26,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Parse(tt.filter, tt.opts...)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.filter, err)
			}
			input := tt.input
			if input == "" {
				input = tt.filter
			}
			wantCheck(t, fmt.Sprintf("Check(%q)", tt.filter), Check(e, s), tt.msg, tt.pos, input)
		})
	}
}

func TestCheck_NilSchema(t *testing.T) {
	e, err := Parse(`id eq "1" and meta.lastModified gt "2011-05-13T04:42:34Z"`)
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(e, nil); err != nil {
		t.Errorf("Check with nil schema on common attributes = %v, want nil", err)
	}
	e, err = Parse(`userName eq "x"`)
	if err != nil {
		t.Fatal(err)
	}
	var cerr *Error
	if err, want := Check(e, nil), `unknown attribute "userName"`; !errors.As(err, &cerr) || cerr.Msg != want {
		t.Errorf("Check with nil schema = %v, want %q", err, want)
	}
}

func TestCheckPath(t *testing.T) {
	s := testSchema()
	tests := []struct {
		path   string
		msg    string // "" means valid
		pos    int
		reason string
	}{
		{path: `members`, msg: `unknown attribute "members"`, reason: "members belongs to the Group schema"},
		{path: `name.familyName`},
		{path: `emails[type eq "work"].value`},
		{path: `emails[type eq "work"]`},
		{path: `addresses[type eq "work"].streetAddress`},
		{path: ent + `manager.value`},
		{path: ent + `employeeNumber`},
		{path: enterpriseURN, reason: "a whole extension URN addresses the extension object"},
		{path: `urn:nope:2.0:User`, msg: `unknown attribute "urn:nope:2.0:User"`},
		{path: `externalId`},
		{path: `meta.lastModified`},
		{path: `nope`, msg: `unknown attribute "nope"`},
		{path: `name.nope`, msg: `unknown attribute "name.nope"`},
		{path: `userName[value eq "x"]`, msg: `a value path needs a complex attribute, "userName" is a string`},
		{path: `emails[nope eq "x"]`, msg: `unknown attribute "emails.nope"`, pos: 7},
		{path: `emails[type eq "work"].nope`, msg: `unknown attribute "emails.nope"`, pos: 23},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			p, err := ParsePath(tt.path)
			if err != nil {
				t.Fatalf("ParsePath(%q): %v", tt.path, err)
			}
			wantCheck(t, fmt.Sprintf("CheckPath(%q)", tt.path), CheckPath(p, s), tt.msg, tt.pos, tt.path)
		})
	}
}

// wantCheck fails t unless err, what call answered, is nil where msg is "", and otherwise an
// *Error with msg at pos of input.
func wantCheck(t *testing.T, call string, err error, msg string, pos int, input string) {
	t.Helper()
	if msg == "" {
		if err != nil {
			t.Fatalf("%s = %v, want nil", call, err)
		}
		return
	}
	var cerr *Error
	if !errors.As(err, &cerr) {
		t.Fatalf("%s = %v (%T), want *Error %q", call, err, err, msg)
	}
	if cerr.Msg != msg || cerr.Pos != pos || cerr.Input != input {
		t.Errorf("%s = {Pos: %d, Msg: %q, Input: %q}, want {Pos: %d, Msg: %q, Input: %q}",
			call, cerr.Pos, cerr.Msg, cerr.Input, pos, msg, input)
	}
}
