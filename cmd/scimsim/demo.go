package main

import (
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
		Short: "Start the simulator in-process, run the whole catalog and show each step-by-step report as the portal would",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runScenarios(cmd.Context(), f, nil, cmd.OutOrStdout())
		},
	}
	f.register(cmd)
	return cmd
}

// runScenarios is `scenarios run` and `demo`: the simulator starts in this process on a loopback
// port, every scenario runs on its own tenant, each report is printed as the portal shows it, then
// the summary table. It fails (exit status 1) unless every scenario met its expectation; pending
// scenarios run and are reported but do not count.
func runScenarios(ctx context.Context, f runFlags, ids []string, stdout io.Writer) error {
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
	cases, err := harness.Prepare(list)
	if err != nil {
		return usageError("%v", err)
	}
	target, stop, err := startSimulator()
	if err != nil {
		return err
	}
	defer stop()

	p := &painter{on: color}
	var rows []harness.Row
	failed := 0
	for _, c := range cases {
		res := harness.Run(ctx, target, c, harness.Options{})
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rows = append(rows, res.Row())
		met := res.Passed() || c.Scenario.Pending != ""
		if !met {
			failed++
		}
		if f.quiet && met {
			continue
		}
		if err := writeScenarioReport(stdout, p, &res, engine.TextOptions{Color: color, ShowRequests: f.showRequests}); err != nil {
			return err
		}
	}
	fmt.Fprintln(stdout)
	if err := harness.WriteSummary(stdout, rows, color); err != nil {
		return err
	}
	if failed > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d of %d scenarios did not meet their expectation", failed, len(cases))}
	}
	return nil
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
