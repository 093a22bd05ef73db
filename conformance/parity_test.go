package conformance

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/report"
	"github.com/scimsim/scimsim/simulator"
	"github.com/scimsim/scimsim/wire"
)

// TestParity_ChecksSendWhatTheEngineSends is the proof that a check sends, for a change, exactly
// what a provisioning run sends: for each check that writes, the engine provisions the same source
// users and groups (Entra's default job, on demand) against one tenant of the simulator, and the
// check runs against another; the create and PATCH bodies of the two must be the same, ids aside.
func TestParity_ChecksSendWhatTheEngineSends(t *testing.T) {
	srv := simulator.NewTestServer(t, simulator.WithToken("parity"))
	tgt, err := NewTarget(Config{BaseURL: srv.SCIMURL("checks"), Token: "parity"})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tgt.Cleanup(context.Background()) }()

	type step struct {
		users  []*engine.User
		groups []*engine.Group
		// assigned are the objectIds assigned to the application (a user left out is out of scope).
		assigned []string
		subject  engine.Subject
	}
	mgr, boss := tgt.person("entra-manager-boss"), tgt.person("manager")
	u := func(local string, attrs map[string]any) *engine.User { return changed(tgt.person(local), attrs) }
	ids := func(us ...*engine.User) []string {
		var out []string
		for _, x := range us {
			out = append(out, x.ObjectID)
		}
		return out
	}
	group := func(local string, members ...*engine.User) *engine.Group {
		g := tgt.group(local)
		g.Members = ids(members...)
		return g
	}
	one := func(x *engine.User, others ...*engine.User) step {
		all := append([]*engine.User{x}, others...)
		return step{users: all, assigned: []string{x.ObjectID}, subject: engine.Subject{User: x.String("userPrincipalName")}}
	}
	tests := []struct {
		check   string
		dialect string
		// steps are the on-demand runs that make the engine send the same requests.
		steps []step
	}{
		{check: "create-user", steps: []step{one(u("create", nil))}},
		{check: "enterprise-attributes", steps: []step{
			one(boss), // the manager is provisioned first, so that the reference resolves
			one(u("enterprise", map[string]any{"employeeId": "E-1024", "department": "Sales", "manager": boss.ObjectID}), boss),
		}},
		{check: "patch-op-case", steps: []step{
			one(u("op-case", nil)),
			one(tgt.opCaseChange(tgt.person("op-case"))),
		}},
		{check: "patch-entra-replace", steps: []step{
			one(u("entra-replace", nil)),
			one(u("entra-replace", map[string]any{"mail": tgt.Name("entra-replace-new") + "@example.com", "surname": "Replaced"})),
		}},
		{check: "patch-entra-add-absent", steps: []step{
			one(u("add-absent", map[string]any{"mail": nil})),
			one(u("add-absent", map[string]any{"mail": tgt.Name("add-absent") + "@example.com", "mobile": "+1 425 555 0100", "city": "Redmond"})),
		}},
		{check: "patch-entra-manager", steps: []step{
			one(mgr),
			one(u("entra-manager", nil), mgr),
			one(u("entra-manager", map[string]any{"manager": mgr.ObjectID}), mgr),
		}},
		{check: "enterprise-extension", steps: []step{
			one(u("enterprise-update", map[string]any{"department": "Sales"})),
			one(u("enterprise-update", map[string]any{"department": "Marketing"})),
		}},
		{check: "patch-entra-active", steps: []step{
			one(u("entra-active", nil)),
			// Unassigned: out of scope while the target holds the user, so Entra disables it.
			{users: []*engine.User{u("entra-active", nil)}, subject: engine.Subject{User: tgt.person("entra-active").String("userPrincipalName")}},
			// Assigned again: restored.
			one(u("entra-active", nil)),
		}},
		{check: "patch-compliant-active", dialect: "entra-compliant", steps: []step{
			one(u("compliant-active", nil)),
			{users: []*engine.User{u("compliant-active", nil)}, subject: engine.Subject{User: tgt.person("compliant-active").String("userPrincipalName")}},
			one(u("compliant-active", nil)),
		}},
		{check: "patch-compliant-replace", dialect: "entra-compliant", steps: []step{
			one(u("compliant-replace", nil)),
			one(u("compliant-replace", map[string]any{"mail": tgt.Name("compliant-replace-new") + "@example.com",
				"givenName": "Kim", "surname": "Berg", "displayName": "Kim Berg"})),
		}},
		{check: "create-group", steps: []step{{groups: []*engine.Group{group("create")}, assigned: []string{tgt.Name("create")},
			subject: engine.Subject{Group: tgt.Name("create")}}}},
		{check: "patch-entra-member-add", steps: func() []step {
			m1, m2 := u("entra-add-m1", nil), u("entra-add-m2", nil)
			return []step{{users: []*engine.User{m1, m2}, groups: []*engine.Group{group("entra-add", m1, m2)},
				assigned: []string{tgt.Name("entra-add")}, subject: engine.Subject{Group: tgt.Name("entra-add")}}}
		}()},
		{check: "patch-entra-member-remove", steps: func() []step {
			m1, m2 := u("entra-remove-m1", nil), u("entra-remove-m2", nil)
			both := step{users: []*engine.User{m1, m2}, groups: []*engine.Group{group("entra-remove", m1, m2)},
				assigned: []string{tgt.Name("entra-remove")}, subject: engine.Subject{Group: tgt.Name("entra-remove")}}
			left := both
			left.groups = []*engine.Group{group("entra-remove", m2)}
			left.subject.Members = []string{m2.String("userPrincipalName")}
			return []step{both, left}
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.check, func(t *testing.T) {
			check := byID(t, tt.check)
			r := RunCheck(context.Background(), check, tgt)
			if r.Status != StatusPass {
				t.Fatalf("%s against the simulator: %s %s %v", tt.check, r.Status, r.Reason, r.Failure)
			}
			checkWrites := writes(r.Exchanges)
			if len(checkWrites) == 0 {
				t.Fatalf("%s sent no write", tt.check)
			}

			cfg := engine.DefaultConfig()
			cfg.Job.Dialect = tt.dialect
			if err := cfg.Validate(); err != nil {
				t.Fatal(err)
			}
			var engineWrites []string
			for i, st := range tt.steps {
				src := &engine.Source{Kind: engine.KindEntra, Users: st.users, Groups: st.groups}
				for _, p := range st.assigned {
					src.Assignments = append(src.Assignments, engine.Assignment{Principal: p, Role: engine.DefaultRole, AssignedAt: time.Unix(0, 0)})
				}
				rep, err := engine.Run(context.Background(), src, cfg, st.subject,
					engine.WithTarget(srv.SCIMURL("engine-"+tt.check), "parity"), engine.WithHTTPClient(http.DefaultClient))
				if err != nil {
					t.Fatalf("step %d: engine.Run: %v", i+1, err)
				}
				if rep.Status == report.StatusFailure {
					b, _ := json.MarshalIndent(rep, "", "  ")
					t.Fatalf("step %d: the engine's run failed:\n%s", i+1, b)
				}
				engineWrites = append(engineWrites, reportWrites(rep)...)
			}
			// The check creates its fixtures and changes one of them; the engine's runs end with the
			// same change, so the check's writes are the last ones of the engine's.
			if len(engineWrites) < len(checkWrites) {
				t.Fatalf("the engine sent %d writes, the check %d:\nengine: %s\ncheck: %s", len(engineWrites), len(checkWrites), strings.Join(engineWrites, "\n"), strings.Join(checkWrites, "\n"))
			}
			tail := engineWrites[len(engineWrites)-len(checkWrites):]
			if diff := cmp.Diff(tail, checkWrites); diff != "" {
				t.Errorf("the check's writes differ from the engine's (-engine +check):\n%s", diff)
			}
		})
	}
}

