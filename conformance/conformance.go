// Package conformance checks whether Microsoft Entra ID's provisioning service would work against a
// real SCIM 2.0 endpoint: one check per requirement Microsoft documents for SCIM endpoints, each
// sending exactly the requests Entra sends (built by package entra, with the bodies Entra's default
// job for a non-gallery application computes for a synthetic user, engine.NewExport over
// engine.DefaultConfig), and reading the result back.
//
// Every check has an Impact: ImpactBreaksEntra (Entra's default job fails against the endpoint),
// ImpactFlagOnly (only with the aadOptscim062020 flag in the Tenant URL) or ImpactRFCOnly (an RFC
// or Microsoft requirement that Entra's default job does not depend on). Only a failed
// ImpactBreaksEntra check means Entra's provisioning would not work. A check fails only for the
// reason it names: when something else it needs does not work (creating a user, reading it back,
// the capitalised ops of Entra's PATCH), it is skipped with the reason, and the check of that
// other requirement reports it.
//
// A check that fails says what the endpoint answered, what Entra would do about it (in Microsoft's
// words where Microsoft documents it) and what would make it pass: a change to the endpoint, or the
// Entra dialect or scimsim profile that behaves that way.
//
// The run is safe against a production system: every resource it creates carries a name unique to
// the run (Config.Prefix followed by a random run id), it only modifies or deletes resources it
// created, and the run deletes all of them afterwards (package internal/endpoint's Ledger), also
// when a check fails or the run is interrupted. Config.DryRun lists every request without sending
// any.
//
// Sources, cited by the checks (Microsoft Learn, repository MicrosoftDocs/entra-docs, under
// docs/identity/app-provisioning/ unless said otherwise):
//   - "Tutorial - Develop a SCIM endpoint for user provisioning to apps from Microsoft Entra ID"
//     (use-scim-to-provision-users-and-groups.md), cited as [scim-tutorial];
//   - "Known issues with SCIM 2.0 protocol compliance"
//     (application-provisioning-config-problem-scim-compatibility.md), cited as [scim-compat];
//   - "Application provisioning in quarantine status" (application-provisioning-quarantine-status.md),
//     cited as [quarantine];
//   - "On-demand provisioning" (provision-on-demand.md), cited as [on-demand];
//   - "How to analyze the Microsoft Entra provisioning logs"
//     (docs/identity/monitoring-health/howto-analyze-provisioning-logs.md), cited as [logs].
package conformance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/scimsim/scimsim/internal/endpoint"
	"github.com/scimsim/scimsim/internal/suggest"
	"github.com/scimsim/scimsim/wire"
)

// DefaultPrefix starts the name of every resource a run creates, unless Config.Prefix says otherwise.
const DefaultPrefix = endpoint.DefaultPrefix

// CleanupTimeout bounds the deletion of what a run created. Cleanup runs on a fresh context so that a
// cancelled or timed-out run still removes its resources.
const CleanupTimeout = endpoint.CleanupTimeout

// Impact says what a failed check means for Entra's provisioning.
type Impact string

// The impacts.
const (
	// ImpactBreaksEntra: Entra's default job fails against the endpoint, on demand and in its
	// cycles.
	ImpactBreaksEntra Impact = "breaks-entra"
	// ImpactFlagOnly: provisioning fails only when the aadOptscim062020 flag is appended to the
	// Tenant URL (the entra-compliant dialect), which Microsoft documents does not apply on demand.
	ImpactFlagOnly Impact = "flag-only"
	// ImpactRFCOnly: the endpoint does not do what RFC 7643/7644 (or Microsoft's list of
	// requirements) asks, but Entra's default job does not depend on it; for example it accepts a
	// duplicate userName in another case, which Entra never sends, since it queries before it
	// creates.
	ImpactRFCOnly Impact = "rfc-only"
)

// Impacts lists the impacts, the one that decides the exit status first.
func Impacts() []Impact { return []Impact{ImpactBreaksEntra, ImpactFlagOnly, ImpactRFCOnly} }

