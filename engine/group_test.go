package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/report"
	"github.com/scimsim/scimsim/simulator"
	"github.com/scimsim/scimsim/simulator/faults"
)

// exchanges returns the step's exchanges with the given method, as "METHOD path body" strings with
// ids replaced by the names in ids.
func exchanges(s *Step, method string, ids map[string]string) []string {
	var out []string
	for _, ex := range s.Exchanges {
		if ex.Method != method {
			continue
		}
		path := ex.URL[strings.Index(ex.URL, "/scim/v2")+len("/scim/v2"):]
		line := ex.Method + " " + path + " " + ex.RequestBody
		for id, name := range ids {
			line = strings.ReplaceAll(line, id, name)
		}
		out = append(out, strings.TrimSpace(line))
	}
	return out
}

// memberIDs maps the target ids the members got to their source objectIds.
func memberIDs(rep *Report) map[string]string {
	ids := map[string]string{}
	for _, m := range rep.Members {
		if m.Target != nil {
			ids[m.Target.ID] = m.Subject.ID
		}
	}
	if rep.Target != nil {
		ids[rep.Target.ID] = "GROUP"
	}
	return ids
}

func TestRun_groupCreate(t *testing.T) {
	for _, tt := range []struct {
		dialect entra.Dialect
		patch   string
	}{
		{entra.DialectEntra, `PATCH /Groups/GROUP {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"members","value":[{"$ref":null,"value":"u-alice"},{"$ref":null,"value":"u-carol"}]}]}`},
		{entra.DialectEntraCompliant, `PATCH /Groups/GROUP {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"u-alice"},{"value":"u-carol"}]}]}`},
	} {
		t.Run(string(tt.dialect), func(t *testing.T) {
			tg := newTarget(t, simulator.ProfileEntra)
			src, cfg := contoso(t)
			cfg.Job.Dialect = string(tt.dialect)
			rep := tg.run(t, src, cfg, Subject{Group: "Sales"})
			check(t, rep, want{status: report.StatusSuccess, action: report.ActionCreate, modified: []string{"displayName", "externalId", "members"}})
			if len(rep.Members) != 2 || rep.Members[0].Action != report.ActionCreate || rep.Members[1].Action != report.ActionCreate {
				t.Fatalf("member reports = %d, want alice and carol created first", len(rep.Members))
			}
			ids := memberIDs(rep)
			export := rep.Step(report.StepExport)
			post := exchanges(export, http.MethodPost, ids)
			if want := []string{`POST /Groups {"displayName":"Sales","externalId":"g-sales","meta":{"resourceType":"Group"},"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group","http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"]}`}; !slices.Equal(post, want) {
				t.Errorf("POST = %q\nwant %q (created empty)", post, want)
			}
			if got := exchanges(export, http.MethodPatch, ids); !slices.Equal(got, []string{tt.patch}) {
				t.Errorf("PATCH =\n %q\nwant\n %q", got, tt.patch)
			}
			if q := rep.Step(report.StepMatching).Exchanges[0].URL; !strings.Contains(q, "excludedAttributes=members") {
				t.Errorf("group query %s does not exclude members", q)
			}
		})
	}
}

