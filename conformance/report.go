package conformance

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/scimsim/scimsim/report"
)

// Report is a whole conformance run as the command writes it in JSON: the checks, the catalog's
// conformance scenarios run against the same endpoint, and the counts.
type Report struct {
	Target    string           `json:"target"`
	RunID     string           `json:"runId"`
	DryRun    bool             `json:"dryRun,omitempty"`
	Checks    []CheckReport    `json:"checks"`
	Scenarios []ScenarioReport `json:"scenarios"`
	Summary   Summary          `json:"summary"`
	// Cleanup names what the run could not delete; empty when it deleted everything it created.
	Cleanup string `json:"cleanup,omitempty"`
}

// CheckReport is one check's outcome.
type CheckReport struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Impact      Impact `json:"impact"`
	Status      Status `json:"status"`
	Requirement string `json:"requirement"`
	// Answered is what the endpoint did (a failure), or why the check was not performed (a skip).
	Answered string `json:"answered"`
	// EntraWould is what Entra does when the check fails.
	EntraWould string `json:"entraWould"`
	// ToPass is the remedy, and the other dialect when its check for the same change passed.
	ToPass string `json:"toPass"`
	// Note is what the check did differently from Entra to get what it needs.
	Note string `json:"note,omitempty"`
	// Curl are the check's requests as curl commands (the token read from $TOKEN).
	Curl []string `json:"curl"`
}

// ScenarioReport is one conformance scenario of the catalog run against the endpoint.
type ScenarioReport struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Status    Status `json:"status"`
	Expected  string `json:"expected"`
	Actual    string `json:"actual"`
	ErrorCode string `json:"errorCode"`
	// Failure says how the run differed from the expectation, or what it left behind.
	Failure string `json:"failure,omitempty"`
}

// Line is the scenario's progress line, as a run prints one per scenario when it ends: status, id and
// the step it ended at.
func (s ScenarioReport) Line() string {
	return fmt.Sprintf("%-4s %-45s %s\n", strings.ToUpper(string(s.Status)), s.ID, s.Actual)
}

// Summary counts the outcomes.
type Summary struct {
	Checks  int `json:"checks"`
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
	// Impacts counts the checks of each impact and their outcomes.
	Impacts map[Impact]Counts `json:"impacts"`
	// Scenarios counts the scenarios.
	Scenarios Counts `json:"scenarios"`
	// EntraWorks is true when no check that breaks Entra failed: the exit status is 0.
	EntraWorks bool `json:"entraWorks"`
	// BreaksEntra are the failed checks that break Entra.
	BreaksEntra []string `json:"breaksEntra"`
}

// Counts are the outcomes of a set of checks or scenarios.
type Counts struct {
	Total   int `json:"total"`
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
}

func (c *Counts) add(s Status) {
	c.Total++
	switch s {
	case StatusPass:
		c.Passed++
	case StatusFail:
		c.Failed++
	case StatusSkip:
		c.Skipped++
	}
}

// NewReport assembles the report of a run.
func NewReport(target, runID string, dryRun bool, results []Result, scenarios []ScenarioReport) *Report {
	r := &Report{Target: target, RunID: runID, DryRun: dryRun, Checks: make([]CheckReport, 0, len(results)),
		Scenarios: scenarios, Summary: Summary{Impacts: map[Impact]Counts{}, BreaksEntra: BreaksEntra(results)}}
	if r.Scenarios == nil {
		r.Scenarios = []ScenarioReport{}
	}
	if r.Summary.BreaksEntra == nil {
		r.Summary.BreaksEntra = []string{}
	}
	for _, imp := range Impacts() {
		r.Summary.Impacts[imp] = Counts{}
	}
	for _, res := range results {
		c := CheckReport{ID: res.Check.ID, Title: res.Check.Title, Impact: res.Check.Impact, Status: res.Status,
			Requirement: res.Check.Requirement, Note: res.Note, Curl: make([]string, 0, len(res.Exchanges))}
		for _, ex := range res.Exchanges {
			c.Curl = append(c.Curl, ex.Curl())
		}
		switch res.Status {
		case StatusFail:
			c.Answered, c.EntraWould, c.ToPass = res.Failure.Got, res.Failure.Consequence, res.Failure.Remedy
			if res.Failure.Alternative != "" {
				c.ToPass += " Or: " + res.Failure.Alternative
			}
		case StatusSkip:
			c.Answered = "not checked: " + res.Reason
		}
		r.Checks = append(r.Checks, c)
		counts := r.Summary.Impacts[res.Check.Impact]
		counts.add(res.Status)
		r.Summary.Impacts[res.Check.Impact] = counts
	}
	var all Counts
	for _, c := range r.Checks {
		all.add(c.Status)
	}
	r.Summary.Checks, r.Summary.Passed, r.Summary.Failed, r.Summary.Skipped = all.Total, all.Passed, all.Failed, all.Skipped
	for _, s := range r.Scenarios {
		r.Summary.Scenarios.add(s.Status)
	}
	r.Summary.EntraWorks = len(r.Summary.BreaksEntra) == 0
	return r
}

