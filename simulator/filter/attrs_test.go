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
		{filter: `emails[type eq "work" and primary eq true]`, attr: AttrPath{Attr: "emails", Sub: "type"}, value: "work", ok: true},
		{
			filter: `emails[type eq "work"].value eq "a@b"`, opts: []Option{AllowValuePathSubAttribute()},
			attr: AttrPath{Attr: "emails", Sub: "value"}, value: "a@b", ok: true,
			reason: "within a value path the value sub-attribute comes first",
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

func TestEqualities(t *testing.T) {
	tests := []struct {
		filter string
		want   []Equality
	}{
		{`userName eq "u" and title pr`, []Equality{{AttrPath{Attr: "userName"}, "u"}}},
		{
			`externalId eq "e" and emails[type eq "work" and display eq "d" and value eq "v"] and userName eq "u"`,
			[]Equality{
				{AttrPath{Attr: "externalId"}, "e"},
				{AttrPath{Attr: "emails", Sub: "value"}, "v"},
				{AttrPath{Attr: "emails", Sub: "type"}, "work"},
				{AttrPath{Attr: "emails", Sub: "display"}, "d"},
				{AttrPath{Attr: "userName"}, "u"},
			},
		},
		{`userName eq "a" or externalId eq "b"`, nil},
		{`not (userName eq "a") and emails[type eq "work" or value eq "v"]`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			e, err := Parse(tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, Equalities(e)); diff != "" {
				t.Errorf("Equalities(%q) mismatch (-want +got):\n%s", tt.filter, diff)
			}
		})
	}
}

// TestEqualityOn_IsNecessary checks the planner contract on the fixtures: every resource that matches
// a filter satisfies each of its Equalities.
func TestEqualityOn_IsNecessary(t *testing.T) {
	res := resources(t, numberForms[0].conv)
	s := testSchema()
	for _, f := range append(rfcFilters(t), `emails[type eq "work" and value eq "bjensen@example.com"] and userName eq "bjensen"`) {
		e, err := Parse(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range Equalities(e) {
			eq := &Compare{Attr: q.Attr, Op: "eq", Value: q.Value}
			for name, r := range res {
				if Eval(e, r, s) && !Eval(eq, r, s) {
					t.Errorf("%s matches %q but not its equality %s", name, f, eq)
				}
			}
		}
	}
}