// Config of a run against a real endpoint.
type Config struct {
	// BaseURL is the SCIM base URL, what Entra calls the Tenant URL (e.g. https://app.example/scim/v2).
	BaseURL string
	// Token is the bearer token, what Entra calls the Secret Token.
	Token string
	// Prefix starts every created resource's name; DefaultPrefix when empty. Letters, digits, '.',
	// '_' and '-' only, at most 32 characters, because it ends up in userName and in email addresses.
	Prefix string
	// HTTPClient sends the requests (transport, TLS); nil means http.DefaultClient. Every request
	// is sent once and bounded by endpoint.RequestTimeout.
	HTTPClient *http.Client
	// DryRun lists every request the run would send (to Log, as curl commands) and sends none.
	DryRun bool
	// Log receives progress lines and, in a dry run, the requests; nil discards them.
	Log io.Writer
	// Progress, when set, is called with each check's result as soon as it is known (a command
	// that prints its own progress).
	Progress func(Result)
	// Checks selects checks by ID; empty runs them all. test-connection, the gate of the others,
	// always runs first.
	Checks []string
	// Session, when set, is the session the run uses (the same run id and names as the scenarios
	// that run beside the checks); BaseURL, Token, Prefix and HTTPClient are then the session's.
	// It is ignored in a dry run, which needs a session that sends nothing.
	Session *endpoint.Session
}

// Validate reports a configuration that cannot run, naming the field and the value.
func (c Config) Validate() error {
	if c.Session == nil || c.DryRun {
		if c.BaseURL == "" {
			return errors.New("conformance: no target: the SCIM base URL (Tenant URL) is empty")
		}
		if err := endpoint.CheckBaseURL(c.BaseURL); err != nil {
			return fmt.Errorf("conformance: target %q: %w", c.BaseURL, err)
		}
		if err := endpoint.CheckPrefix(c.Prefix); err != nil {
			return fmt.Errorf("conformance: %w", err)
		}
	}
	if _, err := Select(c.Checks); err != nil {
		return fmt.Errorf("conformance: %w", err)
	}
	return nil
}

// Check is one documented requirement and the requests that verify it.
type Check struct {
	// ID is stable and short, e.g. "empty-query"; it names the check in reports and in --check.
	ID string
	// Title says what the endpoint must do, in a line.
	Title string
	// Impact is what a failure means for Entra.
	Impact Impact
	// Requirement is the documented requirement, with its source.
	Requirement string
	// Consequence is what Entra does when the endpoint does not meet the requirement.
	Consequence string
	// Remedy is what makes the check pass: what to change, or which dialect or profile behaves so.
	Remedy string
	// Dialect is the Entra PATCH dialect whose requests the check sends: "entra" (the default job) or
	// "entra-compliant" (the aadOptscim062020 flag); empty when both send the same.
	Dialect string
	// Counterpart is the check of the other dialect for the same change, if any: when this check fails
	// and its counterpart passes, the other dialect is a way to make provisioning work.
	Counterpart string
	// Gate marks the check the others depend on: it runs first, and when its failure leaves nothing
	// else to check (the endpoint cannot be reached, refuses the token, does not speak SCIM), the
	// checks after it are skipped.
	Gate bool
	// Needs are checks whose failure makes this one meaningless: it is skipped when one of them
	// failed earlier in the run (the capitalised ops of Entra's PATCH, for every PATCH check of the
	// entra dialect that is about something else).
	Needs []string
	// Run performs the check. It returns nil when the requirement is met, a *Failure when it is not,
	// and a *SkipError when something it needs (e.g. creating a user) did not work.
	Run func(ctx context.Context, t *Target) error
}

// Failure is a check that did not pass.
type Failure struct {
	// Check is the failed check's ID.
	Check string `json:"check"`
	// Got is what the endpoint did, e.g. `PATCH /Users/42 answered 400 invalidValue: "False" is not a boolean`.
	Got string `json:"got"`
	// Consequence is what Entra would do, in Microsoft's words where Microsoft documents it.
	Consequence string `json:"consequence"`
	// Remedy is which dialect or profile would make the check pass, or what to change.
	Remedy string `json:"remedy"`
	// Alternative is set by RunAll when the other Entra dialect's check for the same change passed:
	// that dialect would work with the endpoint as it is.
	Alternative string `json:"alternative,omitempty"`
	// Exchanges are the HTTP requests of the check and their answers, token redacted.
	Exchanges []wire.Exchange `json:"exchanges,omitempty"`
	// stops is set by a Gate check whose failure leaves nothing else to check: the endpoint
	// cannot be reached, refuses the token or does not speak SCIM.
	stops bool
}

