package scimsim

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// executableMagic starts the files a build writes: ELF (Linux), Mach-O (macOS, both byte
// orders, and universal binaries) and PE (Windows).
var executableMagic = [][]byte{
	[]byte("\x7fELF"),
	{0xfe, 0xed, 0xfa, 0xcf}, {0xcf, 0xfa, 0xed, 0xfe}, {0xca, 0xfe, 0xba, 0xbe},
	[]byte("MZ"),
}

// TestTree_noBuildOutput keeps compiled programs out of the repository: `go build` in a package
// folder leaves one behind, and .gitignore cannot name every package's. It reads the files git
// tracks; outside a git checkout there is nothing to check.
func TestTree_noBuildOutput(t *testing.T) {
	out, err := exec.Command("git", "ls-files", "-z").Output()
	if err != nil {
		t.Skipf("not a git checkout (git ls-files: %v)", err)
	}
	for _, name := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		f, err := os.Open(name)
		if err != nil {
			continue // deleted in the working tree
		}
		head := make([]byte, 4)
		n, _ := f.Read(head)
		f.Close()
		for _, m := range executableMagic {
			if n >= len(m) && bytes.Equal(head[:len(m)], m) {
				t.Errorf("%s is a compiled program: remove it (git rm --cached) and build into bin/", name)
			}
		}
	}
}
