package simulator_test

import (
	"fmt"
	"net/url"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimsim/scimsim/simulator"
)

// representCase is one write of testdata/represent_cases.json and what the resource it leaves
// must and must not hold (RFC 7643 §2.5).
type representCase struct {
	Name    string         `json:"name"`
	Method  string         `json:"method"`
	Path    string         `json:"path"`
	Body    map[string]any `json:"body"`
	Absent  []string       `json:"absent"`
	Present map[string]any `json:"present"`
	Schemas []string       `json:"schemas"`
}

// unassignedIn returns the paths of doc that hold null, an empty list or an empty object.
func unassignedIn(v any, at string) []string {
	var out []string
	switch v := v.(type) {
	case nil:
		return []string{at}
	case map[string]any:
		if len(v) == 0 {
			return []string{at}
		}
		for k, e := range v {
			out = append(out, unassignedIn(e, strings.TrimPrefix(at+"."+k, "."))...)
		}
	case []any:
		if len(v) == 0 {
			return []string{at}
		}
		for i, e := range v {
			out = append(out, unassignedIn(e, fmt.Sprintf("%s[%d]", at, i))...)
		}
	}
	return out
}

var _ = DescribeTable("unassigned attributes are omitted on every route (testdata/represent_cases.json)", func(p simulator.Profile, c representCase) {
	e := newEnv(p)
	w := e.do(c.Method, c.Path, c.Body)
	Expect(w.Status).To(BeElementOf(200, 201, 204), "body %s", w.Body)
	loc := c.Path
	if w.Status == 201 {
		loc = c.Path + "/" + w.JSON()["id"].(string)
	}
	resource, id, _ := strings.Cut(strings.TrimPrefix(loc, "/"), "/")
	get := e.do("GET", loc, nil)
	Expect(get.Status).To(Equal(200))
	list := e.do("GET", "/"+resource+"?filter="+url.QueryEscape(`id eq "`+id+`"`), nil)
	search := e.do("POST", "/"+resource+"/.search", map[string]any{"schemas": []string{searchURN}, "filter": `id eq "` + id + `"`})
	root := e.do("POST", "/.search", map[string]any{"schemas": []string{searchURN}, "filter": `id eq "` + id + `"`})
	docs := map[string]map[string]any{"GET": get.JSON()}
	if w.Status != 204 {
		docs[c.Method+" reply"] = w.JSON()
	}
	for name, r := range map[string]response{"list": list, ".search": search, "root .search": root} {
		Expect(r.Status).To(Equal(200), "%s: %s", name, r.Body)
		rs := r.JSON()["Resources"].([]any)
		Expect(rs).To(HaveLen(1), "%s: %s", name, r.Body)
		docs[name] = rs[0].(map[string]any)
	}
	for name, doc := range docs {
		Expect(unassignedIn(doc, "")).To(BeEmpty(), "%s holds unassigned values: %v", name, doc)
		for _, path := range c.Absent {
			_, ok := pathValue(doc, path)
			Expect(ok).To(BeFalse(), "%s: %s in %v", name, path, doc)
		}
		for path, want := range c.Present {
			v, ok := pathValue(doc, path)
			Expect(ok).To(BeTrue(), "%s: %s missing from %v", name, path, doc)
			Expect(v).To(Equal(want))
		}
		if c.Schemas != nil {
			Expect(doc["schemas"]).To(ConsistOf(toAny(c.Schemas)...), name)
		}
		Expect(doc).To(Equal(docs["GET"]), "%s reads as GET does", name)
	}
}, profileEntries("testdata/represent_cases.json", func(c representCase) (string, string) { return c.Name, "" }))

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
