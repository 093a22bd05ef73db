package simulator_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimsim/scimsim/simulator"
)

// movableClock is a clock a spec moves forward by hand.
type movableClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *movableClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *movableClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// tenantNames lists the named tenants of a server, through the admin API.
func tenantNames(ts *simulator.TestServer) []string {
	GinkgoHelper()
	infos, err := ts.Admin.Tenants(ctx())
	Expect(err).NotTo(HaveOccurred())
	var out []string
	for _, i := range infos {
		if i.Name != "" {
			out = append(out, i.Name)
		}
	}
	return out
}

// Tenants are closed by default: a tenant created on first use requires the token of new
// tenants, and a request without it creates nothing.
var _ = Describe("tenants, closed by default", func() {
	It("creates a tenant on first use only for a request that carries the default tenant's token", func() {
		ts := simulator.NewTestServer(GinkgoTB(), simulator.WithToken("root"), simulator.WithAdminToken("adm"))
		for _, bearer := range []string{"", "wrong"} {
			r := do("POST", ts.SCIMURL("x")+"/Users", bearer, newUser("ada@contoso.com"))
			Expect(r.Status).To(Equal(401), "bearer %q: body %s", bearer, r.Body)
			Expect(r.ScimType()).To(BeEmpty())
			Expect(r.Header.Get("WWW-Authenticate")).To(HavePrefix("Bearer"))
			Expect(do("GET", ts.SCIMURL("x")+"/Users", bearer, nil).Status).To(Equal(401))
		}
		ts.Admin = simulator.NewAdminClient(ts.URL, "adm", nil)
		Expect(tenantNames(ts)).To(BeEmpty(), "no request without the token created a tenant")

		r := do("POST", ts.SCIMURL("x")+"/Users", "root", newUser("ada@contoso.com"))
		Expect(r.Status).To(Equal(201), "body %s", r.Body)
		Expect(tenantNames(ts)).To(Equal([]string{"x"}))
		Expect(do("GET", ts.SCIMURL("x")+"/Users", "", nil).Status).To(Equal(401), "the new tenant requires the token")
		infos, err := ts.Admin.Tenants(ctx())
		Expect(err).NotTo(HaveOccurred())
		Expect(infos).To(ContainElement(And(HaveField("Name", "x"), HaveField("HasToken", true))))
	})

	It("gives tenants created on first use WithTenantToken's token instead", func() {
		ts := simulator.NewTestServer(GinkgoTB(), simulator.WithToken("root"), simulator.WithTenantToken("tt"))
		Expect(do("GET", ts.SCIMURL("y")+"/Users", "root", nil).Status).To(Equal(401))
		Expect(tenantNames(ts)).To(BeEmpty())
		Expect(do("GET", ts.SCIMURL("y")+"/Users", "tt", nil).Status).To(Equal(200))
		Expect(do("GET", ts.SCIMURL("")+"/Users", "root", nil).Status).To(Equal(200), "the default tenant keeps its own")
		Expect(ts.Tenant("made-in-go").Name()).To(Equal("made-in-go"))
		Expect(do("GET", ts.SCIMURL("made-in-go")+"/Users", "tt", nil).Status).To(Equal(200), "Server.Tenant gives the same token")
	})

	It("leaves tenants open only when no token is configured, or when asked to", func() {
		open := simulator.NewTestServer(GinkgoTB())
		Expect(do("GET", open.SCIMURL("z")+"/Users", "", nil).Status).To(Equal(200), "no token anywhere: open")

		ts := simulator.NewTestServer(GinkgoTB(), simulator.WithToken("root"), simulator.WithTenantToken(""))
		Expect(do("GET", ts.SCIMURL("z")+"/Users", "", nil).Status).To(Equal(200), "an explicit empty tenant token: open")
		Expect(do("GET", ts.SCIMURL("")+"/Users", "", nil).Status).To(Equal(401))
	})

	It("never leaves a tenant configured through PUT /admin/tenants open by omission", func() {
		ts := simulator.NewTestServer(GinkgoTB(), simulator.WithToken("root"))
		Expect(ts.Admin.PutTenant(ctx(), "p", simulator.TenantConfig{Profile: "strict"})).To(Succeed())
		Expect(do("GET", ts.SCIMURL("p")+"/Users", "", nil).Status).To(Equal(401), "no token given: the token of new tenants")
		Expect(do("GET", ts.SCIMURL("p")+"/Users", "root", nil).Status).To(Equal(200))

		Expect(ts.Admin.PutTenant(ctx(), "p", simulator.TenantConfig{Open: true})).To(Succeed())
		Expect(do("GET", ts.SCIMURL("p")+"/Users", "", nil).Status).To(Equal(200), "open on purpose")

		r := do("PUT", ts.URL+"/admin/tenants/p", "", `{"open":true,"token":"x"}`)
		Expect(r.Status).To(Equal(400))
		Expect(string(r.Body)).To(ContainSubstring("open and token exclude each other"))
	})

	It("answers admin reads of a tenant that does not exist with 404, and creates nothing", func() {
		ts := simulator.NewTestServer(GinkgoTB(), simulator.WithToken("root"))
		for _, path := range []string{"/admin/requests?tenant=nonexistent", "/admin/faults?tenant=nonexistent", "/admin/faults/f1?tenant=nonexistent"} {
			r := do("GET", ts.URL+path, "", nil)
			Expect(r.Status).To(Equal(404), "GET %s: %s", path, r.Body)
			Expect(string(r.Body)).To(ContainSubstring(`no tenant \"nonexistent\"`))
		}
		for _, path := range []string{"/admin/reset?tenant=nonexistent", "/admin/faults?tenant=nonexistent"} {
			method := "POST"
			if path == "/admin/faults?tenant=nonexistent" {
				method = "DELETE"
			}
			Expect(do(method, ts.URL+path, "", nil).Status).To(Equal(204), "%s %s: nothing to clear", method, path)
		}
		Expect(tenantNames(ts)).To(BeEmpty())
	})

	It("deletes a tenant with DELETE /admin/tenants/{name}, its data with it", func() {
		ts := simulator.NewTestServer(GinkgoTB(), simulator.WithToken("root"), simulator.WithMaxTenants(1))
		Expect(do("POST", ts.SCIMURL("d")+"/Users", "root", newUser("ada@contoso.com")).Status).To(Equal(201))
		r := do("GET", ts.SCIMURL("e")+"/Users", "root", nil)
		Expect(r.Status).To(Equal(404), "the cap: %s", r.Body)

		Expect(do("DELETE", ts.URL+"/admin/tenants/d", "", nil).Status).To(Equal(204))
		Expect(tenantNames(ts)).To(BeEmpty())
		Expect(do("DELETE", ts.URL+"/admin/tenants/d", "", nil).Status).To(Equal(404))
		Expect(do("GET", ts.URL+"/admin/requests?tenant=d", "", nil).Status).To(Equal(404))
		r = do("DELETE", ts.URL+"/admin/tenants/default", "", nil)
		Expect(r.Status).To(Equal(400))
		Expect(string(r.Body)).To(ContainSubstring("cannot be deleted"))

		Expect(do("GET", ts.SCIMURL("e")+"/Users", "root", nil).Status).To(Equal(200), "the freed place")
		Expect(do("DELETE", ts.URL+"/admin/tenants/e", "", nil).Status).To(Equal(204))
		list := do("GET", ts.SCIMURL("d")+"/Users", "root", nil)
		Expect(list.JSON()["totalResults"]).To(BeNumerically("==", 0), "a tenant of the same name starts empty")
	})

	It("keeps refusing nothing after many anonymous requests for new tenants", func() {
		ts := simulator.NewTestServer(GinkgoTB(), simulator.WithToken("root"), simulator.WithMaxTenants(3))
		for i := range 200 {
			Expect(do("GET", ts.SCIMURL(fmt.Sprintf("anon-%d", i))+"/Users", "", nil).Status).To(Equal(401))
		}
		Expect(tenantNames(ts)).To(BeEmpty())
		for i := range 3 {
			Expect(do("GET", ts.SCIMURL(fmt.Sprintf("real-%d", i))+"/Users", "root", nil).Status).To(Equal(200))
		}
	})

	It("deletes tenants idle for longer than WithTenantIdleTTL", func() {
		clock := &movableClock{now: fixedNow}
		ts := simulator.NewTestServer(GinkgoTB(), simulator.WithToken("root"), simulator.WithClock(clock.Now),
			simulator.WithTenantIdleTTL(time.Hour), simulator.WithMaxTenants(2))
		Expect(do("GET", ts.SCIMURL("idle")+"/Users", "root", nil).Status).To(Equal(200))
		Expect(do("GET", ts.SCIMURL("busy")+"/Users", "root", nil).Status).To(Equal(200))
		clock.Advance(40 * time.Minute)
		Expect(do("GET", ts.SCIMURL("busy")+"/Users", "root", nil).Status).To(Equal(200))
		clock.Advance(40 * time.Minute)
		Expect(do("GET", ts.SCIMURL("")+"/Users", "root", nil).Status).To(Equal(200), "any request sweeps")
		Expect(tenantNames(ts)).To(Equal([]string{"busy"}), "idle for 80 minutes: deleted; busy for 40: kept")
		Expect(do("GET", ts.SCIMURL("third")+"/Users", "root", nil).Status).To(Equal(200), "the freed place counts")

		_, err := simulator.New(simulator.WithTenantIdleTTL(-time.Second))
		Expect(err).To(MatchError("tenant idle TTL -1s: must not be negative"))
	})
})

