package engine

import (
	"context"
	"errors"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/scimsim/scimsim/report"
	"github.com/scimsim/scimsim/simulator"
	"github.com/scimsim/scimsim/simulator/graph"
)

const (
	ctsSource = "11111111-1111-4111-8111-111111111111"
	ctsTarget = "22222222-2222-4222-8222-222222222222"
)

// entraTarget is an Entra tenant of the simulator, the target tenant of a cross-tenant test.
type entraTarget struct {
	ts  *simulator.TestServer
	ten *simulator.Tenant
	url string
}

func newEntraTarget(t *testing.T, seed graph.Seed) *entraTarget {
	t.Helper()
	ts := simulator.NewTestServer(t, simulator.WithSeed(1), simulator.WithClock(func() time.Time { return testNow }))
	ten := ts.Tenant("fabrikam")
	if err := ten.SetKind(simulator.KindEntra); err != nil {
		t.Fatal(err)
	}
	ten.Configure(simulator.ProfileEntra, testToken)
	ten.Directory().SetTenantID(ctsTarget)
	if err := ten.Directory().Seed(seed); err != nil {
		t.Fatal(err)
	}
	return &entraTarget{ts: ts, ten: ten, url: ts.URL + ten.GraphPath()}
}

func allowed() []map[string]any {
	return []map[string]any{{"tenantId": ctsSource, "automaticUserConsentSettings": map[string]any{"inboundAllowed": true},
		"identitySynchronization": map[string]any{"userSyncInbound": map[string]any{"isSyncAllowed": true}}}}
}

func (et *entraTarget) run(t *testing.T, subj Subject, cfg *Config) *Report {
	t.Helper()
	src := testSource(t, "contoso-cross-tenant")
	if cfg == nil {
		cfg = DefaultCrossTenantConfig()
	}
	rep, err := Run(context.Background(), src, cfg, subj, WithTarget(et.url, testToken),
		WithClock(func() time.Time { return testNow }), WithRand(rand.New(rand.NewSource(1))))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return rep
}

func TestRun_CrossTenant(t *testing.T) {
	guestCarol := map[string]any{"id": "carol-guest", "userPrincipalName": "carol_contoso.com#EXT#@fabrikam.onmicrosoft.com",
		"displayName": "Carol L.", "userType": "Guest", "creationType": "Invitation", "externalUserState": "Accepted", "accountEnabled": true,
		"alternativeSecurityIds": []any{map[string]any{"identityProvider": ctsSource, "key": "MTAwMzIwMDFDQTIwMTAwMA=="}}}
	bobInTarget := map[string]any{"id": "bob-b2b", "userPrincipalName": "bob_contoso.com#EXT#@fabrikam.onmicrosoft.com", "displayName": "Bob Jones",
		"alternativeSecurityIds": []any{map[string]any{"identityProvider": ctsSource, "key": "MTAwMzIwMDFCMEIwQjBCMA=="}}}
	for _, tc := range []struct {
		name       string
		seed       graph.Seed
		subj       Subject
		status     string
		step, code string
		action     string
		live, del  int
		reason     string
	}{
		{name: "a new user is created as an external member", seed: graph.Seed{Partners: allowed()}, subj: Subject{User: "alice@contoso.com"},
			status: report.StatusSuccess, action: report.ActionCreate, live: 1},
		{name: "an existing guest is updated, its userType kept", seed: graph.Seed{Partners: allowed(), Users: []map[string]any{guestCarol}}, subj: Subject{User: "carol@contoso.com"},
			status: report.StatusSuccess, action: report.ActionUpdate, live: 1},
		{name: "out of scope and in the target: soft deleted", seed: graph.Seed{Partners: allowed(), Users: []map[string]any{bobInTarget}}, subj: Subject{User: "bob@contoso.com"},
			status: report.StatusSuccess, action: report.ActionDelete, live: 0, del: 1},
		{name: "a group is refused", seed: graph.Seed{Partners: allowed()}, subj: Subject{Group: "Sales"},
			status: report.StatusSkipped, step: report.StepImport, code: "EntityTypeNotSupported"},
		{name: "inbound synchronization not allowed", seed: graph.Seed{}, subj: Subject{User: "alice@contoso.com"},
			status: report.StatusFailure, step: report.StepConnection, code: "AzureActiveDirectoryCrossTenantSyncPolicyCheckFailure", reason: "The target tenant has not enabled inbound synchronization"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			et := newEntraTarget(t, tc.seed)
			cfg := DefaultCrossTenantConfig()
			if tc.subj.Group != "" {
				cfg.Groups.Enabled = true
			}
			rep := et.run(t, tc.subj, cfg)
			if rep.Status != tc.status || rep.FailedStep != tc.step || rep.ErrorCode != tc.code || (tc.action != "" && rep.Action != tc.action) {
				t.Fatalf("report: status %s step %s code %s action %s (%s), want %s %s %s %s", rep.Status, rep.FailedStep, rep.ErrorCode, rep.Action, rep.Reason, tc.status, tc.step, tc.code, tc.action)
			}
			if !strings.Contains(rep.Reason, tc.reason) {
				t.Fatalf("reason %q lacks %q", rep.Reason, tc.reason)
			}
			if live, del := et.ten.Directory().Counts(); tc.code == "" && (live != tc.live || del != tc.del) {
				t.Fatalf("the target holds %d users and %d deleted, want %d and %d", live, del, tc.live, tc.del)
			}
			if rep.Dialect != "graph" {
				t.Fatalf("dialect %q", rep.Dialect)
			}
		})
	}
}