// WriteReport writes the results of a run for a person: every failure with what the endpoint did,
// what Entra would do, what would make it pass and curl commands that reproduce it; every skip with
// its reason; then a summary table (check, impact, result, what Entra would do) and the counts of
// each impact.
func WriteReport(w io.Writer, results []Result) error {
	bw := bufio.NewWriter(w)
	dry := len(results) > 0
	requests := 0
	for _, r := range results {
		requests += len(r.Exchanges)
		if r.Status != StatusSkip || r.Reason != DryRunReason {
			dry = false
		}
	}
	if dry {
		fmt.Fprintf(bw, "dry run: %d checks would send %d requests; none was sent\n", len(results), requests)
		return bw.Flush()
	}
	for _, r := range results {
		switch r.Status {
		case StatusFail:
			writeFailure(bw, r)
		case StatusSkip:
			fmt.Fprintf(bw, "SKIP %s: %s\n", r.Check.ID, r.Reason)
		}
	}
	for _, r := range results {
		if r.Note != "" {
			fmt.Fprintf(bw, "NOTE %s: %s\n", r.Check.ID, r.Note)
		}
	}
	if err := WriteSummary(bw, SummaryRows(results)); err != nil {
		return err
	}
	return bw.Flush()
}

// ReportEntryName names the Ginkgo report entry that carries the summary rows ([]Row) of the
// Describe container, attached once after its last check; its JSON form crosses `ginkgo -p`
// processes, so a ReportAfterSuite can decode it and call WriteSummary.
const ReportEntryName = "scimsim.conformance"

// Row is one line of the summary table.
type Row struct {
	Check  string `json:"check"`
	Impact Impact `json:"impact"`
	Status Status `json:"status"`
	// Entra is what Entra would do (failures) or why the check was not performed (skips).
	Entra string `json:"entra,omitempty"`
	// ToPass is the remedy, and the other dialect when its check for the same change passed.
	ToPass string `json:"toPass,omitempty"`
}

// SummaryRows returns the summary table's rows for results.
func SummaryRows(results []Result) []Row {
	rows := make([]Row, 0, len(results))
	for _, r := range results {
		row := Row{Check: r.Check.ID, Impact: r.Check.Impact, Status: r.Status}
		switch r.Status {
		case StatusFail:
			row.Entra = firstSentence(r.Failure.Consequence)
			row.ToPass = firstSentence(r.Failure.Remedy)
			if r.Failure.Alternative != "" {
				row.ToPass += " Or: " + r.Failure.Alternative
			}
		case StatusSkip:
			row.Entra = "not checked: " + firstSentence(r.Reason)
		}
		rows = append(rows, row)
	}
	return rows
}

// WriteSummary writes the summary table of the checks that did not pass (check, impact, result, what
// Entra would do and, under it, what would make it pass), the counts of each impact, and the
// verdict: whether Entra's default job would work against the endpoint.
func WriteSummary(w io.Writer, rows []Row) error {
	all := Counts{}
	byImpact := map[Impact]*Counts{}
	for _, imp := range Impacts() {
		byImpact[imp] = &Counts{}
	}
	var breaking []string
	t := report.Table{Head: []string{"CHECK", "IMPACT", "RESULT", "WHAT ENTRA WOULD DO / TO PASS"}}
	for _, r := range rows {
		all.add(r.Status)
		if c := byImpact[r.Impact]; c != nil {
			c.add(r.Status)
		}
		if r.Status == StatusFail && r.Impact == ImpactBreaksEntra {
			breaking = append(breaking, r.Check)
		}
		if r.Status == StatusPass {
			continue
		}
		t.Add(r.Check, string(r.Impact), string(r.Status), r.Entra)
		if r.ToPass != "" {
			t.Add("", "", "", "to pass: "+r.ToPass)
		}
	}
	if len(t.Rows) > 0 {
		if err := t.Write(w); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "%d checks: %d passed, %d failed, %d skipped\n", all.Total, all.Passed, all.Failed, all.Skipped)
	for _, imp := range Impacts() {
		c := byImpact[imp]
		fmt.Fprintf(w, "  %-12s %2d checks: %d passed, %d failed, %d skipped\n", imp, c.Total, c.Passed, c.Failed, c.Skipped)
	}
	var err error
	if len(breaking) == 0 {
		_, err = fmt.Fprintf(w, "Entra's default job: no check that breaks it failed\n")
	} else {
		_, err = fmt.Fprintf(w, "Entra's default job: breaks against this endpoint (%s)\n", strings.Join(breaking, ", "))
	}
	return err
}

