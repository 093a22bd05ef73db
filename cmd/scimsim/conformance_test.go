package main

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/scimsim/scimsim/conformance"
	"github.com/scimsim/scimsim/simulator"
)

// closedURL is the URL of a port nothing listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/scim/v2"
}

// TestConformance_oneSentence: an unreachable target, a non-SCIM answer, a TLS mismatch either way
// and a wrong token each end the run with one sentence on stderr and exit 1, and nothing else.
func TestConformance_oneSentence(t *testing.T) {
	sim := simulator.NewTestServer(t, simulator.WithToken("secret"))
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html><body>Welcome to our app</body></html>")
	}))
	defer html.Close()
	notFound := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"message":"Cannot GET /api/Users"}`)
	}))
	defer notFound.Close()
	tlsSim := httptest.NewUnstartedServer(sim.Server)
	tlsSim.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshakes fail on purpose
	tlsSim.StartTLS()
	defer tlsSim.Close()
	for _, tt := range []struct {
		name, url, token, want string
	}{
		{"unreachable", closedURL(t), "secret", "the endpoint cannot be reached"},
		{"not SCIM", html.URL + "/scim/v2", "secret", "the Tenant URL does not answer SCIM"},
		{"wrong path", notFound.URL + "/api", "secret", "the Tenant URL does not serve SCIM users"},
		{"http to an HTTPS endpoint", strings.Replace(tlsSim.URL, "https://", "http://", 1) + "/scim/v2", "secret", "this endpoint speaks HTTPS: use an https:// URL"},
		{"untrusted certificate", tlsSim.URL + "/scim/v2", "secret", "trust the endpoint's certificate with --ca-cert FILE"},
		{"https to an HTTP endpoint", strings.Replace(sim.URL, "http://", "https://", 1) + "/scim/v2", "secret", "this endpoint speaks plain HTTP"},
		{"wrong token", sim.SCIMURL(""), "wrong", "the endpoint refused the Secret Token"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			code, stdout, stderr := runCmd(t, "conformance", "--target", tt.url, "--token", tt.token, "--json", filepath.Join(dir, "r.json"))
			if code != 1 {
				t.Fatalf("exit code %d, want 1\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			if stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "scimsim: conformance: ") || !strings.Contains(stderr, tt.want) {
				t.Errorf("want one sentence on stderr containing %q and nothing on stdout; got stdout %q, stderr %q", tt.want, stdout, stderr)
			}
			if strings.Contains(stderr, "goroutine") || strings.Contains(stderr, "panic") {
				t.Errorf("stack trace: %s", stderr)
			}
			var rep conformance.Report
			if b, err := os.ReadFile(filepath.Join(dir, "r.json")); err != nil || json.Unmarshal(b, &rep) != nil || rep.Summary.EntraWorks {
				t.Errorf("--json: %v; want a report saying Entra does not work", err)
			}
		})
	}
}

func TestConformance_badInput(t *testing.T) {
	runCases(t, []cliCase{
		{"no target", nil, 2, "", "--target is required"},
		{"relative target", []string{"--target", "scim/v2"}, 2, "", "want an absolute http or https URL"},
		{"flag in the target", []string{"--target", "https://a.example/scim?aadOptscim062020"}, 2, "", "remove the query string"},
		{"bad prefix", []string{"--target", "https://a.example/scim", "--prefix", "a b"}, 2, "", `prefix "a b"`},
		{"unknown check", []string{"--target", "https://a.example/scim", "--check", "patch-entra-manger"}, 2, "", `unknown check "patch-entra-manger"; the checks, closest first: patch-entra-manager, `},
		{"ca-cert and insecure", []string{"--target", "https://a.example/scim", "--insecure", "--ca-cert", "x.pem"}, 2, "", "cannot be used together"},
		{"missing ca-cert", []string{"--target", "https://a.example/scim", "--ca-cert", "no-such.pem"}, 2, "", "--ca-cert: open no-such.pem"},
		{"unwritable json", []string{"--target", "https://a.example/scim", "--json", "/no/such/dir/r.json"}, 2, "", "--json: open /no/such/dir/r.json"},
		{"unknown flag", []string{"--target", "https://a.example/scim", "--tokn", "x"}, 2, "", "unknown flag: --tokn"},
		{"scenario catalog", []string{"--target", "https://a.example/scim", "--scenarios", "no-such-dir"}, 2, "", "--scenarios"},
	}, "conformance")
}

// TestConformance_profiles runs the command against scimsim's own target: the entra profile breaks
// nothing (exit 0), strict breaks Entra (exit 1); the JSON and JUnit reports count each impact.
func TestConformance_profiles(t *testing.T) {
	for _, tt := range []struct {
		profile     simulator.Profile
		code        int
		breaksEntra int
	}{
		{simulator.ProfileEntra, 0, 0},
		{simulator.ProfileStrict, 1, 4},
	} {
		t.Run(string(tt.profile), func(t *testing.T) {
			const token = "s3cr3t-profile-token"
			sim := simulator.NewTestServer(t, simulator.WithToken(token), simulator.WithProfile(tt.profile))
			dir := t.TempDir()
			t.Setenv("SCIMSIM_TOKEN", token) // --token left out: the environment's
			code, stdout, stderr := runCmd(t, "conformance", "--target", sim.SCIMURL(""), "--scenarios", "../../scenarios",
				"--json", filepath.Join(dir, "r.json"), "--junit", filepath.Join(dir, "r.xml"))
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, stdout, stderr)
			}
			var rep conformance.Report
			b, err := os.ReadFile(filepath.Join(dir, "r.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &rep); err != nil {
				t.Fatal(err)
			}
			if got := rep.Summary.Impacts[conformance.ImpactBreaksEntra].Failed; got != tt.breaksEntra || len(rep.Summary.BreaksEntra) != got {
				t.Errorf("breaks-entra failures = %d (%v), want %d", got, rep.Summary.BreaksEntra, tt.breaksEntra)
			}
			if len(rep.Checks) != len(conformance.Checks()) || rep.RunID == "" || rep.Target != sim.SCIMURL("") || len(rep.Scenarios) == 0 {
				t.Errorf("report: %d checks, run %q, target %q, %d scenarios", len(rep.Checks), rep.RunID, rep.Target, len(rep.Scenarios))
			}
			for _, c := range rep.Checks {
				if c.Impact == "" || c.Requirement == "" || len(c.Curl) == 0 || (c.Status == conformance.StatusFail && (c.Answered == "" || c.EntraWould == "" || c.ToPass == "")) {
					t.Errorf("check %s is incomplete in the JSON report: %+v", c.ID, c)
				}
			}
			// Every impact is counted in the text summary too.
			for _, imp := range conformance.Impacts() {
				if !strings.Contains(stdout, "  "+string(imp)+" ") {
					t.Errorf("the summary does not count %s:\n%s", imp, stdout)
				}
			}
			var suites struct {
				Tests    int `xml:"tests,attr"`
				Failures int `xml:"failures,attr"`
			}
			x, err := os.ReadFile(filepath.Join(dir, "r.xml"))
			if err != nil || xml.Unmarshal(x, &suites) != nil || suites.Tests != len(rep.Checks)+len(rep.Scenarios) {
				t.Errorf("--junit: %v, %d tests; want one per check and scenario", err, suites.Tests)
			}
			if strings.Contains(stdout+string(b)+string(x), token) {
				t.Error("an output shows the token")
			}
			if u, g := sim.Tenant("").Users(), sim.Tenant("").Groups(); u != 0 || g != 0 {
				t.Errorf("after the run the target holds %d users and %d groups", u, g)
			}
		})
	}
}

// TestConformance_dryRun sends nothing and prints every request as a curl command, without the token.
func TestConformance_dryRun(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	code, stdout, stderr := runCmd(t, "conformance", "--target", srv.URL+"/scim/v2", "--token", "s3cr3t-token", "--dry-run")
	if code != 0 || hits.Load() != 0 {
		t.Fatalf("exit %d, %d requests sent; want 0 and none\n%s%s", code, hits.Load(), stdout, stderr)
	}
	if n := strings.Count(stdout, "curl -sS"); n < len(conformance.Checks()) {
		t.Errorf("the dry run lists %d requests", n)
	}
	if strings.Contains(stdout, "s3cr3t-token") || !strings.Contains(stdout, `-H "Authorization: Bearer $TOKEN"`) {
		t.Errorf("the dry run shows the token, or does not read it from $TOKEN:\n%s", stdout)
	}
	if !strings.Contains(stdout, "none was sent") {
		t.Errorf("the dry run does not say nothing was sent:\n%s", stdout)
	}
}

// TestConformance_checkSelection runs one check (and the gate), and no scenario.
func TestConformance_checkSelection(t *testing.T) {
	sim := simulator.NewTestServer(t, simulator.WithToken("secret"))
	dir := t.TempDir()
	code, stdout, stderr := runCmd(t, "conformance", "--target", sim.SCIMURL(""), "--token", "secret", "--check", "patch-entra-manager", "--json", filepath.Join(dir, "r.json"))
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	var rep conformance.Report
	b, _ := os.ReadFile(filepath.Join(dir, "r.json"))
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Checks) != 2 || rep.Checks[0].ID != "test-connection" || rep.Checks[1].ID != "patch-entra-manager" || len(rep.Scenarios) != 0 {
		t.Errorf("report holds %d checks and %d scenarios: %+v", len(rep.Checks), len(rep.Scenarios), rep.Checks)
	}
}

// BenchmarkConformance is one whole `scimsim conformance` run against a local target: every check,
// every conformance scenario of the catalog the binary carries, and the cleanup.
func BenchmarkConformance(b *testing.B) {
	sim := simulator.NewTestServer(b, simulator.WithToken("bench"))
	for b.Loop() {
		if code, stdout, stderr := runCmd(b, "conformance", "--target", sim.SCIMURL(""), "--token", "bench"); code != 0 {
			b.Fatalf("exit %d\n%s%s", code, stdout, stderr)
		}
	}
}