// A tenant given a user name and password takes HTTP Basic credentials (RFC 7617), as the
// applications that authorize "with a user name and password" do, and nothing else.
var _ = Describe("a tenant with Basic credentials", func() {
	It("answers 401 with a Basic challenge to anything but its user name and password", func() {
		ts := simulator.NewTestServer(GinkgoTB(), simulator.WithToken("root"))
		Expect(ts.Admin.PutTenant(ctx(), "app", simulator.TenantConfig{Username: "scim-admin", Password: "s3cret-password"})).To(Succeed())
		users := ts.SCIMURL("app") + "/Users"
		basic := func(user, password string) string {
			return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
		}
		for _, auth := range []string{"", "Bearer root", basic("scim-admin", "wrong"), basic("scim-Admin", "s3cret-password"),
			"Bearer " + simulator.BasicCredential("scim-admin", "s3cret-password")} {
			r := do("GET", users, "", nil, "Authorization", auth)
			Expect(r.Status).To(Equal(401), "Authorization %q: body %s", auth, r.Body)
			Expect(r.Header.Get("WWW-Authenticate")).To(HavePrefix("Basic realm="))
			Expect(string(r.Body)).To(ContainSubstring("user name or password"))
		}
		Expect(do("GET", users, "", nil, "Authorization", basic("scim-admin", "s3cret-password")).Status).To(Equal(200))
		Expect(do("GET", users, "", nil, "Authorization", "basic "+basic("scim-admin", "s3cret-password")[len("Basic "):]).Status).
			To(Equal(200), "the scheme is case-insensitive (RFC 9110 §11.1)")
		spc := do("GET", ts.SCIMURL("app")+"/ServiceProviderConfig", "", nil, "Authorization", basic("scim-admin", "s3cret-password"))
		Expect(spc.Status).To(Equal(200))
		Expect(string(spc.Body)).To(ContainSubstring(`"type":"httpbasic"`), "RFC 7643 §5: the scheme the tenant takes")
		Expect(string(spc.Body)).NotTo(ContainSubstring("oauthbearertoken"))
	})

	DescribeTable("refuses a configuration that mixes Basic credentials with a token or none",
		func(cfg simulator.TenantConfig) {
			ts := simulator.NewTestServer(GinkgoTB(), simulator.WithToken("root"))
			err := ts.Admin.PutTenant(ctx(), "app", cfg)
			Expect(err).To(MatchError(ContainSubstring("username and password set Basic credentials")))
		},
		Entry("with a token", simulator.TenantConfig{Username: "u", Password: "p", Token: "t"}),
		Entry("open", simulator.TenantConfig{Username: "u", Password: "p", Open: true}),
		Entry("a password without a user name", simulator.TenantConfig{Password: "p"}),
	)
})

