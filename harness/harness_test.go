package harness_test

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2"

	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/harness"
	"github.com/scimsim/scimsim/scenarios"
	"github.com/scimsim/scimsim/simulator"
	"github.com/scimsim/scimsim/simulator/faults"
)

// The loader keeps its own list of fault types so that the catalog stays free of the simulator;
// this is where the two are held together.
func TestFaultTypes_MatchRegistry(t *testing.T) {
	var registry []string
	for _, ti := range faults.Types() {
		registry = append(registry, ti.Name)
	}
	slices.Sort(registry)
	ours := slices.Sorted(slices.Values(scenarios.FaultTypes))
	if !slices.Equal(ours, registry) {
		t.Errorf("scenarios.FaultTypes = %v\nfaults.Types()       = %v", ours, registry)
	}
}

func TestResult_StepFailure(t *testing.T) {
	outcome := func(status, step, code, action string) scenarios.Outcome {
		return scenarios.Outcome{Status: status, FailedStep: step, ErrorCode: code, Action: action}
	}
	tests := []struct {
		name     string
		expect   scenarios.Expect
		got      scenarios.Outcome
		failAt   string // the step whose It fails; "" = none
		reason   string
		contains string
	}{
		{
			name:   "met",
			expect: scenarios.Expect{Status: "failure", FailedStep: "matching", ErrorCode: "DuplicateTargetEntries"},
			got:    outcome("failure", "matching", "DuplicateTargetEntries", "none"),
		},
		{
			name:     "ended earlier than expected",
			expect:   scenarios.Expect{Status: "failure", FailedStep: "matching", ErrorCode: "DuplicateTargetEntries"},
			got:      outcome("failure", "connection", "Unauthorized", "none"),
			failAt:   "connection",
			reason:   "the step that really failed is where the Ordered container must stop",
			contains: "expected step matching, actual step connection with Unauthorized",
		},
		{
			name:     "completed although a failure was expected",
			expect:   scenarios.Expect{Status: "failure", FailedStep: "matching", ErrorCode: "DuplicateTargetEntries"},
			got:      outcome("success", "", "", "create"),
			failAt:   "matching",
			reason:   "the expected step passed where it should have failed",
			contains: "expected step matching, actual step none (status success, action create)",
		},
		{
			name:     "failed although success was expected",
			expect:   scenarios.Expect{Status: "success", Action: "create"},
			got:      outcome("failure", "export", "EntryConflict", "create"),
			failAt:   "export",
			contains: "expected step none (the run completes), actual step export with EntryConflict",
		},
		{
			name:     "right step, wrong code",
			expect:   scenarios.Expect{Status: "failure", FailedStep: "export", ErrorCode: "Timeout"},
			got:      outcome("failure", "export", "InternalServerError", "create"),
			failAt:   "export",
			contains: "expected error code Timeout, got InternalServerError",
		},
		{
			name:     "right ending, wrong action",
			expect:   scenarios.Expect{Status: "success", Action: "update"},
			got:      outcome("success", "", "", "create"),
			failAt:   "",
			reason:   "no step is to blame: the last It reports it",
			contains: "expected action update, got create",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := harness.Result{Scenario: scenarios.Scenario{ID: "s", Title: "T", Expect: tt.expect}, Outcome: tt.got}
			r.Mismatches = tt.expect.Check(tt.got)
			for _, st := range scenarios.Steps {
				msg := r.StepFailure(st.Type)
				if (msg != "") != (st.Type == tt.failAt) {
					t.Errorf("StepFailure(%s) = %q, want a failure only at %q (%s)", st.Type, msg, tt.failAt, tt.reason)
				}
			}
			if tt.contains != "" && !strings.Contains(r.Failure(), tt.contains) {
				t.Errorf("Failure() = %q, want it to contain %q", r.Failure(), tt.contains)
			}
			if tt.contains == "" && !r.Passed() {
				t.Errorf("Passed() = false, mismatches %v", r.Mismatches)
			}
		})
	}
}