func byID(t *testing.T, id string) Check {
	t.Helper()
	for _, c := range Checks() {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no check %s", id)
	return Check{}
}

// uuid matches the ids the simulator gives resources.
var uuid = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// writes renders the POST and PATCH requests Entra would send among ex (not scimsim's own), ids
// replaced, as "METHOD /Resource body" with the body's JSON keys in order.
func writes(ex []wire.Exchange) []string {
	var out []string
	for _, e := range ex {
		if e.By != wire.ByEntra || (e.Method != http.MethodPost && e.Method != http.MethodPatch) || e.Status/100 != 2 {
			continue
		}
		resource := "/Users"
		if strings.Contains(e.URL, "/Groups") {
			resource = "/Groups"
		}
		var body any
		_ = json.Unmarshal([]byte(e.RequestBody), &body)
		b, _ := json.Marshal(body)
		out = append(out, e.Method+" "+resource+" "+uuid.ReplaceAllString(string(b), "<id>"))
	}
	return out
}

// reportWrites are the writes of a run and of the members it provisioned first, in the order they
// were sent.
func reportWrites(rep *engine.Report) []string {
	var out []string
	for _, m := range rep.Members {
		out = append(out, reportWrites(m)...)
	}
	for _, s := range rep.Steps {
		out = append(out, writes(s.Exchanges)...)
	}
	return out
}
