package entra

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/scimsim/scimsim/internal/golden"
	"github.com/scimsim/scimsim/report"
)

// errorCodesDoc is the page generated from the table of codes.
const errorCodesDoc = "../docs/error-codes.md"

// TestCodes_table: every code is written once, has a meaning and a source, and names only known
// steps; Microsoft's codes cite Microsoft or a field report, ours say they are ours.
func TestCodes_table(t *testing.T) {
	seen := map[Code]bool{}
	for _, c := range Codes() {
		if seen[c.Code] {
			t.Errorf("%s is in the table twice", c.Code)
		}
		seen[c.Code] = true
		if c.Meaning == "" || c.Source == "" || len(c.Steps) == 0 {
			t.Errorf("%s: meaning, source and steps are required", c.Code)
		}
		for _, s := range c.Steps {
			if !strings.Contains(" connection import scoping matching export ", " "+s+" ") {
				t.Errorf("%s: unknown step %q", c.Code, s)
			}
		}
		if Lookup(c.Code).Code != c.Code || !Known(string(c.Code)) {
			t.Errorf("%s: not found by Lookup or Known", c.Code)
		}
	}
	if Known("NoSuchCode") {
		t.Error(`Known("NoSuchCode") is true`)
	}
}

// TestCodes_doc: docs/error-codes.md is generated from the table (-update rewrites it).
func TestCodes_doc(t *testing.T) {
	golden.File(t, errorCodesDoc, CodesMarkdown())
}

func ExampleClassify() {
	err := &Error{Kind: KindStatus, Method: "GET", URL: "https://app.example/scim/v2/Users?filter=userName+eq+%22x%22",
		Status: 401, ContentType: "text/plain", Body: "Unauthorized"}
	v := Classify(err, Context{Step: report.StepConnection})
	fmt.Println(v.Code)
	fmt.Println(v.Tips[0].Text[:60])
	// Output:
	// Unauthorized
	// Ensure that you've provided valid credentials, such as the s
}

// TestCheckValue: every row that checks values before they are sent has cases, and CheckValue
// decides each of them as the case says, with the row's code.
func TestCheckValue(t *testing.T) {
	for _, c := range Codes() {
		if c.Refuses == nil {
			if len(c.Cases) > 0 {
				t.Errorf("%s has value cases but no Refuses", c.Code)
			}
			continue
		}
		if !slices.ContainsFunc(c.Cases, func(v ValueCase) bool { return v.Refused }) || !slices.ContainsFunc(c.Cases, func(v ValueCase) bool { return !v.Refused }) {
			t.Errorf("%s: want a refused case and an accepted one", c.Code)
		}
		for _, v := range c.Cases {
			err := CheckValue(v.Target, v.Value)
			var f *Finding
			switch {
			case v.Refused && (!errors.As(err, &f) || f.Code != c.Code || f.Reason == ""):
				t.Errorf("CheckValue(%q, %#v) = %v, want a %s finding with a reason", v.Target, v.Value, err, c.Code)
			case !v.Refused && err != nil:
				t.Errorf("CheckValue(%q, %#v) = %v, want nil", v.Target, v.Value, err)
			}
		}
	}
}
