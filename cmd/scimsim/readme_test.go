package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/scimsim/scimsim/engine/expr"
	"github.com/scimsim/scimsim/simulator/faults"
)

// The README is the contract users read first, so these tests keep it from drifting away from the
// code: every fault type has a row whose example is a valid fault, every flag in a command's flag
// table exists, and every flag of serve is in its table.

func readme(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatalf("reading README.md: %v", err)
	}
	return string(b)
}

// section returns the README text from the heading that starts with title to the next heading of
// the same or a higher level.
func section(t *testing.T, doc, title string) string {
	t.Helper()
	i := strings.Index(doc, "\n"+title)
	if i < 0 {
		t.Fatalf("README.md has no heading %q", title)
	}
	level := strings.Index(title, " ")
	rest := doc[i+1+len(title):]
	next := regexp.MustCompile(`\n#{1,` + string(rune('0'+level)) + `} `).FindStringIndex(rest)
	if next == nil {
		return rest
	}
	return rest[:next[0]]
}

var faultRow = regexp.MustCompile("(?m)^\\| `([a-z_0-9]+)` \\| [^|]+ \\| `(\\{.*\\})` \\|$")

func TestREADME_EveryFaultHasAValidExample(t *testing.T) {
	rows := faultRow.FindAllStringSubmatch(section(t, readme(t), "### Faults"), -1)
	documented := map[string]bool{}
	for _, r := range rows {
		name, example := r[1], r[2]
		documented[name] = true
		var spec faults.Spec
		dec := json.NewDecoder(strings.NewReader(example))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&spec); err != nil {
			t.Errorf("README fault %s: example %s does not decode: %v", name, example, err)
			continue
		}
		if spec.Type != name {
			t.Errorf("README fault row %s: example has type %q", name, spec.Type)
		}
		if err := spec.Validate(); err != nil {
			t.Errorf("README fault %s: example %s is invalid: %v", name, example, err)
		}
	}
	for _, ft := range faults.Types() {
		if !documented[ft.Name] {
			t.Errorf("README.md's fault table has no row for %q", ft.Name)
		}
	}
	if len(documented) != len(faults.Types()) {
		t.Errorf("README.md documents %d fault types, the registry has %d", len(documented), len(faults.Types()))
	}
}

var flagCell = regexp.MustCompile("`--([a-z-]+)")

// tableFlags returns the flags named in the first column of the markdown tables of text.
func tableFlags(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, "| `--") {
			continue
		}
		first := strings.SplitN(line[1:], "|", 2)[0]
		for _, m := range flagCell.FindAllStringSubmatch(first, -1) {
			out = append(out, m[1])
		}
	}
	return out
}

func command(t *testing.T, name string) *cobra.Command {
	t.Helper()
	for _, sub := range subcommands {
		if c := sub(); c.Name() == name {
			return c
		}
	}
	t.Fatalf("no subcommand %q", name)
	return nil
}

func TestREADME_FlagTables(t *testing.T) {
	doc := readme(t)
	for _, tc := range []struct {
		command, heading string
		complete         bool // every flag of the command must be in the table
	}{
		{"serve", "## `scimsim serve`", true},
		{"provision", "## `scimsim provision`", true},
		{"sync", "## `scimsim sync`", true},
		{"conformance", "## `scimsim conformance`", true},
		{"ui", "## `scimsim ui`", true},
	} {
		cmd := command(t, tc.command)
		documented := tableFlags(section(t, doc, tc.heading))
		if len(documented) == 0 {
			t.Errorf("README section %q has no flag table", tc.heading)
		}
		for _, f := range documented {
			if cmd.Flags().Lookup(f) == nil {
				t.Errorf("README documents scimsim %s --%s, which does not exist", tc.command, f)
			}
		}
		if !tc.complete {
			continue
		}
		cmd.Flags().VisitAll(func(f *pflag.Flag) {
			if f.Name != "help" && !slices.Contains(documented, f.Name) {
				t.Errorf("scimsim %s --%s is missing from README.md's flag table", tc.command, f.Name)
			}
		})
	}
}

// TestREADME_ExprExamples runs the README's `scimsim expr` examples that need no file, the way a
// reader pastes them.
func TestREADME_ExprExamples(t *testing.T) {
	for _, args := range [][]string{
		{"expr", `Join(" ", [givenName], [surname])`, "--attr", "givenName=Alice", "--attr", "surname=Smith"},
		{"expr", `DateAdd("d", 7, Now())`, "--now", "2026-11-25T10:00:00Z"},
	} {
		var out, errOut bytes.Buffer
		if err := run(context.Background(), args, &out, &errOut); err != nil {
			t.Errorf("scimsim %q: %v\n%s", args, err, errOut.String())
		}
	}
	if !strings.Contains(readme(t), `scimsim expr 'Join(" ", [givenName], [surname])' --attr givenName=Alice --attr surname=Smith`) {
		t.Error("README.md no longer shows the Join example this test runs")
	}
}

// TestREADME_ExprClaims keeps the README's `scimsim expr` section true: the number of Microsoft's
// functions and the reference's revision are those engine/expr checks its function table and its
// examples against (TestFunctions_MicrosoftsList, TestExpr_Eval_FunctionsPage), and every flag of
// the command is named.
func TestREADME_ExprClaims(t *testing.T) {
	sec := strings.Join(strings.Fields(section(t, readme(t), "## `scimsim expr`")), " ")
	if want := fmt.Sprintf("All %d functions of Microsoft's reference (its revision of %s)", expr.DocumentedFunctions, expr.ReferenceDate); !strings.Contains(sec, want) {
		t.Errorf("README's scimsim expr section does not say %q", want)
	}
	exprCommand().Flags().VisitAll(func(f *pflag.Flag) {
		if !regexp.MustCompile("`[^`]*--" + f.Name + "([^a-z-][^`]*)?`").MatchString(sec) {
			t.Errorf("README's scimsim expr section does not name --%s", f.Name)
		}
	})
}

// TestREADME_MakeTargets: every `make TARGET` the README tells a reader to type exists.
func TestREADME_MakeTargets(t *testing.T) {
	mk, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	targets := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^([a-z][a-z-]*):`).FindAllStringSubmatch(string(mk), -1) {
		targets[m[1]] = true
	}
	named := regexp.MustCompile("`make ([a-z][a-z-]*)").FindAllStringSubmatch(readme(t), -1)
	if len(named) < 5 {
		t.Fatalf("README.md names %d make targets, want the build, install, test, demo and bench ones", len(named))
	}
	for _, m := range named {
		if !targets[m[1]] {
			t.Errorf("README.md says `make %s`; the Makefile has no such target", m[1])
		}
	}
}
