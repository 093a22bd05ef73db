package scimtest

import (
	"io"
	"testing"
)

// TestNewRequest: a string and a []byte go as they are, another value as JSON, nil as no body;
// only a body is labelled SCIM JSON, and the headers are set in pairs.
func TestNewRequest(t *testing.T) {
	for _, c := range []struct {
		name string
		body any
		want string
	}{
		{"string", `{"a": 1}`, `{"a": 1}`},
		{"bytes", []byte("[1]"), "[1]"},
		{"value", map[string]any{"userName": "ada"}, `{"userName":"ada"}`},
		{"nil", nil, ""},
	} {
		req, err := NewRequest("POST", "http://scim.example/Users", c.body, "If-Match", `W/"1"`)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var got []byte
		if req.Body != nil {
			got, _ = io.ReadAll(req.Body)
		}
		if string(got) != c.want {
			t.Errorf("%s: body %q, want %q", c.name, got, c.want)
		}
		if ct, want := req.Header.Get("Content-Type"), map[bool]string{true: "application/scim+json"}[c.body != nil]; ct != want {
			t.Errorf("%s: Content-Type %q, want %q", c.name, ct, want)
		}
		if m := req.Header.Get("If-Match"); m != `W/"1"` {
			t.Errorf("%s: If-Match %q", c.name, m)
		}
	}
	if _, err := NewRequest("POST", "http://scim.example/Users", func() {}); err == nil {
		t.Error("a body JSON cannot encode is an error")
	}
}
