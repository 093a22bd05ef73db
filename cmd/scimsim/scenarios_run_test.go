package main

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/reporters"

	"github.com/scimsim/scimsim/simulator"
)

// TestScenariosRun_Reports: --junit writes one testsuite per scenario and one testcase per step
// (then the outcome), classname the scenario id, the failure at the step where the run went wrong
// with the expected and the actual end in its message; --json the outcome of each scenario.
func TestScenariosRun_Reports(t *testing.T) {
	dir := t.TempDir()
	junitPath, jsonPath := filepath.Join(dir, "out", "junit.xml"), filepath.Join(dir, "out", "run.json")
	code, out, errOut := runCLI(t, "scenarios", "run", "--scenarios", wrongCatalog, "--quiet", "--color", "never", "--junit", junitPath, "--json", jsonPath)
	if code != 1 {
		t.Fatalf("exit status %d, want 1 (one scenario misses its expectation)\n%s%s", code, out, errOut)
	}
	b, err := os.ReadFile(junitPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), xml.Header) {
		t.Errorf("JUnit report does not start with the XML header:\n%.200s", b)
	}
	var rep reporters.JUnitTestSuites
	if err := xml.Unmarshal(b, &rep); err != nil {
		t.Fatalf("JUnit report does not parse: %v", err)
	}
	if len(rep.TestSuites) != 3 || rep.Tests != 18 || rep.Failures != 1 || rep.Errors != 0 || rep.Disabled != 8 {
		t.Errorf("testsuites: %d suites, tests=%d failures=%d errors=%d disabled=%d; want 3, 18, 1, 0, 8", len(rep.TestSuites), rep.Tests, rep.Failures, rep.Errors, rep.Disabled)
	}
	suites := map[string]reporters.JUnitTestSuite{}
	for _, s := range rep.TestSuites {
		suites[s.Name] = s
		for _, tc := range s.TestCases {
			if tc.Classname != s.Name {
				t.Errorf("testcase %q of %s has classname %q, want the scenario id", tc.Name, s.Name, tc.Classname)
			}
		}
	}
	dup := suites["expects-duplicate"]
	var states []string
	for _, tc := range dup.TestCases {
		states = append(states, tc.Status)
	}
	if got, want := strings.Join(states, ","), "passed,passed,passed,failed,skipped,skipped"; got != want {
		t.Errorf("expects-duplicate testcase states = %s, want %s", got, want)
	}
	if len(dup.TestCases) == 6 {
		tc := dup.TestCases[3]
		if tc.Name != "4. Match user between source and target" || tc.Failure == nil ||
			tc.Failure.Message != "expected matching failure (DuplicateTargetEntries); actual success, action create" {
			t.Errorf("failed testcase = %q, failure %+v", tc.Name, tc.Failure)
		}
		if !strings.Contains(dup.TestCases[1].SystemOut, "userPrincipalName: alice@contoso.com") {
			t.Errorf("import testcase system-out lacks the step's details: %q", dup.TestCases[1].SystemOut)
		}
	}
	if p := suites["pending-case"]; p.Skipped != 6 || p.TestCases[0].Skipped == nil || !strings.HasPrefix(p.TestCases[0].Skipped.Message, "pending: ") {
		t.Errorf("pending-case suite: skipped=%d, first testcase %+v; want 6 and skipped as pending", p.Skipped, p.TestCases[0])
	}
	if s := suites["expects-right"]; s.Failures != 0 || s.Skipped != 0 || len(s.TestCases) != 6 {
		t.Errorf("expects-right suite: %+v", s)
	}

	var run runJSON
	b, err = os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &run); err != nil {
		t.Fatal(err)
	}
	if run.Target != "simulator" || run.Passed != 1 || run.Failed != 1 || run.Pending != 1 || len(run.Scenarios) != 3 {
		t.Errorf("JSON report: target %s, %d passed, %d failed, %d pending, %d scenarios", run.Target, run.Passed, run.Failed, run.Pending, len(run.Scenarios))
	}
	for _, s := range run.Scenarios {
		if s.ID == "expects-duplicate" && (s.Passed || s.Actual == nil || s.Actual.Action != "create" || s.Expected.ErrorCode != "DuplicateTargetEntries" || s.Report == nil || len(s.Mismatches) == 0) {
			t.Errorf("JSON report of expects-duplicate = %+v", s)
		}
	}
}

