package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
)

const token = "test-token"

// peer is the server as main builds it, behind the bearer check, on an httptest listener.
func peer(t *testing.T) string {
	t.Helper()
	ts := httptest.NewServer(nil)
	srv, err := newServer(ts.URL + "/scim/v2")
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = bearer(token, http.StripPrefix("/scim", srv))
	t.Cleanup(ts.Close)
	return ts.URL + "/scim/v2"
}

type answer struct {
	status int
	ct     string
	body   map[string]any
}

func call(t *testing.T, method, url string, body any, auth string) answer {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/scim+json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	a := answer{status: res.StatusCode, ct: res.Header.Get("Content-Type")}
	_ = json.NewDecoder(res.Body).Decode(&a.body)
	return a
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// get reads an attribute for a want key: "a.b", "emails[work].value" (the element of that type), or
// "urn:…:User:attr[.sub]" (in the extension).
func get(m map[string]any, key string) any {
	if strings.HasPrefix(key, "urn:") {
		i := strings.LastIndex(key, ":")
		ext, _ := m[key[:i]].(map[string]any)
		return get(ext, key[i+1:])
	}
	head, rest, dotted := strings.Cut(key, ".")
	var v any
	if name, typ, ok := strings.Cut(strings.TrimSuffix(head, "]"), "["); ok {
		list, _ := m[name].([]any)
		for _, e := range list {
			if em, _ := e.(map[string]any); em["type"] == typ {
				v = em
			}
		}
	} else {
		v = m[head]
	}
	if !dotted {
		return v
	}
	sub, _ := v.(map[string]any)
	return get(sub, rest)
}

// TestPatch runs testdata/cases.json: each case PATCHes a fresh copy of testdata/user.json (another
// user, grace@example.com, exists beside it) and reads the user back.
func TestPatch(t *testing.T) {
	var cases []struct {
		Name     string
		Patch    []map[string]any
		Status   int
		ScimType string
		Want     map[string]any
	}
	readJSON(t, "testdata/cases.json", &cases)
	var user map[string]any
	readJSON(t, "testdata/user.json", &user)
	auth := "Bearer " + token
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			base := peer(t)
			created := call(t, http.MethodPost, base+"/Users", user, auth)
			if created.status != http.StatusCreated {
				t.Fatalf("POST /Users = %d %v", created.status, created.body)
			}
			id, _ := created.body["id"].(string)
			other := map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": "grace@example.com"}
			if a := call(t, http.MethodPost, base+"/Users", other, auth); a.status != http.StatusCreated {
				t.Fatalf("POST second user = %d %v", a.status, a.body)
			}
			body := map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"}, "Operations": tc.Patch}
			a := call(t, http.MethodPatch, base+"/Users/"+id, body, auth)
			if a.status != tc.Status {
				t.Fatalf("PATCH = %d %v, want %d", a.status, a.body, tc.Status)
			}
			if a.ct != "application/scim+json" {
				t.Errorf("PATCH Content-Type = %q", a.ct)
			}
			if st, _ := a.body["scimType"].(string); st != tc.ScimType {
				t.Errorf("PATCH scimType = %q, want %q", st, tc.ScimType)
			}
			back := call(t, http.MethodGet, base+"/Users/"+id, nil, auth)
			for k, want := range tc.Want {
				if got := get(back.body, k); !jsonEqual(got, want) {
					t.Errorf("after the PATCH, %s = %v, want %v", k, got, want)
				}
			}
		})
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func members(m map[string]any) []string {
	var ids []string
	list, _ := m["members"].([]any)
	for _, e := range list {
		if em, ok := e.(map[string]any); ok {
			ids = append(ids, em["value"].(string))
		}
	}
	slices.Sort(ids)
	return ids
}

// TestGroupMembers checks the member PATCHes of Entra's two dialects: Add with a value array, Remove
// with a value array (only the listed members go) and remove by value filter.
func TestGroupMembers(t *testing.T) {
	base, auth := peer(t), "Bearer "+token
	g := call(t, http.MethodPost, base+"/Groups", map[string]any{
		"schemas":     []string{"urn:ietf:params:scim:schemas:core:2.0:Group", "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"},
		"displayName": "Five", "externalId": "g-5", "meta": map[string]any{"resourceType": "Group"},
	}, auth)
	if g.status != http.StatusCreated {
		t.Fatalf("POST /Groups = %d %v", g.status, g.body)
	}
	gid := g.body["id"].(string)
	patch := func(ops ...map[string]any) {
		t.Helper()
		a := call(t, http.MethodPatch, base+"/Groups/"+gid, map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"}, "Operations": ops}, auth)
		if a.status != http.StatusOK {
			t.Fatalf("PATCH %v = %d %v", ops, a.status, a.body)
		}
	}
	ref := func(ids ...string) []any {
		var v []any
		for _, id := range ids {
			v = append(v, map[string]any{"$ref": nil, "value": id})
		}
		return v
	}
	expect := func(after string, want ...string) {
		t.Helper()
		got := members(call(t, http.MethodGet, base+"/Groups/"+gid, nil, auth).body)
		if !slices.Equal(got, want) {
			t.Errorf("after %s, members %v, want %v", after, got, want)
		}
	}
	patch(map[string]any{"op": "Add", "path": "members", "value": ref("u1", "u2", "u3")})
	expect("Add u1 u2 u3", "u1", "u2", "u3")
	patch(map[string]any{"op": "Add", "path": "members", "value": ref("u1")})
	expect("Add u1 again", "u1", "u2", "u3")
	patch(map[string]any{"op": "Remove", "path": "members", "value": ref("u1")})
	expect("Remove [u1]", "u2", "u3")
	patch(map[string]any{"op": "remove", "path": `members[value eq "u2"]`})
	expect(`remove members[value eq "u2"]`, "u3")
	patch(map[string]any{"op": "remove", "path": "members"})
	expect("remove members")
}

// TestAuthAndUniqueness: 401 with the SCIM error shape for a missing or wrong token, and 409 for a
// userName that differs only in case.
func TestAuthAndUniqueness(t *testing.T) {
	base := peer(t)
	for _, auth := range []string{"", "Bearer wrong"} {
		a := call(t, http.MethodGet, base+"/Users", nil, auth)
		if a.status != http.StatusUnauthorized || a.ct != "application/scim+json" || a.body["status"] != "401" {
			t.Errorf("GET /Users with %q = %d %q %v, want 401 application/scim+json with status \"401\"", auth, a.status, a.ct, a.body)
		}
	}
	auth := "Bearer " + token
	u := map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": "ada@example.com"}
	if a := call(t, http.MethodPost, base+"/Users", u, auth); a.status != http.StatusCreated {
		t.Fatalf("POST = %d %v", a.status, a.body)
	}
	u["userName"] = "ADA@example.com"
	if a := call(t, http.MethodPost, base+"/Users", u, auth); a.status != http.StatusConflict || a.body["scimType"] != "uniqueness" {
		t.Errorf("POST of the same userName in other case = %d %v, want 409 uniqueness", a.status, a.body)
	}
}
