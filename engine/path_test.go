package engine

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestTargetPath_set builds a create body from mapping targets and compares it with the shape of
// the create_user exchange Entra sends (elimity-com/scim's azuread recording).
func TestTargetPath_set(t *testing.T) {
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
		p, err := parseTargetPath(kv[0])
		if err != nil {
			t.Fatal(err)
		}
		p.set(body, kv[1])
		if got := p.get(body); got != kv[1] {
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

func TestTargetPath_parseErrors(t *testing.T) {
	for _, s := range []string{"", "1name", "emails[type eq work].value", "emails[type = \"work\"]", "emails[type eq \"work\"", "name..x", "urn:", "a[b eq \"c\"]x", "urn:x[a eq \"b:c\"]"} {
		if _, err := parseTargetPath(s); err == nil {
			t.Errorf("parseTargetPath(%q) succeeded, want an error", s)
		}
	}
}
