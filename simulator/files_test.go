package simulator

import (
	"os"
	"path/filepath"
	"testing"
)

// writeFile writes content to the file name of dir and returns its path, or fails the test.
func writeFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadSeedData(t *testing.T) {
	path := writeFile(t, t.TempDir(), "seed.yaml", "users:\n  - userName: a@contoso.com\n    meta: {created: 2026-11-25T10:00:00Z}\ngroups:\n  - displayName: G\n")
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
	bad := writeFile(t, t.TempDir(), "seed.yaml", "users: []\nuser: []\n")
	if _, err := LoadSeedData(bad); err == nil || err.Error() != bad+`:2:1: unknown key "user" (did you mean "users"?)` {
		t.Fatalf("LoadSeedData(unknown key) = %v", err)
	}
}

// FuzzLoadSeedData: no --seed-data file makes the loader or Seed panic, and a loader error names
// the file. Seeds: testdata/seed.json, YAML forms and broken files, and the corpus in
// testdata/fuzz/FuzzLoadSeedData.
func FuzzLoadSeedData(f *testing.F) {
	f.Add(readFile(f, "testdata/seed.json"))
	f.Add([]byte("users:\n  - userName: ada@contoso.com\n    active: \"False\"\n    meta: {created: 2026-01-01T00:00:00Z}\ngroups:\n  - displayName: Admins\n    members: [{value: u-1}]\n"))
	f.Add([]byte("users:\n  - &a {userName: x}\n  - *a\n"))
	f.Add([]byte("users: [{userName: [1, 2]}]\nextra: 1\n"))
	f.Add([]byte("- a\n- b\n"))
	f.Add([]byte("users:\n  - userName: \"\\xff\"\n"))
	f.Add([]byte(""))
	sim, err := New()
	if err != nil {
		f.Fatal(err)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := writeFile(t, dir, "seed.yaml", string(data))
		d, err := LoadSeedData(path)
		if err != nil {
			expectNamesFile(t, err, path)
			return
		}
		tenant := sim.Tenant("fuzz")
		tenant.Reset()
		nu, ng, err := tenant.Seed(d.Users, d.Groups)
		if err != nil {
			if tenant.Users() != 0 || tenant.Groups() != 0 {
				t.Fatalf("Seed failed (%v) but stored %d users and %d groups", err, tenant.Users(), tenant.Groups())
			}
			return
		}
		if nu != tenant.Users() || ng != tenant.Groups() {
			t.Fatalf("Seed reported %d users and %d groups, the tenant holds %d and %d", nu, ng, tenant.Users(), tenant.Groups())
		}
	})
}
