package job

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/entra"
)

// Entry is one provisioning log entry: one object in one cycle, in the shape of Microsoft Graph's
// provisioningObjectSummary (microsoft-graph-docs-contrib, api-reference/v1.0/resources/
// provisioningobjectsummary.md, and the examples of api/provisioningobjectsummary-list.md), which
// is what the admin center's JSON download holds. Action is the portal's "Action" column (the
// beta resource's action; "Possible values include Create, Update, Delete, Disable, StagedDelete,
// and Other", concept-provisioning-logs.md), beside Graph's provisioningAction.
type Entry struct {
	ID                     string             `json:"id"`
	ActivityDateTime       time.Time          `json:"activityDateTime"`
	TenantID               string             `json:"tenantId"`
	JobID                  string             `json:"jobId"`
	CycleID                string             `json:"cycleId"`
	ChangeID               string             `json:"changeId"`
	Action                 string             `json:"action"`
	ProvisioningAction     string             `json:"provisioningAction"`
	DurationInMilliseconds int64              `json:"durationInMilliseconds"`
	InitiatedBy            Initiator          `json:"initiatedBy"`
	ServicePrincipal       DisplayID          `json:"servicePrincipal"`
	SourceIdentity         Identity           `json:"sourceIdentity"`
	TargetIdentity         Identity           `json:"targetIdentity"`
	SourceSystem           System             `json:"sourceSystem"`
	TargetSystem           System             `json:"targetSystem"`
	ProvisioningStatusInfo StatusInfo         `json:"provisioningStatusInfo"`
	ProvisioningSteps      []LogStep          `json:"provisioningSteps"`
	ModifiedProperties     []ModifiedProperty `json:"modifiedProperties"`
}

// Initiator is Graph's initiator.
type Initiator struct {
	ID            string `json:"id"`
	DisplayName   string `json:"displayName"`
	InitiatorType string `json:"initiatorType"`
}

// DisplayID is an id and a display name (provisioningServicePrincipal).
type DisplayID struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
}

// Identity is Graph's provisionedIdentity.
type Identity struct {
	ID           string            `json:"id"`
	DisplayName  string            `json:"displayName"`
	IdentityType string            `json:"identityType"`
	Details      map[string]string `json:"details"`
}

// System is Graph's provisioningSystem.
type System struct {
	ID          string            `json:"id"`
	DisplayName string            `json:"displayName"`
	Details     map[string]string `json:"details"`
}

// StatusInfo is Graph's provisioningStatusInfo.
type StatusInfo struct {
	Status           string     `json:"status"`
	ErrorInformation *ErrorInfo `json:"errorInformation"`
}

// ErrorInfo is Graph's provisioningErrorInfo. errorCategory is nonServiceFailure for what the
// target answered and failure for the provisioning service's own errors (Graph's values: failure,
// nonServiceFailure, success); recommendedAction is the first troubleshooting tip; additionalDetails
// is the request that failed.
type ErrorInfo struct {
	ErrorCode         string `json:"errorCode"`
	ErrorCategory     string `json:"errorCategory"`
	Reason            string `json:"reason"`
	AdditionalDetails string `json:"additionalDetails"`
	RecommendedAction string `json:"recommendedAction"`
}

// LogStep is Graph's provisioningStep.
type LogStep struct {
	Name                 string            `json:"name"`
	ProvisioningStepType string            `json:"provisioningStepType"`
	Status               string            `json:"status"`
	Description          string            `json:"description"`
	Details              map[string]string `json:"details"`
}

// ModifiedProperty is Graph's modifiedProperty.
type ModifiedProperty struct {
	DisplayName string `json:"displayName"`
	OldValue    any    `json:"oldValue"`
	NewValue    any    `json:"newValue"`
}

// Meta is what a log entry needs beside the report: the job's and cycle's identifiers, when it
// happened, how long it took.
type Meta struct {
	TenantID, JobID, CycleID, ChangeID, ID string
	ServicePrincipal                       DisplayID
	App                                    string
	At                                     time.Time
	Duration                               time.Duration
	// Staged marks a deletion the accidental-deletions threshold held.
	Staged bool
}

// Actions as the portal names them, and Graph's provisioningAction values.
var actionNames = map[string][2]string{
	"create":  {"Create", "create"},
	"update":  {"Update", "update"},
	"disable": {"Disable", "disable"},
	"delete":  {"Delete", "delete"},
	"staged":  {"StagedDelete", "stagedDelete"},
	"other":   {"Other", "other"},
}

// stepVerbs are the verbs of Entra's step names (EntrySynchronizationAdd, EntryExportUpdate, ...).
var stepVerbs = map[string]string{"create": "Add", "update": "Update", "disable": "Update", "delete": "Delete", "staged": "Delete", "other": "Skip"}

