package conformance_test

import (
	"os"
	"strings"
	"testing"

	"github.com/scimsim/scimsim/conformance"
)

// TestDocs_ListEveryCheck keeps docs/conformance.md in step with the catalog: every check has a row
// in its table, with the check's title, and no row names a check that does not exist.
func TestDocs_ListEveryCheck(t *testing.T) {
	b, err := os.ReadFile("../docs/conformance.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	ids := map[string]bool{}
	for _, c := range conformance.Checks() {
		ids[c.ID] = true
		row := "| `" + c.ID + "` | " + strings.ReplaceAll(c.Title, "|", `\|`) + " |"
		if !strings.Contains(doc, row) {
			t.Errorf("docs/conformance.md has no row starting %q", row)
		}
	}
	for _, line := range strings.Split(doc, "\n") {
		if id, ok := strings.CutPrefix(line, "| `"); ok {
			id, _, _ = strings.Cut(id, "`")
			if !ids[id] && strings.Contains(id, "-") {
				t.Errorf("docs/conformance.md lists %q, which is not a check", id)
			}
		}
	}
}