// String renders the failure for a person, with curl commands that reproduce it.
func (f *Failure) String() string {
	var b strings.Builder
	writeFailureBody(&b, f)
	return b.String()
}

func (f *Failure) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", f.Check, f.Got)
	if f.Consequence != "" {
		fmt.Fprintf(&b, "\nEntra would: %s", f.Consequence)
	}
	if f.Remedy != "" {
		fmt.Fprintf(&b, "\nto pass: %s", f.Remedy)
	}
	return b.String()
}

// SkipError is a check that could not be performed because something it needs failed first, such as
// creating the user it updates; that other failure has its own check.
type SkipError struct {
	Reason string
}

func (e *SkipError) Error() string { return "skipped: " + e.Reason }

// Status is the outcome of one check.
type Status string

// The outcomes of a check.
const (
	StatusPass Status = "pass"
	StatusFail Status = "fail"
	StatusSkip Status = "skip"
)

// Result is the outcome of one check in a run.
type Result struct {
	Check   Check
	Status  Status
	Failure *Failure // when Status is StatusFail
	Reason  string   // when Status is StatusSkip
	// Note is something the check did differently from Entra to get what it needs, said with its
	// result: a group created with the core schema alone, because the endpoint refused Entra's
	// group body.
	Note string
	// Exchanges are the check's HTTP exchanges (in a dry run, the requests it would send).
	Exchanges []wire.Exchange
}

// Line is the result's progress line, as a run prints one per check when it ends: status, impact,
// check id and title in columns.
func (r Result) Line() string {
	return fmt.Sprintf("%-4s %-12s %-30s %s\n", strings.ToUpper(string(r.Status)), r.Check.Impact, r.Check.ID, r.Check.Title)
}

// DryRunReason is the skip reason of every check of a dry run.
const DryRunReason = "dry run: nothing was sent"

// UnknownCheckError is a check ID the catalog does not have.
type UnknownCheckError struct {
	ID string
	// Known are the catalog's IDs, the closest to ID first.
	Known []string
}

func (e *UnknownCheckError) Error() string {
	return fmt.Sprintf("unknown check %q; the checks, closest first: %s", e.ID, strings.Join(e.Known, ", "))
}

// Select returns the checks named by ids, in catalog order, with test-connection first; all of
// them when ids is empty. An unknown id is an *UnknownCheckError.
func Select(ids []string) ([]Check, error) {
	all := Checks()
	if len(ids) == 0 {
		return all, nil
	}
	want := map[string]bool{}
	for _, id := range ids {
		if !slices.ContainsFunc(all, func(c Check) bool { return c.ID == id }) {
			return nil, &UnknownCheckError{ID: id, Known: closest(id, all)}
		}
		want[id] = true
	}
	var out []Check
	for _, c := range all {
		if want[c.ID] || c.Gate {
			out = append(out, c)
		}
	}
	return out, nil
}

// closest returns the checks' IDs sorted by edit distance to id, ties in catalog order.
func closest(id string, all []Check) []string {
	ids := make([]string, len(all))
	for i, c := range all {
		ids[i] = c.ID
	}
	slices.SortStableFunc(ids, func(a, b string) int { return suggest.Distance(id, a) - suggest.Distance(id, b) })
	return ids
}

// RunAll runs the checks cfg selects against cfg's endpoint, in order, then deletes what the run
// created. It returns one Result per check; the error is a configuration error, a cancelled ctx, or
// a failed cleanup (naming the resources left behind), never a failed check.
func RunAll(ctx context.Context, cfg Config) ([]Result, error) {
	t, err := NewTarget(cfg)
	if err != nil {
		return nil, err
	}
	defer func() {
		// Also reached on a panic in a check, so nothing the run created stays behind.
		_ = t.Cleanup(ctx)
	}()
	results := t.RunChecks(ctx)
	cleanupErr := t.Cleanup(ctx)
	if err := ctx.Err(); err != nil {
		return results, errors.Join(fmt.Errorf("conformance: run interrupted after %d of %d checks: %w", len(results), len(t.checks), err), cleanupErr)
	}
	return results, cleanupErr
}

