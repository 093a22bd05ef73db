package simulator_test

import (
	"fmt"
	"net/url"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimsim/scimsim/simulator"
)

// caseRow is one row of testdata/case_folding.json: two names, and whether the simulator's one
// case rule (filter.Fold: Unicode simple case folding) makes them the same name.
type caseRow struct {
	Name, Stored, Other string
	Same                bool
}

// One rule for case: uniqueness, the indexes and filter evaluation fold case alike, so that an
// indexed filter (a lone eq on userName, emails.value or displayName) and a scanned one (the same
// eq inside an or) always find the same resources.
var _ = Describe("case folding", func() {
	DescribeTable("uniqueness, indexed filters and scanned filters agree",
		func(r caseRow) {
			ts := simulator.NewTestServer(GinkgoTB())
			base := ts.SCIMURL("")
			count := func(filter string) int {
				GinkgoHelper()
				resp := do("GET", base+"/Users?filter="+url.QueryEscape(filter), "", nil)
				Expect(resp.Status).To(Equal(200), "filter %s: %s", filter, resp.Body)
				return int(resp.JSON()["totalResults"].(float64))
			}
			user := func(name string) map[string]any {
				u := newUser(name)
				u["emails"] = []any{map[string]any{"value": name + "@contoso.com"}}
				return u
			}
			Expect(do("POST", base+"/Users", "", user(r.Stored)).Status).To(Equal(201))
			second := do("POST", base+"/Users", "", user(r.Other))
			want := 1 // each name finds the one user it names
			if r.Same {
				Expect(second.Status).To(Equal(409), "%q is %q: %s", r.Other, r.Stored, second.Body)
				Expect(second.ScimType()).To(Equal("uniqueness"))
			} else {
				Expect(second.Status).To(Equal(201), "%q is not %q: %s", r.Other, r.Stored, second.Body)
			}
			for _, name := range []string{r.Stored, r.Other} {
				q := fmt.Sprintf("%q", name)
				Expect(count("userName eq "+q)).To(Equal(want), "indexed userName eq %s", q)
				Expect(count("userName eq "+q+` or title eq "nobody"`)).To(Equal(want), "scanned userName eq %s", q)
				Expect(count("userName co "+q)).To(Equal(want), "userName co %s", q)
				Expect(count("userName sw "+q)).To(Equal(want), "userName sw %s", q)
				Expect(count("userName ew "+q)).To(Equal(want), "userName ew %s", q)
				mail := fmt.Sprintf("%q", name+"@contoso.com")
				Expect(count("emails.value eq "+mail)).To(Equal(want), "indexed emails.value eq %s", mail)
				Expect(count("emails.value eq "+mail+` or title eq "nobody"`)).To(Equal(want), "scanned emails.value eq %s", mail)
			}

			group := func(name string) map[string]any {
				return map[string]any{"schemas": []string{groupURN}, "displayName": name}
			}
			Expect(do("POST", base+"/Groups", "", group(r.Stored)).Status).To(Equal(201))
			g := do("POST", base+"/Groups", "", group(r.Other))
			if r.Same {
				Expect(g.Status).To(Equal(409), "group displayName %q is %q (entra profile)", r.Other, r.Stored)
			} else {
				Expect(g.Status).To(Equal(201))
			}
			for _, name := range []string{r.Stored, r.Other} {
				q := fmt.Sprintf("%q", name)
				indexed := do("GET", base+"/Groups?filter="+url.QueryEscape("displayName eq "+q), "", nil)
				scanned := do("GET", base+"/Groups?filter="+url.QueryEscape("displayName eq "+q+` or externalId eq "nobody"`), "", nil)
				Expect(indexed.IDs()).To(Equal(scanned.IDs()), "displayName eq %s", q)
				Expect(indexed.IDs()).To(HaveLen(1))
			}
		},
		caseEntries("testdata/case_folding.json", func(r caseRow) string { return r.Name }),
	)
})
