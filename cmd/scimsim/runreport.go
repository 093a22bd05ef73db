package main

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/reporters"

	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/harness"
	"github.com/scimsim/scimsim/scenarios"
)

// writeRunReports writes the report files `scenarios run` was asked for.
func writeRunReports(out runOutputs, results []harness.Result, started time.Time) error {
	if out.junit != "" {
		if err := writeFile(out.junit, "--junit", func() ([]byte, error) {
			b, err := xml.MarshalIndent(junitReport(results, started), "", "  ")
			return append([]byte(xml.Header), append(b, '\n')...), err
		}); err != nil {
			return err
		}
	}
	if out.json != "" {
		return writeFile(out.json, "--json", func() ([]byte, error) {
			b, err := json.MarshalIndent(jsonReport(results, out), "", "  ")
			return append(b, '\n'), err
		})
	}
	return nil
}

func writeFile(path, flag string, encode func() ([]byte, error)) error {
	b, err := encode()
	if err != nil {
		return fmt.Errorf("%s %s: %w", flag, path, err)
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return usageError("%s %s: %v", flag, path, err)
		}
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return usageError("%s %s: %v", flag, path, err)
	}
	return nil
}

// junitReport is the run in JUnit XML (the schema Ginkgo's reporters write and CI systems read): one
// testsuite per scenario, named by its id, and in it one testcase per step of the document, in order,
// then one for the outcome, each with the scenario id as classname so that a CI page groups them by
// scenario. A step is failed where the run went wrong (harness.Result.StepFailure: the earlier of
// the expected and the actual end), with the expected and the actual end and error code in the
// failure's message; the testcases after a failed one are skipped, as in the Ginkgo suite's Ordered
// containers. A pending scenario's testcases are skipped with its reason. A step's "View details",
// tips and HTTP exchanges are the testcase's system-out.
func junitReport(results []harness.Result, started time.Time) reporters.JUnitTestSuites {
	all := reporters.JUnitTestSuites{}
	for i := range results {
		suite := junitSuite(&results[i], started)
		all.TestSuites = append(all.TestSuites, suite)
		all.Tests += suite.Tests
		all.Failures += suite.Failures
		all.Errors += suite.Errors
		all.Disabled += suite.Disabled + suite.Skipped
		all.Time += suite.Time
	}
	return all
}

func junitSuite(r *harness.Result, started time.Time) reporters.JUnitTestSuite {
	s := r.Scenario
	suite := reporters.JUnitTestSuite{
		Name:      s.ID,
		Package:   s.File,
		Timestamp: started.UTC().Format(time.RFC3339),
		Properties: reporters.JUnitProperties{Properties: []reporters.JUnitProperty{
			{Name: "title", Value: s.Title},
			{Name: "doc", Value: s.Doc},
			{Name: "labels", Value: strings.Join(s.Labels, ",")},
			{Name: "expected", Value: expectedEnd(s.Expect)},
		}},
	}
	if r.Report != nil {
		suite.Time = float64(r.Report.DurationMs) / 1000
		suite.Properties.Properties = append(suite.Properties.Properties, reporters.JUnitProperty{Name: "actual", Value: actualEnd(r.Outcome)})
	}
	names := make([]string, 0, len(scenarios.Steps)+1)
	for i, step := range scenarios.Steps {
		names = append(names, fmt.Sprintf("%d. %s", i+1, step.Name))
	}
	names = append(names, "ends as the document says: "+s.Title)
	failedAt := -1 // the testcase that failed; the ones after it are skipped
	for i, name := range names {
		tc := reporters.JUnitTestCase{Name: name, Classname: s.ID, Status: "passed"}
		stepType := ""
		if i < len(scenarios.Steps) {
			stepType = scenarios.Steps[i].Type
			if r.Report != nil {
				if st := r.Report.Step(stepType); st != nil {
					tc.SystemOut = st.Lines()
				}
			}
		}
		switch {
		case s.Pending != "":
			// Counted as skipped, the attribute CI systems read (Ginkgo's own report says disabled).
			tc.Status, tc.Skipped = "pending", &reporters.JUnitSkipped{Message: "pending: " + s.Pending}
			suite.Skipped++
		case failedAt >= 0:
			tc.Status, tc.Skipped = "skipped", &reporters.JUnitSkipped{Message: "skipped: " + names[failedAt] + " failed"}
			suite.Skipped++
		case r.Err != nil:
			tc.Status, tc.Error = "errored", &reporters.JUnitError{Message: "could not run: " + r.Err.Error(), Type: "error", Description: r.Failure()}
			suite.Errors++
			failedAt = i
		default:
			msg := r.Failure()
			if stepType != "" {
				msg = r.StepFailure(stepType)
			}
			if msg == "" {
				break
			}
			tc.Status, tc.Failure = "failed", &reporters.JUnitFailure{Message: failureHeadline(r), Type: "failed", Description: msg}
			suite.Failures++
			failedAt = i
		}
		suite.Tests++
		suite.TestCases = append(suite.TestCases, tc)
	}
	return suite
}

