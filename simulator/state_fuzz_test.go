package simulator

import (
	"bytes"
	"testing"
	"time"
)

// FuzzStateFile_Load: no file makes Load panic; an error names the file; whatever loads encodes
// and loads again to the same tenants, counts and profiles. Seeds: a saved state of two seeded
// tenants, broken copies of it, and the corpus in testdata/fuzz/FuzzStateFile_Load. The round
// trip goes through encodeState and restore in memory: a Save syncs to disk, which would make
// every execution wait for the disk.
func FuzzStateFile_Load(f *testing.F) {
	src, err := New(WithClock(func() time.Time { return time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) }))
	if err != nil {
		f.Fatal(err)
	}
	users := []map[string]any{
		{"id": "u-1", "userName": "ada@contoso.com", "emails": []any{map[string]any{"value": "ada@contoso.com", "primary": true}}},
		{"userName": "bob@contoso.com", "active": false, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": map[string]any{"department": "R&D"}},
	}
	groups := []map[string]any{{"displayName": "Admins", "members": []any{map[string]any{"value": "u-1"}}}}
	for _, name := range []string{"", "acme"} {
		if _, _, err := src.Tenant(name).Seed(users, groups); err != nil {
			f.Fatal(err)
		}
	}
	src.Tenant("acme").Configure(ProfileStrict, "tok")
	good := encodeServer(f, src)
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add(bytes.Replace(good, []byte(`"version":1`), []byte(`"version":2`), 1))
	f.Add(bytes.Replace(good, []byte(`{"seq":1,`), []byte(`{"seq":1e99,`), 1))
	f.Add(bytes.Replace(good, []byte(`"u-1"`), []byte(`"u-2"`), 1))
	f.Add([]byte(`{"format":"scimsim-state","version":1,"tenants":[{"name":"x","profile":"strict","ids":null,"seq":1,"users":[{"seq":1,"resource":{"id":"a","userName":"a","meta":{"created":"2026-01-01T00:00:00.000Z","lastModified":"2026-01-01T00:00:00.000Z","version":"W/\"1\""}}}]}]}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))

	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := writeFile(t, dir, "state.json", string(data))
		sim, err := New()
		if err != nil {
			t.Fatal(err)
		}
		sf := NewStateFile(sim, path)
		loaded, err := sf.Load()
		if err != nil {
			expectNamesFile(t, err, "state file "+path+": ")
			return
		}
		defer func() {
			if err := sf.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
		}()
		if !loaded {
			t.Fatal("an existing file was not loaded and no error said why")
		}
		again := encodeServer(t, sim)
		st, err := decodeState(again)
		if err != nil {
			t.Fatalf("an encoded state does not decode: %v\n%s", err, again)
		}
		sim2, err := New()
		if err != nil {
			t.Fatal(err)
		}
		if err := NewStateFile(sim2, "").restore(st); err != nil {
			t.Fatalf("an encoded state does not load: %v\n%s", err, again)
		}
		for _, t1 := range sim.Tenants() {
			t2 := sim2.Tenant(t1.Name())
			if t1.Users() != t2.Users() || t1.Groups() != t2.Groups() || t1.Profile() != t2.Profile() {
				t.Fatalf("tenant %q: %d users, %d groups, %s after one round trip; %d, %d, %s after two",
					t1.Name(), t1.Users(), t1.Groups(), t1.Profile(), t2.Users(), t2.Groups(), t2.Profile())
			}
		}
		if third := encodeServer(t, sim2); !bytes.Equal(stripSavedAt(third), stripSavedAt(again)) {
			t.Fatalf("the state changed on a second round trip:\n%s\n%s", again, third)
		}
	})
}

// encodeServer returns what Save would write for srv.
func encodeServer(tb testing.TB, srv *Server) []byte {
	tb.Helper()
	st, _, err := NewStateFile(srv, "").snapshot()
	if err != nil {
		tb.Fatal(err)
	}
	var b bytes.Buffer
	if err := encodeState(&b, st); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func stripSavedAt(b []byte) []byte {
	i := bytes.Index(b, []byte(`"savedAt":"`))
	j := bytes.Index(b, []byte(`","tenants"`))
	if i < 0 || j < i {
		return b
	}
	return append(append([]byte(nil), b[:i]...), b[j:]...)
}
