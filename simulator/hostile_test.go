package simulator_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimsim/scimsim/simulator"
	"github.com/scimsim/scimsim/simulator/filter"
)

var _ = Describe("bad input", func() {
	var e *env
	BeforeEach(func() { e = newEnv(simulator.ProfileEntra) })

	DescribeTable("answers an RFC-shaped SCIM error",
		func(method, path string, body any, status int, scimType string) {
			r := e.do(method, path, body)
			Expect(r.Status).To(Equal(status), "body %s", r.Body)
			Expect(r.ScimType()).To(Equal(scimType))
		},
		Entry("malformed JSON", "POST", "/Users", `{"schemas": [`, 400, "invalidSyntax"),
		Entry("JSON that is not an object", "POST", "/Users", `[1,2]`, 400, "invalidSyntax"),
		Entry("missing schemas", "POST", "/Users", `{"userName":"x"}`, 400, "invalidSyntax"),
		Entry("missing required userName", "POST", "/Users", map[string]any{"schemas": []string{userURN}}, 400, "invalidValue"),
		Entry("wrong type", "POST", "/Users", map[string]any{"schemas": []string{userURN}, "userName": 7}, 400, "invalidValue"),
		Entry("empty POST body", "POST", "/Users", "", 400, "invalidSyntax"),
		Entry("extension attribute of the wrong type", "POST", "/Users",
			map[string]any{"schemas": []string{userURN, enterpriseURN}, "userName": "x", enterpriseURN: map[string]any{"employeeNumber": 5}}, 400, "invalidValue"),
		Entry("PUT with malformed JSON", "PUT", "/Users/u-alice", `{"schemas": `, 400, "invalidSyntax"),
		Entry("PUT without schemas", "PUT", "/Users/u-alice", `{"userName":"alice@contoso.com"}`, 400, "invalidSyntax"),
		Entry("PUT of a group with a wrong type", "PUT", "/Groups/g-sales", map[string]any{"schemas": []string{groupURN}, "displayName": true}, 400, "invalidValue"),
		Entry("PUT of an unknown id", "PUT", "/Users/nope", newUser("nope@contoso.com"), 404, ""),
		Entry("PATCH without the PatchOp schema", "PATCH", "/Users/u-alice", map[string]any{"Operations": []any{}}, 400, "invalidValue"),
		Entry("PATCH remove without a path", "PATCH", "/Users/u-alice", patchBody(map[string]any{"op": "remove"}), 400, "noTarget"),
		Entry("invalid filter", "GET", "/Users?filter="+url.QueryEscape(`userName eq`), nil, 400, "invalidFilter"),
		Entry("unknown route", "GET", "/Nope", nil, 404, ""),
		Entry("bulk, which the simulator does not implement (RFC 7644 §3.7)", "POST", "/Bulk", map[string]any{}, 501, ""),
		Entry("the /Me alias, which the simulator does not implement (RFC 7644 §3.11)", "GET", "/Me", nil, 501, ""),
		Entry("unknown resource id", "GET", "/Users/nope", nil, 404, ""),
		Entry("endpoints are case-sensitive", "GET", "/users", nil, 404, ""),
	)

	It("answers 404 with a SCIM error outside any tenant", func() {
		r := do("GET", e.ts.URL+"/nothing/here", "", nil)
		Expect(r.Status).To(Equal(404))
		r.ScimType()
	})

	It("answers 401 with WWW-Authenticate for a missing or wrong token, comparing the whole token", func() {
		for _, token := range []string{"", "t0", "t0k2", "T0K"} {
			r := do("GET", e.url("/Users"), token, nil)
			Expect(r.Status).To(Equal(401), "token %q", token)
			Expect(r.Header.Get("WWW-Authenticate")).To(HavePrefix("Bearer"))
			r.ScimType()
		}
		r := do("GET", e.url("/Users"), "", nil, "Authorization", "Basic dDBr")
		Expect(r.Status).To(Equal(401))
	})

	It("answers 413 for a body over the limit, with or without Content-Length", func() {
		small := newEnv(simulator.ProfileEntra, simulator.WithMaxBody(2048))
		big := `{"schemas":["` + userURN + `"],"userName":"` + strings.Repeat("x", 4096) + `"}`
		r := small.do("POST", "/Users", big)
		Expect(r.Status).To(Equal(413))
		r.ScimType()

		r = small.stream("POST", "/Users", strings.NewReader(big), -1)
		Expect(r.Status).To(Equal(413), "chunked, without Content-Length")
	})
})

