package faults_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/scimsim/scimsim/simulator/faults"
)

// TestConnectionReset_cannotHijack: where the connection cannot be taken over (HTTP/2, or a
// response writer such as httptest's recorder), the fault aborts the response the way net/http
// documents, with panic(http.ErrAbortHandler), which the server turns into a reset stream.
func TestConnectionReset_cannotHijack(t *testing.T) {
	set := setOf(t, faults.Spec{Name: "rst", Type: "connection_reset"})
	e := echo.New()
	e.Group("/scim/v2", set.Middleware()).GET("/Users", func(c echo.Context) error { return c.NoContent(http.StatusOK) })
	defer func() {
		if r := recover(); r != http.ErrAbortHandler {
			t.Fatalf("recovered %v, want http.ErrAbortHandler", r)
		}
	}()
	e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/scim/v2/Users", nil))
	t.Fatal("the request was answered")
}