// NewEntry turns one object's report into a log entry.
func NewEntry(rep *engine.Report, m Meta) Entry {
	action := attempted(rep)
	if m.Staged {
		action = "staged"
	}
	names := actionNames[action]
	e := Entry{
		ID: m.ID, ActivityDateTime: m.At.UTC(), TenantID: m.TenantID, JobID: m.JobID, CycleID: m.CycleID, ChangeID: m.ChangeID,
		Action: names[0], ProvisioningAction: names[1], DurationInMilliseconds: m.Duration.Milliseconds(),
		// Graph's examples: "initiatedBy": {"id": "", "displayName": "Azure AD Provisioning Service", "initiatorType": "system"}.
		InitiatedBy:      Initiator{DisplayName: "Azure AD Provisioning Service", InitiatorType: "system"},
		ServicePrincipal: m.ServicePrincipal,
		SourceIdentity:   Identity{ID: rep.Subject.ID, DisplayName: rep.Subject.Display, IdentityType: rep.Subject.Type, Details: map[string]string{}},
		TargetIdentity:   Identity{IdentityType: rep.Subject.Type, Details: map[string]string{}},
		SourceSystem:     System{DisplayName: "Azure Active Directory", Details: map[string]string{}},
		TargetSystem: System{DisplayName: m.App, Details: map[string]string{
			"ServicePrincipalId": m.ServicePrincipal.ID, "ServicePrincipalDisplayName": m.ServicePrincipal.DisplayName}},
		ProvisioningStatusInfo: StatusInfo{Status: rep.Status},
		ProvisioningSteps:      []LogStep{},
		ModifiedProperties:     []ModifiedProperty{},
	}
	if rep.Target != nil {
		e.TargetIdentity.ID, e.TargetIdentity.DisplayName = rep.Target.ID, rep.Target.Display
	}
	if m.Staged {
		e.ProvisioningStatusInfo.Status = engine.StatusSkipped
	}
	if rep.Status == engine.StatusFailure {
		e.ProvisioningStatusInfo.ErrorInformation = errorInfo(rep)
	}
	verb := stepVerbs[action]
	for _, s := range rep.Steps {
		if s.Type == engine.StepConnection || s.Status == engine.StatusNotRun {
			continue
		}
		e.ProvisioningSteps = append(e.ProvisioningSteps, LogStep{
			Name: stepName(s.Type, verb), ProvisioningStepType: s.Type, Status: s.Status,
			Description: stepDescription(s), Details: detailsMap(s.Details),
		})
	}
	for _, mp := range rep.ModifiedProperties {
		e.ModifiedProperties = append(e.ModifiedProperties, ModifiedProperty{DisplayName: mp.Name, OldValue: mp.OldValue, NewValue: mp.NewValue})
	}
	return e
}

// stepName names a step as Entra's logs do (Graph's examples: EntryImportAdd, EntrySynchronizationAdd,
// EntryExportAdd, EntryExportUpdate; EntrySynchronizationScoping).
func stepName(typ, verb string) string {
	switch typ {
	case engine.StepImport:
		return "EntryImport"
	case engine.StepScoping:
		return "EntrySynchronizationScoping"
	case engine.StepMatching:
		return "EntrySynchronization" + verb
	}
	return "EntryExport" + verb
}

func stepDescription(s engine.Step) string {
	if s.Reason == "" {
		return s.Description
	}
	if s.ErrorCode != "" {
		return s.ErrorCode + ": " + s.Reason
	}
	return s.Reason
}

func detailsMap(d engine.Details) map[string]string {
	out := make(map[string]string, len(d))
	for _, x := range d {
		out[x.Name] = x.Value
	}
	return out
}

// attempted is the action an object's report took or tried: a failed export is the create or the
// update it was.
func attempted(rep *engine.Report) string {
	switch rep.Action {
	case engine.ReportCreate, engine.ReportUpdate, engine.ReportDisable, engine.ReportDelete:
		return rep.Action
	}
	if rep.Status == engine.StatusFailure && rep.FailedStep == engine.StepExport {
		if rep.Target == nil {
			return "create"
		}
		return "update"
	}
	return "other"
}

func errorInfo(rep *engine.Report) *ErrorInfo {
	ei := &ErrorInfo{ErrorCode: rep.ErrorCode, ErrorCategory: "failure", Reason: rep.Reason}
	s := rep.Step(rep.FailedStep)
	if s == nil {
		return ei
	}
	if entra.Known(rep.ErrorCode) {
		for _, st := range entra.Lookup(entra.Code(rep.ErrorCode)).Steps {
			if st == engine.StepConnection || st == engine.StepMatching || st == engine.StepExport {
				if failingRequest(s) != "" {
					ei.ErrorCategory = "nonServiceFailure"
				}
				break
			}
		}
	}
	ei.AdditionalDetails = failingRequest(s)
	for _, t := range s.Tips {
		if t.Text != "" && t.Text != entra.TipExportVaries.Text {
			ei.RecommendedAction = t.Text
			break
		}
	}
	return ei
}

