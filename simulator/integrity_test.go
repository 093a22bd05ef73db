package simulator_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimsim/scimsim/simulator"
)

type integrityCase struct {
	Name   string         `json:"name"`
	Method string         `json:"method"`
	Path   string         `json:"path"`
	Body   map[string]any `json:"body"`
	Detail string         `json:"detail"`
}

// Both profiles: the apps Entra provisions refuse a member that does not exist with a 4xx
// (docs/conformance.md), and an empty or unprintable userName is never a real one.
var _ = DescribeTable("integrity: 400 invalidValue, nothing stored (testdata/integrity_cases.json)", func(p simulator.Profile, c integrityCase) {
	e := newEnv(p)
	before := e.do("GET", "/", nil)
	r := e.do(c.Method, c.Path, c.Body)
	Expect(r.Status).To(Equal(400), "body %s", r.Body)
	Expect(r.ScimType()).To(Equal("invalidValue"))
	Expect(r.JSON()["detail"]).To(ContainSubstring(c.Detail))
	Expect(e.do("GET", "/", nil).Body).To(Equal(before.Body), "nothing changed")
}, profileEntries("testdata/integrity_cases.json", func(c integrityCase) (string, string) { return c.Name, "" }))
