package scimsim

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestFiles: the binary carries every scenario, source and config of the repository.
func TestFiles(t *testing.T) {
	for _, pattern := range []string{"scenarios/*.yaml", "testdata/sources/*.yaml", "testdata/configs/*.yaml", "testdata/schemas/*.json"} {
		want, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		got, err := fs.Glob(Files, pattern)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) || len(want) == 0 {
			t.Errorf("%s: embedded %d files, the repository has %d", pattern, len(got), len(want))
		}
		for _, name := range got {
			b, err := fs.ReadFile(Files, name)
			if err != nil {
				t.Fatal(err)
			}
			disk, err := os.ReadFile(name)
			if err != nil || string(disk) != string(b) {
				t.Errorf("%s differs from the repository's copy", name)
			}
		}
	}
}
