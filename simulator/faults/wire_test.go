package faults_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimsim/scimsim/simulator/faults"
)

// What a SCIM client such as Entra's provisioning service sees on the wire, for every type.

const (
	aliceFilter   = "/scim/v2/Users?filter=" + `userName%20eq%20%22alice@contoso.com%22`
	nobodyFilter  = "/scim/v2/Users?filter=" + `userName%20eq%20%225b8c1e0e-1d7e-4c1b-9a1f-6f3f2f3f6d11%22`
	titleFilter   = "/scim/v2/Users?filter=" + `title%20eq%20%22Sales%22`
	groupExcluded = "/scim/v2/Groups?excludedAttributes=members&filter=" + `displayName%20eq%20%22Sales%22`
)

func fault(name, typ string, attrs map[string]any) faults.Spec {
	return faults.Spec{Name: name, Type: typ, Attributes: attrs}
}

func alice() map[string]any {
	return map[string]any{"schemas": []any{userSchema}, "userName": "alice@contoso.com", "active": true, "title": "Sales"}
}

var _ = Describe("auth_failure", func() {
	It("answers 401 with WWW-Authenticate and a SCIM error, whatever the request", func() {
		t := newTarget(1, fault("auth", "auth_failure", nil))
		r := t.do(http.MethodGet, aliceFilter, nil)
		Expect(r.Status).To(Equal(http.StatusUnauthorized))
		Expect(r.Header.Get("Content-Type")).To(Equal("application/scim+json"))
		Expect(r.Header.Get("WWW-Authenticate")).To(Equal(`Bearer realm="scimsim", error="invalid_token"`))
		Expect(r.JSON()).To(beSCIMError("401", ""))
		Expect(t.hits()).To(Equal([]string{"auth"}))
	})
	It("answers 403 insufficient_scope with status 403", func() {
		t := newTarget(1, fault("forbidden", "auth_failure", map[string]any{"status": 403.0}))
		r := t.do(http.MethodPost, "/scim/v2/Users", alice())
		Expect(r.Status).To(Equal(http.StatusForbidden))
		Expect(r.Header.Get("WWW-Authenticate")).To(ContainSubstring(`error="insufficient_scope"`))
		Expect(r.JSON()).To(beSCIMError("403", ""))
		Expect(t.scim.userCount()).To(BeZero(), "the write must not reach the target")
	})
})

var _ = Describe("unsupported_filter", func() {
	It("answers 400 invalidFilter for a filter on the named attribute and lets others through", func() {
		t := newTarget(1, fault("nofilter", "unsupported_filter", map[string]any{"attribute": "title"}))
		t.scim.addUser(alice())
		r := t.do(http.MethodGet, titleFilter, nil)
		Expect(r.Status).To(Equal(http.StatusBadRequest))
		Expect(r.JSON()).To(And(beSCIMError("400", "invalidFilter"), HaveKeyWithValue("detail", "Filtering on title is not supported.")))
		Expect(t.do(http.MethodGet, aliceFilter, nil).Status).To(Equal(http.StatusOK))
		Expect(t.do(http.MethodGet, "/scim/v2/Users", nil).Status).To(Equal(http.StatusOK), "no filter, nothing to refuse")
		Expect(t.hits()).To(Equal([]string{"nofilter", "", ""}))
	})
	It("takes the attribute from match.filterAttribute, and reads Entra's value-path filters", func() {
		spec := fault("emails", "unsupported_filter", nil)
		spec.Match.FilterAttribute = "emails.value"
		t := newTarget(1, spec)
		q := url.QueryEscape(`emails[type eq "work"].value eq "alice@contoso.com"`)
		Expect(t.do(http.MethodGet, "/scim/v2/Users?filter="+q, nil).Status).To(Equal(http.StatusBadRequest))
		Expect(t.do(http.MethodGet, aliceFilter, nil).Status).To(Equal(http.StatusOK))
	})
	It("refuses any filter when no attribute is named", func() {
		t := newTarget(1, fault("any", "unsupported_filter", nil))
		Expect(t.statuses(1, aliceFilter)).To(Equal([]int{http.StatusBadRequest}))
		Expect(t.statuses(1, "/scim/v2/Users")).To(Equal([]int{http.StatusOK}))
	})
})

