package conformance_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/scimsim/scimsim/conformance"
	"github.com/scimsim/scimsim/internal/golden"
)

// conformanceDoc is docs/conformance.md, which the tests hold to the catalog and to what the checks
// find against the simulator.
func conformanceDoc(t *testing.T) string {
	t.Helper()
	return golden.Read(t, "../docs/conformance.md")
}

// TestDocs_ListEveryCheck keeps docs/conformance.md in step with the catalog: every check has a row
// in its table, with the check's impact and title, and no row names a check that does not exist;
// the README says how many checks there are.
func TestDocs_ListEveryCheck(t *testing.T) {
	doc := conformanceDoc(t)
	ids := map[string]bool{}
	for _, imp := range conformance.Impacts() {
		ids[string(imp)] = true // the table of impacts
	}
	for _, c := range conformance.Checks() {
		ids[c.ID] = true
		row := "| `" + c.ID + "` | " + string(c.Impact) + " | " + strings.ReplaceAll(c.Title, "|", `\|`) + " |"
		if !strings.Contains(doc, row+"\n") {
			t.Errorf("docs/conformance.md has no row %q", row)
		}
	}
	for _, line := range strings.Split(doc, "\n") {
		if id, ok := strings.CutPrefix(line, "| `"); ok {
			id, _, _ = strings.Cut(id, "`")
			if !ids[id] && !strings.HasPrefix(id, "-") {
				t.Errorf("docs/conformance.md lists %q, which is not a check", id)
			}
		}
	}
	readme := golden.Read(t, "../README.md")
	if want := fmt.Sprintf("\n%d checks, one per requirement", len(conformance.Checks())); !strings.Contains(readme, want) {
		t.Errorf("README.md does not say %q", want)
	}
}
