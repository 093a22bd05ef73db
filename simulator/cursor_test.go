package simulator_test

import (
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimsim/scimsim/simulator"
	"github.com/scimsim/scimsim/simulator/faults"
)

// cursorPage reads one page of a cursor walk: GET with the query, or POST .search with the same
// parameters in the body.
func cursorPage(e *env, post bool, resource, query, cursor string, count int) response {
	GinkgoHelper()
	if !post {
		q, err := url.ParseQuery(query)
		Expect(err).NotTo(HaveOccurred())
		q.Set("cursor", cursor)
		q.Set("count", fmt.Sprint(count))
		return e.do("GET", resource+"?"+q.Encode(), nil)
	}
	q, err := url.ParseQuery(query)
	Expect(err).NotTo(HaveOccurred())
	body := map[string]any{"schemas": []string{searchURN}, "cursor": cursor, "count": count}
	for k := range q {
		body[k] = q.Get(k)
	}
	return e.do("POST", resource+"/.search", body)
}

// walk follows nextCursor from the first page to the last and returns the ids in order.
func walk(e *env, post bool, resource, query string, count int) []string {
	GinkgoHelper()
	var ids []string
	cursor := ""
	for n := 0; ; n++ {
		Expect(n).To(BeNumerically("<", 1000), "a walk that does not end")
		r := cursorPage(e, post, resource, query, cursor, count)
		Expect(r.Status).To(Equal(200), "body %s", r.Body)
		m := r.JSON()
		Expect(m).NotTo(HaveKey("startIndex"), "startIndex belongs to index paging")
		page := r.IDs()
		Expect(m["itemsPerPage"]).To(BeNumerically("==", len(page)))
		Expect(len(page)).To(BeNumerically("<=", count))
		if n == 0 {
			Expect(m).NotTo(HaveKey("previousCursor"), "RFC 9865 §2: previousCursor MUST not be returned with the first page")
		}
		ids = append(ids, page...)
		next, ok := m["nextCursor"].(string)
		if !ok {
			return ids
		}
		Expect(next).To(MatchRegexp(`^[A-Za-z0-9._~-]+$`), "RFC 9865 §2: unreserved characters only")
		cursor = next
	}
}

// indexed returns every id of the query by index paging, in one page.
func indexed(e *env, resource, query string) []string {
	GinkgoHelper()
	q, _ := url.ParseQuery(query)
	q.Set("count", "1000")
	r := e.do("GET", resource+"?"+q.Encode(), nil)
	Expect(r.Status).To(Equal(200))
	return r.IDs()
}

func seedUsers(e *env, n int) {
	GinkgoHelper()
	for i := range n {
		u := newUser(fmt.Sprintf("walker%03d@contoso.com", i))
		u["title"] = fmt.Sprintf("T%d", i%4)
		Expect(e.do("POST", "/Users", u).Status).To(Equal(201))
	}
}

