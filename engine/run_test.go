package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math/rand"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/report"
	"github.com/scimsim/scimsim/simulator"
	"github.com/scimsim/scimsim/simulator/faults"
	"github.com/scimsim/scimsim/wire"
)

// testNow is the clock of every test run, as in the scenario catalog.
var testNow = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

const testToken = "secret"

// target is a simulator tenant of its own for one test.
type target struct {
	ts     *simulator.TestServer
	tenant *simulator.Tenant
	url    string
}

var tenantName = regexp.MustCompile(`[^a-z0-9-]+`)

func newTarget(t testing.TB, profile simulator.Profile) *target {
	t.Helper()
	ts := simulator.NewTestServer(t, simulator.WithToken(testToken), simulator.WithSeed(1))
	name := strings.Trim(tenantName.ReplaceAllString(strings.ToLower(t.Name()), "-"), "-")
	if len(name) > 60 {
		name = name[len(name)-60:]
	}
	ten := ts.Tenant(name)
	ten.Configure(profile, testToken)
	return &target{ts: ts, tenant: ten, url: ts.SCIMURL(name)}
}

func (tg *target) seed(t testing.TB, users ...map[string]any) {
	t.Helper()
	if _, _, err := tg.tenant.Seed(users, nil); err != nil {
		t.Fatalf("Seed: %v", err)
	}
}

func (tg *target) fault(t testing.TB, spec faults.Spec) {
	t.Helper()
	if _, err := tg.tenant.Faults().Add(spec); err != nil {
		t.Fatalf("Faults().Add(%+v): %v", spec, err)
	}
}

// users returns the target's users whose userName is name.
func (tg *target) users(t testing.TB, name string) []map[string]any {
	t.Helper()
	c, err := entra.New(tg.url, testToken)
	if err != nil {
		t.Fatal(err)
	}
	lr, err := c.Query(context.Background(), "Users", entra.EqFilter("userName", name))
	if err != nil {
		t.Fatalf("query %s: %v", name, err)
	}
	return lr.Resources
}

func (tg *target) run(t testing.TB, src *Source, cfg *Config, subj Subject, opts ...Option) *Report {
	t.Helper()
	opts = append([]Option{
		WithTarget(tg.url, testToken),
		WithClock(func() time.Time { return testNow }),
		WithRand(rand.New(rand.NewSource(1))),
		withSleep(func(ctx context.Context, d time.Duration) error { return ctx.Err() }),
	}, opts...)
	rep, err := Run(context.Background(), src, cfg, subj, opts...)
	if err != nil {
		t.Fatalf("Run(%+v): %v", subj, err)
	}
	return rep
}

// testSource loads testdata/sources/NAME.yaml of the repository.
func testSource(tb testing.TB, name string) *Source {
	tb.Helper()
	return mustLoad(tb, LoadSource, "../testdata/sources/"+name+".yaml")
}

// testConfig loads testdata/configs/NAME.yaml of the repository.
func testConfig(tb testing.TB, name string) *Config {
	tb.Helper()
	return mustLoad(tb, LoadConfig, "../testdata/configs/"+name+".yaml")
}

