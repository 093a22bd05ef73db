package engine

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/report"
)

// Subject is what "Provision on demand" is asked to provision: a user found by a search query,
// or a group by name with up to five of its members (all of them when Members is empty and the
// group has at most five).
type Subject struct {
	User    string
	Group   string
	Members []string
	// Also names further users (or groups, with Group) asked for in the same run. On-demand
	// provisioning takes one user, or one group, at a time: the run then fails at step 2 and says
	// so (provision-on-demand.md, Known limitations).
	Also []string
}

// SubjectProblem is what makes a Subject one that on-demand provisioning cannot take.
type SubjectProblem int

// The rules of a subject: one user or one group, and members only with a group.
const (
	NoSubject           SubjectProblem = iota + 1 // neither a user nor a group
	UserAndGroup                                  // a user and a group
	MembersWithoutGroup                           // members chosen for a user
)

// SubjectError is a Subject that breaks a rule; the command line says it with its flags.
type SubjectError struct{ Problem SubjectProblem }

func (e *SubjectError) Error() string {
	switch e.Problem {
	case UserAndGroup:
		return "name either a user or a group, not both"
	case MembersWithoutGroup:
		return "members can only be chosen for a group"
	}
	return "name a user or a group to provision"
}

// Validate checks the rules of a subject (a *SubjectError): the one place they are written.
func (s Subject) Validate() error {
	switch {
	case s.User == "" && s.Group == "":
		return &SubjectError{NoSubject}
	case s.User != "" && s.Group != "":
		return &SubjectError{UserAndGroup}
	case s.User != "" && len(s.Members) > 0:
		return &SubjectError{MembersWithoutGroup}
	}
	return nil
}

// Option configures Run with what a Go caller injects.
type Option func(*options)

type options struct {
	hc                  *http.Client
	now                 func() time.Time
	rand                *rand.Rand
	targetURL, token    string
	targetSet, tokenSet bool
	basicUser           string
	basicPassword       string
	basicSet            bool
	sleep               func(context.Context, time.Duration) error
	// cycles is set for a Session: the tenant URL's feature flag applies (cycle.go).
	cycles bool
}

// WithHTTPClient sets the HTTP client used to reach the target.
func WithHTTPClient(hc *http.Client) Option { return func(o *options) { o.hc = hc } }

// WithClock sets the clock that decides assignment ages and feeds Now() in expressions.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithRand sets the random source of the test-connection GUID and of Guid() and RandomString()
// in expressions, so that a run can be replayed.
func WithRand(r *rand.Rand) Option { return func(o *options) { o.rand = r } }

// WithTarget overrides the config's tenant URL and secret token. An empty url keeps the
// config's URL; the token always replaces the config's.
func WithTarget(url, token string) Option {
	return func(o *options) {
		WithTargetURL(url)(o)
		WithToken(token)(o)
	}
}

// WithTargetURL overrides the config's tenant URL; an empty url keeps it.
func WithTargetURL(url string) Option {
	return func(o *options) {
		if url != "" {
			o.targetURL, o.targetSet = url, true
		}
	}
}

// WithBasicAuth overrides the config's user name and password of target.auth basic.
func WithBasicAuth(user, password string) Option {
	return func(o *options) { o.basicUser, o.basicPassword, o.basicSet = user, password, true }
}

// WithToken overrides the config's secret token, with "" too (no Authorization header).
func WithToken(token string) Option {
	return func(o *options) { o.token, o.tokenSet = token, true }
}

// withSleep replaces the wait between retries (tests).
func withSleep(sleep func(context.Context, time.Duration) error) Option {
	return func(o *options) { o.sleep = sleep }
}

