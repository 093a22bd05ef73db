package expr

import (
	"errors"
	"fmt"
	"math"
	"math/rand"
	"strconv"
	"strings"
	"sync"
	"time"
)

// evaluator carries one evaluation: the environment and the lazily created random source.
type evaluator struct {
	env Env
	src string
	rnd *rand.Rand
}

// defaultSeed seeds the random source when the caller gives none, so that Guid() and
// RandomString() are reproducible by default.
const defaultSeed = 1

// Eval evaluates the expression against env. The result is nil (null: Entra does not provision
// the target attribute), a string, a bool, a []string (multi-valued) or Ignore. Numbers and dates
// are rendered as Entra renders them: decimal integers, and "M/d/yyyy h:mm:ss tt" in UTC.
// Errors are *Error, positioned at the call that failed.
func (e *Expr) Eval(env Env) (any, error) {
	ev := evaluators.Get().(*evaluator)
	ev.env, ev.src = env, e.src
	v, err := e.root.eval(ev)
	*ev = evaluator{} // drop the references to the caller's attributes before pooling
	evaluators.Put(ev)
	if err != nil {
		return nil, err
	}
	return result(v)
}

// evaluators recycles evaluation state: a typical mapping then evaluates with no allocation but
// its result.
var evaluators = sync.Pool{New: func() any { return new(evaluator) }}

// result converts an internal value to one of the documented result types.
func result(v any) (any, error) {
	switch v := v.(type) {
	case nil, string, bool, []string, ignore:
		return v, nil
	case int64, float64, time.Time:
		return toString(v)
	default:
		return nil, fmt.Errorf("internal error: unexpected value of type %T", v)
	}
}

func (ev *evaluator) now() time.Time {
	if ev.env.Now != nil {
		return ev.env.Now().UTC()
	}
	return time.Now().UTC()
}

func (ev *evaluator) rand() *rand.Rand {
	if ev.env.Rand != nil {
		return ev.env.Rand
	}
	if ev.rnd == nil {
		ev.rnd = rand.New(rand.NewSource(defaultSeed))
	}
	return ev.rnd
}

func (n *Str) eval(*evaluator) (any, error)   { return n.boxed, nil }
func (n *Num) eval(*evaluator) (any, error)   { return n.boxed, nil }
func (n *Const) eval(*evaluator) (any, error) { return n.boxed, nil }
func (n *Empty) eval(*evaluator) (any, error) { return nil, nil }

func (n *Attr) eval(ev *evaluator) (any, error) {
	v, err := normalize(ev.env.Attrs[n.Name])
	if err != nil {
		return nil, &Error{Pos: n.At, Src: ev.src, Msg: fmt.Sprintf("attribute [%s]: %v", n.Name, err)}
	}
	return v, nil
}

func (n *Call) eval(ev *evaluator) (any, error) {
	v, err := n.fn.Call(ev, n)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return nil, err
		}
		return nil, &Error{Pos: n.At, Src: ev.src, Msg: n.Name + ": " + err.Error(), Err: err}
	}
	return v, nil
}

func (n *Cmp) eval(ev *evaluator) (any, error) {
	l, err := n.L.eval(ev)
	if err != nil {
		return nil, err
	}
	r, err := n.R.eval(ev)
	if err != nil {
		return nil, err
	}
	c, err := compare(l, r)
	if err != nil {
		return nil, &Error{Pos: n.At, Src: ev.src, Msg: fmt.Sprintf("cannot compare %s %s %s: %v", n.L, n.Op, n.R, err)}
	}
	switch n.Op {
	case "=":
		return c == 0, nil
	case "<>":
		return c != 0, nil
	case "<":
		return c < 0, nil
	case "<=":
		return c <= 0, nil
	case ">":
		return c > 0, nil
	default: // ">="
		return c >= 0, nil
	}
}

