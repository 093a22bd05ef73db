package simulator_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/scimsim/scimsim/simulator"
	"github.com/scimsim/scimsim/simulator/faults"
	"github.com/scimsim/scimsim/simulator/graph"
)

// graphDo sends one Graph request and returns the status, the headers and the body.
func graphDo(t *testing.T, method, url, token, body string) (int, http.Header, string) {
	t.Helper()
	return request(t, method, url, token, "application/json", body)
}

func TestEntraTenant_KindAndRoutes(t *testing.T) {
	ts := simulator.NewTestServer(t)
	if err := ts.Admin.PutTenant(context.Background(), "fabrikam", simulator.TenantConfig{Kind: simulator.KindEntra, Token: "s3cret"}); err != nil {
		t.Fatal(err)
	}
	base := ts.URL + "/tenants/fabrikam/graph/v1.0"
	for _, tc := range []struct {
		name, method, url, token string
		status                   int
		contains                 string
	}{
		{"organization", "GET", base + "/organization", "s3cret", 200, `"name":"fabrikam.onmicrosoft.com"`},
		{"no token", "GET", base + "/users", "", 401, `"code":"InvalidAuthenticationToken"`},
		{"wrong token", "GET", base + "/users", "nope", 401, `"innerError"`},
		{"SCIM request to the Entra tenant", "GET", ts.URL + "/tenants/fabrikam/scim/v2/Users", "s3cret", 404, `tenant \"fabrikam\" is an Entra tenant (kind entra), not a SCIM application: its API is Microsoft Graph at /tenants/fabrikam/graph/v1.0`},
		{"Graph request to a SCIM tenant", "GET", ts.URL + "/tenants/contoso-app/graph/v1.0/users", "", 404, `tenant \"contoso-app\" is a SCIM tenant (kind scim), not an Entra tenant: its API is SCIM at /tenants/contoso-app/scim/v2`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "Graph request to a SCIM tenant" {
				// first used as a SCIM tenant
				if st, _, b := graphDo(t, "GET", ts.URL+"/tenants/contoso-app/scim/v2/Users", "", ""); st != 200 {
					t.Fatalf("SCIM tenant: %d %s", st, b)
				}
			}
			st, h, b := graphDo(t, tc.method, tc.url, tc.token, "")
			if st != tc.status || !strings.Contains(b, tc.contains) {
				t.Fatalf("%s %s = %d %s, want %d containing %s", tc.method, tc.url, st, b, tc.status, tc.contains)
			}
			if ct := h.Get("Content-Type"); tc.status != 200 && strings.Contains(tc.url, "/graph/") && ct != graph.ContentType {
				t.Errorf("Content-Type %q, want %q", ct, graph.ContentType)
			}
		})
	}
	list, err := ts.Admin.Tenants(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]simulator.Kind{}
	for _, ti := range list {
		kinds[ti.Name] = ti.Kind
		if ti.Name == "fabrikam" && ti.GraphPath != "/tenants/fabrikam/graph/v1.0" {
			t.Errorf("graphPath = %q", ti.GraphPath)
		}
	}
	if kinds["fabrikam"] != simulator.KindEntra || kinds["contoso-app"] != simulator.KindSCIM || kinds[""] != simulator.KindSCIM {
		t.Fatalf("GET /admin/tenants kinds = %v", kinds)
	}
}

func TestEntraTenant_FirstUseAndKindChange(t *testing.T) {
	ts := simulator.NewTestServer(t)
	if st, _, b := graphDo(t, "GET", ts.URL+"/tenants/new-one/graph/v1.0/users", "", ""); st != 200 || !strings.Contains(b, `"value":[]`) {
		t.Fatalf("first use through Graph: %d %s", st, b)
	}
	if k := ts.Tenant("new-one").Kind(); k != simulator.KindEntra {
		t.Fatalf("a tenant first used through Graph is %s", k)
	}
	err := ts.Admin.PutTenant(context.Background(), "default", simulator.TenantConfig{Kind: simulator.KindEntra})
	if err == nil || !strings.Contains(err.Error(), "the default tenant is a SCIM tenant") {
		t.Fatalf("PUT default kind entra: %v", err)
	}
	if _, _, err := ts.Tenant("busy").Seed([]map[string]any{{"userName": "a@contoso.com"}}, nil); err != nil {
		t.Fatal(err)
	}
	err = ts.Admin.PutTenant(context.Background(), "busy", simulator.TenantConfig{Kind: simulator.KindEntra})
	if err == nil || !strings.Contains(err.Error(), "409") || !strings.Contains(err.Error(), "holding 1 users and groups") {
		t.Fatalf("PUT a SCIM tenant with users to kind entra: %v", err)
	}
	err = ts.Admin.PutTenant(context.Background(), "x", simulator.TenantConfig{Kind: "ldap"})
	if err == nil || !strings.Contains(err.Error(), `unknown tenant kind "ldap" (want scim or entra)`) {
		t.Fatalf("PUT kind ldap: %v", err)
	}
}

