package entra_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/report"
	"github.com/scimsim/scimsim/simulator/graph"
)

const srcTenant = "11111111-1111-4111-8111-111111111111"

func graphTarget(t *testing.T, seed graph.Seed) (*graph.Directory, string) {
	t.Helper()
	n := 0
	d := graph.New(graph.Options{TenantID: "22222222-2222-4222-8222-222222222222", Domain: "fabrikam.onmicrosoft.com",
		NewID: func() string { n++; return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) },
		Now:   func() time.Time { return time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) }})
	if err := d.Seed(seed); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/graph/v1.0/", http.StripPrefix("/graph/v1.0", d))
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return d, ts.URL + "/graph/v1.0"
}

func partner(inbound any, sync any) map[string]any {
	p := map[string]any{"tenantId": srcTenant, "automaticUserConsentSettings": map[string]any{"inboundAllowed": inbound}}
	if sync != nil {
		p["identitySynchronization"] = map[string]any{"userSyncInbound": map[string]any{"isSyncAllowed": sync}}
	}
	return p
}

// TestGraph_TestConnection: each documented policy check ends step 1 with its code and
// Microsoft's message; all set, the connection passes.
func TestGraph_TestConnection(t *testing.T) {
	for _, tc := range []struct {
		name     string
		partners []map[string]any
		outbound bool
		code     entra.Code
		reason   string
	}{
		{"all set", []map[string]any{partner(true, true)}, true, "", ""},
		{"source has not enabled outbound automatic redemption", []map[string]any{partner(true, true)}, false, entra.CodeCrossTenantSyncPolicy, "The source tenant has not enabled automatic user consent with the target tenant."},
		{"no partner configuration in the target", nil, true, entra.CodeCrossTenantSyncPolicy, "The target tenant has not enabled inbound synchronization with this tenant."},
		{"user synchronization not allowed", []map[string]any{partner(true, false)}, true, entra.CodeCrossTenantSyncPolicy, "The target tenant has not enabled inbound synchronization with this tenant."},
		{"automatic redemption not allowed inbound", []map[string]any{partner(nil, true)}, true, entra.CodeB2BManagementPolicy, "Policy permitting auto-redemption of invitations not configured."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, base := graphTarget(t, graph.Seed{Partners: tc.partners})
			g, err := entra.NewGraph(base, "", entra.Source{TenantID: srcTenant, OutboundAllowed: func(string) bool { return tc.outbound }})
			if err != nil {
				t.Fatal(err)
			}
			checks, err := g.TestConnection(context.Background(), "Users", "alternativeSecurityIds", "x")
			if tc.code == "" {
				if err != nil {
					t.Fatalf("TestConnection: %v (checks %v)", err, checks)
				}
				return
			}
			v := entra.Classify(err, entra.Context{Step: report.StepConnection})
			if v.Code != tc.code || !strings.HasPrefix(v.Reason, tc.reason) {
				t.Fatalf("verdict = %s %q, want %s %q", v.Code, v.Reason, tc.code, tc.reason)
			}
			if len(v.Tips) == 0 {
				t.Fatalf("no tips for %s", v.Code)
			}
			for _, ex := range g.TakeExchanges() {
				if ex.Method != http.MethodGet {
					t.Fatalf("the test connection wrote: %s %s", ex.Method, ex.URL)
				}
			}
		})
	}
}

// TestGraph_Lifecycle creates, matches, updates, reads back and soft-deletes a B2B user, in the
// engine's values on one side and Graph's on the wire.
func TestGraph_Lifecycle(t *testing.T) {
	ctx := context.Background()
	d, base := graphTarget(t, graph.Seed{Partners: []map[string]any{partner(true, true)}})
	g, _ := entra.NewGraph(base, "", entra.Source{TenantID: srcTenant})
	if _, err := g.TestConnection(ctx, "", "", ""); err != nil {
		t.Fatal(err)
	}
	created, err := g.Create(ctx, "Users", map[string]any{"schemas": []string{"x"}, "alternativeSecurityIds": "10032001A5B6C7D8",
		"userPrincipalName": "alice.smith@contoso.com", "displayName": "Alice", "showInAddressList": "true", "userType": "Member"})
	if err != nil {
		t.Fatal(err)
	}
	if created["userPrincipalName"] != "alice.smith@contoso.com" || created["alternativeSecurityIds"] != "10032001A5B6C7D8" || created["showInAddressList"] != true {
		t.Fatalf("created, in the engine's values: %v", created)
	}
	var wire string
	for _, ex := range g.TakeExchanges() {
		wire += ex.RequestBody + ex.ResponseBody
	}
	for _, want := range []string{`"userPrincipalName":"alice.smith_contoso.com#EXT#@fabrikam.onmicrosoft.com"`, `"creationType":"Invitation"`, `"key":"MTAwMzIwMDFBNUI2QzdEOA=="`, `"showInAddressList":true`} {
		if !strings.Contains(wire, want) {
			t.Errorf("the wire lacks %s: %s", want, wire)
		}
	}
	q, found, err := g.Match(ctx, "Users", "alternativeSecurityIds", "10032001A5B6C7D8")
	if err != nil || len(found) != 1 || q != "alternativeSecurityIds/any(x:x/key eq 'MTAwMzIwMDFBNUI2QzdEOA==')" {
		t.Fatalf("Match = %q %v %v", q, found, err)
	}
	id := found[0]["id"].(string)
	if err := g.Update(ctx, "Users", id, []entra.Change{{Path: "displayName", Value: "Alice S."}}); err != nil {
		t.Fatal(err)
	}
	back, err := g.ReadBack(ctx, "Users", id)
	if err != nil || back["displayName"] != "Alice S." {
		t.Fatalf("ReadBack = %v %v", back, err)
	}
	if err := g.Delete(ctx, "Users", id); err != nil {
		t.Fatal(err)
	}
	if live, del := d.Counts(); live != 0 || del != 1 {
		t.Fatalf("after Delete: %d live, %d deleted", live, del)
	}
	if _, found, _ := g.Match(ctx, "Users", "alternativeSecurityIds", "10032001A5B6C7D8"); len(found) != 0 {
		t.Fatalf("a soft-deleted user still matches: %v", found)
	}
}

