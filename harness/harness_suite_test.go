package harness_test

import (
	"cmp"
	"encoding/json"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	. "github.com/onsi/gomega"

	"github.com/scimsim/scimsim/conformance"
	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/harness"
	"github.com/scimsim/scimsim/internal/endpoint"
	"github.com/scimsim/scimsim/scenarios"
	"github.com/scimsim/scimsim/simulator"
)

// The suite's own flags, after Ginkgo's: `go test ./harness -args -scenarios DIR` or
// `go tool ginkgo ./harness -- -scenarios DIR -scenario ID`.
var (
	catalogDir = flag.String("scenarios", filepath.Join("..", "scenarios"), "directory of the scenario catalog to run")
	onlyIDs    = flag.String("scenario", "", "comma-separated ids of the scenarios to run (default: all)")
	targetURL  = flag.String("target", "", "SCIM base URL of an external endpoint: runs the conformance label only (env SCIMSIM_TARGET)")
	targetTok  = flag.String("token", "", "secret token of the external endpoint (env SCIMSIM_TOKEN)")
	prefix     = flag.String("prefix", harness.DefaultPrefix, "prefix of every resource the conformance scenarios and checks create on an external endpoint")
)

// outcomeEntry names the report entry that carries a scenario's summary row to ReportAfterSuite,
// across processes when the suite runs with -p.
const outcomeEntry = "scimsim.outcome"

// target is where this process runs its scenarios: set in BeforeSuite, used in BeforeAll.
var target harness.Target

// TestScenarios loads and validates the whole catalog before RunSpecs, then builds one Ordered
// container per scenario: the tree must exist, identical in every parallel process, before the
// suite starts.
func TestScenarios(t *testing.T) {
	external := externalTarget()
	if external != nil {
		if err := external.Validate(); err != nil {
			t.Fatal(err)
		}
	}
	var ids []string
	if *onlyIDs != "" {
		ids = strings.Split(*onlyIDs, ",")
	}
	cases, err := harness.LoadDir(*catalogDir, ids...)
	if err != nil {
		t.Fatalf("scenario catalog %s:\n%v", *catalogDir, err)
	}
	if external != nil {
		cases = conformanceOnly(cases)
		if len(cases) == 0 {
			t.Fatalf("no %s scenario in %s to run against %s", scenarios.LabelConformance, *catalogDir, external.URL)
		}
		// Printed before anything is sent: should the process be killed before its cleanup, this
		// is the name every leftover resource starts with.
		fmt.Printf("conformance scenarios against %s: every resource they create is named %s%s-N-...\n", external.URL, cmp.Or(external.Prefix, harness.DefaultPrefix), external.RunID())
	}
	for _, c := range cases {
		describeScenario(c)
	}
	if external != nil {
		// The requirement checks of issue-level conformance: each creates only resources named with
		// the run's prefix and deletes them afterwards, also when a check fails.
		conformance.Describe(func() conformance.Config {
			return conformance.Config{BaseURL: external.URL, Token: external.Token, Prefix: *prefix, Session: external.Session}
		})
	}
	BeforeSuite(func() {
		if external != nil {
			target = external
			return
		}
		srv, err := simulator.New(simulator.WithSeed(7))
		Expect(err).NotTo(HaveOccurred())
		ts := httptest.NewServer(srv)
		DeferCleanup(ts.Close)
		target = harness.NewSimulator(srv, ts.URL)
	})
	ReportAfterSuite("scenario summary", writeSummary)
	RegisterFailHandler(Fail)
	RunSpecs(t, "scenarios")
}

func externalTarget() *harness.External {
	u, tok := *targetURL, *targetTok
	if u == "" {
		u = os.Getenv("SCIMSIM_TARGET")
	}
	if tok == "" {
		tok = os.Getenv("SCIMSIM_TOKEN")
	}
	if u == "" {
		return nil
	}
	ext := &harness.External{URL: u, Token: tok, Prefix: *prefix}
	// One session for the scenarios and the requirement checks: one run id names everything the
	// run creates. A configuration it refuses is reported by External.Validate.
	if s, err := endpoint.NewSession(endpoint.Config{URL: u, Token: tok, Prefix: *prefix}); err == nil {
		ext.Session = s
	}
	return ext
}

func conformanceOnly(cases []harness.Case) []harness.Case {
	var out []harness.Case
	for _, c := range cases {
		if c.Scenario.HasLabel(scenarios.LabelConformance) {
			out = append(out, c)
		}
	}
	return out
}

// decorators are an Ordered container's, with the scenario's labels; a pending scenario is marked
// Pending and its summary row kept.
func decorators(sc scenarios.Scenario) []any {
	d := []any{Ordered, Label(sc.Labels...)}
	if sc.Pending != "" {
		d = append(d, Pending)
		pending[sc.ID] = harness.PendingRow(&sc)
	}
	return d
}

