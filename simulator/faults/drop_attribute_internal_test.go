package faults

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimsim/scimsim/wire"
)

func TestDropAttribute_dropFromResource(t *testing.T) {
	const enterprise = wire.EnterpriseSchema
	tests := []struct {
		name  string
		attrs []string
		in    string
		want  string // "" when nothing changes
	}{
		{"top level, any case", []string{"TITLE"}, `{"title":"x","userName":"a"}`, `{"userName":"a"}`},
		{"sub-attribute", []string{"name.givenName"}, `{"name":{"givenName":"A","familyName":"S"}}`, `{"name":{"familyName":"S"}}`},
		{"whole complex attribute with dotted keys", []string{"name"}, `{"name":{"givenName":"A"},"name.familyName":"S","x":1}`, `{"x":1}`},
		{"multi-valued sub-attribute", []string{"emails.display"}, `{"emails":[{"value":"a","display":"A"},{"value":"b"}]}`, `{"emails":[{"value":"a"},{"value":"b"}]}`},
		{"extension attribute nested", []string{enterprise + ":manager"}, `{"` + enterprise + `":{"manager":{"value":"m"},"department":"d"}}`, `{"` + enterprise + `":{"department":"d"}}`},
		{"extension attribute written out", []string{enterprise + ":department"}, `{"` + enterprise + `:department":"d","a":1}`, `{"a":1}`},
		{"core URN qualified", []string{"urn:ietf:params:scim:schemas:core:2.0:User:title"}, `{"title":"x"}`, `{}`},
		{"numbers kept exactly", []string{"title"}, `{"title":"x","n":12345678901234567890}`, `{"n":12345678901234567890}`},
		{"absent", []string{"title"}, `{"userName":"a"}`, ""},
		{"not JSON", []string{"title"}, `{"title":`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, changed := dropAttribute{attrs: tt.attrs}.dropFromResource([]byte(tt.in))
			if wantChange(t, tt.want, out, changed) {
				assertJSON(t, tt.want, out)
			}
		})
	}
}

func TestDropAttribute_dropFromPatch(t *testing.T) {
	tests := []struct {
		name      string
		attrs     []string
		in        string
		want      string // "" when nothing changes
		wantEmpty bool
	}{
		{"operation on the attribute", []string{"title"},
			`{"Operations":[{"op":"replace","path":"title","value":"x"},{"op":"replace","path":"displayName","value":"d"}]}`,
			`{"Operations":[{"op":"replace","path":"displayName","value":"d"}]}`, false},
		{"value filter path", []string{"emails.value"},
			`{"Operations":[{"op":"replace","path":"emails[type eq \"work\"].value","value":"a@b"}]}`,
			`{"Operations":[]}`, true},
		{"operation inside the attribute", []string{"name"},
			`{"Operations":[{"op":"replace","path":"name.givenName","value":"A"},{"op":"add","path":"title","value":"t"}]}`,
			`{"Operations":[{"op":"add","path":"title","value":"t"}]}`, false},
		{"operation on the parent", []string{"name.givenName"},
			`{"Operations":[{"op":"replace","path":"name","value":{"givenName":"A","familyName":"S"}}]}`,
			`{"Operations":[{"op":"replace","path":"name","value":{"familyName":"S"}}]}`, false},
		{"Entra no-path replace", []string{"title"},
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","value":{"title":"t","displayName":"d"}}]}`,
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","value":{"displayName":"d"}}]}`, false},
		{"no-path value emptied", []string{"title"},
			`{"operations":[{"op":"Replace","value":{"title":"t"}}]}`,
			`{"operations":[]}`, true},
		{"extension path", []string{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"},
			`{"Operations":[{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"m"},{"op":"Add","path":"title","value":"t"}]}`,
			`{"Operations":[{"op":"Add","path":"title","value":"t"}]}`, false},
		{"unrelated", []string{"title"}, `{"Operations":[{"op":"add","path":"titles","value":"x"}]}`, "", false},
		{"no operations", []string{"title"}, `{"schemas":[]}`, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, changed, empty := dropAttribute{attrs: tt.attrs}.dropFromPatch([]byte(tt.in))
			if !wantChange(t, tt.want, out, changed) {
				return
			}
			if empty != tt.wantEmpty {
				t.Errorf("empty=%v, want %v", empty, tt.wantEmpty)
			}
			assertJSON(t, tt.want, out)
		})
	}
}

func assertJSON(t *testing.T, want string, got []byte) {
	t.Helper()
	var w, g any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want is not JSON: %v", err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("got is not JSON: %v: %s", err, got)
	}
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// FuzzDropAttribute: any body and attribute path leave the fault with valid JSON or no change,
// never a panic.
func FuzzDropAttribute(f *testing.F) {
	f.Add([]byte(`{"Operations":[{"op":"replace","path":"emails[type eq \"work\"].value","value":"a"}]}`), "emails.value")
	f.Add([]byte(`{"title":"x","name":{"givenName":"A"}}`), "name.givenName")
	f.Add([]byte(`{"Operations":[{"op":"Replace","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager":"m"}}]}`),
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager")
	f.Add([]byte(`{"Operations":[{"op":"add","path":"name","value":[{"givenName":1}]}]}`), "name.givenName")
	f.Fuzz(func(t *testing.T, body []byte, attr string) {
		d := dropAttribute{attrs: []string{attr}}
		if out, changed := d.dropFromResource(body); changed && !json.Valid(out) {
			t.Fatalf("dropFromResource(%q, %q) wrote invalid JSON %q", body, attr, out)
		}
		if out, changed, _ := d.dropFromPatch(body); changed && !json.Valid(out) {
			t.Fatalf("dropFromPatch(%q, %q) wrote invalid JSON %q", body, attr, out)
		}
		_ = normalizePath(attr)
	})
}

// wantChange fails t unless out was changed exactly when want is not "" (no change wanted), and
// reports whether it was, for the caller to compare out with want.
func wantChange(t *testing.T, want string, out []byte, changed bool) bool {
	t.Helper()
	if want == "" {
		if changed {
			t.Fatalf("changed to %s, want no change", out)
		}
		return false
	}
	if !changed {
		t.Fatalf("no change, want %s", want)
	}
	return true
}