// TestRun_CrossTenantInSync: a second run finds nothing to change (RedundantExport), which holds only
// if what the Graph client reads back compares equal with the mappings' values (the #EXT#
// userPrincipalName, the alternativeSecurityId, showInAddressList as a boolean).
func TestRun_CrossTenantInSync(t *testing.T) {
	et := newEntraTarget(t, graph.Seed{Partners: allowed()})
	first := et.run(t, Subject{User: "alice@contoso.com"}, nil)
	if first.Action != report.ActionCreate || len(first.Warnings) > 0 {
		t.Fatalf("first run: %s %s %v", first.Action, first.Reason, first.Warnings)
	}
	if first.Target == nil || first.Target.Display != "alice@contoso.com" {
		t.Fatalf("first run target: %+v", first.Target)
	}
	second := et.run(t, Subject{User: "alice@contoso.com"}, nil)
	if second.ErrorCode != "RedundantExport" {
		t.Fatalf("second run: %s %s %s %v", second.Status, second.ErrorCode, second.Reason, second.ModifiedProperties)
	}
}

func TestRun_CrossTenantBadInput(t *testing.T) {
	src := testSource(t, "contoso-cross-tenant")
	scimSrc := testSource(t, "contoso")
	for _, tc := range []struct {
		name   string
		cfg    *Config
		src    *Source
		target string
		want   string
	}{
		{"a cross-tenant job pointed at a SCIM tenant", DefaultCrossTenantConfig(), src, "http://127.0.0.1:1/tenants/app/scim/v2",
			"default cross-tenant job:28:3: job.kind is crossTenant (cross-tenant synchronization, whose target is a Microsoft Entra tenant's Graph base URL such as http://HOST/tenants/NAME/graph/v1.0), but the target http://127.0.0.1:1/tenants/app/scim/v2 is a SCIM endpoint"},
		{"a SCIM job pointed at an Entra tenant", DefaultConfig(), scimSrc, "http://127.0.0.1:1/tenants/fabrikam/graph/v1.0",
			"job.kind is scim (a SCIM application), but the target http://127.0.0.1:1/tenants/fabrikam/graph/v1.0 is a Microsoft Graph base URL, a Microsoft Entra tenant"},
		{"a source without a tenant id", DefaultCrossTenantConfig(), scimSrc, "http://127.0.0.1:1/tenants/fabrikam/graph/v1.0",
			"tenantId: required for cross-tenant synchronization (job.kind crossTenant at default cross-tenant job:28:3)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Run(context.Background(), tc.src, tc.cfg, Subject{User: "alice@contoso.com"}, WithTarget(tc.target, "x"))
			var ie *InputError
			if err == nil || !errors.As(err, &ie) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Run error = %v, want an InputError containing %q", err, tc.want)
			}
		})
	}
}

func TestConfig_CrossTenantMatchingCannotChange(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"another matching attribute", "job: {kind: crossTenant}\nusers:\n  mappings:\n    - {source: netId, target: alternativeSecurityIds, matching: 1}\n    - {source: mail, target: mail, matching: 2}\n",
			"x.yaml:3:3: users.mappings: schemaInvalid: a cross-tenant job matches on alternativeSecurityIds alone"},
		{"a SCIM path", "job: {kind: crossTenant}\nusers:\n  mappings:\n    - {source: netId, target: alternativeSecurityIds, matching: 1}\n    - {source: mail, target: 'emails[type eq \"work\"].value'}\n",
			`x.yaml:5:22: users.mappings[1].target: "emails[type eq \"work\"].value" is not a property of the Microsoft Graph user resource`},
		{"an unknown kind", "job: {kind: ldap}\nusers:\n  mappings:\n    - {source: mail, target: userName, matching: 1}\n",
			`x.yaml:1:7: job.kind: unknown kind "ldap" (want scim or crossTenant)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig("x.yaml", []byte(tc.yaml))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("ParseConfig error = %v, want %q", err, tc.want)
			}
		})
	}
}
