package faults

import (
	"net/http"
	"testing"
)

// TestRecorder_setList: a rewritten ListResponse keeps the target's key order and adjusts the
// counts.
func TestRecorder_setList(t *testing.T) {
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	rec.body.WriteString(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,"Resources":[{"id":"a"}],"startIndex":1,"itemsPerPage":1}` + "\n")
	l, ok := rec.parseList()
	if !ok {
		t.Fatal("parseList: not a ListResponse")
	}
	l.resources = append(l.resources, []byte(`{"id":"b"}`))
	rec.setList(l, 1)
	want := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":2,"Resources":[{"id":"a"},{"id":"b"}],"startIndex":1,"itemsPerPage":2}`
	if got := rec.body.String(); got != want {
		t.Fatalf("body=\n%s\nwant\n%s", got, want)
	}
	if got, want := rec.header.Get("Content-Type"), scimContentType; got != want {
		t.Errorf("Content-Type=%q, want %q", got, want)
	}
}

func TestRecorder_parseList(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   bool
	}{
		{"list", 200, `{"totalResults":0,"Resources":[]}`, true},
		{"no Resources when empty", 200, `{"totalResults":0}`, true},
		{"an error", 404, `{"totalResults":0}`, false},
		{"a resource", 200, `{"id":"a"}`, false},
		{"bad total", 200, `{"totalResults":"1"}`, false},
		{"bad Resources", 200, `{"totalResults":1,"Resources":{}}`, false},
		{"not JSON", 200, `<html>`, false},
	}
	for _, tt := range tests {
		rec := &recorder{header: http.Header{}, status: tt.status}
		rec.body.WriteString(tt.body)
		if _, ok := rec.parseList(); ok != tt.want {
			t.Errorf("%s: parseList ok=%v, want %v", tt.name, ok, tt.want)
		}
	}
}
