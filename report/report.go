// Package report is the vocabulary of a provisioning report, shared by every package that writes,
// reads or checks one: the five step types and their names, the statuses and actions, the request
// dialects, the report's shape (Graph's provisioningObjectSummary, as scimsim writes it in JSON), a
// provisioning cycle's (Cycle) and the summary table the scenario and conformance runs print.
//
// It is a leaf: it imports only wire, so that the scenario catalog, which may import neither the
// engine nor the simulator, checks reports in the engine's own types.
package report

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/scimsim/scimsim/wire"
)

// Step types, as Microsoft Graph's provisioningStep names them (provisioningStepType), with
// "connection" for the test connection, which the on-demand page shows only when it fails.
const (
	StepConnection = "connection"
	StepImport     = "import"
	StepScoping    = "scoping"
	StepMatching   = "matching"
	StepExport     = "export"
)

// StepInfo is one of the five steps of on-demand provisioning.
type StepInfo struct {
	Type string // the report's step type: connection, import, scoping, matching, export
	Name string // the section title of Microsoft's on-demand provisioning page, for a user
}

// Steps lists the five steps in the order the service runs them ("Understand the provisioning
// steps": "There are typically five steps to provision a user"); a step's number is its index + 1.
var Steps = []StepInfo{
	{Type: StepConnection, Name: "Test connection"},
	{Type: StepImport, Name: "Import user"},
	{Type: StepScoping, Name: "Determine if user is in scope"},
	{Type: StepMatching, Name: "Match user between source and target"},
	{Type: StepExport, Name: "Perform action"},
}

// StepTypes returns the five step types in order.
func StepTypes() []string {
	out := make([]string, len(Steps))
	for i, s := range Steps {
		out[i] = s.Type
	}
	return out
}

// StepIndex returns the position of a step type in Steps, or -1 when it names no step.
func StepIndex(stepType string) int {
	for i, s := range Steps {
		if s.Type == stepType {
			return i
		}
	}
	return -1
}

// Step and run statuses.
const (
	StatusSuccess = "success"
	StatusFailure = "failure"
	StatusSkipped = "skipped"
	StatusWarning = "warning"
	StatusNotRun  = "notRun"
)

// StepStatuses are the statuses a step can have, in the order messages list them.
var StepStatuses = []string{StatusSuccess, StatusFailure, StatusSkipped, StatusWarning, StatusNotRun}

// Actions a run reports.
const (
	ActionCreate  = "create"
	ActionUpdate  = "update"
	ActionDisable = "disable"
	ActionDelete  = "delete"
	ActionSkip    = "skip"
	ActionNone    = "none"
)

// Actions lists the actions a successful or skipped run can report.
var Actions = []string{ActionCreate, ActionUpdate, ActionDisable, ActionDelete, ActionSkip, ActionNone}

// Request dialects, as the report's dialect field names them: Entra's production SCIM requests,
// those of the aadOptscim062020 flag, and Microsoft Graph (cross-tenant synchronization).
const (
	DialectEntra          = "entra"
	DialectEntraCompliant = "entra-compliant"
	DialectGraph          = "graph"
)

// Tip is a troubleshooting tip and where it comes from.
type Tip struct {
	Text   string `json:"text"`
	Source string `json:"source"`
}

// Exchange is one recorded HTTP request and answer, token redacted.
type Exchange = wire.Exchange

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

// Add appends a detail, making the name unique.
func (d *Details) Add(name, value string) {
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

// ActualStep is the step that ended the run: the report's failedStep, or the first step that
// failed when a report leaves failedStep empty on a failure.
func (r *Report) ActualStep() string {
	if r.FailedStep != "" {
		return r.FailedStep
	}
	if r.Status == StatusFailure {
		for _, s := range r.Steps {
			if s.Status == StatusFailure {
				return s.Type
			}
		}
	}
	return ""
}

// ActualErrorCode is the report's errorCode, or that of the step that ended the run.
func (r *Report) ActualErrorCode() string {
	if r.ErrorCode != "" {
		return r.ErrorCode
	}
	if s := r.Step(r.ActualStep()); s != nil {
		return s.ErrorCode
	}
	return ""
}
