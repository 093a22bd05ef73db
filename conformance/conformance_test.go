package conformance_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimsim/scimsim/conformance"
)

const fakeToken = "fake-secret"

// startFake serves f on an httptest server and returns the SCIM base URL.
func startFake(t *testing.T, f *fakeSCIM) string {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return srv.URL + "/scim/v2"
}

// statuses returns check ID -> status, for diffs.
func byStatus(results []conformance.Result, s conformance.Status) []string {
	var ids []string
	for _, r := range results {
		if r.Status == s {
			ids = append(ids, r.Check.ID)
		}
	}
	return ids
}

func TestRunAll_Endpoints(t *testing.T) {
	tests := []struct {
		name        string
		token       string // the token the run is given; default the endpoint's own
		strict      bool
		quirks      []string
		wantFailed  []string
		wantSkipped []string
		// wantSaid: check ID -> a phrase its failure must contain (got, consequence or remedy).
		wantSaid map[string]string
		reason   string
	}{
		{name: "accepts what Entra sends", reason: "every documented requirement met"},
		{
			name: "wrong token configured", token: "not-the-token",
			wantFailed: []string{"test-connection"}, wantSkipped: allBut("test-connection"),
			wantSaid: map[string]string{"test-connection": "You appear to have entered invalid credentials"},
			reason:   "Entra stops at Test Connection; so does the run, instead of failing every check with 401",
		},
		{
			name: "strict RFC PATCH", strict: true,
			wantFailed: []string{"patch-entra-active", "patch-entra-member-remove", "patch-compliant-replace"},
			wantSaid: map[string]string{
				"patch-entra-active":        `passes with the entra-compliant dialect ("?aadOptscim062020"`,
				"patch-entra-member-remove": "Data loss",
				"patch-compliant-replace":   "passes with Entra's default job",
			},
			reason: "a strict server refuses string booleans and dotted keys, and reads Remove with a value as remove-all",
		},
		{name: "accepts any token", quirks: []string{quirkAnyToken}, wantFailed: []string{"auth-bad-token"},
			wantSaid: map[string]string{"auth-bad-token": "invalid credentials"}},
		{name: "404 for an empty query", quirks: []string{quirkEmptyQuery404}, wantFailed: []string{"empty-query"},
			wantSaid: map[string]string{"empty-query": "quarantines the job"}},
		{name: "application/json", quirks: []string{quirkJSONContentType}, wantFailed: []string{"content-type"},
			wantSaid: map[string]string{"content-type": `"application/json"`}},
		{name: "no ServiceProviderConfig", quirks: []string{quirkNoSPC}, wantFailed: []string{"service-provider-config"}},
		{name: "no Schemas", quirks: []string{quirkNoSchemas}, wantFailed: []string{"schemas"}},
		{name: "externalId not filterable", quirks: []string{quirkNoExternalID}, wantFailed: []string{"query-externalid"},
			wantSaid: map[string]string{"query-externalid": "invalidFilter"}},
		{name: "userName unique only case-sensitively", quirks: []string{quirkCaseUnique}, wantFailed: []string{"duplicate-username"},
			wantSaid: map[string]string{"duplicate-username": "answered 201"}},
		{name: "inactive users hidden from queries", quirks: []string{quirkHideInactive}, wantFailed: []string{"inactive-user"}},
		{name: "paging ignored", quirks: []string{quirkNoPaging}, wantFailed: []string{"paging"}},
		{name: "members despite exclusion", quirks: []string{quirkMembersAnyway}, wantFailed: []string{"group-exclude-members"},
			wantSaid: map[string]string{"group-exclude-members": "MultipleEntriesInResponse"}},
		{name: "no enterprise extension", quirks: []string{quirkNoEnterprise}, wantFailed: []string{"enterprise-extension"},
			wantSaid: map[string]string{"enterprise-extension": "the extension was dropped"}},
		{
			name: "case-sensitive op", quirks: []string{quirkCaseOp},
			wantFailed: []string{"patch-op-case", "patch-entra-replace", "patch-entra-active", "patch-entra-member-add", "patch-entra-member-remove"},
			wantSaid:   map[string]string{"patch-op-case": `unknown op "Replace"`},
			reason:     "every PATCH of Entra's default dialect is capitalised; the compliant dialect's checks still pass",
		},
		{name: "POST answers 200", quirks: []string{quirkCreate200}, wantFailed: []string{"create-user", "create-group"},
			wantSaid: map[string]string{"create-user": "answered 200 (want 201)"},
			reason:   "the other checks still run: any 2xx with an id gives them what they need"},
		{name: "DELETE answers 200", quirks: []string{quirkDelete200}, wantFailed: []string{"delete-user", "delete-group"},
			wantSaid: map[string]string{"delete-user": "(want 204)"}},
		{
			name: "cannot create users", quirks: []string{quirkRefuseCreate},
			wantFailed: []string{"create-user"},
			wantSkipped: []string{"get-user", "query-username", "query-externalid", "duplicate-username", "inactive-user",
				"paging", "group-exclude-members", "enterprise-extension", "patch-op-case", "patch-entra-replace", "patch-entra-active",
				"patch-entra-member-add", "patch-entra-member-remove", "patch-compliant-active",
				"patch-compliant-member-remove", "patch-compliant-replace", "delete-user"},
			reason: "checks that need a user are skipped with the reason, not failed: create-user reports the cause once",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeSCIM(fakeToken, tt.strict, tt.quirks...)
			token := tt.token
			if token == "" {
				token = fakeToken
			}
			results, err := conformance.RunAll(context.Background(), conformance.Config{BaseURL: startFake(t, f), Token: token})
			if err != nil {
				t.Fatalf("RunAll: %v", err)
			}
			if got, want := len(results), len(conformance.Checks()); got != want {
				t.Fatalf("RunAll returned %d results, want one per check (%d)", got, want)
			}
			if diff := cmp.Diff(tt.wantFailed, byStatus(results, conformance.StatusFail)); diff != "" {
				t.Errorf("failed checks (-want +got):\n%s%s", diff, failures(results))
			}
			if diff := cmp.Diff(tt.wantSkipped, byStatus(results, conformance.StatusSkip)); diff != "" {
				t.Errorf("skipped checks (-want +got):\n%s", diff)
			}
			for _, r := range results {
				if r.Status != conformance.StatusFail {
					continue
				}
				f := r.Failure
				if f.Check != r.Check.ID || f.Got == "" || f.Consequence == "" || f.Remedy == "" || len(f.Exchanges) == 0 {
					t.Errorf("failure of %s is incomplete: %+v", r.Check.ID, f)
				}
				if phrase, ok := tt.wantSaid[r.Check.ID]; ok && !strings.Contains(f.Got+f.Consequence+f.Remedy+f.Alternative, phrase) {
					t.Errorf("failure of %s does not say %q:\n%s", r.Check.ID, phrase, f)
				}
			}
			if u, g := f.count(); u != 0 || g != 0 {
				t.Errorf("after the run the endpoint still holds %d users and %d groups; want everything deleted", u, g)
			}
		})
	}
}

