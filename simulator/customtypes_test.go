package simulator_test

import (
	"encoding/json"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimsim/scimsim/simulator"
	"github.com/scimsim/scimsim/simulator/faults"
)

const (
	deviceURN = "urn:ietf:params:scim:schemas:acme:2.0:Device"
	assetURN  = "urn:ietf:params:scim:schemas:extension:acme:2.0:Asset"
)

// deviceSchemas are testdata/schemas/acme.json, device.json and resource-types.json, as serve
// --schema --schema --resource-types reads them.
func deviceSchemas() simulator.CustomSchemas {
	GinkgoHelper()
	cs, err := simulator.LoadSchemaFiles([]string{"../testdata/schemas/acme.json", "../testdata/schemas/device.json"}, "../testdata/schemas/resource-types.json")
	Expect(err).NotTo(HaveOccurred())
	return cs
}

func newDevice(serial, tag string) map[string]any {
	return map[string]any{"schemas": []string{deviceURN, assetURN}, "displayName": "Bob laptop", "serialNumber": serial,
		"unlockCode": "1234", "enrollmentSecret": "s3cret", assetURN: map[string]any{"assetTag": tag}}
}

type deviceCase struct {
	Name     string         `json:"name"`
	Method   string         `json:"method"`
	Path     string         `json:"path"`
	Body     any            `json:"body"`
	Status   int            `json:"status"`
	ScimType string         `json:"scimType"`
	Detail   string         `json:"detail"`
	Has      map[string]any `json:"has"`
	Lacks    []string       `json:"lacks"`
	Total    *int           `json:"total"`
}

