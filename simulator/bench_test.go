package simulator_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scimsim/scimsim/simulator"
)

// benchUsers is the store size of every BenchmarkServer_*.
const benchUsers = 100_000

var benchRuns atomic.Int64

var bench struct {
	once        sync.Once
	sim         *simulator.Server
	heapPerUser float64
	id50000     string
}

// benchUser is a user as Entra creates one (use-scim-to-provision-users-and-groups.md, "Create User"), plus a title.
func benchUser(i int) map[string]any {
	return map[string]any{
		"schemas":     []any{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"userName":    fmt.Sprintf("user%d", i),
		"externalId":  fmt.Sprintf("ext-%08d", i),
		"displayName": fmt.Sprintf("User %d", i),
		"title":       "Engineer",
		"active":      true,
		"name":        map[string]any{"givenName": "User", "familyName": fmt.Sprint(i)},
		"emails":      []any{map[string]any{"value": fmt.Sprintf("user%d@contoso.com", i), "type": "work", "primary": true}},
	}
}

// benchUserList is benchUsers users, benchUser(0) to benchUser(benchUsers-1).
func benchUserList() []map[string]any {
	users := make([]map[string]any, benchUsers)
	for i := range users {
		users[i] = benchUser(i)
	}
	return users
}

// seededServer is a new simulator whose default tenant holds benchUserList; the list is garbage
// once it returns.
func seededServer(b *testing.B, opts ...simulator.Option) *simulator.Server {
	s, err := simulator.New(opts...)
	if err != nil {
		b.Fatal(err)
	}
	if _, _, err := s.Tenant("").Seed(benchUserList(), nil); err != nil {
		b.Fatal(err)
	}
	return s
}

// benchServer returns the shared simulator holding benchUsers users, measuring the live heap
// they take (runtime.ReadMemStats after GC, before and after seeding).
func benchServer(b *testing.B) *simulator.Server {
	bench.once.Do(func() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		s := seededServer(b, simulator.WithToken("bench"))
		runtime.GC()
		runtime.ReadMemStats(&after)
		bench.sim = s
		bench.heapPerUser = float64(after.HeapAlloc-before.HeapAlloc) / benchUsers
		rec := serve(s, "GET", `/scim/v2/Users?filter=userName+eq+%22user50000%22`, "")
		var list struct{ Resources []struct{ ID string } }
		if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil || len(list.Resources) != 1 {
			b.Fatalf("user50000 not found: %v %s", err, rec.Body)
		}
		bench.id50000 = list.Resources[0].ID
	})
	return bench.sim
}

func serve(h http.Handler, method, target, body string) *httptest.ResponseRecorder {
	var req *http.Request
	if body == "" {
		req = httptest.NewRequest(method, target, nil)
	} else {
		req = httptest.NewRequest(method, target, strings.NewReader(body))
	}
	req.Header.Set("Authorization", "Bearer bench")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func benchRequests(b *testing.B, h http.Handler, method, target string, body func(i int) string, want int) {
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		bd := ""
		if body != nil {
			bd = body(i)
		}
		if rec := serve(h, method, target, bd); rec.Code != want {
			b.Fatalf("%s %s: %d %s", method, target, rec.Code, rec.Body)
		}
	}
}

// BenchmarkServer_FilterUserName is Entra's matching query, through the whole echo stack.
func BenchmarkServer_FilterUserName(b *testing.B) {
	benchRequests(b, benchServer(b), "GET", `/scim/v2/Users?filter=userName+eq+%22user50000%22`, nil, 200)
}

// BenchmarkServer_FilterUserNameParallel is the same query from GOMAXPROCS goroutines.
func BenchmarkServer_FilterUserNameParallel(b *testing.B) {
	s := benchServer(b)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if rec := serve(s, "GET", `/scim/v2/Users?filter=userName+eq+%22user50000%22`, ""); rec.Code != 200 {
				b.Errorf("status %d", rec.Code)
				return
			}
		}
	})
}

