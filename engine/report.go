package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/scimsim/scimsim/entra"
)

// Step types (Graph provisioningStepType), as entra names them.
const (
	StepConnection = entra.StepConnection
	StepImport     = entra.StepImport
	StepScoping    = entra.StepScoping
	StepMatching   = entra.StepMatching
	StepExport     = entra.StepExport
)

// Tip is a troubleshooting tip and where it comes from.
type Tip = entra.Tip

// Step and run statuses.
const (
	StatusSuccess = "success"
	StatusFailure = "failure"
	StatusSkipped = "skipped"
	StatusWarning = "warning"
	StatusNotRun  = "notRun"
)

// Report actions.
const (
	ReportCreate  = "create"
	ReportUpdate  = "update"
	ReportDisable = "disable"
	ReportDelete  = "delete"
	ReportSkip    = "skip"
	ReportNone    = "none"
)

// Exchange is one recorded HTTP request and answer, token redacted.
type Exchange = entra.Exchange

// Report is the outcome of one on-demand run, shaped like Entra's provisioning log entry
// (Graph provisioningObjectSummary): the steps, the action taken, the modified properties.
type Report struct {
	Subject Identity `json:"subject"`
	// Target is the object in the target system, when one was matched or created.
	Target     *Identity `json:"target,omitempty"`
	Status     string    `json:"status"`
	Action     string    `json:"action"`
	FailedStep string    `json:"failedStep"`
	ErrorCode  string    `json:"errorCode"`
	Reason     string    `json:"reason"`
	// Dialect is the request dialect used; Warnings are run-level caveats (a feature flag the
	// on-demand run ignored, a write retried after a timeout).
	Dialect            string             `json:"dialect"`
	Warnings           []string           `json:"warnings,omitempty"`
	Steps              []Step             `json:"steps"`
	ModifiedProperties []ModifiedProperty `json:"modifiedProperties"`
	// Created lists what this run created in the target (a member run lists its own).
	Created []Identity `json:"created,omitempty"`
	// Members holds the reports of the members a group run provisioned first.
	Members    []*Report `json:"members,omitempty"`
	DurationMs int64     `json:"durationMs"`
}

// Identity names an object in the source or the target.
type Identity struct {
	Type    string `json:"type"`
	ID      string `json:"id"`
	Display string `json:"display"`
}

// Step is one of the five on-demand steps.
type Step struct {
	Name        string     `json:"name"`
	Type        string     `json:"type"`
	Status      string     `json:"status"`
	Description string     `json:"description"`
	Details     Details    `json:"details"`
	ErrorCode   string     `json:"errorCode"`
	Reason      string     `json:"reason"`
	Tips        []Tip      `json:"tips"`
	Exchanges   []Exchange `json:"exchanges"`
}

// Detail is one "View details" property.
type Detail struct {
	Name  string
	Value string
}

// Details is the ordered "View details" list. In JSON it is an object whose keys keep their order.
type Details []Detail

// MarshalJSON writes the details as one JSON object, in order.
func (d Details) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, x := range d {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(x.Name)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(x.Value)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads a details object, keeping the key order.
func (d *Details) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("details: want a JSON object")
	}
	*d = Details{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		k, _ := t.(string)
		var v string
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("details %q: %w", k, err)
		}
		*d = append(*d, Detail{Name: k, Value: v})
	}
	_, err := dec.Token()
	return err
}

// Get returns the value of the detail named name.
func (d Details) Get(name string) (string, bool) {
	for _, x := range d {
		if x.Name == name {
			return x.Value, true
		}
	}
	return "", false
}

// add appends a detail, making the name unique.
func (d *Details) add(name, value string) {
	n := name
	for i := 2; ; i++ {
		if _, dup := d.Get(n); !dup {
			break
		}
		n = fmt.Sprintf("%s (%d)", name, i)
	}
	*d = append(*d, Detail{Name: n, Value: value})
}

// ModifiedProperty is an attribute the action changed, or tried to.
type ModifiedProperty struct {
	Name     string `json:"name"`
	OldValue any    `json:"oldValue"`
	NewValue any    `json:"newValue"`
}

// Step returns the step of type typ, or nil.
func (r *Report) Step(typ string) *Step {
	for i := range r.Steps {
		if r.Steps[i].Type == typ {
			return &r.Steps[i]
		}
	}
	return nil
}

// TextOptions controls WriteText.
type TextOptions struct {
	// Color uses ANSI colours for the marks and statuses.
	Color bool
	// ShowRequests prints each step's HTTP exchanges as curl commands with their answers.
	ShowRequests bool
}

// Step numbers as the source document numbers them.
var stepNumbers = map[string]int{StepConnection: 1, StepImport: 2, StepScoping: 3, StepMatching: 4, StepExport: 5}

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
		n := stepNumbers[s.Type]
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
		tw.printf(", ended at step %d (%s)", stepNumbers[r.FailedStep], r.FailedStep)
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
			tw.printf("%s    %s: %s -> %s\n", indent, mp.Name, showValue(mp.OldValue), showValue(mp.NewValue))
		}
	}
}

func showValue(v any) string {
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
