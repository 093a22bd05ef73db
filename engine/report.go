package engine

import (
	"github.com/scimsim/scimsim/report"
)

// The report a run returns is package report's: its step types, statuses and actions are
// report.StepConnection and the like.
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
