package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/scimsim/scimsim/harness"
	"github.com/scimsim/scimsim/scenarios"
)

// showcased names, per step, the scenario whose report `scimsim demo` shows for it: the case that
// teaches the most about how that step goes wrong, in the order of the document.
var showcased = map[string]string{
	// The first tip of step 1: a wrong secret token, the most common first failure.
	"connection": "connection-invalid-token",
	// The user has no value for a matching attribute: skipped before scoping, with Entra's code.
	"import": "import-matching-attribute-missing",
	// Not assigned to the app: out of scope, and the tips say where to assign.
	"scoping": "scope-not-assigned",
	// Two target users answer the matching query: DuplicateTargetEntries.
	"matching": "match-duplicate-target-entries",
	// A strict RFC server refuses Entra's string boolean: the disable every SCIM app should test.
	"export": "dialect-entra-strict-target",
}

// showcase picks the results demo shows, one per step in the document's order: the showcased
// scenario when it ran, else the first scenario expected to end at that step. A catalog of one's
// own (--scenarios) has no showcased ids, and gets the first case of each step.
func showcase(results []harness.Result) []int {
	var out []int
	for _, step := range scenarios.Steps {
		pick := slices.IndexFunc(results, func(r harness.Result) bool { return r.Scenario.ID == showcased[step.Type] })
		if pick < 0 {
			pick = slices.IndexFunc(results, func(r harness.Result) bool { return r.Scenario.Expect.FailedStep == step.Type })
		}
		if pick >= 0 {
			out = append(out, pick)
		}
	}
	return out
}

// writeBriefSummary is the end of `scimsim demo`: how many scenarios end at each step and carry
// each label and how many of them ran as documented, every scenario that did not, and how to see
// more.
func writeBriefSummary(w io.Writer, p *painter, results []harness.Result) error {
	type tally struct{ total, ok, fail, pending int }
	add := func(t *tally, r *harness.Result) {
		t.total++
		switch {
		case r.Scenario.Pending != "":
			t.pending++
		case r.Passed():
			t.ok++
		default:
			t.fail++
		}
	}
	var all tally
	byStep := make([]tally, len(scenarios.Steps)+1) // the last: runs that complete
	byLabel := map[string]*tally{}
	var missed []*harness.Result
	for i := range results {
		r := &results[i]
		add(&all, r)
		at := scenarios.StepIndex(r.Scenario.Expect.FailedStep)
		if at < 0 {
			at = len(scenarios.Steps)
		}
		add(&byStep[at], r)
		for _, l := range r.Scenario.Labels {
			if byLabel[l] == nil {
				byLabel[l] = &tally{}
			}
			add(byLabel[l], r)
		}
		if !r.Passed() && r.Scenario.Pending == "" {
			missed = append(missed, r)
		}
	}
	fmt.Fprintf(w, "%s: %d as documented, %d not", p.paint(bold, "━━ "+count(all.total, "scenario")), all.ok, all.fail)
	if all.pending > 0 {
		fmt.Fprintf(w, ", %d pending", all.pending)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w)
	labels := make([]string, 0, len(byLabel))
	for l := range byLabel {
		labels = append(labels, l)
	}
	slices.Sort(labels)
	names := []string{"EXPECTED TO END AT", "none: the run completes"}
	for i, st := range scenarios.Steps {
		names = append(names, fmt.Sprintf("%d. %s", i+1, st.Name))
	}
	first := 0
	for _, n := range append(names, labels...) {
		first = max(first, len(n))
	}
	head := func(name string) {
		fmt.Fprintf(w, "%-*s  SCENARIOS   OK  FAIL  PENDING\n", first, name)
	}
	row := func(name string, t tally) {
		fmt.Fprintf(w, "%-*s  %9d  %3d  %4d  %7d\n", first, name, t.total, t.ok, t.fail, t.pending)
	}
	head("EXPECTED TO END AT")
	for i, st := range scenarios.Steps {
		row(fmt.Sprintf("%d. %s", i+1, st.Name), byStep[i])
	}
	row("none: the run completes", byStep[len(scenarios.Steps)])
	fmt.Fprintln(w)
	head("LABEL")
	for _, l := range labels {
		row(l, *byLabel[l])
	}
	if len(missed) > 0 {
		fmt.Fprintf(w, "\n%s\n", p.paint(red, "Not as documented (scimsim scenarios run ID shows the report):"))
		for _, r := range missed {
			for _, line := range strings.Split(r.Failure(), "\n") {
				fmt.Fprintf(w, "  %s\n", p.paint(red, line))
			}
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Every report and the whole table: scimsim demo --all")
	fmt.Fprintln(w, "One scenario: scimsim scenarios run ID (scimsim scenarios list shows the ids)")
	_, err := fmt.Fprintln(w, "The same on a web page, laid out like the portal's: scimsim ui, then open http://127.0.0.1:8090/scenarios")
	return err
}