// TestInit: the starter catalog is written, passes at once on the simulator, and its conformance
// scenarios pass against an endpoint given with --target, which is left as it was found.
func TestInit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mine")
	code, out, errOut := runCLI(t, "init", dir)
	if code != 0 || !strings.Contains(out, "run it: scimsim scenarios run --scenarios "+dir) {
		t.Fatalf("init: exit %d\n%s%s", code, out, errOut)
	}
	for _, name := range []string{"README.md", "source.yaml", "config.yaml", "create-user.yaml", "duplicate-match.yaml", "group-engineering.yaml"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("init did not write %s: %v", name, err)
		}
	}
	code, out, errOut = runCLI(t, "scenarios", "run", "--scenarios", dir, "--quiet", "--color", "never")
	if code != 0 || !strings.HasSuffix(out, "3 passed, 0 failed\n") {
		t.Errorf("the starter catalog: exit %d, want 3 passed\n%s%s", code, out, errOut)
	}

	ts := simulator.NewTestServer(t, simulator.WithToken("app-token"))
	junitPath := filepath.Join(t.TempDir(), "junit.xml")
	code, out, errOut = runCLI(t, "scenarios", "run", "--scenarios", dir, "--quiet", "--color", "never",
		"--target", ts.SCIMURL(""), "--token", "app-token", "--prefix", "ci-", "--junit", junitPath)
	if code != 0 || !strings.Contains(out, "2 conformance scenarios against "+ts.SCIMURL("")+" (1 other needs the simulator and is left out); everything they create is named ci-") ||
		!strings.HasSuffix(out, "2 passed, 0 failed\n") {
		t.Errorf("the starter catalog against --target: exit %d\n%s%s", code, out, errOut)
	}
	if n := ts.Tenant("").Users(); n != 0 {
		t.Errorf("the endpoint holds %d users after the run, want 0 (everything created is deleted)", n)
	}
	if b, err := os.ReadFile(junitPath); err != nil || strings.Count(string(b), "<testsuite ") != 2 {
		t.Errorf("--junit against --target: %v\n%s", err, b)
	}

	code, _, errOut = runCLI(t, "init", dir)
	if code != 2 || !strings.Contains(errOut, filepath.Join(dir, "README.md")+" exists") {
		t.Errorf("init over a catalog: exit %d, stderr %q; want 2 naming the file", code, errOut)
	}
	t.Chdir(t.TempDir())
	if code, _, errOut = runCLI(t, "init"); code != 0 {
		t.Errorf("init without DIR: exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(defaultInitDir, "create-user.yaml")); err != nil {
		t.Errorf("init without DIR wrote no ./%s: %v", defaultInitDir, err)
	}
}

func TestScenariosRun_TargetBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--token", "t"}, "--token goes with --target URL"},
		{[]string{"--insecure"}, "--insecure goes with --target URL"},
		{[]string{"--target", "ftp://x"}, `external target "ftp://x"`},
		{[]string{"--target", "http://127.0.0.1:9/scim/v2", "export-throttle", "action-create"}, "export-throttle needs the simulator (faults, a profile or a token): against --target only scenarios labelled conformance run"},
		{[]string{"--target", "http://127.0.0.1:9/scim/v2", "--label", "faults"}, "no scenario labelled conformance to run against http://127.0.0.1:9/scim/v2"},
		{[]string{"--target", "https://127.0.0.1:9/scim/v2", "--ca-cert", "x.pem", "--insecure"}, "--ca-cert and --insecure cannot be used together"},
	} {
		code, _, errOut := runCLI(t, append([]string{"scenarios", "run"}, tc.args...)...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("scenarios run %q: exit %d, stderr %q; want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}

// A write whose attempts time out one after the other is warned about once, and a throttled
// write's message counts in the singular what there is one of.
func TestScenariosRun_OneWarningOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.json")
	if code, out, errOut := runCLI(t, "scenarios", "run", "--quiet", "--json", path, "export-timeout", "export-throttle"); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var run runJSON
	if err := json.Unmarshal(b, &run); err != nil {
		t.Fatal(err)
	}
	for _, s := range run.Scenarios {
		switch s.ID {
		case "export-timeout":
			if n := len(s.Report.Warnings); n != 1 || !strings.Contains(s.Report.Warnings[0], "was retried after a timed-out attempt") {
				t.Errorf("export-timeout warnings = %q, want the retried POST once", s.Report.Warnings)
			}
		case "export-throttle":
			if r := s.Report.Reason; !strings.Contains(r, "retry after 1 second. (after 1 attempt, Retry-After 1)") {
				t.Errorf("export-throttle reason = %q", r)
			}
		}
	}
}
