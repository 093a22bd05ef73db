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
	var pass, fail, skip, listed, requests int
	for _, r := range results {
		requests += len(r.Exchanges)
		switch r.Status {
		case StatusPass:
			pass++
		case StatusFail:
			fail++
			writeFailure(bw, r)
		case StatusSkip:
			skip++
			fmt.Fprintf(bw, "SKIP %s: %s\n  %s\n\n", r.Check.ID, r.Check.Title, r.Reason)
		case StatusListed:
			listed++
		}
	}
	if listed > 0 {
		fmt.Fprintf(bw, "dry run: %d checks would send %d requests; none was sent\n", listed, requests)
		return bw.Flush()
	}
	tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tRESULT\tWHAT ENTRA WOULD DO / TO PASS")
	for _, r := range results {
		switch r.Status {
		case StatusFail:
			fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Check.ID, r.Status, firstSentence(r.Failure.Consequence))
			fix := firstSentence(r.Failure.Remedy)
			if r.Failure.Alternative != "" {
				fix += " Or: " + r.Failure.Alternative
			}
			fmt.Fprintf(tw, "\t\tto pass: %s\n", fix)
		case StatusSkip:
			fmt.Fprintf(tw, "%s\t%s\tnot checked: %s\n", r.Check.ID, r.Status, firstSentence(r.Reason))
		default:
			fmt.Fprintf(tw, "%s\t%s\t\n", r.Check.ID, r.Status)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(bw, "\n%d checks: %d passed, %d failed, %d skipped\n", len(results), pass, fail, skip)
	return bw.Flush()
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