func BenchmarkServer_GetByID(b *testing.B) {
	s := benchServer(b)
	benchRequests(b, s, "GET", "/scim/v2/Users/"+bench.id50000, nil, 200)
}

func BenchmarkServer_Create(b *testing.B) {
	s := benchServer(b)
	// Every run (-count, the b.N probes) creates users of its own in the shared store.
	run := benchRuns.Add(1)
	benchRequests(b, s, "POST", "/scim/v2/Users", func(i int) string {
		u := benchUser(i)
		u["userName"] = fmt.Sprintf("new-%d-%d", run, i)
		raw, _ := json.Marshal(u)
		return string(raw)
	}, 201)
}

// BenchmarkServer_CreateEntra is BenchmarkServer_Create with the body Entra ID's create sends
// (bench/peers/load.sh CREATE_BODY=entra).
func BenchmarkServer_CreateEntra(b *testing.B) {
	s := benchServer(b)
	run := benchRuns.Add(1)
	benchRequests(b, s, "POST", "/scim/v2/Users", func(i int) string {
		return entraCreateBody(fmt.Sprintf("entra-%d-%d", run, i), i)
	}, 201)
}

// entraCreateBody is the body of Entra ID's create of user u, as bench/load.sh's entra phase
// sends it.
func entraCreateBody(u string, i int) string {
	return `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],` +
		`"externalId":"` + u + `","userName":"` + u + `@contoso.com","active":true,` +
		`"emails":[{"primary":true,"type":"work","value":"` + u + `@contoso.com"}],"meta":{"resourceType":"User"},` +
		`"name":{"formatted":"Bench ` + u + `","familyName":"` + u + `","givenName":"Bench"},` +
		`"displayName":"Bench ` + u + `","title":"Engineer",` +
		`"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"R&D","employeeNumber":"` + strconv.Itoa(i) + `"},"roles":[]}`
}

