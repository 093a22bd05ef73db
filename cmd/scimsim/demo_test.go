package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/scimsim/scimsim"
	"github.com/scimsim/scimsim/internal/golden"
	"github.com/scimsim/scimsim/scenarios"
)

var (
	catalog      = filepath.Join("..", "..", "scenarios")
	wrongCatalog = filepath.Join("..", "..", "harness", "testdata", "wrong-expectation")
)

// TestDemo: by default the demo fits a screen: one report per step, in the document's order, the
// counts by step and label, and how to see everything, in under 250 lines when piped.
func TestDemo(t *testing.T) {
	code, out, errOut := runCLI(t, "demo", "--color", "never")
	if code != 0 {
		t.Fatalf("demo exit status = %d, want 0\nstderr: %s\n%s", code, errOut, out)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) >= 250 {
		t.Errorf("demo printed %d lines, want under 250 (one report per step and the summary)", len(lines))
	}
	if n := len(regexp.MustCompile(`(?m)^━━ \S+ — `).FindAllString(out, -1)); n != len(scenarios.Steps) {
		t.Errorf("demo printed %d reports, want one per step (%d)", n, len(scenarios.Steps))
	}
	last := -1
	for _, st := range scenarios.Steps {
		id := showcased[st.Type]
		i := strings.Index(out, "━━ "+id+" — ")
		if i < 0 {
			t.Errorf("demo does not show the report of %s for step %s", id, st.Type)
			continue
		}
		if i < last {
			t.Errorf("the report of %s comes before the previous step's", id)
		}
		last = i
	}
	all, err := scenarios.Load(scimsim.Files, "scenarios")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		fmt.Sprintf("━━ %d scenarios: %d as documented, 0 not", len(all), len(all)),
		"EXPECTED TO END AT                       SCENARIOS   OK  FAIL  PENDING",
		"4. Match user between source and target",
		"\nconformance ",
		"DuplicateTargetEntries: 2 users in the target",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("demo --color never wrote ANSI escapes")
	}
	if got := strings.Join(lines[len(lines)-3:], "\n"); got != "Every report and the whole table: scimsim demo --all\nOne scenario: scimsim scenarios run ID (scimsim scenarios list shows the ids)\nThe same on a web page, laid out like the portal's: scimsim ui, then open http://127.0.0.1:8090/scenarios" {
		t.Errorf("demo ends with %q, want how to see every report", got)
	}
}

func TestDemo_All(t *testing.T) {
	code, out, errOut := runCLI(t, "demo", "--all", "--scenarios", catalog, "--label", "matching", "--color", "never")
	if code != 0 {
		t.Fatalf("demo exit status = %d, want 0\nstderr: %s\n%s", code, errOut, out)
	}
	golden.Contains(t, "demo output", out,
		"━━ match-duplicate-target-entries — The target returns two users for the matching query",
		"Step 4: Match user between source and target > Troubleshooting tips · expected matching failure (DuplicateTargetEntries) · ✓ as documented",
		"DuplicateTargetEntries",
		"Resolve this problem by ensuring that the matching attribute is unique.",
		"━━ match-non-unique-email — ",
		"SCENARIO ",
		"match-non-unique-email ",
	)
	if strings.Contains(out, "scope-not-assigned") {
		t.Error("demo --label matching ran a scenario without that label")
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if last := lines[len(lines)-1]; !strings.HasSuffix(last, " passed, 0 failed") {
		t.Errorf("demo closing line = %q, want \"N passed, 0 failed\"", last)
	}
}

func TestDemo_WrongExpectationFails(t *testing.T) {
	code, out, errOut := runCLI(t, "demo", "--all", "--scenarios", wrongCatalog, "--color", "never")
	if code != 1 {
		t.Fatalf("demo over a wrong catalog: exit status = %d, want 1\n%s", code, out)
	}
	golden.Contains(t, "demo output", out,
		"✗ not as documented",
		"scenario expects-duplicate (A catalog whose expectation is wrong (alice is created, not refused as a duplicate)): expected step matching, actual step none (status success, action create)",
		"pending: shows how a case scimsim cannot reproduce yet is kept in a catalog",
		"1 passed, 1 failed, 1 skipped",
	)
	if want := "scimsim: 1 of 3 scenarios did not meet their expectation"; !strings.Contains(errOut, want) {
		t.Errorf("stderr = %q, want %q", errOut, want)
	}

	// Without --all, the summary names the scenario that missed and says why.
	code, out, _ = runCLI(t, "demo", "--scenarios", wrongCatalog, "--color", "never")
	for _, want := range []string{
		"━━ 3 scenarios: 1 as documented, 1 not, 1 pending",
		"Not as documented (scimsim scenarios run ID shows the report):\n  scenario expects-duplicate (",
		"4. Match user between source and target          2    0     1        1",
	} {
		if code != 1 || !strings.Contains(out, want) {
			t.Errorf("demo over a wrong catalog: exit %d, output lacks %q:\n%s", code, want, out)
		}
	}
}

func TestScenariosRun(t *testing.T) {
	code, out, errOut := runCLI(t, "scenarios", "run", "--scenarios", catalog, "--quiet", "--color", "always", "action-create", "scope-not-assigned")
	if code != 0 {
		t.Fatalf("scenarios run: exit status = %d, want 0\nstderr: %s\n%s", code, errOut, out)
	}
	if strings.Contains(out, "━━") {
		t.Errorf("--quiet printed the reports of scenarios that met their expectation:\n%s", out)
	}
	for _, want := range []string{"action-create ", "scope-not-assigned ", "\x1b[32mok\x1b[0m", "2 passed, 0 failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("scenarios run output lacks %q:\n%s", want, out)
		}
	}
}

