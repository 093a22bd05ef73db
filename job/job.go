// Package job runs a provisioning job: initial and incremental cycles on a virtual clock, with
// escrow and quarantine as Microsoft documents them, its status in Microsoft Graph's
// synchronizationStatus shape and its provisioning logs in the admin center's download formats.
//
// A cycle provisions each object through the engine's five steps (engine.Session): the initial
// cycle every user then every group in scope, each incremental cycle what changed since the one
// before (a changes file says what) and the objects whose export failed earlier (escrows). Time is
// virtual: nothing waits, and the timestamps advance by the intervals Microsoft documents, so that
// a week of cycles, quarantine retries and the job disabled after four weeks run in seconds. Every
// figure is in schedule.go with its source; docs/sync.md says what is modelled and what is inferred.
package job

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/report"
	"github.com/scimsim/scimsim/wire"
)

// Options configures a job.
type Options struct {
	// Target and Token are the tenant URL and secret token (override the config's).
	Target, Token string
	HTTPClient    *http.Client
	// Start is the virtual time the job starts at (default: now).
	Start time.Time
	// Concurrency is how many objects a cycle provisions at once (default DefaultConcurrency).
	Concurrency int
	// ReadBack reads every write back (scimsim's own request; off, see engine.Session).
	ReadBack bool
	// Changes are applied between cycles.
	Changes *engine.Changes
	// Log receives every provisioning log entry (nil: none are made).
	Log LogWriter
	// Progress is told, after each page, how many objects of the cycle are done.
	Progress func(cycle, done, total int)
	// Seed makes the job's identifiers and expression randomness replayable (default 1).
	Seed int64
}

// Job is a provisioning job. It owns a copy of the source, which the changes alter.
type Job struct {
	ID, TenantID     string
	ServicePrincipal DisplayID
	App              string

	src     *engine.Source
	cfg     *engine.Config
	opts    Options
	token   string
	tokenOK bool
	sess    *engine.Session
	rng     *rand.Rand

	records   map[string]*record
	pending   map[string]bool
	watermark bool
	counts    escrowCounts
	status    Status
	cycles    []CycleSummary
	errs      map[string]*ErrorStat
	lastBegan time.Time
	lastEnded time.Time
	refAttr   string
}

// record is what the job keeps of one source object between cycles.
type record struct {
	// anchor is the target id cached when the object was created or matched.
	anchor string
	// disabled: the job disabled the object in the target.
	disabled bool
	// escrow is the object's failed export, retried in the next cycles.
	escrow *escrow
}

type escrow struct {
	since time.Time
	count int
	code  string
}

// ErrorStat is one error code the job met, how often, with the reason, tips and request of its
// first occurrence.
type ErrorStat struct {
	Code    string       `json:"code"`
	Count   int          `json:"count"`
	Reason  string       `json:"reason"`
	Tips    []engine.Tip `json:"tips"`
	Request string       `json:"request"`
}

// CycleSummary is one cycle as the text output shows it (report.Cycle).
type CycleSummary = report.Cycle

// New returns a job that provisions from a copy of src with cfg. It tests nothing yet.
func New(src *engine.Source, cfg *engine.Config, o Options) (*Job, error) {
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Start.IsZero() {
		o.Start = time.Now().UTC().Truncate(time.Second)
	}
	j := &Job{src: src.Clone(), cfg: cfg, opts: o, rng: newRand(o.Seed),
		records: map[string]*record{}, pending: map[string]bool{}, errs: map[string]*ErrorStat{},
		status: Status{Code: CodeNotRun, Progress: []Progress{}, SynchronizedEntryCountByType: []KeyLongValue{}}}
	j.token, j.tokenOK = o.Token, o.Token != "" || o.Target != ""
	// Job ids of a non-gallery application's job look like scim.<tenant>.<application>.
	j.TenantID = j.guid()
	j.ServicePrincipal = DisplayID{ID: j.guid(), DisplayName: cmpOr(cfg.Target.App, "SCIM application")}
	j.ID = "scim." + strings.ReplaceAll(j.TenantID, "-", "") + "." + j.guid()
	j.App = cmpOr(cfg.Target.App, "customappsso")
	for _, m := range cfg.Users.Mappings {
		if strings.EqualFold(m.Target, wire.EnterpriseSchema+":manager") && m.Source != "" {
			j.refAttr = m.Source
		}
	}
	if err := j.session(); err != nil {
		return nil, err
	}
	return j, nil
}

func newRand(seed int64) *rand.Rand { return rand.New(rand.NewSource(seed)) }

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// session (re)builds the engine session, with the current token.
func (j *Job) session() error {
	opts := []engine.Option{engine.WithWait(j.wait)}
	if j.opts.HTTPClient != nil {
		opts = append(opts, engine.WithHTTPClient(j.opts.HTTPClient))
	}
	if j.tokenOK {
		opts = append(opts, engine.WithTarget(j.opts.Target, j.token))
	}
	s, err := engine.NewSession(j.src, j.cfg, opts...)
	if err != nil {
		return err
	}
	s.ReadBack = j.opts.ReadBack
	s.Anchors = j.anchorOf
	j.sess = s
	return nil
}

