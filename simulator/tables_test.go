package simulator_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimsim/scimsim/simulator"
)

// profilesOf returns the profiles a case runs in: the one it names, or both.
func profilesOf(p string) []simulator.Profile {
	if p == "" {
		return []simulator.Profile{simulator.ProfileEntra, simulator.ProfileStrict}
	}
	return []simulator.Profile{simulator.Profile(p)}
}

// loadCases reads a testdata table at tree construction (Ginkgo needs the entries before
// RunSpecs), in file order.
func loadCases[T any](path string) []T {
	raw, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	var cases []T
	if err := json.Unmarshal(raw, &cases); err != nil {
		panic(path + ": " + err.Error())
	}
	return cases
}

// caseEntries makes the entries of the table at path, one a case, named by name.
func caseEntries[T any](path string, name func(T) string) []TableEntry {
	var out []TableEntry
	for _, c := range loadCases[T](path) {
		out = append(out, Entry(name(c), c))
	}
	return out
}

// profileEntries makes the entries of the table at path: each case in each profile profilesOf
// gives for it, named "profile: name", with head giving a case's name and profile.
func profileEntries[T any](path string, head func(T) (name, profile string)) []TableEntry {
	var out []TableEntry
	for _, c := range loadCases[T](path) {
		name, profile := head(c)
		for _, p := range profilesOf(profile) {
			out = append(out, Entry(string(p)+": "+name, p, c))
		}
	}
	return out
}

// expectValues checks that doc, the resource got carries, holds each path of want with its value.
func expectValues(got response, doc, want map[string]any) {
	GinkgoHelper()
	for path, w := range want {
		v, ok := pathValue(doc, path)
		Expect(ok).To(BeTrue(), "%s missing from %s", path, got.Body)
		Expect(v).To(Equal(w), "%s in %s", path, got.Body)
	}
}

type filterCase struct {
	Name     string   `json:"name"`
	Profile  string   `json:"profile"`
	Resource string   `json:"resource"`
	Filter   string   `json:"filter"`
	Want     []string `json:"want"`
	Error    string   `json:"error"`
}

var _ = DescribeTable("filters (testdata/filter_cases.json)", func(p simulator.Profile, c filterCase) {
	e := newEnv(p)
	get := e.do("GET", "/"+c.Resource+"?filter="+url.QueryEscape(c.Filter), nil)
	search := e.do("POST", "/"+c.Resource+"/.search", map[string]any{"schemas": []string{searchURN}, "filter": c.Filter})
	for _, r := range []response{get, search} {
		if c.Error != "" {
			Expect(r.Status).To(Equal(400), "body %s", r.Body)
			Expect(r.ScimType()).To(Equal(c.Error))
			continue
		}
		Expect(r.Status).To(Equal(200), "body %s", r.Body)
		Expect(r.IDs()).To(Equal(c.Want))
		m := r.JSON()
		Expect(m["totalResults"]).To(BeNumerically("==", len(c.Want)))
		Expect(m["itemsPerPage"]).To(BeNumerically("==", len(c.Want)))
	}
}, profileEntries("testdata/filter_cases.json", func(c filterCase) (string, string) { return c.Name, c.Profile }))

type patchCase struct {
	Name     string           `json:"name"`
	Profile  string           `json:"profile"`
	Resource string           `json:"resource"`
	ID       string           `json:"id"`
	Ops      []map[string]any `json:"ops"`
	Status   int              `json:"status"`
	ScimType string           `json:"scimType"`
	Want     map[string]any   `json:"want"`
	Absent   []string         `json:"absent"`
	Version  int              `json:"version"` // meta.version after the PATCH; 0 means 2
	Reason   string           `json:"reason"`
}

var _ = DescribeTable("PATCH (testdata/patch_cases.json)", func(p simulator.Profile, c patchCase) {
	e := newEnv(p)
	before := e.do("GET", "/"+c.Resource+"/"+c.ID, nil)
	r := e.do("PATCH", "/"+c.Resource+"/"+c.ID, patchBody(c.Ops...))
	Expect(r.Status).To(Equal(c.Status), "body %s", r.Body)
	if c.Status >= 400 {
		Expect(r.ScimType()).To(Equal(c.ScimType))
		after := e.do("GET", "/"+c.Resource+"/"+c.ID, nil)
		Expect(after.Body).To(Equal(before.Body), "a failed PATCH changes nothing")
		return
	}
	want := 2
	if c.Version != 0 {
		want = c.Version
	}
	version := fmt.Sprintf(`W/"%d"`, want)
	Expect(r.Header.Get("ETag")).To(Equal(version), c.Reason)
	got := e.do("GET", "/"+c.Resource+"/"+c.ID, nil)
	Expect(got.Status).To(Equal(200))
	doc := got.JSON()
	if c.Status == 200 {
		Expect(r.JSON()).To(Equal(doc), "the PATCH answer is the resource as GET returns it")
	}
	expectValues(got, doc, c.Want)
	for _, path := range c.Absent {
		_, ok := pathValue(doc, path)
		Expect(ok).To(BeFalse(), "%s still in %s", path, got.Body)
	}
	Expect(doc["meta"]).To(HaveKeyWithValue("version", version))
}, profileEntries("testdata/patch_cases.json", func(c patchCase) (string, string) { return c.Name, c.Profile }))

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
