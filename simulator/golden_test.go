package simulator_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-cmp/cmp"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimsim/scimsim/internal/golden"
	"github.com/scimsim/scimsim/simulator"
)

// wire is one exchange as testdata/golden keeps it: the request and the answer's status, the
// headers clients depend on, and the body.
type wire struct {
	Request struct {
		Method string            `json:"method"`
		Target string            `json:"target"`
		Header map[string]string `json:"header,omitempty"`
		Body   any               `json:"body,omitempty"`
	} `json:"request"`
	Response struct {
		Status int               `json:"status"`
		Header map[string]string `json:"header"`
		Body   any               `json:"body,omitempty"`
	} `json:"response"`
}

// goldenHeaders are the response headers the golden files pin.
var goldenHeaders = []string{"Content-Type", "Etag", "Location", "Www-Authenticate", "Retry-After"}

type goldenStep struct {
	name           string
	method, target string
	header         map[string]string
	body           string
}

// goldenSteps run in order against one simulator (fixed clock, seed 7, token "t0k", body limit
// 4 KiB), so generated ids and versions are the same on every run.
var goldenSteps = []goldenStep{
	{name: "create_user", method: "POST", target: "/scim/v2/Users",
		body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"Test_User@contoso.com","externalId":"0a21f0f2","active":true,"emails":[{"primary":true,"type":"work","value":"test@contoso.com"}],"name":{"givenName":"Test","familyName":"User"},"password":"never-returned"}`},
	{name: "get_user", method: "GET", target: "/scim/v2/Users/u-alice"},
	{name: "query_userName", method: "GET", target: `/scim/v2/Users?filter=userName+eq+%22alice@contoso.com%22`},
	{name: "query_test_connection", method: "GET", target: `/scim/v2/Users?filter=userName+eq+%22e9e30dba-f08f-4109-8486-d5c6a331660a%22`},
	{name: "query_groups_excluding_members", method: "GET", target: `/scim/v2/Groups?excludedAttributes=members&filter=displayName+eq+%22Sales%22`},
	{name: "patch_user_entra_disable", method: "PATCH", target: "/scim/v2/Users/u-bob",
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"},{"op":"Replace","path":"emails[type eq \"work\"].value","value":"bob.jones@contoso.com"}]}`},
	{name: "patch_group_members", method: "PATCH", target: "/scim/v2/Groups/g-sales",
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"members","value":[{"$ref":null,"value":"u-carol"}]},{"op":"Remove","path":"members","value":[{"$ref":null,"value":"u-bob"}]}]}`},
	{name: "put_stale_if_match", method: "PUT", target: "/scim/v2/Users/u-alice", header: map[string]string{"If-Match": `W/"7"`},
		body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"alice@contoso.com"}`},
	{name: "create_conflict", method: "POST", target: "/scim/v2/Users",
		body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ALICE@CONTOSO.COM"}`},
	{name: "invalid_filter", method: "GET", target: `/scim/v2/Users?filter=userName+eq`},
	{name: "unauthorized", method: "GET", target: "/scim/v2/Users", header: map[string]string{"Authorization": "Bearer wrong"}},
	{name: "not_found", method: "GET", target: "/scim/v2/Users/nobody"},
	{name: "too_large", method: "POST", target: "/scim/v2/Users",
		body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"` + strings.Repeat("x", 5000) + `"}`},
	{name: "service_provider_config", method: "GET", target: "/scim/v2/ServiceProviderConfig"},
	{name: "delete_user", method: "DELETE", target: "/scim/v2/Users/u-dave"},
}

var _ = Describe("golden wire exchanges (testdata/golden, -update rewrites)", Ordered, func() {
	var sim *simulator.Server
	BeforeAll(func() {
		var err error
		sim, err = simulator.New(simulator.WithClock(fixedClock), simulator.WithSeed(7), simulator.WithToken("t0k"), simulator.WithMaxBody(4096))
		Expect(err).NotTo(HaveOccurred())
		d := seedData()
		_, _, err = sim.Tenant("").Seed(d.Users, d.Groups)
		Expect(err).NotTo(HaveOccurred())
	})
	for i, step := range goldenSteps {
		It(step.name, func() {
			var got wire
			got.Request.Method, got.Request.Target, got.Request.Header = step.method, step.target, step.header
			if step.body != "" && len(step.body) < 1024 {
				Expect(json.Unmarshal([]byte(step.body), &got.Request.Body)).To(Succeed())
			}
			req := httptest.NewRequest(step.method, "http://scimsim.test"+step.target, strings.NewReader(step.body))
			req.Header.Set("Authorization", "Bearer t0k")
			for k, v := range step.header {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			sim.ServeHTTP(rec, req)
			got.Response.Status = rec.Code
			got.Response.Header = map[string]string{}
			for _, h := range goldenHeaders {
				if v := rec.Header().Get(h); v != "" {
					got.Response.Header[h] = v
				}
			}
			if rec.Body.Len() > 0 {
				Expect(json.Unmarshal(rec.Body.Bytes(), &got.Response.Body)).To(Succeed(), "body %s", rec.Body)
			}
			file := filepath.Join("testdata", "golden", fmt.Sprintf("%02d_%s.json", i+1, step.name))
			if golden.Update() {
				raw, err := json.MarshalIndent(got, "", "  ")
				Expect(err).NotTo(HaveOccurred())
				Expect(os.MkdirAll(filepath.Dir(file), 0o755)).To(Succeed())
				Expect(os.WriteFile(file, append(raw, '\n'), 0o644)).To(Succeed())
				return
			}
			raw, err := os.ReadFile(file)
			Expect(err).NotTo(HaveOccurred(), "run go test ./simulator -update to create it")
			var want wire
			Expect(json.Unmarshal(raw, &want)).To(Succeed())
			// Round-trip got through JSON so both sides hold the same types.
			rt, err := json.Marshal(got)
			Expect(err).NotTo(HaveOccurred())
			got = wire{}
			Expect(json.Unmarshal(rt, &got)).To(Succeed())
			if diff := cmp.Diff(want, got); diff != "" {
				Fail(fmt.Sprintf("%s (-want +got):\n%s", file, diff))
			}
			Expect(got.Response.Status).NotTo(Equal(http.StatusInternalServerError))
		})
	}
})
