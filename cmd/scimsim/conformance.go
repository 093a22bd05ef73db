package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/scimsim/scimsim/conformance"
	"github.com/scimsim/scimsim/harness"
	"github.com/scimsim/scimsim/internal/endpoint"
	"github.com/scimsim/scimsim/scenarios"
)

func init() { subcommands = append(subcommands, conformanceCommand) }

// conformanceFlags are the flags of `scimsim conformance`.
type conformanceFlags struct {
	targetFlags
	prefix              string
	dryRun              bool
	jsonFile, junitFile string
	checks              []string
	scenarios           string
}

func conformanceCommand() *cobra.Command {
	var f conformanceFlags
	cmd := &cobra.Command{
		Use:   "conformance --target URL [--token T] [--prefix P] [--dry-run] [--json FILE] [--junit FILE] [--check ID]...",
		Short: "Check a SCIM endpoint as Entra ID's provisioning would use it, and say whether Entra's default job would work",
		Long: `Check a SCIM endpoint the way Microsoft Entra ID's provisioning service uses it: one check per
requirement Microsoft documents, each sending exactly what Entra's default job sends, then the
catalog's conformance scenarios, which drive the provisioning engine through create, match, update,
disable, restore, delete and group membership. Every check has an impact: breaks-entra (Entra's
default job fails against the endpoint), flag-only (only with the aadOptscim062020 flag) or rfc-only
(the RFC or Microsoft asks for it, Entra's default job does not need it).

Everything the run creates is named with --prefix and a random run id, and deleted afterwards, also
on failure or Ctrl-C. The token comes from --token or $SCIMSIM_TOKEN (which keeps it out of the
process list) and is never printed: the curl commands read it from $TOKEN.

Exit status: 0 when no check that breaks Entra failed, 1 when one did (an unreachable endpoint, a
non-SCIM answer, a TLS mismatch and a refused token included), 2 on bad input.`,
		Example: `  SCIMSIM_TOKEN=secret scimsim conformance --target https://app.example/scim/v2
  scimsim conformance --target http://127.0.0.1:8080/scim/v2 --token secret --json report.json --junit junit.xml
  scimsim conformance --target https://app.example/scim/v2 --dry-run
  scimsim conformance --target https://app.example/scim/v2 --check patch-entra-manager --check enterprise-attributes`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runConformance(cmd.Context(), f, cmd.OutOrStdout())
		},
	}
	fl := cmd.Flags()
	f.targetFlags.register(fl, "SCIM base URL of the endpoint (Entra's Tenant URL), without ?aadOptscim062020 or any query string",
		"bearer token (Entra's Secret Token); default $SCIMSIM_TOKEN")
	fl.StringVar(&f.prefix, "prefix", conformance.DefaultPrefix, "start of the name of everything the run creates (at most 32 letters, digits, '.', '_', '-')")
	fl.BoolVar(&f.dryRun, "dry-run", false, "print the requests of the checks as curl commands and send none (the scenarios are not run)")
	fl.StringVar(&f.jsonFile, "json", "", "also write the report as JSON to this file")
	fl.StringVar(&f.junitFile, "junit", "", "also write the report as JUnit XML to this file")
	fl.StringArrayVar(&f.checks, "check", nil, "run only this check (repeatable; test-connection always runs first); the scenarios are then not run")
	fl.StringVar(&f.scenarios, "scenarios", "", "directory of a scenario catalog whose conformance scenarios to run (default: the catalog the binary carries)")
	return cmd
}

