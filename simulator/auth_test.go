package simulator

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestBearerMatches checks what bearerMatches decides. It does not time it: the comparison is
// crypto/subtle.ConstantTimeCompare, whose running time depends on the lengths only, and a timing
// assertion on a shared machine would measure the scheduler, not the code (the project's tests
// make no timing assertions). What is under test is that every near miss — a prefix, an
// extension, one changed byte, an empty token — is refused, which a byte-by-byte early-exit
// comparison would also get right, and which a comparison that stopped at the shorter length
// would not.
func TestBearerMatches(t *testing.T) {
	const token = "s3cret-t0ken"
	tests := []struct {
		name   string
		token  string // the tenant's
		header string // Authorization; "-" sends none
		want   bool
	}{
		{name: "equal", token: token, header: "Bearer " + token, want: true},
		{name: "scheme in another case", token: token, header: "bearer " + token, want: true},
		{name: "surrounding spaces", token: token, header: "Bearer  " + token + " ", want: true},
		{name: "one byte differs", token: token, header: "Bearer s3cret-t0kem"},
		{name: "same length, all different", token: token, header: "Bearer " + strings.Repeat("x", len(token))},
		{name: "prefix", token: token, header: "Bearer " + token[:len(token)-1]},
		{name: "one byte", token: token, header: "Bearer s"},
		{name: "extended", token: token, header: "Bearer " + token + "x"},
		{name: "empty presented", token: token, header: "Bearer "},
		{name: "no header", token: token, header: "-"},
		{name: "scheme only", token: token, header: "Bearer"},
		{name: "other scheme", token: token, header: "Basic " + token},
		{name: "token without scheme", token: token, header: token},
		{name: "no token configured accepts anything", token: "", header: "-", want: true},
		{name: "no token configured accepts a wrong one", token: "", header: "Bearer x", want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/scim/v2/Users", nil)
			if tt.header != "-" {
				r.Header.Set("Authorization", tt.header)
			}
			if got := bearerMatches(r, tt.token); got != tt.want {
				t.Fatalf("bearerMatches(%q, %q) = %v, want %v", tt.header, tt.token, got, tt.want)
			}
		})
	}
}

// TestServer_TokensNeverLogged sends requests with right and wrong tokens, to SCIM and admin
// routes, with the logger at debug level (every request logged), and checks that no token shows
// in the log, the journal or the admin API's answers.
func TestServer_TokensNeverLogged(t *testing.T) {
	const (
		token      = "tenant-token-4f1c"
		wrong      = "wrong-token-9a2e"
		adminToken = "admin-token-77d0"
		named      = "named-token-c3b8"
	)
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ts := NewTestServer(t, WithToken(token), WithAdminToken(adminToken), WithLogger(logger))

	send := func(method, path, bearer, body string) (int, string) {
		t.Helper()
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, err := http.NewRequest(method, ts.URL+path, rd)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/scim+json")
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	user := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada@contoso.com"}`
	checks := []struct {
		method, path, bearer, body string
		want                       int
	}{
		{"POST", "/scim/v2/Users", token, user, 201},
		{"GET", "/scim/v2/Users?filter=userName+eq+%22ada@contoso.com%22", token, "", 200},
		{"GET", "/scim/v2/Users", wrong, "", 401},
		{"GET", "/scim/v2/Users", "", "", 401},
		{"PATCH", "/scim/v2/Users/nope", token, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"x"}]}`, 404},
		{"PUT", "/admin/tenants/acme", adminToken, `{"profile":"strict","token":"` + named + `"}`, 204},
		{"GET", "/tenants/acme/scim/v2/Users", named, "", 200},
		{"GET", "/tenants/acme/scim/v2/Users", wrong, "", 401},
		{"GET", "/admin/faults", wrong, "", 401},
		{"GET", "/admin/tenants", adminToken, "", 200},
		{"GET", "/admin/requests", adminToken, "", 200},
		{"GET", "/admin/requests?tenant=acme", adminToken, "", 200},
	}
	var answers strings.Builder
	for _, c := range checks {
		status, body := send(c.method, c.path, c.bearer, c.body)
		if status != c.want {
			t.Fatalf("%s %s = %d %s, want %d", c.method, c.path, status, body, c.want)
		}
		answers.WriteString(body)
	}
	if !strings.Contains(logs.String(), "msg=request") {
		t.Fatalf("the debug log has no request lines, so it proves nothing:\n%s", logs.String())
	}
	if !strings.Contains(answers.String(), `"hasToken":true`) || !strings.Contains(answers.String(), `"status":401`) {
		t.Fatalf("the answers miss the tenant list or the journal of a 401:\n%s", answers.String())
	}
	for _, secret := range []string{token, wrong, adminToken, named} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the log holds %q:\n%s", secret, logs.String())
		}
		if strings.Contains(answers.String(), secret) {
			t.Errorf("an admin or SCIM answer (the journal included) holds %q", secret)
		}
	}
}

// TestServer_AdminToken checks that with an admin token set, as the command requires off
// loopback, the admin API answers nothing without it.
func TestServer_AdminToken(t *testing.T) {
	ts := NewTestServer(t, WithAdminToken("admin-token"))
	tests := []struct {
		name, method, path, header string
		want                       int
	}{
		{"health without a token", "GET", "/admin/health", "", 401},
		{"faults without a token", "GET", "/admin/faults", "", 401},
		{"reset with a wrong token", "POST", "/admin/reset", "Bearer admin-tokeN", 401},
		{"seed with a prefix of the token", "POST", "/admin/seed", "Bearer admin-toke", 401},
		{"unknown route without a token", "GET", "/admin/nope", "", 401},
		{"tenant token on the admin API", "GET", "/admin/tenants", "Basic admin-token", 401},
		{"health with the token", "GET", "/admin/health", "Bearer admin-token", 200},
		{"unknown route with the token", "GET", "/admin/nope", "Bearer admin-token", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, ts.URL+tt.path, strings.NewReader("{}"))
			if err != nil {
				t.Fatal(err)
			}
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("%s %s = %d %s, want %d", tt.method, tt.path, resp.StatusCode, body, tt.want)
			}
			if tt.want == 401 && resp.Header.Get("WWW-Authenticate") == "" {
				t.Fatalf("401 without WWW-Authenticate")
			}
		})
	}
}
