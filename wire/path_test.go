package wire

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPath_Set builds a create body from mapping targets and compares it with the shape of
// the create_user exchange Entra sends (elimity-com/scim's azuread recording).
func TestPath_Set(t *testing.T) {
	body := map[string]any{}
	for _, kv := range [][2]string{
		{"externalId", "0a21f0f2"},
		{"userName", "Test_User"},
		{`emails[type eq "work"].value`, "x@testuser.com"},
		{"name.formatted", "givenName familyName"},
		{"name.familyName", "familyName"},
		{"name.givenName", "givenName"},
		{`phoneNumbers[type eq "mobile"].value`, "+1 555"},
		{`phoneNumbers[type eq "work"].value`, "+1 556"},
		{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "Sales"},
		{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value", "m-1"},
	} {
		p, err := ParsePath(kv[0])
		if err != nil {
			t.Fatal(err)
		}
		p.Set(body, kv[1])
		if got := p.Get(body); got != kv[1] {
			t.Errorf("%s: get after set = %v", kv[0], got)
		}
	}
	var want map[string]any
	if err := json.Unmarshal([]byte(`{
		"externalId": "0a21f0f2", "userName": "Test_User",
		"emails": [{"primary": true, "type": "work", "value": "x@testuser.com"}],
		"name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
		"phoneNumbers": [{"primary": true, "type": "mobile", "value": "+1 555"}, {"type": "work", "value": "+1 556"}],
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Sales", "manager": {"value": "m-1"}}
	}`), &want); err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(body)
	var gotMap map[string]any
	_ = json.Unmarshal(got, &gotMap)
	if diff := cmp.Diff(want, gotMap); diff != "" {
		t.Errorf("create body (-want +got):\n%s", diff)
	}
}

func TestParsePath_errors(t *testing.T) {
	for _, s := range []string{"", "1name", "emails[type eq work].value", "emails[type = \"work\"]", "emails[type eq \"work\"", "name..x", "urn:", "a[b eq \"c\"]x", "urn:x[a eq \"b:c\"]"} {
		if _, err := ParsePath(s); err == nil {
			t.Errorf("ParsePath(%q) succeeded, want an error", s)
		}
	}
}

// FuzzParsePath: the attribute path parser never panics, and what it accepts can be set and
// read back.
func FuzzParsePath(f *testing.F) {
	for _, s := range []string{"userName", "name.givenName", `emails[type eq "work"].value`, `phoneNumbers[type eq "mobile"]`,
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "urn:x:manager.value", "a[", "]", "urn:", "a.b.c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePath(s)
		if err != nil {
			return
		}
		res := map[string]any{}
		p.Set(res, "v")
		if got := p.Get(res); got != "v" {
			t.Fatalf("path %q: set then get = %v", s, got)
		}
	})
}
