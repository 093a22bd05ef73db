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
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"maps"
	"math/rand"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/report"
	"github.com/scimsim/scimsim/scenarios"
	"github.com/scimsim/scimsim/simulator"
	"github.com/scimsim/scimsim/simulator/faults"
	"github.com/scimsim/scimsim/wire"
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
	var (
		errs    []error
		sources = map[string]*engine.Source{}
		configs = map[string]*engine.Config{}
		failed  = map[string]bool{}
	)
	load := func(path string, load func(string) error) bool {
		if failed[path] {
			return false
		}
		if err := load(path); err != nil {
			failed[path] = true
			errs = append(errs, err)
			return false
		}
		return true
	}
	out := make([]Case, 0, len(list))
	for _, s := range list {
		ok := true
		if _, seen := sources[s.SourcePath]; !seen {
			ok = load(s.SourcePath, func(p string) error {
				b, err := s.ReadSource()
				if err != nil {
					return err
				}
				src, err := engine.ParseSource(p, b)
				sources[p] = src
				return err
			}) && ok
		}
		if _, seen := configs[s.ConfigPath]; !seen {
			ok = load(s.ConfigPath, func(p string) error {
				if p == scenarios.DefaultConfig {
					configs[p] = engine.DefaultConfig()
					return nil
				}
				if p == scenarios.DefaultCrossTenantConfig {
					configs[p] = engine.DefaultCrossTenantConfig()
					return nil
				}
				b, err := s.ReadConfig()
				if err != nil {
					return err
				}
				cfg, err := engine.ParseConfig(p, b)
				configs[p] = cfg
				return err
			}) && ok
		}
		for i, f := range s.Target.Faults {
			if err := FaultSpec(f).Validate(); err != nil {
				errs = append(errs, fmt.Errorf("%s: target.faults[%d]: %w", s.File, i, err))
				ok = false
			}
		}
		if src := sources[s.SourcePath]; ok && src != nil && s.IsCycles() {
			if _, err := CycleChanges(&s, src); err != nil {
				errs = append(errs, err)
				ok = false
			}
		}
		if ok && sources[s.SourcePath] != nil && configs[s.ConfigPath] != nil {
			out = append(out, Case{Scenario: s, Source: sources[s.SourcePath], Config: configs[s.ConfigPath]})
		}
	}
	return out, errors.Join(errs...)
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

// Simulator runs every scenario on its own tenant of a simulator, named after the scenario's id, so
// that scenarios can run in parallel (ginkgo -p) against one server.
type Simulator struct {
	srv  *simulator.Server
	root string
}

// NewSimulator returns a Target over srv, which serves at rootURL.
func NewSimulator(srv *simulator.Server, rootURL string) *Simulator {
	return &Simulator{srv: srv, root: strings.TrimSuffix(rootURL, "/")}
}

// Prepare resets the scenario's tenant, then gives it the scenario's profile, token, resources and
// faults.
func (s *Simulator) Prepare(_ context.Context, sc *scenarios.Scenario) (Endpoint, error) {
	if !simulator.ValidTenantName(sc.ID) {
		return Endpoint{}, fmt.Errorf("scenario id %q cannot name a simulator tenant", sc.ID)
	}
	if sc.Target.Entra() {
		return s.prepareEntra(sc)
	}
	t := s.srv.Tenant(sc.ID)
	t.Reset()
	token := sc.Target.TokenOrDefault()
	t.Configure(simulator.Profile(sc.Target.ProfileOrDefault()), token)
	if len(sc.Target.Users) > 0 || len(sc.Target.Groups) > 0 {
		if _, _, err := t.Seed(sc.Target.Users, sc.Target.Groups); err != nil {
			return Endpoint{}, fmt.Errorf("%s: seed the target: %w", sc.File, err)
		}
	}
	for i, f := range sc.Target.Faults {
		if _, err := t.Faults().Add(FaultSpec(f)); err != nil {
			return Endpoint{}, fmt.Errorf("%s: target.faults[%d]: %w", sc.File, i, err)
		}
	}
	return Endpoint{URL: s.root + t.SCIMPath(), Root: s.root, Token: token}, nil
}