func TestScenarios_BadInput(t *testing.T) {
	runCases(t, []cliCase{
		{"unknown id", []string{"scenarios", "run", "--scenarios", catalog, "no-such-case"}, 2, "", `no scenario "no-such-case" in the catalog`},
		{"broken catalog", []string{"scenarios", "list", "--scenarios", filepath.Join("..", "..", "testdata", "scenarios-broken")}, 2, "", `unknown-key.yaml:6:1: unknown key "subjcet" (did you mean "subject"?)`},
		{"unknown label", []string{"scenarios", "list", "--scenarios", catalog, "--label", "nope"}, 2, "", "no scenario carries the label nope"},
		{"bad colour", []string{"demo", "--scenarios", catalog, "--color", "sometimes"}, 2, "", `--color "sometimes": want auto, always or never`},
	})
}

func TestScenariosList(t *testing.T) {
	code, out, errOut := runCLI(t, "scenarios", "list", "--scenarios", catalog, "--label", "groups")
	if code != 0 {
		t.Fatalf("scenarios list: exit status = %d\n%s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if got := strings.Fields(lines[0]); strings.Join(got, " ") != "ID TITLE LABELS DOC" {
		t.Errorf("header = %q, want ID TITLE LABELS DOC", lines[0])
	}
	var six string
	for _, l := range lines {
		if strings.HasPrefix(l, "group-six-members ") {
			six = l
		}
	}
	for _, want := range []string{"A group with six members is refused", "groups,limitations", "Known limitations"} {
		if !strings.Contains(six, want) {
			t.Errorf("row of group-six-members = %q, want it to contain %q", six, want)
		}
	}
	all, err := scenarios.LoadDir(catalog)
	if err != nil {
		t.Fatal(err)
	}
	groups := 0
	for _, s := range all {
		if s.HasLabel("groups") {
			groups++
		}
	}
	if got, want := lines[len(lines)-1], fmt.Sprintf("%d scenarios", groups); got != want {
		t.Errorf("closing line = %q, want %q", got, want)
	}
	if got := len(lines) - 2; got != groups {
		t.Errorf("scenarios list --label groups printed %d rows, want %d", got, groups)
	}
}

// The binary carries its catalog and the example files: `scimsim scenarios` and `demo` work from a
// directory that holds none of them, and so does the README's provision example.
func TestCarriedCatalog_AnyDirectory(t *testing.T) {
	t.Chdir(t.TempDir())
	code, out, errOut := runCLI(t, "scenarios", "run", "--quiet", "--color", "never", "action-create", "default-job-create")
	if code != 0 || !strings.Contains(out, "2 passed, 0 failed") {
		t.Fatalf("scenarios run in an empty directory: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "scenarios", "list")
	all, err := scenarios.Load(scimsim.Files, "scenarios")
	if err != nil {
		t.Fatal(err)
	}
	if code != 0 || !strings.HasSuffix(out, fmt.Sprintf("\n%d scenarios\n", len(all))) {
		t.Errorf("scenarios list in an empty directory: exit %d, want %d scenarios\n%s%s", code, len(all), out, errOut)
	}
	code, out, errOut = runCLI(t, "expr", "[givenName]", "--source", "testdata/sources/contoso.yaml", "--user", "alice@contoso.com")
	if code != 0 || out != "Alice\n" || !strings.Contains(errOut, "no file testdata/sources/contoso.yaml here: using the copy built into scimsim") {
		t.Errorf("expr --source testdata/sources/contoso.yaml in an empty directory: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if code, _, errOut = runCLI(t, "expr", "[givenName]", "--source", "testdata/sources/nope.yaml", "--user", "alice"); code != 2 || !strings.Contains(errOut, "nope.yaml: no such file") {
		t.Errorf("expr --source nope.yaml: exit %d, stderr %q, want 2 naming the file", code, errOut)
	}
}

// Each showcased scenario is in the catalog and is expected to end at the step it shows.
func TestShowcased(t *testing.T) {
	all, err := scenarios.Load(scimsim.Files, "scenarios")
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range scenarios.Steps {
		id, ok := showcased[st.Type]
		if !ok {
			t.Errorf("no scenario showcased for step %s", st.Type)
			continue
		}
		sel, err := scenarios.Select(all, id)
		if err != nil {
			t.Error(err)
			continue
		}
		if got := sel[0].Expect.FailedStep; got != st.Type {
			t.Errorf("showcased %s is expected to end at %q, not at step %s", id, got, st.Type)
		}
	}
}
