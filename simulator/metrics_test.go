package simulator_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/scimsim/scimsim/simulator"
	"github.com/scimsim/scimsim/simulator/faults"
)

// scimDo sends one SCIM request to the tenant and returns the status.
func scimDo(t *testing.T, ts *simulator.TestServer, tenant, token, method, path, body string) int {
	t.Helper()
	status, _, _ := request(t, method, ts.SCIMURL(tenant)+path, token, "application/scim+json", body)
	return status
}

const aliceJSON = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"alice@contoso.com","active":true}`

// TestMetrics: GET /metrics is Prometheus's text format, behind the admin token, and counts what
// the tenants were asked, what faults hit, and what they store.
func TestMetrics(t *testing.T) {
	ts := simulator.NewTestServer(t, simulator.WithAdminToken("admin"))
	ts.Tenant("qa").Configure(simulator.ProfileEntra, "tok")
	if _, err := ts.Admin.AddFault(context.Background(), "qa", faults.Spec{Type: "throttle", Count: 1, Match: faults.Match{Method: "GET"}}); err != nil {
		t.Fatal(err)
	}
	if got := scimDo(t, ts, "qa", "tok", http.MethodPost, "/Users", aliceJSON); got != http.StatusCreated {
		t.Fatalf("POST /Users = %d", got)
	}
	if got := scimDo(t, ts, "qa", "tok", http.MethodGet, "/Users", ""); got != http.StatusTooManyRequests {
		t.Fatalf("GET /Users under throttle = %d", got)
	}
	scimDo(t, ts, "qa", "tok", http.MethodGet, "/Users", "")
	scimDo(t, ts, "qa", "tok", http.MethodGet, "/ServiceProviderConfig", "")
	scimDo(t, ts, "", "", http.MethodGet, "/Nope", "")
	// A series already used goes on counting (metrics keep the children they looked up).
	if got := scimDo(t, ts, "qa", "tok", http.MethodPost, "/Users", strings.Replace(aliceJSON, "alice", "bob", 1)); got != http.StatusCreated {
		t.Fatalf("second POST /Users = %d", got)
	}

	// The admin API's access rule.
	resp, err := http.Get(ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("GET /metrics without the admin token = %d, want 401 with WWW-Authenticate", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer admin")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("GET /metrics = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	// Parsed by Prometheus's own parser of the text format.
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("the text format does not parse: %v", err)
	}
	value := func(name string, labels map[string]string) (float64, bool) {
		f, ok := families[name]
		if !ok {
			return 0, false
		}
	next:
		for _, m := range f.Metric {
			have := map[string]string{}
			for _, l := range m.Label {
				have[l.GetName()] = l.GetValue()
			}
			for k, v := range labels {
				if have[k] != v {
					continue next
				}
			}
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				return m.Counter.GetValue(), true
			case dto.MetricType_GAUGE:
				return m.Gauge.GetValue(), true
			case dto.MetricType_HISTOGRAM:
				return float64(m.Histogram.GetSampleCount()), true
			}
		}
		return 0, false
	}
	for _, tc := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"scimsim_requests_total", map[string]string{"tenant": "qa", "method": "POST", "resource": "Users", "status": "201"}, 2},
		{"scimsim_requests_total", map[string]string{"tenant": "qa", "method": "GET", "resource": "Users", "status": "429"}, 1},
		{"scimsim_requests_total", map[string]string{"tenant": "qa", "method": "GET", "resource": "Users", "status": "200"}, 1},
		{"scimsim_requests_total", map[string]string{"tenant": "qa", "method": "GET", "resource": "ServiceProviderConfig", "status": "200"}, 1},
		{"scimsim_requests_total", map[string]string{"tenant": "(default)", "method": "GET", "resource": "other"}, 1},
		{"scimsim_fault_hits_total", map[string]string{"tenant": "qa", "type": "throttle"}, 1},
		{"scimsim_resources", map[string]string{"tenant": "qa", "resource": "Users"}, 2},
		{"scimsim_resources", map[string]string{"tenant": "qa", "resource": "Groups"}, 0},
		{"scimsim_request_duration_seconds", map[string]string{"tenant": "qa", "method": "GET", "resource": "Users"}, 2},
	} {
		got, ok := value(tc.name, tc.labels)
		if !ok || got != tc.want {
			t.Errorf("%s%v = %v (found %v), want %v", tc.name, tc.labels, got, ok, tc.want)
		}
	}
	if _, ok := families["go_goroutines"]; !ok {
		t.Error("no Go runtime metrics")
	}
	raw, _ := json.Marshal(families["scimsim_requests_total"].GetHelp())
	if !strings.Contains(string(raw), "by tenant, method, resource") {
		t.Errorf("help = %s", raw)
	}
}