// Users returns how many users the scenario's tenant holds.
func (s *Simulator) Users(sc *scenarios.Scenario) (int, error) {
	if sc.Target.Entra() {
		live, _ := s.srv.Tenant(sc.ID).Directory().Counts()
		return live, nil
	}
	return s.srv.Tenant(sc.ID).Users(), nil
}

// GroupMembers returns how many members the group called displayName holds in the scenario's
// tenant. It asks the tenant's SCIM API, as any client would, for the group's members (a request
// Entra does not make: its group reads leave members out).
func (s *Simulator) GroupMembers(ctx context.Context, sc *scenarios.Scenario, displayName string) (int, error) {
	c, err := s.client(sc)
	if err != nil {
		return 0, err
	}
	req := entra.QueryRequest(wire.Groups, wire.EqFilter("displayName", displayName))
	req.Query = url.Values{"filter": req.Query["filter"], "attributes": {"members"}}
	req.By = wire.ByScimsim
	lr, err := c.List(ctx, req)
	if err != nil {
		return 0, err
	}
	if len(lr.Resources) != 1 {
		return 0, fmt.Errorf("the target holds %d groups called %q, want 1", len(lr.Resources), displayName)
	}
	members, _ := wire.Field(lr.Resources[0], "members").([]any)
	return len(members), nil
}

// StoredUser returns the user called userName as the scenario's tenant stores it, read with GET
// /Users?filter=userName eq "..." as any client would, so that a fault matching that request applies
// to the inspection too; nil when the tenant holds no such user.
func (s *Simulator) StoredUser(ctx context.Context, sc *scenarios.Scenario, userName string) (map[string]any, error) {
	if sc.Target.Entra() {
		return s.storedGraphUser(ctx, sc, userName)
	}
	c, err := s.client(sc)
	if err != nil {
		return nil, err
	}
	resp, err := c.Send(ctx, entra.QueryRequest(wire.Users, wire.EqFilter("userName", userName)))
	if err != nil {
		return nil, err
	}
	return oneUser(resp.Status, resp.Body, userName)
}

// client returns a SCIM client of the scenario's tenant that sends each request once.
func (s *Simulator) client(sc *scenarios.Scenario) (*entra.Client, error) {
	return entra.New(s.root+s.srv.Tenant(sc.ID).SCIMPath(), sc.Target.TokenOrDefault(),
		entra.WithHTTPClient(defaultClient()), entra.WithMaxAttempts(1))
}

