package scimsim_test

import (
	"slices"
	"testing"

	"github.com/scimsim/scimsim"
	"github.com/scimsim/scimsim/harness"
)

// TestFiles_Catalog: the carried catalog loads, sources and configs included, into the same cases as
// the repository's own.
func TestFiles_Catalog(t *testing.T) {
	carried, err := harness.Load(scimsim.Files, "scenarios")
	if err != nil {
		t.Fatalf("harness.Load(scimsim.Files): %v", err)
	}
	disk, err := harness.LoadDir("scenarios")
	if err != nil {
		t.Fatal(err)
	}
	id := func(cs []harness.Case) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Scenario.ID)
		}
		return out
	}
	if !slices.Equal(id(carried), id(disk)) {
		t.Errorf("carried catalog %v, repository %v", id(carried), id(disk))
	}
	for i, c := range carried {
		if c.Scenario.SourcePath != c.Scenario.Source && c.Scenario.Source != "" {
			t.Errorf("%s: source %q resolved to %q in the carried catalog, want the path as written", c.Scenario.ID, c.Scenario.Source, c.Scenario.SourcePath)
		}
		if len(c.Source.Users) != len(disk[i].Source.Users) {
			t.Errorf("%s: the carried source has %d users, the repository's %d", c.Scenario.ID, len(c.Source.Users), len(disk[i].Source.Users))
		}
	}
}
