package expr

// Null tests, conversions, multi-valued attributes and flow control.

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

func callIsNull(ev *evaluator, c *Call) (any, error) {
	v, err := ev.arg(c, 0)
	return v == nil, err
}

func callIsNullOrEmpty(ev *evaluator, c *Call) (any, error) {
	v, err := ev.arg(c, 0)
	return isNullOrEmpty(v), err
}

func callIsPresent(ev *evaluator, c *Call) (any, error) {
	v, err := ev.arg(c, 0)
	return !isNullOrEmpty(v), err
}

func callIsString(ev *evaluator, c *Call) (any, error) {
	v, err := ev.arg(c, 0)
	_, ok := v.(string)
	return ok, err
}

func callIgnoreFlow(ev *evaluator, c *Call) (any, error) {
	v, err := ev.arg(c, 0)
	if err != nil {
		return nil, err
	}
	if isNullOrEmpty(v) {
		return Ignore, nil
	}
	return v, nil
}

func callCoalesce(ev *evaluator, c *Call) (any, error) {
	for i := range c.Args {
		v, err := ev.arg(c, i)
		if err != nil {
			return nil, err
		}
		if v != nil {
			return v, nil
		}
	}
	return nil, nil
}

var callCStr = unary((*evaluator).str, func(s string) (any, error) { return s, nil })

func callCBool(ev *evaluator, c *Call) (any, error) {
	v, err := ev.arg(c, 0)
	if err != nil || v == nil {
		return nil, err
	}
	return toBool(v)
}

// callNot follows the reference: "If source value is True, returns False. Otherwise, returns
// True." The result stays a boolean so that the engine can render it for the request dialect.
func callNot(ev *evaluator, c *Call) (any, error) {
	v, err := ev.arg(c, 0)
	if err != nil {
		return nil, err
	}
	switch v := v.(type) {
	case bool:
		return !v, nil
	case string:
		return !strings.EqualFold(strings.TrimSpace(v), "True"), nil
	}
	return true, nil
}

func callBitAnd(ev *evaluator, c *Call) (any, error) {
	a := ev.args(c)
	x, ok1 := a.intOK(0)
	y, ok2 := a.intOK(1)
	if a.done() || !ok1 || !ok2 {
		return nil, a.err
	}
	return x & y, nil
}

func list(v any) []string {
	switch v := v.(type) {
	case nil, ignore:
		return nil
	case []string:
		return v
	}
	s, _ := toString(v)
	return []string{s}
}

func callCount(ev *evaluator, c *Call) (any, error) {
	v, err := ev.arg(c, 0)
	return int64(len(list(v))), err
}

func callItem(ev *evaluator, c *Call) (any, error) {
	v, err := ev.arg(c, 0)
	if err != nil {
		return nil, err
	}
	n, _, err := ev.int(c, 1)
	if err != nil {
		return nil, err
	}
	values := list(v)
	if n < 1 || n > int64(len(values)) {
		return nil, nil
	}
	return values[n-1], nil
}

