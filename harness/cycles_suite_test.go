package harness_test

import (
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/scimsim/scimsim/harness"
)

// describeCycles is a cycle scenario: the on-demand run (when it names a subject) and the job's
// cycles run once in BeforeAll, then one It for the on-demand run and one per cycle, each failing
// with the differences of its own part, and a last It for the whole.
func describeCycles(c harness.Case) {
	sc := c.Scenario
	Describe(sc.ID, append(decorators(sc), func() {
		var res harness.Result
		BeforeAll(func(ctx SpecContext) {
			res = harness.Run(ctx, target, c, harness.Options{})
			AddReportEntry(outcomeEntry, res.Row(), ReportEntryVisibilityNever)
			if res.Err != nil {
				Fail(res.Failure())
			}
		}, NodeTimeout(5*time.Minute))
		if sc.HasOnDemand() {
			It("on demand: "+sc.Subject.String(), func() {
				var own []string
				for _, m := range res.Mismatches {
					if !strings.HasPrefix(m, "cycle ") {
						own = append(own, m)
					}
				}
				if len(own) > 0 {
					Fail(fmt.Sprintf("the on-demand run before the job: %s", strings.Join(own, "; ")))
				}
			})
		}
		for i, cy := range sc.Cycles {
			n := i + 1
			want := "job " + cy.Expect.Status
			if cy.Expect.Reason != "" {
				want += " (" + cy.Expect.Reason + ")"
			}
			It(fmt.Sprintf("cycle %d: %s", n, want), func() {
				if n <= len(res.Cycles) {
					AddReportEntry(fmt.Sprintf("cycle %d", n), res.Cycles[n-1], ReportEntryVisibilityFailureOrVerbose)
				}
				prefix := fmt.Sprintf("cycle %d: ", n)
				var own []string
				for _, m := range res.Mismatches {
					if strings.HasPrefix(m, prefix) {
						own = append(own, strings.TrimPrefix(m, prefix))
					}
				}
				if len(own) > 0 {
					Fail(fmt.Sprintf("%s%s\n  (%s, %s)", prefix, strings.Join(own, "\n  - "), sc.File, sc.Doc))
				}
			})
		}
		It("ends as the document says: "+sc.Title, func() {
			if !res.Passed() {
				Fail(res.Failure())
			}
		})
	})...)
}
