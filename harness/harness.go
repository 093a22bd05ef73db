// Package harness runs the scenario catalog through the provisioning engine against a SCIM target
// and tells, for each scenario, whether the run ended where the source document says it should.
//
// The package holds what the Ginkgo suite (harness_suite_test.go) and the `scimsim demo` and
// `scimsim scenarios run` commands share: preparing a target for one scenario (a tenant of an
// in-process simulator, or a real endpoint for the conformance label), running the engine once,
// comparing the report with the expectation, and the summary table. It returns errors and never
// calls Ginkgo, so the commands use it as it is.
package harness

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"maps"
	"math/rand"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/scenarios"
	"github.com/scimsim/scimsim/simulator/faults"
)

// Case is a scenario with its source and job config loaded.
type Case struct {
	Scenario scenarios.Scenario
	Source   *engine.Source
	Config   *engine.Config
}

// Load reads the catalog in the directory dir of fsys (scimsim.Files, "scenarios" for the catalog
// the binary carries; see scenarios.Load), keeps the scenarios named by ids (all when none), and
// loads every source and config they use, so that every problem of every file is known before
// anything runs. The error joins them all.
func Load(fsys fs.FS, dir string, ids ...string) ([]Case, error) {
	all, err := scenarios.Load(fsys, dir)
	if err != nil {
		return nil, err
	}
	return prepareSelected(all, ids)
}

// LoadDir is Load for a directory of the operating system (scenarios.LoadDir).
func LoadDir(dir string, ids ...string) ([]Case, error) {
	all, err := scenarios.LoadDir(dir)
	if err != nil {
		return nil, err
	}
	return prepareSelected(all, ids)
}

func prepareSelected(all []scenarios.Scenario, ids []string) ([]Case, error) {
	selected, err := scenarios.Select(all, ids...)
	if err != nil {
		return nil, err
	}
	return Prepare(selected)
}

// Prepare loads the sources and configs of scenarios (each file once) and checks their faults
// against the simulator's registry (types and attributes).
func Prepare(list []scenarios.Scenario) ([]Case, error) {
	var errs []error
	sources := map[string]parsedFile[*engine.Source]{}
	configs := map[string]parsedFile[*engine.Config]{
		scenarios.DefaultConfig:            {engine.DefaultConfig(), true},
		scenarios.DefaultCrossTenantConfig: {engine.DefaultCrossTenantConfig(), true},
	}
	out := make([]Case, 0, len(list))
	for _, s := range list {
		src, srcOK := parseOnce(sources, s.SourcePath, s.ReadSource, engine.ParseSource, &errs)
		cfg, cfgOK := parseOnce(configs, s.ConfigPath, s.ReadConfig, engine.ParseConfig, &errs)
		ok := srcOK && cfgOK
		for i, f := range s.Target.Faults {
			if err := FaultSpec(f).Validate(); err != nil {
				errs = append(errs, fmt.Errorf("%s: target.faults[%d]: %w", s.File, i, err))
				ok = false
			}
		}
		if ok && s.IsCycles() {
			if _, err := CycleChanges(&s, src); err != nil {
				errs = append(errs, err)
				ok = false
			}
		}
		if ok {
			out = append(out, Case{Scenario: s, Source: src, Config: cfg})
		}
	}
	return out, errors.Join(errs...)
}

// parsedFile is a source or config file Prepare has read: what it holds, and whether it parsed.
type parsedFile[T any] struct {
	v  T
	ok bool
}

// parseOnce returns what the file at path holds, reading it with read and parsing it with parse the
// first time it is asked for: a file many scenarios share is read once, and its error is added to
// errs once.
func parseOnce[T any](cache map[string]parsedFile[T], path string, read func() ([]byte, error),
	parse func(string, []byte) (T, error), errs *[]error) (T, bool) {
	f, seen := cache[path]
	if !seen {
		b, err := read()
		if err == nil {
			f.v, err = parse(path, b)
		}
		if f.ok = err == nil; !f.ok {
			*errs = append(*errs, err)
		}
		cache[path] = f
	}
	return f.v, f.ok
}

