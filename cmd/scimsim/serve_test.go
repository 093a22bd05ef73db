package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scimsim/scimsim/simulator/faults"
)

func TestRun_ServeListFaults(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"serve", "--list-faults"}, &out, &errOut); err != nil {
		t.Fatalf("serve --list-faults: %v (stderr %s)", err, errOut.String())
	}
	for _, ft := range faults.Types() {
		if !strings.Contains(out.String(), ft.Name+" ") {
			t.Errorf("--list-faults does not list %q:\n%s", ft.Name, out.String())
		}
	}
}

func TestCheckAdminExposure(t *testing.T) {
	tests := []struct {
		addr, token string
		wantErr     bool
	}{
		{"127.0.0.1:8080", "", false},
		{"localhost:8080", "", false},
		{"[::1]:8080", "", false},
		{"0.0.0.0:8080", "", true},
		{":8080", "", true},
		{"10.1.2.3:443", "", true},
		{"0.0.0.0:8080", "admin-secret", false},
		{"no-port", "", true},
	}
	for _, tt := range tests {
		err := checkAdminExposure(tt.addr, tt.token)
		if (err != nil) != tt.wantErr {
			t.Errorf("checkAdminExposure(%q, %q) = %v, want error %v", tt.addr, tt.token, err, tt.wantErr)
		}
		if err != nil && !isUsageError(err) {
			t.Errorf("checkAdminExposure(%q) = %v, want a usage error (exit 2)", tt.addr, err)
		}
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"1048576": 1 << 20, "1MiB": 1 << 20, "512KiB": 512 << 10, "2MB": 2_000_000, "10 KB": 10_000} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "-1", "1TiB", "lots", "1.5MiB"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) succeeded, want an error", in)
		}
	}
}

func TestRun_ServeRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--addr", "0.0.0.0:0"},
		{"serve", "--profile", "lenient"},
		{"serve", "--max-body", "huge"},
		{"serve", "--log-level", "loud"},
		{"serve", "--log-format", "xml"},
		{"serve", "--tls-cert", "c.pem"},
		{"serve", "--faults", "does-not-exist.yaml"},
	} {
		wantUsageError(t, args...)
	}
}

func TestRun_Serve(t *testing.T) {
	seed := writeTemp(t, "seed.yaml", "users:\n  - userName: ada@contoso.com\n    active: \"False\"\ngroups:\n  - displayName: Admins\n")
	faultsFile := writeTemp(t, "faults.yaml", "faults:\n  - name: busy\n    type: throttle\n    match: {resource: Groups}\n")
	root, stop := startServe(t, "--token", "tok", "--seed-data", seed, "--faults", faultsFile, "--seed", "3")

	if code, _ := get(t, http.DefaultClient, root+"/admin/health", ""); code != 200 {
		t.Fatalf("GET /admin/health = %d", code)
	}
	if code, _ := get(t, http.DefaultClient, root+"/scim/v2/Users", ""); code != 401 {
		t.Fatalf("GET /Users without the token = %d, want 401", code)
	}
	code, body := get(t, http.DefaultClient, root+`/scim/v2/Users?filter=userName+eq+%22ADA@contoso.com%22`, "tok")
	if code != 200 || !strings.Contains(body, `"active":false`) {
		t.Fatalf("seeded user: %d %s", code, body)
	}
	if code, _ := get(t, http.DefaultClient, root+"/scim/v2/Groups", "tok"); code != 429 {
		t.Fatalf("GET /Groups with the throttle fault = %d, want 429", code)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve after cancel: %v", err)
	}
	if _, err := http.Get(root + "/admin/health"); err == nil {
		t.Fatal("server still answers after shutdown")
	}
}

func TestRun_ServeSelfSignedTLS(t *testing.T) {
	root, stop := startServe(t, "--tls-self-signed")
	if !strings.HasPrefix(root, "https://") {
		t.Fatalf("root %q is not https", root)
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} // a throwaway certificate
	if code, _ := get(t, hc, root+"/scim/v2/ServiceProviderConfig", ""); code != 200 {
		t.Fatalf("GET over TLS = %d", code)
	}
	resp, err := hc.Get(root + "/admin/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cert := resp.TLS.PeerCertificates[0]
	if err := cert.VerifyHostname("127.0.0.1"); err != nil {
		t.Fatalf("certificate does not cover 127.0.0.1: %v", err)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve after cancel: %v", err)
	}
}

// TestRun_ServeClosedTenants: with --token, a named tenant is created only by a request with the
// token, and --tenant-token gives new tenants a token of their own.
func TestRun_ServeClosedTenants(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		bearer map[string]int // bearer token → status of GET /tenants/x/scim/v2/Users
	}{
		{"--token", []string{"--token", "root"}, map[string]int{"": 401, "other": 401, "root": 200}},
		{"--tenant-token", []string{"--token", "root", "--tenant-token", "tt"}, map[string]int{"": 401, "root": 401, "tt": 200}},
		{"--tenant-token empty", []string{"--token", "root", "--tenant-token", ""}, map[string]int{"": 200}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, _ := startServe(t, tt.args...)
			for bearer, want := range tt.bearer {
				if code, body := get(t, http.DefaultClient, root+"/tenants/x/scim/v2/Users", bearer); code != want {
					t.Errorf("bearer %q: %d %s, want %d", bearer, code, body, want)
				}
			}
		})
	}
}

