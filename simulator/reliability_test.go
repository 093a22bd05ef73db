package simulator_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimsim/scimsim/simulator"
)

var _ = Describe("concurrency", func() {
	const clients = 64
	var (
		ts     *simulator.TestServer
		tenant string
		base   string
		hc     *http.Client
	)
	BeforeEach(func() {
		ts = simulator.NewTestServer(GinkgoTB(), simulator.WithClock(fixedClock))
		tenant = newTenantName()
		ts.Tenant(tenant)
		base = ts.SCIMURL(tenant)
		hc = parallelClient()
		DeferCleanup(hc.CloseIdleConnections)
	})

	It("gives exactly one 201 per userName, whatever its case, and 409 uniqueness to the rest", func() {
		// Every client creates every name, each in a case of its own, in an order of its own.
		const names = 16
		variant := func(name string, client int) string {
			b := []byte(name)
			for j := range b {
				if client>>(j%6)&1 == 1 {
					b[j] = bytes.ToUpper(b[j : j+1])[0]
				}
			}
			return string(b)
		}
		var mu sync.Mutex
		created := map[string][]string{} // lower-case name → ids answered with 201
		conflicts := 0
		errs := inParallel(clients, func(c int) error {
			for k := range names {
				n := (k + c) % names
				name := variant(fmt.Sprintf("user%02d@contoso.com", n), c)
				status, body, _, err := send(hc, "POST", base+"/Users", newUser(name))
				if err != nil {
					return err
				}
				mu.Lock()
				switch status {
				case 201:
					var doc struct{ ID string }
					if err := json.Unmarshal(body, &doc); err != nil {
						mu.Unlock()
						return err
					}
					created[strings.ToLower(name)] = append(created[strings.ToLower(name)], doc.ID)
				case 409:
					if !bytes.Contains(body, []byte(`"scimType":"uniqueness"`)) {
						mu.Unlock()
						return fmt.Errorf("409 without scimType uniqueness: %s", body)
					}
					conflicts++
				default:
					mu.Unlock()
					return fmt.Errorf("POST %s: %d %s", name, status, body)
				}
				mu.Unlock()
			}
			return nil
		})
		Expect(errs).To(BeEmpty())
		Expect(created).To(HaveLen(names))
		for name, ids := range created {
			Expect(ids).To(HaveLen(1), "201s for %s", name)
		}
		Expect(conflicts).To(Equal(names*clients - names))

		list := do("GET", base+"/Users?count=1000", "", nil)
		Expect(list.JSON()["totalResults"]).To(BeNumerically("==", names))
		Expect(list.IDs()).To(HaveLen(names))
		for name, ids := range created {
			r := do("GET", base+"/Users?filter="+url.QueryEscape(`userName eq "`+strings.ToUpper(name)+`"`), "", nil)
			Expect(r.IDs()).To(Equal(ids), "the filter finds the one stored %s", name)
		}
	})

	It("loses no member when clients PATCH one group at the same time", func() {
		ids := make([]string, clients)
		for i := range ids {
			r := do("POST", base+"/Users", "", newUser(fmt.Sprintf("member%02d@contoso.com", i)))
			Expect(r.Status).To(Equal(201))
			ids[i] = r.JSON()["id"].(string)
		}
		g := do("POST", base+"/Groups", "", map[string]any{"schemas": []string{groupURN}, "displayName": "Everyone"})
		Expect(g.Status).To(Equal(201))
		gid := g.JSON()["id"].(string)

		members := func() []string {
			GinkgoHelper()
			r := do("GET", base+"/Groups/"+gid, "", nil)
			Expect(r.Status).To(Equal(200))
			got := []string{}
			if v, ok := pathValue(r.JSON(), "members.value"); ok {
				for _, m := range v.([]any) {
					got = append(got, m.(string))
				}
			}
			sort.Strings(got)
			return got
		}

		// Entra adds one member per request, with "Add" spelled its way.
		errs := inParallel(clients, func(i int) error {
			op := map[string]any{"op": "Add", "path": "members", "value": []any{map[string]any{"value": ids[i]}}}
			status, body, _, err := send(hc, "PATCH", base+"/Groups/"+gid, patchBody(op))
			if err == nil && status != 204 {
				err = fmt.Errorf("PATCH add %s: %d %s", ids[i], status, body)
			}
			return err
		})
		Expect(errs).To(BeEmpty())
		want := append([]string(nil), ids...)
		sort.Strings(want)
		Expect(members()).To(Equal(want))
		r := do("GET", base+"/Groups/"+gid, "", nil)
		Expect(r.Header.Get("ETag")).To(Equal(fmt.Sprintf(`W/"%d"`, 1+clients)), "one version per change")

		// Half of them leave at the same time; the other half stays.
		errs = inParallel(clients/2, func(i int) error {
			op := map[string]any{"op": "remove", "path": `members[value eq "` + ids[2*i] + `"]`}
			status, body, _, err := send(hc, "PATCH", base+"/Groups/"+gid, patchBody(op))
			if err == nil && status != 204 {
				err = fmt.Errorf("PATCH remove %s: %d %s", ids[2*i], status, body)
			}
			return err
		})
		Expect(errs).To(BeEmpty())
		want = nil
		for i := 1; i < clients; i += 2 {
			want = append(want, ids[i])
		}
		sort.Strings(want)
		Expect(members()).To(Equal(want))
	})

	DescribeTable("lets If-Match stop a lost update: of two writers with one ETag, one wins and one gets 412",
		func(method string, body func(i int) any) {
			r := do("POST", base+"/Users", "", newUser("contended@contoso.com"))
			Expect(r.Status).To(Equal(201))
			id := r.JSON()["id"].(string)
			for round := range 20 {
				cur := do("GET", base+"/Users/"+id, "", nil)
				tag := cur.Header.Get("ETag")
				Expect(tag).To(Equal(fmt.Sprintf(`W/"%d"`, round+1)))
				var mu sync.Mutex
				statuses := map[int]int{}
				winner := -1
				errs := inParallel(2, func(i int) error {
					status, resp, _, err := send(hc, method, base+"/Users/"+id, body(2*round+i), "If-Match", tag)
					if err != nil {
						return err
					}
					mu.Lock()
					defer mu.Unlock()
					statuses[status]++
					if status == 200 {
						winner = 2*round + i
					} else if !bytes.Contains(resp, []byte(`"status":"412"`)) {
						return fmt.Errorf("%s: %d %s", method, status, resp)
					}
					return nil
				})
				Expect(errs).To(BeEmpty())
				Expect(statuses).To(Equal(map[int]int{200: 1, 412: 1}), "round %d", round)
				after := do("GET", base+"/Users/"+id, "", nil).JSON()
				Expect(after["displayName"]).To(Equal(fmt.Sprintf("writer %d", winner)), "the stored value is the winner's")
			}
		},
		Entry("PATCH", "PATCH", func(i int) any {
			return patchBody(map[string]any{"op": "replace", "path": "displayName", "value": fmt.Sprintf("writer %d", i)})
		}),
		Entry("PUT", "PUT", func(i int) any {
			u := newUser("contended@contoso.com")
			u["displayName"] = fmt.Sprintf("writer %d", i)
			return u
		}),
	)

	// Membership integrity: whatever the interleaving of a DELETE of a user and a PATCH that adds
	// it to a group, no group lists a user that no longer exists. Each pair runs in parallel with
	// the others, released together, the PATCH in Entra's dialect and in a PUT of the group.
	DescribeTable("never lists a deleted user as a member",
		func(write func(gid, uid string) (int, []byte, error)) {
			const pairs = 100
			users := make([]map[string]any, pairs)
			groups := make([]map[string]any, pairs)
			for i := range pairs {
				users[i] = map[string]any{"id": fmt.Sprintf("u%03d", i), "userName": fmt.Sprintf("u%03d@contoso.com", i)}
				groups[i] = map[string]any{"id": fmt.Sprintf("g%03d", i), "displayName": fmt.Sprintf("G%03d", i)}
			}
			_, _, err := ts.Tenant(tenant).Seed(users, groups)
			Expect(err).NotTo(HaveOccurred())
			var mu sync.Mutex
			outcomes := map[string]int{}
			errs := inParallel(2*pairs, func(i int) error {
				uid, gid := fmt.Sprintf("u%03d", i/2), fmt.Sprintf("g%03d", i/2)
				var status int
				var body []byte
				var err error
				if i%2 == 0 {
					status, body, _, err = send(hc, "DELETE", base+"/Users/"+uid, nil)
					if err == nil && status != 204 {
						err = fmt.Errorf("DELETE %s: %d %s", uid, status, body)
					}
				} else {
					status, body, err = write(gid, uid)
					// The write comes first (2xx), or after the DELETE: the member no longer
					// exists (400 invalidValue).
					if err == nil && status >= 300 && !(status == 400 && bytes.Contains(body, []byte(`"scimType":"invalidValue"`))) {
						err = fmt.Errorf("write %s: %d %s", gid, status, body)
					}
				}
				mu.Lock()
				outcomes[fmt.Sprintf("%d/%d", i%2, status)]++
				mu.Unlock()
				return err
			})
			Expect(errs).To(BeEmpty())
			list := do("GET", base+"/Groups?count=1000", "", nil)
			Expect(list.Status).To(Equal(200))
			for _, g := range list.JSON()["Resources"].([]any) {
				Expect(g).NotTo(HaveKey("members"), "group %v lists a deleted user", g.(map[string]any)["id"])
			}
			Expect(do("GET", base+"/Users?count=0", "", nil).JSON()["totalResults"]).To(BeNumerically("==", 0))
			GinkgoWriter.Printf("outcomes (0: DELETE, 1: write / status): %v\n", outcomes)
		},
		Entry("PATCH add member", func(gid, uid string) (int, []byte, error) {
			op := map[string]any{"op": "Add", "path": "members", "value": []any{map[string]any{"$ref": nil, "value": uid}}}
			status, body, _, err := send(hc, "PATCH", base+"/Groups/"+gid, patchBody(op))
			return status, body, err
		}),
		Entry("PUT with the member", func(gid, uid string) (int, []byte, error) {
			g := map[string]any{"schemas": []string{groupURN}, "displayName": "G" + gid[1:], "members": []any{map[string]any{"value": uid}}}
			status, body, _, err := send(hc, "PUT", base+"/Groups/"+gid, g)
			return status, body, err
		}),
	)

	It("creates exactly one user per case-insensitive userName under parallel creates", func() {
		e := newEnv(simulator.ProfileEntra)
		const names, variants = 10, 6
		statuses := make([][]int, names)
		var wg sync.WaitGroup
		for n := range names {
			statuses[n] = make([]int, variants)
			for v := range variants {
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer GinkgoRecover()
					name := fmt.Sprintf("user%d@contoso.com", n)
					if v%2 == 1 {
						name = strings.ToUpper(name)
					}
					statuses[n][v] = e.do("POST", "/Users", newUser(name)).Status
				}()
			}
		}
		wg.Wait()
		for n, st := range statuses {
			Expect(st).To(ContainElement(201), "name %d", n)
			created := 0
			for _, s := range st {
				Expect(s).To(BeElementOf(201, 409))
				if s == 201 {
					created++
				}
			}
			Expect(created).To(Equal(1), "name %d: %v", n, st)
		}
		Expect(e.ts.Tenant(e.tenant).Users()).To(Equal(4 + names))
	})
})
