package engine

import (
	"github.com/scimsim/scimsim/report"
)

// The report's vocabulary and shape are package report's.
const (
	StepConnection = report.StepConnection
	StepImport     = report.StepImport
	StepScoping    = report.StepScoping
	StepMatching   = report.StepMatching
	StepExport     = report.StepExport

	StatusSuccess = report.StatusSuccess
	StatusFailure = report.StatusFailure
	StatusSkipped = report.StatusSkipped
	StatusWarning = report.StatusWarning
	StatusNotRun  = report.StatusNotRun

	ReportCreate  = report.ActionCreate
	ReportUpdate  = report.ActionUpdate
	ReportDisable = report.ActionDisable
	ReportDelete  = report.ActionDelete
	ReportSkip    = report.ActionSkip
	ReportNone    = report.ActionNone
)

type (
	// Report is the outcome of one on-demand run (report.Report).
	Report           = report.Report
	Step             = report.Step
	Identity         = report.Identity
	Detail           = report.Detail
	Details          = report.Details
	ModifiedProperty = report.ModifiedProperty
	Tip              = report.Tip
	Exchange         = report.Exchange
	TextOptions      = report.TextOptions
)
