package simulator

import (
	"crypto/tls"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// queryInputs are raw queries whose every parameter queryParams must read as url.ParseQuery does.
var queryInputs = []string{
	"", "filter=userName+eq+%22user50000%22", "startIndex=1&count=10&filter=x", "a=1&a=2", "a&b=&=c",
	"a=1;b=2&c=3", "a=%zz&a=ok", "a%20b=1", "a+b=1&a b=2", "%61=x", "a=%2", "&&a=1&&", "count=5&count=6",
	"attributes=userName,emails.value&excludedAttributes=groups&cursor=", "a=1&" + strings.Repeat("b=2&", 70) + "c=3",
	"a=1&" + strings.Repeat("&", maxQueryPairs) + ";",
}

func checkQueryParams(t *testing.T, raw string) {
	t.Helper()
	want, _ := url.ParseQuery(raw)
	names := []string{"", "a", "b", "c", "a b", "filter", "count", "cursor"}
	for k := range want {
		names = append(names, k)
	}
	var q queryParams
	for _, name := range names {
		if got, has := q.get(raw, name); got != want.Get(name) || has != want.Has(name) {
			t.Fatalf("queryParams(%q).get(%q) = %q, %v; url.ParseQuery's %q, %v", raw, name, got, has, want.Get(name), want.Has(name))
		}
	}
}

func TestQueryParams_AsParseQuery(t *testing.T) {
	for _, raw := range queryInputs {
		checkQueryParams(t, raw)
	}
	// One queryParams read under one query, then another (a fault's rewritten request), answers
	// for each from that query.
	var q queryParams
	for _, raw := range queryInputs {
		want, _ := url.ParseQuery(raw)
		for _, name := range []string{"a", "filter", "c"} {
			if got, has := q.get(raw, name); got != want.Get(name) || has != want.Has(name) {
				t.Fatalf("after other queries, get(%q, %q) = %q, %v; url.ParseQuery's %q, %v", raw, name, got, has, want.Get(name), want.Has(name))
			}
		}
	}
}

func FuzzQueryParams(f *testing.F) {
	for _, raw := range queryInputs {
		f.Add(raw)
	}
	f.Fuzz(checkQueryParams)
}

// TestScheme_AsEcho: scheme answers as echo's Context.Scheme for direct and forwarded requests,
// from trusted (loopback, private) and other addresses, with and without TLS.
func TestScheme_AsEcho(t *testing.T) {
	e := echo.New()
	for _, remote := range []string{"127.0.0.1:4000", "10.0.0.7:4000", "203.0.113.9:4000", "[::1]:4000", "@"} {
		for _, header := range []map[string]string{
			nil,
			{"X-Forwarded-Proto": "https"},
			{"X-Forwarded-Proto": "http, HTTPS"},
			{"X-Forwarded-Protocol": "wss"},
			{"X-Forwarded-Ssl": "on"},
			{"X-Url-Scheme": "HTTPS"},
			{"X-Forwarded-Proto": ""},
		} {
			for _, secure := range []bool{false, true} {
				r := httptest.NewRequest("GET", "/scim/v2/Users", nil)
				r.RemoteAddr = remote
				for k, v := range header {
					r.Header.Set(k, v)
				}
				if secure {
					r.TLS = &tls.ConnectionState{}
				}
				c := e.NewContext(r, httptest.NewRecorder())
				if got, want := scheme(c), c.Scheme(); got != want {
					t.Errorf("scheme(%s, %v, TLS %v) = %q, echo's %q", remote, header, secure, got, want)
				}
			}
		}
	}
}
