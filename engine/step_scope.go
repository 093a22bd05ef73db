package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/report"
)

// scopeDecision is what step 3 decides, handed on as a value: whether the object is in scope, why
// not (with the tips that explain it), the app roles its assignments give, and an invalid scoping
// filter, which fails step 3.
type scopeDecision struct {
	in    bool
	why   string
	tips  []Tip
	roles []string
	err   *scopeError
}

// decideScope decides whether the object is in scope: active in the source (users), assigned
// directly or, for a user, through a group it is a direct member of, with an assignment old enough
// to be honoured (or scope "all"), holding a required role (users), and passing at least one
// scoping filter (clauses AND-ed, filters OR-ed). It writes step 3's View details: "Active in source
// system", "Assigned to application" or "Scope sync all", "User has required role", and each
// clause as "{filter} {attribute} {operator} {value}" (provision-on-demand.md, Step 3).
func (p *pass) decideScope() scopeDecision {
	s := p.step(report.StepScoping)
	job, noun := p.cfg.Job, p.obj.kind().noun
	d := scopeDecision{in: true}
	out := func(why string, tips ...Tip) {
		if d.in {
			d.in, d.why = false, why
			d.tips = append(d.tips, tips...)
		}
	}
	if active, applies := p.obj.accountActive(); applies {
		s.Details.Add("Active in source system", strconv.FormatBool(active))
		if !active {
			out(fmt.Sprintf("The %s is not active in the source system.", noun), entra.TipNotActive)
		}
	}
	var eligible []Assignment
	pending := false
	now := p.o.now()
	for _, a := range p.obj.assignments(p.src) {
		if !a.AssignedAt.IsZero() && now.Sub(a.AssignedAt) < job.ReplicationDelay {
			pending = true
			continue
		}
		eligible = append(eligible, a)
	}
	for _, a := range eligible {
		d.roles = append(d.roles, a.role())
	}
	if job.Scope == ScopeAll {
		s.Details.Add("Scope sync all", "true")
	} else {
		assigned := len(eligible) > 0
		s.Details.Add("Assigned to application", strconv.FormatBool(assigned))
		if !assigned && d.in {
			if pending {
				out(fmt.Sprintf("The %s is not assigned to the application yet: its assignment is younger than the replication delay (job.replicationDelay %s).", noun, job.ReplicationDelay), entra.TipReplication)
			} else if p.src.nestedUnderAssigned(p.obj.identity().ID) {
				out(fmt.Sprintf("The %s is not assigned to the application: it is a member of an assigned group only through a nested group.", noun), entra.TipNotAssigned, entra.TipNestedGroups)
			} else {
				out(fmt.Sprintf("The %s is not assigned to the application.", noun), entra.TipNotAssigned)
			}
		}
		if len(job.RequiredRoles) > 0 && p.obj.kind().rolesApply {
			hasRole := false
			for _, a := range eligible {
				for _, want := range job.RequiredRoles {
					if strings.EqualFold(a.role(), want) {
						hasRole = true
					}
				}
			}
			s.Details.Add("User has required role", strconv.FormatBool(hasRole))
			if !hasRole {
				out(fmt.Sprintf("The %s does not have a required role (%s); its roles: %s.", noun, strings.Join(job.RequiredRoles, ", "), orNone(d.roles)), entra.TipRequiredRole, entra.TipDefaultRole)
			}
		}
	}
	filters := p.obj.mapping(p.cfg).ScopingFilters
	if len(filters) == 0 {
		return d
	}
	anyPassed := false
	for _, f := range filters {
		passed := true
		for _, c := range f.Clauses {
			ok, err := c.eval(f.Name, p.obj.attributes())
			if err != nil {
				var se *scopeError
				if errors.As(err, &se) {
					d.err = se
				}
				return d
			}
			s.Details.Add(c.label(f.Name), strconv.FormatBool(ok))
			passed = passed && ok
		}
		anyPassed = anyPassed || passed
	}
	if !anyPassed {
		names := make([]string, 0, len(filters))
		for _, f := range filters {
			names = append(names, strconv.Quote(f.Name))
		}
		out(fmt.Sprintf("No scoping filter passed (%s).", strings.Join(names, ", ")), entra.TipFilterFalse)
	}
	return d
}

// scopeStep is step 3. An invalid filter fails; an object out of scope goes on to matching, which
// decides between deprovisioning it (present in the target) and skipping it.
func (p *pass) scopeStep(_ context.Context, s *Step) bool {
	if se := p.scope.err; se != nil {
		s.Details.Add(se.label, "invalid")
		p.fail(s, entra.CodeInvalidScopingFilter, se.Error(), entra.TipScopingRule)
		return false
	}
	if p.scope.in {
		p.finish(s, report.StatusSuccess)
	}
	return true
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}
