package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scimsim/scimsim/internal/golden"
	"github.com/scimsim/scimsim/job"
	"github.com/scimsim/scimsim/simulator"
	"github.com/scimsim/scimsim/simulator/faults"
)

// writeTemp writes a file in a temporary directory and returns its path.
func writeTemp(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSync_exitCodes(t *testing.T) {
	ts := simulator.NewTestServer(t, simulator.WithToken("secret"))
	base := []string{"--source", provisionSource, "--target", ts.SCIMURL(""), "--now", "2026-11-25T10:00:00Z"}
	with := func(args ...string) []string { return slices.Concat(base, args) }
	unknown := writeTemp(t, "unknown.yaml", "cycles:\n  - cycle: 2\n    softDelete: [u-nobody]\n")
	changes := writeTemp(t, "changes.yaml", "cycles:\n  - cycle: 3\n    softDelete: [u-bob]\n")
	runCases(t, []cliCase{
		{"active", with("--token", "secret", "--cycles", "2"), 0, "Status: Active", ""},
		{"changes apply", with("--token", "secret", "--changes", changes), 0, "cycle 3  incremental  2026-11-25T11:20:00Z  1 processed: 0 created, 0 updated, 1 disabled", ""},
		{"quarantine", with("--token", "wrong"), 1, "Status: Quarantine: EncounteredQuarantineException since 2026-11-25T10:00:", ""},
		{"json", with("--token", "wrong", "--json"), 1, `"reason": "EncounteredQuarantineException"`, ""},
		{"cycles 0", with("--token", "secret", "--cycles", "0"), 2, "", "--cycles 0: run at least one cycle"},
		{"cycles and until", with("--cycles", "2", "--until", "2h"), 2, "", "cannot be used together"},
		{"bad until", with("--until", "soon"), 2, "", `--until "soon"`},
		{"unknown object", with("--token", "secret", "--changes", unknown), 2, "", "unknown.yaml:3:18: softDelete[0]: cycle 2: no user or group has objectId \"u-nobody\""},
		{"changes beyond the cycles", with("--token", "secret", "--changes", changes, "--cycles", "2"), 2, "", "changes.yaml:2:5: cycles: changes for cycle 3, but --cycles 2 runs only 2"},
		{"unreachable", []string{"--source", provisionSource, "--target", "http://127.0.0.1:1/scim/v2", "--token", "x"}, 2, "", "the target cannot be reached"},
		{"no source", []string{"--target", ts.SCIMURL("")}, 2, "", "--source is required"},
		{"bad log format", with("--provisioning-log-format", "xml"), 2, "", `--provisioning-log-format "xml"`},
	}, "sync")
}

// TestSync_docSample runs the sample of docs/sync.md and compares its output with the file's
// block (-update rewrites it): Contoso's tenant, the token expiring after the initial cycle.
func TestSync_docSample(t *testing.T) {
	ts := simulator.NewTestServer(t, simulator.WithToken("secret"))
	changes := writeTemp(t, "changes.yaml", "cycles:\n  - cycle: 2\n    change:\n      users: [{objectId: u-bob, jobTitle: VP Marketing}]\n")
	// The token expires after the initial cycle: the fault lets the initial cycle's requests through.
	code, stdout, _ := runCmd(t, "sync", "--source", provisionSource, "--target", ts.SCIMURL("sample"), "--token", "secret",
		"--cycles", "1", "--now", "2026-11-25T10:00:00Z")
	if code != 0 {
		t.Fatalf("dry run: exit %d\n%s", code, stdout)
	}
	reqs, err := ts.Admin.Requests(context.Background(), "sample")
	if err != nil {
		t.Fatal(err)
	}
	ts.Admin.Reset(context.Background(), "sample")
	if _, err := ts.Admin.AddFault(context.Background(), "sample", faults.Spec{Type: "auth_failure", After: len(reqs)}); err != nil {
		t.Fatal(err)
	}
	_, stdout, _ = runCmd(t, "sync", "--source", provisionSource, "--target", ts.SCIMURL("sample"), "--token", "secret",
		"--changes", changes, "--cycles", "3", "--now", "2026-11-25T10:00:00Z")
	var cycles []string
	for _, l := range strings.Split(stdout, "\n") {
		if strings.HasPrefix(l, "cycle ") {
			cycles = append(cycles, l)
		}
	}
	got := strings.Join(cycles, "\n") + "\n"
	golden.Section(t, "../../docs/sync.md", "<!-- sync-sample", "<!-- end sync-sample -->", "```\n"+got+"```\n")
}

// TestProvision_provisioningLog: `scimsim provision --provisioning-log` writes its run as a log
// entry, in the JSON format of `scimsim sync`, and its --json report keeps its keys.
func TestProvision_provisioningLog(t *testing.T) {
	ts := simulator.NewTestServer(t, simulator.WithToken("secret"))
	path := filepath.Join(t.TempDir(), "run.json")
	code, stdout, stderr := runCmd(t, "provision", "--source", provisionSource, "--config", provisionConfig, "--target", ts.SCIMURL(""),
		"--token", "secret", "--group", "Marketing", "--json", "--now", "2026-11-25T10:00:00Z", "--provisioning-log", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep map[string]any
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || rep["steps"] == nil || rep["subject"] == nil {
		t.Fatalf("--json report changed: %v", err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var entries []job.Entry
	if err := json.Unmarshal(b, &entries); err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].SourceIdentity.IdentityType != "User" || entries[1].SourceIdentity.DisplayName != "Marketing" ||
		entries[1].Action != "Create" || entries[1].ActivityDateTime.Format("2006-01-02T15:04:05Z") != "2026-11-25T10:00:00Z" {
		t.Fatalf("entries = %+v", entries)
	}
}
