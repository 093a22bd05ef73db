package scenarios

import (
	"slices"
	"strings"
	"testing"
)

// report is a report as the engine writes it (design.md, "Report"), trimmed to what Check reads.
const report = `{
  "status": "failure", "action": "none", "failedStep": "matching",
  "errorCode": "DuplicateTargetEntries", "reason": "2 target users match userName eq \"alice@contoso.com\"",
  "warnings": ["The tenant URL carries the aadOptscim062020 flag, which is ignored on demand."],
  "steps": [
    {"name": "Import user", "type": "import", "status": "warning",
     "details": {"userPrincipalName": "alice@contoso.com", "Not provisioned (null)": "department"},
     "tips": [{"text": "The provisioning service currently doesn't support provisioning null attributes.", "source": "Step 2"}]},
    {"name": "Determine if user is in scope", "type": "scoping", "status": "success",
     "details": [{"name": "Assigned to application", "value": true}]},
    {"name": "Match user between source and target", "type": "matching", "status": "failure",
     "errorCode": "DuplicateTargetEntries",
     "tips": ["Resolve this problem by ensuring that the matching attribute is unique."]}
  ],
  "modifiedProperties": [{"name": "userName", "oldValue": null, "newValue": "alice@contoso.com"}]
}`

func TestDecodeOutcome(t *testing.T) {
	o, err := DecodeOutcome([]byte(report))
	if err != nil {
		t.Fatal(err)
	}
	imp, _ := o.Step("import")
	if got, want := imp.Details["Not provisioned (null)"], "department"; got != want {
		t.Errorf("import details (object form) = %q, want %q", got, want)
	}
	sc, _ := o.Step("scoping")
	if got, want := sc.Details["Assigned to application"], "true"; got != want {
		t.Errorf("scoping details (list form, boolean value) = %q, want %q", got, want)
	}
	if got := imp.Tips; len(got) != 1 || !strings.Contains(got[0], "null attributes") || !strings.HasSuffix(got[0], "Step 2") {
		t.Errorf("tips (object form) = %q, want the text and the source", got)
	}
	if _, err := DecodeOutcome([]byte(`{"steps": [{"tips": "not a list"}]}`)); err == nil {
		t.Error("DecodeOutcome(tips not a list) = nil error")
	}
}

func TestExpect_Check(t *testing.T) {
	o, err := DecodeOutcome([]byte(report))
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
	o := Outcome{Status: StatusFailure, Steps: []StepOutcome{{Type: "import", Status: "success"}, {Type: "export", Status: "failure", ErrorCode: "EntryConflict"}}}
	if got, want := o.ActualStep(), "export"; got != want {
		t.Errorf("ActualStep() without failedStep = %q, want the failed step %q", got, want)
	}
	if got, want := o.ActualErrorCode(), "EntryConflict"; got != want {
		t.Errorf("ActualErrorCode() = %q, want the failed step's %q", got, want)
	}
}