func mustLoad[T any](tb testing.TB, load func(string) (T, error), path string) T {
	tb.Helper()
	v, err := load(path)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

func contoso(t testing.TB) (*Source, *Config) {
	t.Helper()
	src := testSource(t, "contoso")
	cfg := testConfig(t, "contoso")
	return src, cfg
}

// aliceInTarget is Alice as default.yaml provisions her.
func aliceInTarget() map[string]any {
	return map[string]any{
		"schemas":             []any{wire.UserSchema, wire.EnterpriseSchema},
		"userName":            "alice@contoso.com",
		"externalId":          "alice",
		"emails":              []any{map[string]any{"type": "work", "value": "alice@contoso.com", "primary": true}},
		"name":                map[string]any{"givenName": "Alice", "familyName": "Smith"},
		"displayName":         "Alice Smith",
		"title":               "Account Manager",
		"userType":            "Employee",
		"active":              true,
		wire.EnterpriseSchema: map[string]any{"department": "Sales"},
	}
}

func with(m map[string]any, kv ...any) map[string]any {
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

// want is the expected outcome of a run.
type want struct {
	status, action, failedStep, errorCode string
	// tip is a phrase one of the tips of the step that ended the run (or, on success, of any
	// step) must contain.
	tip      string
	modified []string
}

func check(t *testing.T, rep *Report, w want) {
	t.Helper()
	if rep.Status != w.status || rep.Action != w.action || rep.FailedStep != w.failedStep || rep.ErrorCode != w.errorCode {
		b, _ := json.MarshalIndent(rep, "", "  ")
		t.Fatalf("status/action/failedStep/errorCode = %s/%s/%s/%s, want %s/%s/%s/%s\n%s",
			rep.Status, rep.Action, rep.FailedStep, rep.ErrorCode, w.status, w.action, w.failedStep, w.errorCode, b)
	}
	if w.tip != "" {
		var tips []Tip
		for _, s := range rep.Steps {
			if w.failedStep == "" || s.Type == w.failedStep {
				tips = append(tips, s.Tips...)
			}
		}
		if !slices.ContainsFunc(tips, func(tp Tip) bool { return strings.Contains(tp.Text, w.tip) }) {
			t.Errorf("no tip contains %q; tips: %+v", w.tip, tips)
		}
		for _, tp := range tips {
			if tp.Source == "" {
				t.Errorf("tip without a source: %q", tp.Text)
			}
		}
	}
	if w.modified != nil {
		var got []string
		for _, mp := range rep.ModifiedProperties {
			got = append(got, mp.Name)
		}
		if !slices.Equal(got, w.modified) {
			t.Errorf("modifiedProperties = %v, want %v", got, w.modified)
		}
	}
	// Every step after the one that ended the run did not run; a user out of scope is matched
	// first, to decide between disabling and skipping it.
	if w.failedStep != "" && w.failedStep != report.StepScoping {
		after := false
		for _, s := range rep.Steps {
			if after && s.Status != report.StatusNotRun {
				t.Errorf("step %s after the failed step has status %s", s.Type, s.Status)
			}
			if s.Type == w.failedStep {
				after = true
			}
		}
	}
}

func TestRun_users(t *testing.T) {
	tests := []struct {
		name    string
		user    string
		profile simulator.Profile
		seed    []map[string]any
		faults  []faults.Spec
		config  func(*Config)
		source  func(*Source)
		want    want
	}{
		{name: "create", user: "alice@contoso.com",
			want: want{status: report.StatusSuccess, action: report.ActionCreate, modified: []string{"userName", "externalId", `emails[type eq "work"].value`, "name.givenName", "name.familyName", "displayName", "title", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "userType", "active"}}},
		{name: "search by first name", user: "Alice", want: want{status: report.StatusSuccess, action: report.ActionCreate}},
		{name: "search by email, case-insensitive", user: "ALICE@contoso.com", want: want{status: report.StatusSuccess, action: report.ActionCreate}},
		{name: "update changed attributes only", user: "alice@contoso.com",
			seed: []map[string]any{with(aliceInTarget(), "displayName", "A. Smith", "externalId", "other")},
			want: want{status: report.StatusSuccess, action: report.ActionUpdate, modified: []string{"displayName"}}},
		{name: "nothing changed", user: "alice@contoso.com", seed: []map[string]any{aliceInTarget()},
			want: want{status: report.StatusSkipped, action: report.ActionSkip, failedStep: report.StepExport, errorCode: "RedundantExport"}},
		{name: "unassigned user in the target is disabled", user: "erin@contoso.com",
			seed: []map[string]any{with(aliceInTarget(), "userName", "erin@contoso.com")},
			want: want{status: report.StatusSuccess, action: report.ActionDisable, modified: []string{"active"}}},
		{name: "unassigned user not in the target is skipped", user: "erin@contoso.com",
			want: want{status: report.StatusSkipped, action: report.ActionSkip, failedStep: report.StepScoping, errorCode: "EntrySynchronizationSkipped", tip: "assigned"}},
		{name: "assignment younger than the replication delay", user: "dave@contoso.com",
			want: want{status: report.StatusSkipped, action: report.ActionSkip, failedStep: report.StepScoping, errorCode: "EntrySynchronizationSkipped", tip: "replication delay"}},
		{name: "assigned through a group", user: "carol@contoso.com",
			want: want{status: report.StatusSuccess, action: report.ActionCreate, tip: "null attributes"}},
		{name: "required role missing", user: "alice@contoso.com",
			config: func(c *Config) { c.Job.RequiredRoles = []string{"Admin"} },
			want:   want{status: report.StatusSkipped, action: report.ActionSkip, failedStep: report.StepScoping, errorCode: "EntrySynchronizationSkipped", tip: "Default Access"}},
		{name: "sync all needs no assignment", user: "erin@contoso.com",
			config: func(c *Config) { c.Job.Scope = ScopeAll },
			want:   want{status: report.StatusSuccess, action: report.ActionCreate}},
		{name: "no scoping filter passes", user: "alice@contoso.com",
			config: func(c *Config) { c.Users.ScopingFilters[0].Clauses[0].Value = "^Finance$" },
			want:   want{status: report.StatusSkipped, action: report.ActionSkip, failedStep: report.StepScoping, errorCode: "EntrySynchronizationSkipped", tip: "OR-ed"}},
		{name: "integer operator on a non-integer", user: "alice@contoso.com",
			config: func(c *Config) {
				c.Users.ScopingFilters[0].Clauses[0] = Clause{Attribute: "department", Operator: "Greater_Than", Value: "5"}
			},
			want: want{status: report.StatusFailure, action: report.ActionNone, failedStep: report.StepScoping, errorCode: "InvalidScopingFilter", tip: "Greater_Than"}},
		{name: "matching attribute without value", user: "carol@contoso.com",
			config: func(c *Config) { c.Users.Mappings[0].Source = "employeeId"; c.Users.Mappings[1].Matching = 0 },
			want:   want{status: report.StatusSkipped, action: report.ActionSkip, failedStep: report.StepImport, errorCode: "ImportSkipped", tip: "matching attribute is missing"}},
		{name: "disabled user is not found", user: "grace@contoso.com",
			want: want{status: report.StatusFailure, action: report.ActionNone, failedStep: report.StepImport, errorCode: "SubjectNotFound", tip: "don't appear when you search"}},
		{name: "soft-deleted user is not found", user: "Heidi",
			want: want{status: report.StatusFailure, action: report.ActionNone, failedStep: report.StepImport, errorCode: "SubjectNotFound", tip: "don't appear when you search"}},
		{name: "oauth app while the job runs", user: "alice@contoso.com",
			config: func(c *Config) { c.Target.Auth, c.Job.Running = AuthOAuth, true },
			want:   want{status: report.StatusFailure, action: report.ActionNone, failedStep: report.StepConnection, errorCode: "JobRunning", tip: "Slack"}},
		{name: "oauth app with the job stopped", user: "alice@contoso.com",
			config: func(c *Config) { c.Target.Auth = AuthOAuth },
			want:   want{status: report.StatusSuccess, action: report.ActionCreate}},
		{name: "403", user: "alice@contoso.com",
			faults: []faults.Spec{{Type: "auth_failure", Attributes: map[string]any{"status": 403}}},
			want:   want{status: report.StatusFailure, action: report.ActionNone, failedStep: report.StepConnection, errorCode: "InsufficientRights", tip: "valid credentials"}},
		{name: "no filtering on the matching attribute", user: "alice@contoso.com",
			faults: []faults.Spec{{Type: "unsupported_filter", Match: faults.Match{Method: "GET", Resource: "Users", FilterAttribute: "userName"}}},
			want:   want{status: report.StatusFailure, action: report.ActionNone, failedStep: report.StepConnection, errorCode: "UnsupportedFilter", tip: "supports filtering on the matching attributes"}},
		{name: "404 for an empty query", user: "alice@contoso.com",
			faults: []faults.Spec{{Type: "empty_query_404", Match: faults.Match{Method: "GET", Resource: "Users"}}},
			want:   want{status: report.StatusFailure, action: report.ActionNone, failedStep: report.StepConnection, errorCode: "SystemForCrossDomainIdentityManagementCredentialValidationUnavailable", tip: "like cURL"}},
		{name: "connection reset", user: "alice@contoso.com",
			faults: []faults.Spec{{Type: "connection_reset", Match: faults.Match{Method: "GET"}}},
			want:   want{status: report.StatusFailure, action: report.ActionNone, failedStep: report.StepConnection, errorCode: "ConnectionFailed", tip: "tenant URL"}},
		{name: "html answer", user: "alice@contoso.com",
			faults: []faults.Spec{{Type: "wrong_content_type", Match: faults.Match{Method: "GET"}}},
			want:   want{status: report.StatusFailure, action: report.ActionNone, failedStep: report.StepConnection, errorCode: "SystemForCrossDomainIdentityManagementServiceIncompatible", tip: "like cURL"}},
		{name: "malformed answer", user: "alice@contoso.com",
			faults: []faults.Spec{{Type: "malformed_response", Match: faults.Match{Method: "GET"}}},
			want:   want{status: report.StatusFailure, action: report.ActionNone, failedStep: report.StepConnection, errorCode: "SystemForCrossDomainIdentityManagementServiceIncompatible"}},
		{name: "duplicate target entries", user: "alice@contoso.com", seed: []map[string]any{aliceInTarget()},
			faults: []faults.Spec{{Type: "duplicate_match", Match: faults.Match{Method: "GET", Resource: "Users", FilterAttribute: "userName"}}},
			want:   want{status: report.StatusFailure, action: report.ActionNone, failedStep: report.StepMatching, errorCode: "DuplicateTargetEntries", tip: "unique"}},
		{name: "second matching attribute not filterable", user: "alice@contoso.com",
			faults: []faults.Spec{{Type: "unsupported_filter", Match: faults.Match{Method: "GET", Resource: "Users", FilterAttribute: "externalId"}}},
			want:   want{status: report.StatusFailure, action: report.ActionNone, failedStep: report.StepMatching, errorCode: "UnsupportedFilter", tip: "supports filtering on the attribute"}},
		{name: "matched on the second attribute", user: "alice@contoso.com",
			seed: []map[string]any{with(aliceInTarget(), "userName", "asmith@contoso.com")},
			want: want{status: report.StatusSuccess, action: report.ActionUpdate, modified: []string{"userName"}}},
		{name: "conflict", user: "alice@contoso.com",
			faults: []faults.Spec{{Type: "conflict", Match: faults.Match{Method: "POST"}}},
			want:   want{status: report.StatusFailure, action: report.ActionNone, failedStep: report.StepExport, errorCode: "EntryConflict", tip: "provisioning logs"}},
		{name: "server error", user: "alice@contoso.com",
			faults: []faults.Spec{{Type: "server_error", Match: faults.Match{Method: "POST"}, Attributes: map[string]any{"status": 503}}},
			want:   want{status: report.StatusFailure, action: report.ActionNone, failedStep: report.StepExport, errorCode: "InternalServerError", tip: "provisioning logs"}},
		{name: "throttled once, then created", user: "alice@contoso.com",
			faults: []faults.Spec{{Type: "throttle", Match: faults.Match{Method: "POST"}, Count: 1, Attributes: map[string]any{"retryAfter": 0}}},
			want:   want{status: report.StatusSuccess, action: report.ActionCreate}},
		{name: "throttled beyond the attempts", user: "alice@contoso.com",
			faults: []faults.Spec{{Type: "throttle", Match: faults.Match{Method: "POST"}, Attributes: map[string]any{"retryAfter": 0}}},
			want:   want{status: report.StatusFailure, action: report.ActionNone, failedStep: report.StepExport, errorCode: "TooManyRequests", tip: "too many requests"}},
		{name: "throttled beyond the time budget", user: "alice@contoso.com",
			config: func(c *Config) { c.Job.Timeout = 2 * time.Second },
			faults: []faults.Spec{{Type: "throttle", Match: faults.Match{Method: "POST"}, Attributes: map[string]any{"retryAfter": 30}}},
			want:   want{status: report.StatusFailure, action: report.ActionNone, failedStep: report.StepExport, errorCode: "TooManyRequests"}},
		{name: "404 on the update of the user just matched", user: "alice@contoso.com", seed: []map[string]any{with(aliceInTarget(), "title", "CEO")},
			faults: []faults.Spec{{Type: "not_found", Match: faults.Match{Method: "PATCH"}}},
			want:   want{status: report.StatusFailure, action: report.ActionNone, failedStep: report.StepExport, errorCode: "TargetRefusedNotFound", tip: "refused this request"}},
		{name: "401 on create", user: "alice@contoso.com",
			faults: []faults.Spec{{Type: "auth_failure", Match: faults.Match{Method: "POST"}}},
			want:   want{status: report.StatusFailure, action: report.ActionNone, failedStep: report.StepExport, errorCode: "Unauthorized"}},
		{name: "strict target rejects string booleans", user: "erin@contoso.com", profile: simulator.ProfileStrict,
			seed: []map[string]any{with(aliceInTarget(), "userName", "erin@contoso.com")},
			want: want{status: report.StatusFailure, action: report.ActionNone, failedStep: report.StepExport, errorCode: "SystemForCrossDomainIdentityManagementBadRequest", tip: "aadOptscim062020"}},
		{name: "compliant dialect disables on a strict target", user: "erin@contoso.com", profile: simulator.ProfileStrict,
			config: func(c *Config) { c.Job.Dialect = string(entra.DialectEntraCompliant) },
			seed:   []map[string]any{with(aliceInTarget(), "userName", "erin@contoso.com")},
			want:   want{status: report.StatusSuccess, action: report.ActionDisable, modified: []string{"active"}}},
		{name: "unknown attribute in an update PATCH on a strict target", user: "alice@contoso.com", profile: simulator.ProfileStrict,
			seed:   []map[string]any{aliceInTarget()},
			config: func(c *Config) { c.Users.Mappings[6].Target = "favoriteColor" },
			want:   want{status: report.StatusFailure, action: report.ActionNone, failedStep: report.StepExport, errorCode: "SchemaAttributeNotFound"}},
		{name: "unknown attribute in a create on a strict target", user: "alice@contoso.com", profile: simulator.ProfileStrict,
			config: func(c *Config) { c.Users.Mappings[6].Target = "favoriteColor" },
			want:   want{status: report.StatusFailure, action: report.ActionNone, failedStep: report.StepExport, errorCode: "SystemForCrossDomainIdentityManagementBadRequest"}},
		{name: "delete without an active mapping", user: "erin@contoso.com",
			seed: []map[string]any{with(aliceInTarget(), "userName", "erin@contoso.com")},
			config: func(c *Config) {
				c.Users.Mappings = slices.DeleteFunc(c.Users.Mappings, func(m *Mapping) bool { return m.Target == "active" })
			},
			want: want{status: report.StatusSuccess, action: report.ActionDelete}},
		{name: "create not enabled", user: "alice@contoso.com",
			config: func(c *Config) { c.Job.Actions = []string{ActionUpdate} },
			want:   want{status: report.StatusSkipped, action: report.ActionSkip, failedStep: report.StepExport, errorCode: "EntrySynchronizationSkipped"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			profile := tt.profile
			if profile == "" {
				profile = simulator.ProfileEntra
			}
			tg := newTarget(t, profile)
			tg.seed(t, tt.seed...)
			for _, f := range tt.faults {
				tg.fault(t, f)
			}
			src, cfg := contoso(t)
			if tt.config != nil {
				tt.config(cfg)
			}
			if tt.source != nil {
				tt.source(src)
			}
			rep := tg.run(t, src, cfg, Subject{User: tt.user})
			check(t, rep, tt.want)
		})
	}
}

// TestRun_createdUser checks what the create wrote into the target.
func TestRun_createdUser(t *testing.T) {
	tg := newTarget(t, simulator.ProfileEntra)
	src, cfg := contoso(t)
	rep := tg.run(t, src, cfg, Subject{User: "alice@contoso.com"})
	check(t, rep, want{status: report.StatusSuccess, action: report.ActionCreate})
	got := tg.users(t, "alice@contoso.com")
	if len(got) != 1 {
		t.Fatalf("target holds %d users named alice@contoso.com, want 1", len(got))
	}
	u := got[0]
	if rep.Target == nil || rep.Target.ID != u["id"] {
		t.Errorf("report target = %+v, want the created id %v", rep.Target, u["id"])
	}
	for path, want := range map[string]any{
		"displayName": "Alice Smith", "externalId": "alice", "active": true, "userType": "Employee",
		`emails[type eq "work"].value`: "alice@contoso.com",
		"name.familyName":              "Smith",
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "Sales",
	} {
		if got := wire.MustPath(path).Get(u); !equalValue(want, got) {
			t.Errorf("%s = %v, want %v", path, got, want)
		}
	}
	// Step 1 queried a random GUID on the first matching attribute; step 4 queried userName, then
	// externalId; step 5 POSTed, then scimsim read the user back (its own request, marked so).
	var calls []string
	for _, s := range rep.Steps {
		for _, ex := range s.Exchanges {
			call := s.Type + " " + ex.Method
			if ex.By != "" {
				call += " by " + ex.By
			}
			calls = append(calls, call)
			if ex.Authorization != "Bearer REDACTED" {
				t.Errorf("exchange %s %s: Authorization %q, want the token redacted", ex.Method, ex.URL, ex.Authorization)
			}
		}
	}
	if want := []string{"connection GET", "matching GET", "matching GET", "export POST", "export GET by scimsim"}; !slices.Equal(calls, want) {
		t.Errorf("exchanges = %v, want %v", calls, want)
	}
}

// TestRun_updatePayloads checks the PATCH each dialect sends for the same change.
func TestRun_updatePayloads(t *testing.T) {
	for _, tt := range []struct {
		dialect entra.Dialect
		want    string
	}{
		{entra.DialectEntra, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"displayName","value":"Alice Smith"},{"op":"Replace","path":"title","value":"Account Manager"}]}`},
		{entra.DialectEntraCompliant, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"displayName":"Alice Smith","title":"Account Manager"}}]}`},
	} {
		t.Run(string(tt.dialect), func(t *testing.T) {
			tg := newTarget(t, simulator.ProfileEntra)
			tg.seed(t, with(aliceInTarget(), "displayName", "A. Smith", "title", "Sales"))
			src, cfg := contoso(t)
			cfg.Job.Dialect = string(tt.dialect)
			rep := tg.run(t, src, cfg, Subject{User: "alice@contoso.com"})
			check(t, rep, want{status: report.StatusSuccess, action: report.ActionUpdate})
			ex := entraExchanges(rep.Step(report.StepExport).Exchanges)
			if len(ex) != 1 || ex[0].Method != http.MethodPatch {
				t.Fatalf("export exchanges = %+v, want one PATCH", ex)
			}
			if ex[0].RequestBody != tt.want {
				t.Errorf("PATCH body:\n got %s\nwant %s", ex[0].RequestBody, tt.want)
			}
			u := tg.users(t, "alice@contoso.com")[0]
			if u["displayName"] != "Alice Smith" || u["title"] != "Account Manager" {
				t.Errorf("target after PATCH: displayName %v, title %v", u["displayName"], u["title"])
			}
		})
	}
}

