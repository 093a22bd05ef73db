package harness

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/scimsim/scimsim/report"
	"github.com/scimsim/scimsim/scenarios"
)

// Row is one line of the summary table.
type Row struct {
	Scenario  string `json:"scenario"`
	Expected  string `json:"expected"`
	Actual    string `json:"actual"`
	ErrorCode string `json:"errorCode"`
	Passed    bool   `json:"passed"`
	// Pending marks a scenario that cannot pass yet (scenarios.Scenario.Pending): it counts as
	// neither passed nor failed.
	Pending bool `json:"pending,omitempty"`
}

// Row summarises the result. The expected and actual steps read "none" when the run completes,
// followed by the action taken.
func (r *Result) Row() Row {
	if r.Scenario.IsCycles() {
		return r.cycleRow()
	}
	e := r.Scenario.Expect
	row := Row{Scenario: r.Scenario.ID, Expected: endOf(e.FailedStep, e.Action), Passed: r.Passed(), Pending: r.Scenario.Pending != ""}
	switch {
	case r.Err != nil:
		row.Actual = "error"
		row.ErrorCode = "-"
	default:
		row.Actual = endOf(r.Outcome.ActualStep(), r.Outcome.Action)
		row.ErrorCode = cmp.Or(r.Outcome.ActualErrorCode(), "-")
	}
	return row
}

func endOf(step, action string) string {
	if step != "" {
		return step
	}
	if action != "" {
		return "none (" + action + ")"
	}
	return "none"
}

// PendingRow is the summary row of a pending scenario that was not run.
func PendingRow(s *scenarios.Scenario) Row {
	return Row{Scenario: s.ID, Expected: endOf(s.Expect.FailedStep, s.Expect.Action), Actual: "-", ErrorCode: "-", Pending: true}
}

// WriteSummary writes the summary table: one row per scenario, its expected and actual ending step
// and error code, then a closing line "N passed, M failed" (", K skipped" when some are pending).
func WriteSummary(w io.Writer, rows []Row, color bool) error {
	rows = slices.Clone(rows)
	slices.SortStableFunc(rows, func(a, b Row) int { return strings.Compare(a.Scenario, b.Scenario) })
	t := report.Table{Head: []string{"SCENARIO", "EXPECTED STEP", "ACTUAL STEP", "ERROR CODE", "RESULT"}}
	if color {
		t.Paint = func(r []string) string {
			switch r[4] {
			case "ok":
				return "32"
			case "pending":
				return "33"
			}
			return "31"
		}
	}
	passed, pending := 0, 0
	for _, r := range rows {
		result := "FAIL"
		switch {
		case r.Pending:
			result = "pending"
			pending++
		case r.Passed:
			result = "ok"
			passed++
		}
		t.Add(r.Scenario, r.Expected, r.Actual, r.ErrorCode, result)
	}
	var b strings.Builder
	if err := t.Write(&b); err != nil {
		return err
	}
	fmt.Fprintf(&b, "%d passed, %d failed", passed, len(rows)-passed-pending)
	if pending > 0 {
		fmt.Fprintf(&b, ", %d skipped", pending)
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}
