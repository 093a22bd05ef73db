package graph

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

type exchangeCase struct {
	Name  string `json:"name"`
	Seed  Seed   `json:"seed"`
	Steps []struct {
		Method   string         `json:"method"`
		Path     string         `json:"path"`
		Body     map[string]any `json:"body"`
		Raw      string         `json:"raw"`
		Status   int            `json:"status"`
		Contains []string       `json:"contains"`
	} `json:"steps"`
}

func newTestDirectory() *Directory {
	n := 0
	return New(Options{TenantID: "tid-target", Domain: "fabrikam.onmicrosoft.com",
		NewID: func() string { n++; return fmt.Sprintf("id-%d", n) },
		Now:   func() time.Time { return time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) }})
}

// TestDirectory_Exchanges runs each case of testdata/exchanges.json on a fresh directory: every
// request's status and what its answer must contain.
func TestDirectory_Exchanges(t *testing.T) {
	var cases []exchangeCase
	loadJSON(t, "exchanges.json", &cases)
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			d := newTestDirectory()
			if err := d.Seed(tc.Seed); err != nil {
				t.Fatalf("Seed: %v", err)
			}
			for i, st := range tc.Steps {
				var body io.Reader
				switch {
				case st.Raw != "":
					body = strings.NewReader(st.Raw)
				case st.Body != nil:
					b, _ := json.Marshal(st.Body)
					body = bytes.NewReader(b)
				}
				req := httptest.NewRequest(st.Method, strings.ReplaceAll(st.Path, " ", "%20"), body)
				rec := httptest.NewRecorder()
				d.ServeHTTP(rec, req)
				got := rec.Body.String()
				if rec.Code != st.Status {
					t.Fatalf("step %d %s %s: status %d, want %d: %s", i, st.Method, st.Path, rec.Code, st.Status, got)
				}
				if got != "" {
					if ct := rec.Header().Get("Content-Type"); ct != ContentType {
						t.Errorf("step %d: Content-Type %q, want %q", i, ct, ContentType)
					}
				}
				for _, want := range st.Contains {
					if !strings.Contains(got, want) {
						t.Errorf("step %d %s %s: answer lacks %s: %s", i, st.Method, st.Path, want, got)
					}
				}
				if rec.Code >= 400 && !strings.Contains(got, `"innerError"`) {
					t.Errorf("step %d: an error answer is not Graph's error shape: %s", i, got)
				}
			}
		})
	}
}

func TestDirectory_SeedRejects(t *testing.T) {
	d := newTestDirectory()
	for _, tc := range []struct {
		name string
		seed Seed
		want string
	}{
		{"user without userPrincipalName", Seed{Users: []map[string]any{{"displayName": "x"}}}, "users[0]: 400 Request_BadRequest: userPrincipalName is required"},
		{"undeclared property", Seed{Users: []map[string]any{{"userPrincipalName": "a@x", "colour": "red"}}}, "users[0]: 400 Request_BadRequest: Property 'colour' does not exist as a declared property or extension property."},
		{"partner without tenantId", Seed{Partners: []map[string]any{{}}}, "partners[0]: 400 Request_BadRequest: Property 'tenantId' is required for a partner configuration."},
		{"bad allowInvitesFrom", Seed{AuthorizationPolicy: map[string]any{"allowInvitesFrom": "nobody"}}, "authorizationPolicy: 400 Request_BadRequest: Invalid value 'nobody' for allowInvitesFrom (want one of none, adminsAndGuestInviters, adminsGuestInvitersAndAllMembers, everyone)."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := d.Seed(tc.seed)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("Seed error = %v, want %q", err, tc.want)
			}
			if live, del := d.Counts(); live+del != 0 {
				t.Fatalf("a refused seed stored %d users", live+del)
			}
		})
	}
}

func TestDirectory_Reset(t *testing.T) {
	d := newTestDirectory()
	if err := d.Seed(Seed{Users: []map[string]any{{"userPrincipalName": "a@fabrikam.onmicrosoft.com"}}, DeletedUsers: []map[string]any{{"userPrincipalName": "b@fabrikam.onmicrosoft.com"}}}); err != nil {
		t.Fatal(err)
	}
	if live, del := d.Counts(); live != 1 || del != 1 {
		t.Fatalf("Counts() = %d, %d, want 1, 1", live, del)
	}
	d.Reset()
	if live, del := d.Counts(); live != 0 || del != 0 {
		t.Fatalf("after Reset, Counts() = %d, %d", live, del)
	}
	rec := httptest.NewRecorder()
	d.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/policies/authorizationPolicy", nil))
	if !strings.Contains(rec.Body.String(), `"allowInvitesFrom":"everyone"`) {
		t.Fatalf("after Reset the authorization policy is %s", rec.Body.String())
	}
}
