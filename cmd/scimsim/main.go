// Command scimsim runs a SCIM 2.0 target that misbehaves on purpose, a provisioning engine that
// behaves like Microsoft Entra ID's on-demand provisioning, and the scenario catalog that ties them.
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

// exitError carries a process exit code through cobra's error path: 1 when a provisioning step
// failed, 2 on bad input.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageError marks bad input: exit status 2.
func usageError(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

// failedAsReported is the error of a run whose output already says what failed: exit status 1,
// with nothing more on stderr.
func failedAsReported() error { return &exitError{code: 1, err: errors.New("")} }

// usageIf marks err as bad input (exit status 2) when it is or wraps a T, such as the engine's
// *engine.InputError; any other error stays as it is.
func usageIf[T error](err error) error {
	var t T
	if errors.As(err, &t) {
		return usageError("%v", err)
	}
	return err
}

// writeJSON writes v as every --json of the command does: indented by two spaces.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintln(stderr, "scimsim:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "scimsim:", err)
	return 2
}

// run is the whole program: main only wires the process to it, so tests call run directly.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	root := &cobra.Command{
		Use:           "scimsim",
		Short:         "Entra ID on-demand provisioning, runnable on a laptop",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version(),
	}
	root.SuggestionsMinimumDistance = suggestDistance
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(flagError)
	for _, sub := range subcommands {
		root.AddCommand(sub())
	}
	return root.ExecuteContext(ctx)
}

// subcommands is filled by each command's file (serve.go, provision.go, expr.go, scenarios.go), so
// that each command lives in one file.
var subcommands []func() *cobra.Command

func init() { subcommands = append(subcommands, versionCommand) }

// versionCommand is `scimsim version`, which prints what the root command's --version prints: both
// live here, with the root.
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