func TestWriteSummary(t *testing.T) {
	rows := []harness.Row{
		{Scenario: "match-duplicate", Expected: "matching", Actual: "matching", ErrorCode: "DuplicateTargetEntries", Passed: true},
		{Scenario: "action-create", Expected: "none (create)", Actual: "export", ErrorCode: "EntryConflict"},
		{Scenario: "import-later", Expected: "none (create)", Actual: "-", ErrorCode: "-", Pending: true},
	}
	var b bytes.Buffer
	if err := harness.WriteSummary(&b, rows, false); err != nil {
		t.Fatal(err)
	}
	want := `SCENARIO         EXPECTED STEP  ACTUAL STEP  ERROR CODE              RESULT
action-create    none (create)  export       EntryConflict           FAIL
import-later     none (create)  -            -                       pending
match-duplicate  matching       matching     DuplicateTargetEntries  ok
1 passed, 1 failed, 1 skipped
`
	if got := b.String(); got != want {
		t.Errorf("WriteSummary() =\n%s\nwant\n%s", got, want)
	}
}

func TestLoad_UnknownID(t *testing.T) {
	_, err := harness.LoadDir(filepath.Join("..", "scenarios"), "no-such-scenario")
	if err == nil || !strings.Contains(err.Error(), `"no-such-scenario"`) {
		t.Errorf("Load(unknown id) error = %v, want one naming the id", err)
	}
}

// TestSuite_WrongExpectation runs this very test binary over a catalog whose expectation is wrong
// and checks that the Ginkgo suite fails, naming the scenario, the expected step and the actual one.
func TestSuite_WrongExpectation(t *testing.T) {
	if sc, _ := ginkgo.GinkgoConfiguration(); sc.ParallelProcess > 1 {
		t.Skip("runs once, on the first parallel process")
	}
	if testing.Short() {
		t.Skip("starts a second test process")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestScenarios$", "-ginkgo.no-color",
		"-scenarios", filepath.Join("testdata", "wrong-expectation"))
	cmd.Env = append(os.Environ(), "SCIMSIM_TARGET=")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("suite over a wrong catalog: err = %v, want a failing exit status\n%s", err, out)
	}
	for _, want := range []string{
		"scenario expects-duplicate (A catalog whose expectation is wrong",
		"expected step matching, actual step none (status success, action create)",
		"expected error code DuplicateTargetEntries, got none",
		"expects-duplicate  matching       none (create)  -           FAIL",
		"pending-case       matching       -              -           pending",
		"1 passed, 1 failed, 1 skipped",
	} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("suite output lacks %q:\n%s", want, out)
		}
	}
}

func BenchmarkRunAll_Catalog(b *testing.B) {
	cases, err := harness.LoadDir(filepath.Join("..", "scenarios"))
	if err != nil {
		b.Fatal(err)
	}
	srv, err := simulator.New(simulator.WithSeed(7))
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	target := harness.NewSimulator(srv, ts.URL)
	b.ReportAllocs()
	for b.Loop() {
		for _, res := range harness.RunAll(context.Background(), target, cases, harness.Options{}) {
			if !res.Passed() && res.Scenario.Pending == "" {
				b.Fatal(res.Failure())
			}
		}
	}
	b.ReportMetric(float64(len(cases)), "scenarios/op")
}

func TestSimulator_GroupMembers(t *testing.T) {
	srv, err := simulator.New()
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	target := harness.NewSimulator(srv, ts.URL)
	sc := &scenarios.Scenario{ID: "inspect", Target: scenarios.Target{
		Users:  []map[string]any{{"id": "u1", "userName": "a"}, {"id": "u2", "userName": "b"}},
		Groups: []map[string]any{{"displayName": "Two", "members": []any{map[string]any{"value": "u1"}, map[string]any{"value": "u2"}}}},
	}}
	if _, err := target.Prepare(context.Background(), sc); err != nil {
		t.Fatal(err)
	}
	if n, err := target.GroupMembers(context.Background(), sc, "Two"); err != nil || n != 2 {
		t.Errorf("GroupMembers(Two) = %d, %v; want 2, nil", n, err)
	}
	if _, err := target.GroupMembers(context.Background(), sc, "None"); err == nil || !strings.Contains(err.Error(), `0 groups called "None"`) {
		t.Errorf("GroupMembers(None) error = %v, want one saying no such group", err)
	}
	if n, err := target.Users(sc); err != nil || n != 2 {
		t.Errorf("Users() = %d, %v; want 2, nil", n, err)
	}
}

