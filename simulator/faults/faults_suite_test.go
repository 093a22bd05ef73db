package faults_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimsim/scimsim/simulator/faults"
	"github.com/scimsim/scimsim/simulator/internal/scimtest"
)

func TestFaults(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "faults")
}

// target is the fake SCIM app with a fault set in front of it, served over loopback HTTP.
type target struct {
	scim   *fakeSCIM
	set    *faults.Set
	url    string
	client *http.Client
}

// newTarget starts a target for one spec; the server closes when the spec ends. Keep-alives are
// off so that a fault that kills a connection never makes the client retry on a reused one.
func newTarget(seed int64, specs ...faults.Spec) *target {
	return newTargetWithInfo(seed, nil, specs...)
}

func newTargetWithInfo(seed int64, info func(echo.Context) *faults.RequestInfo, specs ...faults.Spec) *target {
	GinkgoHelper()
	t := &target{scim: newFakeSCIM(), set: faults.NewSet(seed)}
	for _, s := range specs {
		_, err := t.set.Add(s)
		Expect(err).NotTo(HaveOccurred())
	}
	srv := httptest.NewServer(t.scim.app(t.set, info))
	DeferCleanup(srv.Close)
	t.url = srv.URL
	t.client = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	return t
}

// response is what the client saw: status, headers and the whole body.
type response = scimtest.Response

// send makes one request; body, when not nil, is sent as SCIM JSON (scimtest.NewRequest).
func (t *target) send(ctx context.Context, method, path string, body any) (response, error) {
	req, err := scimtest.NewRequest(method, t.url+path, body)
	if err != nil {
		return response{}, err
	}
	resp, err := t.client.Do(req.WithContext(ctx))
	if err != nil {
		return response{}, err
	}
	return scimtest.Read(resp)
}

// do makes a request that must get an answer.
func (t *target) do(method, path string, body any) response {
	GinkgoHelper()
	r, err := t.send(context.Background(), method, path, body)
	Expect(err).NotTo(HaveOccurred())
	return r
}

// statuses makes n GET requests to path and returns their statuses.
func (t *target) statuses(n int, path string) []int {
	GinkgoHelper()
	out := make([]int, n)
	for i := range out {
		out[i] = t.do(http.MethodGet, path, nil).Status
	}
	return out
}

// hits lists, per journal entry, the fault that hit it.
func (t *target) hits() []string {
	var out []string
	for _, e := range t.scim.entries() {
		out = append(out, e.Fault)
	}
	return out
}

// beSCIMError matches a SCIM error body (RFC 7644 Section 3.12) with the status as a string.
func beSCIMError(status string, scimType string) OmegaMatcher {
	keys := And(
		HaveKeyWithValue("schemas", ConsistOf("urn:ietf:params:scim:api:messages:2.0:Error")),
		HaveKeyWithValue("status", status),
		HaveKey("detail"),
	)
	if scimType == "" {
		return And(keys, Not(HaveKey("scimType")))
	}
	return And(keys, HaveKeyWithValue("scimType", scimType))
}
