package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

func TestHandler_ServeHTTP(t *testing.T) {
	srv := httptest.NewServer(newHandler("secret"))
	t.Cleanup(srv.Close)

	tests := []struct {
		name       string
		method     string
		path       string
		auth       string
		body       string
		wantStatus int
		reason     string
	}{
		{
			name: "filtered GET", method: http.MethodGet, auth: "Bearer secret",
			path:       "/scim/v2/Users?filter=userName%20eq%20%22user5000%22",
			wantStatus: http.StatusOK,
		},
		{
			name: "preflight GET", method: http.MethodGet, auth: "Bearer secret",
			path: "/scim/v2/Users?count=1", wantStatus: http.StatusOK,
		},
		{
			name: "create", method: http.MethodPost, auth: "Bearer secret", path: "/scim/v2/Users",
			body:       `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bench-1"}`,
			wantStatus: http.StatusCreated,
		},
		{
			name: "wrong token", method: http.MethodGet, auth: "Bearer secreT", path: "/scim/v2/Users",
			wantStatus: http.StatusUnauthorized,
		},
		{
			name: "missing token", method: http.MethodGet, path: "/scim/v2/Users",
			wantStatus: http.StatusUnauthorized,
		},
		{
			name: "token prefix only", method: http.MethodGet, auth: "Bearer secre", path: "/scim/v2/Users",
			wantStatus: http.StatusUnauthorized, reason: "the comparison covers the whole header",
		},
		{
			name: "unknown path", method: http.MethodGet, auth: "Bearer secret", path: "/scim/v2/Groups",
			wantStatus: http.StatusNotFound,
		},
		{
			name: "unsupported method", method: http.MethodDelete, auth: "Bearer secret", path: "/scim/v2/Users",
			wantStatus: http.StatusMethodNotAllowed,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, srv.URL+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := resp.StatusCode, tt.wantStatus; got != want {
				t.Fatalf("%s %s: status %d, want %d (%s); body %s", tt.method, tt.path, got, want, tt.reason, body)
			}
			if got, want := resp.Header.Get("Content-Type"), "application/scim+json"; got != want {
				t.Errorf("Content-Type=%q, want %q", got, want)
			}
			var doc map[string]any
			if err := json.Unmarshal(body, &doc); err != nil {
				t.Fatalf("body is not JSON: %v\n%s", err, body)
			}
			if tt.wantStatus >= 400 {
				// RFC 7644 Section 3.12: the error status is a JSON string.
				if got, want := doc["status"], strconv.Itoa(tt.wantStatus); got != want {
					t.Errorf("error status=%#v, want the string %q", got, want)
				}
			}
		})
	}
}

// TestHandler_loadShContract checks what bench/peers/load.sh reads from a server: the
// totalResults of a userName filter (its skip-loading check and its correctness guard) and the
// userName of the one resource.
func TestHandler_loadShContract(t *testing.T) {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/scim/v2/Users?filter=userName%20eq%20%22user10000%22", nil)
	req.Header.Set("Authorization", "Bearer t")
	newHandler("t").ServeHTTP(rec, req)

	var list struct {
		Schemas      []string         `json:"schemas"`
		TotalResults int              `json:"totalResults"`
		ItemsPerPage int              `json:"itemsPerPage"`
		Resources    []map[string]any `json:"Resources"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil {
		t.Fatalf("ListResponse: %v\n%s", err, rec.Body)
	}
	if got, want := list.TotalResults, 1; got != want {
		t.Errorf("totalResults=%d, want %d", got, want)
	}
	if got, want := len(list.Resources), list.ItemsPerPage; got != want {
		t.Errorf("len(Resources)=%d, want itemsPerPage %d", got, want)
	}
	if got, want := list.Schemas, []string{"urn:ietf:params:scim:api:messages:2.0:ListResponse"}; len(got) != 1 || got[0] != want[0] {
		t.Errorf("schemas=%v, want %v", got, want)
	}
	if got, want := rec.Header().Get("Content-Length"), strconv.Itoa(rec.Body.Len()); got != want {
		t.Errorf("Content-Length=%s, want %s", got, want)
	}
}

func TestHandler_noToken(t *testing.T) {
	rec := httptest.NewRecorder()
	newHandler("").ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/scim/v2/Users", nil))
	if got, want := rec.Code, http.StatusOK; got != want {
		t.Fatalf("status %d, want %d: an empty --token turns authentication off", got, want)
	}
}

func TestRun_refusesNonLoopback(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{name: "all interfaces", args: []string{"--addr", ":8090"}, wantErr: "must be a loopback IP"},
		{name: "wildcard IPv4", args: []string{"--addr", "0.0.0.0:8090"}, wantErr: "must be a loopback IP"},
		{name: "host name", args: []string{"--addr", "localhost:8090"}, wantErr: "must be a loopback IP"},
		{name: "private address", args: []string{"--addr", "10.0.0.1:8090"}, wantErr: "must be a loopback IP"},
		{name: "no port", args: []string{"--addr", "127.0.0.1"}, wantErr: `--addr "127.0.0.1"`},
		{name: "stray argument", args: []string{"serve"}, wantErr: `unexpected argument "serve"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			err := run(context.Background(), tt.args, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("run(%q) error = %v, want it to contain %q", tt.args, err, tt.wantErr)
			}
		})
	}
}

// TestRun_servesUntilCancelled starts the real server on port 0, reads the address it reports,
// makes one request and checks that cancelling the context shuts it down cleanly.
func TestRun_servesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stderr := &syncBuffer{ready: make(chan struct{})}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"--addr", "127.0.0.1:0", "--token", "t"}, stderr) }()

	select {
	case <-stderr.ready: // run reports its address once it is listening
	case err := <-done:
		t.Fatalf("run returned before serving: %v", err)
	}
	line := strings.TrimSpace(stderr.String())
	url, ok := strings.CutPrefix(line, "bare listening on ")
	if !ok || !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("first output line %q does not name the URL", line)
	}
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer t")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got, want := resp.StatusCode, http.StatusOK; got != want {
		t.Errorf("GET %s: status %d, want %d", url, got, want)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run after cancel: %v", err)
	}
}

// syncBuffer closes ready on the first write: the signal that run is listening.
type syncBuffer struct {
	bytes.Buffer
	ready  chan struct{}
	closed bool
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	if !b.closed {
		b.closed = true
		defer close(b.ready)
	}
	return b.Buffer.Write(p)
}
