package wire

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestClone: the copy holds what the original holds, and changing the copy's objects and arrays
// leaves the original as it was.
func TestClone(t *testing.T) {
	resource := func() map[string]any {
		return map[string]any{
			"userName": "ada@contoso.com",
			"name":     map[string]any{"givenName": "Ada"},
			"emails":   []any{map[string]any{"value": "ada@contoso.com", "primary": true}},
		}
	}
	orig := resource()
	c := Clone(orig)
	if diff := cmp.Diff(orig, c); diff != "" {
		t.Fatalf("Clone() (-orig +copy):\n%s", diff)
	}
	c["userName"] = "bea@contoso.com"
	c["name"].(map[string]any)["givenName"] = "Bea"
	c["emails"].([]any)[0].(map[string]any)["value"] = "bea@contoso.com"
	c["emails"] = append(c["emails"].([]any), "more")
	if diff := cmp.Diff(resource(), orig); diff != "" {
		t.Errorf("changing the copy changed the original (-want +got):\n%s", diff)
	}
	if got := Clone(map[string]any(nil)); got != nil {
		t.Errorf("Clone(nil map) = %#v, want nil", got)
	}
	if got := Clone[any]("ada"); got != "ada" {
		t.Errorf("Clone(string) = %#v", got)
	}
}
