package graph

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
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

// FuzzDirectory_Write: no body makes a write panic or answer anything but Graph's shapes, and the
// directory stays consistent (a user it lists can be read by id).
func FuzzDirectory_Write(f *testing.F) {
	var cases []exchangeCase
	loadJSON(f, "exchanges.json", &cases)
	for _, tc := range cases {
		for _, st := range tc.Steps {
			if st.Body != nil {
				b, _ := json.Marshal(st.Body)
				f.Add(st.Method, string(b))
			}
		}
	}
	f.Fuzz(func(t *testing.T, method, body string) {
		d := newTestDirectory()
		_ = d.Seed(Seed{Users: []map[string]any{{"id": "u1", "userPrincipalName": "a@fabrikam.onmicrosoft.com"}},
			Partners: []map[string]any{{"tenantId": "tid-source", "identitySynchronization": map[string]any{"userSyncInbound": map[string]any{"isSyncAllowed": true}}}}})
		paths := map[string]string{"POST": "/users", "PATCH": "/users/u1", "PUT": "/policies/crossTenantAccessPolicy/partners/tid-source/identitySynchronization"}
		p, ok := paths[method]
		if !ok {
			method, p = "POST", "/policies/crossTenantAccessPolicy/partners"
		}
		rec := httptest.NewRecorder()
		d.ServeHTTP(rec, httptest.NewRequest(method, p, strings.NewReader(body)))
		if rec.Code >= 400 && !strings.Contains(rec.Body.String(), `"innerError"`) {
			t.Fatalf("%s %s %q: %d %s", method, p, body, rec.Code, rec.Body.String())
		}
		rec = httptest.NewRecorder()
		d.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/users", nil))
		var list struct {
			Value []map[string]any `json:"value"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil {
			t.Fatalf("GET /users after %s: %v", method, err)
		}
		for _, u := range list.Value {
			id, _ := u["id"].(string)
			r := httptest.NewRecorder()
			d.ServeHTTP(r, httptest.NewRequest(http.MethodGet, "/users/"+url.PathEscape(id), nil))
			if r.Code != http.StatusOK {
				t.Fatalf("listed user %q cannot be read: %d %s", id, r.Code, r.Body.String())
			}
		}
	})
}
