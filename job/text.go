package job

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteCycle writes one line for a cycle: its number and kind, when it began, what it processed
// and did, the escrows left, and the job's status after it.
func WriteCycle(w io.Writer, c CycleSummary) error {
	kind := "incremental"
	if c.Initial {
		kind = "initial"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "cycle %d  %-11s  %s  %d processed: %d created, %d updated, %d disabled, %d deleted, %d skipped, %d failed",
		c.Number, kind, c.Began.UTC().Format(time.RFC3339), c.Processed, c.Created, c.Updated, c.Disabled, c.Deleted, c.Skipped, c.Failed)
	if c.Staged > 0 {
		fmt.Fprintf(&b, ", %d staged", c.Staged)
	}
	fmt.Fprintf(&b, "; %s; %s", plural(c.Escrows, "escrow"), c.Code)
	if c.Reason != "" {
		fmt.Fprintf(&b, " (%s)", c.Reason)
	}
	if c.Stopped != "" {
		fmt.Fprintf(&b, "; %s", c.Stopped)
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// StatusLine is the job's status as the provisioning page's progress bar says it:
// "Quarantine: EncounteredQuarantineException since ..., next attempt ...".
func StatusLine(st Status, cycles []CycleSummary) string {
	ts := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	q := st.Quarantine
	switch {
	case st.Code == CodeQuarantine && q != nil:
		s := fmt.Sprintf("Quarantine: %s since %s, next attempt %s", q.Reason, ts(q.SeriesBegan), ts(q.NextAttempt))
		if q.SeriesCount > 0 {
			s += fmt.Sprintf(" (re-evaluated %s and left in effect, last at %s)", timesWord(q.SeriesCount), ts(q.CurrentBegan))
		}
		return s
	case st.Code == CodePaused && q != nil:
		return fmt.Sprintf("Paused: disabled after more than four weeks in quarantine (%s since %s)", q.Reason, ts(q.SeriesBegan))
	case st.Code == CodePaused && st.EscrowsPruned:
		return "Paused: the escrows were pruned during the initial cycle, which reached the threshold of errors that would have quarantined the job; the job waits for the errors to be cleaned up (restart or start it)"
	case st.Code == CodePaused:
		return "Paused"
	}
	s := st.Code
	if e := st.LastExecution; e != nil {
		s += fmt.Sprintf(": last cycle %s to %s, %s", ts(e.TimeBegan), ts(e.TimeEnded), e.State)
	}
	return s
}

func timesWord(n int64) string {
	if n == 1 {
		return "once"
	}
	return fmt.Sprintf("%d times", n)
}

// WriteSummary writes the job's status as the portal shows it and the most frequent errors, each
// with its tips and the request that caused its first occurrence.
func WriteSummary(w io.Writer, st Status, cycles []CycleSummary, errs []ErrorStat, max int) error {
	var b strings.Builder
	fmt.Fprintf(&b, "\nStatus: %s\n", StatusLine(st, cycles))
	if q := st.Quarantine; q != nil && q.Error != nil && q.Error.Message != "" {
		fmt.Fprintf(&b, "  %s: %s\n", q.Error.Code, q.Error.Message)
	}
	if len(errs) > 0 {
		b.WriteString("\nMost frequent errors:\n")
		for i, e := range errs {
			if i == max {
				fmt.Fprintf(&b, "  ... and %d more error codes\n", len(errs)-max)
				break
			}
			fmt.Fprintf(&b, "  %s ×%d: %s\n", e.Code, e.Count, oneLine(e.Reason, 300))
			if e.Request != "" {
				fmt.Fprintf(&b, "    request: %s\n", e.Request)
			}
			for _, t := range e.Tips {
				fmt.Fprintf(&b, "    tip: %s\n      (%s)\n", t.Text, t.Source)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
