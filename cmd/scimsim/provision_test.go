package main

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/report"
	"github.com/scimsim/scimsim/simulator"
)

const (
	provisionSource = "../../testdata/sources/contoso.yaml"
	provisionConfig = "../../testdata/configs/contoso.yaml"
)

func TestProvision_exitCodes(t *testing.T) {
	ts := simulator.NewTestServer(t, simulator.WithToken("secret"))
	base := []string{"--source", provisionSource, "--config", provisionConfig, "--target", ts.SCIMURL(""), "--now", "2026-11-25T10:00:00Z"}
	target := func(args ...string) []string { return slices.Concat(base, []string{"--token", "secret"}, args) }
	runCases(t, []cliCase{
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
		{"bad config", []string{"--source", provisionSource, "--config", "../../engine/testdata/config-errors/unknown-job-key.yaml", "--user", "alice"}, 2, "", `unknown-job-key.yaml:4:3: unknown key "timeuot"`},
		{"unknown flag", target("--usr", "alice"), 2, "", "unknown flag"},
	}, "provision")
}

func TestProvision_json(t *testing.T) {
	ts := simulator.NewTestServer(t, simulator.WithToken("secret"))
	code, stdout, stderr := runCmd(t, "provision", "--source", provisionSource, "--config", provisionConfig,
		"--target", ts.SCIMURL(""), "--token", "secret", "--user", "alice@contoso.com", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep engine.Report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("--json output is not a report: %v\n%s", err, stdout)
	}
	if rep.Status != report.StatusSuccess || rep.Action != report.ActionCreate || len(rep.Steps) != 5 {
		t.Errorf("report = %s/%s with %d steps, want success/create with 5", rep.Status, rep.Action, len(rep.Steps))
	}
	if strings.Contains(stdout, `"secret"`) || strings.Contains(stdout, "Bearer secret") {
		t.Error("the token appears in the JSON report")
	}
}

func TestProvision_colorAlways(t *testing.T) {
	ts := simulator.NewTestServer(t, simulator.WithToken("secret"))
	_, stdout, _ := runCmd(t, "provision", "--source", provisionSource, "--config", provisionConfig,
		"--target", ts.SCIMURL(""), "--token", "secret", "--user", "alice@contoso.com", "--color", "always")
	if !strings.Contains(stdout, "\x1b[32m") {
		t.Errorf("--color always printed no colour:\n%s", stdout)
	}
}

// TestProvision_exitErrorQuiet: a failed step exits 1 without repeating the report on stderr.
func TestProvision_exitErrorQuiet(t *testing.T) {
	var errb bytes.Buffer
	err := failedAsReported()
	if got := exitCode(err, &errb); got != 1 || errb.Len() != 0 {
		t.Errorf("exitCode = %d, stderr %q; want 1 and nothing", got, errb.String())
	}
}

// TestProvision_badTargets: an unreachable target, a TLS mismatch either way, an answer that is not
// SCIM and a wrong token each end the run at step 1 with one sentence naming the cause, exit 1,
// and no stack trace; an untrusted certificate is trusted with --ca-cert or --insecure.
func TestProvision_badTargets(t *testing.T) {
	plain := simulator.NewTestServer(t, simulator.WithToken("secret"))
	tlsSim, err := simulator.New(simulator.WithToken("secret"))
	if err != nil {
		t.Fatal(err)
	}
	tlsSrv := httptest.NewTLSServer(tlsSim)
	t.Cleanup(tlsSrv.Close)
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html><body>Sign in</body></html>"))
	}))
	t.Cleanup(html.Close)
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	caFile := writeTemp(t, "ca.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tlsSrv.Certificate().Raw})))
	httpsURL := tlsSrv.URL + "/scim/v2"
	for _, tt := range []struct {
		name, target, token string
		extra               []string
		code                int
		phrase              string
	}{
		{"unreachable", closedURL + "/scim/v2", "secret", nil, 1, "ConnectionFailed"},
		{"http to a TLS server", strings.Replace(httpsURL, "https://", "http://", 1), "secret", nil, 1, "this endpoint speaks HTTPS"},
		{"https to a plain server", strings.Replace(plain.SCIMURL(""), "http://", "https://", 1), "secret", nil, 1, "speaks plain HTTP"},
		{"untrusted certificate", httpsURL, "secret", nil, 1, "--ca-cert FILE"},
		{"trusted with --ca-cert", httpsURL, "secret", []string{"--ca-cert", caFile}, 0, "Match user between source and target  success"},
		{"trusted with --insecure", httpsURL, "secret", []string{"--insecure"}, 0, "Match user between source and target  success"},
		{"not SCIM", html.URL + "/scim/v2", "secret", nil, 1, "SystemForCrossDomainIdentityManagementServiceIncompatible"},
		{"wrong token", plain.SCIMURL(""), "WRONG", nil, 1, "Unauthorized"},
		{"--ca-cert file missing", httpsURL, "secret", []string{"--ca-cert", filepath.Join(t.TempDir(), "none.pem")}, 2, "--ca-cert"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := slices.Concat([]string{"--source", provisionSource, "--user", "alice@contoso.com", "--target", tt.target, "--token", tt.token}, tt.extra)
			code, stdout, stderr := runCmd(t, "provision", args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, stdout, stderr)
			}
			if !strings.Contains(stdout+stderr, tt.phrase) {
				t.Errorf("output does not say %q:\n%s%s", tt.phrase, stdout, stderr)
			}
			if strings.Contains(stdout+stderr, "goroutine ") || strings.Contains(stdout+stderr, "panic") {
				t.Errorf("a stack trace:\n%s%s", stdout, stderr)
			}
		})
	}
}
