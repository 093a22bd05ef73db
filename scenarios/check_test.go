package scenarios

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/scimsim/scimsim/report"
)

// reportJSON is a report as the engine writes it (report.Report), trimmed to what Check reads.
const reportJSON = `{
  "status": "failure", "action": "none", "failedStep": "matching",
  "errorCode": "DuplicateTargetEntries", "reason": "2 target users match userName eq \"alice@contoso.com\"",
  "warnings": ["The tenant URL carries the aadOptscim062020 flag, which is ignored on demand."],
  "steps": [
    {"name": "Import user", "type": "import", "status": "warning",
     "details": {"userPrincipalName": "alice@contoso.com", "Not provisioned (null)": "department"},
     "tips": [{"text": "The provisioning service currently doesn't support provisioning null attributes.", "source": "Step 2"}]},
    {"name": "Determine if user is in scope", "type": "scoping", "status": "success",
     "details": {"Assigned to application": "true"}},
    {"name": "Match user between source and target", "type": "matching", "status": "failure",
     "errorCode": "DuplicateTargetEntries",
     "tips": [{"text": "Resolve this problem by ensuring that the matching attribute is unique."}]}
  ],
  "modifiedProperties": [{"name": "userName", "oldValue": null, "newValue": "alice@contoso.com"}]
}`

func TestDecodeOutcome(t *testing.T) {
	o, err := DecodeOutcome([]byte(reportJSON))
	if err != nil {
		t.Fatal(err)
	}
	imp := o.Step("import")
	if got, _ := imp.Details.Get("Not provisioned (null)"); got != "department" {
		t.Errorf("import details = %q, want %q", got, "department")
	}
	if got := tipTexts(imp.Tips); len(got) != 1 || !strings.Contains(got[0], "null attributes") || !strings.HasSuffix(got[0], "Step 2") {
		t.Errorf("tips = %q, want the text and the source", got)
	}
	if _, err := DecodeOutcome([]byte(`{"steps": [{"tips": "not a list"}]}`)); err == nil {
		t.Error("DecodeOutcome(tips not a list) = nil error")
	}
}

func TestExpect_Check(t *testing.T) {
	o, err := DecodeOutcome([]byte(reportJSON))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		expect Expect
		want   []string
	}{
		{
			name:   "met",
			expect: Expect{Status: "failure", FailedStep: "matching", ErrorCode: "DuplicateTargetEntries", Tip: "UNIQUE", Reason: "2 target users", Warning: "ignored on demand"},
		},
		{
			name:   "warning",
			expect: Expect{Status: "failure", FailedStep: "matching", Warning: "retried"},
			want:   []string{`expected a warning containing "retried", got ["The tenant URL carries the aadOptscim062020 flag, which is ignored on demand."]`},
		},
		{
			name:   "another step",
			expect: Expect{Status: "failure", FailedStep: "connection", ErrorCode: "Unauthorized"},
			want: []string{
				`expected failing step connection, got matching (matching: DuplicateTargetEntries: 2 target users match userName eq "alice@contoso.com")`,
				"expected error code Unauthorized, got DuplicateTargetEntries",
			},
		},
		{
			name:   "success expected",
			expect: Expect{Status: "success", Action: "create", Modified: []string{"userName", "active"}},
			want: []string{
				`expected status success, got failure (matching: DuplicateTargetEntries: 2 target users match userName eq "alice@contoso.com")`,
				`expected failing step none, got matching (matching: DuplicateTargetEntries: 2 target users match userName eq "alice@contoso.com")`,
				"expected action create, got none",
				"expected modifiedProperties [userName, active], got [userName]",
			},
		},
		{
			name:   "tip of the failing step only",
			expect: Expect{Status: "failure", FailedStep: "matching", Tip: "null attributes"},
			want:   []string{`expected a tip containing "null attributes", got ["Resolve this problem by ensuring that the matching attribute is unique."]`},
		},
		{
			name: "step expectations",
			expect: Expect{Status: "failure", FailedStep: "matching", Steps: []StepExpect{
				{Type: "import", Status: "warning", Tip: "null attributes", Details: map[string]string{"userPrincipalName": "alice@contoso.com"}},
				{Type: "scoping", Details: map[string]string{"Assigned to application": "false", "Scope sync all": "true"}},
				{Type: "export", Status: "notRun"},
			}},
			want: []string{
				`expected step scoping detail "Assigned to application" to be "false", got "true"`,
				`expected step scoping to show "Scope sync all" in its details, got ["Assigned to application"]`,
				"expected a export step, the report has none",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.expect.Check(o)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Check() =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestOutcome_ActualStep(t *testing.T) {
	o := Outcome{Status: StatusFailure, Steps: []report.Step{{Type: "import", Status: "success"}, {Type: "export", Status: "failure", ErrorCode: "EntryConflict"}}}
	if got, want := o.ActualStep(), "export"; got != want {
		t.Errorf("ActualStep() without failedStep = %q, want the failed step %q", got, want)
	}
	if got, want := o.ActualErrorCode(), "EntryConflict"; got != want {
		t.Errorf("ActualErrorCode() = %q, want the failed step's %q", got, want)
	}
}

// stored is a SCIM User as a target returns it (RFC 7643 §8.2), with an enterprise extension.
const stored = `{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
  "id": "u1", "userName": "alice@contoso.com", "active": true, "title": null, "phoneNumbers": [],
  "name": {"givenName": "Alice", "familyName": null},
  "emails": [{"type": "work", "value": "alice@contoso.com", "primary": true}],
  "addresses": [{"type": "work", "locality": null}],
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Sales", "manager": {"value": null}}
}`

func storedUser(t *testing.T) map[string]any {
	t.Helper()
	var u map[string]any
	if err := json.Unmarshal([]byte(stored), &u); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestAttributeValue(t *testing.T) {
	const ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	tests := []struct {
		path   string
		want   any
		stored bool
	}{
		{path: "userName", want: "alice@contoso.com", stored: true},
		{path: "USERNAME", want: "alice@contoso.com", stored: true},
		{path: "active", want: true, stored: true},
		{path: "name.givenName", want: "Alice", stored: true},
		{path: "Name.GivenName", want: "Alice", stored: true},
		{path: ent + ":department", want: "Sales", stored: true},
		{path: strings.ToLower(ent) + ":Department", want: "Sales", stored: true},
		{path: "displayName"},        // unassigned
		{path: "title"},              // null
		{path: "phoneNumbers"},       // empty list
		{path: "name.familyName"},    // null sub-attribute
		{path: "name.middleName"},    // unassigned sub-attribute
		{path: "userName.value"},     // a simple attribute has no sub-attributes
		{path: ent + ":manager"},     // complex, none of its sub-attributes has a value
		{path: ent + ":costCenter"},  // unassigned extension attribute
		{path: "urn:example:none:x"}, // no such schema in the resource
		{path: ent},                  // the URN alone is no attribute
		{path: "enterprise:2.0:User:department"},
	}
	u := storedUser(t)
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, ok := AttributeValue(u, tt.path)
			if ok != tt.stored || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("AttributeValue(%q) = %v, %v; want %v, %v", tt.path, got, ok, tt.want, tt.stored)
			}
		})
	}
}

