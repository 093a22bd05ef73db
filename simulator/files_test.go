package simulator

import (
	"os"
	"path/filepath"
	"strings"
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

func TestLoadFaults(t *testing.T) {
	tests := []struct {
		name, file, content string
		wantNames           []string
		wantErr             string // suffix after the path
	}{
		{name: "list", file: "f.yaml", content: "- name: a\n  type: throttle\n  count: 2\n- type: server_error\n  attributes: {status: 503}\n",
			wantNames: []string{"a", ""}},
		{name: "mapping", file: "f.yaml", content: "faults:\n  - name: b\n    type: not_found\n    match: {method: GET, resource: Users}\n",
			wantNames: []string{"b"}},
		{name: "JSON", file: "f.json", content: `{"faults": [{"name": "c", "type": "throttle", "probability": 0.5}]}`,
			wantNames: []string{"c"}},
		{name: "unknown top-level key", file: "f.yaml", content: "faults: []\nfault: []\n", wantErr: `:2: unknown key "fault"`},
		{name: "unknown fault key", file: "f.yaml", content: "- name: a\n  type: throttle\n  propability: 0.5\n", wantErr: `:3: unknown key "propability"`},
		{name: "unknown match key", file: "f.yaml", content: "- type: throttle\n  match:\n    methd: GET\n", wantErr: `:3: unknown key "methd"`},
		{name: "unknown type", file: "f.yaml", content: "- type: gremlins\n", wantErr: `:1: `},
		{name: "not a list", file: "f.yaml", content: "faults: 3\n", wantErr: `:1: want a list of faults`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, tt.file, tt.content)
			specs, err := LoadFaults(path)
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), path+tt.wantErr) {
					t.Fatalf("LoadFaults() error = %v, want prefix %q", err, path+tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("LoadFaults() = %v", err)
			}
			var names []string
			for _, s := range specs {
				names = append(names, s.Name)
			}
			if strings.Join(names, ",") != strings.Join(tt.wantNames, ",") {
				t.Fatalf("names = %q, want %q", names, tt.wantNames)
			}
		})
	}
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
	if _, err := LoadSeedData(bad); err == nil || err.Error() != bad+`:2: unknown key "user"` {
		t.Fatalf("LoadSeedData(unknown key) = %v", err)
	}
}
