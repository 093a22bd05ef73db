package simulator_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimsim/scimsim/simulator"
	"github.com/scimsim/scimsim/simulator/internal/scimtest"
)

func TestSimulator(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "simulator")
}

// fixedNow is the clock of every spec that compares meta.
var fixedNow = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func fixedClock() time.Time { return fixedNow }

const (
	userURN       = "urn:ietf:params:scim:schemas:core:2.0:User"
	groupURN      = "urn:ietf:params:scim:schemas:core:2.0:Group"
	enterpriseURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	patchURN      = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	searchURN     = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
	errorURN      = "urn:ietf:params:scim:api:messages:2.0:Error"
)

// seedData is testdata/seed.json: four users (carol inactive, dave with the enterprise
// extension) and two groups.
func seedData() simulator.SeedData {
	raw, err := os.ReadFile("testdata/seed.json")
	if err != nil {
		panic(err)
	}
	var d simulator.SeedData
	if err := json.Unmarshal(raw, &d); err != nil {
		panic(err)
	}
	return d
}

var tenantSeq atomic.Int64

// newTenantName returns a tenant name no other spec uses.
func newTenantName() string { return fmt.Sprintf("t%d", tenantSeq.Add(1)) }

// response is an answer as the specs look at it, with what a SCIM answer holds.
type response struct{ scimtest.Response }

// ScimType returns the scimType of a SCIM error body after checking its shape (RFC 7644 §3.12).
func (r response) ScimType() string {
	GinkgoHelper()
	m := r.JSON()
	Expect(m["schemas"]).To(Equal([]any{errorURN}), "body %s", r.Body)
	Expect(m["status"]).To(Equal(fmt.Sprint(r.Status)), "status is a string equal to the HTTP status")
	Expect(r.Header.Get("Content-Type")).To(Equal("application/scim+json"))
	t, _ := m["scimType"].(string)
	return t
}

// IDs returns the ids of a ListResponse's resources, in order.
func (r response) IDs() []string {
	GinkgoHelper()
	ids := []string{}
	for _, res := range r.JSON()["Resources"].([]any) {
		ids = append(ids, res.(map[string]any)["id"].(string))
	}
	return ids
}

// do sends a request with scimtest.NewRequest's body and headers, and the bearer token when there is one.
func do(method, url, token string, body any, headers ...string) response {
	GinkgoHelper()
	if token != "" {
		headers = append([]string{"Authorization", "Bearer " + token}, headers...)
	}
	req, err := scimtest.NewRequest(method, url, body, headers...)
	Expect(err).NotTo(HaveOccurred())
	return fetch(req)
}

// send is do for goroutines: it reports failures as an error instead of through Gomega.
func send(hc *http.Client, method, url string, body any, headers ...string) (int, []byte, http.Header, error) {
	req, err := scimtest.NewRequest(method, url, body, headers...)
	if err != nil {
		return 0, nil, nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("%s %s: %w", method, url, err)
	}
	r, err := scimtest.Read(resp)
	return r.Status, r.Body, r.Header, err
}

// inParallel runs fn(0..n-1) on n goroutines released together, and returns the errors.
func inParallel(n int, fn func(i int) error) []error {
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	var out []error
	for _, err := range errs {
		if err != nil {
			out = append(out, err)
		}
	}
	return out
}

// A client with enough idle connections for 64 concurrent clients, so that the test measures
// the store and not connection churn.
func parallelClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
}

// request is do for a plain test (testing.T, no Gomega): it sends one request, with the body (if
// any) labelled contentType, and returns the status, the headers and the body.
func request(t *testing.T, method, url, token, contentType, body string) (int, http.Header, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	r, _ := scimtest.Read(resp)
	return r.Status, r.Header, string(r.Body)
}

// fetch sends req and reads the whole answer.
func fetch(req *http.Request) response {
	GinkgoHelper()
	resp, err := http.DefaultClient.Do(req)
	Expect(err).NotTo(HaveOccurred())
	r, err := scimtest.Read(resp)
	Expect(err).NotTo(HaveOccurred())
	return response{r}
}

// env is one in-process simulator with a seeded tenant of its own.
type env struct {
	ts     *simulator.TestServer
	tenant string
	token  string
}

// newEnv starts a simulator whose tenant (a fresh name) has the given profile and token "t0k"
// and holds testdata/seed.json.
func newEnv(profile simulator.Profile, opts ...simulator.Option) *env {
	GinkgoHelper()
	ts := simulator.NewTestServer(GinkgoTB(), append([]simulator.Option{simulator.WithClock(fixedClock), simulator.WithSeed(7)}, opts...)...)
	e := &env{ts: ts, tenant: newTenantName(), token: "t0k"}
	t := ts.Tenant(e.tenant)
	t.Configure(profile, e.token)
	d := seedData()
	_, _, err := t.Seed(d.Users, d.Groups)
	Expect(err).NotTo(HaveOccurred())
	return e
}

func (e *env) url(path string) string { return e.ts.SCIMURL(e.tenant) + path }

func (e *env) do(method, path string, body any, headers ...string) response {
	GinkgoHelper()
	return do(method, e.url(path), e.token, body, headers...)
}

// stream sends body with the Content-Length length, or chunked (Transfer-Encoding: chunked, no
// Content-Length) when length is -1, as a client does that does not know the length in advance.
func (e *env) stream(method, path string, body io.Reader, length int64) response {
	GinkgoHelper()
	req, err := http.NewRequest(method, e.url(path), body)
	Expect(err).NotTo(HaveOccurred())
	req.ContentLength = length
	req.Header.Set("Content-Type", "application/scim+json")
	req.Header.Set("Authorization", "Bearer "+e.token)
	return fetch(req)
}

func newUser(userName string) map[string]any {
	return map[string]any{"schemas": []string{userURN}, "userName": userName}
}

func patchBody(ops ...map[string]any) map[string]any {
	return map[string]any{"schemas": []string{patchURN}, "Operations": ops}
}

// pathValue reads a dotted path from a decoded resource; over a list it collects the
// sub-attribute of every element. Extension attributes are addressed as "URN.attr".
func pathValue(doc map[string]any, path string) (any, bool) {
	var cur any = doc
	for _, part := range splitPath(path) {
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[part]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			out := []any{}
			for _, e := range c {
				if m, ok := e.(map[string]any); ok {
					if v, ok := m[part]; ok {
						out = append(out, v)
					}
				}
			}
			cur = out
		default:
			return nil, false
		}
	}
	return cur, true
}

func splitPath(p string) []string {
	if strings.HasPrefix(p, "urn:") {
		i := strings.LastIndex(p, ":")
		rest := p[i+1:]
		urnEnd := strings.Index(rest, ".")
		if urnEnd < 0 {
			return []string{p}
		}
		return append([]string{p[:i+1+urnEnd]}, strings.Split(rest[urnEnd+1:], ".")...)
	}
	return strings.Split(p, ".")
}
