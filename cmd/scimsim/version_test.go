package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
)

func TestDescribeBuild(t *testing.T) {
	for _, tc := range []struct {
		name string
		bi   debug.BuildInfo
		want string
	}{
		{
			"go install module@version",
			debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.0"}, Settings: []debug.BuildSetting{{Key: "GOOS", Value: "linux"}, {Key: "GOARCH", Value: "arm64"}}},
			"scimsim v1.2.0 go1.26.8 linux/arm64",
		},
		{
			"a build in a git checkout",
			debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20261201200717-17e1c4c5a95a+dirty"}, Settings: []debug.BuildSetting{
				{Key: "GOOS", Value: "darwin"}, {Key: "GOARCH", Value: "amd64"},
				{Key: "vcs.revision", Value: "17e1c4c5a95a276fb8a4d08800d64d90c6ff4176"}, {Key: "vcs.time", Value: "2026-12-01T20:07:17Z"}, {Key: "vcs.modified", Value: "true"},
			}},
			"scimsim v0.0.0-20261201200717-17e1c4c5a95a+dirty (revision 17e1c4c5a95a, 2026-12-01T20:07:17Z, with local changes) go1.26.8 darwin/amd64",
		},
		{
			"no version recorded",
			debug.BuildInfo{GoVersion: "go1.26.8", Settings: []debug.BuildSetting{{Key: "GOOS", Value: "linux"}, {Key: "GOARCH", Value: "amd64"}, {Key: "vcs.revision", Value: "abc"}}},
			"scimsim (devel) (revision abc) go1.26.8 linux/amd64",
		},
	} {
		if got := describeBuild(&tc.bi); got != tc.want {
			t.Errorf("%s: describeBuild = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, out, errOut := runCLI(t, args...)
		if code != 0 || out != version()+"\n" || !strings.HasPrefix(out, "scimsim ") {
			t.Errorf("scimsim %s: exit %d, stdout %q, stderr %q; want %q", args[0], code, out, errOut, version())
		}
	}
}

// TestVersion_Stamped builds the binary as `make build` does and checks that it names the commit it
// was built from. It needs a git checkout whose .git is a directory (the Go toolchain does not read
// a linked worktree's .git file), as in a clone and in CI.
func TestVersion_Stamped(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	root, _ := filepath.Abs(filepath.Join("..", ".."))
	if fi, err := os.Stat(filepath.Join(root, ".git")); err != nil || !fi.IsDir() {
		t.Skip("not a git clone: the Go toolchain records VCS information only there")
	}
	head, err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("git rev-parse: %v", err)
	}
	out, err := exec.Command(buildScimsim(t, "-buildvcs=auto"), "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	want := "(revision " + strings.TrimSpace(string(head))[:12]
	if !strings.Contains(string(out), want) || !regexp.MustCompile(`^scimsim v\S+ `).Match(out) {
		t.Errorf("scimsim version = %q, want a module version and %q", out, want)
	}
}
