package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scimsim/scimsim"
	"github.com/scimsim/scimsim/harness"
	"github.com/scimsim/scimsim/report"
	"github.com/scimsim/scimsim/scenarios"
)

func init() { subcommands = append(subcommands, scenariosCommand) }

// catalogFlags are the flags `scenarios list`, `scenarios run` and `demo` share.
type catalogFlags struct {
	dir    string
	labels []string
}

func (f *catalogFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.dir, "scenarios", "", "directory of a scenario catalog of your own (default: the catalog built into scimsim)")
	cmd.Flags().StringSliceVar(&f.labels, "label", nil, "only scenarios with this label (repeatable; any of them)")
}

// scenarios reads the catalog: the one built into the binary, or the --scenarios directory.
func (f *catalogFlags) scenarios() ([]scenarios.Scenario, error) {
	if f.dir == "" {
		return scenarios.Load(scimsim.Files, "scenarios")
	}
	return scenarios.LoadDir(f.dir)
}

// load reads and validates the catalog, then keeps the scenarios named by ids and carrying one of
// the labels. Problems in the catalog are bad input: exit status 2.
func (f *catalogFlags) load(ids []string) ([]scenarios.Scenario, error) {
	all, err := f.scenarios()
	if err != nil {
		return nil, usageError("%v", err)
	}
	selected, err := scenarios.Select(all, ids...)
	if err != nil {
		return nil, usageError("%v", err)
	}
	if len(f.labels) == 0 {
		return selected, nil
	}
	var out []scenarios.Scenario
	for _, s := range selected {
		if slices.ContainsFunc(f.labels, s.HasLabel) {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil, usageError("no scenario carries the %s %s", plural(len(f.labels), "label", "labels"), strings.Join(f.labels, " or "))
	}
	return out, nil
}

func scenariosCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "scenarios",
		Short: "List or run the catalog of documented on-demand provisioning cases",
	}
	cmd.AddCommand(scenariosListCommand(), scenariosRunCommand())
	requireSubcommand(cmd)
	return cmd
}

func scenariosListCommand() *cobra.Command {
	var f catalogFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the scenarios: id, title, labels and the section of the document each comes from",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			list, err := f.load(nil)
			if err != nil {
				return err
			}
			return writeScenarioList(cmd.OutOrStdout(), list)
		},
	}
	f.register(cmd)
	return cmd
}

// writeScenarioList writes the catalog as a table, one scenario per line.
func writeScenarioList(w io.Writer, list []scenarios.Scenario) error {
	t := report.Table{Head: []string{"ID", "TITLE", "LABELS", "DOC"}}
	for _, s := range list {
		title := s.Title
		if s.Pending != "" {
			title += " (pending)"
		}
		t.Add(s.ID, title, strings.Join(s.Labels, ","), s.Doc)
	}
	if err := t.Write(w); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d scenarios\n", len(list))
	return err
}

// runFlags are the flags of `scenarios run` and `demo`.
type runFlags struct {
	catalogFlags
	color        string
	showRequests bool
	quiet        bool
	// showcase (demo without --all) prints one report per step and the brief summary.
	showcase, all bool
}

func (f *runFlags) register(cmd *cobra.Command) {
	f.catalogFlags.register(cmd)
	cmd.Flags().StringVar(&f.color, "color", "auto", "colour the reports: auto (on a terminal), always or never")
	cmd.Flags().BoolVar(&f.showRequests, "show-requests", false, "print each step's HTTP exchanges as curl commands")
	cmd.Flags().BoolVarP(&f.quiet, "quiet", "q", false, "print only the summary table (and the reports of scenarios that did not meet their expectation)")
}

// scenariosRunFlags are the flags of `scenarios run`: where the scenarios run, and the reports CI reads.
type scenariosRunFlags struct {
	runFlags
	targetFlags
	prefix, junit, json string
}

func scenariosRunCommand() *cobra.Command {
	var f scenariosRunFlags
	cmd := &cobra.Command{
		Use:   "run [ID...]",
		Short: "Run scenarios (all, or those named) against an in-process simulator or an endpoint of yours, and print each report and the summary",
		Long: `Run scenarios (all, or those named, or those with --label) and print each step-by-step report and
the summary table.

By default they run against a simulator started in this process, each on its own tenant. With
--target URL --token T they run against your SCIM endpoint instead: only the scenarios that need no
fault, profile or token of the simulator's (the conformance label), each under names unique to the
run (--prefix), and everything a scenario created is deleted when it ends.

--junit FILE writes a JUnit XML report (one testsuite per scenario, one testcase per step, classname
the scenario id) and --json FILE a JSON one, for CI.

Exit status: 0 when every scenario met its expectation, 1 when one did not, 2 on bad input.`,
		Example: `  scimsim scenarios run --label matching
  scimsim scenarios run --scenarios ./my-catalog --junit reports/junit.xml --json reports/scenarios.json
  scimsim scenarios run --target https://app.example/scim/v2 --token "$SCIM_TOKEN" --junit junit.xml`,
		RunE: func(cmd *cobra.Command, ids []string) error {
			return runScenarioCommand(cmd, f, ids)
		},
	}
	f.runFlags.register(cmd)
	fl := cmd.Flags()
	f.targetFlags.register(fl, "SCIM base URL of an endpoint of yours: run the conformance scenarios against it instead of the simulator",
		"with --target: the endpoint's bearer token (default: $SCIMSIM_TOKEN)")
	fl.StringVar(&f.prefix, "prefix", harness.DefaultPrefix, "with --target: the start of the name of everything the run creates")
	fl.StringVar(&f.junit, "junit", "", "write a JUnit XML report to FILE")
	fl.StringVar(&f.json, "json", "", "write a JSON report to FILE")
	return cmd
}

func runScenarioCommand(cmd *cobra.Command, f scenariosRunFlags, ids []string) error {
	if f.target == "" {
		for _, name := range []string{"token", "prefix", "ca-cert", "insecure"} {
			if f.given(name) {
				return usageError("scenarios run: --%s goes with --target URL", name)
			}
		}
		return runScenarios(cmd.Context(), f.runFlags, ids, cmd.OutOrStdout(), runOutputs{junit: f.junit, json: f.json})
	}
	hc, err := f.client("scenarios run")
	if err != nil {
		return err
	}
	ext := &harness.External{URL: f.target, Token: f.tokenOrEnv(), Prefix: f.prefix, HTTPClient: hc}
	if err := ext.Validate(); err != nil {
		return usageError("scenarios run: %v", err)
	}
	return runScenarios(cmd.Context(), f.runFlags, ids, cmd.OutOrStdout(), runOutputs{junit: f.junit, json: f.json, external: ext, client: hc})
}