// describeScenario is one scenario: the engine runs once in BeforeAll, then one It per step in the
// document's order, and a last It for the outcome. A step that went wrong fails its It and, the
// container being Ordered, skips the ones after it, so the report names the failing step.
func describeScenario(c harness.Case) {
	if c.Scenario.IsCycles() {
		describeCycles(c)
		return
	}
	sc := c.Scenario
	Describe(sc.ID, append(decorators(sc), func() {
		var res harness.Result
		// The job's own time budget (job.timeout, 30 s by default) ends a run against a target that
		// never answers; the node timeout is only a backstop so that a hung run cannot stall CI.
		BeforeAll(func(ctx SpecContext) {
			if cl, ok := target.(harness.Cleaner); ok {
				// harness.Run deletes what the scenario created before it returns; this is the
				// backstop Ginkgo runs after the container's last spec, on a failure and on Ctrl-C
				// even when the BeforeAll was abandoned. What is already gone is not sent again.
				DeferCleanup(func(ctx SpecContext) error {
					return cl.Cleanup(ctx, &sc)
				}, NodeTimeout(harness.CleanupTimeout))
			}
			res = harness.Run(ctx, target, c, harness.Options{})
			AddReportEntry(outcomeEntry, res.Row(), ReportEntryVisibilityNever)
			if res.Err != nil {
				Fail(res.Failure())
			}
		}, NodeTimeout(2*time.Minute))
		for i, step := range scenarios.Steps {
			It(fmt.Sprintf("%d. %s", i+1, step.Name), func() {
				if res.Report != nil {
					if s := res.Report.Step(step.Type); s != nil {
						AddReportEntry(step.Name, newStepEntry(s), ReportEntryVisibilityFailureOrVerbose)
					}
				}
				if msg := res.StepFailure(step.Type); msg != "" {
					Fail(msg)
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

// pending holds the summary rows of pending scenarios, which never run.
var pending = map[string]harness.Row{}

// stepEntry is what a step attaches to the report: the "View details" list, the tips and the HTTP
// exchanges (token redacted by the engine). JSON and JUnit reports carry it whole; the console shows
// String().
type stepEntry struct {
	Status    string            `json:"status"`
	ErrorCode string            `json:"errorCode,omitempty"`
	Reason    string            `json:"reason,omitempty"`
	Details   engine.Details    `json:"details,omitempty"`
	Tips      []engine.Tip      `json:"tips,omitempty"`
	Exchanges []engine.Exchange `json:"exchanges,omitempty"`
}

func newStepEntry(s *engine.Step) stepEntry {
	return stepEntry{Status: s.Status, ErrorCode: s.ErrorCode, Reason: s.Reason, Details: s.Details, Tips: s.Tips, Exchanges: s.Exchanges}
}

// String renders the entry the way the portal's "View details" reads (report.Step.Lines).
func (e stepEntry) String() string {
	return engine.Step{Status: e.Status, ErrorCode: e.ErrorCode, Reason: e.Reason, Details: e.Details, Tips: e.Tips, Exchanges: e.Exchanges}.Lines()
}

// writeSummary prints the summary table at the end of every run. Entries from other parallel
// processes arrive JSON-decoded, so each is re-decoded through JSON into a Row.
func writeSummary(r Report) {
	var rows []harness.Row
	var checks []conformance.Row
	seen := map[string]bool{}
	for _, spec := range r.SpecReports {
		if spec.State == types.SpecStatePending && len(spec.ContainerHierarchyTexts) > 0 {
			id := spec.ContainerHierarchyTexts[0]
			if row, ok := pending[id]; ok && !seen[id] {
				seen[id] = true
				rows = append(rows, row)
			}
			continue
		}
		for _, e := range spec.ReportEntries {
			if e.Name != outcomeEntry && e.Name != conformance.ReportEntryName {
				continue
			}
			raw, err := json.Marshal(e.Value.GetRawValue())
			if err != nil {
				continue
			}
			if e.Name == conformance.ReportEntryName {
				var rs []conformance.Row
				if json.Unmarshal(raw, &rs) == nil {
					checks = append(checks, rs...)
				}
				continue
			}
			var row harness.Row
			if json.Unmarshal(raw, &row) == nil && row.Scenario != "" {
				rows = append(rows, row)
			}
		}
	}
	if len(rows) > 0 {
		fmt.Fprintln(os.Stdout)
		_ = harness.WriteSummary(os.Stdout, rows, false)
	}
	if len(checks) > 0 {
		fmt.Fprintln(os.Stdout)
		_ = conformance.WriteSummary(os.Stdout, checks)
	}
}
