package harness_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/onsi/ginkgo/v2"

	"github.com/scimsim/scimsim/conformance"
	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/harness"
	"github.com/scimsim/scimsim/report"
	"github.com/scimsim/scimsim/scenarios"
	"github.com/scimsim/scimsim/simulator"
)

const externalToken = "s3cret-token"

// newEndpoint is a simulator as a real endpoint is reached: through SCIM only, with a token. The
// tests read its store through the simulator's Go API.
func newEndpoint(t *testing.T) (*simulator.TestServer, *harness.External) {
	t.Helper()
	ts := simulator.NewTestServer(t, simulator.WithToken(externalToken))
	return ts, &harness.External{URL: ts.SCIMURL(""), Token: externalToken}
}

func conformanceCases(t *testing.T, dir string) []harness.Case {
	t.Helper()
	cases, err := harness.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return conformanceOnly(cases)
}

func assertEmpty(t *testing.T, ts *simulator.TestServer) {
	t.Helper()
	if u, g := ts.Tenant("").Users(), ts.Tenant("").Groups(); u != 0 || g != 0 {
		t.Errorf("the endpoint holds %d users and %d groups after the run, want none", u, g)
	}
}

// The conformance label is what runs against a real endpoint (--target): every such scenario must
// pass against a plain SCIM target reached only through SCIM, and must leave nothing behind in it.
func TestExternal_ConformanceScenarios(t *testing.T) {
	ts, ext := newEndpoint(t)
	cases := conformanceCases(t, filepath.Join("..", "scenarios"))
	var ids []string
	for _, c := range cases {
		ids = append(ids, c.Scenario.ID)
	}
	// Issue 8, item 1: the no-fault scenarios a conformance run covers.
	for _, want := range []string{
		"action-create",                       // create
		"match-user-name",                     // match by userName
		"match-attributes-in-order",           // match by externalId (userName differs)
		"action-update",                       // update
		"action-no-change-skip",               // no-change skip
		"limitation-unassigned-user-disabled", // disable on unassignment
		"action-restore",                      // restore
		"action-delete",                       // delete
		"group-five-members",                  // group create
		"group-member-added",                  // member add
		"group-member-left-removed",           // member remove
	} {
		if !slices.Contains(ids, want) {
			t.Errorf("scenario %s is not labelled %s", want, scenarios.LabelConformance)
		}
	}
	for _, res := range harness.RunAll(context.Background(), ext, cases, harness.Options{}) {
		if !res.Passed() {
			t.Error(res.Failure())
		}
	}
	assertEmpty(t, ts)
}

func TestExternal_FailingScenarioCleansUp(t *testing.T) {
	ts, ext := newEndpoint(t)
	cases := conformanceCases(t, filepath.Join("testdata", "external"))
	results := harness.RunAll(context.Background(), ext, cases, harness.Options{})
	got := map[string]bool{}
	for _, r := range results {
		got[r.Scenario.ID] = r.Passed()
		if r.Cleanup != nil {
			t.Errorf("%s: cleanup: %v", r.Scenario.ID, r.Cleanup)
		}
	}
	want := map[string]bool{"seeded-wrong-expectation": false, "create-after-seed": true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("passed per scenario (-want +got):\n%s", diff)
	}
	assertEmpty(t, ts)
}

