package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/harness"
	"github.com/scimsim/scimsim/job"
	"github.com/scimsim/scimsim/scenarios"
)

func init() { subcommands = append(subcommands, syncCommand) }

// syncFlags are the flags of `scimsim sync`.
type syncFlags struct {
	jobFlags
	changes     string
	cycles      int
	until       string
	json        bool
	now         string
	concurrency int
	readBack    bool
	progress    string
}

func syncCommand() *cobra.Command {
	var f syncFlags
	cmd := &cobra.Command{
		Use:   "sync --source FILE [--config FILE] --target URL --token T [--cycles N | --until DURATION] [--changes FILE]",
		Short: "Run the provisioning job: an initial cycle, then incremental cycles, on a virtual clock",
		Long: `Run the provisioning job as Microsoft Entra ID's provisioning service does between on-demand
runs: an initial cycle over every user and group in scope, then incremental cycles that process what
changed (--changes) and retry what failed (escrows), with quarantine, its retry schedule and the
accidental-deletions threshold as Microsoft documents them. Time is virtual: cycles are about 40
minutes apart and quarantine retries hours to a day apart, and nothing waits.

Without --config the job is Entra's default job for a non-gallery SCIM application.

Output: one line per cycle, then the job's status as the provisioning page shows it and the most
frequent errors with their tips and the request that caused each; --json prints the status as
Microsoft Graph's synchronizationStatus; --provisioning-log writes one entry per object per cycle in
the admin center's download formats (JSON, or CSV as three files).

Exit status: 0 when the job ends Active with no failed object in its last cycle, 1 when it ends in
quarantine, paused or with failures, 2 on bad input or a target that cannot be reached.`,
		Example: `  scimsim sync --source testdata/sources/contoso.yaml --target http://127.0.0.1:8080/scim/v2 --token secret
  scimsim sync --source contoso.yaml --changes changes.yaml --cycles 5 --provisioning-log logs.json
  scimsim sync --source contoso.yaml --until 30d --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSync(cmd, f)
		},
	}
	fl := cmd.Flags()
	f.jobFlags.register(fl, "write the provisioning logs to this file")
	fl.StringVar(&f.changes, "changes", "", "changes file: what happens in the source, and what the administrator does, before each cycle (YAML)")
	fl.IntVar(&f.cycles, "cycles", 0, "cycles to run, quarantine retries included (default: 1, or the last cycle --changes names)")
	fl.StringVar(&f.until, "until", "", "run cycles for this long of virtual time instead, e.g. 6h or 30d")
	fl.BoolVar(&f.json, "json", false, "print the job's status as Microsoft Graph's synchronizationStatus")
	fl.StringVar(&f.now, "now", "", "the virtual time the job starts at (RFC 3339); default: the clock")
	fl.IntVar(&f.concurrency, "concurrency", job.DefaultConcurrency, "objects provisioned at once")
	fl.BoolVar(&f.readBack, "read-back", false, "read every write back and compare it (scimsim's own request, which Entra does not send)")
	fl.StringVar(&f.progress, "progress", "auto", "progress bar on stderr: auto (when stdout is a terminal), always or never")
	return cmd
}

func runSync(cmd *cobra.Command, f syncFlags) error {
	switch {
	case f.source == "":
		return usageError("sync: --source is required")
	case f.given("cycles") && f.cycles < 1:
		return usageError("sync: --cycles %d: run at least one cycle", f.cycles)
	case f.given("cycles") && f.until != "":
		return usageError("sync: --cycles and --until cannot be used together")
	case f.concurrency < 1:
		return usageError("sync: --concurrency %d: want 1 or more", f.concurrency)
	case f.progress != "auto" && f.progress != "always" && f.progress != "never":
		return usageError("sync: --progress %q: want auto, always or never", f.progress)
	case f.logFormat != job.FormatJSON && f.logFormat != job.FormatCSV:
		return usageError("sync: --provisioning-log-format %q: want json or csv", f.logFormat)
	}
	start, nowSet, err := parseNow("sync", f.now)
	if err != nil {
		return err
	}
	if !nowSet {
		start = time.Now().UTC().Truncate(time.Second)
	}
	var lim job.Limit
	if f.until != "" {
		d, err := parseDays(f.until)
		if err != nil || d <= 0 {
			return usageError("sync: --until %q: want a positive duration such as 90m, 6h or 30d", f.until)
		}
		lim.Until = start.Add(d)
	}
	src, err := engine.LoadSource(f.source)
	if err != nil {
		return usageError("%v", err)
	}
	cfg := engine.DefaultConfig()
	if f.config != "" {
		if cfg, err = engine.LoadConfig(f.config); err != nil {
			return usageError("%v", err)
		}
	}
	var changes *engine.Changes
	if f.changes != "" {
		if changes, err = engine.LoadChanges(f.changes, src); err != nil {
			return usageError("%v", err)
		}
	}
	switch {
	case f.given("cycles"):
		lim.Cycles = f.cycles
		if last := changes.Last(); last > f.cycles {
			cs, _ := changes.Set(last)
			return usageError("%s: cycles: changes for cycle %d, but --cycles %d runs only %d", cs.Pos, last, f.cycles, f.cycles)
		}
	case f.until == "":
		lim.Cycles = max(1, changes.Last())
	}
	hc, err := f.client("sync")
	if err != nil {
		return err
	}
	token := cfg.Target.Token
	if f.given("token") {
		token = f.token
	}
	opts := job.Options{Target: f.target, Token: token, HTTPClient: hc, Start: start, Concurrency: f.concurrency,
		ReadBack: f.readBack, Changes: changes}
	if f.target == "" && cfg.Target.URL == "" {
		return usageError("sync: no tenant URL: set target.url in the config or pass --target")
	}
	out := cmd.OutOrStdout()
	bar := progressFor(f.progress, out, f.json)
	if bar != nil {
		opts.Progress = func(cycle, done, total int) {
			bar.ChangeMax(max(total, 1))
			bar.Describe(fmt.Sprintf("cycle %d", cycle))
			_ = bar.Set(done)
		}
	}
	if f.log != "" {
		lw, err := job.CreateLog(f.log, f.logFormat)
		if err != nil {
			return usageError("sync: --provisioning-log: %v", err)
		}
		defer lw.Close()
		opts.Log = lw
	}
	j, err := job.New(src, cfg, opts)
	if err != nil {
		return usageIf[*engine.InputError](err)
	}
	if _, err := j.Start(cmd.Context()); err != nil {
		if errors.Is(err, job.ErrUnreachable) {
			return usageError("sync: %v", err)
		}
		return err
	}
	runErr := j.Run(cmd.Context(), lim, func(c job.CycleSummary) {
		if bar != nil {
			_ = bar.Clear()
		}
		if !f.json {
			_ = job.WriteCycle(out, c)
		}
	})
	if bar != nil {
		_ = bar.Exit()
	}
	if runErr != nil {
		return usageIf[*engine.FieldError](runErr)
	}
	if opts.Log != nil {
		if err := opts.Log.Close(); err != nil {
			return fmt.Errorf("sync: writing the provisioning log: %w", err)
		}
		opts.Log = nil
	}
	st := j.Status()
	if f.json {
		if err := writeJSON(out, st); err != nil {
			return err
		}
	} else if err := job.WriteSummary(out, st, j.Cycles(), j.Errors(), 5); err != nil {
		return err
	}
	cycles := j.Cycles()
	if st.Code != job.CodeActive || len(cycles) > 0 && cycles[len(cycles)-1].Failed > 0 {
		return failedAsReported()
	}
	return nil
}

// parseDays reads a Go duration, or a number of days written with a d ("30d").
func parseDays(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.ParseFloat(n, 64)
		if err != nil {
			return 0, err
		}
		return time.Duration(days * float64(24*time.Hour)), nil
	}
	return time.ParseDuration(s)
}

// progressFor returns the progress bar --progress asks for, nil for none. auto shows it when
// stdout is a terminal and the output is text.
func progressFor(mode string, out io.Writer, jsonOut bool) *progressbar.ProgressBar {
	show := mode == "always"
	if mode == "auto" && !jsonOut {
		if fd, ok := out.(interface{ Fd() uintptr }); ok && isatty.IsTerminal(fd.Fd()) {
			show = true
		}
	}
	if !show {
		return nil
	}
	return progressbar.NewOptions(1, progressbar.OptionSetWriter(os.Stderr), progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(false), progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
}

// expectedCycles is what a cycle scenario expects, for `scenarios run`: the job's status after its
// last cycle.
func expectedCycles(s scenarios.Scenario) string {
	last := s.Cycles[len(s.Cycles)-1].Expect
	e := fmt.Sprintf("the job %s after %d cycles", last.Status, len(s.Cycles))
	if last.Reason != "" {
		e += " (" + last.Reason + ")"
	}
	return e
}

// writeCycleOutcomes writes one line per cycle of a cycle scenario's run.
func writeCycleOutcomes(w io.Writer, res *harness.Result) {
	for _, c := range res.Cycles {
		reason := ""
		if c.Reason != "" {
			reason = " (" + c.Reason + ")"
		}
		fmt.Fprintf(w, "   cycle %d  %s  %d processed: %d created, %d updated, %d disabled, %d deleted, %d skipped, %d failed, %d staged; %d escrows; %s%s\n",
			c.Number, c.Began.UTC().Format(time.RFC3339), c.Processed, c.Created, c.Updated, c.Disabled, c.Deleted, c.Skipped, c.Failed, c.Staged, c.Escrows, c.Code, reason)
	}
	if len(res.Cycles) > 0 {
		fmt.Fprintln(w)
	}
}

// provisionTime is the time of a provision run: --now (already checked), else the clock.
func provisionTime(now string) time.Time {
	if t, err := time.Parse(time.RFC3339, now); err == nil {
		return t
	}
	return time.Now().UTC()
}
