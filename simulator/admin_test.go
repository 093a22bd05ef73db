package simulator_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"net/url"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimsim/scimsim/simulator"
	"github.com/scimsim/scimsim/simulator/faults"
)

func ctx() context.Context { return context.Background() }

func faultSpec(name, typ string, attrs map[string]any) faults.Spec {
	return faults.Spec{Name: name, Type: typ, Attributes: attrs}
}

// countingReader counts the bytes read from r.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

var _ = Describe("admin API", func() {
	var e *env
	BeforeEach(func() { e = newEnv(simulator.ProfileEntra) })

	It("adds, lists, updates and deletes faults; names a generated fault", func() {
		added, err := e.ts.Admin.AddFault(ctx(), e.tenant, faults.Spec{Type: "throttle"})
		Expect(err).NotTo(HaveOccurred())
		Expect(added.Name).NotTo(BeEmpty())
		list, err := e.ts.Admin.Faults(ctx(), e.tenant)
		Expect(err).NotTo(HaveOccurred())
		Expect(list).To(HaveLen(1))

		patched := do("PATCH", e.ts.URL+"/admin/faults/"+added.Name+"?tenant="+e.tenant, "", map[string]any{"count": 2})
		Expect(patched.Status).To(Equal(200), "body %s", patched.Body)
		Expect(patched.JSON()).To(And(HaveKeyWithValue("count", BeNumerically("==", 2)), HaveKeyWithValue("type", "throttle")))

		Expect(e.ts.Admin.DeleteFault(ctx(), e.tenant, added.Name)).To(Succeed())
		var ae *simulator.AdminError
		Expect(errors.As(e.ts.Admin.DeleteFault(ctx(), e.tenant, added.Name), &ae)).To(BeTrue())
		Expect(ae.Status).To(Equal(404))
	})

	It("rejects an unknown fault type or attribute with a 400 naming it", func() {
		_, err := e.ts.Admin.AddFault(ctx(), e.tenant, faults.Spec{Type: "gremlins"})
		var ae *simulator.AdminError
		Expect(errors.As(err, &ae)).To(BeTrue())
		Expect(ae.Status).To(Equal(400))
		Expect(ae.Message).To(ContainSubstring("gremlins"))

		_, err = e.ts.Admin.AddFault(ctx(), e.tenant, faultSpec("", "throttle", map[string]any{"retryAfterr": 3}))
		Expect(errors.As(err, &ae)).To(BeTrue())
		Expect(ae.Message).To(ContainSubstring("retryAfterr"))
	})

	// The admin API reads JSON as the --faults and --seed-data loaders read their files: a key it
	// does not know is an error that names it, never a field silently left at its default.
	DescribeTable("rejects unknown keys, naming them",
		func(method, path, body, want string) {
			if path == "/faults/f1" {
				_, err := e.ts.Admin.AddFault(ctx(), e.tenant, faults.Spec{Name: "f1", Type: "throttle", Count: 1})
				Expect(err).NotTo(HaveOccurred())
			}
			r := do(method, e.ts.URL+"/admin"+path+"?tenant="+e.tenant, "", body)
			Expect(r.Status).To(Equal(400), "body %s", r.Body)
			Expect(r.JSON()["error"]).To(ContainSubstring(want))
			list, err := e.ts.Admin.Faults(ctx(), e.tenant)
			Expect(err).NotTo(HaveOccurred())
			for _, f := range list {
				Expect(f.Count).To(Equal(1), "the fault is unchanged")
			}
		},
		Entry("a typo in a fault", "POST", "/faults", `{"type": "server_error", "probabilty": 0.1}`,
			`body:1:26: unknown key "probabilty" (did you mean "probability"?)`),
		Entry("a typo in a fault's match", "POST", "/faults", `{"type": "throttle", "match": {"methd": "GET"}}`,
			`body:1:32: unknown key "methd" in match (did you mean "method"?)`),
		Entry("a typo in a PATCH of a fault", "PATCH", "/faults/f1", `{"cont": 5}`, `unknown key "cont"`),
		Entry("a typo in a seed", "POST", "/seed", `{"userz": []}`, `unknown key "userz" (known: users, groups)`),
		Entry("a typo in a tenant", "PUT", "/tenants/acme", `{"profil": "strict"}`, `body:1:2: unknown key "profil" (did you mean "profile"?)`),
	)

	It("limits the length of names", func() {
		long := strings.Repeat("n", 65)
		r := do("PUT", e.ts.URL+"/admin/tenants/"+long, "", `{}`)
		Expect(r.Status).To(Equal(400))
		Expect(r.JSON()["error"]).To(ContainSubstring("names are 1 to 64 letters"))
		Expect(do("GET", e.ts.URL+"/tenants/"+long+"/scim/v2/Users", "", nil).Status).To(Equal(404))
		_, err := e.ts.Admin.AddFault(ctx(), e.tenant, faults.Spec{Name: long, Type: "throttle"})
		var ae *simulator.AdminError
		Expect(errors.As(err, &ae)).To(BeTrue())
		Expect(ae.Status).To(Equal(400))
		Expect(ae.Message).To(ContainSubstring("is 65 bytes long, longer than 64"))
		_, err = e.ts.Admin.AddFault(ctx(), e.tenant, faults.Spec{Type: "throttle", Match: faults.Match{Path: "/" + strings.Repeat("x", 2000)}})
		Expect(errors.As(err, &ae)).To(BeTrue())
		Expect(ae.Message).To(ContainSubstring("match.path is 2001 bytes long, longer than 1024"))
	})

	It("answers 409 for a fault name already taken, by POST or by a rename", func() {
		_, err := e.ts.Admin.AddFault(ctx(), e.tenant, faults.Spec{Name: "slow", Type: "latency"})
		Expect(err).NotTo(HaveOccurred())
		_, err = e.ts.Admin.AddFault(ctx(), e.tenant, faults.Spec{Name: "other", Type: "throttle"})
		Expect(err).NotTo(HaveOccurred())

		_, err = e.ts.Admin.AddFault(ctx(), e.tenant, faults.Spec{Name: "slow", Type: "throttle"})
		var ae *simulator.AdminError
		Expect(errors.As(err, &ae)).To(BeTrue(), "error %v", err)
		Expect(ae.Status).To(Equal(409))
		Expect(ae.Message).To(ContainSubstring(`"slow"`))

		renamed := do("PATCH", e.ts.URL+"/admin/faults/other?tenant="+e.tenant, "", map[string]any{"name": "slow"})
		Expect(renamed.Status).To(Equal(409), "body %s", renamed.Body)
		list, err := e.ts.Admin.Faults(ctx(), e.tenant)
		Expect(err).NotTo(HaveOccurred())
		Expect(list).To(HaveLen(2), "a refused fault is not stored")
		Expect(list[0].Type).To(Equal("latency"), "the first fault keeps its type")
	})

	It("answers 404 for a fault name no fault has, on every route of one fault", func() {
		for _, method := range []string{"GET", "PATCH", "DELETE"} {
			var body any
			if method == "PATCH" {
				body = map[string]any{"count": 1}
			}
			r := do(method, e.ts.URL+"/admin/faults/nope?tenant="+e.tenant, "", body)
			Expect(r.Status).To(Equal(404), "%s body %s", method, r.Body)
			Expect(r.JSON()["error"]).To(ContainSubstring(`"nope"`), method)
		}
	})

	It("lets the first requests through with after, limits hits with count, and journals the fault's name", func() {
		spec := faults.Spec{Name: "slow-down", Type: "throttle", After: 1, Count: 1,
			Match: faults.Match{Method: "GET", Resource: "Users"}}
		_, err := e.ts.Admin.AddFault(ctx(), e.tenant, spec)
		Expect(err).NotTo(HaveOccurred())
		var got []int
		for range 3 {
			got = append(got, e.do("GET", "/Users", nil).Status)
		}
		Expect(got).To(Equal([]int{200, 429, 200}))
		Expect(e.do("GET", "/Groups", nil).Status).To(Equal(200), "the fault matches Users only")

		entries, err := e.ts.Admin.Requests(ctx(), e.tenant)
		Expect(err).NotTo(HaveOccurred())
		var hit []string
		for _, en := range entries {
			hit = append(hit, en.Fault)
		}
		Expect(hit).To(Equal([]string{"", "slow-down", "", ""}))
	})

	It("tells the faults which attributes a filter touches", func() {
		_, err := e.ts.Admin.AddFault(ctx(), e.tenant, faults.Spec{Name: "no-ext", Type: "unsupported_filter",
			Match: faults.Match{FilterAttribute: "externalId"}})
		Expect(err).NotTo(HaveOccurred())
		r := e.do("GET", "/Users?filter="+url.QueryEscape(`externalId eq "ext-bob"`), nil)
		Expect(r.Status).To(Equal(400))
		Expect(r.ScimType()).To(Equal("invalidFilter"))
		Expect(e.do("GET", "/Users?filter="+url.QueryEscape(`userName eq "bob@contoso.com"`), nil).IDs()).To(Equal([]string{"u-bob"}))
		search := e.do("POST", "/Users/.search", map[string]any{"schemas": []string{searchURN}, "filter": `externalId eq "ext-bob"`})
		Expect(search.Status).To(Equal(400), "the filter of a .search body counts too")
	})

	It("seeds, resets and reports health", func() {
		res, err := e.ts.Admin.Seed(ctx(), e.tenant, []map[string]any{{"userName": "seeded@contoso.com", "active": "False"}}, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(res).To(Equal(simulator.SeedResult{Users: 1}))
		q := e.do("GET", "/Users?filter="+url.QueryEscape(`userName eq "seeded@contoso.com"`), nil)
		Expect(q.JSON()["Resources"].([]any)[0]).To(HaveKeyWithValue("active", false))

		_, err = e.ts.Admin.Seed(ctx(), e.tenant, []map[string]any{{"userName": "ALICE@contoso.com"}}, nil)
		var ae *simulator.AdminError
		Expect(errors.As(err, &ae)).To(BeTrue())
		Expect(ae.Status).To(Equal(409))
		_, err = e.ts.Admin.Seed(ctx(), e.tenant, []map[string]any{{"userName": "x", "shoeSize": 1}}, nil)
		Expect(errors.As(err, &ae)).To(BeTrue())
		Expect(ae.Status).To(Equal(400))
		Expect(ae.Message).To(ContainSubstring("shoeSize"))

		Expect(e.ts.Admin.Reset(ctx(), e.tenant)).To(Succeed())
		Expect(e.do("GET", "/Users", nil).JSON()["totalResults"]).To(BeNumerically("==", 0))
		entries, err := e.ts.Admin.Requests(ctx(), e.tenant)
		Expect(err).NotTo(HaveOccurred())
		Expect(entries).To(HaveLen(1), "the journal restarts at the reset")
		Expect(e.ts.Admin.Health(ctx())).To(Succeed())
	})

	It("decodes a seed one resource at a time: it refuses a bad resource without reading the rest", func() {
		// A server that read the body whole before decoding it (and then held the whole decoded
		// body, several times its size) would read every byte before it found the bad user.
		var b strings.Builder
		b.WriteString(`{"users":[`)
		for i := range 2000 {
			fmt.Fprintf(&b, `{"userName":"stream%d@contoso.com"},`, i)
		}
		b.WriteString(`{"userName":"bad@contoso.com","shoeSize":44}`)
		for i := range 50000 {
			fmt.Fprintf(&b, `,{"userName":"after%d@contoso.com"}`, i)
		}
		b.WriteString(`]}`)
		users := e.ts.Tenant(e.tenant).Users()
		body := &countingReader{r: strings.NewReader(b.String())}
		req := httptest.NewRequest("POST", "/admin/seed?tenant="+e.tenant, body)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		e.ts.ServeHTTP(rec, req)
		Expect(rec.Code).To(Equal(400), rec.Body.String())
		Expect(rec.Body.String()).To(And(ContainSubstring("User 2001"), ContainSubstring("shoeSize")))
		Expect(body.n).To(BeNumerically("<", b.Len()/4), "read %d bytes of %d", body.n, b.Len())
		Expect(e.ts.Tenant(e.tenant).Users()).To(Equal(users), "a refused seed stores nothing")
	})

	It("reads seeded resources with the tenant's profile without changing the caller's maps", func() {
		email := map[string]any{"value": "s@contoso.com", "primary": "True"}
		user := map[string]any{"userName": "s@contoso.com", "active": "False", "emails": []any{email}}
		_, _, err := e.ts.Tenant(e.tenant).Seed([]map[string]any{user}, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(user["active"]).To(Equal("False"))
		Expect(email["primary"]).To(Equal("True"))
		got := e.do("GET", "/Users?filter="+url.QueryEscape(`userName eq "s@contoso.com"`), nil).JSON()["Resources"].([]any)[0]
		Expect(got).To(HaveKeyWithValue("active", false))
		v, _ := pathValue(got.(map[string]any), "emails.primary")
		Expect(v).To(Equal([]any{true}))

		strict := newEnv(simulator.ProfileStrict)
		_, _, err = strict.ts.Tenant(strict.tenant).Seed([]map[string]any{user}, nil)
		Expect(err).To(MatchError(ContainSubstring("User 1")), "strict reads \"False\" as the RFC does")
	})

	It("requires the admin token when one is set", func() {
		ts := simulator.NewTestServer(GinkgoTB(), simulator.WithAdminToken("adm"))
		Expect(ts.Admin.Health(ctx())).To(Succeed())
		r := do("GET", ts.URL+"/admin/faults", "", nil)
		Expect(r.Status).To(Equal(401))
		Expect(r.JSON()).To(Equal(map[string]any{"error": "missing or invalid admin token", "status": float64(401)}))
		Expect(do("GET", ts.URL+"/admin/faults", "wrong", nil).Status).To(Equal(401))
		Expect(do("GET", ts.URL+"/admin/faults", "adm", nil).Status).To(Equal(200))
	})
})