// guid draws a version-4 GUID from the job's seeded generator.
func (j *Job) guid() string { return wire.RandomGUID(j.rng) }

// waitKey carries a counter of virtual waits through an object's context.
type waitKey struct{}

// wait is the engine's wait between a throttled request and its retry: on the virtual clock it
// costs nothing but time on the object's counter.
func (j *Job) wait(ctx context.Context, d time.Duration) error {
	if w, ok := ctx.Value(waitKey{}).(*time.Duration); ok {
		*w += d
	}
	return ctx.Err()
}

// anchorOf is the engine's look-up of a user's target id. It reads the records, which only change
// between pages.
func (j *Job) anchorOf(id string) (string, bool) {
	r := j.records[id]
	if r == nil || r.anchor == "" {
		return "", false
	}
	return r.anchor, true
}

// Status returns the job's status.
func (j *Job) Status() Status { return j.status }

// Cycles returns the summaries of the cycles run so far.
func (j *Job) Cycles() []CycleSummary { return slices.Clone(j.cycles) }

// Errors returns the error codes met, most frequent first.
func (j *Job) Errors() []ErrorStat {
	out := make([]ErrorStat, 0, len(j.errs))
	for _, e := range j.errs {
		out = append(out, *e)
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].Count != out[b].Count {
			return out[a].Count > out[b].Count
		}
		return out[a].Code < out[b].Code
	})
	return out
}

// Limit says how long a job runs: a number of cycles, or until a virtual time.
type Limit struct {
	Cycles int
	Until  time.Time
}

// ErrUnreachable is a target the job cannot connect to when it starts.
var ErrUnreachable = errors.New("the target cannot be reached")

// Start tests the connection, as the job does when it starts. A target that cannot be reached at
// all (no answer, a TLS failure) is an error wrapping ErrUnreachable; any answer, a refusal
// included, lets the job run, and its cycles say what the target did.
func (j *Job) Start(ctx context.Context) (*engine.Report, error) {
	rep := j.sess.TestConnection(ctx, j.opts.Seed)
	switch entra.Code(rep.ErrorCode) {
	case entra.CodeConnectionFailed, entra.CodeTLSHandshakeFailed, entra.CodeTimeout:
		return rep, fmt.Errorf("%w: %s", ErrUnreachable, rep.Reason)
	}
	return rep, nil
}

// Run runs cycles until the limit, or until the job stops (paused, or disabled after four weeks in
// quarantine, with no administrator action to resume it), and calls each after every cycle.
func (j *Job) Run(ctx context.Context, lim Limit, each func(CycleSummary)) error {
	for n := len(j.cycles) + 1; ; n++ {
		if lim.Cycles > 0 && n > lim.Cycles {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		cs, hasChanges := j.opts.Changes.Set(n)
		at, ok := j.next(n, cs.Admin)
		if !ok || (!lim.Until.IsZero() && at.After(lim.Until)) {
			return nil
		}
		if hasChanges {
			if err := j.apply(cs); err != nil {
				return err
			}
		}
		c := j.runCycle(ctx, n, at, cs.Admin.AllowDeletes)
		j.cycles = append(j.cycles, c)
		if each != nil {
			each(c)
		}
	}
}

// next returns when cycle n starts, and false when the job does not run again.
func (j *Job) next(n int, admin engine.AdminActions) (time.Time, bool) {
	if n == 1 {
		return j.opts.Start, true
	}
	switch j.status.Code {
	case CodeQuarantine:
		return j.status.Quarantine.NextAttempt, true
	case CodePaused:
		if admin.Start || admin.Restart {
			return j.lastEnded.Add(IncrementalInterval), true
		}
		return time.Time{}, false
	}
	next := j.lastBegan.Add(IncrementalInterval)
	if j.lastEnded.After(next) {
		next = j.lastEnded
	}
	return next, true
}

// apply makes the changes of a cycle: the source's, then the administrator's.
func (j *Job) apply(cs engine.ChangeSet) error {
	// The changes happened between the cycles: after the last one ended.
	t, err := j.src.Apply(cs, j.lastEnded)
	if err != nil {
		return err
	}
	for _, id := range t.Users {
		j.pending[id] = true
	}
	for _, id := range t.Groups {
		j.pending[id] = true
	}
	a := cs.Admin
	if a.Token != nil {
		j.token, j.tokenOK = *a.Token, true
		if err := j.session(); err != nil {
			return err
		}
	}
	if a.Restart {
		// "A full initial cycle will run again, which clears escrows, removes the app from
		// quarantine, and clears any watermarks" (quarantine page); the links between source and
		// target objects stay (how-provisioning-works.md: the action "doesn't break the links").
		j.watermark = false
		for _, r := range j.records {
			r.escrow = nil
		}
		j.counts = escrowCounts{}
		j.status.Quarantine, j.status.EscrowsPruned = nil, false
		j.status.Code = CodeActive
	}
	if a.Start && (j.status.Code == CodePaused || j.status.Code == CodeQuarantine) {
		j.status.Quarantine = nil
		j.status.Code = CodeActive
	}
	return nil
}