// oneUser picks the user called userName (case-insensitively, RFC 7643 §4.1.1 makes userName
// caseExact false) out of a ListResponse: nil when there is none, an error when there are several.
func oneUser(status int, body []byte, userName string) (map[string]any, error) {
	var list struct {
		Resources []map[string]any `json:"Resources"`
	}
	if status != http.StatusOK || json.Unmarshal(body, &list) != nil {
		return nil, fmt.Errorf("GET Users for %q answered %d: %s", userName, status, clip(body))
	}
	var found []map[string]any
	for _, u := range list.Resources {
		if n, _ := u["userName"].(string); strings.EqualFold(n, userName) {
			found = append(found, u)
		}
	}
	switch len(found) {
	case 0:
		return nil, nil
	case 1:
		return found[0], nil
	default:
		return nil, fmt.Errorf("the target holds %d users called %q, want 1", len(found), userName)
	}
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

// Result is one scenario's run.
type Result struct {
	Scenario scenarios.Scenario
	Report   *engine.Report
	Outcome  scenarios.Outcome
	// Mismatches are the ways the run differs from the expectation; none means it met it.
	Mismatches []string
	// Err is a run that could not happen: the target could not be prepared or the engine
	// refused its input.
	Err error
	// Cleanup is the failure to delete what the scenario created on an external endpoint; it
	// names every resource left behind.
	Cleanup error
	// Cycles are how the job stood after each cycle of a cycle scenario (cycles.go).
	Cycles []scenarios.CycleOutcome
}

// Passed reports whether the run met the scenario's expectation and left nothing behind.
func (r *Result) Passed() bool { return r.met() && r.Cleanup == nil }

// met reports whether the run met the scenario's expectation.
func (r *Result) met() bool { return r.Err == nil && len(r.Mismatches) == 0 }

// Failure is the message of a run that did not meet its expectation: it names the scenario, the
// step expected to end the run and the step that did, then every other difference.
func (r *Result) Failure() string {
	if r.Passed() {
		return ""
	}
	if r.Scenario.IsCycles() && r.Cleanup == nil {
		return r.cycleFailure()
	}
	s := r.Scenario
	var b strings.Builder
	fmt.Fprintf(&b, "scenario %s (%s): ", s.ID, s.Title)
	switch {
	case r.met():
		b.WriteString("met its expectation")
	case r.Err != nil:
		fmt.Fprintf(&b, "could not run: %v", r.Err)
	default:
		fmt.Fprintf(&b, "expected step %s, actual step %s", stepOrNone(s.Expect.FailedStep), describeEnd(r.Outcome))
		for _, m := range r.Mismatches {
			if strings.HasPrefix(m, "expected failing step") {
				continue // the first line says it
			}
			b.WriteString("\n  - " + m)
		}
		fmt.Fprintf(&b, "\n  (%s, %s)", s.File, s.Doc)
	}
	if r.Cleanup != nil {
		fmt.Fprintf(&b, "\n  left resources behind on the target: %v", r.Cleanup)
	}
	return b.String()
}

// StepFailure is the message for the It of one step, "" when that step is not where the run went
// wrong. A wrong ending is reported at the earlier of the expected and the actual step, so that the
// Ordered container stops there and the later steps are skipped; the other mismatches (error code,
// tip) are reported at the expected step. Resources left behind are no step's fault: the last It
// reports them (Failure).
func (r *Result) StepFailure(stepType string) string {
	if r.met() {
		return ""
	}
	if r.Err != nil {
		return r.Failure()
	}
	want, got := r.Scenario.Expect.FailedStep, r.Outcome.ActualStep()
	if want != got {
		first := earliest(want, got)
		if first == stepType {
			return r.Failure()
		}
		return ""
	}
	if want == stepType {
		return r.Failure()
	}
	return ""
}

// earliest returns the step of the two that comes first; "" (the run completed) comes last.
func earliest(a, b string) string {
	ia, ib := scenarios.StepIndex(a), scenarios.StepIndex(b)
	switch {
	case ia < 0:
		return b
	case ib < 0:
		return a
	case ia <= ib:
		return a
	default:
		return b
	}
}

func stepOrNone(s string) string {
	if s == "" {
		return "none (the run completes)"
	}
	return s
}

func describeEnd(o scenarios.Outcome) string {
	step := o.ActualStep()
	if step == "" {
		return fmt.Sprintf("none (status %s, action %s)", o.Status, o.Action)
	}
	s := step
	if code := o.ActualErrorCode(); code != "" {
		s += " with " + code
	}
	if o.Reason != "" {
		s += ": " + o.Reason
	}
	return s
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
	url, token := ep.URL, ep.Token
	if u := sc.Credentials.URL; u != "" {
		url = strings.NewReplacer("{url}", ep.URL, "{root}", ep.Root).Replace(u)
	}
	if sc.Credentials.Token != "" {
		token = sc.Credentials.Token
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = defaultClient()
	}
	now := sc.Clock()
	rep, err := engine.Run(ctx, src, c.Config,
		engine.Subject{User: subj.User, Group: subj.Group, Members: subj.Members, Also: subj.Also},
		engine.WithTarget(url, token),
		engine.WithClock(func() time.Time { return now }),
		engine.WithRand(rand.New(rand.NewSource(seedOf(sc.ID)))),
		engine.WithHTTPClient(hc),
	)
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
	if want := sc.Expect.TargetUsers; want != nil {
		uc, ok := target.(UserCounter)
		if !ok {
			res.Err = fmt.Errorf("expect.targetUsers: the target cannot count its users")
			return res
		}
		n, err := uc.Users(sc)
		switch {
		case err != nil:
			res.Err = fmt.Errorf("count the target's users: %w", err)
		case n != *want:
			res.Mismatches = append(res.Mismatches, fmt.Sprintf("expected the target to hold %d users after the run, it holds %d", *want, n))
		}
	}
	if want := sc.Expect.TargetDeletedUsers; want != nil {
		dc, ok := target.(DeletedUserCounter)
		if !ok {
			res.Err = fmt.Errorf("expect.targetDeletedUsers: the target cannot count its deleted users")
			return res
		}
		n, err := dc.DeletedUsers(sc)
		switch {
		case err != nil:
			res.Err = fmt.Errorf("count the target's deleted users: %w", err)
		case n != *want:
			res.Mismatches = append(res.Mismatches, fmt.Sprintf("expected the target to hold %d users in its deleted items after the run, it holds %d", *want, n))
		}
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

// Row is one line of the summary table.
type Row struct {
	Scenario  string `json:"scenario"`
	Expected  string `json:"expected"`
	Actual    string `json:"actual"`
	ErrorCode string `json:"errorCode"`
	Passed    bool   `json:"passed"`
	// Pending marks a scenario that cannot pass yet (scenarios.Scenario.Pending): it counts as
	// neither passed nor failed.
	Pending bool `json:"pending,omitempty"`
}

// Row summarises the result. The expected and actual steps read "none" when the run completes,
// followed by the action taken.
func (r *Result) Row() Row {
	if r.Scenario.IsCycles() {
		return r.cycleRow()
	}
	e := r.Scenario.Expect
	row := Row{Scenario: r.Scenario.ID, Expected: endOf(e.FailedStep, e.Action), Passed: r.Passed(), Pending: r.Scenario.Pending != ""}
	switch {
	case r.Err != nil:
		row.Actual = "error"
		row.ErrorCode = "-"
	default:
		row.Actual = endOf(r.Outcome.ActualStep(), r.Outcome.Action)
		row.ErrorCode = cmp.Or(r.Outcome.ActualErrorCode(), "-")
	}
	return row
}

func endOf(step, action string) string {
	if step != "" {
		return step
	}
	if action != "" {
		return "none (" + action + ")"
	}
	return "none"
}

// PendingRow is the summary row of a pending scenario that was not run.
func PendingRow(s *scenarios.Scenario) Row {
	return Row{Scenario: s.ID, Expected: endOf(s.Expect.FailedStep, s.Expect.Action), Actual: "-", ErrorCode: "-", Pending: true}
}

// WriteSummary writes the summary table: one row per scenario, its expected and actual ending step
// and error code, then a closing line "N passed, M failed" (", K skipped" when some are pending).
func WriteSummary(w io.Writer, rows []Row, color bool) error {
	rows = slices.Clone(rows)
	slices.SortStableFunc(rows, func(a, b Row) int { return strings.Compare(a.Scenario, b.Scenario) })
	t := report.Table{Head: []string{"SCENARIO", "EXPECTED STEP", "ACTUAL STEP", "ERROR CODE", "RESULT"}}
	if color {
		t.Paint = func(r []string) string {
			switch r[4] {
			case "ok":
				return "32"
			case "pending":
				return "33"
			}
			return "31"
		}
	}
	passed, pending := 0, 0
	for _, r := range rows {
		result := "FAIL"
		switch {
		case r.Pending:
			result = "pending"
			pending++
		case r.Passed:
			result = "ok"
			passed++
		}
		t.Add(r.Scenario, r.Expected, r.Actual, r.ErrorCode, result)
	}
	var b strings.Builder
	if err := t.Write(&b); err != nil {
		return err
	}
	fmt.Fprintf(&b, "%d passed, %d failed", passed, len(rows)-passed-pending)
	if pending > 0 {
		fmt.Fprintf(&b, ", %d skipped", pending)
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}