func writeFailure(w io.Writer, r Result) {
	fmt.Fprintf(w, "FAIL %s (%s): %s\n", r.Check.ID, r.Check.Impact, r.Check.Title)
	fmt.Fprintf(w, "  %-12s %s\n", "requirement:", r.Check.Requirement)
	writeFailureBody(w, r.Failure)
	fmt.Fprintln(w)
}

// writeFailureBody writes what the endpoint did, what Entra would do, the remedy and the requests.
func writeFailureBody(w io.Writer, f *Failure) {
	field := func(name, text string) {
		if text != "" {
			fmt.Fprintf(w, "  %-12s %s\n", name+":", text)
		}
	}
	field("got", f.Got)
	field("Entra would", f.Consequence)
	field("to pass", f.Remedy)
	field("or", f.Alternative)
	if len(f.Exchanges) > 0 {
		fmt.Fprintf(w, "  reproduce (TOKEN=your secret token):\n")
		for _, ex := range f.Exchanges {
			fmt.Fprintf(w, "    %s\n      -> %s\n", ex.Curl(), ex.Answer())
		}
	}
}

// firstSentence returns text up to its first ". " (or all of it), for the summary table.
func firstSentence(text string) string {
	if i := strings.Index(text, ". "); i >= 0 {
		return text[:i+1]
	}
	return text
}

// JUnit XML, the schema CI systems read (the Ant JUnit task's, as Jenkins, GitLab and GitHub
// reporters accept it): one testsuite for the checks, one for the scenarios.
type junitSuites struct {
	XMLName xml.Name `xml:"testsuites"`
	Name    string   `xml:"name,attr"`
	junitCounts
	Suites []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name string `xml:"name,attr"`
	junitCounts
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

// junitCounts are the attributes of a testsuite, and of the testsuites that hold them: how many test
// cases, and how many of them failed or were skipped.
type junitCounts struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Skipped  int `xml:"skipped,attr"`
}

func (c *junitCounts) addCounts(o junitCounts) {
	c.Tests += o.Tests
	c.Failures += o.Failures
	c.Skipped += o.Skipped
}

// add appends a test case and counts it.
func (s *junitSuite) add(tc junitCase) {
	s.Tests++
	if tc.Failure != nil {
		s.Failures++
	}
	if tc.Skipped != nil {
		s.Skipped++
	}
	s.Cases = append(s.Cases, tc)
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes r as JUnit XML: each check a test case named by its id, in a class named by its
// impact, so that a CI report can tell the failures that break Entra from the others; each
// scenario a test case of the scenarios suite.
func WriteJUnit(w io.Writer, r *Report) error {
	checks := junitSuite{Name: "conformance checks", Properties: []junitProperty{{"target", r.Target}, {"runId", r.RunID}}}
	for _, c := range r.Checks {
		tc := junitCase{Name: c.ID + ": " + c.Title, Classname: "conformance." + string(c.Impact), SystemOut: strings.Join(c.Curl, "\n")}
		switch c.Status {
		case StatusFail:
			tc.Failure = &junitMessage{Message: c.Answered, Type: string(c.Impact),
				Text: fmt.Sprintf("requirement: %s\nEntra would: %s\nto pass: %s", c.Requirement, c.EntraWould, c.ToPass)}
		case StatusSkip:
			tc.Skipped = &junitMessage{Message: c.Answered}
		}
		checks.add(tc)
	}
	suites := junitSuites{Name: "scimsim conformance", Suites: []junitSuite{checks}}
	if len(r.Scenarios) > 0 {
		sc := junitSuite{Name: "conformance scenarios"}
		for _, s := range r.Scenarios {
			tc := junitCase{Name: s.ID + ": " + s.Title, Classname: "scenarios"}
			switch s.Status {
			case StatusFail:
				tc.Failure = &junitMessage{Message: fmt.Sprintf("expected step %s, actual step %s", s.Expected, s.Actual), Text: s.Failure}
			case StatusSkip:
				tc.Skipped = &junitMessage{Message: s.Failure}
			}
			sc.add(tc)
		}
		suites.Suites = append(suites.Suites, sc)
	}
	for _, s := range suites.Suites {
		suites.addCounts(s.junitCounts)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(suites); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