// TestGraph_Refusals: what the target tenant refuses, read as the cross-tenant codes.
func TestGraph_Refusals(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		seed graph.Seed
		do   func(g *entra.Graph) error
		code entra.Code
	}{
		{"invitations blocked", graph.Seed{Partners: []map[string]any{partner(true, true)}, AuthorizationPolicy: map[string]any{"allowInvitesFrom": "none"}},
			func(g *entra.Graph) error {
				_, err := g.Create(ctx, "Users", map[string]any{"alternativeSecurityIds": "n1", "userPrincipalName": "a@contoso.com", "displayName": "A"})
				return err
			}, entra.CodeCrossTenantForbidden},
		{"userType neither Member nor Guest", graph.Seed{Partners: []map[string]any{partner(true, true)}},
			func(g *entra.Graph) error {
				_, err := g.Create(ctx, "Users", map[string]any{"alternativeSecurityIds": "n1", "userPrincipalName": "a@contoso.com", "displayName": "A", "userType": "Employee"})
				return err
			}, entra.CodeInvitationInvalidProperty},
		{"an internal user has the mail", graph.Seed{Partners: []map[string]any{partner(true, true)}, Users: []map[string]any{{"userPrincipalName": "a@fabrikam.onmicrosoft.com", "mail": "a@contoso.com"}}},
			func(g *entra.Graph) error {
				_, err := g.Create(ctx, "Users", map[string]any{"alternativeSecurityIds": "n1", "userPrincipalName": "a@contoso.com", "displayName": "A", "mail": "a@contoso.com"})
				return err
			}, entra.CodeInvitationAmbiguousUser},
		{"mastered on-premises", graph.Seed{Users: []map[string]any{{"id": "u1", "userPrincipalName": "b@fabrikam.onmicrosoft.com", "onPremisesSyncEnabled": true}}},
			func(g *entra.Graph) error {
				return g.Update(ctx, "Users", "u1", []entra.Change{{Path: "displayName", Value: "B"}})
			},
			entra.CodeMasteredOnPremises},
		{"Exchange masters mail", graph.Seed{Users: []map[string]any{{"id": "u1", "userPrincipalName": "b@fabrikam.onmicrosoft.com", "onPremisesSyncEnabled": false}}},
			func(g *entra.Graph) error {
				return g.Update(ctx, "Users", "u1", []entra.Change{{Path: "mail", Value: "b@contoso.com"}})
			},
			entra.CodeOriginatedExternally},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, base := graphTarget(t, tc.seed)
			g, _ := entra.NewGraph(base, "", entra.Source{TenantID: srcTenant})
			err := tc.do(g)
			if err == nil {
				t.Fatal("the target accepted it")
			}
			if v := entra.Classify(err, entra.Context{Step: report.StepExport}); v.Code != tc.code {
				t.Fatalf("code %s (%s), want %s", v.Code, v.Reason, tc.code)
			}
		})
	}
}

// TestGraph_UpdateRetriesWithoutShowInAddressList: the documented retry without the property
// Exchange masters.
func TestGraph_UpdateRetriesWithoutShowInAddressList(t *testing.T) {
	ctx := context.Background()
	_, base := graphTarget(t, graph.Seed{Users: []map[string]any{{"id": "u1", "userPrincipalName": "b@fabrikam.onmicrosoft.com", "displayName": "B", "onPremisesSyncEnabled": false}}})
	g, _ := entra.NewGraph(base, "", entra.Source{TenantID: srcTenant})
	err := g.Update(ctx, "Users", "u1", []entra.Change{{Path: "showInAddressList", Value: "true"}, {Path: "displayName", Value: "B2"}})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	var patches []string
	for _, ex := range g.TakeExchanges() {
		if ex.Method == http.MethodPatch {
			patches = append(patches, fmt.Sprintf("%d %s", ex.Status, ex.RequestBody))
		}
	}
	if len(patches) != 2 || !strings.HasPrefix(patches[0], "400 ") || patches[1] != `204 {"displayName":"B2"}` {
		t.Fatalf("PATCHes = %q", patches)
	}
}
