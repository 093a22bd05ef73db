package conformance

import (
	"context"
	"strings"

	"github.com/onsi/ginkgo/v2"

	"github.com/scimsim/scimsim/wire"
)

// Describe declares one Ginkgo container, Ordered and labelled "conformance", with one It per check
// of Checks, for a suite that runs against a real endpoint (the harness calls it when --target is
// given). cfg is called once, when the container starts, so that it can read flags parsed after the
// spec tree was built; when its BaseURL is empty every spec is skipped, so the container can be
// declared unconditionally. The container continues after a failed check (every requirement is
// reported), deletes what the run created in a DeferCleanup (which Ginkgo also runs when a spec
// fails or the run is interrupted), and attaches each failure (got, what Entra would do, the remedy,
// curl commands) with AddReportEntry; after the last check it attaches the summary rows under
// ReportEntryName. A check that could not be performed is skipped with its reason; in a dry run each
// spec attaches the requests it would send.
func Describe(cfg func() Config) bool {
	return ginkgo.Describe("conformance", ginkgo.Ordered, ginkgo.ContinueOnFailure, ginkgo.Label("conformance"), func() {
		var (
			t       *Target
			results []Result
		)
		ginkgo.BeforeAll(func() {
			c := cfg()
			if c.BaseURL == "" && c.Session == nil {
				ginkgo.Skip("no target: the requirement checks run against an external endpoint (--target URL --token T)")
			}
			if c.Log == nil {
				c.Log = ginkgo.GinkgoWriter
			}
			var err error
			if t, err = NewTarget(c); err != nil {
				ginkgo.Fail(err.Error())
			}
			t.logHeader()
			ginkgo.DeferCleanup(func(ctx context.Context) error {
				return t.Cleanup(ctx)
			}, ginkgo.NodeTimeout(CleanupTimeout))
		})
		ginkgo.AfterAll(func() {
			if len(results) > 0 {
				noteAlternatives(results)
				ginkgo.AddReportEntry(ReportEntryName, SummaryRows(results), ginkgo.ReportEntryVisibilityNever)
			}
		})
		for _, c := range Checks() {
			ginkgo.It(c.ID+": "+c.Title, func(ctx ginkgo.SpecContext) {
				r := RunCheck(ctx, c, t)
				results = append(results, r)
				if r.Note != "" {
					ginkgo.AddReportEntry("note", r.Note, ginkgo.ReportEntryVisibilityAlways)
				}
				switch r.Status {
				case StatusSkip:
					if r.Reason == DryRunReason {
						ginkgo.AddReportEntry("requests", curlList(r.Exchanges), ginkgo.ReportEntryVisibilityAlways)
					}
					ginkgo.Skip(r.Reason)
				case StatusFail:
					// The structured failure goes to the JSON report; the console shows the message and
					// the curl commands once.
					ginkgo.AddReportEntry(c.ID, r.Failure, ginkgo.ReportEntryVisibilityNever)
					ginkgo.AddReportEntry("reproduce (TOKEN=your secret token)", exchangeList(r.Failure.Exchanges), ginkgo.ReportEntryVisibilityFailureOrVerbose)
					ginkgo.Fail("[" + string(c.Impact) + "] " + r.Failure.Got + "\nEntra would: " + r.Failure.Consequence + "\nto pass: " + r.Failure.Remedy)
				}
			})
		}
	})
}

// exchangeList renders exchanges as curl commands, each followed by its answer.
func exchangeList(ex []wire.Exchange) string {
	lines := make([]string, 0, 2*len(ex))
	for _, e := range ex {
		lines = append(lines, e.Curl(), "  -> "+e.Answer())
	}
	return strings.Join(lines, "\n")
}

// curlList renders exchanges as curl commands, one a line.
func curlList(ex []wire.Exchange) string {
	lines := make([]string, len(ex))
	for i, e := range ex {
		lines[i] = e.Curl()
	}
	return strings.Join(lines, "\n")
}