var _ = Describe("RFC 9865 cursors", func() {
	DescribeTable("a walk returns the query's results once each, in the order of index paging",
		func(resource, query string, count int) {
			e := newEnv(simulator.ProfileStrict)
			seedUsers(e, 23)
			want := indexed(e, resource, query)
			Expect(len(want)).To(BeNumerically(">", count))
			for _, post := range []bool{false, true} {
				Expect(walk(e, post, resource, query, count)).To(Equal(want), "post %v", post)
			}
		},
		Entry("users", "/Users", "", 5),
		Entry("users, a page of one", "/Users", "", 1),
		Entry("a filter", "/Users", "filter="+url.QueryEscape(`userName sw "walker"`), 4),
		Entry("sorted", "/Users", "sortBy=title", 6),
		Entry("sorted descending", "/Users", "sortBy=userName&sortOrder=descending", 7),
		Entry("the root, users then groups", "", "", 5),
	)

	It("walks back with previousCursor to the first page", func() {
		e := newEnv(simulator.ProfileStrict)
		seedUsers(e, 10)
		r1 := cursorPage(e, false, "/Users", "", "", 4)
		r2 := cursorPage(e, false, "/Users", "", r1.JSON()["nextCursor"].(string), 4)
		prev, ok := r2.JSON()["previousCursor"].(string)
		Expect(ok).To(BeTrue(), "the second page offers previousCursor: %s", r2.Body)
		back := cursorPage(e, false, "/Users", "", prev, 4)
		Expect(back.IDs()).To(Equal(r1.IDs()))
		Expect(back.JSON()).NotTo(HaveKey("previousCursor"), "the page reached is the first")
		Expect(back.JSON()["nextCursor"]).NotTo(BeEmpty())
	})

	It("neither repeats nor skips a resource that exists throughout a walk under concurrent writes", func() {
		e := newEnv(simulator.ProfileStrict)
		seedUsers(e, 120)
		before := indexed(e, "/Users", "")
		stop := make(chan struct{})
		var wg sync.WaitGroup
		var writes atomic.Int64
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer GinkgoRecover()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				r := do("POST", e.url("/Users"), e.token, newUser(fmt.Sprintf("churn%d@contoso.com", i)))
				if r.Status == 201 && i%2 == 0 {
					do("DELETE", e.url("/Users/"+r.JSON()["id"].(string)), e.token, nil)
				}
				writes.Add(1)
			}
		}()
		got := walk(e, false, "/Users", "", 7)
		close(stop)
		wg.Wait()
		Expect(writes.Load()).To(BeNumerically(">", 0))
		seen := map[string]int{}
		for _, id := range got {
			seen[id]++
		}
		for _, id := range before {
			Expect(seen[id]).To(Equal(1), "user %s, there before and after the walk, came %d times", id, seen[id])
		}
		for id, n := range seen {
			Expect(n).To(Equal(1), "id %s came %d times", id, n)
		}
	})

	It("answers count 0 with totalResults alone", func() {
		e := newEnv(simulator.ProfileStrict)
		m := cursorPage(e, false, "/Users", "", "", 0).JSON()
		Expect(m["totalResults"]).To(BeNumerically("==", 4))
		Expect(m["Resources"]).To(BeEmpty())
		Expect(m).NotTo(HaveKey("nextCursor"))
	})

	Describe("errors (RFC 9865 §2.1)", func() {
		var e *env
		var next string
		var now atomic.Int64
		BeforeEach(func() {
			now.Store(fixedNow.Unix())
			e = newEnv(simulator.ProfileStrict, simulator.WithClock(func() time.Time { return time.Unix(now.Load(), 0) }))
			next = cursorPage(e, false, "/Users", "", "", 2).JSON()["nextCursor"].(string)
		})
		DescribeTable("each a 400 with the RFC's scimType",
			func(request func() response, scimType string) {
				r := request()
				Expect(r.Status).To(Equal(400), "body %s", r.Body)
				Expect(r.ScimType()).To(Equal(scimType))
			},
			Entry("a cursor the server never issued", func() response { return cursorPage(e, false, "/Users", "", "garbage", 2) }, "invalidCursor"),
			Entry("an edited cursor", func() response { return cursorPage(e, false, "/Users", "", "x"+next, 2) }, "invalidCursor"),
			Entry("a cursor of another query", func() response {
				return cursorPage(e, false, "/Users", "filter="+url.QueryEscape("userName pr"), next, 2)
			}, "invalidCursor"),
			Entry("a cursor of another endpoint", func() response { return cursorPage(e, false, "/Groups", "", next, 2) }, "invalidCursor"),
			Entry("a cursor of another tenant", func() response {
				other := newEnv(simulator.ProfileStrict)
				return cursorPage(other, false, "/Users", "", next, 2)
			}, "invalidCursor"),
			Entry("a count other than the walk's", func() response { return cursorPage(e, false, "/Users", "", next, 3) }, "invalidCount"),
			Entry("a count above maxPageSize", func() response { return cursorPage(e, false, "/Users", "", "", 1001) }, "invalidCount"),
			Entry("a cursor older than cursorTimeout", func() response {
				now.Add(3601)
				return cursorPage(e, false, "/Users", "", next, 2)
			}, "expiredCursor"),
			Entry("startIndex with cursor", func() response { return e.do("GET", "/Users?cursor&startIndex=2", nil) }, "invalidValue"),
		)
		It("accepts a cursor within cursorTimeout", func() {
			now.Add(3600)
			Expect(cursorPage(e, false, "/Users", "", next, 2).Status).To(Equal(200))
		})
	})

	It("advertises the pagination capabilities in /ServiceProviderConfig (RFC 9865 §4)", func() {
		e := newEnv(simulator.ProfileEntra)
		Expect(e.do("GET", "/ServiceProviderConfig", nil).JSON()["pagination"]).To(Equal(map[string]any{
			"cursor": true, "index": true, "defaultPaginationMethod": "index",
			"defaultPageSize": float64(100), "maxPageSize": float64(1000), "cursorTimeout": float64(3600),
		}))
	})

	It("leaves index paging as it was: no cursor without the parameter", func() {
		e := newEnv(simulator.ProfileEntra)
		m := e.do("GET", "/Users?startIndex=2&count=2", nil).JSON()
		Expect(m["startIndex"]).To(BeNumerically("==", 2))
		Expect(m).NotTo(HaveKey("nextCursor"))
	})

	DescribeTable("the bad_cursor fault", func(mode string, check func(e *env, walked []string, all []string)) {
		e := newEnv(simulator.ProfileStrict)
		seedUsers(e, 8)
		all := indexed(e, "/Users", "")
		_, err := e.ts.Admin.AddFault(ctx(), e.tenant, faults.Spec{Name: "c", Type: "bad_cursor", Count: 1, Attributes: map[string]any{"mode": mode}})
		Expect(err).NotTo(HaveOccurred())
		var walked []string
		cursor := ""
		for range 20 {
			r := cursorPage(e, false, "/Users", "", cursor, 3)
			walked = append(walked, r.IDs()...)
			next, ok := r.JSON()["nextCursor"].(string)
			if !ok {
				break
			}
			cursor = next
		}
		check(e, walked, all)
		entries, err := e.ts.Admin.Requests(ctx(), e.tenant)
		Expect(err).NotTo(HaveOccurred())
		hits := 0
		for _, en := range entries {
			if en.Fault == "c" {
				hits++
			}
		}
		Expect(hits).To(Equal(1), "count 1: one page misbehaved")
	},
		Entry("repeat sends the client back to the page it read", "repeat", func(e *env, walked, all []string) {
			Expect(walked).To(HaveLen(len(all) + 3))
			Expect(walked[:3]).To(Equal(walked[3:6]))
		}),
		Entry("skip leads past the next page", "skip", func(e *env, walked, all []string) {
			Expect(walked).To(Equal(append(append([]string{}, all[:3]...), all[6:]...)))
		}),
	)
})