// compare orders two values. As in VBA, a number compares numerically with another number or a
// string that reads as one (DateDiff(...) > 5); two strings compare as strings, ordinally, which
// is case-sensitive like the rest of the language; a date compares with a date or a date string.
// Null compares as the empty string.
func compare(l, r any) (int, error) {
	if isNumber(l) || isNumber(r) {
		ln, lok := asNumber(l)
		rn, rok := asNumber(r)
		if lok && rok {
			switch {
			case ln < rn:
				return -1, nil
			case ln > rn:
				return 1, nil
			}
			return 0, nil
		}
	}
	lt, lok := l.(time.Time)
	rt, rok := r.(time.Time)
	if lok || rok {
		var err error
		if !lok {
			if lt, err = toTime(l); err != nil {
				return 0, err
			}
		}
		if !rok {
			if rt, err = toTime(r); err != nil {
				return 0, err
			}
		}
		return lt.Compare(rt), nil
	}
	ls, err := toString(l)
	if err != nil {
		return 0, err
	}
	rs, err := toString(r)
	if err != nil {
		return 0, err
	}
	return strings.Compare(ls, rs), nil
}

func isNumber(v any) bool {
	switch v.(type) {
	case int64, float64:
		return true
	}
	return false
}

func asNumber(v any) (float64, bool) {
	switch v := v.(type) {
	case int64:
		return float64(v), true
	case float64:
		return v, true
	case string:
		s := strings.TrimSpace(v)
		if !looksNumeric(s) {
			return 0, false // spares ParseFloat's error allocation on every name compared
		}
		f, err := strconv.ParseFloat(s, 64)
		return f, err == nil
	}
	return 0, false
}

func looksNumeric(s string) bool {
	digit := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isDigit(c):
			digit = true
		case c == '+' || c == '-' || c == '.' || c == 'e' || c == 'E':
		default:
			return false
		}
	}
	return digit
}

// arg evaluates argument i of c; an absent or omitted argument is null. So is an
// IgnoreFlowIfNullOrEmpty below the top of the expression: dropping the attribute from the flow
// is a decision about the whole mapping, which only the outermost call can make.
func (ev *evaluator) arg(c *Call, i int) (any, error) {
	if i >= len(c.Args) {
		return nil, nil
	}
	v, err := c.Args[i].eval(ev)
	if _, ignored := v.(ignore); ignored {
		return nil, err
	}
	return v, err
}

// str evaluates argument i as a single string. ok is false when the value is null.
func (ev *evaluator) str(c *Call, i int) (s string, ok bool, err error) {
	v, err := ev.arg(c, i)
	if err != nil || v == nil {
		return "", false, err
	}
	if s, isStr := v.(string); isStr {
		return s, true, nil
	}
	s, err = toString(v)
	if err != nil {
		return "", false, fmt.Errorf("argument %d (%s): %w", i+1, c.fn.paramName(i), err)
	}
	return s, true, nil
}

// int evaluates argument i as an integer. ok is false when the value is null or empty.
func (ev *evaluator) int(c *Call, i int) (n int64, ok bool, err error) {
	v, err := ev.arg(c, i)
	if err != nil || v == nil || v == "" {
		return 0, false, err
	}
	n, err = toInt(v)
	if err != nil {
		return 0, false, fmt.Errorf("argument %d (%s): %w", i+1, c.fn.paramName(i), err)
	}
	return n, true, nil
}

// time evaluates argument i as a date. ok is false when the value is null or empty.
func (ev *evaluator) time(c *Call, i int) (t time.Time, ok bool, err error) {
	v, err := ev.arg(c, i)
	if err != nil || v == nil || v == "" {
		return time.Time{}, false, err
	}
	t, err = toTime(v)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("argument %d (%s): %w", i+1, c.fn.paramName(i), err)
	}
	return t, true, nil
}