// failingRequest names the last request of a step that failed: "GET /scim/v2/Users/42 -> 404".
func failingRequest(s *engine.Step) string {
	for i := len(s.Exchanges) - 1; i >= 0; i-- {
		ex := s.Exchanges[i]
		if ex.Error == "" && ex.Status < 400 {
			continue
		}
		path := ex.URL
		if u, err := url.Parse(ex.URL); err == nil {
			path = u.EscapedPath()
			if u.RawQuery != "" {
				path += "?" + u.RawQuery
			}
		}
		if ex.Error != "" {
			return fmt.Sprintf("%s %s -> no answer", ex.Method, path)
		}
		return fmt.Sprintf("%s %s -> %d", ex.Method, path, ex.Status)
	}
	return ""
}

// Log formats: the admin center's downloads ("Microsoft Entra ID supports the following formats for
// your download: CSV, JSON", howto-download-logs.md, 2024-11-08).
const (
	FormatJSON = "json"
	FormatCSV  = "csv"
)

// LogWriter writes provisioning log entries as the admin center downloads them.
type LogWriter interface {
	Write(Entry) error
	Close() error
}

// CreateLog creates the log file(s) at path in format (json or csv). The JSON download is one
// array of entries. The CSV download "includes three files: ProvisioningLogs ...
// ProvisioningLogs_ProvisioningSteps: Contains the provisioning steps and the change ID ...
// ProvisioningLogs_ModifiedProperties: Contains the attributes that were changed and the change ID.
// You can use the change ID to join the event with the other two files"
// (howto-analyze-provisioning-logs.md, "CSV format"): path is the first, and the other two are
// named after it (log.csv, log_ProvisioningSteps.csv, log_ModifiedProperties.csv). Microsoft does
// not list the CSV columns; scimsim's are the JSON fields, flattened.
func CreateLog(path, format string) (LogWriter, error) {
	switch format {
	case FormatJSON, "":
		f, err := os.Create(path)
		if err != nil {
			return nil, err
		}
		return NewJSONLog(f), nil
	case FormatCSV:
		paths := CSVPaths(path)
		var files []*os.File
		for _, p := range paths {
			f, err := os.Create(p)
			if err != nil {
				for _, g := range files {
					g.Close()
				}
				return nil, err
			}
			files = append(files, f)
		}
		return NewCSVLog(files[0], files[1], files[2]), nil
	}
	return nil, fmt.Errorf("unknown provisioning log format %q (want json or csv)", format)
}

// CSVPaths are the three files of a CSV log at path.
func CSVPaths(path string) [3]string {
	ext := filepath.Ext(path)
	base := strings.TrimSuffix(path, ext)
	if ext == "" {
		ext = ".csv"
	}
	return [3]string{base + ext, base + "_ProvisioningSteps" + ext, base + "_ModifiedProperties" + ext}
}

type jsonLog struct {
	w      *bufio.Writer
	c      io.Closer
	n      int
	err    error
	closed bool
}

// NewJSONLog writes entries to w as one JSON array; Close ends the array and closes w when it is
// an io.Closer.
func NewJSONLog(w io.Writer) LogWriter {
	l := &jsonLog{w: bufio.NewWriter(w)}
	if c, ok := w.(io.Closer); ok {
		l.c = c
	}
	return l
}

func (l *jsonLog) Write(e Entry) error {
	if l.err != nil {
		return l.err
	}
	b, err := json.Marshal(e)
	if err != nil {
		l.err = err
		return err
	}
	sep := ",\n"
	if l.n == 0 {
		sep = "[\n"
	}
	l.n++
	l.w.WriteString(sep)
	_, l.err = l.w.Write(b)
	return l.err
}

func (l *jsonLog) Close() error {
	if l.closed {
		return l.err
	}
	l.closed = true
	if l.err == nil {
		if l.n == 0 {
			_, l.err = l.w.WriteString("[]\n")
		} else {
			_, l.err = l.w.WriteString("\n]\n")
		}
	}
	if err := l.w.Flush(); l.err == nil {
		l.err = err
	}
	if l.c != nil {
		if err := l.c.Close(); l.err == nil {
			l.err = err
		}
	}
	return l.err
}