// TestRun_urlFlagIgnored: the aadOptscim062020 flag in the tenant URL does not change the dialect on
// demand, and the report says so.
func TestRun_urlFlagIgnored(t *testing.T) {
	tg := newTarget(t, simulator.ProfileEntra)
	src, cfg := contoso(t)
	rep := tg.run(t, src, cfg, Subject{User: "alice@contoso.com"}, WithTarget(tg.url+"?aadOptscim062020", testToken))
	check(t, rep, want{status: report.StatusSuccess, action: report.ActionCreate})
	if rep.Dialect != string(entra.DialectEntra) {
		t.Errorf("dialect = %s, want entra", rep.Dialect)
	}
	if len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "does not work with on-demand provisioning") {
		t.Errorf("warnings = %q, want the flag reported as ignored", rep.Warnings)
	}
	for _, s := range rep.Steps {
		for _, ex := range s.Exchanges {
			if strings.Contains(ex.URL, "aadOptscim062020") {
				t.Errorf("the flag was sent to the target: %s", ex.URL)
			}
		}
	}
}

// TestRun_timeout: a target that never answers the create ends the run with Timeout within
// job.timeout, and the report warns that the retried POST may have been applied.
func TestRun_timeout(t *testing.T) {
	tg := newTarget(t, simulator.ProfileEntra)
	tg.fault(t, faults.Spec{Type: "timeout", Match: faults.Match{Method: "POST"}})
	src, cfg := contoso(t)
	cfg.Job.Timeout = 300 * time.Millisecond
	rep := tg.run(t, src, cfg, Subject{User: "alice@contoso.com"})
	check(t, rep, want{status: report.StatusFailure, action: report.ActionNone, failedStep: report.StepExport, errorCode: "Timeout", tip: "took too long to respond"})
	if !slices.ContainsFunc(rep.Warnings, func(w string) bool { return strings.Contains(w, "may already have applied") }) {
		t.Errorf("warnings = %q, want the retried POST reported", rep.Warnings)
	}
	if got := len(rep.ModifiedProperties); got == 0 {
		t.Errorf("modifiedProperties is empty: a failed create must list the attempted attributes")
	}
}

