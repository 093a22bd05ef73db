package conformance_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/scimsim/scimsim/conformance"
)

// fixedAnswer is a transport that answers every request with the same status and body, so that the
// fuzzer can feed the checks' response parsing anything an endpoint might send.
type fixedAnswer struct {
	status int
	body   []byte
}

func (a fixedAnswer) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		r.Body.Close()
	}
	return &http.Response{
		StatusCode: a.status,
		Header:     http.Header{"Content-Type": {"application/scim+json"}},
		Body:       io.NopCloser(bytes.NewReader(a.body)),
		Request:    r,
	}, nil
}

// FuzzRunAll_Answers runs every check against an endpoint that answers everything with one status and
// body. Whatever it answers, no check panics, each ends with a valid outcome, and every failure says
// what the endpoint did.
func FuzzRunAll_Answers(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "answers", "*"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed answers in testdata/answers: %v", err)
	}
	for _, file := range files {
		body, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for _, status := range []int{200, 201, 204, 400, 404, 409} {
			f.Add(status, body)
		}
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 599 {
			t.Skip("not an HTTP status")
		}
		cfg := conformance.Config{BaseURL: "http://scim.invalid/scim/v2", Token: "t",
			HTTPClient: &http.Client{Transport: fixedAnswer{status: status, body: body}}}
		results, _ := conformance.RunAll(context.Background(), cfg)
		if len(results) != len(conformance.Checks()) {
			t.Fatalf("%d results, want %d", len(results), len(conformance.Checks()))
		}
		for _, r := range results {
			switch r.Status {
			case conformance.StatusPass:
			case conformance.StatusSkip:
				if r.Reason == "" {
					t.Errorf("%s skipped without a reason", r.Check.ID)
				}
			case conformance.StatusFail:
				if r.Failure == nil || r.Failure.Got == "" {
					t.Errorf("%s failed without saying what the endpoint did", r.Check.ID)
				}
			default:
				t.Errorf("%s: status %q", r.Check.ID, r.Status)
			}
		}
		if err := conformance.WriteReport(io.Discard, results); err != nil {
			t.Fatal(err)
		}
	})
}