// failureHeadline is a failed testcase's message: the expected and the actual end of the run, each
// with its step and error code; when the two agree, the first other difference.
func failureHeadline(r *harness.Result) string {
	want, got := expectedEnd(r.Scenario.Expect), actualEnd(r.Outcome)
	msg := "expected " + want + "; actual " + got
	switch {
	case want != got:
	case len(r.Mismatches) > 0:
		msg += "; " + r.Mismatches[0]
	case r.Cleanup != nil:
		msg += "; left resources behind on the target"
	}
	return msg
}

// actualEnd says how a run ended, in the words of expectedEnd.
func actualEnd(o scenarios.Outcome) string {
	step, code := o.ActualStep(), o.ActualErrorCode()
	switch {
	case step != "" && code != "":
		return step + " " + o.Status + " (" + code + ")"
	case step != "":
		return step + " " + o.Status
	default:
		return o.Status + ", action " + o.Action
	}
}

// runJSON is `scenarios run --json`: the run, and per scenario the expectation, the outcome, every
// difference and the engine's whole report (shaped like Entra's provisioning log entry).
type runJSON struct {
	Target    string         `json:"target"` // "simulator", or the endpoint's SCIM base URL
	Passed    int            `json:"passed"`
	Failed    int            `json:"failed"`
	Pending   int            `json:"pending"`
	Scenarios []scenarioJSON `json:"scenarios"`
}

type scenarioJSON struct {
	ID         string         `json:"id"`
	Title      string         `json:"title"`
	File       string         `json:"file"`
	Doc        string         `json:"doc"`
	Labels     []string       `json:"labels"`
	Pending    string         `json:"pending,omitempty"`
	Passed     bool           `json:"passed"`
	Expected   endJSON        `json:"expected"`
	Actual     *endJSON       `json:"actual,omitempty"` // nil when the scenario could not run
	Mismatches []string       `json:"mismatches,omitempty"`
	Error      string         `json:"error,omitempty"`
	Cleanup    string         `json:"cleanup,omitempty"`
	Report     *engine.Report `json:"report,omitempty"`
}

// endJSON is how a run ends: the status, the step that ended it and its error code, the action.
type endJSON struct {
	Status     string `json:"status"`
	FailedStep string `json:"failedStep,omitempty"`
	ErrorCode  string `json:"errorCode,omitempty"`
	Action     string `json:"action,omitempty"`
}

func jsonReport(results []harness.Result, out runOutputs) runJSON {
	rep := runJSON{Target: "simulator", Scenarios: []scenarioJSON{}}
	if out.external != nil {
		rep.Target = out.external.URL
	}
	for _, r := range results {
		s := r.Scenario
		e := s.Expect
		sj := scenarioJSON{
			ID: s.ID, Title: s.Title, File: s.File, Doc: s.Doc, Labels: s.Labels, Pending: s.Pending,
			Passed:     r.Passed(),
			Expected:   endJSON{Status: e.Status, FailedStep: e.FailedStep, ErrorCode: e.ErrorCode, Action: e.Action},
			Mismatches: r.Mismatches,
			Report:     r.Report,
		}
		if r.Err != nil {
			sj.Error = r.Err.Error()
		} else {
			o := r.Outcome
			sj.Actual = &endJSON{Status: o.Status, FailedStep: o.ActualStep(), ErrorCode: o.ActualErrorCode(), Action: o.Action}
		}
		if r.Cleanup != nil {
			sj.Cleanup = r.Cleanup.Error()
		}
		switch {
		case s.Pending != "":
			rep.Pending++
		case r.Passed():
			rep.Passed++
		default:
			rep.Failed++
		}
		rep.Scenarios = append(rep.Scenarios, sj)
	}
	return rep
}