// FaultSpec converts a scenario's fault into the simulator's value.
func FaultSpec(f scenarios.Fault) faults.Spec {
	return faults.Spec{
		Name: f.Name,
		Type: f.Type,
		Match: faults.Match{
			Method:          f.Match.Method,
			Path:            f.Match.Path,
			Resource:        f.Match.Resource,
			FilterAttribute: f.Match.FilterAttribute,
			Tenant:          f.Match.Tenant,
		},
		After:       f.After,
		Count:       f.Count,
		Probability: f.Probability,
		Attributes:  f.Attributes,
	}
}

// Endpoint is where one scenario's run goes.
type Endpoint struct {
	URL   string // the SCIM base URL (the tenant URL)
	Root  string // the server's root URL, for {root} in credentials.url
	Token string // the secret token the target accepts
	// Tag, when set, starts every identity of the run (External): Run gives the engine the case's
	// source and subject tagged with it (TagSource, TagSubject), and removes it from the report
	// before comparing with the expectation, which is written with the catalog's own names.
	Tag string
}

// Target readies a SCIM target for one scenario.
type Target interface {
	Prepare(ctx context.Context, s *scenarios.Scenario) (Endpoint, error)
}

// UserInspector is a Target that can read a user as it stores it after a run (expect.targetUser):
// the user called userName, as the catalog writes it, or nil when the target holds none.
type UserInspector interface {
	StoredUser(ctx context.Context, sc *scenarios.Scenario, userName string) (map[string]any, error)
}

// UserCounter is a Target that can count the users a scenario left in it (expect.targetUsers).
type UserCounter interface {
	Users(sc *scenarios.Scenario) (int, error)
}

// GroupInspector is a Target that can count a group's members after a run
// (expect.targetGroupMembers).
type GroupInspector interface {
	GroupMembers(ctx context.Context, sc *scenarios.Scenario, displayName string) (int, error)
}

// Cleaner is a Target that creates resources for a scenario (an external endpoint: its seeds, and
// what the engine creates) and deletes them when the scenario ends. Run calls Record with the
// engine's report and Cleanup before it returns; Cleanup may be called again (the Ginkgo suite does,
// from DeferCleanup) and then deletes only what is still left.
type Cleaner interface {
	Record(sc *scenarios.Scenario, rep *engine.Report)
	Cleanup(ctx context.Context, sc *scenarios.Scenario) error
}

// checkCount compares a count the scenario expects of the target (want nil: none) with what count
// says; it reports false when the target cannot count (count nil), which ends the run's checks.
func (res *Result) checkCount(want *int, count func() (int, error), key, what, held string) bool {
	if want == nil {
		return true
	}
	if count == nil {
		res.Err = fmt.Errorf("%s: the target cannot count its %s", key, what)
		return false
	}
	n, err := count()
	switch {
	case err != nil:
		res.Err = fmt.Errorf("count the target's %s: %w", what, err)
	case n != *want:
		res.Mismatches = append(res.Mismatches, fmt.Sprintf("expected the target to hold %d %s, it holds %d", *want, held, n))
	}
	return true
}

// credentials are the tenant URL and token a scenario's run uses: the endpoint's, or the
// scenario's own (credentials.url with {url} and {root}, credentials.token).
func (ep Endpoint) credentials(sc *scenarios.Scenario) (url, token string) {
	url, token = ep.URL, ep.Token
	if u := sc.Credentials.URL; u != "" {
		url = strings.NewReplacer("{url}", ep.URL, "{root}", ep.Root).Replace(u)
	}
	if sc.Credentials.Token != "" {
		token = sc.Credentials.Token
	}
	return url, token
}

// client is the HTTP client that reaches the target.
func (o Options) client() *http.Client {
	if o.HTTPClient != nil {
		return o.HTTPClient
	}
	return defaultClient()
}

// Options for Run.
type Options struct {
	// HTTPClient reaches the target; nil means a client of our own (not http.DefaultClient, so
	// that fault-injected connections never leak into other users of the process).
	HTTPClient *http.Client
}

var defaultClient = sync.OnceValue(func() *http.Client {
	return &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
})

