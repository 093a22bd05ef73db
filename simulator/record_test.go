package simulator_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/scimsim/scimsim/simulator"
	"github.com/scimsim/scimsim/simulator/faults"
)

// A request whose handler aborts the connection is journaled with status 0 and the fault that
// hit it, and the next request with its own status: the SCIM chain's epilogue runs on both paths.
func TestJournal_abortedRequest(t *testing.T) {
	ts := simulator.NewTestServer(t, simulator.WithToken("tok"))
	ctx := context.Background()
	if _, err := ts.Admin.AddFault(ctx, "", faults.Spec{Name: "drop", Type: "connection_reset", Count: 1}); err != nil {
		t.Fatal(err)
	}
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	get := func() (*http.Response, error) {
		req, err := http.NewRequest("GET", ts.SCIMURL("")+"/Users", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer tok")
		return fresh.Do(req)
	}
	if resp, err := get(); err == nil {
		resp.Body.Close()
		t.Fatalf("connection_reset: got an answer %d", resp.StatusCode)
	}
	resp, err := get()
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// The aborted request's handler journals it after the connection is gone, so the client may
	// ask before that: wait for the entry (bounded), which the journal must hold in the end.
	var j []simulator.JournalEntry
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		var err error
		if j, err = ts.Admin.Requests(ctx, ""); err != nil {
			t.Fatal(err)
		}
		if len(j) >= 2 || time.Now().After(deadline) {
			break
		}
	}
	if len(j) != 2 {
		t.Fatalf("journal holds %d entries, want 2: %+v", len(j), j)
	}
	var aborted, answered simulator.JournalEntry
	for _, e := range j {
		if e.Fault != "" {
			aborted = e
		} else {
			answered = e
		}
	}
	if aborted.Status != 0 || aborted.Fault != "drop" || answered.Status != http.StatusOK {
		t.Errorf("journal = %+v; want the aborted request with status 0 and fault drop, then a 200", j)
	}
}

// A response writer that cannot be hijacked makes connection_reset panic with
// http.ErrAbortHandler, as under HTTP/2: the request is journaled with status 0 all the same, and
// the panic goes on to net/http.
func TestJournal_abortPanic(t *testing.T) {
	ts := simulator.NewTestServer(t, simulator.WithToken("tok"))
	ctx := context.Background()
	if _, err := ts.Admin.AddFault(ctx, "", faults.Spec{Name: "drop", Type: "connection_reset", Count: 1}); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", ts.SCIMURL("")+"/Users", nil)
	req.Header.Set("Authorization", "Bearer tok")
	func() {
		defer func() {
			if p := recover(); p != http.ErrAbortHandler {
				t.Errorf("panic = %v, want http.ErrAbortHandler passed on", p)
			}
		}()
		ts.ServeHTTP(httptest.NewRecorder(), req)
	}()
	j, err := ts.Admin.Requests(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(j) != 1 || j[0].Status != 0 || j[0].Fault != "drop" {
		t.Errorf("journal = %+v; want the aborted request, status 0, fault drop", j)
	}
}
