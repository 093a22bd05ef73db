package simulator_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/scimsim/scimsim/simulator"
	"github.com/scimsim/scimsim/simulator/faults"
)

// Tenant.Resources reads what the target holds without going through the SCIM chain: a fault
// with a count is not spent by it and the journal does not record it.
func TestTenantResources(t *testing.T) {
	ts := simulator.NewTestServer(t)
	ctx := context.Background()
	users := []map[string]any{{"userName": "a"}, {"userName": "b"}, {"userName": "c"}}
	groups := []map[string]any{{"displayName": "G", "members": []any{}}}
	if _, err := ts.Admin.Seed(ctx, "t1", users, groups); err != nil {
		t.Fatal(err)
	}
	tn := ts.Tenant("t1")
	if _, err := tn.Faults().Add(faults.Spec{Type: "server_error", Count: 1}); err != nil {
		t.Fatal(err)
	}
	base := ts.SCIMURL("t1")
	got, total, err := tn.Resources("users", base, 1, 5)
	if err != nil {
		t.Fatal(err)
	}
	if total != 3 || len(got) != 2 {
		t.Fatalf("Resources(users, offset 1) = %d resources of %d, want 2 of 3", len(got), total)
	}
	var first map[string]any
	if err := json.Unmarshal(got[0], &first); err != nil {
		t.Fatal(err)
	}
	meta, _ := first["meta"].(map[string]any)
	if first["userName"] != "b" || meta["location"] != base+"/Users/"+first["id"].(string) {
		t.Errorf("second user = %v, want userName b with meta.location below %s", first, base)
	}
	if g, n, _ := tn.Resources("Groups", base, 0, 10); n != 1 || len(g) != 1 {
		t.Errorf("Resources(Groups) = %d of %d, want 1 of 1", len(g), n)
	}
	if _, _, err := tn.Resources("Widgets", base, 0, 10); err == nil {
		t.Error("Resources(Widgets): no error")
	}
	if j, err := ts.Admin.Requests(ctx, "t1"); err != nil || len(j) != 0 {
		t.Errorf("journal after Resources = %d entries (%v), want none", len(j), err)
	}
	// The fault's one hit is still there for the first real request.
	resp, err := http.Get(base + "/Users")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("first SCIM request after Resources: %d, want 500 from the unspent fault", resp.StatusCode)
	}
}
