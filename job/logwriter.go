package job

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/report"
)

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

// csvValue is a modified property's value as a report shows it, empty for none.
func csvValue(v any) string {
	if v == nil {
		return ""
	}
	return report.ShowValue(v)
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
