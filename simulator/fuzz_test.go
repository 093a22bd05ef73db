package simulator_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scimsim/scimsim/simulator"
)

// fuzzServer is a seeded simulator for the fuzz targets, one per profile.
func fuzzServer(t testing.TB, p simulator.Profile) *simulator.Server {
	s, err := simulator.New(simulator.WithProfile(p), simulator.WithClock(fixedClock))
	if err != nil {
		t.Fatal(err)
	}
	d := seedData()
	if _, _, err := s.Tenant("").Seed(d.Users, d.Groups); err != nil {
		t.Fatal(err)
	}
	return s
}

// fuzzServers is a fuzzServer in each profile.
func fuzzServers(t testing.TB) map[simulator.Profile]*simulator.Server {
	sims := map[simulator.Profile]*simulator.Server{}
	for _, p := range profilesOf("") {
		sims[p] = fuzzServer(t, p)
	}
	return sims
}

// corpus adds the request bodies of testdata (seed users, golden requests, PATCH cases) to f.
func corpus(f *testing.F, method string) {
	d := seedData()
	for _, u := range d.Users {
		u["schemas"] = []string{"urn:ietf:params:scim:schemas:core:2.0:User"}
		raw, _ := json.Marshal(u)
		f.Add(raw)
	}
	files, _ := filepath.Glob("testdata/golden/*.json")
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var w wire
		if json.Unmarshal(raw, &w) == nil && w.Request.Method == method && w.Request.Body != nil {
			body, _ := json.Marshal(w.Request.Body)
			f.Add(body)
		}
	}
	for _, c := range loadCases[patchCase]("testdata/patch_cases.json") {
		body, _ := json.Marshal(patchBody(c.Ops...))
		f.Add(body)
	}
	for _, s := range []string{``, `{`, `null`, `[]`, `{"schemas":null}`, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":{"a":1}}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"emails[type eq \"x\"]","value":[[]]}]}`} {
		f.Add([]byte(s))
	}
}

// checkAnswer holds for every answer to any body: a known status, SCIM JSON, never a 5xx.
func checkAnswer(t *testing.T, rec *httptest.ResponseRecorder, body []byte, allowed ...int) {
	t.Helper()
	ok := false
	for _, s := range allowed {
		ok = ok || rec.Code == s
	}
	if !ok {
		t.Fatalf("status %d for body %q: %s", rec.Code, body, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/scim+json" {
		t.Fatalf("Content-Type %q for body %q", ct, body)
	}
	if rec.Body.Len() > 0 && !json.Valid(rec.Body.Bytes()) {
		t.Fatalf("answer is not JSON for body %q: %s", body, rec.Body)
	}
}

// FuzzServer_CreateUser drives the SCIM JSON decoding path of POST /Users (profile
// normalisation, elimity's validation, encoding) with arbitrary bodies.
func FuzzServer_CreateUser(f *testing.F) {
	corpus(f, "POST")
	sims := fuzzServers(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		for p, s := range sims {
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, httptest.NewRequest("POST", "/scim/v2/Users", strings.NewReader(string(body))))
			checkAnswer(t, rec, body, http.StatusCreated, http.StatusBadRequest, http.StatusConflict)
			if rec.Code != http.StatusCreated {
				continue
			}
			var doc map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			if _, ok := doc["password"]; ok {
				t.Fatalf("%s: password returned for body %q", p, body)
			}
			get := httptest.NewRecorder()
			s.ServeHTTP(get, httptest.NewRequest("GET", "/scim/v2/Users/"+doc["id"].(string), nil))
			if get.Body.String() != rec.Body.String() {
				t.Fatalf("%s: GET after create differs:\n%s\n%s", p, rec.Body, get.Body)
			}
		}
	})
}

// FuzzServer_PatchUser drives PATCH application with arbitrary bodies.
func FuzzServer_PatchUser(f *testing.F) {
	corpus(f, "PATCH")
	sims := fuzzServers(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, s := range sims {
			for _, target := range []string{"/scim/v2/Users/u-alice", "/scim/v2/Groups/g-sales"} {
				rec := httptest.NewRecorder()
				s.ServeHTTP(rec, httptest.NewRequest("PATCH", target, strings.NewReader(string(body))))
				checkAnswer(t, rec, body, http.StatusOK, http.StatusNoContent, http.StatusBadRequest, http.StatusConflict)
			}
		}
	})
}