// BenchmarkServer_CreateParallel is BenchmarkServer_Create (basic) and BenchmarkServer_CreateEntra
// (entra) from 16 goroutines per core, as a load generator's connections send: concurrent
// creates share the committer's batches. cpu-µs/op is the process's CPU per create, the figure
// that decides the throughput of a server with no idle core; it repeats within about 2%, where
// wall time per op does not.
func BenchmarkServer_CreateParallel(b *testing.B) {
	bodies := []struct {
		name string
		body func(u string, i int) string
	}{
		{"basic", func(u string, _ int) string {
			raw, _ := json.Marshal(benchUser(0))
			return strings.Replace(string(raw), `"userName":"user0"`, `"userName":"`+u+`"`, 1)
		}},
		{"entra", entraCreateBody},
	}
	for _, bd := range bodies {
		b.Run(bd.name, func(b *testing.B) {
			s := benchServer(b)
			run := benchRuns.Add(1)
			var n atomic.Int64
			b.SetParallelism(16)
			b.ReportAllocs()
			b.ResetTimer()
			cpu := processCPU()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := int(n.Add(1))
					body := bd.body(fmt.Sprintf("par-%d-%d", run, i), i)
					if rec := serve(s, "POST", "/scim/v2/Users", body); rec.Code != 201 {
						b.Errorf("status %d %s", rec.Code, rec.Body)
						return
					}
				}
			})
			b.ReportMetric(float64((processCPU()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
}

func BenchmarkServer_Patch(b *testing.B) {
	s := benchServer(b)
	benchRequests(b, s, "PATCH", "/scim/v2/Users/"+bench.id50000, func(i int) string {
		return fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"title","value":"T%d"},{"op":"Replace","path":"active","value":"True"}]}`, i)
	}, 200)
}

// BenchmarkServer_FullScanFilter filters on an attribute without an index: every user is
// decoded and evaluated.
func BenchmarkServer_FullScanFilter(b *testing.B) {
	benchRequests(b, benchServer(b), "GET", `/scim/v2/Users?filter=title+eq+%22x%22`, nil, 200)
}

// BenchmarkServer_FilterExternalID filters on externalId, which has no index: a scan that the
// byte prefilter answers for all but one user.
func BenchmarkServer_FilterExternalID(b *testing.B) {
	benchRequests(b, benchServer(b), "GET", `/scim/v2/Users?filter=externalId+eq+%22ext-00050000%22`, nil, 200)
}

// BenchmarkServer_FullScanMatchAll filters on an attribute without an index that every user
// matches, keeping one: every user is decoded and evaluated, and counted for totalResults.
func BenchmarkServer_FullScanMatchAll(b *testing.B) {
	benchRequests(b, benchServer(b), "GET", `/scim/v2/Users?filter=title+eq+%22Engineer%22&count=1`, nil, 200)
}

// BenchmarkServer_HeapPerUser reports the live heap per stored user at benchUsers users, and
// that number of users (bench/load.sh reads both).
func BenchmarkServer_HeapPerUser(b *testing.B) {
	benchServer(b)
	for b.Loop() {
	}
	b.ReportMetric(bench.heapPerUser, "heapB/user")
	b.ReportMetric(benchUsers, "users")
}

// BenchmarkBare_ListResponse is the ceiling: a bare net/http handler answering a fixed
// ListResponse of the same size as BenchmarkServer_FilterUserName's.
func BenchmarkBare_ListResponse(b *testing.B) {
	body := serve(benchServer(b), "GET", `/scim/v2/Users?filter=userName+eq+%22user50000%22`, "").Body.Bytes()
	body = bytes.Clone(body)
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/scim+json")
		_, _ = w.Write(body)
	})
	benchRequests(b, h, "GET", `/scim/v2/Users?filter=userName+eq+%22user50000%22`, nil, 200)
}

// BenchmarkAdmin_Seed posts benchUsers users to POST /admin/seed in one request.
func BenchmarkAdmin_Seed(b *testing.B) {
	raw, err := json.Marshal(simulator.SeedData{Users: benchUserList()})
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() { // the live heap every millisecond, while the seeds run
		defer close(sampled)
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
		}
	}()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		s, err := simulator.New()
		if err != nil {
			b.Fatal(err)
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest("POST", "/admin/seed", bytes.NewReader(raw)))
		if rec.Code != 200 {
			b.Fatalf("seed: %d %s", rec.Code, rec.Body)
		}
		b.StopTimer()
		s = nil
		runtime.GC() // the next seed starts from the same heap
		b.StartTimer()
	}
	b.StopTimer()
	close(stop)
	<-sampled
	b.ReportMetric(float64(len(raw))/(1<<20), "MiB/body")
	// The heap the seed itself took at its peak (beyond the body and what was live before),
	// in multiples of the body.
	b.ReportMetric(float64(peak.Load()-min(peak.Load(), base.HeapInuse))/float64(len(raw)), "peakheap/body")
}

// BenchmarkState_Load loads a state file of benchUsers users (written by Save) into a new server,
// in a process that holds nothing else, as `scimsim serve --state` starts.
func BenchmarkState_Load(b *testing.B) {
	path := filepath.Join(b.TempDir(), "state.json")
	func() {
		s := seededServer(b)
		if _, err := simulator.NewStateFile(s, path).Save(); err != nil {
			b.Fatal(err)
		}
	}()
	info, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	var cpu time.Duration
	b.ResetTimer()
	for b.Loop() {
		s2, err := simulator.New()
		if err != nil {
			b.Fatal(err)
		}
		before := processCPU()
		sf := simulator.NewStateFile(s2, path)
		if loaded, err := sf.Load(); err != nil || !loaded {
			b.Fatalf("Load = %v, %v", loaded, err)
		}
		cpu += processCPU() - before
		b.StopTimer()
		if n := s2.Tenant("").Users(); n != benchUsers {
			b.Fatalf("loaded %d users, want %d", n, benchUsers)
		}
		closeState(b, sf)
		s2 = nil
		runtime.GC()
		b.StartTimer()
	}
	b.ReportMetric(float64(info.Size())/(1<<20), "MiB/file")
	// CPU time of the whole process (every core, the collector's too) per load: unlike ns/op,
	// it hardly changes with what else the machine runs.
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
}
