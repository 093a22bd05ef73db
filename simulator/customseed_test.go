package simulator_test

import (
	"bytes"
	"encoding/json"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimsim/scimsim/simulator"
)

// seedBody posts body to the tenant's POST /admin/seed and returns the status and the answer.
func (e *env) seedBody(body any) (int, map[string]any) {
	GinkgoHelper()
	raw, err := json.Marshal(body)
	Expect(err).NotTo(HaveOccurred())
	resp, err := http.Post(e.ts.URL+"/admin/seed?tenant="+e.tenant, "application/json", bytes.NewReader(raw))
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	var out map[string]any
	Expect(json.NewDecoder(resp.Body).Decode(&out)).To(Succeed())
	return resp.StatusCode, out
}

// A seed reads its resources with the tenant's own resource types: users with a custom extension,
// and a resource type of the tenant's own under its endpoint's name.
var _ = Describe("seeding a tenant with custom schemas", func() {
	It("stores users with a custom extension, validated against it", func() {
		e := acmeEnv(simulator.ProfileStrict)
		status, out := e.seedBody(map[string]any{"users": []any{acmeUser("seeded@contoso.com", map[string]any{"costCenter": "CC-9"})}})
		Expect(status).To(Equal(200), "answer %v", out)
		Expect(out).To(HaveKeyWithValue("users", BeNumerically("==", 1)))
		r := e.do("GET", "/Users?filter=userName%20eq%20%22seeded@contoso.com%22", nil)
		Expect(r.IDs()).To(HaveLen(1))
		got := e.do("GET", "/Users/"+r.IDs()[0], nil)
		Expect(got.JSON()[acmeURN]).To(HaveKeyWithValue("costCenter", "CC-9"))

		status, out = e.seedBody(map[string]any{"users": []any{acmeUser("bad@contoso.com", map[string]any{"costCenter": 5})}})
		Expect(status).To(Equal(400), "a custom attribute of the wrong type: %v", out)
	})

	It("stores resources of a tenant's own type under its endpoint's name", func() {
		e := newEnv(simulator.ProfileStrict, simulator.WithSchemas(deviceSchemas()))
		status, out := e.seedBody(map[string]any{"Devices": []any{newDevice("SN-7", "A-7"), newDevice("SN-8", "A-8")}})
		Expect(status).To(Equal(200), "answer %v", out)
		Expect(out["resources"]).To(HaveKeyWithValue("Devices", BeNumerically("==", 2)))
		Expect(e.do("GET", "/Devices", nil).JSON()["totalResults"]).To(BeNumerically("==", 2))

		status, out = e.seedBody(map[string]any{"Gadgets": []any{}})
		Expect(status).To(Equal(400))
		Expect(out["error"]).To(ContainSubstring(`unknown key "Gadgets"`))
		Expect(out["error"]).To(ContainSubstring("Devices"))
	})
})
