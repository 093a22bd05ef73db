package conformance_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/scimsim/scimsim/conformance"
	"github.com/scimsim/scimsim/simulator"
	"github.com/scimsim/scimsim/simulator/faults"
)

// strictFailures reads, from docs/conformance.md, the checks the documentation says fail against
// `scimsim serve --profile strict`: the backquoted check ids of the line that starts
// "- `--profile strict`".
func strictFailures(t *testing.T) []string {
	t.Helper()
	for _, line := range strings.Split(conformanceDoc(t), "\n") {
		rest, ok := strings.CutPrefix(line, "- `--profile strict`")
		if !ok {
			continue
		}
		var ids []string
		for _, m := range regexp.MustCompile("`([a-z-]+)`").FindAllStringSubmatch(rest, -1) {
			ids = append(ids, m[1])
		}
		return ids
	}
	t.Fatal("docs/conformance.md has no line starting \"- `--profile strict`\"")
	return nil
}

// TestRunAll_Simulator runs the checks against scimsim's own target: in the entra profile every check
// passes; in the strict profile exactly the checks the documentation lists fail (what Entra's
// default job sends and the RFC does not allow); and each fault that breaks a documented
// requirement fails exactly that check.
func TestRunAll_Simulator(t *testing.T) {
	const token = "sim-token"
	tests := []struct {
		name        string
		profile     simulator.Profile
		faults      []faults.Spec
		wantFailed  []string
		wantSkipped []string
		// wantSaid: check ID -> a phrase its failure must contain (got, consequence, remedy or alternative).
		wantSaid map[string][]string
	}{
		{name: "entra profile", profile: simulator.ProfileEntra},
		{
			name: "strict profile", profile: simulator.ProfileStrict, wantFailed: strictFailures(t),
			wantSaid: map[string][]string{
				"patch-entra-active":        {`it sends "False" as a string`, `passes with the entra-compliant dialect ("?aadOptscim062020" in the Tenant URL; Microsoft documents it does not work with on-demand provisioning): check patch-compliant-active passed`},
				"patch-entra-member-remove": {"Data loss", "passes with the entra-compliant dialect", "check patch-compliant-member-remove passed"},
				"patch-compliant-replace":   {"passes with Entra's default job (no flag in the Tenant URL): check patch-entra-replace passed"},
				"patch-entra-manager":       {"400 invalidValue"},
			},
		},
		{name: "empty_query_404", profile: simulator.ProfileEntra, faults: []faults.Spec{{Type: "empty_query_404"}},
			wantFailed: []string{"test-connection", "empty-query"}, wantSaid: map[string][]string{"empty-query": {"Entra quarantines the job", "answered 404"},
				"test-connection": {"CredentialValidationUnavailable", "see empty-query"}}},
		{name: "members_despite_exclusion", profile: simulator.ProfileEntra, faults: []faults.Spec{{Type: "members_despite_exclusion"}},
			wantFailed: []string{"group-exclude-members"}},
		{name: "hide_inactive", profile: simulator.ProfileEntra, faults: []faults.Spec{{Type: "hide_inactive"}},
			wantFailed: []string{"inactive-user"}, wantSkipped: []string{"patch-entra-active", "patch-compliant-active"}},
		{name: "unsupported_filter on externalId", profile: simulator.ProfileEntra,
			faults:     []faults.Spec{{Type: "unsupported_filter", Attributes: map[string]any{"attribute": "externalId"}}},
			wantFailed: []string{"query-externalid"}, wantSaid: map[string][]string{"query-externalid": {"invalidFilter"}}},
		{name: "drop_attribute department", profile: simulator.ProfileEntra,
			faults:     []faults.Spec{{Type: "drop_attribute", Attributes: map[string]any{"attribute": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"}}},
			wantFailed: []string{"enterprise-attributes", "enterprise-extension"},
			wantSaid:   map[string][]string{"enterprise-attributes": {"does not store urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"}}},
		{name: "drop_attribute manager", profile: simulator.ProfileEntra,
			faults:     []faults.Spec{{Type: "drop_attribute", Attributes: map[string]any{"attribute": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"}}},
			wantFailed: []string{"enterprise-attributes", "patch-entra-manager"}},
		{name: "wrong_content_type on /Schemas", profile: simulator.ProfileEntra,
			faults:      []faults.Spec{{Type: "wrong_content_type", Match: faults.Match{Path: "*/Schemas"}}},
			wantFailed:  []string{"schemas"},
			wantSkipped: []string{"discovery-items-per-page"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := simulator.NewTestServer(t, simulator.WithToken(token), simulator.WithProfile(tt.profile))
			ctx := context.Background()
			for _, f := range tt.faults {
				if _, err := ts.Admin.AddFault(ctx, "", f); err != nil {
					t.Fatalf("AddFault(%+v): %v", f, err)
				}
			}
			results, err := conformance.RunAll(ctx, conformance.Config{BaseURL: ts.SCIMURL(""), Token: token})
			if err != nil {
				t.Fatalf("RunAll: %v", err)
			}
			if diff := cmp.Diff(tt.wantFailed, conformance.Failed(results), cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
				t.Errorf("failed checks (-want +got):\n%s%s", diff, failures(results))
			}
			if diff := cmp.Diff(tt.wantSkipped, byStatus(results, conformance.StatusSkip)); diff != "" {
				t.Errorf("skipped checks (-want +got):\n%s%s", diff, skips(results))
			}
			for _, r := range results {
				for _, phrase := range tt.wantSaid[r.Check.ID] {
					f := r.Failure
					if f == nil || !strings.Contains(f.Got+f.Consequence+f.Remedy+f.Alternative, phrase) {
						t.Errorf("failure of %s does not say %q:\n%v", r.Check.ID, phrase, f)
					}
				}
			}
			if u, g := ts.Tenant("").Users(), ts.Tenant("").Groups(); u != 0 || g != 0 {
				t.Errorf("after the run the simulator holds %d users and %d groups; want everything deleted", u, g)
			}
		})
	}
}

// BenchmarkRunAll is one full run (every check, then cleanup) against the simulator's entra profile
// over loopback HTTP: what `make conformance` costs on the client side plus an in-process target.
func BenchmarkRunAll(b *testing.B) {
	ts := simulator.NewTestServer(b, simulator.WithToken("bench"))
	cfg := conformance.Config{BaseURL: ts.SCIMURL(""), Token: "bench"}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		results, err := conformance.RunAll(ctx, cfg)
		if err != nil {
			b.Fatal(err)
		}
		if failed := conformance.Failed(results); len(failed) > 0 {
			b.Fatalf("failed: %v", failed)
		}
	}
}

// BenchmarkRunAll_DryRun is the cost of the checks themselves: no request is sent.
func BenchmarkRunAll_DryRun(b *testing.B) {
	cfg := conformance.Config{BaseURL: "https://app.example/scim/v2", DryRun: true}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := conformance.RunAll(ctx, cfg); err != nil {
			b.Fatal(err)
		}
	}
}
