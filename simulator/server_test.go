package simulator_test

import (
	"fmt"
	"net/url"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimsim/scimsim/simulator"
)

var _ = Describe("resources", func() {
	var e *env
	BeforeEach(func() { e = newEnv(simulator.ProfileEntra) })

	It("creates a user: 201, Location, weak ETag, meta, and no password", func() {
		u := newUser("new@contoso.com")
		u["password"] = "s3cret!"
		u["name"] = map[string]any{"givenName": "New"}
		r := e.do("POST", "/Users", u)
		Expect(r.Status).To(Equal(201), "body %s", r.Body)
		Expect(r.Header.Get("Content-Type")).To(Equal("application/scim+json"))
		Expect(r.Header.Get("ETag")).To(Equal(`W/"1"`))
		doc := r.JSON()
		id := doc["id"].(string)
		Expect(id).To(MatchRegexp(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`))
		Expect(r.Header.Get("Location")).To(Equal(e.url("/Users/" + id)))
		Expect(doc["meta"]).To(Equal(map[string]any{
			"created": "2026-11-25T10:00:00.000Z", "lastModified": "2026-11-25T10:00:00.000Z",
			"location": e.url("/Users/" + id), "resourceType": "User", "version": `W/"1"`,
		}))
		Expect(string(r.Body)).NotTo(ContainSubstring("s3cret"))
		Expect(doc).NotTo(HaveKey("password"))

		got := e.do("GET", "/Users/"+id, nil)
		Expect(got.Status).To(Equal(200))
		Expect(got.Body).To(Equal(r.Body), "GET returns the same bytes as the create")
		Expect(got.Header.Get("ETag")).To(Equal(`W/"1"`))
	})

	It("rejects a second userName that differs only in case with 409 uniqueness", func() {
		r := e.do("POST", "/Users", newUser("ALICE@CONTOSO.COM"))
		Expect(r.Status).To(Equal(409))
		Expect(r.ScimType()).To(Equal("uniqueness"))
	})

	It("frees a userName a rename gives up, and finds a user renamed in case only", func() {
		byName := func(name string) []string {
			return e.do("GET", "/Users?filter="+url.QueryEscape(`userName eq "`+name+`"`), nil).IDs()
		}
		renamed := e.do("PATCH", "/Users/u-alice", patchBody(map[string]any{"op": "replace", "path": "userName", "value": "alice.smith@contoso.com"}))
		Expect(renamed.Status).To(Equal(200), "body %s", renamed.Body)
		Expect(byName("alice@contoso.com")).To(BeEmpty())
		created := e.do("POST", "/Users", newUser("alice@contoso.com"))
		Expect(created.Status).To(Equal(201), "body %s", created.Body)
		Expect(byName("alice@contoso.com")).To(Equal([]string{created.JSON()["id"].(string)}))
		Expect(byName("ALICE.SMITH@contoso.com")).To(Equal([]string{"u-alice"}))

		cased := e.do("PATCH", "/Users/u-alice", patchBody(map[string]any{"op": "replace", "path": "userName", "value": "Alice.Smith@Contoso.com"}))
		Expect(cased.Status).To(Equal(200), "body %s", cased.Body)
		Expect(byName("alice.smith@contoso.com")).To(Equal([]string{"u-alice"}))
		Expect(e.do("DELETE", "/Users/u-alice", nil).Status).To(Equal(204))
		Expect(byName("alice.smith@contoso.com")).To(BeEmpty())
		Expect(e.do("POST", "/Users", newUser("alice.smith@contoso.com")).Status).To(Equal(201))
	})

	It("rejects a group displayName taken in another case, in the entra profile only", func() {
		group := map[string]any{"schemas": []string{groupURN}, "displayName": "sales"}
		r := e.do("POST", "/Groups", group)
		Expect(r.Status).To(Equal(409))
		Expect(r.ScimType()).To(Equal("uniqueness"))

		strict := newEnv(simulator.ProfileStrict)
		Expect(strict.do("POST", "/Groups", group).Status).To(Equal(201))
	})

	It("replaces a user with PUT and honours If-Match", func() {
		u := newUser("alice@contoso.com")
		u["title"] = "CTO"
		stale := e.do("PUT", "/Users/u-alice", u, "If-Match", `W/"9"`)
		Expect(stale.Status).To(Equal(412), "body %s", stale.Body)
		stale.ScimType()

		r := e.do("PUT", "/Users/u-alice", u, "If-Match", `W/"1"`)
		Expect(r.Status).To(Equal(200), "body %s", r.Body)
		Expect(r.Header.Get("ETag")).To(Equal(`W/"2"`))
		doc := r.JSON()
		Expect(doc["title"]).To(Equal("CTO"))
		Expect(doc).NotTo(HaveKey("emails"), "PUT replaces the whole resource")
		Expect(doc["meta"]).To(HaveKeyWithValue("created", "2026-11-25T10:00:00.000Z"))
	})

	It("answers 412 for a PATCH or DELETE with a stale If-Match", func() {
		p := e.do("PATCH", "/Users/u-bob", patchBody(map[string]any{"op": "replace", "path": "title", "value": "x"}), "If-Match", `W/"2"`)
		Expect(p.Status).To(Equal(412))
		d := e.do("DELETE", "/Users/u-bob", nil, "If-Match", `W/"2"`)
		Expect(d.Status).To(Equal(412))
		Expect(e.do("DELETE", "/Users/u-bob", nil, "If-Match", `*`).Status).To(Equal(204))
	})

	It("deletes a user, which then is 404 and leaves its groups", func() {
		r := e.do("DELETE", "/Users/u-alice", nil)
		Expect(r.Status).To(Equal(204))
		nf := e.do("GET", "/Users/u-alice", nil)
		Expect(nf.Status).To(Equal(404))
		nf.ScimType()
		g := e.do("GET", "/Groups/g-sales", nil).JSON()
		v, _ := pathValue(g, "members.value")
		Expect(v).To(Equal([]any{"u-bob"}))
		Expect(e.do("DELETE", "/Users/u-alice", nil).Status).To(Equal(404))
	})

	It("returns inactive users by id and in queries", func() {
		Expect(e.do("GET", "/Users/u-carol", nil).JSON()["active"]).To(Equal(false))
		Expect(e.do("GET", "/Users", nil).IDs()).To(ContainElement("u-carol"))
	})

	It("pages in a stable order with itemsPerPage equal to the number returned", func() {
		page := func(start, count int) response {
			return e.do("GET", fmt.Sprintf("/Users?startIndex=%d&count=%d", start, count), nil)
		}
		p1, p2, p3 := page(1, 3), page(4, 3), page(0, 2)
		Expect(p1.IDs()).To(Equal([]string{"u-alice", "u-bob", "u-carol"}))
		Expect(p2.IDs()).To(Equal([]string{"u-dave"}))
		Expect(p2.JSON()).To(And(HaveKeyWithValue("itemsPerPage", BeNumerically("==", 1)),
			HaveKeyWithValue("totalResults", BeNumerically("==", 4)), HaveKeyWithValue("startIndex", BeNumerically("==", 4))))
		Expect(p3.IDs()).To(Equal([]string{"u-alice", "u-bob"}), "startIndex below 1 is 1")
		Expect(page(1, 0).JSON()).To(And(HaveKeyWithValue("Resources", BeEmpty()), HaveKeyWithValue("totalResults", BeNumerically("==", 4))))
		bad := e.do("GET", "/Users?count=ten", nil)
		Expect(bad.Status).To(Equal(400))
		Expect(bad.ScimType()).To(Equal("invalidValue"))
	})

	It("sorts by sortBy and sortOrder, values missing last", func() {
		Expect(e.do("GET", "/Users?sortBy=name.givenName&sortOrder=descending", nil).IDs()).To(Equal([]string{"u-carol", "u-bob", "u-alice", "u-dave"}))
		Expect(e.do("GET", "/Users?sortBy=title", nil).IDs()).To(Equal([]string{"u-alice", "u-bob", "u-carol", "u-dave"}))
		Expect(e.do("GET", "/Users?sortBy=emails&count=2&startIndex=2", nil).IDs()).To(Equal([]string{"u-bob", "u-carol"}))
		bad := e.do("GET", "/Users?sortBy=userName&sortOrder=sideways", nil)
		Expect(bad.Status).To(Equal(400))
	})

	It("projects attributes and excludedAttributes", func() {
		doc := e.do("GET", "/Users/u-alice?attributes=userName,name.givenName", nil).JSON()
		Expect(doc).To(Equal(map[string]any{"id": "u-alice", "schemas": []any{userURN}, "userName": "alice@contoso.com",
			"name": map[string]any{"givenName": "Alice"}}))
		doc = e.do("GET", "/Users/u-dave?attributes=urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", nil).JSON()
		Expect(doc[enterpriseURN]).To(Equal(map[string]any{"department": "Sales"}))

		list := e.do("GET", "/Groups?excludedAttributes=members&filter="+url.QueryEscape(`displayName eq "Sales"`), nil)
		Expect(list.IDs()).To(Equal([]string{"g-sales"}))
		g := list.JSON()["Resources"].([]any)[0].(map[string]any)
		Expect(g).NotTo(HaveKey("members"))
		Expect(g).To(HaveKeyWithValue("displayName", "Sales"))
		Expect(g["meta"]).To(HaveKeyWithValue("location", e.url("/Groups/g-sales")))

		id := e.do("GET", "/Users/u-alice?excludedAttributes=id,emails", nil).JSON()
		Expect(id).To(HaveKeyWithValue("id", "u-alice"), "id is returned always (RFC 7643 §3.1)")
		Expect(id).NotTo(HaveKey("emails"))
	})

	It("searches with POST .search at the endpoint and at the root", func() {
		body := map[string]any{"schemas": []string{searchURN}, "filter": `externalId pr`, "attributes": []string{"externalId"},
			"sortBy": "externalId", "count": 10}
		users := e.do("POST", "/Users/.search", body)
		Expect(users.Status).To(Equal(200), "body %s", users.Body)
		Expect(users.IDs()).To(Equal([]string{"u-alice", "u-bob", "u-carol"}))
		root := e.do("POST", "/.search", body)
		Expect(root.IDs()).To(Equal([]string{"u-alice", "u-bob", "u-carol", "g-sales"}))
		byName := e.do("POST", "/.search", map[string]any{"schemas": []string{searchURN}, "filter": `userName eq "bob@contoso.com"`})
		Expect(byName.IDs()).To(Equal([]string{"u-bob"}), "a filter on a User attribute does not match groups")
		noSchema := e.do("POST", "/Users/.search", map[string]any{"filter": `userName pr`})
		Expect(noSchema.Status).To(Equal(400))
		Expect(e.do("GET", "/", nil).JSON()["totalResults"]).To(BeNumerically("==", 6))
	})

	It("serves an honest ServiceProviderConfig and elimity's discovery endpoints", func() {
		spc := e.do("GET", "/ServiceProviderConfig", nil)
		Expect(spc.Header.Get("Content-Type")).To(Equal("application/scim+json"))
		doc := spc.JSON()
		for feature, supported := range map[string]bool{"patch": true, "filter": true, "sort": true, "etag": true, "bulk": false, "changePassword": false} {
			Expect(doc[feature]).To(HaveKeyWithValue("supported", supported), feature)
		}
		Expect(doc["filter"]).To(HaveKeyWithValue("maxResults", BeNumerically(">", 0)))
		schemas := e.do("GET", "/Schemas", nil)
		Expect(schemas.Status).To(Equal(200))
		Expect(string(schemas.Body)).To(ContainSubstring(enterpriseURN))
		rt := e.do("GET", "/ResourceTypes", nil)
		Expect(rt.Status).To(Equal(200))
		Expect(string(rt.Body)).To(ContainSubstring(`"endpoint":"/Groups"`))
	})
})