func TestUserExpect_Check(t *testing.T) {
	tests := []struct {
		name   string
		expect UserExpect
		noUser bool
		want   []string
	}{
		{
			name:   "met",
			expect: UserExpect{UserName: "alice@contoso.com", Absent: []string{"displayName", "title", "phoneNumbers"}, Present: map[string]any{"active": true, "name.givenName": "Alice", "emails": []any{map[string]any{"type": "work", "value": "alice@contoso.com", "primary": true}}}},
		},
		{
			name:   "a stored attribute expected absent",
			expect: UserExpect{UserName: "alice@contoso.com", Absent: []string{"name.givenName", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"}},
			want: []string{
				`expected the target's user "alice@contoso.com" not to store name.givenName, it stores "Alice"`,
				`expected the target's user "alice@contoso.com" not to store urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department, it stores "Sales"`,
			},
		},
		{
			name:   "values differ or are missing, integers compare as JSON numbers",
			expect: UserExpect{UserName: "alice@contoso.com", Present: map[string]any{"active": false, "displayName": "Alice Smith", "name": map[string]any{"givenName": 7}}},
			want: []string{
				`expected the target's user "alice@contoso.com" to store active = false, it stores true`,
				`expected the target's user "alice@contoso.com" to store displayName = "Alice Smith", it does not store displayName`,
				`expected the target's user "alice@contoso.com" to store name = {"givenName":7}, it stores {"familyName":null,"givenName":"Alice"}`,
			},
		},
		{
			name:   "no such user",
			expect: UserExpect{UserName: "bob@contoso.com", Absent: []string{"displayName"}},
			noUser: true,
			want:   []string{`expected the target to hold a user "bob@contoso.com" after the run, it holds none`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := storedUser(t)
			if tt.noUser {
				u = nil
			}
			if got := tt.expect.Check(u); !slices.Equal(got, tt.want) {
				t.Errorf("Check() =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func FuzzAttributeValue(f *testing.F) {
	for _, p := range []string{"userName", "name.givenName", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "urn:", "urn:x", ".", "a..b", ""} {
		f.Add(stored, p)
	}
	f.Add(`{"urn:a": {"b": {"c": 1}}, "urn:a:b": {"c": 2}}`, "urn:a:b:c")
	f.Fuzz(func(t *testing.T, resource, path string) {
		var u map[string]any
		if json.Unmarshal([]byte(resource), &u) != nil {
			return
		}
		v, ok := AttributeValue(u, path)
		if ok != hasValue(v) {
			t.Fatalf("AttributeValue(%q) = %v, %v: a stored value must be a value (RFC 7643 §2.5) and no value must not be stored", path, v, ok)
		}
	})
}
