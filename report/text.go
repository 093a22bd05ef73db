package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// TextOptions controls WriteText.
type TextOptions struct {
	// Color uses ANSI colours for the marks and statuses.
	Color bool
	// ShowRequests prints each step's HTTP exchanges as curl commands with their answers.
	ShowRequests bool
}

// WriteText renders the report the way the portal shows an on-demand run: the steps numbered 1 to
// 5 with a mark each, View details, and for the step that ended the run its error code, reason and
// tips. Step 1 is shown only when it failed, as in the portal ("This step is shown only when it
// fails"); the JSON report always carries it. Steps that did not run are listed without details.
func (r *Report) WriteText(w io.Writer, o TextOptions) error {
	tw := &textWriter{w: w, color: o.Color}
	r.writeText(tw, o, "")
	return tw.err
}

func (r *Report) writeText(tw *textWriter, o TextOptions, indent string) {
	for _, m := range r.Members {
		tw.printf("%sMember %s:\n", indent, m.Subject.Display)
		m.writeText(tw, o, indent+"  ")
		tw.printf("\n")
	}
	tw.printf("%sProvision on demand: %s %s", indent, r.Subject.Type, r.Subject.Display)
	if r.Subject.ID != "" {
		tw.printf(" (%s)", r.Subject.ID)
	}
	tw.printf("\n")
	for _, wmsg := range r.Warnings {
		tw.printf("%s%s %s\n", indent, tw.paint(colorYellow, "!"), wmsg)
	}
	tw.printf("\n")
	for _, s := range r.Steps {
		if s.Type == StepConnection && (s.Status == StatusSuccess || s.Status == StatusNotRun) {
			continue
		}
		n := StepIndex(s.Type) + 1
		mark, col := statusMark(s.Status)
		tw.printf("%s%s %d. %s  %s\n", indent, tw.paint(col, mark), n, s.Name, tw.paint(col, s.Status))
		if s.Status == StatusNotRun {
			continue
		}
		in := indent + "     "
		if s.Description != "" {
			tw.printf("%s%s\n", in, s.Description)
		}
		switch {
		case s.ErrorCode != "":
			tw.printf("%s%s %s\n", in, tw.paint(col, s.ErrorCode+":"), s.Reason)
		case s.Reason != "":
			tw.printf("%s%s\n", in, s.Reason)
		}
		if len(s.Details) > 0 {
			tw.printf("%sView details:\n", in)
			for _, d := range s.Details {
				tw.printf("%s  %s: %s\n", in, d.Name, d.Value)
			}
		}
		if len(s.Tips) > 0 {
			tw.printf("%sTroubleshooting tips:\n", in)
			for _, t := range s.Tips {
				tw.printf("%s  - %s\n%s    (%s)\n", in, t.Text, in, t.Source)
			}
		}
		if o.ShowRequests && len(s.Exchanges) > 0 {
			tw.printf("%sRequests:\n", in)
			for _, ex := range s.Exchanges {
				if ex.By != "" {
					tw.printf("%s  # sent by %s to check the result, not by Entra:\n", in, ex.By)
				}
				tw.printf("%s  $ %s\n", in, ex.Curl())
				switch {
				case ex.Error != "":
					tw.printf("%s    -> %s\n", in, ex.Error)
				default:
					tw.printf("%s    -> %d %s\n", in, ex.Status, ex.ContentType)
					if ex.ResponseBody != "" {
						tw.printf("%s    %s\n", in, oneLine(ex.ResponseBody, 400))
					}
				}
				if ex.Retry != "" {
					tw.printf("%s    (attempt %d, retried: %s)\n", in, ex.Attempt, ex.Retry)
				}
			}
		}
	}
	tw.printf("\n")
	mark, col := statusMark(r.Status)
	tw.printf("%s%s Result: %s, action %s", indent, tw.paint(col, mark), tw.paint(col, r.Status), r.Action)
	if r.FailedStep != "" {
		tw.printf(", ended at step %d (%s)", StepIndex(r.FailedStep)+1, r.FailedStep)
	}
	if r.ErrorCode != "" {
		tw.printf(": %s", r.ErrorCode)
	}
	tw.printf(", %d ms\n", r.DurationMs)
	if r.Target != nil {
		tw.printf("%s  Target: %s %s (%s)\n", indent, r.Target.Type, r.Target.Display, r.Target.ID)
	}
	if len(r.ModifiedProperties) > 0 {
		tw.printf("%s  Modified properties:\n", indent)
		for _, mp := range r.ModifiedProperties {
			tw.printf("%s    %s: %s -> %s\n", indent, mp.Name, ShowValue(mp.OldValue), ShowValue(mp.NewValue))
		}
	}
}

// ShowValue is how the text report shows a value: (none) for nil, a string as it is, anything
// else as JSON.
func ShowValue(v any) string {
	if v == nil {
		return "(none)"
	}
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

const (
	colorGreen  = "32"
	colorRed    = "31"
	colorYellow = "33"
	colorDim    = "2"
)

func statusMark(status string) (string, string) {
	switch status {
	case StatusSuccess:
		return "✓", colorGreen
	case StatusFailure:
		return "✗", colorRed
	case StatusWarning:
		return "!", colorYellow
	case StatusSkipped:
		return "↷", colorYellow
	}
	return "·", colorDim
}

type textWriter struct {
	w     io.Writer
	color bool
	err   error
}

func (t *textWriter) printf(format string, args ...any) {
	if t.err != nil {
		return
	}
	_, t.err = fmt.Fprintf(t.w, format, args...)
}

func (t *textWriter) paint(color, s string) string {
	if !t.color || s == "" {
		return s
	}
	return "\x1b[" + color + "m" + s + "\x1b[0m"
}

// Lines is the step as plain lines, as the portal's "View details" reads: the status, error code
// and reason, then one line per property, per tip and per HTTP exchange (JUnit reports and the
// harness's console carry it).
func (s Step) Lines() string {
	var b strings.Builder
	b.WriteString(s.Status)
	if s.ErrorCode != "" {
		b.WriteString(" " + s.ErrorCode)
	}
	if s.Reason != "" {
		b.WriteString(": " + s.Reason)
	}
	for _, d := range s.Details {
		fmt.Fprintf(&b, "\n  %s: %s", d.Name, d.Value)
	}
	for _, t := range s.Tips {
		fmt.Fprintf(&b, "\n  tip: %s (%s)", t.Text, t.Source)
	}
	for _, x := range s.Exchanges {
		fmt.Fprintf(&b, "\n  %s %s -> %d", x.Method, x.URL, x.Status)
		if x.Error != "" {
			b.WriteString(" " + x.Error)
		}
	}
	return b.String()
}
