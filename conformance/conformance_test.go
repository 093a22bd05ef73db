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
	"github.com/scimsim/scimsim/internal/golden"
)

const fakeToken = "fake-secret"

// startFake serves f on an httptest server and returns the SCIM base URL.
func startFake(t testing.TB, f *fakeSCIM) string {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return srv.URL + "/scim/v2"
}

// byStatus returns the IDs of the checks with status s, in run order.
func byStatus(results []conformance.Result, s conformance.Status) []string {
	var ids []string
	for _, r := range results {
		if r.Status == s {
			ids = append(ids, r.Check.ID)
		}
	}
	return ids
}

// needOpCase are the checks skipped when patch-op-case fails: every other PATCH check of Entra's
// default dialect.
var needOpCase = []string{"patch-entra-replace", "patch-entra-add-absent", "patch-entra-manager", "enterprise-extension",
	"patch-entra-active", "patch-entra-member-add", "patch-entra-member-remove"}

// TestRunAll_Endpoints runs every check against endpoints that each break one requirement the way
// real endpoints do: exactly the check of that requirement fails, for the reason it names, and the
// checks that need what it broke are skipped, not failed.
func TestRunAll_Endpoints(t *testing.T) {
	tests := []struct {
		name        string
		token       string // the token the run is given; default the endpoint's own
		strict      bool
		quirks      []string
		wantFailed  []string
		wantSkipped []string
		// wantSaid: check ID -> a phrase its failure must contain (got, consequence, remedy or
		// the bodies of its exchanges).
		wantSaid map[string]string
		// wantNoted: checks whose result must carry a note.
		wantNoted []string
	}{
		{name: "accepts what Entra sends"},
		{
			name: "wrong token configured", token: "not-the-token",
			wantFailed: []string{"test-connection"}, wantSkipped: allBut("test-connection"),
			wantSaid: map[string]string{"test-connection": "refused the Secret Token"},
		},
		{
			name: "wrong token, 401 in text/plain", token: "not-the-token", quirks: []string{quirkPlain401},
			wantFailed: []string{"test-connection"}, wantSkipped: allBut("test-connection"),
			wantSaid: map[string]string{"test-connection": "Test Connection fails with Unauthorized"},
		},
		{name: "401 in text/plain counts as a 401", quirks: []string{quirkPlain401}},
		{
			name: "strict RFC PATCH", strict: true,
			wantFailed: []string{"enterprise-attributes", "patch-entra-manager", "patch-entra-active", "patch-entra-member-remove", "patch-compliant-replace"},
			wantSaid: map[string]string{
				"patch-entra-active":        `passes with the entra-compliant dialect ("?aadOptscim062020"`,
				"patch-entra-member-remove": "Data loss",
				"patch-compliant-replace":   "passes with Entra's default job",
				"patch-entra-manager":       "manager: a string is not a complex value",
			},
		},
		{name: "accepts any token", quirks: []string{quirkAnyToken}, wantFailed: []string{"auth-bad-token"},
			wantSaid: map[string]string{"auth-bad-token": "with a wrong token, GET /Users?filter=userName eq"}},
		{name: "404 for an empty query", quirks: []string{quirkEmptyQuery404}, wantFailed: []string{"test-connection", "empty-query"},
			wantSaid: map[string]string{"empty-query": "quarantines the job"}},
		{name: "application/json", quirks: []string{quirkJSONContentType}, wantFailed: []string{"content-type"},
			wantSaid: map[string]string{"content-type": `"application/json"`}},
		{name: "no ServiceProviderConfig", quirks: []string{quirkNoSPC}, wantFailed: []string{"service-provider-config"}},
		{name: "no Schemas", quirks: []string{quirkNoSchemas}, wantFailed: []string{"schemas"}, wantSkipped: []string{"discovery-items-per-page"}},
		{name: "Schemas with itemsPerPage its page size", quirks: []string{quirkSchemasPerPage}, wantFailed: []string{"discovery-items-per-page"}},
		{name: "externalId not filterable", quirks: []string{quirkNoExternalID}, wantFailed: []string{"query-externalid"},
			wantSaid: map[string]string{"query-externalid": "invalidFilter"}},
		{name: "userName unique only case-sensitively", quirks: []string{quirkCaseUnique}, wantFailed: []string{"duplicate-username"},
			wantSaid: map[string]string{"duplicate-username": "answered 201"}},
		{name: "inactive users hidden from queries", quirks: []string{quirkHideInactive}, wantFailed: []string{"inactive-user"},
			wantSkipped: []string{"patch-entra-active", "patch-compliant-active"}},
		{name: "userName filter compared case-sensitively", quirks: []string{quirkCaseFilter}, wantFailed: []string{"query-username-case"}},
		{name: "paging ignored", quirks: []string{quirkNoPaging}, wantFailed: []string{"paging"}},
		{name: "members despite exclusion", quirks: []string{quirkMembersAnyway}, wantFailed: []string{"group-exclude-members"},
			wantSaid: map[string]string{"group-exclude-members": "MultipleEntriesInResponse"}},
		{name: "no enterprise extension", quirks: []string{quirkNoEnterprise},
			wantFailed: []string{"enterprise-attributes", "patch-entra-manager", "enterprise-extension"},
			wantSaid:   map[string]string{"enterprise-attributes": "does not store urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"}},
		{
			name: "case-sensitive op", quirks: []string{quirkCaseOp},
			wantFailed: []string{"patch-op-case"}, wantSkipped: needOpCase,
			wantSaid: map[string]string{"patch-op-case": `unknown op "Replace"`},
		},
		{name: "POST answers 200: Entra reads it as a create", quirks: []string{quirkCreate200}},
		{name: "DELETE answers 200: Entra reads it as a delete", quirks: []string{quirkDelete200}},
		{
			name: "cannot create users", quirks: []string{quirkRefuseCreate},
			wantFailed: []string{"create-user"},
			wantSkipped: []string{"get-user", "query-username", "query-username-case", "query-externalid", "duplicate-username", "inactive-user",
				"paging", "enterprise-attributes", "group-exclude-members", "patch-op-case", "patch-entra-replace", "patch-entra-add-absent",
				"patch-entra-manager", "enterprise-extension", "patch-entra-active", "patch-entra-member-add", "patch-entra-member-remove",
				"patch-compliant-active", "patch-compliant-member-remove", "patch-compliant-replace", "delete-user", "delete-missing"},
		},
		{name: "noTarget on Add of a value the user lacks", quirks: []string{quirkNoTarget}, wantFailed: []string{"patch-entra-add-absent"},
			wantSaid: map[string]string{"patch-entra-add-absent": "400 noTarget"}},
		{name: "refuses the manager as a plain string", quirks: []string{quirkManagerString},
			wantFailed: []string{"enterprise-attributes", "patch-entra-manager"},
			wantSaid:   map[string]string{"patch-entra-manager": `"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"`}},
		{name: "accepts a duplicate group name", quirks: []string{quirkDupGroup}, wantFailed: []string{"duplicate-group-displayname"}},
		{name: "DELETE of a deleted id answers 500", quirks: []string{quirkDeleteGone500}, wantFailed: []string{"delete-missing"}},
		{
			name: "refuses Entra's ADSCIM group schema", quirks: []string{quirkADSCIM},
			wantFailed: []string{"create-group"},
			wantNoted: []string{"query-group", "group-exclude-members", "duplicate-group-displayname", "patch-entra-member-add",
				"patch-entra-member-remove", "patch-compliant-member-remove", "delete-group"},
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
				t.Errorf("skipped checks (-want +got):\n%s%s", diff, skips(results))
			}
			var noted []string
			for _, r := range results {
				if r.Note != "" {
					noted = append(noted, r.Check.ID)
				}
				if r.Status != conformance.StatusFail {
					continue
				}
				f := r.Failure
				if f.Check != r.Check.ID || f.Got == "" || f.Consequence == "" || f.Remedy == "" || len(f.Exchanges) == 0 {
					t.Errorf("failure of %s is incomplete: %+v", r.Check.ID, f)
				}
				said := f.Got + f.Consequence + f.Remedy + f.Alternative
				for _, ex := range f.Exchanges {
					said += ex.RequestBody + ex.ResponseBody
				}
				if phrase, ok := tt.wantSaid[r.Check.ID]; ok && !strings.Contains(said, phrase) {
					t.Errorf("failure of %s does not say %q:\n%s", r.Check.ID, phrase, f)
				}
			}
			if diff := cmp.Diff(tt.wantNoted, noted); diff != "" {
				t.Errorf("checks with a note (-want +got):\n%s", diff)
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

func skips(results []conformance.Result) string {
	var b strings.Builder
	for _, r := range results {
		if r.Status == conformance.StatusSkip {
			b.WriteString("\n" + r.Check.ID + ": " + r.Reason)
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
		t.Errorf("interrupted run blamed the endpoint for %v; want the cut-short check skipped%s", failed, failures(results))
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
		if r.Status != conformance.StatusSkip || r.Reason != conformance.DryRunReason || len(r.Exchanges) == 0 {
			t.Errorf("%s: status %s (%s) with %d requests; want skipped as a dry run, with its requests", r.Check.ID, r.Status, r.Reason, len(r.Exchanges))
		}
		for _, ex := range r.Exchanges {
			total++
			if !strings.Contains(log.String(), ex.Curl()) {
				t.Errorf("%s: request not in the log: %s", r.Check.ID, ex.Curl())
			}
		}
	}
	// Every PATCH of the dialect checks is listed, so a reader sees the exact shapes Entra sends.
	for _, shape := range []string{
		`"op":"Replace","path":"active","value":"False"`,
		`"op":"remove","path":"members[value eq \"dry-run-id-`,
		`"name.givenName":"Kim"`,
		`"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"dry-run-id-`,
		`"op":"Add","path":"phoneNumbers[type eq \"mobile\"].value"`,
	} {
		if !strings.Contains(log.String(), shape) {
			t.Errorf("dry-run listing lacks %s", shape)
		}
	}
	if strings.Contains(log.String(), fakeToken) {
		t.Error("the dry-run listing shows the token")
	}
	var report bytes.Buffer
	if err := conformance.WriteReport(&report, results); err != nil {
		t.Fatal(err)
	}
	if want := "none was sent"; !strings.Contains(report.String(), want) {
		t.Errorf("dry-run report %q lacks %q", report.String(), want)
	}
	if listed := strings.Count(log.String(), "curl "); listed != total {
		t.Errorf("log lists %d requests, results %d", listed, total)
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
		{"unknown check", conformance.Config{BaseURL: "https://app.example/scim", Checks: []string{"patch-op-cas"}}, `conformance: unknown check "patch-op-cas"; the checks, closest first: patch-op-case, `},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want && (tt.want == "" || !strings.HasPrefix(got, tt.want)) {
				t.Errorf("Validate() = %q, want %q", got, tt.want)
			}
		})
	}
	if _, err := conformance.RunAll(context.Background(), conformance.Config{}); err == nil {
		t.Error("RunAll with no BaseURL returned no error")
	}
}

// TestSelect: --check runs the named checks in catalog order, test-connection first; an unknown id
// names the known ones, closest first.
func TestSelect(t *testing.T) {
	got, err := conformance.Select([]string{"delete-user", "patch-entra-manager"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range got {
		ids = append(ids, c.ID)
	}
	if diff := cmp.Diff([]string{"test-connection", "patch-entra-manager", "delete-user"}, ids); diff != "" {
		t.Errorf("Select (-want +got):\n%s", diff)
	}
	_, err = conformance.Select([]string{"delete-usr"})
	var unknown *conformance.UnknownCheckError
	if !errors.As(err, &unknown) || unknown.Known[0] != "delete-user" || len(unknown.Known) != len(conformance.Checks()) {
		t.Errorf("Select(delete-usr) = %v; want an UnknownCheckError listing delete-user first", err)
	}
	f := newFakeSCIM(fakeToken, false)
	results, err := conformance.RunAll(context.Background(), conformance.Config{BaseURL: startFake(t, f), Token: fakeToken, Checks: []string{"patch-entra-manager"}})
	if err != nil || len(results) != 2 || results[1].Status != conformance.StatusPass {
		t.Errorf("RunAll(--check patch-entra-manager) = %d results, %v%s", len(results), err, failures(results))
	}
}

// TestRunAll_TokenRedacted shows the token appears in no recorded exchange, even when the endpoint
// echoes it, and that a short test token does not garble the bodies.
func TestRunAll_TokenRedacted(t *testing.T) {
	tests := []struct {
		name, token, want string
	}{
		{"secret", "s3cr3t-token-value", `bad request from Bearer REDACTED, token REDACTED`},
		{"short test token", "t", `bad request from Bearer REDACTED, token t`},
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
			if len(tt.token) >= 8 && strings.Contains(got, tt.token) {
				t.Errorf("the report contains the token:\n%s", got)
			}
			if !strings.Contains(got, tt.want) {
				t.Errorf("the report lacks %q:\n%s", tt.want, got)
			}
		})
	}
}

// TestWriteJUnit: the JUnit XML of a run with a failure, a skip and a pass among both the checks and
// the scenarios (testdata/junit.xml; -update rewrites it).
func TestWriteJUnit(t *testing.T) {
	r := &conformance.Report{Target: "https://app.example/scim/v2", RunID: "1a2b3c4d",
		Checks: []conformance.CheckReport{
			{ID: "create-user", Title: "Create a user", Impact: conformance.ImpactBreaksEntra, Status: conformance.StatusFail,
				Requirement: "POST /Users answers 201", Answered: "POST /Users answered 500", EntraWould: "fail the export step",
				ToPass: "answer 201 with the user", Curl: []string{"curl -X POST https://app.example/scim/v2/Users"}},
			{ID: "paging", Title: "Page through users", Impact: conformance.ImpactRFCOnly, Status: conformance.StatusSkip, Answered: "not checked: no users"},
			{ID: "test-connection", Title: "Test connection", Impact: conformance.ImpactBreaksEntra, Status: conformance.StatusPass},
		},
		Scenarios: []conformance.ScenarioReport{
			{ID: "create-new-user", Title: "A new user is created", Status: conformance.StatusFail, Expected: "export", Actual: "matching", Failure: "ended at matching"},
			{ID: "pending-one", Title: "Not yet", Status: conformance.StatusSkip, Failure: "pending"},
			{ID: "update-user", Title: "A user is updated", Status: conformance.StatusPass, Expected: "export", Actual: "export"},
		}}
	var b bytes.Buffer
	if err := conformance.WriteJUnit(&b, r); err != nil {
		t.Fatal(err)
	}
	golden.File(t, "testdata/junit.xml", b.String())
}
