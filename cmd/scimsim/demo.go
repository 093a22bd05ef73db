package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/harness"
	"github.com/scimsim/scimsim/scenarios"
	"github.com/scimsim/scimsim/simulator"
)

func init() { subcommands = append(subcommands, demoCommand) }

func demoCommand() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Start the simulator in-process, run the whole catalog, and show one step-by-step report per step and a summary",
		Long: `Start the simulator in this process and run the whole scenario catalog against it. By default it
shows, for each of the five steps, the report of the case that best shows how that step fails, as the
portal's "Provision on demand" page would, then how many scenarios end at each step and carry each
label, and every scenario that did not end as the document says. --all shows every report and the
whole table.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f.showcase = !f.all
			return runScenarios(cmd.Context(), f, nil, cmd.OutOrStdout(), runOutputs{})
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&f.all, "all", false, "show every scenario's report and the whole summary table")
	return cmd
}

// runOutputs is what `scenarios run` adds to `demo`: an endpoint of the user's to run against, and
// the report files for CI.
type runOutputs struct {
	junit, json string
	// external, when set, is the user's endpoint: only conformance scenarios run, through client.
	external *harness.External
	client   *http.Client
}

// runScenarios is `scenarios run` and `demo`: unless out names an endpoint, the simulator starts in
// this process on a loopback port and every scenario runs on its own tenant; each report is printed
// as the portal shows it, then the summary table, then the report files are written. It fails (exit
// status 1) unless every scenario met its expectation; pending scenarios run and are reported but do
// not count.
func runScenarios(ctx context.Context, f runFlags, ids []string, stdout io.Writer, out runOutputs) error {
	if !slices.Contains([]string{"auto", "always", "never"}, f.color) {
		return usageError("--color %q: want auto, always or never", f.color)
	}
	color, err := useColor(f.color, stdout)
	if err != nil {
		return err
	}
	list, err := f.load(ids)
	if err != nil {
		return err
	}
	if out.external != nil {
		if list, err = conformanceOnly(list, len(ids) > 0, out.external, stdout); err != nil {
			return err
		}
	}
	cases, err := harness.Prepare(list)
	if err != nil {
		return usageError("%v", err)
	}
	var target harness.Target = out.external
	if out.external == nil {
		sim, stop, err := startSimulator()
		if err != nil {
			return err
		}
		defer stop()
		target = sim
	}

	p := &painter{on: color}
	// Reports wrap to a terminal's width; the tables are written unwrapped, to keep their columns.
	reports := newWrapWriter(stdout, terminalWidth(stdout))
	text := engine.TextOptions{Color: color, ShowRequests: f.showRequests}
	started := time.Now()
	results := make([]harness.Result, 0, len(cases))
	failed := 0
	for _, c := range cases {
		res := harness.Run(ctx, target, c, harness.Options{HTTPClient: out.client})
		if ctx.Err() != nil {
			return ctx.Err()
		}
		results = append(results, res)
		met := res.Passed() || c.Scenario.Pending != ""
		if !met {
			failed++
		}
		if f.showcase || (f.quiet && met) {
			continue
		}
		if err := writeScenarioReport(reports, p, &res, text); err != nil {
			return err
		}
	}
	if f.showcase {
		for _, i := range showcase(results) {
			if err := writeScenarioReport(reports, p, &results[i], text); err != nil {
				return err
			}
		}
	}
	if err := reports.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(stdout)
	if f.showcase {
		err = writeBriefSummary(stdout, p, results)
	} else {
		rows := make([]harness.Row, len(results))
		for i := range results {
			rows[i] = results[i].Row()
		}
		err = harness.WriteSummary(stdout, rows, color)
	}
	if err != nil {
		return err
	}
	if err := writeRunReports(out, results, started); err != nil {
		return err
	}
	if failed > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d of %s did not meet their expectation", failed, count(len(cases), "scenario"))}
	}
	return nil
}

// conformanceOnly keeps the scenarios that can run against the user's endpoint: those labelled
// conformance, which need no fault, profile or token of the simulator's. A scenario named on the
// command line that cannot is bad input; of a whole catalog or a label, the others are left out, and
// the line printed before anything is sent says how many, and how every resource the run creates is
// named, should the process be killed before its cleanup.
func conformanceOnly(list []scenarios.Scenario, named bool, ext *harness.External, w io.Writer) ([]scenarios.Scenario, error) {
	var keep []scenarios.Scenario
	var left []string
	for _, s := range list {
		if s.HasLabel(scenarios.LabelConformance) {
			keep = append(keep, s)
		} else {
			left = append(left, s.ID)
		}
	}
	switch {
	case named && len(left) > 0:
		return nil, usageError("%s %s the simulator (faults, a profile or a token): against --target only scenarios labelled %s run", strings.Join(left, ", "), plural(len(left), "needs", "need"), scenarios.LabelConformance)
	case len(keep) == 0:
		return nil, usageError("no scenario labelled %s to run against %s", scenarios.LabelConformance, ext.URL)
	}
	fmt.Fprintf(w, "%s against %s", count(len(keep), "conformance scenario"), ext.URL)
	if len(left) > 0 {
		fmt.Fprintf(w, " (%s the simulator and %s left out)", count(len(left), "other needs", "others need"), plural(len(left), "is", "are"))
	}
	fmt.Fprintf(w, "; everything they create is named %s%s-N-...\n", cmp.Or(ext.Prefix, harness.DefaultPrefix), ext.RunID())
	return keep, nil
}

// startSimulator serves a fresh simulator on a loopback port for the length of the command.
func startSimulator() (harness.Target, func(), error) {
	srv, err := simulator.New(simulator.WithSeed(7))
	if err != nil {
		return nil, nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, fmt.Errorf("start the simulator: %w", err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(l) }()
	stop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if hs.Shutdown(ctx) != nil {
			_ = hs.Close()
		}
	}
	return harness.NewSimulator(srv, "http://"+l.Addr().String()), stop, nil
}

// writeScenarioReport prints one scenario: a heading with its id, title and where the document
// describes it, whether it met its expectation, then the engine's portal-like report.
func writeScenarioReport(w io.Writer, p *painter, res *harness.Result, o engine.TextOptions) error {
	s := res.Scenario
	mark := p.paint(green, "✓ as documented")
	switch {
	case s.Pending != "":
		mark = p.paint(yellow, "… pending: "+s.Pending)
	case !res.Passed():
		mark = p.paint(red, "✗ not as documented")
	}
	fmt.Fprintf(w, "\n%s — %s\n", p.paint(bold, "━━ "+s.ID), s.Title)
	expected := expectedEnd(s.Expect)
	if s.IsCycles() {
		expected = expectedCycles(s)
	}
	fmt.Fprintf(w, "   %s · expected %s · %s\n", s.Doc, expected, mark)
	if s.Quote != "" {
		fmt.Fprintf(w, "   %s\n", p.paint(dim, "“"+s.Quote+"”"))
	}
	if !res.Passed() && s.Pending == "" {
		for _, line := range strings.Split(res.Failure(), "\n") {
			fmt.Fprintf(w, "   %s\n", p.paint(red, line))
		}
	}
	fmt.Fprintln(w)
	writeCycleOutcomes(w, res)
	if res.Report == nil {
		return nil
	}
	return res.Report.WriteText(w, o)
}

func expectedEnd(e scenarios.Expect) string {
	switch {
	case e.FailedStep != "" && e.ErrorCode != "":
		return e.FailedStep + " " + e.Status + " (" + e.ErrorCode + ")"
	case e.FailedStep != "":
		return e.FailedStep + " " + e.Status
	default:
		return e.Status + ", action " + e.Action
	}
}

const (
	bold   = "\x1b[1m"
	dim    = "\x1b[2m"
	red    = "\x1b[31m"
	green  = "\x1b[32m"
	yellow = "\x1b[33m"
)

// painter colours text when the output is a terminal (or --color always).
type painter struct{ on bool }

func (p *painter) paint(code, s string) string {
	if !p.on {
		return s
	}
	return code + s + "\x1b[0m"
}