func callRemoveDuplicates(ev *evaluator, c *Call) (any, error) {
	v, err := ev.arg(c, 0)
	if err != nil || v == nil {
		return nil, err
	}
	values, multi := v.([]string)
	if !multi {
		return v, nil
	}
	seen := make(map[string]bool, len(values))
	out := make([]string, 0, len(values))
	for _, s := range values {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out, nil
}

// callRoles returns the user's app roles. The engine gives [appRoleAssignments] as the list of
// assigned role values; building the SCIM roles objects, and the PATCH that Add (Complex) or
// replace (Assertive) implies, is the engine's part.
func callRoles(ev *evaluator, c *Call) (any, error) {
	v, err := ev.arg(c, 0)
	if err != nil || v == nil {
		return nil, err
	}
	return slices.Clone(list(v)), nil
}

func callSingleRole(ev *evaluator, c *Call) (any, error) {
	v, err := ev.arg(c, 0)
	if err != nil {
		return nil, err
	}
	if roles := list(v); len(roles) > 0 {
		return roles[0], nil
	}
	return nil, nil
}

// iifData holds the attributes an IIF condition reads, found once at Parse time.
type iifData struct{ attrs []*Attr }

// callIIF implements IIF. Microsoft's reference: "If the source attribute used within the IIF
// function is empty or null, the condition check fails" — IIF([country]="","Other",[country]) is
// listed as unsupported and Switch recommended instead. Here a failed condition check makes the
// whole IIF null, so the target attribute is not provisioned, which is how that failure shows.
func callIIF(ev *evaluator, c *Call) (any, error) {
	for _, a := range iifAttrs(c) {
		v, err := a.eval(ev)
		if err != nil {
			return nil, err
		}
		if isNullOrEmpty(v) {
			return nil, nil
		}
	}
	cond, err := ev.arg(c, 0)
	if err != nil {
		return nil, err
	}
	b, err := toBool(cond)
	if err != nil {
		return nil, fmt.Errorf("condition %s: %w", c.Args[0], err)
	}
	if b {
		return ev.arg(c, 1)
	}
	return ev.arg(c, 2)
}

func iifAttrs(c *Call) []*Attr {
	if d, ok := c.compiled.(*iifData); ok {
		return d.attrs
	}
	return nil
}

// checkIIF finds the attributes the condition reads, and rejects IgnoreFlowIfNullOrEmpty as the
// condition, which Microsoft's reference lists as unsupported: "IgnoreFlowIfNullOrEmpty is a flow
// control wrapper, not a boolean condition, and doesn't produce a value that IIF can compare."
func checkIIF(c *Call) error {
	if cond, ok := c.Args[0].(*Call); ok && cond.Name == "IgnoreFlowIfNullOrEmpty" {
		return argErrorf(0, "IgnoreFlowIfNullOrEmpty is a flow control wrapper, not a boolean condition: wrap the whole IIF instead, IgnoreFlowIfNullOrEmpty(IIF(...))")
	}
	d := &iifData{}
	walk(c.Args[0], func(n Node) {
		if a, ok := n.(*Attr); ok {
			d.attrs = append(d.attrs, a)
		}
	})
	c.compiled = d
	return nil
}

func checkSwitch(c *Call) error {
	if len(c.Args)%2 != 0 {
		return fmt.Errorf("keys and values must come in pairs, so the number of arguments must be even, got %d: %s", len(c.Args), c.fn.Signature)
	}
	return nil
}

// callSwitch compares source with each key as strings, case-sensitively; a null source equals
// the key "", as the reference's Switch([statusFlag], "Default Value", "true", "1", "", "0")
// example documents.
func callSwitch(ev *evaluator, c *Call) (any, error) {
	src, _, err := ev.str(c, 0)
	if err != nil {
		return nil, err
	}
	for i := 2; i+1 < len(c.Args); i += 2 {
		key, _, err := ev.str(c, i)
		if err != nil {
			return nil, err
		}
		if key == src {
			return ev.arg(c, i+1)
		}
	}
	return ev.arg(c, 1)
}

// ErrNoUniqueValue is the error of a SelectUniqueValue whose every rule gives a value that already
// exists in the target: "If all of the values already exist in the target, the entry is escrowed,
// and the reason gets logged in the audit logs" (Microsoft's reference, SelectUniqueValue).
var ErrNoUniqueValue = errors.New("all of the values already exist in the target")

// callSelectUniqueValue evaluates the rules in order and returns the first value Env.Exists
// reports as free: "The function evaluates each rule and then checks the value generated for
// uniqueness in the target app/directory. The first unique value found is the one returned." A
// rule that gives null or "" is skipped, since there is nothing to check; when every rule does,
// the result is null.
func callSelectUniqueValue(ev *evaluator, c *Call) (any, error) {
	var taken []string
	for i := range c.Args {
		s, ok, err := ev.str(c, i)
		if err != nil {
			return nil, err
		}
		if !ok || s == "" {
			continue
		}
		if ev.env.Exists == nil {
			return s, nil
		}
		exists, err := ev.env.Exists(s)
		if err != nil {
			return nil, fmt.Errorf("checking whether %q exists in the target: %w", s, err)
		}
		if !exists {
			return s, nil
		}
		taken = append(taken, strconv.Quote(s))
	}
	if len(taken) == 0 {
		return nil, nil
	}
	return nil, fmt.Errorf("%w (%s), so the entry is escrowed", ErrNoUniqueValue, strings.Join(taken, ", "))
}

// ErrNoDefaultDomain is the error of DefaultDomain() when Env.DefaultDomain is empty: "If no
// default verified domain is found, the function returns an error."
var ErrNoDefaultDomain = errors.New("the tenant has no default verified domain")

// callDefaultDomain implements DefaultDomain(): "Returns the name of the default verified domain
// for the current Microsoft Entra tenant."
func callDefaultDomain(ev *evaluator, _ *Call) (any, error) {
	if ev.env.DefaultDomain == "" {
		return nil, ErrNoDefaultDomain
	}
	return ev.env.DefaultDomain, nil
}