var _ = Describe("new resource types (testdata/schemas/device.json)", func() {
	for _, tc := range loadCases[deviceCase]("testdata/device_cases.json") {
		It(tc.Name, func() {
			e := newEnv(simulator.ProfileStrict, simulator.WithSchemas(deviceSchemas()))
			created := e.do("POST", "/Devices", newDevice("SN-1", "A-1"))
			Expect(created.Status).To(Equal(201), "body %s", created.Body)
			Expect(created.Header.Get("Location")).To(HaveSuffix("/Devices/" + created.JSON()["id"].(string)))
			Expect(created.JSON()["meta"]).To(HaveKeyWithValue("resourceType", "Device"))
			r := e.do(tc.Method, strings.ReplaceAll(tc.Path, "{id}", created.JSON()["id"].(string)), tc.Body)
			Expect(r.Status).To(Equal(tc.Status), "body %s", r.Body)
			if tc.ScimType != "" {
				Expect(r.JSON()["scimType"]).To(Equal(tc.ScimType), "body %s", r.Body)
			}
			if tc.Detail != "" {
				Expect(r.JSON()["detail"]).To(ContainSubstring(tc.Detail))
			}
			for k, v := range tc.Has {
				Expect(r.JSON()).To(HaveKeyWithValue(k, v))
			}
			for _, k := range tc.Lacks {
				Expect(r.JSON()).NotTo(HaveKey(k))
			}
			if tc.Total != nil {
				Expect(r.JSON()["totalResults"]).To(BeNumerically("==", *tc.Total), "body %s", r.Body)
			}
		})
	}

	It("lists Device on /ResourceTypes with its required extension, and its schemas on /Schemas", func() {
		e := newEnv(simulator.ProfileStrict, simulator.WithSchemas(deviceSchemas()))
		rt := e.do("GET", "/ResourceTypes/Device", nil)
		Expect(rt.Status).To(Equal(200), "body %s", rt.Body)
		Expect(rt.JSON()).To(HaveKeyWithValue("endpoint", "/Devices"))
		Expect(rt.JSON()).To(HaveKeyWithValue("schema", deviceURN))
		Expect(rt.JSON()["schemaExtensions"]).To(ConsistOf(map[string]any{"schema": assetURN, "required": true}))
		for _, urn := range []string{deviceURN, assetURN} {
			Expect(e.do("GET", "/Schemas/"+urn, nil).Status).To(Equal(200), urn)
		}
	})

	It("pages a Device list by index and by cursor, and answers HEAD and If-None-Match", func() {
		e := newEnv(simulator.ProfileStrict, simulator.WithSchemas(deviceSchemas()))
		for _, sn := range []string{"SN-3", "SN-1", "SN-2"} {
			Expect(e.do("POST", "/Devices", newDevice(sn, "A"+sn)).Status).To(Equal(201))
		}
		page := e.do("GET", "/Devices?sortBy=serialNumber&count=2&startIndex=2&attributes=serialNumber", nil)
		Expect(page.JSON()["totalResults"]).To(BeNumerically("==", 3))
		Expect(page.JSON()["Resources"]).To(HaveExactElements(HaveKeyWithValue("serialNumber", "SN-2"), HaveKeyWithValue("serialNumber", "SN-3")))
		first := e.do("GET", "/Devices?cursor&count=2", nil)
		Expect(first.Status).To(Equal(200), "body %s", first.Body)
		next, _ := first.JSON()["nextCursor"].(string)
		Expect(next).NotTo(BeEmpty())
		Expect(e.do("GET", "/Devices?count=2&cursor="+next, nil).JSON()["Resources"]).To(HaveLen(1))
		id := page.IDs()[0]
		head := e.do("HEAD", "/Devices/"+id, nil)
		Expect(head.Status).To(Equal(200))
		Expect(head.Body).To(BeEmpty())
		Expect(e.do("GET", "/Devices/"+id, nil, "If-None-Match", head.Header.Get("ETag")).Status).To(Equal(304))
	})

	It("matches faults by the endpoint's name and journals the requests", func() {
		e := newEnv(simulator.ProfileStrict, simulator.WithSchemas(deviceSchemas()))
		_, err := e.ts.Tenant(e.tenant).Faults().Add(faults.Spec{Type: "server_error", Match: faults.Match{Resource: "Devices"}})
		Expect(err).NotTo(HaveOccurred())
		Expect(e.do("POST", "/Devices", newDevice("SN-1", "A-1")).Status).To(Equal(500))
		Expect(e.do("GET", "/Users", nil).Status).To(Equal(200))
	})

	It("keeps a tenant's own resource types and their resources across a restart, and across a reset", func() {
		dir := GinkgoT().TempDir()
		path := filepath.Join(dir, "state.json")
		cs := deviceSchemas()
		body, err := json.Marshal(cs)
		Expect(err).NotTo(HaveOccurred())
		a := simulator.NewTestServer(GinkgoTB(), simulator.WithClock(fixedClock), simulator.WithSeed(7))
		sf := simulator.NewStateFile(a.Server, path)
		Expect(sf.Load()).To(BeFalse())
		Expect(do("PUT", a.URL+"/admin/tenants/acme/schemas", "", body).Status).To(Equal(200))
		Expect(do("POST", a.SCIMURL("acme")+"/Devices", "", newDevice("SN-1", "A-1")).Status).To(Equal(201))
		Expect(do("GET", a.SCIMURL("")+"/Devices", "", nil).Status).To(Equal(404), "the default tenant has no Device")

		// No Save: the log alone has them.
		b := simulator.NewTestServer(GinkgoTB(), simulator.WithClock(fixedClock), simulator.WithSeed(7))
		sfb := simulator.NewStateFile(b.Server, path)
		Expect(sfb.Load()).To(BeTrue())
		Expect(do("GET", b.SCIMURL("acme")+"/Devices", "", nil).JSON()["totalResults"]).To(BeNumerically("==", 1))
		_, err = sfb.Save()
		Expect(err).NotTo(HaveOccurred())
		closeState(GinkgoTB(), sfb)
		closeState(GinkgoTB(), sf)

		// From the snapshot.
		c := simulator.NewTestServer(GinkgoTB(), simulator.WithClock(fixedClock), simulator.WithSeed(7))
		sfc := simulator.NewStateFile(c.Server, path)
		Expect(sfc.Load()).To(BeTrue())
		Expect(do("GET", c.SCIMURL("acme")+"/Devices?filter=serialNumber%20eq%20%22SN-1%22", "", nil).JSON()["totalResults"]).To(BeNumerically("==", 1))
		c.Tenant("acme").Reset()
		Expect(do("GET", c.SCIMURL("acme")+"/Devices", "", nil).JSON()["totalResults"]).To(BeNumerically("==", 0), "reset empties the store")
		Expect(do("GET", c.SCIMURL("acme")+"/ResourceTypes/Device", "", nil).Status).To(Equal(200), "and keeps the schemas")
		closeState(GinkgoTB(), sfc)
	})
})
