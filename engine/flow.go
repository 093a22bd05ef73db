package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/scimsim/scimsim/engine/expr"
	"github.com/scimsim/scimsim/entra"
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

// evaluateScope decides whether the user is in scope: active in the source, assigned (directly or
// through a group it is a direct member of, with an assignment old enough to be honoured) or
// scope "all", holding a required role, and passing at least one scoping filter (clauses AND-ed,
// filters OR-ed).
func (ur *userRun) evaluateScope() {
	u, job := ur.user, ur.cfg.Job
	s := ur.rep.Step(StepScoping)
	active := u.Enabled() && !u.SoftDeleted()
	s.Details.add("Active in source system", strconv.FormatBool(active))
	ur.inScope = active
	if !active {
		ur.why = "The user is not active in the source system."
		ur.scopeTips = append(ur.scopeTips, entra.TipNotActive)
	}
	var eligible []Assignment
	pending := false
	now := ur.o.now()
	for _, a := range ur.src.assignmentsOf(u.ObjectID) {
		if !a.AssignedAt.IsZero() && now.Sub(a.AssignedAt) < job.ReplicationDelay {
			pending = true
			continue
		}
		eligible = append(eligible, a)
	}
	for _, a := range eligible {
		ur.roles = append(ur.roles, a.role())
	}
	if job.Scope == ScopeAll {
		s.Details.add("Scope sync all", "true")
	} else {
		assigned := len(eligible) > 0
		s.Details.add("Assigned to application", strconv.FormatBool(assigned))
		if !assigned && ur.inScope {
			ur.inScope = false
			ur.why = "The user is not assigned to the application."
			ur.scopeTips = append(ur.scopeTips, entra.TipNotAssigned)
			if pending {
				ur.why = fmt.Sprintf("The user is not assigned to the application yet: its assignment is younger than the replication delay (job.replicationDelay %s).", job.ReplicationDelay)
				ur.scopeTips = []Tip{entra.TipReplication}
			}
		}
		if len(job.RequiredRoles) > 0 {
			hasRole := false
			for _, a := range eligible {
				for _, want := range job.RequiredRoles {
					if strings.EqualFold(a.role(), want) {
						hasRole = true
					}
				}
			}
			s.Details.add("User has required role", strconv.FormatBool(hasRole))
			if !hasRole && ur.inScope {
				ur.inScope = false
				ur.why = fmt.Sprintf("The user does not have a required role (%s); its roles: %s.", strings.Join(job.RequiredRoles, ", "), orNone(ur.roles))
				ur.scopeTips = append(ur.scopeTips, entra.TipRequiredRole)
			}
		}
	}
	filters := ur.cfg.Users.ScopingFilters
	if len(filters) == 0 {
		return
	}
	anyPassed := false
	for _, f := range filters {
		passed := true
		for _, c := range f.Clauses {
			ok, err := c.eval(f.Name, u.Attrs)
			if err != nil {
				var se *scopeError
				if errors.As(err, &se) {
					ur.scopeErr = se
				}
				return
			}
			s.Details.add(c.label(f.Name), strconv.FormatBool(ok))
			passed = passed && ok
		}
		anyPassed = anyPassed || passed
	}
	if !anyPassed && ur.inScope {
		ur.inScope = false
		names := make([]string, 0, len(filters))
		for _, f := range filters {
			names = append(names, strconv.Quote(f.Name))
		}
		ur.why = fmt.Sprintf("No scoping filter passed (%s).", strings.Join(names, ", "))
		ur.scopeTips = append(ur.scopeTips, entra.TipFilterFalse)
	}
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// env is what expressions see: the user's attributes plus the computed IsSoftDeleted ("true
// when the user is unassigned, out of scope, soft-deleted or has accountEnabled false") and
// appRoleAssignments.
func (ur *userRun) env() expr.Env {
	attrs := make(map[string]any, len(ur.user.Attrs)+2)
	for k, v := range ur.user.Attrs {
		attrs[k] = v
	}
	attrs["IsSoftDeleted"] = !ur.inScope
	if len(ur.roles) > 0 {
		attrs["appRoleAssignments"] = append([]string(nil), ur.roles...)
	}
	return expr.Env{Attrs: attrs, Now: ur.o.now, Rand: ur.o.rand, DefaultDomain: ur.src.DefaultDomain}
}

// evaluate computes every mapping's value.
func (ur *userRun) evaluate() error {
	var err error
	ur.flow, ur.nulls, err = evaluateMappings(ur.cfg.Users.Mappings, ur.env())
	return err
}

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
		if strings.EqualFold(m.Target, "active") {
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

// value returns the mapping's evaluated value.
func (ur *userRun) value(m *Mapping) any {
	for _, f := range ur.flow {
		if f.m == m {
			return f.value
		}
	}
	return nil
}

// scopeStep is step 3. An invalid filter fails; a user out of scope continues to matching, which
// decides between disabling it (present in the target) and skipping it.
func (ur *userRun) scopeStep() bool {
	s := ur.rep.Step(StepScoping)
	if se := ur.scopeErr; se != nil {
		s.Details.add(se.label, "invalid")
		ur.fail(ur.rep, s, entra.CodeInvalidScopingFilter, se.Error(), entra.TipScopingRule)
		return false
	}
	if ur.inScope {
		ur.finish(ur.rep, s, StatusSuccess)
		return true
	}
	// Decided after matching: skipped (not in the target) or warning (disabled).
	return true
}

// matchStep is step 4: each matching attribute in precedence order, an eq query each, stop at the
// first match; more than one result is DuplicateTargetEntries.
func (ur *userRun) matchStep(ctx context.Context) bool {
	s := ur.rep.Step(StepMatching)
	for _, m := range ur.cfg.Users.matchingMappings() {
		v := ur.value(m)
		if v == nil {
			s.Details.add(m.Target, "no value in the source: not queried")
			continue
		}
		filter := entra.EqFilter(m.Target, scalarString(v))
		lr, err := ur.c.Query(ctx, "Users", filter)
		if err != nil {
			code, reason, tips := ur.classify(ctx, err, StepMatching)
			ur.fail(ur.rep, s, code, reason, tips...)
			return false
		}
		switch n := len(lr.Resources); n {
		case 0:
			s.Details.add(filter, "no match")
			continue
		case 1:
			s.Details.add(filter, "1 match")
			s.Details.add("Matched user ("+m.Target+")", summarize(lr.Resources[0]))
			ur.matched = lr.Resources[0]
		default:
			s.Details.add(filter, fmt.Sprintf("%d matches", n))
			for _, res := range lr.Resources {
				s.Details.add("Matched user ("+m.Target+")", summarize(res))
			}
			ur.fail(ur.rep, s, entra.CodeDuplicateTargetEntries, fmt.Sprintf("%d users in the target have %s; the matching attribute must be unique.", n, filter), entra.TipUnique)
			return false
		}
		break
	}
	if ur.matched != nil {
		id, _ := ur.matched["id"].(string)
		name, _ := getCI(ur.matched, "userName").(string)
		ur.rep.Target = &Identity{Type: "User", ID: id, Display: name}
		ur.known = append(ur.known, id)
	} else {
		s.Details.add("Result", "no user matched in the target")
	}
	ur.finish(ur.rep, s, StatusSuccess)
	if !ur.inScope {
		sc := ur.rep.Step(StepScoping)
		if ur.matched == nil {
			ur.skip(ur.rep, sc, entra.CodeSkipped, ur.why+" The user is out of scope and not in the target: nothing to do.", ur.scopeTips...)
			return false
		}
		sc.Reason = ur.why + " The user exists in the target, so it is disabled (IsSoftDeleted is true)."
		sc.Tips = append(sc.Tips, ur.scopeTips...)
		sc.Status = StatusWarning
	}
	return true
}

// summarize renders a target resource for View details, without schemas and meta.
func summarize(res map[string]any) string {
	c := make(map[string]any, len(res))
	for k, v := range res {
		if k == "schemas" || k == "meta" {
			continue
		}
		c[k] = v
	}
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Sprint(c)
	}
	return string(b)
}

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
