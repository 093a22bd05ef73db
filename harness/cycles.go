package harness

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/job"
	"github.com/scimsim/scimsim/scenarios"
)

// CycleTarget is a Target that runs cycle scenarios (the simulator): it changes a scenario's
// faults between cycles, and gives the endpoint of a scenario it prepared without resetting it.
type CycleTarget interface {
	Target
	SetFaults(ctx context.Context, sc *scenarios.Scenario, list []scenarios.Fault) error
	Endpoint(sc *scenarios.Scenario) Endpoint
}

// Endpoint returns the endpoint of the scenario's tenant as Prepare left it.
func (s *Simulator) Endpoint(sc *scenarios.Scenario) Endpoint {
	return Endpoint{URL: s.root + s.srv.Tenant(sc.ID).SCIMPath(), Root: s.root, Token: sc.Target.TokenOrDefault()}
}

// SetFaults makes list the faults of the scenario's tenant, faults matched by name: one that stays
// keeps its counters (a fault with after or count goes on counting across cycles).
func (s *Simulator) SetFaults(_ context.Context, sc *scenarios.Scenario, list []scenarios.Fault) error {
	set := s.srv.Tenant(sc.ID).Faults()
	want := map[string]bool{}
	for _, f := range list {
		want[f.Name] = true
	}
	for _, f := range set.List() {
		if !want[f.Name] {
			set.Delete(f.Name)
		}
	}
	for i, f := range list {
		if _, ok := set.Get(f.Name); ok {
			continue
		}
		if _, err := set.Add(FaultSpec(f)); err != nil {
			return fmt.Errorf("%s: target.faults[%d]: %w", sc.File, i, err)
		}
	}
	return nil
}

// activeFaults are the scenario's faults active in cycle n.
func activeFaults(sc *scenarios.Scenario, n int) []scenarios.Fault {
	var out []scenarios.Fault
	for _, f := range sc.Target.Faults {
		if f.ActiveIn(n) {
			out = append(out, f)
		}
	}
	return out
}

// CycleChanges reads the changes of a cycle scenario's cycles, checked against src: the changes
// file the job applies between them.
func CycleChanges(sc *scenarios.Scenario, src *engine.Source) (*engine.Changes, error) {
	ch := &engine.Changes{}
	for i, c := range sc.Cycles {
		if !c.Changes.Set() {
			continue
		}
		cs, err := engine.DecodeChangeSet(sc.File, c.Changes.Node, i+1)
		if err != nil {
			return nil, err
		}
		ch.Sets = append(ch.Sets, cs)
	}
	if err := ch.Check(src); err != nil {
		return nil, err
	}
	return ch, nil
}

// runCycles runs a cycle scenario: the on-demand run of its subject first when it names one (with
// the faults active in cycle 1), then the job, one cycle at a time, each with its faults, checking
// the job's status after each. A scenario's job provisions one object at a time, so that faults
// with after, count or probability replay exactly.
func runCycles(ctx context.Context, target Target, c Case, o Options) Result {
	sc := c.Scenario
	// Every fault gets a name, by which SetFaults knows it from one cycle to the next.
	sc.Target.Faults = slices.Clone(sc.Target.Faults)
	for i := range sc.Target.Faults {
		if sc.Target.Faults[i].Name == "" {
			sc.Target.Faults[i].Name = fmt.Sprintf("fault-%d", i)
		}
	}
	first := sc
	first.Target.Faults = activeFaults(&sc, 1)
	first.Cycles = nil
	res := Result{Scenario: sc}
	fs, ok := target.(CycleTarget)
	if !ok {
		res.Err = errors.New("cycles: only the simulator runs cycle scenarios (their faults change between cycles)")
		return res
	}
	if sc.HasOnDemand() {
		res = Run(ctx, target, Case{Scenario: first, Source: c.Source, Config: c.Config}, o)
		res.Scenario = sc
		if res.Err != nil {
			return res
		}
	} else if _, err := target.Prepare(ctx, &first); err != nil {
		res.Err = err
		return res
	}
	ep := fs.Endpoint(&sc)
	changes, err := CycleChanges(&sc, c.Source)
	if err != nil {
		res.Err = err
		return res
	}
	url, token := ep.credentials(&sc)
	hc := o.client()
	j, err := job.New(c.Source, c.Config, job.Options{Target: url, Token: token, HTTPClient: hc, Start: sc.Clock(),
		Concurrency: 1, Changes: changes, Seed: seedOf(sc.ID)})
	if err != nil {
		res.Err = fmt.Errorf("job: %w", err)
		return res
	}
	if _, err := j.Start(ctx); err != nil {
		res.Err = fmt.Errorf("job: %w", err)
		return res
	}
	for i, cy := range sc.Cycles {
		n := i + 1
		if err := fs.SetFaults(ctx, &sc, activeFaults(&sc, n)); err != nil {
			res.Err = err
			return res
		}
		if err := j.Run(ctx, job.Limit{Cycles: n}, nil); err != nil {
			res.Err = fmt.Errorf("job: cycle %d: %w", n, err)
			return res
		}
		cycles := j.Cycles()
		if len(cycles) < n {
			res.Mismatches = append(res.Mismatches, fmt.Sprintf("cycle %d: the job did not run it: it stopped %s", n, job.StatusLine(j.Status(), cycles)))
			break
		}
		out := cycleOutcome(cycles[n-1], j.Status())
		res.Cycles = append(res.Cycles, out)
		for _, m := range cy.Expect.Check(out) {
			res.Mismatches = append(res.Mismatches, fmt.Sprintf("cycle %d: %s", n, m))
		}
	}
	return res
}

// cycleOutcome is the cycle's summary and the job's status after it.
func cycleOutcome(c job.CycleSummary, st job.Status) scenarios.CycleOutcome {
	o := scenarios.CycleOutcome{Cycle: c, EscrowsPruned: st.EscrowsPruned}
	if st.Quarantine != nil {
		o.SeriesCount = int(st.Quarantine.SeriesCount)
	}
	return o
}

// cycleRow summarises a cycle scenario: the status the last cycle expects and the one it got.
func (r *Result) cycleRow() Row {
	s := r.Scenario
	last := s.Cycles[len(s.Cycles)-1].Expect
	row := Row{Scenario: s.ID, Expected: statusOf(last.Status, last.Reason), Passed: r.Passed(), Pending: s.Pending != "", ErrorCode: "-"}
	switch {
	case r.Err != nil:
		row.Actual = "error"
	case len(r.Cycles) == 0:
		row.Actual = "no cycle"
	default:
		o := r.Cycles[len(r.Cycles)-1]
		row.Actual = statusOf(o.Code, o.Reason)
		for code := range o.Codes {
			if row.ErrorCode == "-" || code < row.ErrorCode {
				row.ErrorCode = code
			}
		}
	}
	return row
}

func statusOf(code, reason string) string {
	if reason == "" {
		return "job " + code
	}
	return "job " + code + " (" + reason + ")"
}

// cycleFailure is the message of a cycle scenario that did not meet its expectation.
func (r *Result) cycleFailure() string {
	s := r.Scenario
	var b strings.Builder
	fmt.Fprintf(&b, "scenario %s (%s): ", s.ID, s.Title)
	if r.Err != nil {
		fmt.Fprintf(&b, "could not run: %v", r.Err)
	} else {
		b.WriteString("the job did not go as the document says")
		for _, m := range r.Mismatches {
			b.WriteString("\n  - " + m)
		}
		fmt.Fprintf(&b, "\n  (%s, %s)", s.File, s.Doc)
	}
	return b.String()
}