// TestEntraTenant_FaultsAndJournal: the tenant's faults hit Graph requests, their answers are in
// Graph's error shape with the fault's status and headers, and the journal records each request
// with the fault that hit it.
func TestEntraTenant_FaultsAndJournal(t *testing.T) {
	ts := simulator.NewTestServer(t)
	ctx := context.Background()
	if err := ts.Admin.PutTenant(ctx, "fab", simulator.TenantConfig{Kind: simulator.KindEntra}); err != nil {
		t.Fatal(err)
	}
	base := ts.URL + "/tenants/fab/graph/v1.0"
	if _, err := ts.Admin.AddFault(ctx, "fab", faults.Spec{Name: "slow-down", Type: "throttle", Count: 1, Match: faults.Match{Resource: "users"}, Attributes: map[string]any{"retryAfter": 7}}); err != nil {
		t.Fatal(err)
	}
	st, h, b := graphDo(t, "GET", base+"/users", "", "")
	if st != 429 || h.Get("Retry-After") != "7" || !strings.Contains(b, `"code":"TooManyRequests"`) || h.Get("Content-Type") != graph.ContentType {
		t.Fatalf("throttled: %d %v %s", st, h, b)
	}
	if st, _, _ := graphDo(t, "GET", base+"/users", "", ""); st != 200 {
		t.Fatalf("after the throttle's count: %d", st)
	}
	if _, err := ts.Admin.AddFault(ctx, "fab", faults.Spec{Name: "expired", Type: "auth_failure", Count: 1, Attributes: map[string]any{"status": 403}}); err != nil {
		t.Fatal(err)
	}
	if st, _, b := graphDo(t, "GET", base+"/organization", "", ""); st != 403 || !strings.Contains(b, `"code":"Authorization_RequestDenied"`) {
		t.Fatalf("auth_failure 403: %d %s", st, b)
	}
	if _, err := ts.Admin.AddFault(ctx, "fab", faults.Spec{Name: "drop", Type: "connection_reset", Count: 1}); err != nil {
		t.Fatal(err)
	}
	// A fresh connection: net/http retries a GET that failed on a reused one.
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := fresh.Get(base + "/organization"); err == nil {
		resp.Body.Close()
		t.Fatalf("connection_reset: got an answer %d", resp.StatusCode)
	}
	if _, err := ts.Admin.AddFault(ctx, "fab", faults.Spec{Name: "hang", Type: "timeout", Count: 1, Attributes: map[string]any{"holdMs": 2000}}); err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Timeout: 200 * time.Millisecond}
	if resp, err := hc.Get(base + "/organization"); err == nil {
		resp.Body.Close()
		t.Fatalf("timeout: got an answer %d", resp.StatusCode)
	}
	if _, err := ts.Admin.AddFault(ctx, "fab", faults.Spec{Name: "html", Type: "wrong_content_type", Count: 1}); err != nil {
		t.Fatal(err)
	}
	if st, h, _ := graphDo(t, "GET", base+"/organization", "", ""); st != 200 || h.Get("Content-Type") == graph.ContentType {
		t.Fatalf("wrong_content_type: %d %s", st, h.Get("Content-Type"))
	}
	// The SCIM-only types never select a Graph request.
	if _, err := ts.Admin.AddFault(ctx, "fab", faults.Spec{Name: "gone", Type: "not_found"}); err != nil {
		t.Fatal(err)
	}
	if st, _, b := graphDo(t, "GET", base+"/users", "", ""); st != 200 {
		t.Fatalf("not_found hit a Graph request: %d %s", st, b)
	}
	j, err := ts.Admin.Requests(ctx, "fab")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range j {
		got = append(got, e.Method+" "+strings.TrimPrefix(e.Path, "/tenants/fab/graph/v1.0")+" "+itoa(e.Status)+" "+e.Fault)
	}
	want := []string{"GET /users 429 slow-down", "GET /users 200 ", "GET /organization 403 expired", "GET /organization 0 drop"}
	if len(got) < len(want) {
		t.Fatalf("journal = %q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("journal[%d] = %q, want %q (all: %q)", i, got[i], want[i], got)
		}
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestEntraTenant_SeedAndReset(t *testing.T) {
	ts := simulator.NewTestServer(t)
	ctx := context.Background()
	if err := ts.Admin.PutTenant(ctx, "fab", simulator.TenantConfig{Kind: simulator.KindEntra}); err != nil {
		t.Fatal(err)
	}
	st, _, b := graphDo(t, "POST", ts.URL+"/admin/seed?tenant=fab", "", `{"users":[{"userPrincipalName":"a@fab.onmicrosoft.com","displayName":"A"}],"deletedUsers":[{"userPrincipalName":"b@fab.onmicrosoft.com"}],"partners":[{"tenantId":"x","identitySynchronization":{"userSyncInbound":{"isSyncAllowed":true}}}]}`)
	if st != 200 || !strings.Contains(b, `"users":2`) {
		t.Fatalf("seed: %d %s", st, b)
	}
	if live, del := ts.Tenant("fab").Directory().Counts(); live != 1 || del != 1 {
		t.Fatalf("Counts() = %d, %d", live, del)
	}
	if st, _, b := graphDo(t, "POST", ts.URL+"/admin/seed?tenant=fab", "", `{"users":[{"displayName":"no upn"}]}`); st != 400 || !strings.Contains(b, "users[0]") {
		t.Fatalf("bad seed: %d %s", st, b)
	}
	if err := ts.Admin.Reset(ctx, "fab"); err != nil {
		t.Fatal(err)
	}
	if live, del := ts.Tenant("fab").Directory().Counts(); live+del != 0 {
		t.Fatalf("after reset: %d, %d", live, del)
	}
	if k := ts.Tenant("fab").Kind(); k != simulator.KindEntra {
		t.Fatalf("reset changed the kind to %s", k)
	}
}