// TestRun_unreachable covers a host that refuses connections and one whose certificate is not
// trusted.
func TestRun_unreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String() + "/scim/v2"
	l.Close()
	tls := httptest.NewUnstartedServer(http.NotFoundHandler())
	tls.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is the point
	tls.StartTLS()
	t.Cleanup(tls.Close)
	for _, tt := range []struct {
		name, url, code string
	}{
		{"connection refused", closed, "ConnectionFailed"},
		{"untrusted certificate", tls.URL + "/scim/v2", "TLSHandshakeFailed"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src, cfg := contoso(t)
			rep, err := Run(context.Background(), src, cfg, Subject{User: "alice"}, WithTarget(tt.url, testToken))
			if err != nil {
				t.Fatal(err)
			}
			check(t, rep, want{status: report.StatusFailure, action: report.ActionNone, failedStep: report.StepConnection, errorCode: tt.code, tip: "valid credentials"})
		})
	}
}

// TestRun_wrongToken: 401 at step 1.
func TestRun_wrongToken(t *testing.T) {
	tg := newTarget(t, simulator.ProfileEntra)
	src, cfg := contoso(t)
	rep := tg.run(t, src, cfg, Subject{User: "alice@contoso.com"}, WithTarget(tg.url, "not-the-Secret-7f3a"))
	check(t, rep, want{status: report.StatusFailure, action: report.ActionNone, failedStep: report.StepConnection, errorCode: "Unauthorized", tip: "secret token"})
	for _, ex := range rep.Step(report.StepConnection).Exchanges {
		if strings.Contains(ex.Curl(), "not-the-Secret-7f3a") {
			t.Errorf("the token leaked into the report: %s", ex.Curl())
		}
	}
}

