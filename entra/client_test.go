package entra

import (
	"context"
	"errors"
	"github.com/scimsim/scimsim/wire"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func noSleep(ctx context.Context, d time.Duration) error { return ctx.Err() }

func newClient(t *testing.T, h http.HandlerFunc, opts ...Option) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := New(srv.URL+"/scim/v2?aadOptscim062020", "tok", append([]Option{WithSleep(noSleep)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func scimJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", wire.MediaType)
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func TestClient_Query(t *testing.T) {
	var gotURL, gotAuth string
	c := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		gotURL, gotAuth = r.URL.String(), r.Header.Get("Authorization")
		scimJSON(w, 200, `{"schemas":["`+wire.ListResponseSchema+`"],"totalResults":1,"Resources":[{"id":"1","userName":"a"}]}`)
	})
	lr, err := c.Query(context.Background(), "Users", EqFilter("userName", "a b"))
	if err != nil {
		t.Fatal(err)
	}
	if lr.TotalResults != 1 || lr.Resources[0]["id"] != "1" {
		t.Errorf("Query = %+v", lr)
	}
	if want := "/scim/v2/Users?filter=userName+eq+%22a+b%22"; gotURL != want {
		t.Errorf("URL = %s, want %s (the tenant URL's query string is not sent)", gotURL, want)
	}
	if gotAuth != "Bearer tok" {
		t.Errorf("Authorization = %q", gotAuth)
	}
	ex := c.TakeExchanges()
	if len(ex) != 1 || ex[0].Authorization != "Bearer REDACTED" || ex[0].Status != 200 {
		t.Errorf("exchanges = %+v", ex)
	}
	if len(c.TakeExchanges()) != 0 {
		t.Error("TakeExchanges does not forget what it returned")
	}
}

func TestClient_errors(t *testing.T) {
	for _, tt := range []struct {
		name   string
		h      http.HandlerFunc
		kind   Kind
		status int
		detail string
	}{
		{"401 with SCIM error", func(w http.ResponseWriter, r *http.Request) {
			scimJSON(w, 401, `{"schemas":["`+wire.ErrorSchema+`"],"status":"401","detail":"bad token"}`)
		}, KindStatus, 401, "bad token"},
		{"html", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<html></html>"))
		}, KindIncompatible, 200, `Content-Type "text/html"`},
		{"truncated JSON", func(w http.ResponseWriter, r *http.Request) { scimJSON(w, 200, `{"totalRes`) }, KindIncompatible, 200, "not valid JSON"},
		{"no totalResults", func(w http.ResponseWriter, r *http.Request) { scimJSON(w, 200, `{"Resources":[]}`) }, KindIncompatible, 200, "ListResponse"},
		{"resource without id", func(w http.ResponseWriter, r *http.Request) {
			scimJSON(w, 200, `{"totalResults":1,"Resources":[{"userName":"a"}]}`)
		}, KindIncompatible, 200, "no id"},
		{"404", func(w http.ResponseWriter, r *http.Request) { scimJSON(w, 404, `{"detail":"nope"}`) }, KindStatus, 404, "nope"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t, tt.h)
			_, err := c.Query(context.Background(), "Users", EqFilter("userName", "x"))
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("Query error = %v, want *Error", err)
			}
			if ce.Kind != tt.kind || ce.Status != tt.status || !strings.Contains(err.Error(), tt.detail) {
				t.Errorf("error = %v (kind %s, status %d), want kind %s, status %d, mentioning %q", err, ce.Kind, ce.Status, tt.kind, tt.status, tt.detail)
			}
		})
	}
}

// TestClient_throttle: a 429 is retried after Retry-After; the retry is recorded as such.
func TestClient_throttle(t *testing.T) {
	var calls atomic.Int32
	var waited []time.Duration
	c := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "2")
			scimJSON(w, 429, `{"status":"429"}`)
			return
		}
		scimJSON(w, 201, `{"id":"u1","userName":"a"}`)
	}, WithSleep(func(ctx context.Context, d time.Duration) error { waited = append(waited, d); return nil }))
	res, err := c.Create(context.Background(), "Users", Resource{"userName": "a"})
	if err != nil {
		t.Fatal(err)
	}
	if res["id"] != "u1" || len(waited) != 1 || waited[0] != 2*time.Second {
		t.Errorf("Create = %v, waited %v; want u1 after one 2s wait", res, waited)
	}
	ex := c.TakeExchanges()
	if len(ex) != 2 || ex[1].Retry != RetryThrottled || ex[1].Attempt != 2 {
		t.Errorf("exchanges = %+v, want the second marked as a retry after throttling", ex)
	}
}

// TestClient_throttleBeyondDeadline: a Retry-After longer than the caller's deadline is not waited
// for: the 429 is the answer.
func TestClient_throttleBeyondDeadline(t *testing.T) {
	c := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "60")
		scimJSON(w, 429, `{"status":"429"}`)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := c.Create(ctx, "Users", Resource{"userName": "a"})
	var ce *Error
	if !errors.As(err, &ce) || ce.Status != 429 || ce.Attempts != 1 || ce.RetryAfter != "60" {
		t.Fatalf("error = %v, want the first 429 with Retry-After 60", err)
	}
}

func TestNew_badURL(t *testing.T) {
	for _, u := range []string{"", "scim/v2", "ftp://h/scim", "http://"} {
		if _, err := New(u, ""); err == nil {
			t.Errorf("New(%q) succeeded, want an error", u)
		}
	}
}
