package entra

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimsim/scimsim/wire"
)

// TestCreateBody_elimityRecording builds the create body for the attributes of the create_user
// exchange recorded in github.com/elimity-com/scim (internal/idp_test/testdata/azuread) through
// the mapping targets Entra's default mappings use, and compares it with the recording. The
// recording's empty "roles" array comes from a role mapping, which on-demand provisioning does not
// send.
func TestCreateBody_elimityRecording(t *testing.T) {
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Skipf("go env GOMODCACHE: %v", err)
	}
	files, _ := filepath.Glob(filepath.Join(strings.TrimSpace(string(out)), "github.com", "elimity-com", "scim@*", "internal", "idp_test", "testdata", "azuread", "create_user.json"))
	if len(files) == 0 {
		t.Skip("github.com/elimity-com/scim is not in the module cache")
	}
	b, err := os.ReadFile(files[len(files)-1])
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Request map[string]any `json:"request"`
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		t.Fatal(err)
	}
	want := rec.Request
	delete(want, "roles")

	name := want["name"].(map[string]any)
	email := want["emails"].([]any)[0].(map[string]any)
	body := map[string]any{}
	for _, kv := range []struct {
		target string
		value  any
	}{
		{"externalId", want["externalId"]},
		{"userName", want["userName"]},
		{"active", want["active"]},
		{`emails[type eq "work"].value`, email["value"]},
		{"name.formatted", name["formatted"]},
		{"name.familyName", name["familyName"]},
		{"name.givenName", name["givenName"]},
	} {
		wire.MustPath(kv.target).Set(body, kv.value)
	}
	body = UserCreateBody(body)
	enc, _ := json.Marshal(body)
	var got map[string]any
	if err := json.Unmarshal(enc, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("create body differs from the recorded exchange (-recorded +ours):\n%s", diff)
	}
}