// InputError is bad input to Run: an invalid config, a missing target URL, an ambiguous subject.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// Run provisions one subject on demand, as "Provision on demand" does in the Microsoft Entra admin
// center, and returns the step-by-step report. It returns an error only for bad input (an invalid
// config, no target URL, an ambiguous subject whose error lists the candidates): everything the
// provisioning service itself would report, a subject the search cannot find included, is in the
// Report. The whole run is bounded by cfg.Job.Timeout. Run changes neither the source nor the
// config (it compiles a copy of the config once), so concurrent runs may share them; give each
// its own WithRand source.
func Run(ctx context.Context, src *Source, cfg *Config, subj Subject, opts ...Option) (*Report, error) {
	o := newOptions(false, opts)
	if o.rand == nil {
		o.rand = rand.New(rand.NewSource(time.Now().UnixNano()))
	}
	cc, err := prepare("engine.Run", src, cfg)
	if err != nil {
		return nil, err
	}
	if err := subj.Validate(); err != nil {
		return nil, &InputError{err}
	}
	// A cross-tenant job refuses a group at step 2 whether or not groups are enabled
	// (EntityTypeNotSupported), as the provisioning logs show it.
	if subj.Group != "" && !cc.Groups.Enabled && !cc.crossTenant() {
		return nil, &InputError{fmt.Errorf("%s: groups.enabled: group provisioning is not enabled in this config", cc.Pos)}
	}
	p, err := cc.plan(src, o)
	if err != nil {
		return nil, &InputError{err}
	}
	r, err := newRun(p, o)
	if err != nil {
		return nil, &InputError{err}
	}
	ctx, cancel := context.WithTimeout(ctx, cc.Job.Timeout)
	defer cancel()
	if len(subj.Also) > 0 {
		return r.tooMany(subj), nil
	}
	if subj.Group != "" {
		return r.group(ctx, subj)
	}
	u, rep, err := r.findUser(subj.User)
	if err != nil {
		return nil, &InputError{err}
	}
	if rep != nil {
		return rep, nil
	}
	return r.provision(ctx, userObject{u}, false), nil
}

// tooMany is the report of a run asked for several users or groups at once.
func (r *run) tooMany(subj Subject) *Report {
	names := append([]string{subj.User + subj.Group}, subj.Also...)
	noun, tip := "user", entra.TipOneUser
	if subj.Group != "" {
		noun, tip = "group", entra.TipOneGroupAPI
	}
	p := &pass{run: r, rep: r.emptyReport(Identity{Type: upperFirst(noun), Display: strings.Join(names, ", ")}, noun)}
	s := p.step(report.StepImport)
	s.Details.Add("Requested", strings.Join(names, ", "))
	p.fail(s, entra.CodeTooManySubjects, fmt.Sprintf("The run was asked for %d %ss at once (%s): on-demand provisioning takes one %s at a time.", len(names), noun, strings.Join(names, ", "), noun), tip)
	return p.rep
}

// group provisions a group on demand with the members subj selects.
func (r *run) group(ctx context.Context, subj Subject) (*Report, error) {
	g, err := r.src.FindGroup(subj.Group)
	if err != nil {
		return nil, &InputError{err}
	}
	if g == nil {
		return r.notFoundReport(Identity{Type: "Group", Display: subj.Group}, "group", subj.Group,
			fmt.Sprintf("No group in the source has the name %q.", subj.Group)), nil
	}
	members, err := r.selectMembers(g, subj.Members)
	if err != nil {
		return nil, &InputError{err}
	}
	return r.provision(ctx, groupObject{Group: g, members: members}, false), nil
}