// TestRun_softDeleteRestore reproduces the documented limitation: soft-delete a user on demand,
// restore it, against a target that hides inactive users: the match finds nothing and Entra
// creates the user again.
func TestRun_softDeleteRestore(t *testing.T) {
	tg := newTarget(t, simulator.ProfileEntra)
	src, cfg := contoso(t)
	subj := Subject{User: "alice@contoso.com"}
	check(t, tg.run(t, src, cfg, subj), want{status: report.StatusSuccess, action: report.ActionCreate})

	assignments := src.Assignments
	src.Assignments = slices.DeleteFunc(slices.Clone(assignments), func(a Assignment) bool {
		return a.Principal == "u-alice" || a.Principal == "g-sales"
	})
	check(t, tg.run(t, src, cfg, subj), want{status: report.StatusSuccess, action: report.ActionDisable, modified: []string{"active"}})

	src.Assignments = assignments
	tg.fault(t, faults.Spec{Type: "hide_inactive", Match: faults.Match{Method: "GET", Resource: "Users"}})
	rep := tg.run(t, src, cfg, subj)
	if got := rep.Step(report.StepMatching); got.Status != report.StatusSuccess || rep.Target != nil && rep.Action != report.ActionCreate {
		t.Fatalf("matching = %s, target %+v: the hidden inactive user must not be matched", got.Status, rep.Target)
	}
	// The simulator enforces unique userNames, so the second create is a conflict; a target
	// without that check ends up with two Alices. Either way the report names the limitation.
	check(t, rep, want{status: report.StatusFailure, action: report.ActionNone, failedStep: report.StepExport, errorCode: "EntryConflict", tip: "it can result in duplicate users"})
}

