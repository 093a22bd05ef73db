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
