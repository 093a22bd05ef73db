// Package conformance checks whether Microsoft Entra ID's provisioning service would work against a
// real SCIM 2.0 endpoint: one check per requirement Microsoft documents for SCIM endpoints, each
// sending the requests Entra sends (in both of its PATCH dialects) and reading the result back.
//
// A check that fails says what the endpoint answered, what Entra would do about it (in Microsoft's
// words where Microsoft documents it) and what would make it pass: a change to the endpoint, or the
// Entra dialect or scimsim profile that behaves that way.
//
// The run is safe against a production system: every resource it creates carries a name unique to
// the run (Config.Prefix followed by a random run id), it only modifies or deletes resources it
// created, and Target.Cleanup deletes all of them afterwards, also when a check fails or the run is
// interrupted. Config.DryRun lists every request without sending any.
//
// Sources, cited by the checks (Microsoft Learn, repository MicrosoftDocs/entra-docs):
//   - "Develop and plan provisioning for a SCIM endpoint" (use-scim-to-provision-users-and-groups.md),
//     cited as [scim-tutorial];
//   - "Known issues and resolutions with SCIM 2.0 protocol compliance"
//     (application-provisioning-config-problem-scim-compatibility.md), cited as [scim-compat];
//   - "Application provisioning in quarantine status" (application-provisioning-quarantine-status.md),
//     cited as [quarantine];
//   - "On-demand provisioning" (provision-on-demand.md), cited as [on-demand].
package conformance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/scimsim/scimsim/internal/endpoint"
)

// DefaultPrefix starts the name of every resource a run creates, unless Config.Prefix says otherwise.
const DefaultPrefix = endpoint.DefaultPrefix

// CleanupTimeout bounds the deletion of what a run created. Cleanup runs on a fresh context so that a
// cancelled or timed-out run still removes its resources.
const CleanupTimeout = 30 * time.Second

// Config of a run against a real endpoint.
type Config struct {
	// BaseURL is the SCIM base URL, what Entra calls the Tenant URL (e.g. https://app.example/scim/v2).
	BaseURL string
	// Token is the bearer token, what Entra calls the Secret Token.
	Token string
	// Prefix starts every created resource's name; DefaultPrefix when empty. Letters, digits, '.',
	// '_' and '-' only, at most 32 characters, because it ends up in userName and in email addresses.
	Prefix string
	// HTTPClient sends the requests; nil means a client with a 30 s timeout.
	HTTPClient *http.Client
	// DryRun lists every request the run would send (to Log) and sends none.
	DryRun bool
	// Log receives progress lines and, in a dry run, the requests; nil discards them.
	Log io.Writer
}

// Validate reports a configuration that cannot run, naming the field and the value.
func (c Config) Validate() error {
	if c.BaseURL == "" {
		return errors.New("conformance: no target: the SCIM base URL (Tenant URL) is empty")
	}
	if err := endpoint.CheckBaseURL(c.BaseURL); err != nil {
		return fmt.Errorf("conformance: target %q: %w", c.BaseURL, err)
	}
	if err := endpoint.CheckPrefix(c.Prefix); err != nil {
		return fmt.Errorf("conformance: %w", err)
	}
	return nil
}

// Check is one documented requirement and the requests that verify it.
type Check struct {
	// ID is stable and short, e.g. "empty-query"; it names the check in reports and in -run filters.
	ID string
	// Title says what the endpoint must do, in a line.
	Title string
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
	// Gate marks a check the others depend on: when it fails, the checks after it are skipped.
	Gate bool
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
	Exchanges []Exchange `json:"exchanges,omitempty"`
}

// String renders the failure for a person, with curl commands that reproduce it; Ginkgo shows it
// for the report entry.
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
	StatusPass   Status = "pass"
	StatusFail   Status = "fail"
	StatusSkip   Status = "skip"
	StatusListed Status = "listed" // dry run: the requests were listed, none was sent
)

// Result is the outcome of one check in a run.
type Result struct {
	Check   Check
	Status  Status
	Failure *Failure // when Status is StatusFail
	Reason  string   // when Status is StatusSkip
	// Exchanges are the check's HTTP exchanges (in a dry run, the requests it would send).
	Exchanges []Exchange
}

// RunAll runs every check of Checks against cfg's endpoint, in order, then deletes what the run
// created. It returns one Result per check; the error is a configuration error, a cancelled ctx, or
// a failed cleanup (naming the resources left behind), never a failed check.
func RunAll(ctx context.Context, cfg Config) ([]Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	t := NewTarget(cfg)
	defer func() {
		// Also reached on a panic in a check, so nothing the run created stays behind.
		_ = t.cleanupDetached(ctx)
	}()
	t.logHeader()
	var results []Result
	for _, c := range Checks() {
		if ctx.Err() != nil {
			break
		}
		if cfg.DryRun {
			t.logf("%s: %s\n", c.ID, c.Title)
		}
		r := RunCheck(ctx, c, t)
		results = append(results, r)
		if !cfg.DryRun {
			t.logResult(r)
		}
	}
	noteAlternatives(results)
	cleanupErr := t.cleanupDetached(ctx)
	if err := ctx.Err(); err != nil {
		return results, errors.Join(fmt.Errorf("conformance: run interrupted after %d of %d checks: %w", len(results), len(Checks()), err), cleanupErr)
	}
	return results, cleanupErr
}

// cleanupDetached runs Cleanup on a fresh context bounded by CleanupTimeout, so that it also runs
// when ctx is cancelled.
func (t *Target) cleanupDetached(ctx context.Context) error {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), CleanupTimeout)
	defer cancel()
	return t.Cleanup(cctx)
}

// RunCheck runs one check against t and classifies its outcome. A check cut short by ctx is skipped;
// any other error that is not a *Failure or a *SkipError (a transport error, an answer that never
// came) is a failure of the check, with the check's consequence and remedy.
func RunCheck(ctx context.Context, c Check, t *Target) Result {
	if reason := t.blockedBy(); reason != "" {
		return Result{Check: c, Status: StatusSkip, Reason: reason}
	}
	mark := t.mark()
	err := c.Run(ctx, t)
	ex := t.exchangesSince(mark)
	r := Result{Check: c, Exchanges: ex}
	var skip *SkipError
	var fail *Failure
	switch {
	case t.cfg.DryRun:
		r.Status = StatusListed
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
			f.Exchanges = ex
		}
		if c.Gate {
			t.block(c.ID + " failed; fix that first")
		}
	}
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
