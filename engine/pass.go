package engine

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/report"
)

// pass is one object's way through the five steps: its report and what each step hands the next
// (the evaluated mappings, the scope decision, the resource matched in the target).
type pass struct {
	*run
	obj   object
	rep   *Report
	start time.Time
	// connTested is set for the members of a group run, whose connection the group tested.
	connTested bool
	// flow is the evaluated mappings; nulls names the mapped source attributes without a value.
	flow     []flowValue
	nulls    []string
	unmapped bool
	scope    scopeDecision
	matched  map[string]any
}

// step is one of the five on-demand steps, written once for users and groups. run is given the
// report's step of type typ to fill, and returns false when the run ends at the step.
type step struct {
	typ string
	run func(p *pass, ctx context.Context, s *Step) bool
}

// steps are the on-demand steps in order (provision-on-demand.md, "Understand the provisioning
// steps").
var steps = []step{
	{report.StepConnection, (*pass).testConnection},
	{report.StepImport, (*pass).importStep},
	{report.StepScoping, (*pass).scopeStep},
	{report.StepMatching, (*pass).matchStep},
	{report.StepExport, (*pass).exportStep},
}

// provision runs the five steps for obj and returns its report.
func (r *run) provision(ctx context.Context, obj object, connTested bool) *Report {
	p := &pass{run: r, obj: obj, start: time.Now(), connTested: connTested, rep: r.newReport(obj)}
	defer func() { p.rep.DurationMs = time.Since(p.start).Milliseconds() }()
	for _, st := range steps {
		if !st.run(p, ctx, p.step(st.typ)) {
			break
		}
	}
	return p.rep
}

// step returns the report's step of type typ.
func (p *pass) step(typ string) *Step { return p.rep.Step(typ) }

// value returns a mapping's evaluated value, nil when it has none.
func (p *pass) value(m *Mapping) any {
	for _, f := range p.flow {
		if f.m == m {
			return f.value
		}
	}
	return nil
}

// finish ends a step: it takes the step's exchanges from the client and notes a retried write
// that may already have been applied.
func (p *pass) finish(s *Step, status string) {
	s.Status = status
	s.Exchanges = append(s.Exchanges, p.t.TakeExchanges()...)
	for _, ex := range s.Exchanges {
		if ex.Retry == entra.RetryTimeout && ex.IsWrite() {
			// One warning per request, however many of its attempts timed out.
			w := fmt.Sprintf("%s %s was retried after a timed-out attempt that the target may already have applied: check the target for a duplicate or a double change.", ex.Method, ex.URL)
			if !slices.Contains(p.rep.Warnings, w) {
				p.rep.Warnings = append(p.rep.Warnings, w)
			}
		}
	}
}

// fail ends the run at step s with an error.
func (p *pass) fail(s *Step, code entra.Code, reason string, tips ...Tip) {
	s.ErrorCode, s.Reason = string(code), reason
	s.Tips = append(s.Tips, tips...)
	p.finish(s, report.StatusFailure)
	p.rep.Status, p.rep.Action, p.rep.FailedStep, p.rep.ErrorCode, p.rep.Reason = report.StatusFailure, report.ActionNone, s.Type, string(code), reason
}

// failRequest ends the run at step s with a failed request, read as Entra reads it; prefix says
// what was being done ("Failed to create User: ").
func (p *pass) failRequest(ctx context.Context, s *Step, err error, prefix string) {
	code, reason, tips := p.classify(ctx, err, s.Type)
	p.fail(s, code, prefix+reason, tips...)
}

// skip ends the run at step s without error (ImportSkipped, out of scope, RedundantExport).
func (p *pass) skip(s *Step, code entra.Code, reason string, tips ...Tip) {
	s.ErrorCode, s.Reason = string(code), reason
	s.Tips = append(s.Tips, tips...)
	p.finish(s, report.StatusSkipped)
	p.rep.Status, p.rep.Action, p.rep.FailedStep, p.rep.ErrorCode, p.rep.Reason = report.StatusSkipped, report.ActionSkip, s.Type, string(code), reason
}

// done ends step 5 with the action taken; a warning (a role left out, a read-back that found a
// difference) keeps the run a success.
func (p *pass) done(s *Step, action string, warn bool) {
	status := report.StatusSuccess
	if warn {
		status = report.StatusWarning
	}
	p.finish(s, status)
	p.rep.Action = action
}

// target records the resource the run matched or created in the target.
func (p *pass) target(id, name string, created bool) {
	ident := Identity{Type: p.obj.identity().Type, ID: id, Display: name}
	p.rep.Target = &ident
	p.known = append(p.known, id)
	if created {
		p.rep.Created = append(p.rep.Created, ident)
	}
}