var _ = Describe("tenants", func() {
	It("keeps stores, tokens, profiles, faults and journals apart", func() {
		ts := simulator.NewTestServer(GinkgoTB(), simulator.WithToken("root"))
		a, b := newTenantName(), newTenantName()
		Expect(ts.Admin.PutTenant(ctx(), a, simulator.TenantConfig{Profile: "strict", Token: "ta"})).To(Succeed())
		created := do("POST", ts.SCIMURL(a)+"/Users", "ta", newUser("x@contoso.com"))
		Expect(created.Status).To(Equal(201), "body %s", created.Body)
		Expect(created.Header.Get("Location")).To(HavePrefix(ts.URL + "/tenants/" + a + "/scim/v2/Users/"))

		Expect(do("GET", ts.SCIMURL(a)+"/Users", "root", nil).Status).To(Equal(401), "tenant a has its own token")
		Expect(do("GET", ts.SCIMURL(b)+"/Users", "", nil).Status).To(Equal(401), "b does not exist, and an anonymous request does not create it")
		Expect(ts.Admin.Tenants(ctx())).NotTo(ContainElement(HaveField("Name", b)))
		Expect(do("GET", ts.SCIMURL(b)+"/Users", "root", nil).JSON()["totalResults"]).To(BeNumerically("==", 0), "b is created on first use, empty, with the default tenant's token")
		Expect(do("GET", ts.SCIMURL("")+"/Users", "root", nil).JSON()["totalResults"]).To(BeNumerically("==", 0))

		strict := do("PATCH", created.Header.Get("Location"), "ta", patchBody(map[string]any{"op": "Replace", "path": "active", "value": "False"}))
		Expect(strict.Status).To(Equal(400), "tenant a reads strictly")
		Expect(ts.Tenant(b).Profile()).To(Equal(simulator.ProfileEntra))

		_, err := ts.Admin.AddFault(ctx(), a, faultSpec("down", "server_error", nil))
		Expect(err).NotTo(HaveOccurred())
		Expect(do("GET", ts.SCIMURL(a)+"/Users", "ta", nil).Status).To(Equal(500))
		Expect(do("GET", ts.SCIMURL(b)+"/Users", "root", nil).Status).To(Equal(200))

		ja, err := ts.Admin.Requests(ctx(), a)
		Expect(err).NotTo(HaveOccurred())
		jb, err := ts.Admin.Requests(ctx(), b)
		Expect(err).NotTo(HaveOccurred())
		Expect(ja).To(HaveLen(4))
		Expect(jb).To(HaveLen(2))

		infos, err := ts.Admin.Tenants(ctx())
		Expect(err).NotTo(HaveOccurred())
		Expect(infos).To(ContainElement(simulator.TenantInfo{Name: a, Profile: "strict", HasToken: true, Users: 1, Faults: 1, SCIMPath: "/tenants/" + a + "/scim/v2", Kind: simulator.KindSCIM}))

		Expect(do("GET", ts.URL+"/tenants/bad%20name/scim/v2/Users", "", nil).Status).To(Equal(404))
	})

	It("creates no tenant beyond WithMaxTenants over HTTP, naming the cap; existing tenants keep serving", func() {
		ts := simulator.NewTestServer(GinkgoTB(), simulator.WithMaxTenants(2))
		Expect(do("GET", ts.SCIMURL("one")+"/Users", "", nil).Status).To(Equal(200))
		Expect(ts.Admin.PutTenant(ctx(), "two", simulator.TenantConfig{Profile: "strict"})).To(Succeed())

		r := do("GET", ts.SCIMURL("three")+"/Users", "", nil)
		Expect(r.Status).To(Equal(404))
		Expect(r.ScimType()).To(BeEmpty())
		Expect(r.JSON()["detail"]).To(And(ContainSubstring(`"three"`), ContainSubstring("2 named tenants, its maximum")))

		var ae *simulator.AdminError
		Expect(errors.As(ts.Admin.PutTenant(ctx(), "three", simulator.TenantConfig{}), &ae)).To(BeTrue())
		Expect(ae.Status).To(Equal(400))
		Expect(ae.Message).To(ContainSubstring("its maximum"))
		_, err := ts.Admin.AddFault(ctx(), "three", faultSpec("", "throttle", nil))
		Expect(errors.As(err, &ae)).To(BeTrue(), "?tenant= does not create one either")
		Expect(ae.Status).To(Equal(400))
		_, err = ts.Admin.Faults(ctx(), "three")
		Expect(errors.As(err, &ae)).To(BeTrue(), "a read of a tenant that does not exist")
		Expect(ae.Status).To(Equal(404))

		infos, err := ts.Admin.Tenants(ctx())
		Expect(err).NotTo(HaveOccurred())
		Expect(infos).To(HaveLen(3), "the default tenant and the two named ones")
		Expect(do("GET", ts.SCIMURL("one")+"/Users", "", nil).Status).To(Equal(200))
		Expect(do("GET", ts.SCIMURL("")+"/Users", "", nil).Status).To(Equal(200))
		Expect(ts.Admin.PutTenant(ctx(), "two", simulator.TenantConfig{Profile: "entra"})).To(Succeed(), "an existing tenant is configured as before")
		Expect(ts.Tenant("three").Name()).To(Equal("three"), "a Go caller is not capped")
	})

	It("rejects a negative WithMaxTenants", func() {
		_, err := simulator.New(simulator.WithMaxTenants(-1))
		Expect(err).To(MatchError("max tenants -1: must not be negative"))
	})
})