// selectMembers resolves the --member queries against the group's members. nil means every
// member (step 2 refuses more than five).
func (r *run) selectMembers(g *Group, queries []string) ([]*User, error) {
	if len(queries) == 0 {
		var all []*User
		for _, id := range g.Members {
			if u := r.src.user(id); u != nil {
				all = append(all, u)
			}
		}
		return all, nil
	}
	var out []*User
	for _, q := range queries {
		u, err := r.src.FindUser(q)
		if err != nil {
			return nil, err
		}
		if u == nil {
			return nil, fmt.Errorf("--member %q: no user in the source matches it", q)
		}
		if !slices.Contains(g.Members, u.ObjectID) {
			return nil, fmt.Errorf("--member %q: %s is not a member of the group %q", q, u.Display(), g.DisplayName)
		}
		if !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out, nil
}

// run is the state shared by the runs of one Run call (a group run provisions its members too).
type run struct {
	src *Source
	cfg *Config
	o   options
	// t is what the steps provision users into; c is the SCIM client (nil for a cross-tenant job,
	// whose target t is the target tenant's Graph), which the group steps use.
	t        targetSystem
	c        *entra.Client
	dialect  entra.Dialect
	warnings []string
	// known are the target ids this run matched or created.
	known []string
	// cycle is set when the run provisions one object of a provisioning cycle (cycle.go).
	cycle *cycleRun
}

// newOptions is what a Run or a Session starts from: the default HTTP client and the wall clock,
// then opts; cycles is set for a Session.
func newOptions(cycles bool, opts []Option) options {
	o := options{hc: http.DefaultClient, now: time.Now, cycles: cycles}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// prepare checks src and compiles cfg against it, once for a Run or a Session (caller, named in
// the error when either is missing). Its errors are *InputError.
func prepare(caller string, src *Source, cfg *Config) (*Config, error) {
	if src == nil || cfg == nil {
		return nil, &InputError{fmt.Errorf("%s: a source and a config are required", caller)}
	}
	if err := src.Validate(); err != nil {
		return nil, &InputError{err}
	}
	cc, err := cfg.compile()
	if err != nil {
		return nil, &InputError{err}
	}
	if err := cc.checkSource(src); err != nil {
		return nil, &InputError{err}
	}
	return cc, nil
}

// plan is what the runs of one Run call or one Session share, worked out once: the compiled
// config, the tenant URL and token (WithTarget's or the config's), the request dialect and the
// run-level warnings.
type plan struct {
	src      *Source
	cfg      *Config
	target   entra.TenantURL
	token    string
	dialect  entra.Dialect
	warnings []string
}

// plan works out where the runs of the compiled config c go, with o's overrides.
func (c *Config) plan(src *Source, o options) (*plan, error) {
	p := &plan{src: src, cfg: c, target: c.Target.tenant, token: c.Target.Token}
	raw := c.Target.URL
	var bad error // an override that is not an absolute http(s) URL
	if o.targetSet {
		raw = o.targetURL
		p.target, bad = entra.ParseTenantURL(raw)
	}
	if o.tokenSet {
		p.token = o.token
	}
	if raw == "" {
		return nil, fmt.Errorf("%s: target.url: no tenant URL: set it in the config or pass --target", c.Pos)
	}
	if p.target.Base != nil {
		if err := c.checkTargetKind(p.target.Base, raw); err != nil {
			return nil, err
		}
	}
	if bad != nil {
		return nil, bad
	}
	p.dialect, _ = entra.ParseDialect(c.Job.Dialect)
	if k, ok := p.target.Flag(entra.CompliantFlag); ok {
		if o.cycles {
			p.dialect = entra.DialectEntraCompliant
		} else {
			// Microsoft: the aadOptscim062020 flag does not work with on-demand provisioning
			// (application-provisioning-config-problem-scim-compatibility.md).
			p.warnings = append(p.warnings, fmt.Sprintf("The tenant URL carries the %s flag, which Microsoft documents does not work with on-demand provisioning: it is ignored, and requests use the %s dialect (set job.dialect to choose).", k, p.dialect))
		}
	}
	return p, nil
}

// newRun starts one run of the plan p.
func newRun(p *plan, o options) (*run, error) {
	r := &run{src: p.src, cfg: p.cfg, o: o, dialect: p.dialect, warnings: p.warnings}
	reqTimeout := p.cfg.Job.RequestTimeout
	if reqTimeout == 0 {
		reqTimeout = p.cfg.Job.Timeout / 3
	}
	copts := []entra.Option{
		entra.WithHTTPClient(o.hc),
		entra.WithDialect(p.dialect),
		entra.WithAttemptTimeout(reqTimeout),
	}
	if o.sleep != nil {
		copts = append(copts, entra.WithSleep(o.sleep))
	}
	if p.cfg.Target.Auth == AuthBasic {
		user, password := p.cfg.Target.Username, p.cfg.Target.Password
		if o.basicSet {
			user, password = o.basicUser, o.basicPassword
		}
		copts = append(copts, entra.WithBasicAuth(user, password))
	}
	r.newTarget(p.target, p.token, copts)
	return r, nil
}

// newReport returns a report for obj whose five steps have not run yet.
func (r *run) newReport(obj object) *Report { return r.emptyReport(obj.identity(), obj.kind().noun) }

func (r *run) emptyReport(subject Identity, noun string) *Report {
	rep := &Report{
		Subject:            subject,
		Status:             report.StatusSuccess,
		Action:             report.ActionNone,
		Dialect:            r.dialectName(),
		Warnings:           append([]string(nil), r.warnings...),
		ModifiedProperties: []ModifiedProperty{},
	}
	for _, s := range []struct{ typ, name, desc string }{
		{report.StepConnection, "Test connection", r.connectionDescription(noun)},
		{report.StepImport, "Import " + noun, fmt.Sprintf("Retrieve the %s from the source system.", noun)},
		{report.StepScoping, fmt.Sprintf("Determine if %s is in scope", noun), fmt.Sprintf("Evaluate assignment, scope setting, required roles and scoping filters for the %s.", noun)},
		{report.StepMatching, fmt.Sprintf("Match %s between source and target", noun), "Query the target by each matching attribute in precedence order."},
		{report.StepExport, "Perform action", fmt.Sprintf("Create, update, disable, delete or skip the %s in the target.", noun)},
	} {
		rep.Steps = append(rep.Steps, Step{Name: s.name, Type: s.typ, Status: report.StatusNotRun, Description: s.desc,
			Details: Details{}, Tips: []Tip{}, Exchanges: []Exchange{}})
	}
	return rep
}

// findUser runs the portal's search. A subject the search cannot find is a report (import step
// failed with SubjectNotFound); several matches are an error.
func (r *run) findUser(query string) (*User, *Report, error) {
	res, err := r.src.search(query)
	if err != nil {
		return nil, nil, err
	}
	if res.user != nil {
		return res.user, nil, nil
	}
	reason, tips := r.notFound(query, res.hidden)
	return nil, r.notFoundReport(Identity{Type: "User", Display: query}, "user", query, reason, tips...), nil
}

// notFoundReport is the report of a search that found nothing: step 2 fails with
// SubjectNotFound.
func (r *run) notFoundReport(subject Identity, noun, query, reason string, tips ...Tip) *Report {
	start := time.Now()
	p := &pass{run: r, rep: r.emptyReport(subject, noun)}
	s := p.step(report.StepImport)
	s.Details.Add("Search", query)
	p.fail(s, entra.CodeSubjectNotFound, reason, tips...)
	p.rep.DurationMs = time.Since(start).Milliseconds()
	return p.rep
}

func (r *run) notFound(query string, hidden *User) (string, []Tip) {
	if hidden != nil {
		state := "disabled (accountEnabled false)"
		if hidden.SoftDeleted() {
			state = "deleted (in the recycle bin)"
		}
		return fmt.Sprintf("No user can be selected for %q: the matching user %s is %s in the source, and such users don't appear when you search for a user.", query, hidden.ObjectID, state), []Tip{entra.TipDisabled}
	}
	if _, hr := cloudHRAttributes[r.src.Kind]; hr {
		byName := &Source{Kind: KindEntra, Users: r.src.Users}
		if res, err := byName.search(query); err == nil && (res.user != nil || res.hidden != nil) {
			return fmt.Sprintf("No %s worker has the id %q: a %s source is searched by %s only, and %q is a name or an address, not a worker id.", r.src.Kind, query, r.src.Kind, hrIDs(r.src.Kind), query), []Tip{entra.TipCloudHR}
		}
		return fmt.Sprintf("No %s worker has the id %q (a %s source is searched by %s only).", r.src.Kind, query, r.src.Kind, hrIDs(r.src.Kind)), []Tip{entra.TipCloudHR}
	}
	return fmt.Sprintf("No user in the source matches %q by first name, last name, display name, user principal name or email address.", query), []Tip{entra.TipDisabled}
}

func hrIDs(kind string) string {
	if kind == KindWorkday {
		return "WorkerID or WID"
	}
	return "personIdExternal"
}

// classify reads a failed request as Entra does (entra.Classify), for step.
func (r *run) classify(ctx context.Context, err error, step string) (entra.Code, string, []Tip) {
	v := entra.Classify(err, entra.Context{Step: step, Dialect: r.dialect, Matched: r.known,
		BudgetSpent: errors.Is(ctx.Err(), context.DeadlineExceeded), Budget: r.cfg.Job.Timeout})
	return v.Code, v.Reason, v.Tips
}
