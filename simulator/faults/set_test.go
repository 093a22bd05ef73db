package faults_test

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimsim/scimsim/simulator/faults"
)

// after, count and probability: which requests a fault hits, and that a seed replays them.

var _ = Describe("a fault's schedule", func() {
	It("lets `after` requests through, then hits `count` of them", func() {
		spec := fault("flaky", "server_error", map[string]any{"status": 503})
		spec.After, spec.Count = 2, 2
		t := newTarget(1, spec)
		Expect(t.statuses(6, "/scim/v2/Users")).To(Equal([]int{200, 200, 503, 503, 200, 200}))
		Expect(hitCount(t.set, "flaky")).To(Equal(2))
	})

	It("counts only the requests it matches", func() {
		spec := fault("writes", "throttle", nil)
		spec.Match.Method, spec.After, spec.Count = "POST", 1, 1
		t := newTarget(1, spec)
		Expect(t.do(http.MethodGet, "/scim/v2/Users", nil).Status).To(Equal(200))
		Expect(t.do(http.MethodPost, "/scim/v2/Users", alice()).Status).To(Equal(201))
		Expect(t.do(http.MethodGet, "/scim/v2/Users", nil).Status).To(Equal(200))
		Expect(t.do(http.MethodPost, "/scim/v2/Users", alice()).Status).To(Equal(429))
		Expect(t.do(http.MethodPost, "/scim/v2/Users", alice()).Status).To(Equal(201))
	})

	It("replays the exact hit sequence for the same seed, and another for another seed", func() {
		run := func(seed int64) []int {
			spec := fault("coin", "server_error", nil)
			spec.Probability = 0.5
			return newTarget(seed, spec).statuses(24, "/scim/v2/Users")
		}
		first := run(7)
		// Pinned: a --seed must replay the same run with the next release too. If this changes,
		// the generator or the draw order changed, and docs/faults.md must say so.
		Expect(first).To(Equal([]int{200, 200, 500, 500, 500, 500, 200, 200, 200, 200, 200, 200,
			200, 200, 200, 200, 200, 200, 200, 200, 500, 500, 200, 200}))
		Expect(run(7)).To(Equal(first))
		Expect(run(8)).NotTo(Equal(first))
	})

	It("draws for its own requests only: other faults and requests do not shift the sequence", func() {
		coin := fault("coin", "server_error", nil)
		coin.Probability, coin.Match.Resource = 0.5, "Users"
		alone := newTarget(3, coin).statuses(16, "/scim/v2/Users")

		other := fault("other", "latency", map[string]any{"delayMs": 0, "jitterMs": 1})
		other.Probability, other.Match.Resource = 0.5, "Groups"
		t := newTarget(3, other, coin)
		var mixed []int
		for range 16 {
			t.do(http.MethodGet, "/scim/v2/Groups", nil)
			mixed = append(mixed, t.do(http.MethodGet, "/scim/v2/Users", nil).Status)
		}
		Expect(mixed).To(Equal(alone))
	})

	It("starts afresh when updated", func() {
		spec := fault("once", "server_error", nil)
		spec.Count = 1
		t := newTarget(1, spec)
		Expect(t.statuses(2, "/scim/v2/Users")).To(Equal([]int{500, 200}))
		_, err := t.set.Update("once", spec)
		Expect(err).NotTo(HaveOccurred())
		Expect(t.statuses(2, "/scim/v2/Users")).To(Equal([]int{500, 200}))
	})

	It("never hits more than count requests, however many arrive at once", func() {
		spec := fault("ten", "throttle", nil)
		spec.Count = 10
		t := newTarget(1, spec)
		var mu sync.Mutex
		got := map[int]int{}
		var wg sync.WaitGroup
		for range 40 {
			wg.Go(func() {
				defer GinkgoRecover()
				s := t.do(http.MethodGet, "/scim/v2/Users", nil).Status
				mu.Lock()
				got[s]++
				mu.Unlock()
			})
		}
		wg.Wait()
		Expect(got).To(Equal(map[int]int{429: 10, 200: 30}))
	})
})