// normalize converts an attribute value given by the caller to an internal value: nil, string,
// bool, int64, float64, time.Time or []string.
func normalize(v any) (any, error) {
	switch v := v.(type) {
	case nil, string, bool, int64, float64, time.Time, []string:
		return v, nil
	case int:
		return int64(v), nil
	case int32:
		return int64(v), nil
	case uint32:
		return int64(v), nil
	case float32:
		return float64(v), nil
	case []any:
		out := make([]string, 0, len(v))
		for i, e := range v {
			e, err := normalize(e)
			if err != nil {
				return nil, fmt.Errorf("value %d: %w", i+1, err)
			}
			if _, nested := e.([]string); nested {
				return nil, fmt.Errorf("value %d is itself a list", i+1)
			}
			if e == nil {
				continue
			}
			s, err := toString(e)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	default:
		return nil, fmt.Errorf("unsupported value of type %T", v)
	}
}

// errMultiValued is returned when a function that takes one value is given several.
var errMultiValued = errors.New("is multi-valued; pick one value with Item, or combine them with Join")

// toString renders a value the way Entra's .NET runtime does: booleans as "True"/"False",
// dates as "M/d/yyyy h:mm:ss tt" in UTC.
func toString(v any) (string, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case bool:
		if v {
			return "True", nil
		}
		return "False", nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	case float64:
		return strconv.FormatFloat(v, 'G', -1, 64), nil
	case time.Time:
		return formatEntraTime(v), nil
	case []string:
		switch len(v) {
		case 0:
			return "", nil
		case 1:
			return v[0], nil
		}
		return "", fmt.Errorf("value %q %w", v, errMultiValued)
	case ignore:
		return "", nil
	}
	return "", fmt.Errorf("internal error: unexpected value of type %T", v)
}

// entraTimeLayout is .NET's "M/d/yyyy h:mm:ss tt", the format in which CDate, DateAdd and Now
// return dates per Microsoft's expression reference.
const entraTimeLayout = "1/2/2006 3:04:05 PM"

func formatEntraTime(t time.Time) string { return t.UTC().Format(entraTimeLayout) }

func toInt(v any) (int64, error) {
	switch v := v.(type) {
	case int64:
		return v, nil
	case float64:
		if math.IsNaN(v) || v > math.MaxInt64 || v < math.MinInt64 {
			return 0, fmt.Errorf("%v is not an integer", v)
		}
		return int64(math.RoundToEven(v)), nil
	case string:
		s := strings.TrimSpace(v)
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, nil
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return toInt(f)
		}
		return 0, fmt.Errorf("%q is not a number", v)
	case []string:
		if len(v) == 1 {
			return toInt(v[0])
		}
		return 0, fmt.Errorf("value %q %w", v, errMultiValued)
	}
	return 0, fmt.Errorf("%s is not a number", describe(v))
}

func toTime(v any) (time.Time, error) {
	switch v := v.(type) {
	case time.Time:
		return v.UTC(), nil
	case string:
		return parseDate(v)
	case []string:
		if len(v) == 1 {
			return parseDate(v[0])
		}
		return time.Time{}, fmt.Errorf("value %q %w", v, errMultiValued)
	}
	return time.Time{}, fmt.Errorf("%s is not a date", describe(v))
}

// toBool reads a condition: a boolean, "True"/"False" in any case as .NET's Boolean.Parse does,
// or a number, which is true when it is not zero (CBool).
func toBool(v any) (bool, error) {
	switch v := v.(type) {
	case bool:
		return v, nil
	case int64:
		return v != 0, nil
	case float64:
		return v != 0, nil
	case string:
		s := strings.TrimSpace(v)
		switch {
		case strings.EqualFold(s, "True"):
			return true, nil
		case strings.EqualFold(s, "False"):
			return false, nil
		}
		if f, ok := asNumber(s); ok {
			return f != 0, nil
		}
		return false, fmt.Errorf("%q is not a boolean: expected True, False or a number", v)
	case []string:
		if len(v) == 1 {
			return toBool(v[0])
		}
		return false, fmt.Errorf("value %q %w", v, errMultiValued)
	}
	return false, fmt.Errorf("%s is not a boolean", describe(v))
}

func isNullOrEmpty(v any) bool {
	switch v := v.(type) {
	case nil, ignore:
		return true
	case string:
		return v == ""
	case []string:
		return len(v) == 0
	}
	return false
}

func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		if v {
			return "boolean True"
		}
		return "boolean False"
	case time.Time:
		return "date " + formatEntraTime(v)
	case []string:
		return fmt.Sprintf("list %q", v)
	}
	return fmt.Sprintf("%v", v)
}