// TestRun_groupUpdate renames the group and removes a member who left it, by PATCH, in both
// dialects.
func TestRun_groupUpdate(t *testing.T) {
	for _, tt := range []struct {
		dialect entra.Dialect
		patch   string
	}{
		{entra.DialectEntra, `PATCH /Groups/GROUP {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"displayName","value":"Sales EMEA"},{"op":"Remove","path":"members","value":[{"$ref":null,"value":"u-carol"}]}]}`},
		{entra.DialectEntraCompliant, `PATCH /Groups/GROUP {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"Sales EMEA"},{"op":"remove","path":"members[value eq \"u-carol\"]"}]}`},
	} {
		t.Run(string(tt.dialect), func(t *testing.T) {
			tg := newTarget(t, simulator.ProfileEntra)
			src, cfg := contoso(t)
			cfg.Job.Dialect = string(tt.dialect)
			// Match groups on externalId, so that a renamed group is still found.
			cfg.Groups.Mappings[0].Matching, cfg.Groups.Mappings[1].Matching = 0, 1
			first := tg.run(t, src, cfg, Subject{Group: "Sales"})
			check(t, first, want{status: report.StatusSuccess, action: report.ActionCreate})
			ids := memberIDs(first)

			g, _ := src.FindGroup("Sales")
			g.DisplayName, g.Attrs["displayName"] = "Sales EMEA", "Sales EMEA"
			g.Members = []string{"u-alice"}
			src.Assignments = append(src.Assignments, Assignment{Principal: "u-carol", Role: "User"})
			rep := tg.run(t, src, cfg, Subject{Group: "Sales EMEA"})
			check(t, rep, want{status: report.StatusSuccess, action: report.ActionUpdate, modified: []string{"displayName", "members (removed)"}})
			for id, name := range memberIDs(rep) {
				ids[id] = name
			}
			if got := exchanges(rep.Step(report.StepExport), http.MethodPatch, ids); !slices.Equal(got, []string{tt.patch}) {
				t.Errorf("PATCH =\n %q\nwant\n %q", got, tt.patch)
			}
			again := tg.run(t, src, cfg, Subject{Group: "Sales EMEA"})
			check(t, again, want{status: report.StatusSkipped, action: report.ActionSkip, failedStep: report.StepExport, errorCode: "RedundantExport"})
		})
	}
}

func TestRun_groupLimits(t *testing.T) {
	src, cfg := contoso(t)
	big := &Group{ObjectID: "g-big", DisplayName: "Big", Attrs: map[string]any{"objectId": "g-big", "displayName": "Big"}}
	for i := range 6 {
		id := fmt.Sprintf("u-%d", i)
		src.Users = append(src.Users, &User{ObjectID: id, Attrs: map[string]any{"objectId": id, "userPrincipalName": id + "@contoso.com", "mailNickname": id}})
		big.Members = append(big.Members, id)
	}
	src.Groups = append(src.Groups, big)
	src.Assignments = append(src.Assignments, Assignment{Principal: "g-big", Role: "User"})

	t.Run("six members", func(t *testing.T) {
		tg := newTarget(t, simulator.ProfileEntra)
		rep := tg.run(t, src, cfg, Subject{Group: "Big"})
		check(t, rep, want{status: report.StatusFailure, action: report.ActionNone, failedStep: report.StepImport, errorCode: "TooManyGroupMembers", tip: "supports updating up to five members at a time"})
		if !strings.Contains(rep.Reason, "supports updating up to five members at a time") {
			t.Errorf("reason %q does not quote the document", rep.Reason)
		}
	})
	t.Run("two picked", func(t *testing.T) {
		tg := newTarget(t, simulator.ProfileEntra)
		rep := tg.run(t, src, cfg, Subject{Group: "Big", Members: []string{"u-1@contoso.com", "u-4@contoso.com"}})
		check(t, rep, want{status: report.StatusSuccess, action: report.ActionCreate})
		if len(rep.Members) != 2 {
			t.Errorf("%d members provisioned, want 2", len(rep.Members))
		}
	})
	t.Run("member not in the group", func(t *testing.T) {
		_, err := Run(context.Background(), src, cfg, Subject{Group: "Big", Members: []string{"alice@contoso.com"}})
		if err == nil || !strings.Contains(err.Error(), "not a member") {
			t.Errorf("error = %v, want one saying alice is not a member", err)
		}
	})
	t.Run("members despite exclusion", func(t *testing.T) {
		tg := newTarget(t, simulator.ProfileEntra)
		if _, _, err := tg.tenant.Seed(nil, []map[string]any{{"displayName": "Sales", "externalId": "g-sales", "members": []any{}}}); err != nil {
			t.Fatal(err)
		}
		u, _ := json.Marshal(aliceInTarget())
		var alice map[string]any
		_ = json.Unmarshal(u, &alice)
		tg.seed(t, alice)
		id := tg.users(t, "alice@contoso.com")[0]["id"]
		c, _ := entra.New(tg.url, testToken)
		lr, err := c.Query(context.Background(), "Groups", entra.EqFilter("displayName", "Sales"))
		if err != nil || len(lr.Resources) != 1 {
			t.Fatalf("group query: %v", err)
		}
		if _, err := c.Patch(context.Background(), "Groups", lr.Resources[0]["id"].(string), entra.DialectEntra.GroupPatch("", []string{id.(string)}, nil)); err != nil {
			t.Fatal(err)
		}
		tg.fault(t, faults.Spec{Type: "members_despite_exclusion", Match: faults.Match{Method: "GET", Resource: "Groups"}})
		rep := tg.run(t, src, cfg, Subject{Group: "Sales"})
		check(t, rep, want{status: report.StatusFailure, action: report.ActionNone, failedStep: report.StepMatching, errorCode: "SystemForCrossDomainIdentityManagementMultipleEntriesInResponse", tip: "filter to exclude members"})
	})
}

