package simulator_test

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimsim/scimsim/simulator"
)

// unknownCase is one request naming an attribute the resource type does not define, with what
// each profile answers (testdata/unknown_cases.json).
type unknownCase struct {
	Name   string         `json:"name"`
	Method string         `json:"method"`
	Path   string         `json:"path"`
	Body   map[string]any `json:"body"`
	Strict unknownWant    `json:"strict"`
	Entra  unknownWant    `json:"entra"`
}

type unknownWant struct {
	Status   int            `json:"status"`
	ScimType string         `json:"scimType"`
	Detail   string         `json:"detail"` // a substring of the error's detail
	Want     map[string]any `json:"want"`   // paths of the stored resource afterwards
	Absent   []string       `json:"absent"`
}

func unknownEntries() []TableEntry {
	var out []TableEntry
	for _, c := range loadCases[unknownCase]("testdata/unknown_cases.json") {
		out = append(out, Entry("strict: "+c.Name, simulator.ProfileStrict, c, c.Strict))
		out = append(out, Entry("entra: "+c.Name, simulator.ProfileEntra, c, c.Entra))
	}
	return out
}

var _ = DescribeTable("unknown attributes at every depth (testdata/unknown_cases.json)", func(p simulator.Profile, c unknownCase, w unknownWant) {
	e := newEnv(p)
	r := e.do(c.Method, c.Path, c.Body)
	Expect(r.Status).To(Equal(w.Status), "body %s", r.Body)
	if w.Status >= 400 {
		Expect(r.ScimType()).To(Equal(w.ScimType))
		Expect(r.JSON()["detail"]).To(ContainSubstring(w.Detail))
		return
	}
	loc := c.Path
	if c.Method == "POST" {
		loc = c.Path + "/" + r.JSON()["id"].(string)
	}
	got := e.do("GET", loc, nil)
	Expect(got.Status).To(Equal(200))
	doc := got.JSON()
	expectValues(got, doc, w.Want)
	for _, path := range w.Absent {
		v, ok := pathValue(doc, path)
		if l, isList := v.([]any); isList && len(l) == 0 {
			ok = false
		}
		Expect(ok).To(BeFalse(), "%s stored: %s", path, got.Body)
	}
	Expect(strings.Contains(string(got.Body), "costCentre")).To(BeFalse(), "no unknown attribute is stored: %s", got.Body)
}, unknownEntries())