// --log-format json writes the server's own log as one JSON object a line.
func TestNewLogger(t *testing.T) {
	var b strings.Builder
	l, err := newLogger(&b, "json", slog.LevelInfo)
	if err != nil {
		t.Fatal(err)
	}
	l.Info("listening", "addr", "127.0.0.1:8080")
	var line map[string]any
	if err := json.Unmarshal([]byte(b.String()), &line); err != nil || line["msg"] != "listening" || line["addr"] != "127.0.0.1:8080" || line["level"] != "INFO" {
		t.Errorf("json log line %q: %v", b.String(), err)
	}
	b.Reset()
	l, _ = newLogger(&b, "text", slog.LevelInfo)
	l.Info("listening", "addr", "127.0.0.1:8080")
	if !strings.Contains(b.String(), `level=INFO msg=listening addr=127.0.0.1:8080`) {
		t.Errorf("text log line %q", b.String())
	}
}

// TestRun_ServeTLSCertOut: serve --tls-self-signed --tls-cert-out writes the certificate, which a
// client trusts with --ca-cert: provision reaches the HTTPS target, and without it the TLS failure
// names the flag.
func TestRun_ServeTLSCertOut(t *testing.T) {
	cert := filepath.Join(t.TempDir(), "scimsim.pem")
	root, _ := startServe(t, "--tls-self-signed", "--tls-cert-out", cert, "--token", "secret")
	if !strings.HasPrefix(root, "https://") {
		t.Fatalf("root %q is not HTTPS", root)
	}
	args := []string{"provision", "--source", "../../testdata/sources/contoso.yaml", "--user", "alice@contoso.com",
		"--target", root + "/scim/v2", "--token", "secret"}
	var out, errb bytes.Buffer
	if code := exitCode(run(context.Background(), append(args, "--ca-cert", cert), &out, &errb), &errb); code != 0 {
		t.Fatalf("provision --ca-cert %s: exit %d\n%s%s", cert, code, out.String(), errb.String())
	}
	out.Reset()
	if code := exitCode(run(context.Background(), args, &out, &errb), &errb); code != 1 || !strings.Contains(out.String(), "--ca-cert FILE") {
		t.Errorf("provision without --ca-cert: exit %d, want 1 and the flag named:\n%s", code, out.String())
	}
	var errs bytes.Buffer
	if code := exitCode(run(context.Background(), []string{"serve", "--tls-cert-out", cert}, io.Discard, &errs), &errs); code != 2 {
		t.Errorf("--tls-cert-out without --tls-self-signed: exit %d, want 2 (%s)", code, errs.String())
	}
}

// TestRun_ServeBasic: --basic USER:PASSWORD makes the default tenant, and the tenants created on
// first use, take HTTP Basic credentials; it excludes --token and wants a user name.
func TestRun_ServeBasic(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--basic", "scim-admin:pw", "--token", "tok"},
		{"serve", "--basic", "no-colon"},
		{"serve", "--basic", ":pw"},
	} {
		wantUsageError(t, args...)
	}
	root, _ := startServe(t, "--basic", "scim-admin:s3cret:with-colon")
	for _, path := range []string{"/scim/v2/Users", "/tenants/x/scim/v2/Users"} {
		for _, tc := range []struct {
			user, password string
			want           int
		}{{"scim-admin", "s3cret:with-colon", 200}, {"scim-admin", "s3cret", 401}, {"", "", 401}} {
			req, err := http.NewRequest("GET", root+path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.user != "" {
				req.SetBasicAuth(tc.user, tc.password)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("GET %s as %q:%q = %d, want %d", path, tc.user, tc.password, resp.StatusCode, tc.want)
			}
			if tc.want == 401 && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic ") {
				t.Errorf("GET %s: 401 with WWW-Authenticate %q, want a Basic challenge", path, resp.Header.Get("WWW-Authenticate"))
			}
		}
	}
}
