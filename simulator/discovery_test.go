package simulator_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"

	"github.com/elimity-com/scim"
	"github.com/elimity-com/scim/optional"
	"github.com/elimity-com/scim/schema"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimsim/scimsim/simulator"
)

type discoveryCase struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	Status int    `json:"status"`
	Allow  string `json:"allow"`
	Reason string `json:"reason"`
}

var _ = DescribeTable("every route is the simulator's: status and Allow (testdata/discovery_cases.json)", func(c discoveryCase) {
	e := newEnv(simulator.ProfileStrict)
	var body any
	if c.Method == "POST" || c.Method == "PUT" || c.Method == "PATCH" {
		body = map[string]any{}
	}
	r := e.do(c.Method, c.Path, body)
	Expect(r.Status).To(Equal(c.Status), "body %s (%s)", r.Body, c.Reason)
	Expect(r.Header.Get("Allow")).To(Equal(c.Allow))
	if c.Status >= 400 {
		Expect(r.ScimType()).To(BeEmpty(), "an RFC 7644 §3.12 error without scimType")
	}
	if c.Method == "GET" {
		h := e.do("HEAD", c.Path, nil)
		Expect(h.Status).To(Equal(r.Status), "HEAD answers as GET (RFC 9110 §9.3.2)")
		Expect(h.Body).To(BeEmpty())
		Expect(h.Header.Get("Content-Type")).To(Equal(r.Header.Get("Content-Type")))
		Expect(h.Header.Get("ETag")).To(Equal(r.Header.Get("ETag")))
	}
}, caseEntries("testdata/discovery_cases.json", func(c discoveryCase) string { return c.Method + " " + c.Path }))

var _ = Describe("HEAD", func() {
	It("answers every GET route as GET without a body", func() {
		e := newEnv(simulator.ProfileEntra)
		for _, path := range []string{"", "/", "/Users", "/Groups", "/Users/u-alice", "/Groups/g-sales", "/Users?filter=userName%20eq%20%22bob%40contoso.com%22",
			"/ServiceProviderConfig", "/ResourceTypes", "/Schemas", "/Users/nope"} {
			g, h := e.do("GET", path, nil), e.do("HEAD", path, nil)
			Expect(h.Status).To(Equal(g.Status), path)
			Expect(h.Body).To(BeEmpty(), path)
			for _, name := range []string{"Content-Type", "ETag", "Allow"} {
				Expect(h.Header.Get(name)).To(Equal(g.Header.Get(name)), "%s %s", path, name)
			}
		}
	})

	It("is journaled as HEAD", func() {
		e := newEnv(simulator.ProfileEntra)
		Expect(e.do("HEAD", "/Users", nil).Status).To(Equal(200))
		entries, err := e.ts.Admin.Requests(ctx(), e.tenant)
		Expect(err).NotTo(HaveOccurred())
		Expect(entries).NotTo(BeEmpty())
		Expect(entries[len(entries)-1].Method).To(Equal("HEAD"))
	})
})

// oracle is elimity's server with the resource types the simulator serves: the library the
// simulator's discovery documents were once served by, kept as the reference they are compared
// with.
func oracle() http.Handler {
	srv, err := scim.NewServer(&scim.ServerArgs{
		ServiceProviderConfig: &scim.ServiceProviderConfig{},
		ResourceTypes: []scim.ResourceType{
			{ID: optional.NewString("User"), Name: "User", Description: optional.NewString("User Account"), Endpoint: "/Users",
				Schema: schema.CoreUserSchema(), SchemaExtensions: []scim.SchemaExtension{{Schema: schema.ExtensionEnterpriseUser()}}},
			{ID: optional.NewString("Group"), Name: "Group", Description: optional.NewString("Group"), Endpoint: "/Groups",
				Schema: schema.CoreGroupSchema()},
		},
	})
	Expect(err).NotTo(HaveOccurred())
	return srv
}

func oracleGet(path string) map[string]any {
	GinkgoHelper()
	rec := httptest.NewRecorder()
	oracle().ServeHTTP(rec, httptest.NewRequest("GET", "/v2"+path, nil))
	Expect(rec.Code).To(Equal(200), "%s: %s", path, rec.Body)
	var m map[string]any
	Expect(json.Unmarshal(rec.Body.Bytes(), &m)).To(Succeed())
	return m
}

// withoutMeta drops the meta the simulator adds (RFC 7643 §8.6, §8.7.1) and elimity leaves out.
func withoutMeta(v any) any {
	m := v.(map[string]any)
	Expect(m).To(HaveKey("meta"))
	Expect(m["meta"]).To(HaveKey("location"))
	out := map[string]any{}
	for k, e := range m {
		if k != "meta" {
			out[k] = e
		}
	}
	return out
}

var _ = Describe("discovery documents, compared with elimity's server", func() {
	for _, path := range []string{"/ResourceTypes", "/Schemas"} {
		It("serves "+path+" as elimity did, with itemsPerPage the number returned", func() {
			e := newEnv(simulator.ProfileStrict)
			got := e.do("GET", path, nil).JSON()
			want := oracleGet(path)
			rs := got["Resources"].([]any)
			Expect(got["itemsPerPage"]).To(BeNumerically("==", len(rs)), "RFC 7644 §3.4.2: the number of resources returned")
			Expect(got["totalResults"]).To(BeNumerically("==", len(rs)))
			Expect(want["itemsPerPage"]).To(BeNumerically("==", 100), "the oracle's itemsPerPage is its page size, the flaw fixed here")
			wantRs := want["Resources"].([]any)
			Expect(rs).To(HaveLen(len(wantRs)))
			for i := range rs {
				Expect(withoutMeta(rs[i])).To(Equal(wantRs[i]), "%s resource %d", path, i)
				id := rs[i].(map[string]any)["id"].(string)
				one := e.do("GET", path+"/"+id, nil)
				Expect(one.Status).To(Equal(200))
				Expect(one.JSON()).To(Equal(rs[i]), "%s/%s is the list's resource", path, id)
				Expect(withoutMeta(one.JSON())).To(Equal(oracleGet(path + "/" + id)))
			}
		})
	}
})