// CSV columns of the three files.
var (
	csvLogColumns = []string{"Date (UTC)", "ID", "Job ID", "Cycle ID", "Change ID", "Action", "Provisioning Action", "Status",
		"Source ID", "Source Display Name", "Source Identity Type", "Target ID", "Target Display Name", "Target Identity Type",
		"Source System", "Target System", "Initiated By", "Error Code", "Error Category", "Reason", "Additional Details",
		"Recommended Action", "Duration (ms)", "Tenant ID", "Service Principal ID", "Service Principal Name"}
	csvStepColumns     = []string{"Change ID", "Step", "Name", "Type", "Status", "Description", "Details"}
	csvModifiedColumns = []string{"Change ID", "Name", "Old Value", "New Value"}
)

type csvLog struct {
	files   [3]*csv.Writer
	closers []io.Closer
	begun   bool
	closed  bool
	err     error
}

// NewCSVLog writes the three CSV files of a log to logs, steps and modified.
func NewCSVLog(logs, steps, modified io.Writer) LogWriter {
	l := &csvLog{files: [3]*csv.Writer{csv.NewWriter(logs), csv.NewWriter(steps), csv.NewWriter(modified)}}
	for _, w := range []io.Writer{logs, steps, modified} {
		if c, ok := w.(io.Closer); ok {
			l.closers = append(l.closers, c)
		}
	}
	return l
}

func (l *csvLog) header() {
	if l.begun {
		return
	}
	l.begun = true
	l.files[0].Write(csvLogColumns)
	l.files[1].Write(csvStepColumns)
	l.files[2].Write(csvModifiedColumns)
}

func (l *csvLog) Write(e Entry) error {
	if l.err != nil {
		return l.err
	}
	l.header()
	ei := e.ProvisioningStatusInfo.ErrorInformation
	if ei == nil {
		ei = &ErrorInfo{}
	}
	l.files[0].Write([]string{e.ActivityDateTime.Format(time.RFC3339), e.ID, e.JobID, e.CycleID, e.ChangeID, e.Action, e.ProvisioningAction,
		e.ProvisioningStatusInfo.Status, e.SourceIdentity.ID, e.SourceIdentity.DisplayName, e.SourceIdentity.IdentityType,
		e.TargetIdentity.ID, e.TargetIdentity.DisplayName, e.TargetIdentity.IdentityType, e.SourceSystem.DisplayName,
		e.TargetSystem.DisplayName, e.InitiatedBy.DisplayName, ei.ErrorCode, ei.ErrorCategory, ei.Reason, ei.AdditionalDetails,
		ei.RecommendedAction, fmt.Sprint(e.DurationInMilliseconds), e.TenantID, e.ServicePrincipal.ID, e.ServicePrincipal.DisplayName})
	for i, s := range e.ProvisioningSteps {
		d, _ := json.Marshal(s.Details)
		l.files[1].Write([]string{e.ChangeID, fmt.Sprint(i + 1), s.Name, s.ProvisioningStepType, s.Status, s.Description, string(d)})
	}
	for _, mp := range e.ModifiedProperties {
		l.files[2].Write([]string{e.ChangeID, mp.DisplayName, csvValue(mp.OldValue), csvValue(mp.NewValue)})
	}
	for _, f := range l.files {
		if err := f.Error(); err != nil {
			l.err = err
		}
	}
	return l.err
}

func csvValue(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func (l *csvLog) Close() error {
	if l.closed {
		return l.err
	}
	l.closed = true
	l.header()
	for _, f := range l.files {
		f.Flush()
		if err := f.Error(); err != nil && l.err == nil {
			l.err = err
		}
	}
	for _, c := range l.closers {
		if err := c.Close(); err != nil && l.err == nil {
			l.err = err
		}
	}
	return l.err
}

// WriteRunLog writes the provisioning log of one on-demand run (`scimsim provision`): an entry for
// each member a group run provisioned, then one for the subject, in format (json or csv) at path.
// The identifiers are drawn from seed; at is the time of the run.
func WriteRunLog(path, format string, rep *engine.Report, app string, at time.Time, seed int64) error {
	lw, err := CreateLog(path, format)
	if err != nil {
		return err
	}
	j := &Job{rng: newRand(seed)}
	tenant := j.guid()
	meta := Meta{TenantID: tenant, JobID: "scim." + strings.ReplaceAll(tenant, "-", "") + "." + j.guid(), CycleID: j.guid(),
		ServicePrincipal: DisplayID{ID: j.guid(), DisplayName: cmpOr(app, "SCIM application")}, App: cmpOr(app, "customappsso"), At: at}
	write := func(r *engine.Report) {
		m := meta
		m.ID, m.ChangeID, m.Duration = j.guid(), j.guid(), time.Duration(r.DurationMs)*time.Millisecond
		lw.Write(NewEntry(r, m))
	}
	for _, m := range rep.Members {
		write(m)
	}
	write(rep)
	return lw.Close()
}
