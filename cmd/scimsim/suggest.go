package main

import (
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/internal/suggest"
)

// suggestDistance is how many edits away a command name still counts as meant (cobra's default).
const suggestDistance = 2

var unknownFlag = regexp.MustCompile(`^unknown flag: --([^\s=]+)`)

// flagError is every command's flag error: bad input (exit status 2), with the command's flag
// closest to a mistyped one.
func flagError(cmd *cobra.Command, err error) error {
	m := unknownFlag.FindStringSubmatch(err.Error())
	if m == nil {
		return usageError("%v", err)
	}
	var names []string
	cmd.Flags().VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
	if c := suggest.Closest(m[1], names, 1); len(c) > 0 {
		return usageError("%v (did you mean --%s?)", err, c[0])
	}
	return usageError("%v (scimsim %s --help lists the flags)", err, strings.TrimPrefix(cmd.CommandPath(), "scimsim "))
}

// requireSubcommand makes a command that only groups others (scenarios) refuse an unknown
// subcommand with the closest one, rather than print its help and succeed.
func requireSubcommand(cmd *cobra.Command) {
	cmd.Args = cobra.ArbitraryArgs
	cmd.SuggestionsMinimumDistance = suggestDistance
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return cmd.Help()
		}
		msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
		if c := cmd.SuggestionsFor(args[0]); len(c) > 0 {
			msg += fmt.Sprintf(" (did you mean %q?)", c[0])
		}
		return usageError("%s", msg)
	}
}

// hintSubject follows a run whose subject the search did not find with the closest names of the
// source, on stderr: "did you mean" for --user, or for --group among the groups' names.
func hintSubject(w io.Writer, src *engine.Source, f provisionFlags) {
	var flag, query string
	var close []string
	switch {
	case f.user != "":
		flag, query, close = "--user", f.user, src.SuggestUsers(f.user)
	case f.group != "":
		flag, query, close = "--group", f.group, src.SuggestGroups(f.group)
	}
	if len(close) == 0 {
		return
	}
	fmt.Fprintf(w, "scimsim: %s %q matches nobody in %s; did you mean %s?\n", flag, query, f.source, strings.Join(close, " or "))
}
