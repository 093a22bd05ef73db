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

// userSuggestions names the users of src closest to a --user query that found nobody: by the
// names the portal's search matches (first name, last name, display name, user principal name,
// email), each shown as its user principal name and display name. None when a user carries the
// query exactly (the search then left it out on purpose: disabled or soft-deleted, and the report
// says so) or when no name is close. A Cloud HR source is searched by worker id, so its closest
// users are named with their ids.
func userSuggestions(src *engine.Source, query string) []string {
	q := strings.TrimSpace(query)
	attrs := []string{"givenName", "surname", "displayName", "userPrincipalName", "mail"}
	ids := map[string][]string{engine.KindWorkday: {"WorkerID", "workerId", "WID"}, engine.KindSuccessFactors: {"personIdExternal", "workerId"}}[src.Kind]
	var names []string
	owner := map[string]*engine.User{}
	for _, u := range src.Users {
		for _, a := range append(attrs, ids...) {
			v := u.String(a)
			if v == "" {
				continue
			}
			if strings.EqualFold(v, q) {
				if ids == nil {
					return nil
				}
				// A Cloud HR worker named exactly: the search wants the id.
				return []string{describeCandidate(u, ids)}
			}
			if _, dup := owner[v]; !dup {
				owner[v] = u
				names = append(names, v)
			}
		}
	}
	var out []string
	seen := map[*engine.User]bool{}
	for _, n := range suggest.Closest(q, names, 10) {
		u := owner[n]
		if seen[u] || len(out) == 3 {
			continue
		}
		seen[u] = true
		out = append(out, describeCandidate(u, ids))
	}
	return out
}

func describeCandidate(u *engine.User, ids []string) string {
	for _, a := range ids {
		if v := u.String(a); v != "" {
			return fmt.Sprintf("%s %s (%s)", a, v, u.String("displayName"))
		}
	}
	if dn := u.String("displayName"); dn != "" && dn != u.Display() {
		return fmt.Sprintf("%s (%s)", u.Display(), dn)
	}
	return u.Display()
}

// hintSubject follows a run whose subject the search did not find with the closest names of the
// source, on stderr: "did you mean" for --user, or for --group among the groups' names.
func hintSubject(w io.Writer, src *engine.Source, f provisionFlags) {
	var flag, query string
	var close []string
	switch {
	case f.user != "":
		flag, query, close = "--user", f.user, userSuggestions(src, f.user)
	case f.group != "":
		names := make([]string, 0, len(src.Groups))
		for _, g := range src.Groups {
			names = append(names, g.DisplayName)
		}
		flag, query, close = "--group", f.group, suggest.Closest(f.group, names, 3)
	}
	if len(close) == 0 {
		return
	}
	fmt.Fprintf(w, "scimsim: %s %q matches nobody in %s; did you mean %s?\n", flag, query, f.source, strings.Join(close, " or "))
}
