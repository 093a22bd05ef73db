package engine

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/scimsim/scimsim/engine/expr"
)

// flowValue is one mapping's value for the subject: nil is null (not provisioned).
type flowValue struct {
	m     *Mapping
	value any
}

func (m *Mapping) sourceName() string {
	switch {
	case m.Source != "":
		return m.Source
	case m.Constant != "":
		return fmt.Sprintf("constant %q", m.Constant)
	}
	return m.Expression
}

// isRole reports whether the mapping provisions app roles, which on-demand provisioning does not
// ("On-demand provisioning of roles isn't supported.").
func (m *Mapping) isRole() bool {
	return m.path.Attr == "roles" && m.path.Schema == "" || strings.Contains(m.Expression, "AppRoleAssignments") ||
		m.Source == "appRoleAssignments"
}

// evaluateMappings computes every mapping's value; nulls names the mapped attributes without one.
func evaluateMappings(ms []*Mapping, env expr.Env) ([]flowValue, []string, error) {
	var flow []flowValue
	var nulls []string
	for _, m := range ms {
		var v any
		switch {
		case m.Constant != "":
			v = m.Constant
		case m.selectsUniqueValue():
			flow = append(flow, flowValue{m: m}) // evaluated against the target, by selectUniqueValues
			continue
		case m.expr != nil:
			var err error
			if v, err = m.expr.Eval(env); err != nil {
				return nil, nil, fmt.Errorf("%s: mapping to %s: %w", m.Pos, m.Target, err)
			}
			if v == expr.Ignore {
				continue
			}
		default:
			v = env.Attrs[m.Source]
		}
		v = normalize(m, v)
		if v == nil && m.Target != "members" {
			nulls = append(nulls, fmt.Sprintf("%s (from %s)", m.Target, m.sourceName()))
		}
		flow = append(flow, flowValue{m: m, value: v})
	}
	return flow, nulls, nil
}

// normalize turns empty values into null (Entra does not provision nulls) and the "True"/"False"
// strings expressions produce into booleans for active, the one boolean of the core User schema
// Entra maps by default.
func normalize(m *Mapping, v any) any {
	switch x := v.(type) {
	case string:
		if x == "" {
			return nil
		}
		if slices.ContainsFunc(booleanTargets, func(t string) bool { return strings.EqualFold(m.Target, t) }) {
			if b, err := strconv.ParseBool(x); err == nil {
				return b
			}
		}
	case []string:
		if len(x) == 0 {
			return nil
		}
	case []any:
		if len(x) == 0 {
			return nil
		}
	}
	return v
}

// booleanTargets are the boolean target attributes Entra maps by default: the core User schema's
// active, and the Microsoft Graph user's accountEnabled and showInAddressList (cross-tenant
// synchronization maps showInAddressList from the constant "true").
var booleanTargets = []string{"active", "accountEnabled", "showInAddressList"}

// scalarString renders a value for a filter or a comparison.
func scalarString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		if x {
			return "True"
		}
		return "False"
	case []string:
		return strings.Join(x, ",")
	}
	return fmt.Sprint(v)
}

// equalValue compares a desired value with the target's: strings exactly, booleans and numbers by
// value whatever their JSON type ("False" and false are the same value to Entra).
func equalValue(want, got any) bool {
	if got == nil {
		return want == nil
	}
	// A reference Entra sends as a plain string id is stored as RFC 7643's complex value
	// {"value": id, ...}: the same reference.
	if ref, ok := got.(map[string]any); ok {
		if _, isString := want.(string); isString {
			if v, has := ref["value"]; has {
				got = v
			}
		}
	}
	if wb, ok := want.(bool); ok {
		switch g := got.(type) {
		case bool:
			return g == wb
		case string:
			b, err := strconv.ParseBool(g)
			return err == nil && b == wb
		}
		return false
	}
	if ws, ok := want.([]string); ok {
		gl, ok := got.([]any)
		if !ok || len(gl) != len(ws) {
			return false
		}
		for i := range ws {
			if fmt.Sprint(gl[i]) != ws[i] {
				return false
			}
		}
		return true
	}
	return scalarString(want) == scalarString(got)
}
