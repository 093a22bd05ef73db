package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/scimsim/scimsim"
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
		return nil, usageError("no scenario carries the label(s) %s", strings.Join(f.labels, ", "))
	}
	return out, nil
}

func scenariosCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "scenarios",
		Short: "List or run the catalog of documented on-demand provisioning cases",
	}
	cmd.AddCommand(scenariosListCommand(), scenariosRunCommand())
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
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTITLE\tLABELS\tDOC")
	for _, s := range list {
		title := s.Title
		if s.Pending != "" {
			title += " (pending)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.ID, title, strings.Join(s.Labels, ","), s.Doc)
	}
	if err := tw.Flush(); err != nil {
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
}

func (f *runFlags) register(cmd *cobra.Command) {
	f.catalogFlags.register(cmd)
	cmd.Flags().StringVar(&f.color, "color", "auto", "colour the reports: auto (on a terminal), always or never")
	cmd.Flags().BoolVar(&f.showRequests, "show-requests", false, "print each step's HTTP exchanges as curl commands")
	cmd.Flags().BoolVarP(&f.quiet, "quiet", "q", false, "print only the summary table (and the reports of scenarios that did not meet their expectation)")
}

func scenariosRunCommand() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run [ID...]",
		Short: "Run scenarios (all, or those named) against an in-process simulator and print each report and the summary",
		RunE: func(cmd *cobra.Command, ids []string) error {
			return runScenarios(cmd.Context(), f, ids, cmd.OutOrStdout())
		},
	}
	f.register(cmd)
	return cmd
}
