package job

import (
	"fmt"
	"net/url"
	"time"

	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/report"
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

// DisplayID is an id and a display name: Graph's identity, the base type of initiator,
// provisionedIdentity, provisioningSystem and provisioningServicePrincipal (which adds nothing).
type DisplayID struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
}

// Initiator is Graph's initiator.
type Initiator struct {
	DisplayID
	InitiatorType string `json:"initiatorType"`
}

// Identity is Graph's provisionedIdentity.
type Identity struct {
	DisplayID
	IdentityType string            `json:"identityType"`
	Details      map[string]string `json:"details"`
}

// System is Graph's provisioningSystem.
type System struct {
	DisplayID
	Details map[string]string `json:"details"`
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
		InitiatedBy:      Initiator{DisplayID: DisplayID{DisplayName: "Azure AD Provisioning Service"}, InitiatorType: "system"},
		ServicePrincipal: m.ServicePrincipal,
		SourceIdentity:   Identity{DisplayID: DisplayID{ID: rep.Subject.ID, DisplayName: rep.Subject.Display}, IdentityType: rep.Subject.Type, Details: map[string]string{}},
		TargetIdentity:   Identity{IdentityType: rep.Subject.Type, Details: map[string]string{}},
		SourceSystem:     System{DisplayID: DisplayID{DisplayName: "Azure Active Directory"}, Details: map[string]string{}},
		TargetSystem: System{DisplayID: DisplayID{DisplayName: m.App}, Details: map[string]string{
			"ServicePrincipalId": m.ServicePrincipal.ID, "ServicePrincipalDisplayName": m.ServicePrincipal.DisplayName}},
		ProvisioningStatusInfo: StatusInfo{Status: rep.Status},
		ProvisioningSteps:      []LogStep{},
		ModifiedProperties:     []ModifiedProperty{},
	}
	if rep.Target != nil {
		e.TargetIdentity.ID, e.TargetIdentity.DisplayName = rep.Target.ID, rep.Target.Display
	}
	if m.Staged {
		e.ProvisioningStatusInfo.Status = report.StatusSkipped
	}
	if rep.Status == report.StatusFailure {
		e.ProvisioningStatusInfo.ErrorInformation = errorInfo(rep)
	}
	verb := stepVerbs[action]
	for _, s := range rep.Steps {
		if s.Type == report.StepConnection || s.Status == report.StatusNotRun {
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
	case report.StepImport:
		return "EntryImport"
	case report.StepScoping:
		return "EntrySynchronizationScoping"
	case report.StepMatching:
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
	case report.ActionCreate, report.ActionUpdate, report.ActionDisable, report.ActionDelete:
		return rep.Action
	}
	if rep.Status == report.StatusFailure && rep.FailedStep == report.StepExport {
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
			if st == report.StepConnection || st == report.StepMatching || st == report.StepExport {
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
