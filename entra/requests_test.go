package entra

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimsim/scimsim/wire"
)

func TestCoreGroupBody(t *testing.T) {
	got := CoreGroupBody(map[string]any{"displayName": "Sales", "externalId": "g-1", "members": []any{"x"}})
	want := map[string]any{"displayName": "Sales", "externalId": "g-1", "schemas": []string{wire.GroupSchema},
		"meta": map[string]any{"resourceType": "Group"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CoreGroupBody (-want +got):\n%s", diff)
	}
	if s := GroupCreateBody(map[string]any{})["schemas"].([]string); len(s) != 2 || s[1] != ADSCIMGroupSchema {
		t.Errorf("GroupCreateBody schemas = %v; CoreGroupBody must not change Entra's body", s)
	}
}

func TestPageRequest(t *testing.T) {
	r := PageRequest(wire.Groups, 3, 2)
	if got, want := r.URL("https://app.example/scim/v2"), "https://app.example/scim/v2/Groups?count=2&startIndex=3"; r.Method != "GET" || got != want {
		t.Errorf("PageRequest = %s %s, want GET %s", r.Method, got, want)
	}
	if r.By != wire.ByScimsim {
		t.Errorf("PageRequest.By = %q, want %q: Entra's job does not page", r.By, wire.ByScimsim)
	}
}