// Resources already in the endpoint under the catalog's own names are never matched, changed or
// deleted: the run's names are its own.
func TestExternal_OnlyOwnResources(t *testing.T) {
	ts, ext := newEndpoint(t)
	foreignUsers := []map[string]any{
		{"id": "f-alice", "userName": "alice@contoso.com", "externalId": "u-alice", "active": true},
		{"id": "f-ivan", "userName": "ivan@contoso.com", "externalId": "u-ivan", "displayName": "Ivan P.", "active": true},
		{"id": "f-trent", "userName": "trent@contoso.com", "externalId": "u-trent", "active": true},
		{"id": "f-zoe", "userName": "zoe@contoso.com", "externalId": "u-zoe", "active": true},
	}
	foreignGroups := []map[string]any{{"id": "f-five", "displayName": "Five", "externalId": "g-five", "members": []any{map[string]any{"value": "f-zoe"}}}}
	if _, _, err := ts.Tenant("").Seed(foreignUsers, foreignGroups); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, ts)
	for _, res := range harness.RunAll(context.Background(), ext, conformanceCases(t, filepath.Join("..", "scenarios")), harness.Options{}) {
		if !res.Passed() {
			t.Error(res.Failure())
		}
	}
	if diff := cmp.Diff(before, snapshot(t, ts)); diff != "" {
		t.Errorf("the endpoint's own resources changed (-before +after):\n%s", diff)
	}
}

// snapshot reads every user and group of the endpoint's default tenant through SCIM.
func snapshot(t *testing.T, ts *simulator.TestServer) map[string]any {
	t.Helper()
	out := map[string]any{}
	for _, resource := range []string{"Users", "Groups"} {
		req, err := http.NewRequest(http.MethodGet, ts.SCIMURL("")+"/"+resource+"?count=1000", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+externalToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var list map[string]any
		err = json.NewDecoder(resp.Body).Decode(&list)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("GET %s: %v", resource, err)
		}
		out[resource] = list["Resources"]
	}
	return out
}

// loseAnswer forwards requests and, for the first POST whose body contains marker, drops the
// endpoint's answer: the resource is created, the client never learns its id.
type loseAnswer struct {
	marker string
	once   sync.Once
}

func (l *loseAnswer) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil || r.Method != http.MethodPost || !bytes.Contains(body, []byte(l.marker)) {
		return resp, err
	}
	lost := false
	l.once.Do(func() { lost = true })
	if !lost {
		return resp, nil
	}
	resp.Body.Close()
	return nil, errors.New("connection reset by the test")
}

func TestExternal_CleanupFindsCreateWithLostAnswer(t *testing.T) {
	ts, ext := newEndpoint(t)
	cases, err := harness.LoadDir(filepath.Join("testdata", "external"), "create-after-seed")
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Transport: &loseAnswer{marker: "alice@contoso.com"}}
	res := harness.Run(context.Background(), ext, cases[0], harness.Options{HTTPClient: hc})
	if got, want := res.Outcome.ActualErrorCode(), "ConnectionFailed"; got != want {
		t.Errorf("error code = %q, want %q (the create's answer was lost)", got, want)
	}
	if res.Cleanup != nil {
		t.Errorf("cleanup: %v", res.Cleanup)
	}
	assertEmpty(t, ts)
}