// Hostile input: every request here is answered with the SCIM error it deserves (RFC 7644
// §3.12), nothing panics, and the server goes on serving — each spec ends with a normal request.
// Nothing is timed: the specs' own time limit (the suite's) is the bound.
var _ = Describe("hostile input", func() {
	var e *env
	BeforeEach(func() { e = newEnv(simulator.ProfileEntra) })
	AfterEach(func() {
		r := e.do("GET", "/Users?filter="+url.QueryEscape(`userName eq "alice@contoso.com"`), nil)
		Expect(r.Status).To(Equal(200), "the server keeps serving: %s", r.Body)
		Expect(r.IDs()).To(HaveLen(1))
	})

	nested := func(depth int, open, close string) string {
		return strings.Repeat(open, depth) + strings.Repeat(close, depth)
	}

	DescribeTable("deeply nested JSON (100,000 levels) is 400 invalidSyntax",
		func(method, path, body string) {
			r := e.do(method, path, body)
			Expect(r.Status).To(Equal(400), "body %s", r.Body)
			Expect(r.ScimType()).To(Equal("invalidSyntax"))
		},
		Entry("arrays in a user", "POST", "/Users", `{"schemas":["`+userURN+`"],"userName":"deep","x":`+nested(100000, "[", "]")+`}`),
		Entry("objects in a user", "POST", "/Users", `{"schemas":["`+userURN+`"],"userName":"deep","x":`+strings.Repeat(`{"a":`, 100000)+`1`+strings.Repeat("}", 100000)+`}`),
		Entry("a PATCH value", "PATCH", "/Users/u-alice", `{"schemas":["`+patchURN+`"],"Operations":[{"op":"add","path":"displayName","value":`+nested(100000, "[", "]")+`}]}`),
		Entry("a search request", "POST", "/Users/.search", `{"schemas":["`+searchURN+`"],"filter":`+nested(100000, "[", "]")+`}`),
		Entry("a bare array", "POST", "/Groups", nested(100000, "[", "]")),
	)

	It("answers a filter nested 50,000 parentheses deep with 400 invalidFilter", func() {
		f := strings.Repeat("(", 50000) + `userName eq "a"` + strings.Repeat(")", 50000)
		r := e.do("GET", "/Users?filter="+url.QueryEscape(f), nil)
		Expect(r.Status).To(Equal(400), "body %.200s", r.Body)
		Expect(r.ScimType()).To(Equal("invalidFilter"))
	})

	// Filters are capped at filter.DefaultMaxLength bytes, so the parser never walks 100 KB.
	DescribeTable("a 100 KB filter is 400 invalidFilter",
		func(filter string) {
			Expect(len(filter)).To(BeNumerically(">=", 100<<10))
			r := e.do("GET", "/Users?filter="+url.QueryEscape(filter), nil)
			Expect(r.Status).To(Equal(400), "body %.300s", r.Body)
			Expect(r.ScimType()).To(Equal("invalidFilter"))

			search := map[string]any{"schemas": []string{searchURN}, "filter": filter}
			r = e.do("POST", "/Users/.search", search)
			Expect(r.Status).To(Equal(400), "body %.300s", r.Body)
			Expect(r.ScimType()).To(Equal("invalidFilter"))
		},
		Entry("garbage", strings.Repeat("x", 100<<10)),
		Entry("an unterminated string", `userName eq "`+strings.Repeat("a", 100<<10)),
		Entry("a long chain of or with an unknown operator at the end",
			strings.Repeat(`userName eq "a" or `, 100<<10/19+1)+`userName zz "b"`),
		Entry("unbalanced parentheses", strings.Repeat("(", 100<<10)),
	)

	It("evaluates the longest filter it accepts, and names the limit beyond it", func() {
		or := `userName eq "nobody@contoso.com" or `
		last := `userName eq "bob@contoso.com"`
		f := strings.Repeat(or, (filter.DefaultMaxLength-len(last))/len(or)) + last
		r := e.do("POST", "/Users/.search", map[string]any{"schemas": []string{searchURN}, "filter": f})
		Expect(r.Status).To(Equal(200), "body %.300s", r.Body)
		Expect(r.IDs()).To(HaveLen(1))

		r = e.do("POST", "/Users/.search", map[string]any{"schemas": []string{searchURN}, "filter": or + f})
		Expect(r.Status).To(Equal(400))
		Expect(r.ScimType()).To(Equal("invalidFilter"))
		Expect(r.JSON()["detail"]).To(ContainSubstring(fmt.Sprintf("input is longer than %d bytes", filter.DefaultMaxLength)))
	})

	It("reads attributes= named 8,000 times as one name, and refuses more than 200 distinct names", func() {
		attrs := strings.TrimSuffix(strings.Repeat("emails.value,", 8000), ",")
		r := e.do("GET", "/Users?count=10&attributes="+url.QueryEscape(attrs), nil)
		Expect(r.Status).To(Equal(200), "body %.300s", r.Body)
		for _, res := range r.JSON()["Resources"].([]any) {
			Expect(res).NotTo(HaveKey("userName"), "only emails, id and schemas")
		}
		one := e.do("GET", "/Users/u-alice?excludedAttributes="+url.QueryEscape(strings.Repeat("emails,", 8000)), nil)
		Expect(one.Status).To(Equal(200))
		Expect(one.JSON()).NotTo(HaveKey("emails"))

		var many []string
		for i := range 201 {
			many = append(many, fmt.Sprintf("x%d", i))
		}
		r = e.do("GET", "/Users?attributes="+strings.Join(many, ","), nil)
		Expect(r.Status).To(Equal(400))
		Expect(r.ScimType()).To(Equal("invalidValue"))
		Expect(r.JSON()["detail"]).To(ContainSubstring("attributes names more than 200 distinct attributes"))
	})

	Describe("a PATCH of many members", func() {
		members := func(from, to int) []any {
			out := []any{}
			for i := from; i < to; i++ {
				out = append(out, map[string]any{"$ref": nil, "value": fmt.Sprintf("m-%d", i)})
			}
			return out
		}
		It("adds 10,000 members and removes 5,000 in one request each, and refuses more", func() {
			users := make([]map[string]any, 10000)
			for i := range users {
				users[i] = map[string]any{"id": fmt.Sprintf("m-%d", i), "userName": fmt.Sprintf("m%d@contoso.com", i)}
			}
			_, _, err := e.ts.Tenant(e.tenant).Seed(users, nil)
			Expect(err).NotTo(HaveOccurred())
			add := e.do("PATCH", "/Groups/g-sales", patchBody(map[string]any{"op": "Add", "path": "members", "value": members(0, 10000)}))
			Expect(add.Status).To(Equal(204), "body %.300s", add.Body)
			rm := e.do("PATCH", "/Groups/g-sales", patchBody(map[string]any{"op": "Remove", "path": "members", "value": members(0, 5000)}))
			Expect(rm.Status).To(Equal(204), "body %.300s", rm.Body)
			g := e.do("GET", "/Groups/g-sales", nil)
			v, _ := pathValue(g.JSON(), "members.value")
			Expect(v).To(HaveLen(5002), "u-alice, u-bob and the 5,000 left")
			Expect(v).To(ContainElements("u-alice", "m-5000", "m-9999"))
			Expect(v).NotTo(ContainElement("m-0"))

			over := e.do("PATCH", "/Groups/g-sales", patchBody(map[string]any{"op": "Add", "path": "members", "value": members(0, 10001)}))
			Expect(over.Status).To(Equal(413), "body %.300s", over.Body)
			Expect(over.JSON()["detail"]).To(Equal("the PATCH names 10001 members; one request may carry at most 10000"))
			ops := make([]map[string]any, 1001)
			for i := range ops {
				ops[i] = map[string]any{"op": "replace", "path": "displayName", "value": fmt.Sprint(i)}
			}
			many := e.do("PATCH", "/Groups/g-sales", patchBody(ops...))
			Expect(many.Status).To(Equal(413))
			Expect(many.JSON()["detail"]).To(Equal("the PATCH has 1001 operations; one request may carry at most 1000"))
			post := e.do("POST", "/Groups", map[string]any{"schemas": []string{groupURN}, "displayName": "Big", "members": members(0, 10001)})
			Expect(post.Status).To(Equal(413))
			Expect(post.JSON()["detail"]).To(ContainSubstring("the group lists 10001 members"))
		})

		It("refuses a member that names no user or group", func() {
			r := e.do("PATCH", "/Groups/g-sales", patchBody(map[string]any{"op": "Add", "path": "members", "value": []any{map[string]any{"value": "nobody"}}}))
			Expect(r.Status).To(Equal(400), "body %s", r.Body)
			Expect(r.ScimType()).To(Equal("invalidValue"))
			Expect(r.JSON()["detail"]).To(ContainSubstring(`no user or group has the id "nobody"`))
			r = e.do("POST", "/Groups", map[string]any{"schemas": []string{groupURN}, "displayName": "Ghosts", "members": []any{map[string]any{"value": "nobody"}}})
			Expect(r.Status).To(Equal(400))
			ok := e.do("PATCH", "/Groups/g-sales", patchBody(map[string]any{"op": "Add", "path": "members", "value": []any{map[string]any{"value": "g-eng"}}}))
			Expect(ok.Status).To(Equal(204), "a group is a member too: %s", ok.Body)
		})
	})

	It("stores a 900 KB userName and finds it again", func() {
		name := strings.Repeat("n", 900<<10)
		r := e.do("POST", "/Users", newUser(name))
		Expect(r.Status).To(Equal(201), "body %.200s", r.Body)
		id := r.JSON()["id"].(string)
		got := e.do("GET", "/Users/"+id, nil)
		Expect(got.Status).To(Equal(200))
		Expect(got.JSON()["userName"]).To(Equal(name))

		r = e.do("POST", "/Users", newUser(strings.ToUpper(name)))
		Expect(r.Status).To(Equal(409), "the same name in another case")
		Expect(r.ScimType()).To(Equal("uniqueness"))
	})

	DescribeTable("invalid UTF-8 is 400 invalidSyntax (RFC 8259 §8.1: JSON between systems is UTF-8)",
		func(method, path string, body string) {
			r := e.do(method, path, []byte(body))
			Expect(r.Status).To(Equal(400), "body %s", r.Body)
			Expect(r.ScimType()).To(Equal("invalidSyntax"))
			Expect(json.Valid(r.Body)).To(BeTrue(), "the error itself is valid JSON")
		},
		// Interpreted strings: \xff is one byte, not an escape JSON would refuse anyway.
		Entry("in a userName", "POST", "/Users", "{\"schemas\":[\""+userURN+"\"],\"userName\":\"bad\xff\xfe\"}"),
		Entry("in a key", "POST", "/Users", "{\"schemas\":[\""+userURN+"\"],\"userName\":\"ok\",\"\xc3\x28\":1}"),
		Entry("a surrogate in a PATCH value", "PATCH", "/Users/u-alice", "{\"schemas\":[\""+patchURN+"\"],\"Operations\":[{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"\xed\xa0\x80\"}]}"),
		Entry("in a PUT", "PUT", "/Users/u-alice", "{\"schemas\":[\""+userURN+"\"],\"userName\":\"alice@contoso.com\",\"displayName\":\"\xc0\xaf\"}"),
		Entry("in a search filter", "POST", "/Users/.search", "{\"schemas\":[\""+searchURN+"\"],\"filter\":\"userName eq \\\"\xff\\\"\"}"),
	)

	It("answers invalid UTF-8 in a filter query with 400 invalidFilter", func() {
		r := e.do("GET", "/Users?filter=userName%20eq%20%22%FF%FE%22", nil)
		Expect(r.Status).To(Equal(400), "body %s", r.Body)
		Expect(r.ScimType()).To(Equal("invalidFilter"))
		Expect(json.Valid(r.Body)).To(BeTrue())
	})

	Describe("a 10 MB body", func() {
		big := func() []byte {
			return []byte(`{"schemas":["` + userURN + `"],"userName":"` + strings.Repeat("b", 10<<20) + `"}`)
		}
		for _, path := range []string{"/Users", "/Users/.search", "/Groups"} {
			It("is 413 on POST "+path+" with a Content-Length", func() {
				b := big()
				r := e.stream("POST", path, bytes.NewReader(b), int64(len(b)))
				Expect(r.Status).To(Equal(413), "body %.200s", r.Body)
				Expect(r.JSON()["schemas"]).To(Equal([]any{errorURN}))
				Expect(r.JSON()["status"]).To(Equal("413"))
			})
			It("is 413 on POST "+path+" chunked", func() {
				r := e.stream("POST", path, bytes.NewReader(big()), -1)
				Expect(r.Status).To(Equal(413), "body %.200s", r.Body)
				Expect(r.JSON()["status"]).To(Equal("413"))
			})
		}
		It("is 413 on PATCH, chunked", func() {
			body := `{"schemas":["` + patchURN + `"],"Operations":[{"op":"replace","path":"displayName","value":"` + strings.Repeat("p", 10<<20) + `"}]}`
			r := e.stream("PATCH", "/Users/u-alice", strings.NewReader(body), -1)
			Expect(r.Status).To(Equal(413), "body %.200s", r.Body)
		})
	})
})

