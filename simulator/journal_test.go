package simulator_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimsim/scimsim/simulator"
	"github.com/scimsim/scimsim/simulator/faults"
)

// The request journal: what it records of a request the server never answered, and its export
// as HAR.

// resetOnce is a server whose first SCIM request a connection_reset fault named drop hits.
func resetOnce(t *testing.T) *simulator.TestServer {
	t.Helper()
	ts := simulator.NewTestServer(t, simulator.WithToken("tok"))
	if _, err := ts.Admin.AddFault(context.Background(), "", faults.Spec{Name: "drop", Type: "connection_reset", Count: 1}); err != nil {
		t.Fatal(err)
	}
	return ts
}

// A request whose handler aborts the connection is journaled with status 0 and the fault that
// hit it, and the next request with its own status: the SCIM chain's epilogue runs on both paths.
func TestJournal_abortedRequest(t *testing.T) {
	ts, ctx := resetOnce(t), context.Background()
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	get := func() (*http.Response, error) {
		req, err := http.NewRequest("GET", ts.SCIMURL("")+"/Users", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer tok")
		return fresh.Do(req)
	}
	if resp, err := get(); err == nil {
		resp.Body.Close()
		t.Fatalf("connection_reset: got an answer %d", resp.StatusCode)
	}
	resp, err := get()
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// The aborted request's handler journals it after the connection is gone, so the client may
	// ask before that: wait for the entry (bounded), which the journal must hold in the end.
	var j []simulator.JournalEntry
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		var err error
		if j, err = ts.Admin.Requests(ctx, ""); err != nil {
			t.Fatal(err)
		}
		if len(j) >= 2 || time.Now().After(deadline) {
			break
		}
	}
	if len(j) != 2 {
		t.Fatalf("journal holds %d entries, want 2: %+v", len(j), j)
	}
	var aborted, answered simulator.JournalEntry
	for _, e := range j {
		if e.Fault != "" {
			aborted = e
		} else {
			answered = e
		}
	}
	if aborted.Status != 0 || aborted.Fault != "drop" || answered.Status != http.StatusOK {
		t.Errorf("journal = %+v; want the aborted request with status 0 and fault drop, then a 200", j)
	}
}

// A response writer that cannot be hijacked makes connection_reset panic with
// http.ErrAbortHandler, as under HTTP/2: the request is journaled with status 0 all the same, and
// the panic goes on to net/http.
func TestJournal_abortPanic(t *testing.T) {
	ts, ctx := resetOnce(t), context.Background()
	req := httptest.NewRequest("GET", ts.SCIMURL("")+"/Users", nil)
	req.Header.Set("Authorization", "Bearer tok")
	func() {
		defer func() {
			if p := recover(); p != http.ErrAbortHandler {
				t.Errorf("panic = %v, want http.ErrAbortHandler passed on", p)
			}
		}()
		ts.ServeHTTP(httptest.NewRecorder(), req)
	}()
	j, err := ts.Admin.Requests(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(j) != 1 || j[0].Status != 0 || j[0].Fault != "drop" {
		t.Errorf("journal = %+v; want the aborted request, status 0, fault drop", j)
	}
}

// harRequired are the fields HAR 1.2 requires of each object (the spec's tables, "required"
// column), with their JSON types: what browser devtools and Postman read when they import a file.
var harRequired = map[string]map[string]string{
	"log":      {"version": "string", "creator": "object", "entries": "array"},
	"creator":  {"name": "string", "version": "string"},
	"entry":    {"startedDateTime": "string", "time": "number", "request": "object", "response": "object", "cache": "object", "timings": "object"},
	"request":  {"method": "string", "url": "string", "httpVersion": "string", "cookies": "array", "headers": "array", "queryString": "array", "headersSize": "number", "bodySize": "number"},
	"response": {"status": "number", "statusText": "string", "httpVersion": "string", "cookies": "array", "headers": "array", "content": "object", "redirectURL": "string", "headersSize": "number", "bodySize": "number"},
	"content":  {"size": "number", "mimeType": "string"},
	"postData": {"mimeType": "string", "text": "string"},
	"timings":  {"send": "number", "wait": "number", "receive": "number"},
}

func jsonType(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case float64:
		return "number"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case bool:
		return "boolean"
	}
	return "null"
}

