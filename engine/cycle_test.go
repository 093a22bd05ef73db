package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/report"
	"github.com/scimsim/scimsim/simulator"
	"github.com/scimsim/scimsim/wire"
)

func newSession(t *testing.T, tg *target, url string) (*Session, *Source) {
	t.Helper()
	src := testSource(t, "contoso")
	s, err := NewSession(src, DefaultConfig(), WithTarget(url, testToken))
	if err != nil {
		t.Fatal(err)
	}
	// The job's records: no user provisioned yet, so the manager reference is left out.
	s.Anchors = func(string) (string, bool) { return "", false }
	return s, src
}

func requestsOf(rep *Report) []string {
	var out []string
	for _, s := range rep.Steps {
		for _, ex := range s.Exchanges {
			out = append(out, fmt.Sprintf("%s %s %s", ex.Method, ex.URL, ex.By))
		}
	}
	return out
}

// TestSession_anchor: an object with an anchor is read by its id, not matched by a query; a 404
// there is InvalidAnchor at step 4, and the read-back after the write is not sent.
func TestSession_anchor(t *testing.T) {
	tg := newTarget(t, simulator.ProfileEntra)
	s, src := newSession(t, tg, tg.url)
	alice := src.User("u-alice")
	ctx := context.Background()
	created := s.Provision(ctx, Object{User: alice, Now: testNow})
	if created.Action != report.ActionCreate || created.Target == nil {
		t.Fatalf("first provisioning: %s %s %s", created.Status, created.Action, created.Reason)
	}
	for _, ex := range created.Step(report.StepExport).Exchanges {
		if ex.By == wire.ByScimsim {
			t.Errorf("a cycle read the write back: %s %s", ex.Method, ex.URL)
		}
	}
	alice.Attrs["jobTitle"] = "Director"
	rep := s.Provision(ctx, Object{User: alice, Anchor: created.Target.ID, Now: testNow})
	m := rep.Step(report.StepMatching)
	if rep.Action != report.ActionUpdate || len(m.Exchanges) != 1 || m.Exchanges[0].Method != "GET" || strings.Contains(m.Exchanges[0].URL, "filter=") ||
		!strings.HasSuffix(m.Exchanges[0].URL, "/Users/"+created.Target.ID) {
		t.Fatalf("anchored update: %s %s, matching requests %v", rep.Action, rep.Reason, requestsOf(rep))
	}
	rep = s.Provision(ctx, Object{User: alice, Anchor: "no-such-id", Now: testNow})
	if rep.FailedStep != report.StepMatching || rep.ErrorCode != string(entra.CodeInvalidAnchor) {
		t.Fatalf("a vanished anchor: %s at %s, want InvalidAnchor at matching (%s)", rep.ErrorCode, rep.FailedStep, rep.Reason)
	}
}

// TestSession_outOfScopeNotQueried: a user out of scope that the job never provisioned is skipped
// without a request.
func TestSession_outOfScopeNotQueried(t *testing.T) {
	tg := newTarget(t, simulator.ProfileEntra)
	s, src := newSession(t, tg, tg.url)
	erin := src.User("u-erin")
	if erin == nil || s.InScope(Object{User: erin, Now: testNow}) {
		t.Fatal("u-erin should be a user out of scope in Contoso's source")
	}
	rep := s.Provision(context.Background(), Object{User: erin, Now: testNow})
	if rep.Status != report.StatusSkipped || len(requestsOf(rep)) != 0 {
		t.Fatalf("status %s, requests %v; want skipped without a request", rep.Status, requestsOf(rep))
	}
}

// TestSession_groupMembers: a group in a cycle names the members the job gives it, six of them
// too, and provisions none of them itself.
func TestSession_groupMembers(t *testing.T) {
	tg := newTarget(t, simulator.ProfileEntra)
	s, src := newSession(t, tg, tg.url)
	var ids []string
	for i := range 6 {
		tg.seed(t, map[string]any{"userName": fmt.Sprintf("x%d@contoso.com", i)})
		ids = append(ids, tg.users(t, fmt.Sprintf("x%d@contoso.com", i))[0]["id"].(string))
	}
	g := src.Group("g-sales")
	rep := s.Provision(context.Background(), Object{Group: g, Members: ids, Now: testNow})
	if rep.Action != report.ActionCreate || len(rep.Members) != 0 {
		t.Fatalf("group: %s %s %s, %d member runs", rep.Status, rep.Action, rep.Reason, len(rep.Members))
	}
	if v, _ := rep.Step(report.StepImport).Details.Get("members"); v != "2 members" {
		t.Errorf("import details members = %q", v)
	}
	found := false
	for _, mp := range rep.ModifiedProperties {
		if mp.Name == "members" {
			found = len(mp.NewValue.([]string)) == 6
		}
	}
	if !found {
		t.Errorf("the group's members were not the six given: %+v", rep.ModifiedProperties)
	}
}

// TestSession_compliantFlag: in cycles, the tenant URL's aadOptscim062020 flag selects the
// compliant dialect, which on-demand provisioning ignores.
func TestSession_compliantFlag(t *testing.T) {
	tg := newTarget(t, simulator.ProfileEntra)
	s, _ := newSession(t, tg, tg.url+"?aadOptscim062020")
	if got := s.Dialect(); got != entra.DialectEntraCompliant {
		t.Errorf("Dialect() = %s, want %s", got, entra.DialectEntraCompliant)
	}
	s, _ = newSession(t, tg, tg.url)
	if got := s.Dialect(); got != entra.DialectEntra {
		t.Errorf("without the flag Dialect() = %s, want %s", got, entra.DialectEntra)
	}
}

// TestSession_crossTenantRefused: cycles run SCIM jobs; a cross-tenant job is refused, naming the
// config, and Clone keeps the source tenant's settings.
func TestSession_crossTenantRefused(t *testing.T) {
	src := testSource(t, "contoso-cross-tenant")
	if cp := src.Clone(); cp.TenantID != src.TenantID || cp.TenantID == "" {
		t.Errorf("Clone() TenantID = %q, want %q", cp.TenantID, src.TenantID)
	}
	cfg := testConfig(t, "cross-tenant-groups")
	_, err := NewSession(src.Clone(), cfg, WithTarget("http://127.0.0.1:1/graph", "t"))
	if err == nil || !strings.Contains(err.Error(), "cross-tenant-groups.yaml:3:1: job.kind: provisioning cycles run SCIM jobs") {
		t.Fatalf("NewSession(cross-tenant) error = %v", err)
	}
}
