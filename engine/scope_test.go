package engine

import (
	"errors"
	"testing"
)

func TestClause_eval(t *testing.T) {
	attrs := map[string]any{
		"department": "Sales", "mail": "alice@contoso.com", "employeeId": "42", "level": int64(7),
		"ratio": 1.5, "isManager": true, "contractor": false, "empty": "", "aliases": []string{"a", "b"},
	}
	tests := []struct {
		attr, op, value string
		want            bool
		reason          string
	}{
		{"department", "EQUALS", "Sales", true, ""},
		{"department", "EQUALS", "sales", false, "EQUALS is case-sensitive"},
		{"department", "NOT EQUALS", "Marketing", true, ""},
		{"missing", "NOT EQUALS", "Marketing", false, "every operator but IS NULL is false on null"},
		{"empty", "NOT EQUALS", "Marketing", false, "empty counts as null"},
		{"missing", "IS NULL", "", true, ""},
		{"empty", "IS NULL", "", true, ""},
		{"department", "IS NULL", "", false, ""},
		{"department", "IS NOT NULL", "", true, ""},
		{"missing", "IS NOT NULL", "", false, ""},
		{"mail", "ENDS_WITH", "@contoso.com", true, ""},
		{"mail", "ENDS_WITH", "@fabrikam.com", false, ""},
		{"mail", "Includes", "contoso", true, ""},
		{"mail", "Includes", "Contoso", false, "Includes is case-sensitive"},
		{"department", "&", "Sales,Marketing", true, "& is true when the attribute is contained in the value"},
		{"department", "&", "Finance,Legal", false, ""},
		{"department", "!&", "Finance,Legal", true, ""},
		{"missing", "!&", "Finance", false, "null is false even for a negation"},
		{"employeeId", "Greater_Than", "41", true, "a numeric string is an integer"},
		{"employeeId", "Greater_Than", "42", false, ""},
		{"employeeId", "Greater_Than_OR_EQUALS", "42", true, ""},
		{"level", "Greater_Than", "5", true, ""},
		{"isManager", "IS TRUE", "", true, ""},
		{"contractor", "IS FALSE", "", true, ""},
		{"contractor", "IS TRUE", "", false, ""},
		{"missing", "IS FALSE", "", false, "null is not false"},
		{"employeeId", "REGEX MATCH", "^[1-9][0-9]$", true, ""},
		{"employeeId", "NOT REGEX MATCH", "^[1-9][0-9]$", false, ""},
		{"employeeId", "REGEX MATCH", `^(?<n>\d+)$`, true, ".NET named groups are translated"},
		{"missing", "NOT REGEX MATCH", "x", false, "NOT REGEX MATCH is false on null, as documented"},
	}
	for _, tt := range tests {
		c := Clause{Attribute: tt.attr, Operator: tt.op, Value: tt.value}
		got, err := c.eval("f", attrs)
		if err != nil || got != tt.want {
			t.Errorf("%s = %v (err %v), want %v %s", c.label("f"), got, err, tt.want, tt.reason)
		}
	}
}

// TestClause_evalInvalid: what the provisioning service cannot evaluate is an invalid filter.
func TestClause_evalInvalid(t *testing.T) {
	attrs := map[string]any{"department": "Sales", "ratio": 1.5, "aliases": []string{"a"}, "employeeId": "42"}
	for _, tt := range []struct{ attr, op, value, want string }{
		{"department", "Greater_Than", "5", `scoping filter "f": f department Greater_Than 5: the attribute value "Sales" is not an integer`},
		{"employeeId", "Greater_Than", "five", `scoping filter "f": f employeeId Greater_Than five: the filter value "five" is not an integer`},
		{"ratio", "Greater_Than_OR_EQUALS", "1", `scoping filter "f": f ratio Greater_Than_OR_EQUALS 1: Greater_Than_OR_EQUALS compares integers and ratio is 1.5`},
		{"department", "REGEX MATCH", "([", `scoping filter "f": f department REGEX MATCH ([: regular expression "([": unterminated character class [`},
		{"aliases", "EQUALS", "a", `scoping filter "f": f aliases EQUALS a: aliases is multi-valued; scoping filters do not support multi-valued attributes`},
	} {
		_, err := Clause{Attribute: tt.attr, Operator: tt.op, Value: tt.value}.eval("f", attrs)
		var se *scopeError
		if !errors.As(err, &se) || err.Error() != tt.want {
			t.Errorf("eval(%s %s %s) error = %v\nwant %s", tt.attr, tt.op, tt.value, err, tt.want)
		}
	}
}

func TestEqualValue(t *testing.T) {
	for _, tt := range []struct {
		want, got any
		equal     bool
	}{
		{"a", "a", true},
		{"a", "A", false},
		{false, "False", true},
		{true, "true", true},
		{true, false, false},
		{true, "yes", false},
		{"1", float64(1), true},
		{[]string{"a", "b"}, []any{"a", "b"}, true},
		{[]string{"a"}, []any{"a", "b"}, false},
		{"a", nil, false},
	} {
		if got := equalValue(tt.want, tt.got); got != tt.equal {
			t.Errorf("equalValue(%#v, %#v) = %v, want %v", tt.want, tt.got, got, tt.equal)
		}
	}
}
