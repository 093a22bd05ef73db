package conformance

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteReport writes the results of a run for a person: every failure with what the endpoint did,
// what Entra would do, what would make it pass and curl commands that reproduce it; every skip with
// its reason; then a summary table (check, result, what Entra would do) and the counts.
func WriteReport(w io.Writer, results []Result) error {
	bw := bufio.NewWriter(w)
	var listed, requests int
	for _, r := range results {
		requests += len(r.Exchanges)
		switch r.Status {
		case StatusFail:
			writeFailure(bw, r)
		case StatusSkip:
			fmt.Fprintf(bw, "SKIP %s: %s\n", r.Check.ID, r.Reason)
		case StatusListed:
			listed++
		}
	}
	if listed > 0 {
		fmt.Fprintf(bw, "dry run: %d checks would send %d requests; none was sent\n", listed, requests)
		return bw.Flush()
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
		row := Row{Check: r.Check.ID, Status: r.Status}
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

// WriteSummary writes the summary table (check, result, what Entra would do and, under it, what
// would make it pass) and the counts.
func WriteSummary(w io.Writer, rows []Row) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tRESULT\tWHAT ENTRA WOULD DO / TO PASS")
	count := map[Status]int{}
	for _, r := range rows {
		count[r.Status]++
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Check, r.Status, r.Entra)
		if r.ToPass != "" {
			fmt.Fprintf(tw, "\t\tto pass: %s\n", r.ToPass)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%d checks: %d passed, %d failed, %d skipped\n", len(rows), count[StatusPass], count[StatusFail], count[StatusSkip])
	return err
}

func writeFailure(w io.Writer, r Result) {
	fmt.Fprintf(w, "FAIL %s: %s\n", r.Check.ID, r.Check.Title)
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