var _ = Describe("POST /admin/seed, streamed", func() {
	It("stores what a well-formed body holds and names what is wrong in another", func() {
		ts := simulator.NewTestServer(GinkgoTB())
		ok := do("POST", ts.URL+"/admin/seed?tenant=s", "", `{"groups": [{"displayName": "G"}], "users": [{"userName": "a"}, {"userName": "b"}]}`)
		Expect(ok.Status).To(Equal(200), "body %s", ok.Body)
		Expect(ok.JSON()).To(Equal(map[string]any{"users": 2.0, "groups": 1.0}))
		for body, want := range map[string]string{
			`{"users": [{"userName": "c"}, {"userName": "c"}]}`:                                    "already taken",
			`{"users": [{"userName": "c"}, {"nope": 1}]}`:                                          `User 2: 400 (invalidValue) - attribute "nope" is not defined for User`,
			`{"groups": [{"displayName": "G2", "members": [{"value": "x", "displayName": "X"}]}]}`: `Group 1: 400 (invalidValue) - attribute "members.displayName" is not defined for Group`,
			`{"users": {"userName": "c"}}`:                                                         "Users: want a list",
			`{"users": [{"userName": "c"}]} {}`:                                                    "more than one JSON value",
			`{"users": [{"userName": "c"}`:                                                         "body: ",
			`[]`:                                                                                   `want "{"`,
		} {
			r := do("POST", ts.URL+"/admin/seed?tenant=s", "", body)
			Expect(r.Status).To(BeNumerically(">=", 400), "%s: %s", body, r.Body)
			Expect(r.JSON()["error"]).To(ContainSubstring(want), body)
		}
		Expect(ts.Tenant("s").Users()).To(Equal(2), "a failed seed stores nothing")
	})
})
