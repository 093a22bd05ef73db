package simulator_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"

	"github.com/scimsim/scimsim/simulator"
)

var _ = Describe("state file", func() {
	var path string
	BeforeEach(func() { path = filepath.Join(GinkgoT().TempDir(), "state.json") })

	newServer := func() *simulator.TestServer {
		return simulator.NewTestServer(GinkgoTB(), simulator.WithClock(fixedClock), simulator.WithSeed(7))
	}

	// everything returns every resource of a tenant, in list order, as its GET answer: ETag and
	// body.
	everything := func(ts *simulator.TestServer, tenant, token string) map[string]string {
		GinkgoHelper()
		out := map[string]string{"order": ""}
		for _, endpoint := range []string{"Users", "Groups"} {
			list := do("GET", ts.SCIMURL(tenant)+"/"+endpoint+"?count=1000", token, nil)
			Expect(list.Status).To(Equal(200), "body %s", list.Body)
			out["order"] += strings.Join(list.IDs(), ",") + ";"
			for _, id := range list.IDs() {
				r := do("GET", ts.SCIMURL(tenant)+"/"+endpoint+"/"+id, token, nil)
				Expect(r.Status).To(Equal(200))
				// meta.location names the server's host, which differs between the two servers.
				out[endpoint+"/"+id] = r.Header.Get("ETag") + " " + strings.ReplaceAll(string(r.Body), ts.URL, "ROOT")
			}
		}
		return out
	}

	It("round-trips ids, meta, versions, ETags, order, tenants and their tokens", func() {
		a := newServer()
		a.Tenant("acme").Configure(simulator.ProfileStrict, "acme-token")
		d := seedData()
		_, _, err := a.Tenant("acme").Seed(d.Users, d.Groups)
		Expect(err).NotTo(HaveOccurred())
		created := do("POST", a.SCIMURL("")+"/Users", "", newUser("new@contoso.com"))
		Expect(created.Status).To(Equal(201))
		id := created.JSON()["id"].(string)
		for _, v := range []string{"a", "b"} {
			r := do("PATCH", a.SCIMURL("")+"/Users/"+id, "", patchBody(map[string]any{"op": "replace", "path": "displayName", "value": v}))
			Expect(r.Status).To(Equal(200), "body %s", r.Body)
		}
		Expect(do("GET", a.SCIMURL("")+"/Users/"+id, "", nil).Header.Get("ETag")).To(Equal(`W/"3"`))

		sf := simulator.NewStateFile(a.Server, path)
		saved, err := sf.Save()
		Expect(err).NotTo(HaveOccurred())
		Expect(saved).To(BeTrue())
		info, err := os.Stat(path)
		Expect(err).NotTo(HaveOccurred())
		Expect(info.Mode().Perm()).To(Equal(os.FileMode(0o600)), "the file holds bearer tokens")
		entries, err := os.ReadDir(filepath.Dir(path))
		Expect(err).NotTo(HaveOccurred())
		Expect(entries).To(HaveLen(1), "no temporary file is left behind")

		b := newServer()
		loaded, err := simulator.NewStateFile(b.Server, path).Load()
		Expect(err).NotTo(HaveOccurred())
		Expect(loaded).To(BeTrue())

		Expect(everything(b, "", "")).To(Equal(everything(a, "", "")))
		Expect(everything(b, "acme", "acme-token")).To(Equal(everything(a, "acme", "acme-token")))
		Expect(b.Tenant("acme").Profile()).To(Equal(simulator.ProfileStrict))
		Expect(do("GET", b.SCIMURL("acme")+"/Users", "", nil).Status).To(Equal(401), "the restored tenant still requires its token")
		Expect(b.Tenant("acme").Users()).To(Equal(a.Tenant("acme").Users()))
		Expect(b.Tenant("acme").Groups()).To(Equal(a.Tenant("acme").Groups()))

		// The id generator continues where the saved one was: both servers now draw the same
		// next id, and it is none of the stored ones.
		nextA := do("POST", a.SCIMURL("")+"/Users", "", newUser("next@contoso.com")).JSON()["id"]
		nextB := do("POST", b.SCIMURL("")+"/Users", "", newUser("next@contoso.com")).JSON()["id"]
		Expect(nextB).To(Equal(nextA))
		Expect(nextB).NotTo(Equal(id))
	})

	It("saves only when something changed", func() {
		ts := newServer()
		sf := simulator.NewStateFile(ts.Server, path)
		Expect(sf.Save()).To(BeTrue(), "the file does not exist yet")
		Expect(sf.Save()).To(BeFalse())

		Expect(do("GET", ts.SCIMURL("")+"/Users", "", nil).Status).To(Equal(200))
		Expect(sf.Save()).To(BeFalse(), "a read changes nothing")

		r := do("POST", ts.SCIMURL("")+"/Users", "", newUser("x@contoso.com"))
		Expect(r.Status).To(Equal(201))
		Expect(sf.Save()).To(BeTrue(), "a create")
		Expect(sf.Save()).To(BeFalse())

		id := r.JSON()["id"].(string)
		Expect(do("PATCH", ts.SCIMURL("")+"/Users/"+id, "", patchBody(map[string]any{"op": "replace", "path": "displayName", "value": "X"})).Status).To(Equal(200))
		Expect(sf.Save()).To(BeTrue(), "a PATCH")

		ts.Tenant("other").Configure(simulator.ProfileStrict, "tok")
		Expect(sf.Save()).To(BeTrue(), "a new tenant")
		ts.Tenant("other").Configure(simulator.ProfileStrict, "tok2")
		Expect(sf.Save()).To(BeTrue(), "a new token")

		ts.Tenant("").Reset()
		Expect(sf.Save()).To(BeTrue(), "a reset")
		Expect(sf.Save()).To(BeFalse())

		Expect(os.Remove(path)).To(Succeed())
		Expect(sf.Save()).To(BeTrue(), "the file went missing")
	})

	It("saves while clients write, and the last save holds every acknowledged write", func() {
		ts := newServer()
		sf := simulator.NewStateFile(ts.Server, path)
		hc := parallelClient()
		DeferCleanup(hc.CloseIdleConnections)
		stop := make(chan struct{})
		saves := make(chan error, 1)
		go func() {
			defer close(saves)
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := sf.Save(); err != nil {
					saves <- err
					return
				}
			}
		}()
		errs := inParallel(8, func(c int) error {
			for i := range 25 {
				status, body, _, err := send(hc, "POST", ts.SCIMURL("")+"/Users", newUser(fmt.Sprintf("c%d-%d@contoso.com", c, i)))
				if err == nil && status != 201 {
					err = fmt.Errorf("create: %d %s", status, body)
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
		close(stop)
		Expect(<-saves).To(Succeed())
		Expect(errs).To(BeEmpty())
		_, err := sf.Save()
		Expect(err).NotTo(HaveOccurred())

		b := newServer()
		Expect(simulator.NewStateFile(b.Server, path).Load()).To(BeTrue())
		Expect(b.Tenant("").Users()).To(Equal(200))
		Expect(everything(b, "", "")).To(Equal(everything(ts, "", "")))
	})

	It("starts empty when the file does not exist", func() {
		loaded, err := simulator.NewStateFile(newServer().Server, path).Load()
		Expect(err).NotTo(HaveOccurred())
		Expect(loaded).To(BeFalse())
	})

	// A valid file to break: one default-tenant user and one group.
	validState := func() map[string]any {
		GinkgoHelper()
		ts := newServer()
		Expect(do("POST", ts.SCIMURL("")+"/Users", "", newUser("u@contoso.com")).Status).To(Equal(201))
		Expect(do("POST", ts.SCIMURL("")+"/Groups", "", map[string]any{"schemas": []string{groupURN}, "displayName": "g"}).Status).To(Equal(201))
		Expect(simulator.NewStateFile(ts.Server, path).Save()).To(BeTrue())
		raw, err := os.ReadFile(path)
		Expect(err).NotTo(HaveOccurred())
		var m map[string]any
		Expect(json.Unmarshal(raw, &m)).To(Succeed())
		return m
	}
	firstUser := func(m map[string]any) map[string]any {
		return m["tenants"].([]any)[0].(map[string]any)["users"].([]any)[0].(map[string]any)
	}

	DescribeTable("refuses a file that is not a valid state, naming the file and the fault",
		func(breakIt func(m map[string]any) []byte, want string) {
			content := breakIt(validState())
			Expect(os.WriteFile(path, content, 0o600)).To(Succeed())
			ts := newServer()
			loaded, err := simulator.NewStateFile(ts.Server, path).Load()
			Expect(loaded).To(BeFalse())
			Expect(err).To(MatchError(And(ContainSubstring("state file "+path+": "), ContainSubstring(want))))
			Expect(ts.Tenant("").Users()).To(Equal(0), "nothing is loaded")
		},
		Entry("truncated", func(m map[string]any) []byte {
			b, _ := json.Marshal(m)
			return b[:len(b)/2]
		}, "not a scimsim state file: line 1: unexpected end of JSON input"),
		Entry("not JSON", func(map[string]any) []byte { return []byte("users:\n  - x\n") },
			"not a scimsim state file: line 1: invalid character"),
		Entry("another JSON file", func(map[string]any) []byte { return []byte(`{"users":[]}`) },
			`not a scimsim state file: format "", want "scimsim-state"`),
		Entry("another version", func(m map[string]any) []byte {
			m["version"] = 3
			b, _ := json.Marshal(m)
			return b
		}, "state.json: version 3: this scimsim reads versions 1 and 2"),
		Entry("an unknown key", func(m map[string]any) []byte {
			m["extra"] = true
			b, _ := json.Marshal(m)
			return b
		}, `unknown field "extra"`),
		Entry("a bad ETag", func(m map[string]any) []byte {
			firstUser(m)["resource"].(map[string]any)["meta"].(map[string]any)["version"] = "3"
			b, _ := json.Marshal(m)
			return b
		}, `tenant "": Users 1: User `),
		Entry("a resource without an id", func(m map[string]any) []byte {
			delete(firstUser(m)["resource"].(map[string]any), "id")
			b, _ := json.Marshal(m)
			return b
		}, `tenant "": Users 1: resource has no id`),
		Entry("a duplicate userName", func(m map[string]any) []byte {
			t := m["tenants"].([]any)[0].(map[string]any)
			u := firstUser(m)
			dup := map[string]any{"seq": 99.0, "resource": map[string]any{}}
			for k, v := range u["resource"].(map[string]any) {
				dup["resource"].(map[string]any)[k] = v
			}
			dup["resource"].(map[string]any)["id"] = "other-id"
			dup["resource"].(map[string]any)["userName"] = "U@CONTOSO.COM"
			t["users"] = append(t["users"].([]any), dup)
			t["seq"] = 99.0
			b, _ := json.Marshal(m)
			return b
		}, `userName "U@CONTOSO.COM" is already taken`),
		Entry("a bad id generator state", func(m map[string]any) []byte {
			m["tenants"].([]any)[0].(map[string]any)["ids"] = "AAAA"
			b, _ := json.Marshal(m)
			return b
		}, `tenant "": ids:`),
	)

	It("refuses to load over a server when one tenant is bad, and changes none", func() {
		a := newServer()
		Expect(do("POST", a.SCIMURL("")+"/Users", "", newUser("u@contoso.com")).Status).To(Equal(201))
		a.Tenant("bad")
		Expect(simulator.NewStateFile(a.Server, path).Save()).To(BeTrue())
		raw, err := os.ReadFile(path)
		Expect(err).NotTo(HaveOccurred())
		Expect(os.WriteFile(path, []byte(strings.Replace(string(raw), `"name":"bad","profile":"entra"`, `"name":"bad","profile":"loose"`, 1)), 0o600)).To(Succeed())

		b := newServer()
		Expect(do("POST", b.SCIMURL("")+"/Users", "", newUser("keep@contoso.com")).Status).To(Equal(201))
		_, err = simulator.NewStateFile(b.Server, path).Load()
		Expect(err).To(MatchError(ContainSubstring(`tenant "bad": unknown profile "loose"`)))
		Expect(b.Tenant("").Users()).To(Equal(1))
		Expect(do("GET", b.SCIMURL("")+"/Users?filter="+url.QueryEscape(`userName eq "keep@contoso.com"`), "", nil).IDs()).To(HaveLen(1))
	})
})

var _ = Describe("state log", func() {
	var path string
	BeforeEach(func() { path = filepath.Join(GinkgoT().TempDir(), "state.json") })

	It("keeps every acknowledged write across a restart without a Save, in both sync modes", func() {
		for _, mode := range []simulator.SyncMode{simulator.SyncAlways, simulator.SyncInterval} {
			Expect(os.RemoveAll(filepath.Dir(path))).To(Succeed())
			Expect(os.MkdirAll(filepath.Dir(path), 0o700)).To(Succeed())
			a := simulator.NewTestServer(GinkgoTB(), simulator.WithClock(fixedClock), simulator.WithSeed(7))
			sf := simulator.NewStateFile(a.Server, path, simulator.WithSync(mode))
			Expect(sf.Load()).To(BeFalse())
			created := do("POST", a.SCIMURL("")+"/Users", "", newUser("ada@contoso.com"))
			Expect(created.Status).To(Equal(201))
			id := created.JSON()["id"].(string)
			Expect(do("PATCH", a.SCIMURL("")+"/Users/"+id, "", patchBody(map[string]any{"op": "replace", "path": "title", "value": "CTO"})).Status).To(Equal(200))
			Expect(do("POST", a.SCIMURL("")+"/Users", "", newUser("gone@contoso.com")).Status).To(Equal(201))
			gone := do("GET", a.SCIMURL("")+"/Users?filter="+url.QueryEscape(`userName eq "gone@contoso.com"`), "", nil).IDs()[0]
			Expect(do("DELETE", a.SCIMURL("")+"/Users/"+gone, "", nil).Status).To(Equal(204))
			Expect(a.Admin.PutTenant(ctx(), "acme", simulator.TenantConfig{Profile: "strict", Token: "acme-token"})).To(Succeed())
			Expect(do("POST", a.SCIMURL("acme")+"/Users", "acme-token", newUser("in-acme@contoso.com")).Status).To(Equal(201))
			Expect(do("POST", a.SCIMURL("doomed")+"/Users", "", newUser("x@contoso.com")).Status).To(Equal(201))
			Expect(a.Admin.PutTenant(ctx(), "doomed", simulator.TenantConfig{})).To(Succeed())
			Expect(do("DELETE", a.URL+"/admin/tenants/doomed", "", nil).Status).To(Equal(204))

			// No Save and no Close: as after kill -9, only the log has them.
			b := simulator.NewTestServer(GinkgoTB(), simulator.WithClock(fixedClock), simulator.WithSeed(7))
			sfb := simulator.NewStateFile(b.Server, path)
			Expect(sfb.Load()).To(BeTrue(), string(mode))
			got := do("GET", b.SCIMURL("")+"/Users/"+id, "", nil)
			Expect(got.Status).To(Equal(200))
			Expect(got.JSON()["title"]).To(Equal("CTO"))
			Expect(got.Header.Get("ETag")).To(Equal(`W/"2"`))
			Expect(b.Tenant("").Users()).To(Equal(1), "the deleted user stays deleted")
			Expect(b.Tenant("acme").Profile()).To(Equal(simulator.ProfileStrict))
			Expect(do("GET", b.SCIMURL("acme")+"/Users", "acme-token", nil).JSON()["totalResults"]).To(BeNumerically("==", 1))
			Expect(tenantNames(b)).To(Equal([]string{"acme"}), "the deleted tenant stays deleted")
			closeState(GinkgoTB(), sfb)
			closeState(GinkgoTB(), sf)
		}
	})

	It("answers writes 503 and reports unhealthy when the log cannot be written, and recovers", func() {
		if _, err := os.Stat("/dev/full"); err != nil {
			Skip("no /dev/full to make the disk full")
		}
		// The first log file the state will open is a link to /dev/full: every write fails
		// with ENOSPC, as on a full disk.
		Expect(os.Symlink("/dev/full", path+".00000001.log")).To(Succeed())
		logs := gbytes.NewBuffer() // safe for the goroutines that share the logger
		ts := simulator.NewTestServer(GinkgoTB(), simulator.WithLogger(slog.New(slog.NewTextHandler(logs, nil))))
		sf := simulator.NewStateFile(ts.Server, path)
		Expect(sf.Load()).To(BeFalse())
		DeferCleanup(func() { closeState(GinkgoTB(), sf) })

		r := do("POST", ts.SCIMURL("")+"/Users", "", newUser("ada@contoso.com"))
		Expect(r.Status).To(Equal(503), "body %s", r.Body)
		Expect(r.ScimType()).To(BeEmpty())
		Expect(r.JSON()["detail"]).To(And(ContainSubstring("the state file "+path+" cannot be written"),
			ContainSubstring("no space left on device"), ContainSubstring("the write was not stored")))
		Expect(do("POST", ts.SCIMURL("")+"/Users", "", newUser("bob@contoso.com")).Status).To(Equal(503), "every later write too")
		Expect(ts.Tenant("").Users()).To(Equal(0), "nothing refused was stored")
		Expect(do("GET", ts.SCIMURL("")+"/Users", "", nil).Status).To(Equal(200), "reads go on")
		health := do("GET", ts.URL+"/admin/health", "", nil)
		Expect(health.Status).To(Equal(503))
		Expect(health.JSON()).To(HaveKeyWithValue("status", "unhealthy"))
		Expect(health.JSON()["error"]).To(ContainSubstring("no space left on device"))
		Expect(sf.Err()).To(HaveOccurred())
		Expect(string(logs.Contents())).To(And(ContainSubstring("level=ERROR"), ContainSubstring("state cannot be saved")))
		Expect(do("POST", ts.URL+"/admin/reset", "", nil).Status).To(Equal(503))

		// A snapshot goes to a new log and a regular file: the state recovers.
		Expect(sf.Save()).To(BeTrue())
		Expect(sf.Err()).NotTo(HaveOccurred())
		Expect(do("GET", ts.URL+"/admin/health", "", nil).Status).To(Equal(200))
		Expect(do("POST", ts.SCIMURL("")+"/Users", "", newUser("ada@contoso.com")).Status).To(Equal(201))
		Expect(string(logs.Contents())).To(ContainSubstring("state saved again"))
	})

	It("drops a last batch that a crash cut short, and refuses a damaged one followed by others", func() {
		a := simulator.NewTestServer(GinkgoTB())
		sf := simulator.NewStateFile(a.Server, path)
		Expect(sf.Load()).To(BeFalse())
		for _, name := range []string{"a", "b", "c"} {
			Expect(do("POST", a.SCIMURL("")+"/Users", "", newUser(name)).Status).To(Equal(201))
		}
		logPath := path + ".00000001.log"
		raw, err := os.ReadFile(logPath)
		Expect(err).NotTo(HaveOccurred())
		lines := strings.SplitAfter(string(raw), "\n")
		Expect(lines).To(HaveLen(4), "three batches and the empty rest")

		load := func(content string) (*simulator.TestServer, error) {
			dir := GinkgoT().TempDir()
			p := filepath.Join(dir, "state.json")
			if snap, err := os.ReadFile(path); err == nil {
				Expect(os.WriteFile(p, snap, 0o600)).To(Succeed())
			}
			Expect(os.WriteFile(p+".00000001.log", []byte(content), 0o600)).To(Succeed())
			ts := simulator.NewTestServer(GinkgoTB())
			sf := simulator.NewStateFile(ts.Server, p)
			_, err = sf.Load()
			if err == nil {
				closeState(GinkgoTB(), sf)
			}
			return ts, err
		}
		cut := lines[0] + lines[1] + lines[2][:len(lines[2])/2]
		ts, err := load(cut)
		Expect(err).NotTo(HaveOccurred())
		Expect(ts.Tenant("").Users()).To(Equal(2), "the cut batch was never acknowledged")

		damaged := lines[0] + strings.Replace(lines[1], `"b"`, `"B"`, 1) + lines[2]
		_, err = load(damaged)
		Expect(err).To(MatchError(And(ContainSubstring(".00000001.log: line 2: checksum"))))
		closeState(GinkgoTB(), sf)
	})
})

// closeState closes a state file that a test or benchmark loaded.
func closeState(tb testing.TB, sf *simulator.StateFile) {
	tb.Helper()
	if err := sf.Close(); err != nil {
		tb.Fatalf("Close: %v", err)
	}
}

// stateOf10k returns a server whose default tenant holds 10,000 users and 100 groups of 100
// members each.
func stateOf10k(b *testing.B) *simulator.Server {
	b.Helper()
	srv, err := simulator.New(simulator.WithClock(fixedClock))
	if err != nil {
		b.Fatal(err)
	}
	users := make([]map[string]any, 10000)
	for i := range users {
		users[i] = map[string]any{"id": fmt.Sprintf("u%05d", i), "userName": fmt.Sprintf("user%05d@contoso.com", i),
			"displayName": fmt.Sprintf("User %d", i), "active": true,
			"emails": []any{map[string]any{"value": fmt.Sprintf("user%05d@contoso.com", i), "type": "work", "primary": true}}}
	}
	groups := make([]map[string]any, 100)
	for g := range groups {
		var members []any
		for m := range 100 {
			members = append(members, map[string]any{"value": fmt.Sprintf("u%05d", g*100+m)})
		}
		groups[g] = map[string]any{"displayName": fmt.Sprintf("Group %d", g), "members": members}
	}
	if _, _, err := srv.Tenant("").Seed(users, groups); err != nil {
		b.Fatal(err)
	}
	return srv
}

// BenchmarkStateFile_Save measures a save of 10,000 users and 100 groups, fsyncs included.
func BenchmarkStateFile_Save(b *testing.B) {
	srv := stateOf10k(b)
	path := filepath.Join(b.TempDir(), "state.json")
	sf := simulator.NewStateFile(srv, path)
	for b.Loop() {
		b.StopTimer()
		_ = os.Remove(path) // a missing file is a change: every Save writes
		b.StartTimer()
		if saved, err := sf.Save(); err != nil || !saved {
			b.Fatalf("Save() = %v, %v", saved, err)
		}
	}
	if info, err := os.Stat(path); err == nil {
		b.ReportMetric(float64(info.Size())/10100, "file-B/resource")
	}
}

// BenchmarkStateFile_Load measures loading 10,000 users and 100 groups into a fresh server.
func BenchmarkStateFile_Load(b *testing.B) {
	path := filepath.Join(b.TempDir(), "state.json")
	if _, err := simulator.NewStateFile(stateOf10k(b), path).Save(); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		b.StopTimer()
		srv, err := simulator.New()
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if loaded, err := simulator.NewStateFile(srv, path).Load(); err != nil || !loaded {
			b.Fatalf("Load() = %v, %v", loaded, err)
		}
	}
}