// TestRun_ambiguousSubject: several users match the search: Run lists them.
func TestRun_ambiguousSubject(t *testing.T) {
	src, cfg := contoso(t)
	src.Users = append(src.Users, &User{ObjectID: "u-alice2", Attrs: map[string]any{"objectId": "u-alice2", "givenName": "Alice", "userPrincipalName": "alice.b@contoso.com"}})
	_, err := Run(context.Background(), src, cfg, Subject{User: "alice"}, WithTarget("http://127.0.0.1:1/scim/v2", ""))
	if err == nil {
		t.Fatal("Run succeeded, want an error listing both users")
	}
	for _, want := range []string{"alice@contoso.com (u-alice)", "alice.b@contoso.com (u-alice2)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not list %s", err, want)
		}
	}
}

// TestRun_badInput: Run rejects what is not a run.
func TestRun_badInput(t *testing.T) {
	src, cfg := contoso(t)
	for _, tt := range []struct {
		name string
		subj Subject
		cfg  func(*Config)
		want string
	}{
		{"no subject", Subject{}, nil, "name a user or a group"},
		{"both", Subject{User: "a", Group: "b"}, nil, "either a user or a group"},
		{"members without group", Subject{User: "a", Members: []string{"b"}}, nil, "only be chosen for a group"},
		{"no target", Subject{User: "alice"}, func(c *Config) { c.Target.URL = "" }, "no tenant URL"},
		{"bad operator", Subject{User: "alice"}, func(c *Config) { c.Users.ScopingFilters[0].Clauses[0].Operator = "LESS" }, `unknown operator "LESS"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := *cfg
			c.Users.ScopingFilters = []ScopingFilter{{Name: "f", Clauses: []Clause{{Attribute: "department", Operator: "EQUALS", Value: "Sales"}}}}
			if tt.cfg != nil {
				tt.cfg(&c)
			}
			_, err := Run(context.Background(), src, &c, tt.subj)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Run error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestRun_concurrent: runs sharing one source and config do not race (go test -race).
func TestRun_concurrent(t *testing.T) {
	tg := newTarget(t, simulator.ProfileEntra)
	src, cfg := contoso(t)
	users := []string{"alice@contoso.com", "bob@contoso.com", "carol@contoso.com"}
	reps := make([]*Report, len(users))
	var wg sync.WaitGroup
	for i, u := range users {
		wg.Go(func() {
			reps[i], _ = Run(context.Background(), src, cfg, Subject{User: u}, WithTarget(tg.url, testToken),
				WithClock(func() time.Time { return testNow }), WithRand(rand.New(rand.NewSource(int64(i)))))
		})
	}
	wg.Wait()
	for i, rep := range reps {
		if rep == nil || rep.Action != report.ActionCreate {
			t.Errorf("run %d (%s): %+v, want a create", i, users[i], rep)
		}
	}
}

// TestRun_rolesNotProvisioned: a role mapping is reported with the document's sentence, not sent.
func TestRun_rolesNotProvisioned(t *testing.T) {
	tg := newTarget(t, simulator.ProfileEntra)
	src, cfg := contoso(t)
	cfg.Users.Mappings = append(cfg.Users.Mappings, &Mapping{Expression: "SingleAppRoleAssignment([appRoleAssignments])", Target: "roles"})
	rep := tg.run(t, src, cfg, Subject{User: "alice@contoso.com"})
	check(t, rep, want{status: report.StatusSuccess, action: report.ActionCreate, tip: "On-demand provisioning of roles isn't supported."})
	export := rep.Step(report.StepExport)
	if export.Status != report.StatusWarning {
		t.Errorf("export status = %s, want warning", export.Status)
	}
	if v, ok := export.Details.Get("roles"); !ok || !strings.Contains(v, "not sent") {
		t.Errorf("export details roles = %q, want it reported as not sent", v)
	}
	if body := export.Exchanges[0].RequestBody; strings.Contains(body, "roles") {
		t.Errorf("the create sent roles: %s", body)
	}
}

// TestRun_redact: a value whose expression calls Redact is sent, and reported as "[Redact]".
func TestRun_redact(t *testing.T) {
	tg := newTarget(t, simulator.ProfileEntra)
	src, cfg := contoso(t)
	cfg.Users.Mappings = append(cfg.Users.Mappings, &Mapping{Expression: "Redact([employeeId])", Target: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"})
	rep := tg.run(t, src, cfg, Subject{User: "alice@contoso.com"})
	check(t, rep, want{status: report.StatusSuccess, action: report.ActionCreate})
	last := rep.ModifiedProperties[len(rep.ModifiedProperties)-1]
	if last.NewValue != "[Redact]" {
		t.Errorf("modified %s = %v, want [Redact]", last.Name, last.NewValue)
	}
	if body := rep.Step(report.StepExport).Exchanges[0].RequestBody; !strings.Contains(body, `"employeeNumber":"1001"`) {
		t.Errorf("the create did not send the value: %s", body)
	}
}

// entraExchanges keeps the requests Entra sends, leaving out scimsim's own (the read-back).
func entraExchanges(ex []Exchange) []Exchange {
	return slices.DeleteFunc(slices.Clone(ex), func(e Exchange) bool { return e.By != wire.ByEntra })
}

// TestRun_valueRefused: a value that a row of entra's table of codes refuses to send (its Refuses
// and Cases) fails step 5 with that row's code before any request writes it, on create and on
// update; a value it accepts is sent.
func TestRun_valueRefused(t *testing.T) {
	for _, c := range entra.Codes() {
		for i, v := range c.Cases {
			t.Run(fmt.Sprintf("%s/%d", c.Code, i), func(t *testing.T) {
				src, err := ParseSource("src.yaml", []byte("users:\n  - {objectId: u-a, userPrincipalName: a@contoso.com}\nassignments:\n  - {principal: u-a}\n"))
				if err != nil {
					t.Fatal(err)
				}
				src.Users[0].Attrs["x"] = v.Value
				cfg, err := ParseConfig("cfg.yaml", []byte(fmt.Sprintf("users:\n  mappings:\n    - {source: userPrincipalName, target: userName, matching: 1}\n    - {source: x, target: %q}\n", v.Target)))
				if err != nil {
					t.Fatal(err)
				}
				for _, existing := range []bool{false, true} {
					tg := newTarget(t, simulator.ProfileEntra)
					if existing {
						tg.seed(t, map[string]any{"userName": "a@contoso.com"})
					}
					rep := tg.run(t, src, cfg, Subject{User: "a@contoso.com"})
					ex := rep.Step(report.StepExport)
					writes := 0
					for _, x := range ex.Exchanges {
						if x.Method == http.MethodPost || x.Method == http.MethodPatch {
							writes++
						}
					}
					switch {
					case v.Refused && (rep.ErrorCode != string(c.Code) || rep.FailedStep != report.StepExport || writes != 0):
						t.Errorf("existing %t: %s failed at %q with %q after %d writes, want %s at export before any write", existing, v.Target, rep.FailedStep, rep.ErrorCode, writes, c.Code)
					case !v.Refused && rep.ErrorCode == string(c.Code):
						t.Errorf("existing %t: %s refused with %s: %s", existing, v.Target, c.Code, rep.Reason)
					}
				}
			})
		}
	}
}