// TestRun_cloudHR: Workday is searched by WorkerID or WID, SuccessFactors by personIdExternal; a
// search by name explains why it found nothing.
func TestRun_cloudHR(t *testing.T) {
	cfg := testConfig(t, "cloud-hr")
	for _, tt := range []struct {
		source, query string
		want          want
	}{
		{"workday", "21001", want{status: report.StatusSuccess, action: report.ActionCreate}},
		{"workday", "Wanda Maximoff", want{status: report.StatusFailure, action: report.ActionNone, failedStep: report.StepImport, errorCode: "SubjectNotFound", tip: `"WorkerID" or "WID"`}},
		{"workday", "21002", want{status: report.StatusSkipped, action: report.ActionSkip, failedStep: report.StepScoping, errorCode: "EntrySynchronizationSkipped"}},
		{"successfactors", "sam@contoso.com", want{status: report.StatusFailure, action: report.ActionNone, failedStep: report.StepImport, errorCode: "SubjectNotFound", tip: "personIdExternal"}},
	} {
		t.Run(tt.source+"/"+tt.query, func(t *testing.T) {
			src, err := LoadSource("../testdata/sources/" + tt.source + ".yaml")
			if err != nil {
				t.Fatal(err)
			}
			tg := newTarget(t, simulator.ProfileEntra)
			rep := tg.run(t, src, cfg, Subject{User: tt.query})
			check(t, rep, tt.want)
			if tt.want.errorCode == "SubjectNotFound" && !strings.Contains(rep.Reason, "searched by") {
				t.Errorf("reason %q does not explain how the source is searched", rep.Reason)
			}
		})
	}
}

// TestRun_groupOutOfScope: an unassigned group is skipped, or deleted when it is in the target.
func TestRun_groupOutOfScope(t *testing.T) {
	tg := newTarget(t, simulator.ProfileEntra)
	src, cfg := contoso(t)
	check(t, tg.run(t, src, cfg, Subject{Group: "Marketing"}), want{status: report.StatusSuccess, action: report.ActionCreate})
	src.Assignments = slices.DeleteFunc(src.Assignments, func(a Assignment) bool { return a.Principal == "g-marketing" })
	rep := tg.run(t, src, cfg, Subject{Group: "Marketing"})
	check(t, rep, want{status: report.StatusSuccess, action: report.ActionDelete})
	if got := rep.Step(report.StepScoping).Status; got != report.StatusWarning {
		t.Errorf("scoping status = %s, want warning (out of scope, in the target)", got)
	}
	if len(rep.Members) != 0 {
		t.Errorf("a group being deleted provisioned %d members", len(rep.Members))
	}
	again := tg.run(t, src, cfg, Subject{Group: "Marketing"})
	check(t, again, want{status: report.StatusSkipped, action: report.ActionSkip, failedStep: report.StepScoping, errorCode: "EntrySynchronizationSkipped", tip: "assigned"})
}