func TestExternal_Prepare(t *testing.T) {
	ts, ext := newEndpoint(t)
	ext.Prefix = "ci-42."
	_, err := ext.Prepare(context.Background(), &scenarios.Scenario{ID: "f", Labels: []string{"faults"}})
	if !errors.Is(err, harness.ErrNotConformance) {
		t.Errorf("Prepare(faults scenario) error = %v, want ErrNotConformance", err)
	}
	sc := &scenarios.Scenario{ID: "seeded", Labels: []string{scenarios.LabelConformance}, Target: scenarios.Target{
		Users: []map[string]any{
			{"id": "t-uma", "userName": "uma@contoso.com", "emails": []any{map[string]any{"value": "uma@contoso.com"}}},
			{"id": "t-zoe", "userName": "zoe@contoso.com"},
		},
		Groups: []map[string]any{{"displayName": "Five", "members": []any{map[string]any{"value": "t-zoe"}}}},
	}}
	ep, err := ext.Prepare(context.Background(), sc)
	if err != nil {
		t.Fatalf("Prepare(seeded) error = %v", err)
	}
	if want := "ci-42." + ext.RunID() + "-"; !strings.HasPrefix(ep.Tag, want) || ep.URL != strings.TrimSuffix(ext.URL, "/") || ep.Token != externalToken {
		t.Errorf("Prepare(seeded) = %+v, want the endpoint as given and a tag starting %q", ep, want)
	}
	if n, err := ext.GroupMembers(context.Background(), sc, "Five"); err != nil || n != 1 {
		t.Errorf("GroupMembers(Five) = %d, %v; want 1 (the seeded member, by the endpoint's id)", n, err)
	}
	if n, err := ext.GroupMembers(context.Background(), sc, "Six"); err != nil || n != 0 {
		t.Errorf("GroupMembers(Six) = %d, %v; want 0 members for a group the run did not create", n, err)
	}
	if u, g := ts.Tenant("").Users(), ts.Tenant("").Groups(); u != 2 || g != 1 {
		t.Errorf("after Prepare the endpoint holds %d users and %d groups, want 2 and 1", u, g)
	}
	// The seeds carry the tag; the catalog's entries are unchanged.
	if got := snapshot(t, ts)["Users"].([]any)[0].(map[string]any)["userName"]; !strings.HasPrefix(got.(string), ep.Tag) {
		t.Errorf("seeded userName = %v, want it to start with the tag %q", got, ep.Tag)
	}
	if got := sc.Target.Users[0]["userName"]; got != "uma@contoso.com" {
		t.Errorf("the scenario's seed changed: userName = %v", got)
	}
	if err := ext.Cleanup(context.Background(), sc); err != nil {
		t.Fatalf("Cleanup() error = %v", err)
	}
	assertEmpty(t, ts)
	if err := ext.Cleanup(context.Background(), sc); err != nil {
		t.Errorf("second Cleanup() error = %v, want nothing left to do", err)
	}
}

// A server that drops the members of a group create (Entra never sends one) still gets the seeded
// group's members, through a PATCH.
func TestExternal_PrepareGroupMembersDroppedOnCreate(t *testing.T) {
	srv, err := simulator.New(simulator.WithToken(externalToken))
	if err != nil {
		t.Fatal(err)
	}
	var patched atomic.Bool
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/Groups") {
			var g map[string]any
			if err := json.NewDecoder(r.Body).Decode(&g); err != nil {
				t.Errorf("group create body: %v", err)
			}
			delete(g, "members")
			b, _ := json.Marshal(g)
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
		}
		if r.Method == http.MethodPatch && strings.Contains(r.URL.Path, "/Groups/") {
			patched.Store(true)
		}
		srv.ServeHTTP(w, r)
	}))
	defer ts.Close()
	ext := &harness.External{URL: ts.URL + "/scim/v2", Token: externalToken}
	sc := &scenarios.Scenario{ID: "drops-members", Labels: []string{scenarios.LabelConformance}, Target: scenarios.Target{
		Users:  []map[string]any{{"id": "t-uma", "userName": "uma@contoso.com"}, {"id": "t-zoe", "userName": "zoe@contoso.com"}},
		Groups: []map[string]any{{"displayName": "Five", "members": []any{map[string]any{"value": "t-uma"}, map[string]any{"value": "t-zoe"}}}},
	}}
	if _, err := ext.Prepare(context.Background(), sc); err != nil {
		t.Fatalf("Prepare() error = %v", err)
	}
	if n, err := ext.GroupMembers(context.Background(), sc, "Five"); err != nil || n != 2 || !patched.Load() {
		t.Errorf("GroupMembers(Five) = %d, %v (patched %v); want 2 members added by a PATCH", n, err, patched.Load())
	}
	if err := ext.Cleanup(context.Background(), sc); err != nil {
		t.Fatal(err)
	}
	if u, g := srv.Tenant("").Users(), srv.Tenant("").Groups(); u != 0 || g != 0 {
		t.Errorf("after Cleanup the endpoint holds %d users and %d groups, want none", u, g)
	}
}