func runConformance(ctx context.Context, f conformanceFlags, stdout io.Writer) error {
	f.token = f.tokenOrEnv()
	if f.target == "" {
		return usageError("conformance: --target is required: the SCIM base URL of the endpoint, such as https://app.example/scim/v2")
	}
	if _, err := conformance.Select(f.checks); err != nil {
		return usageError("conformance: %v", err)
	}
	if err := endpoint.CheckBaseURL(f.target); err != nil {
		return usageError("conformance: --target %q: %v", f.target, err)
	}
	if err := endpoint.CheckPrefix(f.prefix); err != nil {
		return usageError("conformance: --%v", err)
	}
	hc, err := f.client("conformance")
	if err != nil {
		return err
	}
	// The report files are opened first, so that a path that cannot be written is said before
	// anything is sent.
	jsonOut, err := createReportFile("--json", f.jsonFile)
	if err != nil {
		return err
	}
	junitOut, err := createReportFile("--junit", f.junitFile)
	if err != nil {
		return err
	}
	var cases []harness.Case
	runScenarios := !f.dryRun && len(f.checks) == 0
	if runScenarios {
		if cases, err = conformanceCases(f.scenarios); err != nil {
			return err
		}
	}

	cfg := conformance.Config{BaseURL: f.target, Token: f.token, Prefix: f.prefix, HTTPClient: hc, DryRun: f.dryRun, Checks: f.checks}
	var session *endpoint.Session
	if !f.dryRun {
		if session, err = endpoint.NewSession(endpoint.Config{URL: f.target, Token: f.token, Prefix: f.prefix, HTTPClient: hc}); err != nil {
			return usageError("conformance: %v", err)
		}
		cfg.Session = session
	}
	p := &progress{w: stdout}
	if f.dryRun {
		cfg.Log = stdout
	} else {
		cfg.Progress = p.result
	}
	t, err := conformance.NewTarget(cfg)
	if err != nil {
		return usageError("%v", err)
	}
	p.stopped = func() bool { return t.Stopped() != "" }
	p.header = fmt.Sprintf("conformance: %s (run %s, prefix %q): everything the run creates is named %s%s-...\n",
		t.BaseURL(), t.RunID(), f.prefix, f.prefix, t.RunID())
	results := t.RunChecks(ctx)
	cleanupErr := t.Cleanup(ctx)

	var scenarioReports []conformance.ScenarioReport
	gateFailed := t.Stopped() != ""
	if runScenarios && !gateFailed && ctx.Err() == nil {
		ext := &harness.External{Session: session}
		p.flush()
		fmt.Fprintf(stdout, "\nconformance scenarios (%d), through the provisioning engine with their catalog's job:\n", len(cases))
		for _, c := range cases {
			if ctx.Err() != nil {
				break
			}
			res := harness.Run(ctx, ext, c, harness.Options{HTTPClient: hc})
			sr := scenarioReport(res)
			io.WriteString(stdout, sr.Line())
			scenarioReports = append(scenarioReports, sr)
			if res.Cleanup != nil {
				cleanupErr = errors.Join(cleanupErr, res.Cleanup)
			}
		}
	}

	rep := conformance.NewReport(t.BaseURL(), t.RunID(), f.dryRun, results, scenarioReports)
	if cleanupErr != nil {
		rep.Cleanup = cleanupErr.Error()
	}
	if err := writeReportFiles(rep, jsonOut, junitOut); err != nil {
		return err
	}
	if gateFailed {
		// Nothing else ran: the one thing to say is why.
		return &exitError{code: 1, err: fmt.Errorf("conformance: %s", results[0].Failure.Got)}
	}
	if !f.dryRun {
		p.flush()
		fmt.Fprintln(stdout)
	}
	if err := conformance.WriteReport(stdout, results); err != nil {
		return err
	}
	if len(scenarioReports) > 0 {
		writeScenarioSummary(stdout, scenarioReports)
	}
	if cleanupErr != nil {
		fmt.Fprintf(os.Stderr, "scimsim: conformance: the run could not delete everything it created:\n%v\n", cleanupErr)
	}
	if ctx.Err() != nil {
		return &exitError{code: 1, err: fmt.Errorf("conformance: interrupted after %d checks; what the run created was deleted", len(results))}
	}
	if !rep.Summary.EntraWorks {
		return failedAsReported()
	}
	return nil
}

// progress prints one line per check as it ends. The header and the first line wait until the
// gate (test-connection) has passed: when it fails, the command says why in one sentence instead.
type progress struct {
	w       io.Writer
	header  string
	pending []string
	started bool
	// stopped says whether the gate stopped the run (conformance.Target.Stopped).
	stopped func() bool
}

func (p *progress) result(r conformance.Result) {
	if p.stopped() {
		return
	}
	p.pending = append(p.pending, r.Line())
	p.flush()
}

func (p *progress) flush() {
	if !p.started {
		io.WriteString(p.w, p.header)
		p.started = true
	}
	for _, l := range p.pending {
		io.WriteString(p.w, l)
	}
	p.pending = nil
}

// createReportFile creates the file of a report flag; "" is none.
func createReportFile(flag, path string) (*os.File, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, usageError("conformance: %s: %v", flag, err)
	}
	return f, nil
}

func writeReportFiles(rep *conformance.Report, jsonOut, junitOut *os.File) error {
	if jsonOut != nil {
		if err := errors.Join(writeJSON(jsonOut, rep), jsonOut.Close()); err != nil {
			return fmt.Errorf("conformance: --json %s: %w", jsonOut.Name(), err)
		}
	}
	if junitOut != nil {
		if err := errors.Join(conformance.WriteJUnit(junitOut, rep), junitOut.Close()); err != nil {
			return fmt.Errorf("conformance: --junit %s: %w", junitOut.Name(), err)
		}
	}
	return nil
}

// conformanceCases loads the conformance scenarios of the catalog in dir, or of the catalog the
// binary carries when dir is "".
func conformanceCases(dir string) ([]harness.Case, error) {
	f := catalogFlags{dir: dir, labels: []string{scenarios.LabelConformance}}
	all, err := f.load(nil)
	if err != nil {
		return nil, usageError("conformance: --scenarios: %v", errors.Unwrap(err))
	}
	var list []scenarios.Scenario
	for _, s := range all {
		if s.Pending == "" {
			list = append(list, s)
		}
	}
	cases, err := harness.Prepare(list)
	if err != nil {
		return nil, usageError("conformance: --scenarios: %v", err)
	}
	return cases, nil
}

// scenarioReport is a scenario's run in the report.
func scenarioReport(res harness.Result) conformance.ScenarioReport {
	row := res.Row()
	sr := conformance.ScenarioReport{ID: row.Scenario, Title: res.Scenario.Title, Status: conformance.StatusPass,
		Expected: row.Expected, Actual: row.Actual, ErrorCode: row.ErrorCode}
	if !res.Passed() {
		sr.Status, sr.Failure = conformance.StatusFail, res.Failure()
	}
	return sr
}

// writeScenarioSummary writes the scenarios' counts and each failure's reason.
func writeScenarioSummary(w io.Writer, rs []conformance.ScenarioReport) {
	failed := 0
	for _, r := range rs {
		if r.Status == conformance.StatusFail {
			failed++
			fmt.Fprintf(w, "\nFAIL %s\n", r.Failure)
		}
	}
	fmt.Fprintf(w, "\n%d scenarios: %d passed, %d failed\n", len(rs), len(rs)-failed, failed)
}
