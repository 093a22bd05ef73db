package simulator_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimsim/scimsim/simulator"
	"github.com/scimsim/scimsim/simulator/faults"
)

// faultAttrs are attributes that keep each fault type quick in a spec; types not listed take
// their defaults.
var faultAttrs = map[string]map[string]any{
	"latency":        {"delayMs": 1},
	"timeout":        {"holdMs": 20},
	"drop_attribute": {"attribute": "title"},
}

// faultRequests is a request each fault type acts on (method, path, body); others get a
// userName query that finds one user.
var faultRequests = map[string][3]string{
	"conflict":                  {"POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"new@contoso.com"}`},
	"drop_attribute":            {"POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"new@contoso.com","title":"CTO"}`},
	"empty_query_404":           {"GET", "/Users?filter=" + url.QueryEscape(`userName eq "nobody@contoso.com"`), ""},
	"hide_inactive":             {"GET", "/Users?filter=" + url.QueryEscape(`active eq false`), ""},
	"members_despite_exclusion": {"GET", "/Groups?excludedAttributes=members&filter=" + url.QueryEscape(`displayName eq "Sales"`), ""},
	"not_found":                 {"GET", "/Users/u-alice", ""},
}

func faultTypeEntries() []TableEntry {
	var out []TableEntry
	for _, t := range faults.Types() {
		out = append(out, Entry(t.Name, t.Name))
	}
	return out
}

// Every registered fault type, through the simulator's middleware chain: the request is
// journalled with the fault's name, nothing but server_error answers 5xx, and the tenant serves
// normally once the fault is gone.
var _ = DescribeTable("every fault type through the simulator", func(typ string) {
	e := newEnv(simulator.ProfileEntra)
	_, err := e.ts.Admin.AddFault(ctx(), e.tenant, faults.Spec{Name: "f", Type: typ, Count: 1, Attributes: faultAttrs[typ]})
	Expect(err).NotTo(HaveOccurred())

	hc := &http.Client{Timeout: 5 * time.Second}
	r, ok := faultRequests[typ]
	if !ok {
		r = [3]string{"GET", "/Users?filter=" + url.QueryEscape(`userName eq "alice@contoso.com"`), ""}
	}
	req, _ := http.NewRequest(r[0], e.url(r[1]), strings.NewReader(r[2]))
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := hc.Do(req)
	if err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if typ != "server_error" {
			Expect(resp.StatusCode).To(BeNumerically("<", 500), typ)
		}
	} else {
		Expect(typ).To(BeElementOf("connection_reset", "timeout"), "only the connection faults drop the connection: %v", err)
	}

	// A dropped connection reaches the client before the server has finished journalling it.
	var entries []simulator.JournalEntry
	Eventually(func() ([]simulator.JournalEntry, error) {
		var err error
		entries, err = e.ts.Admin.Requests(ctx(), e.tenant)
		return entries, err
	}).Should(HaveLen(1))
	Expect(entries[0].Fault).To(Equal("f"), "the journal names the fault that hit the request")
	if typ == "connection_reset" || typ == "timeout" {
		Expect(entries[0].Status).To(BeZero(), "a dropped connection answered nothing")
	}

	Expect(e.ts.Admin.ClearFaults(ctx(), e.tenant)).To(Succeed())
	Expect(e.do("GET", "/Users?filter="+url.QueryEscape(`userName eq "alice@contoso.com"`), nil).IDs()).To(Equal([]string{"u-alice"}))
}, faultTypeEntries())
