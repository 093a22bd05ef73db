package engine

import (
	"errors"
	"strings"
	"testing"

	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/report"
	"github.com/scimsim/scimsim/simulator"
	"github.com/scimsim/scimsim/simulator/faults"
	"github.com/scimsim/scimsim/wire"
)

// johnSmith is the worker of the SelectUniqueValue example of Microsoft's expression reference,
// and the job that generates his userPrincipalName with it.
func johnSmith(t *testing.T) (*Source, *Config) {
	t.Helper()
	src := testSource(t, "workday-john-smith")
	cfg := testConfig(t, "cloud-hr-unique-upn")
	return src, cfg
}

func holder(userName, externalID string) map[string]any {
	return map[string]any{"schemas": []any{wire.UserSchema}, "userName": userName, "externalId": externalID, "active": true}
}

// TestRun_selectUniqueValue runs the reference's example against a target that already holds some
// of the candidate values: "OUTPUT: "John.Smith@contoso.com" if UPN value of John.Smith@contoso.com
// doesn't already exist in the directory; "J.Smith@contoso.com" if UPN value of
// John.Smith@contoso.com already exists in the directory; "Jo.Smith@contoso.com" if the above two
// UPN values already exist in the directory." Each candidate is a query the target answers, so its
// faults apply.
func TestRun_selectUniqueValue(t *testing.T) {
	lookup := faults.Match{Method: "GET", Resource: "Users", FilterAttribute: "userName"}
	for _, tt := range []struct {
		name    string
		taken   []string
		faults  []faults.Spec
		want    want
		created string   // the userName of the created user
		details []string // the lookups View details lists
		lookups int      // the queries on userName of the export step, retries included
	}{
		{name: "first value free", want: want{status: report.StatusSuccess, action: report.ActionCreate}, created: "John.Smith@contoso.com", lookups: 1,
			details: []string{`userName eq "John.Smith@contoso.com": free`}},
		{name: "first value taken", taken: []string{"John.Smith@contoso.com"},
			want: want{status: report.StatusSuccess, action: report.ActionCreate}, created: "J.Smith@contoso.com", lookups: 2,
			details: []string{`userName eq "John.Smith@contoso.com": taken`, `userName eq "J.Smith@contoso.com": free`}},
		{name: "first two values taken", taken: []string{"John.Smith@contoso.com", "J.Smith@contoso.com"},
			want: want{status: report.StatusSuccess, action: report.ActionCreate}, created: "Jo.Smith@contoso.com", lookups: 3,
			details: []string{`userName eq "John.Smith@contoso.com": taken`, `userName eq "J.Smith@contoso.com": taken`, `userName eq "Jo.Smith@contoso.com": free`}},
		{name: "every value taken: escrowed", taken: []string{"John.Smith@contoso.com", "J.Smith@contoso.com", "Jo.Smith@contoso.com"},
			want: want{status: report.StatusFailure, action: report.ActionNone, failedStep: report.StepExport, errorCode: string(entra.CodeUniqueValueNotFound), tip: "Failures for exporting changes can vary greatly"}, lookups: 3},
		{name: "the target fails the lookup", faults: []faults.Spec{{Type: "server_error", Match: lookup, Attributes: map[string]any{"status": 500}}},
			want: want{status: report.StatusFailure, action: report.ActionNone, failedStep: report.StepExport, errorCode: "InternalServerError"}},
		{name: "a throttled lookup is retried", faults: []faults.Spec{{Type: "throttle", Match: lookup, Count: 1, Attributes: map[string]any{"retryAfter": 1}}},
			want: want{status: report.StatusSuccess, action: report.ActionCreate}, created: "John.Smith@contoso.com", lookups: 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tg := newTarget(t, simulator.ProfileEntra)
			for i, v := range tt.taken {
				tg.seed(t, holder(v, "other-"+string(rune('a'+i))))
			}
			for _, f := range tt.faults {
				tg.fault(t, f)
			}
			src, cfg := johnSmith(t)
			rep := tg.run(t, src, cfg, Subject{User: "31001"})
			check(t, rep, tt.want)
			export := rep.Step(report.StepExport)
			if tt.created != "" {
				if got := tg.users(t, tt.created); len(got) != 1 || got[0]["externalId"] != "31001" {
					t.Errorf("target users named %s: %v, want the worker 31001", tt.created, got)
				}
			}
			lookups := 0
			for _, ex := range export.Exchanges {
				if ex.Method == "GET" && strings.Contains(ex.URL, "filter=userName") {
					lookups++
				}
			}
			if tt.lookups != 0 && lookups != tt.lookups {
				t.Errorf("the export step sent %d queries on userName, want %d", lookups, tt.lookups)
			}
			if tt.want.status == report.StatusFailure {
				for _, ex := range export.Exchanges {
					if ex.Method == "POST" {
						t.Errorf("the user was created although SelectUniqueValue failed: %s", ex.RequestBody)
					}
				}
				if !strings.Contains(rep.Reason, "SelectUniqueValue") {
					t.Errorf("reason %q does not name SelectUniqueValue", rep.Reason)
				}
			}
			for i, d := range tt.details {
				name := "SelectUniqueValue userName"
				if i > 0 {
					name += " (" + string(rune('1'+i)) + ")"
				}
				if got, _ := export.Details.Get(name); got != d {
					t.Errorf("View details %q = %q, want %q", name, got, d)
				}
			}
			if imp, _ := rep.Step(report.StepImport).Details.Get("Not provisioned (null)"); strings.Contains(imp, "userName") {
				t.Errorf("import lists the SelectUniqueValue mapping as null: %s", imp)
			}
		})
	}

	t.Run("escrow names every value", func(t *testing.T) {
		tg := newTarget(t, simulator.ProfileEntra)
		tg.seed(t, holder("John.Smith@contoso.com", "a"), holder("J.Smith@contoso.com", "b"), holder("Jo.Smith@contoso.com", "c"))
		src, cfg := johnSmith(t)
		rep := tg.run(t, src, cfg, Subject{User: "31001"})
		want := `cloud-hr-unique-upn.yaml:21:7: mapping to userName: SelectUniqueValue: all of the values already exist in the target ("John.Smith@contoso.com", "J.Smith@contoso.com", "Jo.Smith@contoso.com"), so the entry is escrowed`
		if !strings.HasSuffix(rep.Reason, want) {
			t.Errorf("reason = %q, want it to end with %q", rep.Reason, want)
		}
	})

	// The user is already in the target: a mapping applied only during object creation is not
	// evaluated, so the target is not asked about any candidate.
	t.Run("update creation-only", func(t *testing.T) {
		tg := newTarget(t, simulator.ProfileEntra)
		tg.seed(t, with(holder("John.Smith@contoso.com", "31001"), "displayName", "John Smith"))
		src, cfg := johnSmith(t)
		rep := tg.run(t, src, cfg, Subject{User: "31001"})
		check(t, rep, want{status: report.StatusSkipped, action: report.ActionSkip, failedStep: report.StepExport, errorCode: "RedundantExport"})
		for _, s := range rep.Steps {
			for _, d := range s.Details {
				if strings.HasPrefix(d.Name, "SelectUniqueValue") {
					t.Errorf("step %s looked up %s", s.Type, d.Value)
				}
			}
		}
	})

	// Applied always, an update evaluates it too, and the user's own value is taken.
	t.Run("update applied always", func(t *testing.T) {
		tg := newTarget(t, simulator.ProfileEntra)
		tg.seed(t, with(holder("John.Smith@contoso.com", "31001"), "displayName", "John Smith"))
		src, cfg := johnSmith(t)
		cfg.Users.mappingFor("userName").Apply = ApplyAlways
		rep := tg.run(t, src, cfg, Subject{User: "31001"})
		check(t, rep, want{status: report.StatusSuccess, action: report.ActionUpdate, modified: []string{"userName"}})
		if got := rep.ModifiedProperties[0].NewValue; got != "J.Smith@contoso.com" {
			t.Errorf("userName updated to %v, want J.Smith@contoso.com", got)
		}
	})
}

