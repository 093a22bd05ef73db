package simulator_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimsim/scimsim/simulator"
	"github.com/scimsim/scimsim/simulator/faults"
)

// faultAttrs are attributes that keep each fault type quick in a spec; types not listed take
// their defaults.
var faultAttrs = map[string]map[string]any{
	"latency":        {"delayMs": 1},
	"timeout":        {"holdMs": 20},
	"drop_attribute": {"attribute": "title"},
}

// faultRequests is a request each fault type acts on (method, path, body); others get a
// userName query that finds one user.
var faultRequests = map[string][3]string{
	"conflict":                  {"POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"new@contoso.com"}`},
	"drop_attribute":            {"POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"new@contoso.com","title":"CTO"}`},
	"empty_query_404":           {"GET", "/Users?filter=" + url.QueryEscape(`userName eq "nobody@contoso.com"`), ""},
	"bad_cursor":                {"GET", "/Users?cursor&count=1", ""},
	"hide_inactive":             {"GET", "/Users?filter=" + url.QueryEscape(`active eq false`), ""},
	"members_despite_exclusion": {"GET", "/Groups?excludedAttributes=members&filter=" + url.QueryEscape(`displayName eq "Sales"`), ""},
	"not_found":                 {"GET", "/Users/u-alice", ""},
	"patch_no_content":          {"PATCH", "/Users/u-alice", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"Alice S"}]}`},
}

func faultTypeEntries() []TableEntry {
	var out []TableEntry
	for _, t := range faults.Types() {
		out = append(out, Entry(t.Name, t.Name))
	}
	return out
}

// Every registered fault type, through the simulator's middleware chain: the request is
// journalled with the fault's name, nothing but server_error answers 5xx, and the tenant serves
// normally once the fault is gone.
var _ = DescribeTable("every fault type through the simulator", func(typ string) {
	e := newEnv(simulator.ProfileEntra)
	_, err := e.ts.Admin.AddFault(ctx(), e.tenant, faults.Spec{Name: "f", Type: typ, Count: 1, Attributes: faultAttrs[typ]})
	Expect(err).NotTo(HaveOccurred())

	hc := &http.Client{Timeout: 5 * time.Second}
	r, ok := faultRequests[typ]
	if !ok {
		r = [3]string{"GET", "/Users?filter=" + url.QueryEscape(`userName eq "alice@contoso.com"`), ""}
	}
	req, _ := http.NewRequest(r[0], e.url(r[1]), strings.NewReader(r[2]))
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := hc.Do(req)
	if err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if typ != "server_error" {
			Expect(resp.StatusCode).To(BeNumerically("<", 500), typ)
		}
	} else {
		Expect(typ).To(BeElementOf("connection_reset", "timeout"), "only the connection faults drop the connection: %v", err)
	}

	// A dropped connection reaches the client before the server has finished journalling it.
	var entries []simulator.JournalEntry
	Eventually(func() ([]simulator.JournalEntry, error) {
		var err error
		entries, err = e.ts.Admin.Requests(ctx(), e.tenant)
		return entries, err
	}).Should(HaveLen(1))
	Expect(entries[0].Fault).To(Equal("f"), "the journal names the fault that hit the request")
	if typ == "connection_reset" || typ == "timeout" {
		Expect(entries[0].Status).To(BeZero(), "a dropped connection answered nothing")
	}

	Expect(e.ts.Admin.ClearFaults(ctx(), e.tenant)).To(Succeed())
	Expect(e.do("GET", "/Users?filter="+url.QueryEscape(`userName eq "alice@contoso.com"`), nil).IDs()).To(Equal([]string{"u-alice"}))
}, faultTypeEntries())

// drop_attribute rewrites the body in the fault middleware; the profile normalisation after it
// must read that body, not the one the client sent (which the journal keeps).
var _ = Describe("drop_attribute through the simulator", func() {
	var e *env
	BeforeEach(func() {
		e = newEnv(simulator.ProfileEntra)
		_, err := e.ts.Admin.AddFault(ctx(), e.tenant, faults.Spec{Name: "forgetful", Type: "drop_attribute",
			Match: faults.Match{Resource: "Users"}, Attributes: map[string]any{"attribute": []any{"title", "name.givenName"}}})
		Expect(err).NotTo(HaveOccurred())
	})

	It("accepts a POST and stores the user without the attribute; the journal keeps what was sent", func() {
		user := newUser("forgotten@contoso.com")
		user["title"] = "CTO"
		user["name"] = map[string]any{"givenName": "For", "familyName": "Gotten"}
		created := e.do("POST", "/Users", user)
		Expect(created.Status).To(Equal(201), "body %s", created.Body)
		Expect(created.JSON()).NotTo(HaveKey("title"))

		got := e.do("GET", "/Users/"+created.JSON()["id"].(string), nil)
		Expect(got.Status).To(Equal(200))
		Expect(got.JSON()).NotTo(HaveKey("title"))
		Expect(got.JSON()["name"]).To(Equal(map[string]any{"familyName": "Gotten"}))
		Expect(got.JSON()["userName"]).To(Equal("forgotten@contoso.com"))

		entries, err := e.ts.Admin.Requests(ctx(), e.tenant)
		Expect(err).NotTo(HaveOccurred())
		Expect(entries).To(HaveLen(2))
		Expect(entries[0].Fault).To(Equal("forgetful"))
		Expect(entries[0].RequestBody).To(ContainSubstring(`"title":"CTO"`), "the journal records the body the client sent")
	})

	It("answers a PATCH as usual and leaves the attribute unchanged, in Entra's no-path form too", func() {
		for _, op := range []map[string]any{
			{"op": "replace", "path": "title", "value": "CEO"},
			{"op": "Replace", "value": map[string]any{"title": "CEO", "displayName": "Alice A."}},
		} {
			r := e.do("PATCH", "/Users/u-alice", patchBody(op))
			Expect(r.Status).To(BeElementOf(200, 204), "op %v: body %s", op, r.Body)
		}
		got := e.do("GET", "/Users/u-alice", nil).JSON()
		Expect(got).NotTo(HaveKeyWithValue("title", "CEO"))
		Expect(got).To(HaveKeyWithValue("displayName", "Alice A."), "the rest of the operation applies")
	})
})
