package scenarios

import (
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/scimsim/scimsim/internal/golden"
)

// TestCrossTenant_DocumentedCount: README.md and docs/cross-tenant.md say how many cross-tenant
// scenarios the catalog has; this keeps them true.
func TestCrossTenant_DocumentedCount(t *testing.T) {
	all, err := LoadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, s := range all {
		if s.HasLabel(LabelCrossTenant) {
			n++
			if !s.Target.Entra() {
				t.Errorf("%s: a cross-tenant scenario whose target is not an Entra tenant", s.File)
			}
		}
	}
	for _, doc := range []string{"README.md", "docs/cross-tenant.md"} {
		ms := regexp.MustCompile(`runs the (\d+)`).FindAllStringSubmatch(golden.Read(t, filepath.Join("..", doc)), -1)
		if len(ms) == 0 {
			t.Errorf("%s does not say how many cross-tenant scenarios run", doc)
		}
		for _, m := range ms {
			if m[1] != strconv.Itoa(n) {
				t.Errorf("%s says %q; the catalog has %d cross-tenant scenarios", doc, m[0], n)
			}
		}
	}
}
