package harness

import (
	"fmt"
	"strings"

	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/scenarios"
)

// Result is one scenario's run.
type Result struct {
	Scenario scenarios.Scenario
	Report   *engine.Report
	Outcome  scenarios.Outcome
	// Mismatches are the ways the run differs from the expectation; none means it met it.
	Mismatches []string
	// Err is a run that could not happen: the target could not be prepared or the engine
	// refused its input.
	Err error
	// Cleanup is the failure to delete what the scenario created on an external endpoint; it
	// names every resource left behind.
	Cleanup error
	// Cycles are how the job stood after each cycle of a cycle scenario (cycles.go).
	Cycles []scenarios.CycleOutcome
}

// Passed reports whether the run met the scenario's expectation and left nothing behind.
func (r *Result) Passed() bool { return r.met() && r.Cleanup == nil }

// met reports whether the run met the scenario's expectation.
func (r *Result) met() bool { return r.Err == nil && len(r.Mismatches) == 0 }

// Failure is the message of a run that did not meet its expectation: it names the scenario, the
// step expected to end the run and the step that did, then every other difference.
func (r *Result) Failure() string {
	if r.Passed() {
		return ""
	}
	if r.Scenario.IsCycles() && r.Cleanup == nil {
		return r.cycleFailure()
	}
	s := r.Scenario
	var b strings.Builder
	fmt.Fprintf(&b, "scenario %s (%s): ", s.ID, s.Title)
	switch {
	case r.met():
		b.WriteString("met its expectation")
	case r.Err != nil:
		fmt.Fprintf(&b, "could not run: %v", r.Err)
	default:
		fmt.Fprintf(&b, "expected step %s, actual step %s", stepOrNone(s.Expect.FailedStep), describeEnd(r.Outcome))
		for _, m := range r.Mismatches {
			if strings.HasPrefix(m, "expected failing step") {
				continue // the first line says it
			}
			b.WriteString("\n  - " + m)
		}
		fmt.Fprintf(&b, "\n  (%s, %s)", s.File, s.Doc)
	}
	if r.Cleanup != nil {
		fmt.Fprintf(&b, "\n  left resources behind on the target: %v", r.Cleanup)
	}
	return b.String()
}

// StepFailure is the message for the It of one step, "" when that step is not where the run went
// wrong. A wrong ending is reported at the earlier of the expected and the actual step, so that the
// Ordered container stops there and the later steps are skipped; the other mismatches (error code,
// tip) are reported at the expected step. Resources left behind are no step's fault: the last It
// reports them (Failure).
func (r *Result) StepFailure(stepType string) string {
	if r.met() {
		return ""
	}
	if r.Err != nil {
		return r.Failure()
	}
	want, got := r.Scenario.Expect.FailedStep, r.Outcome.ActualStep()
	if want != got {
		first := earliest(want, got)
		if first == stepType {
			return r.Failure()
		}
		return ""
	}
	if want == stepType {
		return r.Failure()
	}
	return ""
}

// earliest returns the step of the two that comes first; "" (the run completed) comes last.
func earliest(a, b string) string {
	ia, ib := scenarios.StepIndex(a), scenarios.StepIndex(b)
	switch {
	case ia < 0:
		return b
	case ib < 0:
		return a
	case ia <= ib:
		return a
	default:
		return b
	}
}

func stepOrNone(s string) string {
	if s == "" {
		return "none (the run completes)"
	}
	return s
}

func describeEnd(o scenarios.Outcome) string {
	step := o.ActualStep()
	if step == "" {
		return fmt.Sprintf("none (status %s, action %s)", o.Status, o.Action)
	}
	s := step
	if code := o.ActualErrorCode(); code != "" {
		s += " with " + code
	}
	if o.Reason != "" {
		s += ": " + o.Reason
	}
	return s
}
