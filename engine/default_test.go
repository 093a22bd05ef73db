package engine

import "testing"

// TestDefaultConfig: the embedded default job loads, maps what Entra's default job maps, and matches
// users by userName first.
func TestDefaultConfig(t *testing.T) {
	cfg := DefaultConfig()
	if cfg.Target.URL != "" || cfg.Target.Token != "" {
		t.Errorf("the default job carries a target %q / token: it must come from --target and --token", cfg.Target.URL)
	}
	if m := cfg.Users.matchingMappings(); len(m) == 0 || m[0].Target != "userName" || m[0].Source != "userPrincipalName" {
		t.Errorf("first matching mapping = %+v, want userPrincipalName -> userName", m)
	}
	for _, target := range []string{"userName", "active", "displayName", "title", `emails[type eq "work"].value`,
		"name.givenName", "name.familyName", "name.formatted", `addresses[type eq "work"].locality`,
		`phoneNumbers[type eq "mobile"].value`, "externalId",
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"} {
		if cfg.Users.mappingFor(target) == nil {
			t.Errorf("the default job does not map %s", target)
		}
	}
	if !cfg.Groups.Enabled || cfg.Groups.mappingFor("members") == nil {
		t.Error("the default job does not provision groups with their members")
	}
	if a, b := DefaultConfig(), DefaultConfig(); a == b || &a.Users.Mappings[0] == &b.Users.Mappings[0] {
		t.Error("DefaultConfig returns shared state")
	}
}