// Run prepares the target for the case's scenario, runs the engine once with the scenario's fixed
// clock and a random source seeded from its id (so a run replays exactly), and checks the report
// against the expectation. On a Cleaner target it then deletes what the scenario created, on a
// context of its own bounded by CleanupTimeout, so that a run cut short by ctx still cleans up.
func Run(ctx context.Context, target Target, c Case, o Options) (res Result) {
	if c.Scenario.IsCycles() {
		return runCycles(ctx, target, c, o)
	}
	res = Result{Scenario: c.Scenario}
	sc := &c.Scenario
	if cl, ok := target.(Cleaner); ok {
		defer func() {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), CleanupTimeout)
			defer cancel()
			res.Cleanup = cl.Cleanup(cctx, sc)
		}()
	}
	ep, err := target.Prepare(ctx, sc)
	if err != nil {
		res.Err = err
		return res
	}
	src, subj := c.Source, sc.Subject
	if ep.Tag != "" {
		src, subj = TagSource(c.Source, ep.Tag), TagSubject(c.Source, sc.Subject, ep.Tag)
	}
	url, token := ep.credentials(sc)
	hc := o.client()
	now := sc.Clock()
	opts := []engine.Option{
		engine.WithTarget(url, token),
		engine.WithClock(func() time.Time { return now }),
		engine.WithRand(rand.New(rand.NewSource(seedOf(sc.ID)))),
		engine.WithHTTPClient(hc),
	}
	if cr := sc.Credentials; cr.Username != "" || cr.Password != "" {
		opts = append(opts, engine.WithBasicAuth(cr.Username, cr.Password))
	}
	rep, err := engine.Run(ctx, src, c.Config,
		engine.Subject{User: subj.User, Group: subj.Group, Members: subj.Members, Also: subj.Also}, opts...)
	if err != nil {
		res.Err = fmt.Errorf("engine: %w", err)
		return res
	}
	res.Report = rep
	if cl, ok := target.(Cleaner); ok {
		cl.Record(sc, rep)
	}
	raw, err := json.Marshal(rep)
	if err != nil {
		res.Err = fmt.Errorf("encode report: %w", err)
		return res
	}
	if res.Outcome, err = scenarios.DecodeOutcome(untag(raw, ep.Tag)); err != nil {
		res.Err = err
		return res
	}
	res.Mismatches = sc.Expect.Check(res.Outcome)
	var users, deleted func() (int, error)
	if uc, ok := target.(UserCounter); ok {
		users = func() (int, error) { return uc.Users(sc) }
	}
	if dc, ok := target.(DeletedUserCounter); ok {
		deleted = func() (int, error) { return dc.DeletedUsers(sc) }
	}
	if !res.checkCount(sc.Expect.TargetUsers, users, "expect.targetUsers", "users", "users after the run") ||
		!res.checkCount(sc.Expect.TargetDeletedUsers, deleted, "expect.targetDeletedUsers", "deleted users", "users in its deleted items after the run") {
		return res
	}
	if len(sc.Expect.TargetGroupMembers) > 0 {
		gi, ok := target.(GroupInspector)
		if !ok {
			res.Err = fmt.Errorf("expect.targetGroupMembers: the target cannot be inspected")
			return res
		}
		for _, name := range slices.Sorted(maps.Keys(sc.Expect.TargetGroupMembers)) {
			want := sc.Expect.TargetGroupMembers[name]
			n, err := gi.GroupMembers(ctx, sc, name)
			switch {
			case err != nil:
				res.Err = fmt.Errorf("inspect group %q: %w", name, err)
				return res
			case n != want:
				res.Mismatches = append(res.Mismatches, fmt.Sprintf("expected group %q to hold %d members after the run, it holds %d", name, want, n))
			}
		}
	}
	if want := sc.Expect.TargetUser; want != nil {
		ui, ok := target.(UserInspector)
		if !ok {
			res.Err = fmt.Errorf("expect.targetUser: the target cannot be inspected")
			return res
		}
		u, err := ui.StoredUser(ctx, sc, want.UserName)
		if err != nil {
			res.Err = fmt.Errorf("inspect user %q: %w", want.UserName, err)
			return res
		}
		res.Mismatches = append(res.Mismatches, want.Check(u)...)
	}
	return res
}

func seedOf(id string) int64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return int64(h.Sum64() >> 1)
}

// RunAll runs the cases one after the other, in order.
func RunAll(ctx context.Context, target Target, cases []Case, o Options) []Result {
	out := make([]Result, 0, len(cases))
	for _, c := range cases {
		out = append(out, Run(ctx, target, c, o))
	}
	return out
}