// A run that met its expectation but left resources on an external endpoint fails, at the last It
// only: no step is to blame.
func TestResult_CleanupFailure(t *testing.T) {
	e := scenarios.Expect{Status: "success", Action: "create"}
	o := scenarios.Outcome{Status: "success", Action: "create"}
	r := harness.Result{Scenario: scenarios.Scenario{ID: "s", Title: "T", Expect: e}, Outcome: o, Mismatches: e.Check(o),
		Cleanup: errors.New(`cleanup: Users "scimsim-1a2b3c4d-1-alice@contoso.com" (id 42) left behind: DELETE answered 500`)}
	if r.Passed() {
		t.Fatal("Passed() = true with resources left behind")
	}
	for _, st := range scenarios.Steps {
		if msg := r.StepFailure(st.Type); msg != "" {
			t.Errorf("StepFailure(%s) = %q, want no step blamed", st.Type, msg)
		}
	}
	if got, want := r.Failure(), "scenario s (T): met its expectation\n  left resources behind on the target: cleanup: Users \"scimsim-1a2b3c4d-1-alice@contoso.com\" (id 42) left behind: DELETE answered 500"; got != want {
		t.Errorf("Failure() =\n%s\nwant\n%s", got, want)
	}
	if row := r.Row(); row.Passed || row.Actual != "none (create)" {
		t.Errorf("Row() = %+v, want a failed row that still shows the run's end", row)
	}
}

// expect.targetUser reads the user back from the target: an attribute the expectation says is absent
// while the target stores it fails the run, naming the attribute, on the simulator and on an external
// endpoint alike.
func TestRun_TargetUser(t *testing.T) {
	cases, err := harness.LoadDir(filepath.Join("testdata", "stored-attribute"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := simulator.New()
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	external := simulator.NewTestServer(t, simulator.WithToken(externalToken))
	targets := map[string]harness.Target{
		"simulator": harness.NewSimulator(srv, ts.URL),
		"external":  &harness.External{URL: external.SCIMURL(""), Token: externalToken},
	}
	for name, target := range targets {
		t.Run(name, func(t *testing.T) {
			got := map[string]string{}
			for _, res := range harness.RunAll(context.Background(), target, cases, harness.Options{}) {
				if res.Err != nil || res.Cleanup != nil {
					t.Fatalf("%s: err %v, cleanup %v", res.Scenario.ID, res.Err, res.Cleanup)
				}
				got[res.Scenario.ID] = res.Failure()
			}
			if msg := got["stores-what-was-sent"]; msg != "" {
				t.Errorf("stores-what-was-sent failed:\n%s", msg)
			}
			want := `expected the target's user "alice@contoso.com" not to store displayName, it stores "Alice Smith"`
			if msg := got["expects-display-name-absent"]; !strings.Contains(msg, want) {
				t.Errorf("expects-display-name-absent: Failure() =\n%s\nwant it to contain %q", msg, want)
			}
		})
	}
}

func TestRun_TargetUserNotFound(t *testing.T) {
	cases, err := harness.LoadDir(filepath.Join("testdata", "stored-attribute"), "stores-what-was-sent")
	if err != nil {
		t.Fatal(err)
	}
	c := cases[0]
	c.Scenario.Expect.TargetUser = &scenarios.UserExpect{UserName: "nobody@contoso.com", Absent: []string{"displayName"}}
	srv, err := simulator.New()
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	res := harness.Run(context.Background(), harness.NewSimulator(srv, ts.URL), c, harness.Options{})
	want := `expected the target to hold a user "nobody@contoso.com" after the run, it holds none`
	if !slices.Contains(res.Mismatches, want) {
		t.Errorf("Run() mismatches = %q (err %v), want %q", res.Mismatches, res.Err, want)
	}
}

// TestCatalog_errorCodes: every error code the catalog expects is a row of entra's table of codes,
// the only place codes are written.
func TestCatalog_errorCodes(t *testing.T) {
	all, err := scenarios.LoadDir("../scenarios")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range all {
		if c := s.Expect.ErrorCode; c != "" && !entra.Known(c) {
			t.Errorf("%s: expect.errorCode %q is not in entra's table of codes (docs/error-codes.md)", s.File, c)
		}
	}
}
