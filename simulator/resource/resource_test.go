package resource_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"testing"

	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/elimity-com/scim/schema"
	"github.com/google/go-cmp/cmp"

	"github.com/scimsim/scimsim/simulator/filter"
	"github.com/scimsim/scimsim/simulator/resource"
)

var types = map[string]*resource.Type{
	"User":  resource.NewType("User", schema.CoreUserSchema(), []schema.Schema{schema.ExtensionEnterpriseUser()}),
	"Group": resource.NewType("Group", schema.CoreGroupSchema(), nil),
}

func TestApplyPatch(t *testing.T) {
	b, err := os.ReadFile("testdata/patch.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Name, Reason, Type string
		CreateOnAbsent     bool
		Doc, Want          map[string]any
		Ops                []resource.PatchOp
		WantError          string
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	for _, tt := range cases {
		t.Run(tt.Name, func(t *testing.T) {
			err := resource.ApplyPatch(types[tt.Type], tt.Doc, tt.Ops, resource.PatchRules{CreateOnAbsent: tt.CreateOnAbsent})
			if tt.WantError != "" {
				var se scimerrors.ScimError
				if !errors.As(err, &se) || string(se.ScimType) != tt.WantError {
					t.Fatalf("ApplyPatch() = %v, want scimType %s (%s)", err, tt.WantError, tt.Reason)
				}
				return
			}
			if err != nil {
				t.Fatalf("ApplyPatch() = %v (%s)", err, tt.Reason)
			}
			if diff := cmp.Diff(tt.Want, tt.Doc); diff != "" {
				t.Fatalf("ApplyPatch() (-want +got):\n%s", diff)
			}
		})
	}
}

// Attribute paths resolve once to the names the stored document uses; projection and sorting
// then read those names without comparing case again.
func ExampleResolvePaths() {
	user := types["User"]
	doc := map[string]any{
		"id": "1", "schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": "ada",
		"emails": []any{map[string]any{"value": "h@x"}, map[string]any{"value": "w@x", "primary": true}},
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": map[string]any{"department": "R&D"},
	}
	include := resource.ResolvePaths(user, []string{"USERNAME", "emails.value", "nosuch"})
	fmt.Println(include)
	out, _ := json.Marshal(resource.Project(user, doc, include, nil))
	fmt.Println(string(out))
	p, _ := filter.ParsePath("Emails.Value")
	ref, _ := resource.Resolve(user, p.URN, p.Attr, p.Sub)
	fmt.Println(resource.SortValue(doc, ref))
	// Output:
	// [{ userName } { emails value}]
	// {"emails":[{"value":"h@x"},{"value":"w@x"}],"id":"1","schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada"}
	// w@x
}
