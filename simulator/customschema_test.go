package simulator_test

import (
	"net/url"
	"os"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimsim/scimsim/simulator"
)

const acmeURN = "urn:ietf:params:scim:schemas:extension:acme:2.0:User"

// acmeEnv is newEnv with the custom schemas of testdata/schemas/acme.json on every tenant.
func acmeEnv(p simulator.Profile) *env {
	GinkgoHelper()
	raw, err := os.ReadFile("../testdata/schemas/acme.json")
	Expect(err).NotTo(HaveOccurred())
	schemas, err := simulator.LoadSchemas("acme.json", raw)
	Expect(err).NotTo(HaveOccurred())
	return newEnv(p, simulator.WithSchemas(simulator.CustomSchemas{Schemas: schemas}))
}

func acmeUser(userName string, acme map[string]any) map[string]any {
	u := newUser(userName)
	u["schemas"] = []string{userURN, acmeURN}
	u[acmeURN] = acme
	return u
}

var _ = Describe("custom schemas (testdata/schemas/acme.json)", func() {
	It("serves them on /Schemas and /ResourceTypes", func() {
		e := acmeEnv(simulator.ProfileStrict)
		r := e.do("GET", "/Schemas", nil)
		Expect(r.Status).To(Equal(200))
		Expect(string(r.Body)).To(ContainSubstring(acmeURN))
		Expect(string(r.Body)).To(ContainSubstring("badgeNumber"))
		rt := e.do("GET", "/ResourceTypes", nil)
		Expect(string(rt.Body)).To(ContainSubstring(acmeURN))
		Expect(string(rt.Body)).To(ContainSubstring("urn:ietf:params:scim:schemas:extension:acme:2.0:Group"))
	})

	It("stores, filters, sorts and patches custom attributes like built-in ones", func() {
		e := acmeEnv(simulator.ProfileStrict)
		for i, cc := range []string{"CC-2", "cc-1", "CC-3"} {
			r := e.do("POST", "/Users", acmeUser("acme"+cc+"@contoso.com", map[string]any{
				"costCenter": cc, "clearanceLevel": 3 - i, "hourlyRate": 12.5, "remote": true,
				"startDate": "2026-01-05T09:00:00Z", "skills": []string{"go", "scim"},
				"office": map[string]any{"building": "B" + cc, "floor": i}}))
			Expect(r.Status).To(Equal(201), "body %s", r.Body)
			Expect(r.JSON()[acmeURN]).To(HaveKeyWithValue("costCenter", cc))
			Expect(r.JSON()["schemas"]).To(ContainElement(acmeURN))
		}
		f := e.do("GET", "/Users?filter="+url.QueryEscape(acmeURN+`:costCenter eq "CC-1"`), nil)
		Expect(f.Status).To(Equal(200), "body %s", f.Body)
		Expect(f.JSON()["totalResults"]).To(BeNumerically("==", 1), "costCenter is caseExact false")
		g := e.do("GET", "/Users?filter="+url.QueryEscape(acmeURN+`:clearanceLevel gt 1`), nil)
		Expect(g.JSON()["totalResults"]).To(BeNumerically("==", 2), "body %s", g.Body)
		sub := e.do("GET", "/Users?filter="+url.QueryEscape(acmeURN+`:office.floor eq 2`), nil)
		Expect(sub.JSON()["totalResults"]).To(BeNumerically("==", 1), "body %s", sub.Body)
		s := e.do("GET", "/Users?filter="+url.QueryEscape(acmeURN+":costCenter pr")+"&sortBy="+url.QueryEscape(acmeURN+":clearanceLevel"), nil)
		Expect(s.Status).To(Equal(200), "body %s", s.Body)
		var levels []any
		for _, res := range s.JSON()["Resources"].([]any) {
			levels = append(levels, res.(map[string]any)[acmeURN].(map[string]any)["clearanceLevel"])
		}
		Expect(levels).To(Equal([]any{1.0, 2.0, 3.0}))

		id := f.JSON()["Resources"].([]any)[0].(map[string]any)["id"].(string)
		p := e.do("PATCH", "/Users/"+id, patchBody(map[string]any{"op": "replace", "path": acmeURN + ":costCenter", "value": "CC-9"},
			map[string]any{"op": "replace", "path": acmeURN + ":office.floor", "value": 7}))
		Expect(p.Status).To(Equal(200), "body %s", p.Body)
		Expect(p.JSON()[acmeURN]).To(HaveKeyWithValue("costCenter", "CC-9"))
		Expect(p.JSON()[acmeURN]).To(HaveKeyWithValue("office", HaveKeyWithValue("floor", 7.0)))
		bad := e.do("PATCH", "/Users/"+id, patchBody(map[string]any{"op": "replace", "path": acmeURN + ":clearanceLevel", "value": "high"}))
		Expect(bad.Status).To(Equal(400), "body %s", bad.Body)
		Expect(bad.ScimType()).To(Equal("invalidValue"))
	})

	It("enforces uniqueness server, caseExact", func() {
		e := acmeEnv(simulator.ProfileEntra)
		Expect(e.do("POST", "/Users", acmeUser("b1@contoso.com", map[string]any{"badgeNumber": "A1"})).Status).To(Equal(201))
		dup := e.do("POST", "/Users", acmeUser("b2@contoso.com", map[string]any{"badgeNumber": "A1"}))
		Expect(dup.Status).To(Equal(409), "body %s", dup.Body)
		Expect(dup.ScimType()).To(Equal("uniqueness"))
		Expect(dup.JSON()["detail"]).To(ContainSubstring("badgeNumber"))
		Expect(e.do("POST", "/Users", acmeUser("b3@contoso.com", map[string]any{"badgeNumber": "a1"})).Status).To(Equal(201), "caseExact: a1 is another value")
	})

	It("honours required, mutability and returned", func() {
		e := acmeEnv(simulator.ProfileStrict)
		grpURN := "urn:ietf:params:scim:schemas:extension:acme:2.0:Group"
		grp := map[string]any{"schemas": []string{groupURN}, "displayName": "G"}
		Expect(e.do("POST", "/Groups", grp).Status).To(Equal(201), "an extension left out is not required")
		grp = map[string]any{"schemas": []string{groupURN, grpURN}, "displayName": "G2", grpURN: map[string]any{"mailingList": nil}}
		missing := e.do("POST", "/Groups", grp)
		Expect(missing.Status).To(Equal(400), "mailingList is required: body %s", missing.Body)
		Expect(missing.ScimType()).To(Equal("invalidValue"))
		grp[grpURN] = map[string]any{"mailingList": true}
		Expect(e.do("POST", "/Groups", grp).Status).To(Equal(201))
		r := e.do("POST", "/Users", acmeUser("m@contoso.com", map[string]any{"hrId": "H1", "pin": "1234"}))
		Expect(r.Status).To(Equal(201), "body %s", r.Body)
		Expect(string(r.Body)).NotTo(ContainSubstring("1234"), "returned never")
		id := r.JSON()["id"].(string)
		Expect(string(e.do("GET", "/Users/"+id, nil).Body)).NotTo(ContainSubstring("pin"))
		im := e.do("PATCH", "/Users/"+id, patchBody(map[string]any{"op": "replace", "path": acmeURN + ":hrId", "value": "H2"}))
		Expect(im.Status).To(Equal(400), "immutable: body %s", im.Body)
		Expect(im.ScimType()).To(Equal("mutability"))
	})

	It("is set per tenant through the admin API", func() {
		e := newEnv(simulator.ProfileStrict)
		raw, err := os.ReadFile("../testdata/schemas/acme.json")
		Expect(err).NotTo(HaveOccurred())
		Expect(e.do("POST", "/Users", acmeUser("x@contoso.com", map[string]any{"costCenter": "1"})).Status).To(Equal(400))
		put := do("PUT", e.ts.URL+"/admin/tenants/"+e.tenant+"/schemas", "", string(raw))
		Expect(put.Status).To(Equal(200), "body %s", put.Body)
		Expect(e.do("POST", "/Users", acmeUser("x@contoso.com", map[string]any{"costCenter": "1"})).Status).To(Equal(201))
		get := do("GET", e.ts.URL+"/admin/tenants/"+e.tenant+"/schemas", "", nil)
		Expect(string(get.Body)).To(ContainSubstring("costCenter"))
		bad := do("PUT", e.ts.URL+"/admin/tenants/"+e.tenant+"/schemas", "", `{"id": "urn:x:acme:User", "attributes": [{"name": "n", "type": "strin"}]}`)
		Expect(bad.Status).To(Equal(400))
		Expect(bad.JSON()["error"]).To(ContainSubstring(`attribute "n"`))
		clear := do("PUT", e.ts.URL+"/admin/tenants/"+e.tenant+"/schemas", "", `[]`)
		Expect(clear.Status).To(Equal(200))
		Expect(e.do("POST", "/Users", acmeUser("y@contoso.com", map[string]any{"costCenter": "1"})).Status).To(Equal(400))
	})
})
