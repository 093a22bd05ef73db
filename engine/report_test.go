package engine

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimsim/scimsim/internal/golden"
	"github.com/scimsim/scimsim/simulator"
	"github.com/scimsim/scimsim/simulator/faults"
)

var (
	uuidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	timeRE = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z`)
)

// TestReport_WriteText renders reports of typical runs and compares them with golden files
// (testdata/text/*.txt; -update rewrites them). Ports, generated ids and timestamps are masked.
func TestReport_WriteText(t *testing.T) {
	for _, tt := range []struct {
		name   string
		user   string
		seed   []map[string]any
		faults []faults.Spec
		token  string
		opts   TextOptions
	}{
		{name: "create", user: "alice@contoso.com"},
		{name: "create-requests", user: "alice@contoso.com", opts: TextOptions{ShowRequests: true}},
		{name: "null-attribute", user: "carol@contoso.com"},
		{name: "unauthorized", user: "alice@contoso.com", token: "wrong-token", opts: TextOptions{ShowRequests: true}},
		{name: "duplicate", user: "alice@contoso.com", seed: []map[string]any{aliceInTarget()},
			faults: []faults.Spec{{Type: "duplicate_match", Match: faults.Match{Method: "GET", Resource: "Users", FilterAttribute: "userName"}}}},
		{name: "disable", user: "erin@contoso.com", seed: []map[string]any{with(aliceInTarget(), "userName", "erin@contoso.com")}},
		{name: "not-found", user: "grace@contoso.com"},
		{name: "color", user: "alice@contoso.com", opts: TextOptions{Color: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tg := newTarget(t, simulator.ProfileEntra)
			tg.seed(t, tt.seed...)
			for _, f := range tt.faults {
				tg.fault(t, f)
			}
			src, cfg := contoso(t)
			var opts []Option
			if tt.token != "" {
				opts = append(opts, WithTarget(tg.url, tt.token))
			}
			rep := tg.run(t, src, cfg, Subject{User: tt.user}, opts...)
			rep.DurationMs = 0
			var b bytes.Buffer
			if err := rep.WriteText(&b, tt.opts); err != nil {
				t.Fatal(err)
			}
			got := strings.ReplaceAll(b.String(), tg.ts.URL, "http://127.0.0.1:PORT")
			got = uuidRE.ReplaceAllStringFunc(got, func(s string) string {
				if strings.Contains(b.String(), "eq \\\""+s) || strings.Contains(b.String(), "%22"+s) {
					return s // the test connection's GUID comes from the seeded source
				}
				return "ID"
			})
			got = timeRE.ReplaceAllString(got, "TIME")
			golden.File(t, filepath.Join("testdata", "text", tt.name+".txt"), got)
		})
	}
}

// TestReport_JSON checks the design's report shape: the keys of the report and of a step, details
// as an object in order, and a round trip.
func TestReport_JSON(t *testing.T) {
	tg := newTarget(t, simulator.ProfileEntra)
	src, cfg := contoso(t)
	rep := tg.run(t, src, cfg, Subject{User: "alice@contoso.com"})
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"subject", "status", "action", "failedStep", "errorCode", "reason", "steps", "modifiedProperties", "durationMs"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("report JSON has no %q", k)
		}
	}
	var steps []map[string]json.RawMessage
	if err := json.Unmarshal(raw["steps"], &steps); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"name", "type", "status", "description", "details", "errorCode", "reason", "tips", "exchanges"} {
		if _, ok := steps[1][k]; !ok {
			t.Errorf("step JSON has no %q", k)
		}
	}
	if !bytes.HasPrefix(steps[2]["details"], []byte(`{"Active in source system":"true","Assigned to application":"true"`)) {
		t.Errorf("scoping details = %s, want an object in the portal's order", steps[2]["details"])
	}
	var back Report
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rep.Steps[2].Details, back.Steps[2].Details); diff != "" {
		t.Errorf("details round trip (-want +got):\n%s", diff)
	}
}