// TestRun_selectUniqueValueSCIMApp: from a Microsoft Entra ID tenant the job provisions a SCIM
// application, for which SelectUniqueValue is not supported: the run is refused before any request.
func TestRun_selectUniqueValueSCIMApp(t *testing.T) {
	src := testSource(t, "contoso")
	_, cfg := johnSmith(t)
	_, err := Run(t.Context(), src, cfg, Subject{User: "alice@contoso.com"}, WithTarget("http://127.0.0.1:1/scim/v2", testToken))
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Fatalf("Run = %v, want an InputError", err)
	}
	want := "../testdata/configs/cloud-hr-unique-upn.yaml:21:7: users.mappings[1].expression: " +
		`SelectUniqueValue: "This function is currently supported for use with these applications: Workday to Active Directory User Provisioning, ` +
		`SuccessFactors to Active Directory User Provisioning, API-driven provisioning to on-premises Active Directory. SelectUniqueValue isn't ` +
		`supported for use with other provisioning applications." (Microsoft's expression reference); ` +
		`the source ../testdata/sources/contoso.yaml is a Microsoft Entra ID tenant (kind: entra), so this job provisions a SCIM application`
	if err.Error() != want {
		t.Errorf("error:\n got %s\nwant %s", err, want)
	}
}

// TestRun_defaultDomain: DefaultDomain() is the source tenant's defaultDomain; without one the
// function fails, as Microsoft documents, and so does the import.
func TestRun_defaultDomain(t *testing.T) {
	for _, tt := range []struct {
		name, domain string
		want         want
	}{
		{name: "the tenant's default domain", domain: "contoso.onmicrosoft.com", want: want{status: report.StatusSuccess, action: report.ActionCreate}},
		{name: "no default domain", want: want{status: report.StatusFailure, action: report.ActionNone, failedStep: report.StepImport, errorCode: "ExpressionEvaluationFailed"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tg := newTarget(t, simulator.ProfileEntra)
			src, cfg := contoso(t)
			src.DefaultDomain = tt.domain
			cfg.Users.Mappings = append(cfg.Users.Mappings, &Mapping{Expression: `Join("@", [mailNickname], DefaultDomain())`, Target: "nickName"})
			rep := tg.run(t, src, cfg, Subject{User: "alice@contoso.com"})
			check(t, rep, tt.want)
			if tt.domain == "" {
				if !strings.Contains(rep.Reason, "DefaultDomain: the tenant has no default verified domain") {
					t.Errorf("reason %q does not say why", rep.Reason)
				}
				return
			}
			got := tg.users(t, "alice@contoso.com")
			if len(got) != 1 || got[0]["nickName"] != "alice@contoso.onmicrosoft.com" {
				t.Errorf("target user %v, want nickName alice@contoso.onmicrosoft.com", got)
			}
		})
	}
}