func TestExternal_Validate(t *testing.T) {
	tests := []struct {
		name, url, prefix, wantErr string
	}{
		{name: "ok", url: "https://app.example/scim/v2", prefix: "ci-7_."},
		{name: "default prefix", url: "http://127.0.0.1:8080/scim/v2"},
		{name: "relative url", url: "/scim/v2", wantErr: `external target "/scim/v2": want an absolute http or https URL`},
		{name: "feature flag in the url", url: "https://app.example/scim?aadOptscim062020", wantErr: `remove the query string ("aadOptscim062020")`},
		{name: "prefix with a space", url: "https://app.example/scim", prefix: "my run", wantErr: `prefix "my run": want at most 32 letters`},
		{name: "prefix with an at sign", url: "https://app.example/scim", prefix: "a@b", wantErr: `prefix "a@b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := (&harness.External{URL: tt.url, Prefix: tt.prefix}).Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Validate() error = %v, want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("Validate() error = %v, want one containing %q", err, tt.wantErr)
			}
			// The conformance checks get the same --prefix: both must accept or refuse it alike.
			cerr := conformance.Config{BaseURL: "https://app.example/scim", Prefix: tt.prefix}.Validate()
			if (cerr == nil) != (tt.prefix == "" || tt.wantErr == "" || !strings.HasPrefix(tt.wantErr, "prefix")) {
				t.Errorf("conformance.Config.Validate(prefix %q) = %v, disagrees with External.Validate", tt.prefix, cerr)
			}
		})
	}
}

// TestSuite_InterruptCleansUp runs this test binary's suite against an endpoint that holds the
// run's create of Alice (after creating her) until the suite is interrupted with SIGINT, as Ctrl-C
// does, and checks that Ginkgo's cleanup still deleted the seeded user and found Alice by her name.
func TestSuite_InterruptCleansUp(t *testing.T) {
	if sc, _ := ginkgo.GinkgoConfiguration(); sc.ParallelProcess > 1 {
		t.Skip("runs once, on the first parallel process")
	}
	if testing.Short() {
		t.Skip("starts a second test process")
	}
	srv, err := simulator.New(simulator.WithToken(externalToken))
	if err != nil {
		t.Fatal(err)
	}
	reached := make(chan struct{})
	var once sync.Once
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if r.Method != http.MethodPost || !bytes.Contains(body, []byte("alice@contoso.com")) {
			srv.ServeHTTP(w, r)
			return
		}
		// Create Alice, then keep the answer until the client gives up.
		srv.ServeHTTP(httptest.NewRecorder(), r)
		once.Do(func() { close(reached) })
		<-r.Context().Done()
	}))
	defer ts.Close()

	var out bytes.Buffer
	cmd := exec.Command(os.Args[0], "-test.run=^TestScenarios$", "-ginkgo.no-color", "-ginkgo.focus=create-after-seed",
		"-scenarios", filepath.Join("testdata", "external"), "-target", ts.URL+"/scim/v2", "-token", externalToken)
	cmd.Env = append(os.Environ(), "SCIMSIM_TARGET=", "SCIMSIM_TOKEN=")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-reached:
	case err := <-exited:
		t.Fatalf("the suite ended (%v) before creating Alice:\n%s", err, &out)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if err := <-exited; err == nil {
		t.Errorf("an interrupted suite exited 0:\n%s", &out)
	}
	if !strings.Contains(out.String(), "Interrupted by User") {
		t.Errorf("suite output does not show the interrupt:\n%s", &out)
	}
	if u, g := srv.Tenant("").Users(), srv.Tenant("").Groups(); u != 0 || g != 0 {
		t.Errorf("after the interrupt the endpoint holds %d users and %d groups, want none\n%s", u, g, &out)
	}
}

func TestTagSource(t *testing.T) {
	src, err := engine.ParseSource("directory.yaml", []byte(`kind: entra
users:
  - {objectId: u-alice, userPrincipalName: alice@contoso.com, mail: alice.smith@contoso.com, mailNickname: alice, displayName: Alice Smith, givenName: Alice}
  - {objectId: u-bob, userPrincipalName: bob@contoso.com}
groups:
  - {objectId: g-five, displayName: Five, members: [u-alice]}
assignments:
  - {principal: g-five, role: User}
  - {principal: u-bob}
`))
	if err != nil {
		t.Fatal(err)
	}
	const tag = "scimsim-1a2b3c4d-3-"
	got := harness.TagSource(src, tag)
	if err := got.Validate(); err != nil {
		t.Fatalf("TagSource() is not a valid source: %v", err)
	}
	alice := got.Users[0]
	wantAttrs := map[string]any{
		"objectId":          tag + "u-alice",
		"userPrincipalName": tag + "alice@contoso.com",
		"mail":              tag + "alice.smith@contoso.com",
		"mailNickname":      tag + "alice",
		"displayName":       "Alice Smith",
		"givenName":         "Alice",
	}
	if diff := cmp.Diff(wantAttrs, alice.Attrs); diff != "" {
		t.Errorf("tagged user attributes (-want +got):\n%s", diff)
	}
	if g := got.Groups[0]; g.ObjectID != tag+"g-five" || g.DisplayName != tag+"Five" || g.Attrs["displayName"] != tag+"Five" || !slices.Equal(g.Members, []string{tag + "u-alice"}) {
		t.Errorf("tagged group = %+v", g)
	}
	if p := got.Assignments[1].Principal; p != tag+"u-bob" {
		t.Errorf("tagged assignment principal = %q", p)
	}
	if src.Users[0].Attrs["userPrincipalName"] != "alice@contoso.com" || src.Groups[0].Members[0] != "u-alice" {
		t.Errorf("TagSource changed its input")
	}
	for _, tt := range []struct {
		name string
		in   scenarios.Subject
		want scenarios.Subject
	}{
		{name: "by UPN", in: scenarios.Subject{User: "alice@contoso.com"}, want: scenarios.Subject{User: tag + "alice@contoso.com"}},
		{name: "by email, any case", in: scenarios.Subject{User: "Alice.Smith@contoso.com"}, want: scenarios.Subject{User: tag + "Alice.Smith@contoso.com"}},
		{name: "by display name", in: scenarios.Subject{User: "Alice Smith"}, want: scenarios.Subject{User: "Alice Smith"}},
		{name: "group and members", in: scenarios.Subject{Group: "five", Members: []string{"alice@contoso.com", "Alice"}}, want: scenarios.Subject{Group: tag + "five", Members: []string{tag + "alice@contoso.com", "Alice"}}},
		{name: "unknown group", in: scenarios.Subject{Group: "Six"}, want: scenarios.Subject{Group: "Six"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := harness.TagSubject(src, tt.in, tag)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("TagSubject() (-want +got):\n%s", diff)
			}
			// What the subject finds in the tagged source is what it found in the original.
			if tt.in.User != "" {
				before, _ := src.FindUser(tt.in.User)
				after, _ := harness.TagSource(src, tag).FindUser(got.User)
				if (before == nil) != (after == nil) || (before != nil && tag+before.ObjectID != after.ObjectID) {
					t.Errorf("subject %q finds %v before tagging and %v after", tt.in.User, before, after)
				}
			}
		})
	}
}

// BenchmarkRunAll_External is one conformance run of the catalog against an endpoint reached only
// through SCIM: seeding, the engine's runs, group inspections and the cleanup of every scenario.
func BenchmarkRunAll_External(b *testing.B) {
	cases, err := harness.LoadDir(filepath.Join("..", "scenarios"))
	if err != nil {
		b.Fatal(err)
	}
	conf := conformanceOnly(cases)
	ts := simulator.NewTestServer(b, simulator.WithToken(externalToken))
	ext := &harness.External{URL: ts.SCIMURL(""), Token: externalToken}
	b.ReportAllocs()
	for b.Loop() {
		for _, res := range harness.RunAll(context.Background(), ext, conf, harness.Options{}) {
			if !res.Passed() {
				b.Fatal(res.Failure())
			}
		}
	}
	b.ReportMetric(float64(len(conf)), "scenarios/op")
}

// What the engine created is learnt from its report (Report.Created, the members' reports too), never
// from the exchanges it recorded: a POST in the exchanges that the report does not list is not
// deleted, and everything the report lists is.
func TestExternal_RecordReadsTheReport(t *testing.T) {
	ts, ext := newEndpoint(t)
	sc := &scenarios.Scenario{ID: "record", Labels: []string{scenarios.LabelConformance}}
	ep, err := ext.Prepare(context.Background(), sc)
	if err != nil {
		t.Fatal(err)
	}
	users, groups, err := ts.Tenant("").Seed([]map[string]any{
		{"id": "u-member", "userName": ep.Tag + "member@contoso.com"},
		{"id": "u-theirs", "userName": "theirs@contoso.com"},
	}, []map[string]any{{"id": "g-five", "displayName": ep.Tag + "Five"}})
	if err != nil || users != 2 || groups != 1 {
		t.Fatal(users, groups, err)
	}
	rep := &engine.Report{
		Subject: engine.Identity{Type: "Group", Display: ep.Tag + "Five"},
		Status:  report.StatusSuccess,
		Created: []engine.Identity{{Type: "Group", ID: "g-five", Display: ep.Tag + "Five"}},
		Members: []*engine.Report{{Status: report.StatusSuccess, Created: []engine.Identity{{Type: "User", ID: "u-member", Display: ep.Tag + "member@contoso.com"}}}},
		Steps: []engine.Step{{Type: report.StepExport, Exchanges: []engine.Exchange{{Method: http.MethodPost, URL: ep.URL + "/Users",
			RequestBody: `{"userName":"theirs@contoso.com"}`, Status: http.StatusCreated, ResponseBody: `{"id":"u-theirs","userName":"theirs@contoso.com"}`}}}},
	}
	ext.Record(sc, rep)
	if err := ext.Cleanup(context.Background(), sc); err != nil {
		t.Fatal(err)
	}
	if u, g := ts.Tenant("").Users(), ts.Tenant("").Groups(); u != 1 || g != 0 {
		t.Errorf("after Cleanup the endpoint holds %d users and %d groups; want only the user the report does not list", u, g)
	}
}

// A group the engine created but could not fill (its member PATCH refused) is not in Report.Created;
// it is the report's target, tagged, and is deleted with the rest.
func TestExternal_CleanupGroupWhoseMembersFailed(t *testing.T) {
	srv, err := simulator.New(simulator.WithToken(externalToken))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPatch && strings.Contains(r.URL.Path, "/Groups/") {
			w.Header().Set("Content-Type", "application/scim+json")
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"500","detail":"members are broken"}`)
			return
		}
		srv.ServeHTTP(w, r)
	}))
	defer ts.Close()
	ext := &harness.External{URL: ts.URL + "/scim/v2", Token: externalToken}
	cases, err := harness.LoadDir(filepath.Join("..", "scenarios"), "group-five-members")
	if err != nil {
		t.Fatal(err)
	}
	res := harness.Run(context.Background(), ext, cases[0], harness.Options{})
	if res.Passed() || res.Cleanup != nil {
		t.Fatalf("Run passed %v, cleanup %v; want the member PATCH to fail and the cleanup to succeed", res.Passed(), res.Cleanup)
	}
	if u, g := srv.Tenant("").Users(), srv.Tenant("").Groups(); u != 0 || g != 0 {
		t.Errorf("after the run the endpoint holds %d users and %d groups, want none", u, g)
	}
}