func checkHAR(t *testing.T, kind string, obj any) map[string]any {
	t.Helper()
	m, ok := obj.(map[string]any)
	if !ok {
		t.Fatalf("HAR %s is %s, want an object", kind, jsonType(obj))
	}
	for field, typ := range harRequired[kind] {
		if got := jsonType(m[field]); got != typ {
			t.Errorf("HAR %s.%s is %s, want %s", kind, field, got, typ)
		}
	}
	return m
}

// TestHAR: GET /admin/requests?format=har is the journal as HAR 1.2, every field the format
// requires present with its type, URLs absolute, bodies as postData, faults noted.
func TestHAR(t *testing.T) {
	ts := simulator.NewTestServer(t)
	ts.Tenant("har").Configure(simulator.ProfileEntra, "tok")
	if _, err := ts.Admin.AddFault(context.Background(), "har", faults.Spec{Name: "slow-list", Type: "server_error", Count: 1, Match: faults.Match{Method: "GET"}}); err != nil {
		t.Fatal(err)
	}
	before := time.Now().UTC().Add(-time.Second)
	scimDo(t, ts, "har", "tok", http.MethodPost, "/Users", aliceJSON)
	scimDo(t, ts, "har", "tok", http.MethodGet, "/Users?filter=userName%20eq%20%22alice%40contoso.com%22&count=5", "")

	resp, err := http.Get(ts.URL + "/admin/requests?tenant=har&format=har")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") ||
		resp.Header.Get("Content-Disposition") != `attachment; filename="scimsim-har.har"` {
		t.Fatalf("GET ?format=har = %d, %s, %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
	}
	var doc map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	log := checkHAR(t, "log", doc["log"])
	if log["version"] != "1.2" {
		t.Errorf("log.version = %v, want 1.2", log["version"])
	}
	if c := checkHAR(t, "creator", log["creator"]); c["name"] != "scimsim" {
		t.Errorf("creator = %v", c)
	}
	entries, _ := log["entries"].([]any)
	if len(entries) != 2 {
		t.Fatalf("%d entries, want 2", len(entries))
	}
	for i, raw := range entries {
		e := checkHAR(t, "entry", raw)
		started, err := time.Parse(time.RFC3339Nano, e["startedDateTime"].(string))
		if err != nil || started.Before(before) || !strings.Contains(e["startedDateTime"].(string), ".") {
			t.Errorf("entry %d startedDateTime = %v (%v), want ISO 8601 with milliseconds", i, e["startedDateTime"], err)
		}
		req := checkHAR(t, "request", e["request"])
		res := checkHAR(t, "response", e["response"])
		checkHAR(t, "content", res["content"])
		tm := checkHAR(t, "timings", e["timings"])
		if sum := tm["send"].(float64) + tm["wait"].(float64) + tm["receive"].(float64); sum != e["time"].(float64) {
			t.Errorf("entry %d time %v is not the sum of its timings %v", i, e["time"], sum)
		}
		if u := req["url"].(string); !strings.HasPrefix(u, ts.URL+"/tenants/har/scim/v2/Users") {
			t.Errorf("entry %d url = %s, want absolute", i, u)
		}
		switch i {
		case 0:
			pd := checkHAR(t, "postData", req["postData"])
			if req["method"] != "POST" || pd["text"] != aliceJSON || pd["mimeType"] != "application/scim+json" || res["status"] != 201.0 || res["statusText"] != "Created" || req["bodySize"] != float64(len(aliceJSON)) {
				t.Errorf("POST entry = %v / %v", req, res)
			}
		case 1:
			q := req["queryString"].([]any)
			if len(q) != 2 || q[0].(map[string]any)["name"] != "count" || q[1].(map[string]any)["value"] != `userName eq "alice@contoso.com"` {
				t.Errorf("queryString = %v, want count and filter decoded", q)
			}
			if e["_fault"] != "slow-list" || res["status"] != 500.0 || !strings.Contains(e["comment"].(string), "slow-list") {
				t.Errorf("GET entry = %v", e)
			}
		}
	}

	// The journal's own JSON is unchanged.
	list, err := ts.Admin.Requests(context.Background(), "har")
	if err != nil || len(list) != 2 || list[1].Fault != "slow-list" {
		t.Errorf("GET /admin/requests = %+v, %v", list, err)
	}
}

var _ = Describe("journal", func() {
	It("keeps the newest requests, cuts bodies at 64 KiB and never records the token", func() {
		e := newEnv(simulator.ProfileEntra, simulator.WithJournalSize(3))
		for i := range 4 {
			e.do("GET", fmt.Sprintf("/Users?count=%d", i), nil)
		}
		big := newUser("big@contoso.com")
		big["displayName"] = strings.Repeat("d", 70<<10)
		created := e.do("POST", "/Users", big)
		Expect(created.Status).To(Equal(201))
		Expect(created.Header.Get("X-Request-Id")).To(Equal("5"))

		entries, err := e.ts.Admin.Requests(ctx(), e.tenant)
		Expect(err).NotTo(HaveOccurred())
		Expect(entries).To(HaveLen(3))
		Expect(entries[0].Query).To(Equal("count=2"))
		Expect(entries[1].Query).To(Equal("count=3"))
		last := entries[2]
		Expect(last.ID).To(BeNumerically("==", 5), "ids count every request of the tenant")
		Expect(last.Method).To(Equal("POST"))
		Expect(last.Path).To(Equal("/tenants/" + e.tenant + "/scim/v2/Users"))
		Expect(last.Status).To(Equal(201))
		Expect(last.RequestBody).To(HaveLen(64 << 10))
		Expect(last.Truncated).To(BeTrue())

		raw := do("GET", e.ts.URL+"/admin/requests?tenant="+e.tenant, "", nil)
		Expect(string(raw.Body)).NotTo(ContainSubstring(e.token), "the bearer token never reaches the journal")
		Expect(raw.Header.Get("Content-Type")).To(HavePrefix("application/json"))
	})

	It("keeps no body of a request without the tenant's token, and redacts secrets", func() {
		e := newEnv(simulator.ProfileEntra)
		secret := newUser("ada@contoso.com")
		secret["password"] = "hunter2-c0ffee"
		Expect(do("POST", e.url("/Users"), "", secret).Status).To(Equal(401))
		Expect(do("POST", e.url("/Users"), "wrong", secret).Status).To(Equal(401))
		Expect(e.do("POST", "/Users", secret).Status).To(Equal(201))
		Expect(e.do("PATCH", "/Users/u-alice", patchBody(map[string]any{"op": "replace", "path": "password", "value": "hunter2-c0ffee"})).Status).To(Equal(200))
		Expect(e.do("GET", "/Users?access_token=hunter2-c0ffee", nil).Status).To(Equal(200))

		entries, err := e.ts.Admin.Requests(ctx(), e.tenant)
		Expect(err).NotTo(HaveOccurred())
		Expect(entries).To(HaveLen(5))
		Expect(entries[0].Status).To(Equal(401))
		Expect(entries[0].RequestBody).To(BeEmpty(), "anonymous: no body")
		Expect(entries[1].RequestBody).To(BeEmpty(), "wrong token: no body")
		Expect(entries[2].RequestBody).To(ContainSubstring(`"password":"[redacted]"`))
		Expect(entries[2].RequestBody).To(ContainSubstring(`"userName":"ada@contoso.com"`))
		Expect(entries[3].RequestBody).To(ContainSubstring(`"value":"[redacted]"`))
		raw := do("GET", e.ts.URL+"/admin/requests?tenant="+e.tenant, "", nil)
		Expect(string(raw.Body)).NotTo(ContainSubstring("hunter2"))
	})

	It("stays within WithJournalBytes however many requests arrive", func() {
		const perTenant, total = 64 << 10, 96 << 10
		ts := simulator.NewTestServer(GinkgoTB(), simulator.WithToken("root"), simulator.WithJournalBytes(perTenant, total))
		body := newUser("x")
		body["displayName"] = strings.Repeat("d", 8<<10)
		for i := range 40 {
			body["userName"] = fmt.Sprintf("a%d", i)
			do("POST", ts.SCIMURL("a")+"/Users", "root", body)
			body["userName"] = fmt.Sprintf("b%d", i)
			do("POST", ts.SCIMURL("b")+"/Users", "root", body)
		}
		size := func(tenant string) int {
			entries, err := ts.Admin.Requests(ctx(), tenant)
			Expect(err).NotTo(HaveOccurred())
			n := 0
			for _, e := range entries {
				n += len(e.RequestBody) + len(e.Path)
			}
			Expect(entries[len(entries)-1].RequestBody).To(ContainSubstring(`"userName":"`+tenant+`39"`), "the newest is kept")
			return n
		}
		a, b := size("a"), size("b")
		Expect(a).To(BeNumerically("<=", perTenant))
		Expect(b).To(BeNumerically("<=", perTenant))
		Expect(a + b).To(BeNumerically("<=", total))
		Expect(a+b).To(BeNumerically(">", total/2), "the bound is used, not an accident of a small journal")
	})
})
