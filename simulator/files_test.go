package simulator

import (
	"os"
	"path/filepath"
	"testing"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadSeedData(t *testing.T) {
	path := writeFile(t, "seed.yaml", "users:\n  - userName: a@contoso.com\n    meta: {created: 2026-11-25T10:00:00Z}\ngroups:\n  - displayName: G\n")
	d, err := LoadSeedData(path)
	if err != nil {
		t.Fatalf("LoadSeedData() = %v", err)
	}
	if len(d.Users) != 1 || len(d.Groups) != 1 || d.Users[0]["userName"] != "a@contoso.com" {
		t.Fatalf("LoadSeedData() = %+v", d)
	}
	if got := d.Users[0]["meta"].(map[string]any)["created"]; got != "2026-11-25T10:00:00Z" {
		t.Fatalf("timestamp = %#v, want the xsd:dateTime string", got)
	}
	bad := writeFile(t, "seed.yaml", "users: []\nuser: []\n")
	if _, err := LoadSeedData(bad); err == nil || err.Error() != bad+`:2:1: unknown key "user" (did you mean "users"?)` {
		t.Fatalf("LoadSeedData(unknown key) = %v", err)
	}
}