var _ = Describe("duplicate_match", func() {
	It("returns a query's only resource twice, the clone under another id", func() {
		t := newTarget(1, fault("dup", "duplicate_match", nil))
		id := t.scim.addUser(alice())
		r := t.do(http.MethodGet, aliceFilter, nil)
		Expect(r.Status).To(Equal(http.StatusOK))
		Expect(r.Header.Get("Content-Type")).To(Equal("application/scim+json"))
		body := r.JSON()
		Expect(body).To(HaveKeyWithValue("totalResults", 2.0))
		Expect(body).To(HaveKeyWithValue("itemsPerPage", 2.0))
		Expect(body).To(HaveKeyWithValue("schemas", ConsistOf(listSchema)))
		res := body["Resources"].([]any)
		Expect(res).To(HaveLen(2))
		first, clone := res[0].(map[string]any), res[1].(map[string]any)
		Expect(first["id"]).To(Equal(id))
		Expect(clone["id"]).To(MatchRegexp(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`))
		Expect(clone["userName"]).To(Equal("alice@contoso.com"))
		Expect(clone["meta"]).To(HaveKeyWithValue("location", "/scim/v2/Users/"+clone["id"].(string)))
		Expect(t.hits()).To(Equal([]string{"dup"}))
	})
	It("leaves a query with no result alone, and does not spend its count on it", func() {
		spec := fault("dup", "duplicate_match", nil)
		spec.Count = 1
		t := newTarget(1, spec)
		t.scim.addUser(alice())
		Expect(t.do(http.MethodGet, nobodyFilter, nil).JSON()).To(HaveKeyWithValue("totalResults", 0.0))
		Expect(t.do(http.MethodGet, aliceFilter, nil).JSON()).To(HaveKeyWithValue("totalResults", 2.0))
		Expect(t.do(http.MethodGet, aliceFilter, nil).JSON()).To(HaveKeyWithValue("totalResults", 1.0), "count 1 used up")
		Expect(t.hits()).To(Equal([]string{"", "dup", ""}))
	})
	It("also rewrites POST .search", func() {
		t := newTarget(1, fault("dup", "duplicate_match", nil))
		t.scim.addUser(alice())
		r := t.do(http.MethodPost, "/scim/v2/Users/.search", map[string]any{"filter": `userName eq "alice@contoso.com"`})
		Expect(r.JSON()).To(HaveKeyWithValue("totalResults", 2.0))
	})
})

var _ = Describe("throttle", func() {
	It("answers 429 with Retry-After and a SCIM error", func() {
		t := newTarget(1, fault("slow-down", "throttle", map[string]any{"retryAfter": 7}))
		r := t.do(http.MethodPatch, "/scim/v2/Users/u-1", map[string]any{"Operations": []any{}})
		Expect(r.Status).To(Equal(http.StatusTooManyRequests))
		Expect(r.Header.Get("Retry-After")).To(Equal("7"))
		Expect(r.JSON()).To(beSCIMError("429", ""))
	})
	It("defaults to Retry-After: 1", func() {
		t := newTarget(1, fault("", "throttle", nil))
		Expect(t.do(http.MethodGet, "/scim/v2/Users", nil).Header.Get("Retry-After")).To(Equal("1"))
		Expect(t.hits()).To(Equal([]string{"throttle-1"}))
	})
})

var _ = Describe("server_error", func() {
	DescribeTable("answers the status with a SCIM error body",
		func(attrs map[string]any, status int, retryAfter string) {
			t := newTarget(1, fault("boom", "server_error", attrs))
			r := t.do(http.MethodGet, "/scim/v2/Users", nil)
			Expect(r.Status).To(Equal(status))
			Expect(r.Header.Get("Retry-After")).To(Equal(retryAfter))
			Expect(r.Header.Get("Content-Type")).To(Equal("application/scim+json"))
			Expect(r.JSON()).To(beSCIMError(strconv.Itoa(status), ""))
		},
		Entry("default 500", nil, 500, ""),
		Entry("502", map[string]any{"status": 502}, 502, ""),
		Entry("503 with Retry-After", map[string]any{"status": 503.0, "retryAfter": 30.0}, 503, "30"),
	)
})

var _ = Describe("latency", func() {
	It("answers after the delay with the target's own answer", func() {
		t := newTarget(1, fault("lag", "latency", map[string]any{"delayMs": 5, "jitterMs": 5}))
		t.scim.addUser(alice())
		r := t.do(http.MethodGet, aliceFilter, nil)
		Expect(r.Status).To(Equal(http.StatusOK))
		Expect(r.JSON()).To(HaveKeyWithValue("totalResults", 1.0))
		Expect(t.hits()).To(Equal([]string{"lag"}))
	})
	It("stops waiting when the client gives up, and the write never happens", func() {
		t := newTarget(1, fault("lag", "latency", map[string]any{"delayMs": 600000}))
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := t.send(ctx, http.MethodPost, "/scim/v2/Users", alice())
		Expect(err).To(MatchError(context.DeadlineExceeded))
		Eventually(t.scim.entries).Should(ConsistOf(journalEntry{Method: "POST", Path: "/scim/v2/Users", Status: 499, Fault: "lag"}))
		Expect(t.scim.userCount()).To(BeZero())
	})
})

var _ = Describe("timeout", func() {
	It("holds the request until the client's deadline cuts it", func() {
		t := newTarget(1, fault("hang", "timeout", nil))
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := t.send(ctx, http.MethodGet, aliceFilter, nil)
		Expect(err).To(MatchError(context.DeadlineExceeded))
		Eventually(t.scim.entries).Should(ConsistOf(HaveField("Status", 499)))
	})
	It("closes the connection without an answer after holdMs", func() {
		t := newTarget(1, fault("hang", "timeout", map[string]any{"holdMs": 1}))
		_, err := t.send(context.Background(), http.MethodGet, aliceFilter, nil)
		Expect(err).To(MatchError(io.EOF))
		Eventually(t.scim.entries).Should(ConsistOf(journalEntry{Method: "GET", Path: "/scim/v2/Users", Query: aliceFilter[len("/scim/v2/Users?"):], Status: 0, Fault: "hang"}))
	})
})

var _ = Describe("conflict", func() {
	It("answers 409 uniqueness to writes and lets reads through without spending its count", func() {
		spec := fault("taken", "conflict", nil)
		spec.Count = 1
		t := newTarget(1, spec)
		Expect(t.do(http.MethodGet, "/scim/v2/Users", nil).Status).To(Equal(http.StatusOK))
		r := t.do(http.MethodPost, "/scim/v2/Users", alice())
		Expect(r.Status).To(Equal(http.StatusConflict))
		Expect(r.JSON()).To(beSCIMError("409", "uniqueness"))
		Expect(t.scim.userCount()).To(BeZero())
		Expect(t.do(http.MethodPost, "/scim/v2/Users", alice()).Status).To(Equal(http.StatusCreated))
	})
})

var _ = Describe("not_found", func() {
	It("answers 404 for a resource by id that exists, and leaves queries alone", func() {
		t := newTarget(1, fault("stale", "not_found", nil))
		id := t.scim.addUser(alice())
		r := t.do(http.MethodGet, "/scim/v2/Users/"+id, nil)
		Expect(r.Status).To(Equal(http.StatusNotFound))
		Expect(r.JSON()).To(And(beSCIMError("404", ""), HaveKeyWithValue("detail", "Resource "+id+" not found.")))
		Expect(t.do(http.MethodPatch, "/scim/v2/Users/"+id, map[string]any{"Operations": []any{map[string]any{"op": "replace", "path": "title", "value": "x"}}}).Status).To(Equal(http.StatusNotFound))
		Expect(t.do(http.MethodDelete, "/scim/v2/Users/"+id, nil).Status).To(Equal(http.StatusNotFound))
		Expect(t.do(http.MethodGet, aliceFilter, nil).Status).To(Equal(http.StatusOK))
		_, stored := t.scim.user(id)
		Expect(stored).To(BeTrue())
	})
})

var _ = Describe("malformed_response", func() {
	It("cuts the target's answer short: invalid JSON, still labelled SCIM", func() {
		t := newTarget(1, fault("cut", "malformed_response", nil))
		id := t.scim.addUser(alice())
		r := t.do(http.MethodGet, "/scim/v2/Users/"+id, nil)
		Expect(r.Status).To(Equal(http.StatusOK))
		Expect(r.Header.Get("Content-Type")).To(Equal("application/scim+json"))
		Expect(json.Valid(r.Body)).To(BeFalse())
		Expect(r.Body).NotTo(BeEmpty())
		Expect(string(r.Body)).To(HavePrefix(`{"active":true,`))
	})
	It("keeps keepBytes bytes", func() {
		t := newTarget(1, fault("cut", "malformed_response", map[string]any{"keepBytes": 3}))
		Expect(string(t.do(http.MethodGet, "/scim/v2/Users", nil).Body)).To(Equal(`{"R`), "the fake's keys are sorted: Resources comes first")
	})
	It("turns an empty 204 into a 200 with a cut body", func() {
		t := newTarget(1, fault("cut", "malformed_response", nil))
		id := t.scim.addUser(alice())
		r := t.do(http.MethodDelete, "/scim/v2/Users/"+id, nil)
		Expect(r.Status).To(Equal(http.StatusOK))
		Expect(json.Valid(r.Body)).To(BeFalse())
		Expect(string(r.Body)).To(HavePrefix(`{"schemas":`))
	})
})

var _ = Describe("drop_attribute", func() {
	var t *target
	var id string
	BeforeEach(func() {
		t = newTarget(1, fault("forget", "drop_attribute", map[string]any{"attribute": []any{"title", "name.givenName"}}))
		id = t.scim.addUser(map[string]any{"userName": "alice@contoso.com", "displayName": "Alice"})
	})
	It("accepts a create but does not store the attribute", func() {
		body := alice()
		body["name"] = map[string]any{"givenName": "Alice", "familyName": "Smith"}
		r := t.do(http.MethodPost, "/scim/v2/Users", body)
		Expect(r.Status).To(Equal(http.StatusCreated))
		created := r.JSON()
		Expect(created).NotTo(HaveKey("title"))
		Expect(created).To(HaveKeyWithValue("name", map[string]any{"familyName": "Smith"}))
		Expect(created).To(HaveKeyWithValue("userName", "alice@contoso.com"))
		Expect(t.hits()).To(Equal([]string{"forget"}))
	})
	It("drops PATCH operations on the attribute and keeps the others", func() {
		r := t.do(http.MethodPatch, "/scim/v2/Users/"+id, map[string]any{"Operations": []any{
			map[string]any{"op": "Replace", "path": "title", "value": "Boss"},
			map[string]any{"op": "Replace", "path": "displayName", "value": "Alice S"},
		}})
		Expect(r.Status).To(Equal(http.StatusOK))
		u, _ := t.scim.user(id)
		Expect(u).To(HaveKeyWithValue("displayName", "Alice S"))
		Expect(u).NotTo(HaveKey("title"))
	})
	It("strips the attribute from Entra's no-path replace", func() {
		r := t.do(http.MethodPatch, "/scim/v2/Users/"+id, map[string]any{"Operations": []any{
			map[string]any{"op": "Replace", "value": map[string]any{"title": "Boss", "name.givenName": "Al", "displayName": "Al"}},
		}})
		Expect(r.Status).To(Equal(http.StatusOK))
		u, _ := t.scim.user(id)
		Expect(u).To(And(HaveKeyWithValue("displayName", "Al"), Not(HaveKey("title")), Not(HaveKey("name.givenName"))))
	})
	It("answers 204 when every operation was on the attribute", func() {
		r := t.do(http.MethodPatch, "/scim/v2/Users/"+id, map[string]any{"Operations": []any{
			map[string]any{"op": "add", "path": "title", "value": "Boss"},
		}})
		Expect(r.Status).To(Equal(http.StatusNoContent))
		u, _ := t.scim.user(id)
		Expect(u).NotTo(HaveKey("title"))
	})
	It("does not count a write without the attribute as a hit", func() {
		Expect(t.do(http.MethodPost, "/scim/v2/Users", map[string]any{"userName": "bob"}).Status).To(Equal(http.StatusCreated))
		Expect(t.hits()).To(Equal([]string{""}))
	})
})

var _ = Describe("empty_query_404", func() {
	It("answers 404 to a query with no result, and 200 to one that finds something", func() {
		t := newTarget(1, fault("nothing", "empty_query_404", nil))
		t.scim.addUser(alice())
		r := t.do(http.MethodGet, nobodyFilter, nil)
		Expect(r.Status).To(Equal(http.StatusNotFound))
		Expect(r.Header.Get("Content-Type")).To(Equal("application/scim+json"))
		Expect(r.JSON()).To(beSCIMError("404", ""))
		Expect(t.do(http.MethodGet, aliceFilter, nil).Status).To(Equal(http.StatusOK))
		Expect(t.hits()).To(Equal([]string{"nothing", ""}))
	})
})

var _ = Describe("members_despite_exclusion", func() {
	It("returns group members although excludedAttributes=members was asked", func() {
		t := newTarget(1)
		t.scim.addGroup(map[string]any{"displayName": "Sales", "members": []any{map[string]any{"value": "u-9"}}})
		group := func() map[string]any {
			res := t.do(http.MethodGet, groupExcluded, nil).JSON()["Resources"].([]any)
			Expect(res).To(HaveLen(1))
			return res[0].(map[string]any)
		}
		Expect(group()).NotTo(HaveKey("members"), "the target honours the exclusion without the fault")
		_, err := t.set.Add(fault("members", "members_despite_exclusion", nil))
		Expect(err).NotTo(HaveOccurred())
		Expect(group()).To(HaveKeyWithValue("members", ConsistOf(HaveKeyWithValue("value", "u-9"))))
		Expect(t.scim.entries()[1]).To(And(HaveField("Query", ContainSubstring("excludedAttributes=members")), HaveField("Fault", "members")),
			"the journal sees the request as the client sent it")
	})
})

var _ = Describe("hide_inactive", func() {
	It("leaves inactive users out of queries and answers 404 for them by id", func() {
		t := newTarget(1, fault("hide", "hide_inactive", nil))
		aliceID := t.scim.addUser(alice())
		bob := map[string]any{"userName": "bob@contoso.com", "active": "False"}
		bobID := t.scim.addUser(bob)
		list := t.do(http.MethodGet, "/scim/v2/Users", nil).JSON()
		Expect(list).To(HaveKeyWithValue("totalResults", 1.0))
		Expect(list).To(HaveKeyWithValue("itemsPerPage", 1.0))
		Expect(list["Resources"]).To(ConsistOf(HaveKeyWithValue("id", aliceID)))
		r := t.do(http.MethodGet, "/scim/v2/Users/"+bobID, nil)
		Expect(r.Status).To(Equal(http.StatusNotFound))
		Expect(r.JSON()).To(beSCIMError("404", ""))
		Expect(t.do(http.MethodGet, "/scim/v2/Users/"+aliceID, nil).Status).To(Equal(http.StatusOK))
		Expect(t.hits()).To(Equal([]string{"hide", "hide", ""}))
	})
})

var _ = Describe("connection_reset", func() {
	It("closes the connection without an answer: the client gets an error, not a status", func() {
		t := newTarget(1, fault("rst", "connection_reset", nil))
		_, err := t.send(context.Background(), http.MethodGet, aliceFilter, nil)
		Expect(err).To(HaveOccurred())
		Expect(errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF)).To(BeTrue(), "got %v", err)
		Eventually(t.scim.entries).Should(ConsistOf(And(HaveField("Status", 0), HaveField("Fault", "rst"))))
	})
})

var _ = Describe("wrong_content_type", func() {
	It("answers 200 text/html with a page that is not SCIM", func() {
		t := newTarget(1, fault("html", "wrong_content_type", nil))
		r := t.do(http.MethodGet, aliceFilter, nil)
		Expect(r.Status).To(Equal(http.StatusOK))
		Expect(r.Header.Get("Content-Type")).To(HavePrefix("text/html"))
		Expect(bytes.Contains(r.Body, []byte("<html>"))).To(BeTrue())
		Expect(json.Valid(r.Body)).To(BeFalse())
	})
})

var _ = Describe("patch_no_content", func() {
	It("answers a PATCH 204 without a body, stores the change, and leaves other answers alone", func() {
		t := newTarget(1, fault("terse", "patch_no_content", nil))
		id := t.scim.addUser(alice())
		r := t.do(http.MethodPatch, "/scim/v2/Users/"+id, map[string]any{"Operations": []any{
			map[string]any{"op": "Replace", "path": "displayName", "value": "Alice S"},
		}})
		Expect(r.Status).To(Equal(http.StatusNoContent))
		Expect(r.Body).To(BeEmpty())
		Expect(r.Header.Get("Content-Type")).To(BeEmpty())
		u, _ := t.scim.user(id)
		Expect(u).To(HaveKeyWithValue("displayName", "Alice S"), "the change is stored")

		missing := t.do(http.MethodPatch, "/scim/v2/Users/nobody", map[string]any{"Operations": []any{
			map[string]any{"op": "Replace", "path": "displayName", "value": "X"},
		}})
		Expect(missing.Status).To(Equal(http.StatusNotFound), "an error is not turned into a success")
		Expect(t.do(http.MethodGet, "/scim/v2/Users/"+id, nil).Status).To(Equal(http.StatusOK))
		Expect(t.hits()).To(Equal([]string{"terse", "", ""}))
	})
})
