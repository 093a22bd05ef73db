package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/simulator"
)

const (
	provisionSource = "../../testdata/sources/contoso.yaml"
	provisionConfig = "../../testdata/configs/contoso.yaml"
)

// runProvisionCmd runs `scimsim provision args...` and returns its exit code and output.
func runProvisionCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), append([]string{"provision"}, args...), &out, &errb)
	code = exitCode(err, &errb)
	return code, out.String(), errb.String()
}

func TestProvision_exitCodes(t *testing.T) {
	ts := simulator.NewTestServer(t, simulator.WithToken("secret"))
	base := []string{"--source", provisionSource, "--config", provisionConfig, "--target", ts.SCIMURL(""), "--now", "2026-11-25T10:00:00Z"}
	target := func(args ...string) []string { return slices.Concat(base, []string{"--token", "secret"}, args) }
	for _, tt := range []struct {
		name   string
		args   []string
		code   int
		stdout string // a phrase stdout must contain
		stderr string // a phrase stderr must contain
	}{
		{"created", target("--user", "alice@contoso.com"), 0, "Result: success, action create", ""},
		{"skipped is not a failure", target("--user", "erin@contoso.com"), 0, "EntrySynchronizationSkipped", ""},
		{"step failed", slices.Concat(base, []string{"--token", "wrong", "--user", "bob@contoso.com", "--show-requests"}), 1, `-H "Authorization: Bearer $TOKEN"`, ""},
		{"not found", target("--user", "nobody@contoso.com"), 1, "SubjectNotFound", ""},
		{"group", target("--group", "Marketing"), 0, "Member bob@contoso.com:", ""},
		{"no source", []string{"--config", provisionConfig, "--user", "alice"}, 2, "", "--source is required"},
		{"no subject", []string{"--source", provisionSource, "--config", provisionConfig}, 2, "", "--user or --group"},
		{"member without group", target("--user", "alice", "--member", "bob"), 2, "", "--member needs --group"},
		{"bad now", target("--user", "alice", "--now", "noon"), 2, "", `--now "noon"`},
		{"bad color", target("--user", "alice", "--color", "pink"), 2, "", `--color "pink"`},
		{"bad config", []string{"--source", provisionSource, "--config", "../../engine/testdata/config-errors/unknown-job-key.yaml", "--user", "alice"}, 2, "", `unknown-job-key.yaml:4: unknown key "timeuot"`},
		{"unknown flag", target("--usr", "alice"), 2, "", "unknown flag"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runProvisionCmd(t, tt.args...)
			if code != tt.code {
				t.Fatalf("exit code = %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, stdout, stderr)
			}
			if !strings.Contains(stdout, tt.stdout) {
				t.Errorf("stdout does not contain %q:\n%s", tt.stdout, stdout)
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr does not contain %q:\n%s", tt.stderr, stderr)
			}
			if strings.Contains(stdout, "\x1b[") {
				t.Errorf("colours in output that is not a terminal")
			}
		})
	}
}

func TestProvision_json(t *testing.T) {
	ts := simulator.NewTestServer(t, simulator.WithToken("secret"))
	code, stdout, stderr := runProvisionCmd(t, "--source", provisionSource, "--config", provisionConfig,
		"--target", ts.SCIMURL(""), "--token", "secret", "--user", "alice@contoso.com", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep engine.Report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("--json output is not a report: %v\n%s", err, stdout)
	}
	if rep.Status != engine.StatusSuccess || rep.Action != engine.ReportCreate || len(rep.Steps) != 5 {
		t.Errorf("report = %s/%s with %d steps, want success/create with 5", rep.Status, rep.Action, len(rep.Steps))
	}
	if strings.Contains(stdout, `"secret"`) || strings.Contains(stdout, "Bearer secret") {
		t.Error("the token appears in the JSON report")
	}
}

func TestProvision_colorAlways(t *testing.T) {
	ts := simulator.NewTestServer(t, simulator.WithToken("secret"))
	_, stdout, _ := runProvisionCmd(t, "--source", provisionSource, "--config", provisionConfig,
		"--target", ts.SCIMURL(""), "--token", "secret", "--user", "alice@contoso.com", "--color", "always")
	if !strings.Contains(stdout, "\x1b[32m") {
		t.Errorf("--color always printed no colour:\n%s", stdout)
	}
}

// TestProvision_exitErrorQuiet: a failed step exits 1 without repeating the report on stderr.
func TestProvision_exitErrorQuiet(t *testing.T) {
	var errb bytes.Buffer
	err := &exitError{code: 1, err: errors.New("")}
	if got := exitCode(err, &errb); got != 1 || errb.Len() != 0 {
		t.Errorf("exitCode = %d, stderr %q; want 1 and nothing", got, errb.String())
	}
}
