package simulator

import (
	"os"
	"strings"
	"testing"

	"github.com/elimity-com/scim/schema"

	"github.com/scimsim/scimsim/wire"
)

// TestLoadSchemas_Errors: every mistake of a schema file is an error naming the file, the
// position, the field and the attribute (testdata/schema_errors.json).
func TestLoadSchemas_Errors(t *testing.T) {
	var cases []struct{ Name, File, Error string }
	readJSON(t, "testdata/schema_errors.json", &cases)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			_, err := LoadSchemas("bad.json", []byte(c.File))
			if err == nil || !strings.Contains(err.Error(), c.Error) {
				t.Fatalf("error %v, want one containing %q", err, c.Error)
			}
			expectNamesFile(t, err, "bad.json")
		})
	}
}

// acmeSchemas are the custom schemas of testdata/schemas/acme.json.
func acmeSchemas(t testing.TB) []schema.Schema {
	schemas, err := LoadSchemas("acme.json", readFile(t, "../testdata/schemas/acme.json"))
	if err != nil {
		t.Fatal(err)
	}
	return schemas
}

// mustCustomKinds is customKinds(cs), which must succeed.
func mustCustomKinds(t testing.TB, cs CustomSchemas) []*kind {
	ks, err := customKinds(cs)
	if err != nil {
		t.Fatal(err)
	}
	return ks
}

// TestLoadSchemas_Example reads the example of testdata/schemas and checks that the schemas
// become extensions of User and Group.
func TestLoadSchemas_Example(t *testing.T) {
	schemas := acmeSchemas(t)
	ks := mustCustomKinds(t, CustomSchemas{Schemas: schemas})
	if got := ks[userKind.index].schemaIDs(); len(got) != 3 || got[2] != "urn:ietf:params:scim:schemas:extension:acme:2.0:User" {
		t.Fatalf("User schemas %v", got)
	}
	if got := ks[groupKind.index].schemaIDs(); len(got) != 2 {
		t.Fatalf("Group schemas %v", got)
	}
	if len(kinds[userKind.index].exts) != 1 {
		t.Fatal("the built-in User kind changed")
	}
	// A --resource-types file may say otherwise.
	ks = mustCustomKinds(t, CustomSchemas{Schemas: schemas[:1], ResourceTypes: []ResourceTypeSpec{{Name: "Group", Schema: wire.GroupSchema,
		SchemaExtensions: []ExtensionSpec{{Schema: schemas[0].ID}}}}})
	if _, ok := ks[groupKind.index].ext(schemas[0].ID); !ok {
		t.Fatal("the resource type did not move the extension to Group")
	}
	if _, err := customKinds(CustomSchemas{Schemas: schemas, ResourceTypes: []ResourceTypeSpec{{Name: "Device", Schema: "urn:x:Device", Endpoint: "/Devices"}}}); err == nil ||
		!strings.Contains(err.Error(), `resource type "Device"`) {
		t.Fatalf("a new resource type: %v", err)
	}
}

// FuzzLoadSchemas: the loader returns schemas or an error naming the file, never panics, and
// what it accepts builds kinds.
func FuzzLoadSchemas(f *testing.F) {
	if raw, err := os.ReadFile("../testdata/schemas/acme.json"); err == nil {
		f.Add(raw)
	}
	f.Add([]byte(`{"id": "urn:x:a:User", "attributes": [{"name": "a", "type": "complex", "subAttributes": [{"name": "$ref", "type": "reference"}]}]}`))
	f.Add([]byte(`{"Resources": [{"id": "urn:x:a:Group", "attributes": [{"name": "b", "type": "boolean"}]}]}`))
	f.Add([]byte(`[{"id": "urn:x", "attributes": [{"name": "a", "type": "strin"}]}]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		schemas, err := LoadSchemas("fuzz.json", b)
		if err != nil {
			expectNamesFile(t, err, "fuzz.json")
			return
		}
		for _, s := range schemas {
			if s.ID == "" || len(s.Attributes) == 0 {
				t.Fatalf("accepted %+v", s)
			}
		}
		_, _ = customKinds(CustomSchemas{Schemas: schemas})
	})
}