var _ = Describe("stacked faults", func() {
	It("apply outermost first, and the journal names them all", func() {
		t := newTarget(1,
			fault("lag", "latency", map[string]any{"delayMs": 1}),
			fault("down", "server_error", map[string]any{"status": 503}),
			fault("never", "throttle", nil),
		)
		Expect(t.do(http.MethodGet, "/scim/v2/Users", nil).Status).To(Equal(503))
		Expect(t.hits()).To(Equal([]string{"lag,down"}))
		Expect(hitCount(t.set, "never")).To(Equal(0), "a fault behind one that answers never sees the request")
	})
})

var _ = Describe("a rewriting fault in front of one that drops the connection", func() {
	It("lets the connection go: the client sees the reset, not a rewritten answer", func() {
		t := newTarget(1, fault("dup", "duplicate_match", nil), fault("rst", "connection_reset", nil))
		_, err := t.send(context.Background(), http.MethodGet, aliceFilter, nil)
		Expect(err).To(HaveOccurred())
		Eventually(t.scim.entries).Should(ConsistOf(And(HaveField("Status", 0), HaveField("Fault", "rst"))),
			"the rewriter found nothing to rewrite and gave its hit back")
	})
})

var _ = Describe("a rewriting fault in front of one the client gives up on", func() {
	It("records that the client went away", func() {
		t := newTarget(1, fault("empty", "empty_query_404", nil), fault("hang", "timeout", nil))
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := t.send(ctx, http.MethodGet, nobodyFilter, nil)
		Expect(err).To(MatchError(context.DeadlineExceeded))
		Eventually(t.scim.entries).Should(ConsistOf(And(HaveField("Status", 499), HaveField("Fault", "hang"))))
	})
})

var _ = Describe("matching", func() {
	It("matches on the tenant and resource the simulator recorded", func() {
		spec := fault("tenant-a", "server_error", nil)
		spec.Match.Tenant, spec.Match.Resource = "a", "Groups"
		info := func(c echo.Context) *faults.RequestInfo {
			// What the simulator would record: here the tenant comes from a header, to show the
			// faults trust SetRequestInfo over the URL.
			return &faults.RequestInfo{Tenant: c.Request().Header.Get("X-Tenant"), Resource: "Groups"}
		}
		t := newTargetWithInfo(1, info, spec)
		Expect(t.do(http.MethodGet, "/scim/v2/Users", nil).Status).To(Equal(200))
		r, err := t.client.Do(must(http.NewRequest(http.MethodGet, t.url+"/scim/v2/Users", nil)).withHeader("X-Tenant", "a"))
		Expect(err).NotTo(HaveOccurred())
		r.Body.Close()
		Expect(r.StatusCode).To(Equal(500))
	})
	It("derives the tenant from the URL when the simulator recorded nothing", func() {
		spec := fault("tenant-a", "server_error", nil)
		spec.Match.Tenant, spec.Match.Path = "a", "/Users"
		t := newTarget(1, spec)
		Expect(t.do(http.MethodGet, "/scim/v2/Users", nil).Status).To(Equal(200))
		Expect(t.do(http.MethodGet, "/tenants/b/scim/v2/Users", nil).Status).To(Equal(200))
		Expect(t.do(http.MethodGet, "/tenants/a/scim/v2/Users", nil).Status).To(Equal(500))
		Expect(t.do(http.MethodGet, "/tenants/a/scim/v2/Users/u-1", nil).Status).To(Equal(404), "path /Users does not match /Users/u-1")
	})
})

type request struct{ *http.Request }

func must(r *http.Request, err error) request {
	GinkgoHelper()
	Expect(err).NotTo(HaveOccurred())
	return request{r}
}

func (r request) withHeader(k, v string) *http.Request {
	r.Header.Set(k, v)
	return r.Request
}

func hitCount(set *faults.Set, name string) int {
	GinkgoHelper()
	n, ok := set.Hits(name)
	Expect(ok).To(BeTrue(), "no fault %q", name)
	return n
}
