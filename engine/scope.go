package engine

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/scimsim/scimsim/engine/expr"
)

// operator is one scoping filter operator of "Scoping users or groups to be provisioned with
// scoping filters" (define-conditional-rules-for-provisioning-user-accounts.md).
type operator struct {
	unary bool
	// integer operators need integers on both sides.
	integer bool
	eval    func(attr, value string) (bool, error)
}

// operators lists every operator the portal offers, with Microsoft's semantics ("Scoping users or
// groups to be provisioned with scoping filters", define-conditional-rules-for-provisioning-user-
// accounts.md, "Create a scoping filter"). String comparisons are case-sensitive, as the page says
// for EQUALS, Includes and REGEX MATCH.
var operators = map[string]operator{
	// "&: returns true if the evaluated attribute exists in the input string value".
	"&":  {eval: func(a, v string) (bool, error) { return strings.Contains(v, a), nil }},
	"!&": {eval: func(a, v string) (bool, error) { return !strings.Contains(v, a), nil }},
	"ENDS_WITH": {eval: func(a, v string) (bool, error) {
		return strings.HasSuffix(a, v), nil
	}},
	"EQUALS":     {eval: func(a, v string) (bool, error) { return a == v, nil }},
	"NOT EQUALS": {eval: func(a, v string) (bool, error) { return a != v, nil }},
	"Includes":   {eval: func(a, v string) (bool, error) { return strings.Contains(a, v), nil }},
	"Greater_Than": {integer: true, eval: func(a, v string) (bool, error) {
		x, y, err := integers(a, v)
		return err == nil && x > y, err
	}},
	"Greater_Than_OR_EQUALS": {integer: true, eval: func(a, v string) (bool, error) {
		x, y, err := integers(a, v)
		return err == nil && x >= y, err
	}},
	"IS TRUE":         {unary: true, eval: func(a, _ string) (bool, error) { return strings.EqualFold(a, "true"), nil }},
	"IS FALSE":        {unary: true, eval: func(a, _ string) (bool, error) { return strings.EqualFold(a, "false"), nil }},
	"IS NULL":         {unary: true, eval: func(a, _ string) (bool, error) { return false, nil }},
	"IS NOT NULL":     {unary: true, eval: func(a, _ string) (bool, error) { return true, nil }},
	"REGEX MATCH":     {eval: regexMatch(true)},
	"NOT REGEX MATCH": {eval: regexMatch(false)},
}

// regexMatch is REGEX MATCH, or NOT REGEX MATCH when match is false. Entra runs .NET regular
// expressions; expr translates them to RE2 the same way as for Replace, and rejects what RE2 cannot
// express.
func regexMatch(match bool) func(attr, value string) (bool, error) {
	return func(a, v string) (bool, error) {
		re, err := expr.CompileRegex(v)
		return err == nil && re.MatchString(a) == match, err
	}
}

// OperatorNames returns the scoping filter operators, sorted.
func OperatorNames() []string { return slices.Sorted(maps.Keys(operators)) }

// scopeError is a clause that cannot be evaluated: the filter itself is invalid.
type scopeError struct {
	filter, label, msg string
}

func (e *scopeError) Error() string {
	return fmt.Sprintf("scoping filter %q: %s: %s", e.filter, e.label, e.msg)
}

func integers(a, v string) (int64, int64, error) {
	x, err := strconv.ParseInt(strings.TrimSpace(a), 10, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("the attribute value %q is not an integer", a)
	}
	y, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("the filter value %q is not an integer", v)
	}
	return x, y, nil
}

// label is how the portal shows a clause: "{title} {attribute} {operator} {value}".
func (c Clause) label(filter string) string {
	s := fmt.Sprintf("%s %s %s", filter, c.Attribute, c.Operator)
	if c.Value != "" {
		s += " " + c.Value
	}
	return s
}

// eval evaluates the clause against attrs. Microsoft: "filters return false if the value is null
// or empty": on a null or empty value only IS NULL is true.
func (c Clause) eval(filter string, attrs map[string]any) (bool, error) {
	op := operators[c.Operator]
	v, present := attrs[c.Attribute]
	var s string
	switch x := v.(type) {
	case nil:
	case string:
		s = x
	case bool:
		s = strconv.FormatBool(x)
	case int64:
		s = strconv.FormatInt(x, 10)
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
		if op.integer && x != float64(int64(x)) {
			return false, &scopeError{filter, c.label(filter), fmt.Sprintf("%s compares integers and %s is %s", c.Operator, c.Attribute, s)}
		}
	case []string:
		if len(x) > 0 {
			return false, &scopeError{filter, c.label(filter), fmt.Sprintf("%s is multi-valued; scoping filters do not support multi-valued attributes", c.Attribute)}
		}
	default:
		s = fmt.Sprint(x)
	}
	if !present || s == "" {
		return c.Operator == "IS NULL", nil
	}
	ok, err := op.eval(s, c.Value)
	if err != nil {
		return false, &scopeError{filter, c.label(filter), err.Error()}
	}
	return ok, nil
}
