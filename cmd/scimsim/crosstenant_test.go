package main

import (
	"strings"
	"testing"

	"github.com/scimsim/scimsim/simulator"
	"github.com/scimsim/scimsim/simulator/graph"
)

const ctsSource = "../../testdata/sources/contoso-cross-tenant.yaml"

// TestProvision_crossTenant: `scimsim provision --cross-tenant` runs the default cross-tenant job
// against an Entra tenant of the simulator and prints the same report; pointed at the other kind of
// target, either way, it is bad input naming both (exit 2).
func TestProvision_crossTenant(t *testing.T) {
	ts := simulator.NewTestServer(t)
	ten := ts.Tenant("fabrikam")
	if err := ten.SetKind(simulator.KindEntra); err != nil {
		t.Fatal(err)
	}
	ten.Configure(simulator.ProfileEntra, "secret")
	ten.Directory().SetTenantID("22222222-2222-4222-8222-222222222222")
	if err := ten.Directory().Seed(graph.Seed{Partners: []map[string]any{{"tenantId": "11111111-1111-4111-8111-111111111111",
		"automaticUserConsentSettings": map[string]any{"inboundAllowed": true},
		"identitySynchronization":      map[string]any{"userSyncInbound": map[string]any{"isSyncAllowed": true}}}}}); err != nil {
		t.Fatal(err)
	}
	graphURL := ts.URL + "/tenants/fabrikam/graph/v1.0"
	runCases(t, []cliCase{
		{"created in the target tenant", []string{"--cross-tenant", "--target", graphURL, "--token", "secret", "--user", "alice@contoso.com"}, 0,
			"Result: success, action create", ""},
		{"a group is skipped", []string{"--cross-tenant", "--target", graphURL, "--token", "secret", "--group", "Sales"}, 0,
			"EntityTypeNotSupported", ""},
		{"a cross-tenant job pointed at a SCIM tenant", []string{"--cross-tenant", "--target", ts.SCIMURL("app"), "--token", "secret", "--user", "alice@contoso.com"}, 2,
			"", "job.kind is crossTenant (cross-tenant synchronization, whose target is a Microsoft Entra tenant's Graph base URL such as http://HOST/tenants/NAME/graph/v1.0), but the target " + ts.SCIMURL("app") + " is a SCIM endpoint"},
		{"a SCIM job pointed at an Entra tenant", []string{"--target", graphURL, "--token", "secret", "--user", "alice@contoso.com"}, 2,
			"", "job.kind is scim (a SCIM application), but the target " + graphURL + " is a Microsoft Graph base URL, a Microsoft Entra tenant"},
	}, "provision", "--source", ctsSource, "--now", "2026-11-25T10:00:00Z")
	code, stdout, _ := runCmd(t, "provision", "--cross-tenant", "--print-default-config")
	if code != 0 || !strings.Contains(stdout, "kind: crossTenant") || !strings.Contains(stdout, "target: alternativeSecurityIds, matching: 1") {
		t.Fatalf("--cross-tenant --print-default-config: exit %d\n%s", code, stdout)
	}
}
