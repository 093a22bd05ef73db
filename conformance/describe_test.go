package conformance_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	"github.com/onsi/gomega"

	"github.com/scimsim/scimsim/conformance"
)

// The container under test, declared the way the harness declares it.
var (
	suiteURL    string
	suiteReport types.Report
	_           = conformance.Describe(func() conformance.Config {
		return conformance.Config{BaseURL: suiteURL, Token: fakeToken, Prefix: "ginkgo-"}
	})
	_ = ginkgo.ReportAfterSuite("capture", func(r types.Report) { suiteReport = r })
)

// TestDescribe runs the Ginkgo container against a conforming endpoint: one passing spec per check,
// all labelled conformance, and nothing left on the endpoint afterwards (the DeferCleanup ran).
//
// With SCIMSIM_CONFORMANCE_NO_TARGET=1 (set by TestDescribe_NoTarget, which runs it in a child
// process because Ginkgo runs one suite per process) there is no target, and every spec must be
// skipped.
func TestDescribe(t *testing.T) {
	f := newFakeSCIM(fakeToken, false)
	noTarget := os.Getenv("SCIMSIM_CONFORMANCE_NO_TARGET") == "1"
	if !noTarget {
		suiteURL = startFake(t, f)
	}
	gomega.RegisterFailHandler(ginkgo.Fail)
	if !ginkgo.RunSpecs(t, "conformance") {
		t.Fatal("the conformance container failed against a conforming endpoint")
	}
	if noTarget {
		for _, s := range suiteReport.SpecReports {
			if s.LeafNodeType == types.NodeTypeIt && s.State != types.SpecStateSkipped {
				t.Errorf("spec %q: %s without a target; want skipped", s.LeafNodeText, s.State)
			}
		}
		return
	}
	var its []string
	for _, s := range suiteReport.SpecReports {
		if s.LeafNodeType != types.NodeTypeIt {
			continue
		}
		its = append(its, s.LeafNodeText)
		if s.State != types.SpecStatePassed {
			t.Errorf("spec %q: %s", s.LeafNodeText, s.State)
		}
		if labels := s.Labels(); len(labels) != 1 || labels[0] != "conformance" {
			t.Errorf("spec %q has labels %v, want [conformance]", s.LeafNodeText, labels)
		}
	}
	checks := conformance.Checks()
	if len(its) != len(checks) {
		t.Fatalf("container has %d specs, want one per check (%d)", len(its), len(checks))
	}
	for i, c := range checks {
		if !strings.HasPrefix(its[i], c.ID+": ") {
			t.Errorf("spec %d is %q, want check %s in catalog order", i, its[i], c.ID)
		}
	}
	var rows []conformance.Row
	for _, s := range suiteReport.SpecReports {
		for _, e := range s.ReportEntries {
			if e.Name == conformance.ReportEntryName {
				// Through JSON, as the entry reaches a ReportAfterSuite from a `ginkgo -p` process.
				var wire types.ReportEntryValue
				if b, err := json.Marshal(e.Value); err != nil || json.Unmarshal(b, &wire) != nil {
					t.Fatalf("report entry %s does not survive JSON: %v", e.Name, err)
				}
				if err := json.Unmarshal([]byte(wire.AsJSON), &rows); err != nil {
					t.Fatalf("report entry %s: %v", e.Name, err)
				}
			}
		}
	}
	if len(rows) != len(checks) || rows[0].Check != checks[0].ID || rows[len(rows)-1].Status != conformance.StatusPass {
		t.Errorf("summary rows in the report = %+v; want one passing row per check", rows)
	}
	if u, g := f.count(); u != 0 || g != 0 {
		t.Errorf("after the suite the endpoint holds %d users and %d groups; want everything deleted", u, g)
	}
}

// TestDescribe_NoTarget shows the container can be declared unconditionally: without a target every
// spec is skipped and the suite passes.
func TestDescribe_NoTarget(t *testing.T) {
	if os.Getenv("SCIMSIM_CONFORMANCE_NO_TARGET") == "1" {
		t.Skip("running as the child")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestDescribe$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "SCIMSIM_CONFORMANCE_NO_TARGET=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("suite without a target failed: %v\n%s", err, out)
	}
	if want := fmt.Sprintf("%d Skipped", len(conformance.Checks())); !strings.Contains(string(out), want) {
		t.Errorf("suite output lacks %q:\n%s", want, out)
	}
}
