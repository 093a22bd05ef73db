package faults_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/scimsim/scimsim/simulator/faults"
)

// BenchmarkMiddleware measures what the fault middleware adds to a request no fault hits: the
// path every request takes in a run without faults. The request info middleware runs in every
// variant, as the simulator installs it.
func BenchmarkMiddleware(b *testing.B) {
	nonMatching := func(m faults.Match) []faults.Spec {
		return []faults.Spec{{Name: "other", Type: "server_error", Match: m}}
	}
	cases := []struct {
		name  string
		specs []faults.Spec
		off   bool // no fault middleware at all: the baseline
	}{
		{name: "baseline", off: true},
		{name: "zero-faults"},
		{name: "one-non-matching-method", specs: nonMatching(faults.Match{Method: "POST"})},
		{name: "one-non-matching-resource", specs: nonMatching(faults.Match{Resource: "Groups"})},
		{name: "one-non-matching-path", specs: nonMatching(faults.Match{Path: "/Groups/**"})},
		{name: "one-non-matching-filter", specs: nonMatching(faults.Match{FilterAttribute: "externalId"})},
		{name: "one-selector-refuses", specs: []faults.Spec{{Name: "w", Type: "conflict"}}},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			set := setOf(b, bc.specs...)
			e := echo.New()
			info := func(next echo.HandlerFunc) echo.HandlerFunc {
				return func(c echo.Context) error {
					faults.SetRequestInfo(c, faults.RequestInfo{Resource: "Users", FilterAttributes: []string{"userName"}})
					return next(c)
				}
			}
			mws := []echo.MiddlewareFunc{info}
			if !bc.off {
				mws = append(mws, set.Middleware())
			}
			g := e.Group("/scim/v2", mws...)
			body := []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[]}`)
			g.GET("/Users", func(c echo.Context) error { return c.Blob(http.StatusOK, "application/scim+json", body) })
			if w := serveLoop(b, e); w.Code != http.StatusOK {
				b.Fatalf("status %d", w.Code)
			}
		})
	}
}

// BenchmarkMiddleware_hit measures a request a fault answers, and one a rewriting fault passes
// through its response recorder.
func BenchmarkMiddleware_hit(b *testing.B) {
	for _, spec := range []faults.Spec{
		{Name: "t", Type: "throttle"},
		{Name: "d", Type: "duplicate_match"},
	} {
		b.Run(spec.Type, func(b *testing.B) {
			set := setOf(b, spec)
			e := echo.New()
			body := []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,"itemsPerPage":1,"startIndex":1,"Resources":[{"id":"u-1","userName":"alice"}]}`)
			e.Group("/scim/v2", set.Middleware()).GET("/Users", func(c echo.Context) error {
				return c.Blob(http.StatusOK, "application/scim+json", body)
			})
			serveLoop(b, e)
		})
	}
}

// BenchmarkSet_Middleware calls the middleware alone, without echo's routing, on one context:
// the cost of the faults' decision for a request no fault hits.
func BenchmarkSet_Middleware(b *testing.B) {
	cases := []struct {
		name  string
		specs []faults.Spec
	}{
		{name: "zero-faults"},
		{name: "non-matching-method", specs: []faults.Spec{{Name: "x", Type: "throttle", Match: faults.Match{Method: "POST"}}}},
		{name: "non-matching-resource", specs: []faults.Spec{{Name: "x", Type: "throttle", Match: faults.Match{Resource: "Groups"}}}},
		{name: "non-matching-path", specs: []faults.Spec{{Name: "x", Type: "throttle", Match: faults.Match{Path: "/Groups/**"}}}},
		{name: "non-matching-filter", specs: []faults.Spec{{Name: "x", Type: "throttle", Match: faults.Match{FilterAttribute: "externalId"}}}},
		{name: "selector-refuses", specs: []faults.Spec{{Name: "x", Type: "conflict"}}},
		{name: "ten-non-matching", specs: func() []faults.Spec {
			var s []faults.Spec
			for range 10 {
				s = append(s, faults.Spec{Type: "throttle", Match: faults.Match{Method: "DELETE", Resource: "Groups"}})
			}
			return s
		}()},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			set := setOf(b, bc.specs...)
			e := echo.New()
			c := e.NewContext(httptest.NewRequest(http.MethodGet, `/scim/v2/Users?filter=userName%20eq%20%22alice%22`, nil), httptest.NewRecorder())
			faults.SetRequestInfo(c, faults.RequestInfo{Resource: "Users", FilterAttributes: []string{"userName"}})
			calls := 0
			h := set.Middleware()(func(echo.Context) error { calls++; return nil })
			b.ReportAllocs()
			for b.Loop() {
				if err := h(c); err != nil {
					b.Fatal(err)
				}
			}
			if calls != b.N {
				b.Fatalf("handler ran %d times for %d requests", calls, b.N)
			}
		})
	}
}

// serveLoop serves e the benchmarks' query (a filter on userName) for every b.Loop and returns
// the recorder of the last answer.
func serveLoop(b *testing.B, e *echo.Echo) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, `/scim/v2/Users?filter=userName%20eq%20%22alice%22`, nil)
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		w.Body.Reset()
		e.ServeHTTP(w, req)
	}
	return w
}
