package simulator_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimsim/scimsim/simulator"
)

type etagCase struct {
	Name   string `json:"name"`
	Method string `json:"method"`
	Header string `json:"header"`
	Value  string `json:"value"`
	Status int    `json:"status"`
}

var _ = DescribeTable("conditional requests (RFC 7644 §3.14, RFC 9110 §13.1; testdata/etag_cases.json)", func(c etagCase) {
	e := newEnv(simulator.ProfileStrict)
	before := e.do("GET", "/Users/u-bob", nil)
	Expect(before.Header.Get("ETag")).To(Equal(`W/"1"`))
	var body any
	switch c.Method {
	case "PUT":
		body = map[string]any{"schemas": []string{userURN}, "userName": "bob@contoso.com", "title": "Boss"}
	case "PATCH":
		body = patchBody(map[string]any{"op": "replace", "path": "title", "value": "Boss"})
	}
	r := e.do(c.Method, "/Users/u-bob", body, c.Header, c.Value)
	Expect(r.Status).To(Equal(c.Status), "body %s", r.Body)
	switch c.Status {
	case 304:
		Expect(r.Body).To(BeEmpty())
		Expect(r.Header.Get("ETag")).To(Equal(`W/"1"`))
	case 412:
		Expect(r.ScimType()).To(BeEmpty())
		Expect(e.do("GET", "/Users/u-bob", nil).Body).To(Equal(before.Body), "a failed precondition changes nothing")
	}
	if c.Method == "GET" {
		h := e.do("HEAD", "/Users/u-bob", nil, c.Header, c.Value)
		Expect(h.Status).To(Equal(c.Status), "HEAD answers as GET")
	}
}, caseEntries("testdata/etag_cases.json", func(c etagCase) string { return c.Name }))
