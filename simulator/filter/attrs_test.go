package filter

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAttributes(t *testing.T) {
	tests := []struct {
		filter string
		opts   []Option
		want   []AttrPath
	}{
		{filter: `userName eq "x"`, want: []AttrPath{{Attr: "userName"}}},
		{filter: `title pr and userType eq "Employee"`, want: []AttrPath{{Attr: "title"}, {Attr: "userType"}}},
		{
			filter: `userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")`,
			want:   []AttrPath{{Attr: "userType"}, {Attr: "emails"}, {Attr: "emails", Sub: "value"}},
		},
		{
			filter: `emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp"]`,
			want: []AttrPath{
				{Attr: "emails"}, {Attr: "emails", Sub: "type"}, {Attr: "emails", Sub: "value"},
				{Attr: "ims"}, {Attr: "ims", Sub: "type"},
			},
		},
		{
			filter: `emails[type eq "work"].value eq "x"`, opts: []Option{AllowValuePathSubAttribute()},
			want: []AttrPath{{Attr: "emails"}, {Attr: "emails", Sub: "type"}, {Attr: "emails", Sub: "value"}},
		},
		{
			filter: ent + `manager.value eq "x" and ` + ent + `employeeNumber pr`,
			want:   []AttrPath{{URN: enterpriseURN, Attr: "manager", Sub: "value"}, {URN: enterpriseURN, Attr: "employeeNumber"}},
		},
		{
			filter: `userName eq "a" or USERNAME eq "b" or username pr`,
			want:   []AttrPath{{Attr: "userName"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			e, err := Parse(tt.filter, tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, Attributes(e)); diff != "" {
				t.Errorf("Attributes(%q) mismatch (-want +got):\n%s", tt.filter, diff)
			}
		})
	}
}

func TestEqualityOn(t *testing.T) {
	tests := []struct {
		filter string
		opts   []Option
		attr   AttrPath
		value  string
		ok     bool
		reason string
	}{
		{filter: `userName eq "user50000"`, attr: AttrPath{Attr: "userName"}, value: "user50000", ok: true},
		{filter: `USERNAME EQ "X"`, attr: AttrPath{Attr: "USERNAME"}, value: "X", ok: true, reason: "names and values as written"},
		{filter: `externalId eq "e1" and active eq true`, attr: AttrPath{Attr: "externalId"}, value: "e1", ok: true},
		{filter: `active eq true and id eq "42"`, attr: AttrPath{Attr: "id"}, value: "42", ok: true, reason: "the right conjunct when the left is not a string equality"},
		{filter: `title pr and (displayName co "x" and userName eq "u")`, attr: AttrPath{Attr: "userName"}, value: "u", ok: true},
		{filter: `members[value eq "2819c223"]`, attr: AttrPath{Attr: "members", Sub: "value"}, value: "2819c223", ok: true},
		{
			filter: `emails[type eq "work"].value eq "a@b"`, opts: []Option{AllowValuePathSubAttribute()},
			attr: AttrPath{Attr: "emails", Sub: "type"}, value: "work", ok: true,
			reason: "the left conjunct of the rewritten value filter",
		},
		{filter: ent + `employeeNumber eq "7"`, attr: AttrPath{URN: enterpriseURN, Attr: "employeeNumber"}, value: "7", ok: true},
		{filter: `userName eq "a" or userName eq "b"`, reason: "an or has no necessary equality"},
		{filter: `not (userName eq "a")`},
		{filter: `userName ne "a"`},
		{filter: `userName co "a"`},
		{filter: `age eq 42`, reason: "only string values"},
		{filter: `title eq null`},
		{filter: `title pr`},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			e, err := Parse(tt.filter, tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			attr, value, ok := EqualityOn(e)
			if attr != tt.attr || value != tt.value || ok != tt.ok {
				t.Errorf("EqualityOn(%q)=%+v, %q, %v; want %+v, %q, %v", tt.filter, attr, value, ok, tt.attr, tt.value, tt.ok)
			}
		})
	}
}

// TestEqualityOn_IsNecessary checks the planner contract on the fixtures: every resource that matches
// the filter has the attribute equal to the value.
func TestEqualityOn_IsNecessary(t *testing.T) {
	res := resources(t, numberForms[0].conv)
	s := testSchema()
	for _, f := range append(rfcFilters(t), `emails[type eq "work" and value eq "bjensen@example.com"] and userName eq "bjensen"`) {
		e, err := Parse(f)
		if err != nil {
			t.Fatal(err)
		}
		attr, value, ok := EqualityOn(e)
		if !ok {
			continue
		}
		eq := &Compare{Attr: attr, Op: "eq", Value: value}
		for name, r := range res {
			if Eval(e, r, s) && !Eval(eq, r, s) {
				t.Errorf("%s matches %q but not its EqualityOn %s", name, f, eq)
			}
		}
	}
}
