package main

import (
	"cmp"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

func init() { subcommands = append(subcommands, versionCommand) }

func versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of scimsim, the commit it was built from, and the Go toolchain",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), version())
			return err
		},
	}
}

// version describes the binary from the build information the Go toolchain records in it
// (runtime/debug.ReadBuildInfo): the module version (a tag or a pseudo-version for `go install
// module@version` and for builds in a git checkout stamped with -buildvcs, "(devel)" otherwise)
// and the VCS revision, commit time and whether the tree had local changes.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "scimsim (no build information) " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH
	}
	return describeBuild(bi)
}

// describeBuild is version for given build information: one line, e.g.
// "scimsim v0.0.0-20261201200700-17e1c4c5a95a (revision 17e1c4c5a95a, 2026-12-01T20:07:00Z) go1.26.8 linux/amd64".
func describeBuild(bi *debug.BuildInfo) string {
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var vcs []string
	if rev := settings["vcs.revision"]; rev != "" {
		vcs = append(vcs, "revision "+rev[:min(12, len(rev))])
	}
	if t := settings["vcs.time"]; t != "" {
		vcs = append(vcs, t)
	}
	if settings["vcs.modified"] == "true" {
		vcs = append(vcs, "with local changes")
	}
	out := "scimsim " + v
	if len(vcs) > 0 {
		out += " (" + strings.Join(vcs, ", ") + ")"
	}
	goos, goarch := cmp.Or(settings["GOOS"], runtime.GOOS), cmp.Or(settings["GOARCH"], runtime.GOARCH)
	return out + " " + cmp.Or(bi.GoVersion, runtime.Version()) + " " + goos + "/" + goarch
}