// allBut returns the IDs of every check except id, in catalog order.
func allBut(id string) []string {
	var ids []string
	for _, c := range conformance.Checks() {
		if c.ID != id {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

func failures(results []conformance.Result) string {
	var b strings.Builder
	for _, r := range results {
		if r.Failure != nil {
			b.WriteString("\n" + r.Failure.Error())
		}
	}
	return b.String()
}

// TestRunAll_OwnResourcesOnly shows that a run modifies and deletes only what it created, names all
// of it with the prefix and run id, and leaves a pre-existing user as it was.
func TestRunAll_OwnResourcesOnly(t *testing.T) {
	f := newFakeSCIM(fakeToken, false)
	theirs := f.seedUser("someone@contoso.com")
	var logBuf bytes.Buffer
	results, err := conformance.RunAll(context.Background(), conformance.Config{BaseURL: startFake(t, f), Token: fakeToken, Prefix: "acme-ci.", Log: &logBuf})
	if err != nil {
		t.Fatalf("RunAll: %v", err)
	}
	if failed := conformance.Failed(results); len(failed) > 0 {
		t.Fatalf("checks failed against a conforming endpoint: %v%s", failed, failures(results))
	}
	for _, line := range f.log() {
		if strings.HasSuffix(line, "/"+theirs) && !strings.HasPrefix(line, "GET ") {
			t.Errorf("the run sent %q to a user it did not create", line)
		}
	}
	if u, _ := f.count(); u != 1 {
		t.Errorf("after the run the endpoint holds %d users; want only the pre-existing one", u)
	}
	var created int
	for _, r := range results {
		for _, ex := range r.Exchanges {
			if ex.Method != http.MethodPost {
				continue
			}
			created++
			if !strings.Contains(ex.RequestBody, `"acme-ci.`) {
				t.Errorf("%s created a resource without the prefix: %s", r.Check.ID, ex.RequestBody)
			}
		}
	}
	if created == 0 {
		t.Fatal("no create requests recorded")
	}
	if !strings.Contains(logBuf.String(), `prefix "acme-ci."`) {
		t.Errorf("log does not name the prefix:\n%s", logBuf.String())
	}
}

// cancelAfter is a transport that cancels the run's context once n requests went through, as an
// interrupt (Ctrl-C) would.
type cancelAfter struct {
	n      int64
	seen   atomic.Int64
	cancel context.CancelFunc
}

func (c *cancelAfter) RoundTrip(r *http.Request) (*http.Response, error) {
	if c.seen.Add(1) == c.n {
		c.cancel()
	}
	return http.DefaultTransport.RoundTrip(r)
}

func TestRunAll_InterruptedStillCleansUp(t *testing.T) {
	f := newFakeSCIM(fakeToken, false)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hc := &http.Client{Transport: &cancelAfter{n: 40, cancel: cancel}}
	results, err := conformance.RunAll(ctx, conformance.Config{BaseURL: startFake(t, f), Token: fakeToken, HTTPClient: hc})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("RunAll error = %v, want context.Canceled", err)
	}
	if len(results) == 0 || len(results) >= len(conformance.Checks()) {
		t.Fatalf("RunAll ran %d checks; want it to stop part way", len(results))
	}
	if failed := conformance.Failed(results); len(failed) > 0 {
		t.Errorf("interrupted run blamed the endpoint for %v; want the cut-short check skipped", failed)
	}
	if last := results[len(results)-1]; last.Status != conformance.StatusSkip || !strings.HasPrefix(last.Reason, "interrupted") {
		t.Errorf("last check %s: %s %q; want skipped as interrupted", last.Check.ID, last.Status, last.Reason)
	}
	if u, g := f.count(); u != 0 || g != 0 {
		t.Errorf("after the interrupted run the endpoint holds %d users and %d groups; want everything deleted", u, g)
	}
}

// loseFirstPost is a transport that delivers the first POST but loses its answer, as a timeout does.
type loseFirstPost struct{ lost atomic.Bool }

func (l *loseFirstPost) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil && r.Method == http.MethodPost && l.lost.CompareAndSwap(false, true) {
		resp.Body.Close()
		return nil, errors.New("answer lost")
	}
	return resp, err
}

func TestTarget_CleanupFindsCreateWithLostAnswer(t *testing.T) {
	f := newFakeSCIM(fakeToken, false)
	results, err := conformance.RunAll(context.Background(), conformance.Config{BaseURL: startFake(t, f), Token: fakeToken,
		HTTPClient: &http.Client{Transport: &loseFirstPost{}}})
	if err != nil {
		t.Fatalf("RunAll: %v", err)
	}
	if got := conformance.Failed(results); !slices.Contains(got, "content-type") {
		t.Errorf("failed = %v; want content-type, whose create lost its answer", got)
	}
	if u, g := f.count(); u != 0 || g != 0 {
		t.Errorf("the endpoint still holds %d users and %d groups; want the lost create found by name and deleted", u, g)
	}
}

func TestRunAll_DryRun(t *testing.T) {
	f := newFakeSCIM(fakeToken, false)
	var log bytes.Buffer
	results, err := conformance.RunAll(context.Background(), conformance.Config{BaseURL: startFake(t, f), Token: fakeToken, DryRun: true, Log: &log})
	if err != nil {
		t.Fatalf("RunAll: %v", err)
	}
	if n := len(f.log()); n != 0 {
		t.Fatalf("a dry run sent %d requests: %v", n, f.log())
	}
	if got, want := len(results), len(conformance.Checks()); got != want {
		t.Fatalf("dry run listed %d checks, want %d", got, want)
	}
	var total int
	for _, r := range results {
		if r.Status != conformance.StatusListed || len(r.Exchanges) == 0 {
			t.Errorf("%s: status %s with %d requests; want listed with its requests", r.Check.ID, r.Status, len(r.Exchanges))
		}
		for _, ex := range r.Exchanges {
			total++
			if !strings.Contains(log.String(), ex.Curl()) {
				t.Errorf("%s: request not in the log: %s", r.Check.ID, ex.Curl())
			}
		}
	}
	// Every PATCH of the dialect checks is listed, so a reader sees the exact shapes Entra sends.
	for _, shape := range []string{`"op":"Replace","path":"active","value":"False"`, `"op":"remove","path":"members[value eq \"dry-run-id-`, `"name.givenName":"Kim"`} {
		if !strings.Contains(log.String(), shape) {
			t.Errorf("dry-run listing lacks %s", shape)
		}
	}
	var report bytes.Buffer
	if err := conformance.WriteReport(&report, results); err != nil {
		t.Fatal(err)
	}
	if want := "none was sent"; !strings.Contains(report.String(), want) {
		t.Errorf("dry-run report %q lacks %q", report.String(), want)
	}
	if fake := strings.Count(log.String(), "curl "); fake != total {
		t.Errorf("log lists %d requests, results %d", fake, total)
	}
}

func TestConfig_Validate(t *testing.T) {
	tests := []struct {
		name string
		cfg  conformance.Config
		want string
	}{
		{"ok", conformance.Config{BaseURL: "https://app.example/scim/v2", Prefix: "ci-1"}, ""},
		{"no url", conformance.Config{}, "conformance: no target: the SCIM base URL (Tenant URL) is empty"},
		{"relative", conformance.Config{BaseURL: "app.example/scim"}, `conformance: target "app.example/scim": want an absolute http or https URL`},
		{"flag in url", conformance.Config{BaseURL: "https://app.example/scim?aadOptscim062020"}, `conformance: target "https://app.example/scim?aadOptscim062020": remove the query string ("aadOptscim062020"); it would be sent to the endpoint`},
		{"bad prefix", conformance.Config{BaseURL: "https://app.example/scim", Prefix: "a b"}, `conformance: prefix "a b": want at most 32 letters, digits, '.', '_' or '-' (it starts userName and email addresses)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("Validate() = %q, want %q", got, tt.want)
			}
		})
	}
	if _, err := conformance.RunAll(context.Background(), conformance.Config{}); err == nil {
		t.Error("RunAll with no BaseURL returned no error")
	}
}

func TestExchange_Curl(t *testing.T) {
	tests := []struct {
		name string
		ex   conformance.Exchange
		want string
	}{
		{"get", conformance.Exchange{Method: "GET", URL: "https://a.example/scim/Users?filter=userName%20eq%20%22x%22", Auth: "token"},
			`curl -sS -X GET 'https://a.example/scim/Users?filter=userName%20eq%20%22x%22' -H "Authorization: Bearer $TOKEN"`},
		{"quote in body", conformance.Exchange{Method: "POST", URL: "https://a.example/scim/Users", Auth: "token", RequestBody: `{"userName":"o'neil"}`},
			`curl -sS -X POST 'https://a.example/scim/Users' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/scim+json' --data '{"userName":"o'\''neil"}'`},
		{"no auth", conformance.Exchange{Method: "GET", URL: "https://a.example/scim/Users", Auth: "none"},
			`curl -sS -X GET 'https://a.example/scim/Users'`},
		{"wrong token", conformance.Exchange{Method: "GET", URL: "https://a.example/scim/Users", Auth: "Bearer wrong"},
			`curl -sS -X GET 'https://a.example/scim/Users' -H 'Authorization: Bearer wrong'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.ex.Curl(); got != tt.want {
				t.Errorf("Curl() =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestRunAll_TokenRedacted shows the token appears in no recorded exchange, even when the endpoint
// echoes it, and that a short test token does not garble the bodies.
func TestRunAll_TokenRedacted(t *testing.T) {
	tests := []struct {
		name, token, want string
	}{
		{"secret", "s3cr3t-token-value", `answered 400: bad request from Bearer [token], token s3cr3t-token-value`},
		{"short test token", "t", `answered 400: bad request from Bearer [token], token t`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/scim+json")
				w.WriteHeader(http.StatusBadRequest)
				io.WriteString(w, `{"detail":"bad request from `+r.Header.Get("Authorization")+`, token `+tt.token+`"}`)
			})
			srv := httptest.NewServer(echo)
			defer srv.Close()
			results, err := conformance.RunAll(context.Background(), conformance.Config{BaseURL: srv.URL, Token: tt.token})
			if err != nil {
				t.Fatalf("RunAll: %v", err)
			}
			var report bytes.Buffer
			if err := conformance.WriteReport(&report, results); err != nil {
				t.Fatal(err)
			}
			got := report.String()
			if len(tt.token) >= 8 {
				tt.want = strings.ReplaceAll(tt.want, "token "+tt.token, "token [token]")
				if strings.Contains(got, tt.token) {
					t.Errorf("the report contains the token:\n%s", got)
				}
			}
			if !strings.Contains(got, tt.want) {
				t.Errorf("the report lacks %q:\n%s", tt.want, got)
			}
		})
	}
}