// RunChecks runs the target's checks in order, logging each outcome, and notes the alternative
// dialect of each failure. It does not clean up: call Cleanup.
func (t *Target) RunChecks(ctx context.Context) []Result {
	t.logHeader()
	var results []Result
	for _, c := range t.checks {
		if ctx.Err() != nil {
			break
		}
		if t.cfg.DryRun {
			t.logf("%s: %s\n", c.ID, c.Title)
		}
		r := RunCheck(ctx, c, t)
		results = append(results, r)
		if !t.cfg.DryRun {
			t.logResult(r)
		}
		if t.cfg.Progress != nil {
			t.cfg.Progress(r)
		}
	}
	noteAlternatives(results)
	return results
}

// RunCheck runs one check against t and classifies its outcome. A check cut short by ctx is skipped;
// any other error that is not a *Failure or a *SkipError (an answer that never came) is a failure of
// the check, with the check's consequence and remedy.
func RunCheck(ctx context.Context, c Check, t *Target) Result {
	if reason := t.skipReason(c); reason != "" {
		return Result{Check: c, Status: StatusSkip, Reason: reason}
	}
	mark := t.s.Mark()
	t.setNote("")
	err := c.Run(ctx, t)
	r := Result{Check: c, Exchanges: t.s.Since(mark), Note: t.note()}
	var skip *SkipError
	var fail *Failure
	switch {
	case t.cfg.DryRun:
		r.Status, r.Reason = StatusSkip, DryRunReason
	case err == nil:
		r.Status = StatusPass
	case ctx.Err() != nil:
		// Interrupted: what the endpoint did is unknown, so the check is not blamed.
		r.Status, r.Reason = StatusSkip, "interrupted: "+ctx.Err().Error()
	case errors.As(err, &skip):
		r.Status, r.Reason = StatusSkip, skip.Reason
	case errors.As(err, &fail):
		f := *fail
		r.Status, r.Failure = StatusFail, &f
	default:
		r.Status, r.Failure = StatusFail, &Failure{Got: err.Error()}
	}
	if f := r.Failure; f != nil {
		if f.Check == "" {
			f.Check = c.ID
		}
		if f.Consequence == "" {
			f.Consequence = c.Consequence
		}
		if f.Remedy == "" {
			f.Remedy = c.Remedy
		}
		if f.Exchanges == nil {
			f.Exchanges = r.Exchanges
		}
		if c.Gate && f.stops {
			t.block(c.ID + " failed; fix that first")
		}
	}
	t.recordOutcome(c.ID, r.Status)
	return r
}

// dialectNames says how each dialect is chosen in Entra ([scim-compat]).
var dialectNames = map[string]string{
	"entra":           `Entra's default job (no flag in the Tenant URL)`,
	"entra-compliant": `the entra-compliant dialect ("?aadOptscim062020" in the Tenant URL; Microsoft documents it does not work with on-demand provisioning)`,
}

// noteAlternatives sets Failure.Alternative on each failed check whose counterpart in the other
// dialect passed.
func noteAlternatives(results []Result) {
	passed := map[string]Check{}
	for _, r := range results {
		if r.Status == StatusPass {
			passed[r.Check.ID] = r.Check
		}
	}
	for _, r := range results {
		if r.Status != StatusFail || r.Check.Counterpart == "" {
			continue
		}
		if other, ok := passed[r.Check.Counterpart]; ok {
			r.Failure.Alternative = fmt.Sprintf("passes with %s: check %s passed", dialectNames[other.Dialect], other.ID)
		}
	}
}

// Failed returns the IDs of the checks that failed, in run order.
func Failed(results []Result) []string {
	var ids []string
	for _, r := range results {
		if r.Status == StatusFail {
			ids = append(ids, r.Check.ID)
		}
	}
	return ids
}

// BreaksEntra returns the IDs of the failed checks whose impact is ImpactBreaksEntra: the failures
// that mean Entra's provisioning would not work against the endpoint.
func BreaksEntra(results []Result) []string {
	var ids []string
	for _, r := range results {
		if r.Status == StatusFail && r.Check.Impact == ImpactBreaksEntra {
			ids = append(ids, r.Check.ID)
		}
	}
	return ids
}
