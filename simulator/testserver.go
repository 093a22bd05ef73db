package simulator

import (
	"net/http/httptest"
	"testing"
)

// TestServer is a simulator on an httptest server, for Go tests.
type TestServer struct {
	*Server
	URL   string // root, e.g. http://127.0.0.1:40123
	Admin *AdminClient
}

// NewTestServer starts a simulator on 127.0.0.1 with one call; tb's cleanup closes it.
func NewTestServer(tb testing.TB, opts ...Option) *TestServer {
	tb.Helper()
	s, err := New(opts...)
	if err != nil {
		tb.Fatalf("simulator.New: %v", err)
	}
	hs := httptest.NewServer(s)
	tb.Cleanup(hs.Close)
	return &TestServer{Server: s, URL: hs.URL, Admin: NewAdminClient(hs.URL, s.opts.adminToken, hs.Client())}
}

// SCIMURL returns the SCIM base URL of a tenant: URL+"/scim/v2" for "", else
// URL+"/tenants/NAME/scim/v2".
func (ts *TestServer) SCIMURL(tenant string) string {
	if tenant == "" {
		return ts.URL + "/scim/v2"
	}
	return ts.URL + "/tenants/" + tenant + "/scim/v2"
}
