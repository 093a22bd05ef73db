package job

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/simulator"
)

// bigSource is a tenant of n users, each assigned to the application, with the attributes Entra's
// default job maps.
func bigSource(n int) *engine.Source {
	src := &engine.Source{Kind: engine.KindEntra}
	for i := range n {
		id := fmt.Sprintf("u%06d", i)
		src.Users = append(src.Users, &engine.User{ObjectID: id, Attrs: map[string]any{
			"objectId": id, "userPrincipalName": id + "@contoso.com", "mail": id + "@contoso.com", "mailNickname": id,
			"displayName": "User " + id, "givenName": "User", "surname": id, "jobTitle": "Engineer", "department": "R&D",
			"employeeId": fmt.Sprint(100000 + i), "city": "Redmond", "country": "US", "accountEnabled": true,
		}})
		src.Assignments = append(src.Assignments, engine.Assignment{Principal: id, Role: "User"})
	}
	return src
}

var benchStart = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func benchJob(b *testing.B, n int, tenant string) (*Job, *simulator.TestServer) {
	b.Helper()
	ts := simulator.NewTestServer(b, simulator.WithToken("secret"), simulator.WithJournalSize(100))
	j, err := New(bigSource(n), engine.DefaultConfig(), Options{Target: ts.SCIMURL(tenant), Token: "secret", Start: benchStart})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := j.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	return j, ts
}

// heapMB is the live heap after a collection, in MB.
func heapMB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc) / (1 << 20)
}

// BenchmarkInitialCycle_100k provisions 100,000 users in an initial cycle against an in-process
// simulator, with DefaultConcurrency. Targets: at most 60 s, at most 1 GB in the engine.
// job-MB is what the job keeps between cycles (the heap with the job minus the heap once it is
// gone; the simulator's 100,000 stored users stay in both); peak-MB is the largest live heap seen
// during the cycle, simulator included.
func BenchmarkInitialCycle_100k(b *testing.B) { benchInitial(b, 100_000) }

// BenchmarkInitialCycle_10k is the same for 10,000 users.
func BenchmarkInitialCycle_10k(b *testing.B) { benchInitial(b, 10_000) }

func benchInitial(b *testing.B, n int) {
	for b.Loop() {
		b.StopTimer()
		j, _ := benchJob(b, n, "bench")
		stop := make(chan struct{})
		peak := make(chan float64)
		go samplePeak(stop, peak)
		b.StartTimer()
		if err := j.Run(context.Background(), Limit{Cycles: 1}, nil); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		close(stop)
		b.ReportMetric(<-peak, "peak-MB")
		c := j.Cycles()[0]
		if c.Created != n || c.Failed != 0 {
			b.Fatalf("initial cycle: %+v", c)
		}
		with := heapMB()
		runtime.KeepAlive(j)
		j = nil
		b.ReportMetric(with-heapMB(), "job-MB")
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "users/s")
		b.StartTimer()
	}
}

// samplePeak reports the largest live heap seen until stop is closed.
func samplePeak(stop chan struct{}, out chan float64) {
	var m runtime.MemStats
	peak := 0.0
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-stop:
			out <- peak
			return
		case <-t.C:
			runtime.ReadMemStats(&m)
			peak = max(peak, float64(m.HeapAlloc)/(1<<20))
		}
	}
}

// BenchmarkIncrementalCycle_100Changes_100k: after an initial cycle of 100,000 users, an incremental
// cycle in which 100 of them changed. Target: at most 1 s.
func BenchmarkIncrementalCycle_100Changes_100k(b *testing.B) {
	const n = 100_000
	j, _ := benchJob(b, n, "incr")
	if err := j.Run(context.Background(), Limit{Cycles: 1}, nil); err != nil {
		b.Fatal(err)
	}
	cycle := 1
	for b.Loop() {
		b.StopTimer()
		cycle++
		cs := engine.ChangeSet{Cycle: cycle}
		for i := range 100 {
			id := fmt.Sprintf("u%06d", (cycle*100+i*997)%n)
			cs.ChangeUsers = append(cs.ChangeUsers, engine.AttrChange{ObjectID: id, Attrs: map[string]any{"jobTitle": fmt.Sprintf("Title %d", cycle)}})
		}
		j.opts.Changes = &engine.Changes{Sets: []engine.ChangeSet{cs}}
		b.StartTimer()
		if err := j.Run(context.Background(), Limit{Cycles: cycle}, nil); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		c := j.Cycles()[cycle-1]
		if c.Updated != 100 || c.Failed != 0 {
			b.Fatalf("incremental cycle: %+v", c)
		}
		b.StartTimer()
	}
}
