package engine

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/scimsim/scimsim/entra"
)

// Subject is what "Provision on demand" is asked to provision: a user found by a search query,
// or a group by name with up to five of its members (all of them when Members is empty and the
// group has at most five).
type Subject struct {
	User    string
	Group   string
	Members []string
}

// Option configures Run with what a Go caller injects.
type Option func(*options)

type options struct {
	hc                  *http.Client
	now                 func() time.Time
	rand                *rand.Rand
	targetURL, token    string
	targetSet, tokenSet bool
	sleep               func(context.Context, time.Duration) error
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
		if url != "" {
			o.targetURL, o.targetSet = url, true
		}
		o.token, o.tokenSet = token, true
	}
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
// Report. The whole run is bounded by cfg.Job.Timeout. Run does not change a source, nor a config
// that has been validated (LoadConfig validates), so concurrent runs may share them; give each its
// own WithRand source.
func Run(ctx context.Context, src *Source, cfg *Config, subj Subject, opts ...Option) (*Report, error) {
	o := options{hc: http.DefaultClient, now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	if o.rand == nil {
		o.rand = rand.New(rand.NewSource(time.Now().UnixNano()))
	}
	if src == nil || cfg == nil {
		return nil, &InputError{errors.New("engine.Run: a source and a config are required")}
	}
	if err := src.Validate(); err != nil {
		return nil, &InputError{err}
	}
	if err := cfg.Validate(); err != nil {
		return nil, &InputError{err}
	}
	switch {
	case subj.User != "" && subj.Group != "":
		return nil, &InputError{errors.New("name either a user or a group, not both")}
	case subj.User == "" && subj.Group == "":
		return nil, &InputError{errors.New("name a user or a group to provision")}
	case subj.User != "" && len(subj.Members) > 0:
		return nil, &InputError{errors.New("members can only be chosen for a group")}
	}
	if subj.Group != "" && !cfg.Groups.Enabled {
		return nil, &InputError{fmt.Errorf("%s: groups.enabled: group provisioning is not enabled in this config", cfg.Pos)}
	}
	r, err := newRun(src, cfg, o)
	if err != nil {
		return nil, &InputError{err}
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Job.Timeout)
	defer cancel()
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
	return r.user(ctx, u, true), nil
}

// run is the state shared by the runs of one Run call (a group run provisions its members too).
type run struct {
	src      *Source
	cfg      *Config
	o        options
	c        *entra.Client
	dialect  entra.Dialect
	warnings []string
	// known are the target ids this run matched or created.
	known []string
}

func newRun(src *Source, cfg *Config, o options) (*run, error) {
	target, token := cfg.Target.URL, cfg.Target.Token
	if o.targetSet {
		target = o.targetURL
	}
	if o.tokenSet {
		token = o.token
	}
	if target == "" {
		return nil, fmt.Errorf("%s: target.url: no tenant URL: set it in the config or pass --target", cfg.Pos)
	}
	dialect, _ := entra.ParseDialect(cfg.Job.Dialect)
	r := &run{src: src, cfg: cfg, o: o, dialect: dialect}
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("tenant URL %q: %w", target, err)
	}
	for k := range u.Query() {
		if strings.EqualFold(k, entra.CompliantFlag) {
			// Microsoft: the aadOptscim062020 flag does not work with on-demand provisioning
			// (application-provisioning-config-problem-scim-compatibility.md).
			r.warnings = append(r.warnings, fmt.Sprintf("The tenant URL carries the %s flag, which Microsoft documents does not work with on-demand provisioning: it is ignored, and requests use the %s dialect (set job.dialect to choose).", k, dialect))
		}
	}
	reqTimeout := cfg.Job.RequestTimeout
	if reqTimeout == 0 {
		reqTimeout = cfg.Job.Timeout / 3
	}
	copts := []entra.Option{
		entra.WithHTTPClient(o.hc),
		entra.WithDialect(dialect),
		entra.WithAttemptTimeout(reqTimeout),
	}
	if o.sleep != nil {
		copts = append(copts, entra.WithSleep(o.sleep))
	}
	if r.c, err = entra.New(target, token, copts...); err != nil {
		return nil, err
	}
	return r, nil
}

// userRun is the state of one user's run.
type userRun struct {
	*run
	rep   *Report
	user  *User
	start time.Time
	// flow is the evaluated mappings; nulls the mapped source attributes without a value.
	flow  []flowValue
	nulls []string
	roles []string
	// inScope and why (when false); scopeTips explain it.
	inScope   bool
	why       string
	scopeTips []Tip
	scopeErr  *scopeError
	matched   map[string]any
}

// newReport returns a report whose five steps have not run yet.
func (r *run) newReport(typ string, id, display string) *Report {
	noun := "user"
	if typ == "Group" {
		noun = "group"
	}
	rep := &Report{
		Subject:            Identity{Type: typ, ID: id, Display: display},
		Status:             StatusSuccess,
		Action:             ReportNone,
		Dialect:            string(r.dialect),
		Warnings:           append([]string(nil), r.warnings...),
		ModifiedProperties: []ModifiedProperty{},
	}
	for _, s := range []struct{ typ, name, desc string }{
		{StepConnection, "Test connection", fmt.Sprintf("Query the target for a %s that does not exist, to check the tenant URL, the credentials and filtering on the matching attribute.", noun)},
		{StepImport, "Import " + noun, fmt.Sprintf("Retrieve the %s from the source system.", noun)},
		{StepScoping, fmt.Sprintf("Determine if %s is in scope", noun), fmt.Sprintf("Evaluate assignment, scope setting, required roles and scoping filters for the %s.", noun)},
		{StepMatching, fmt.Sprintf("Match %s between source and target", noun), "Query the target by each matching attribute in precedence order."},
		{StepExport, "Perform action", fmt.Sprintf("Create, update, disable, delete or skip the %s in the target.", noun)},
	} {
		rep.Steps = append(rep.Steps, Step{Name: s.name, Type: s.typ, Status: StatusNotRun, Description: s.desc,
			Details: Details{}, Tips: []Tip{}, Exchanges: []Exchange{}})
	}
	return rep
}

// finish ends a step: it takes the step's exchanges from the client and notes a retried write
// that may already have been applied.
func (r *run) finish(rep *Report, s *Step, status string) {
	s.Status = status
	s.Exchanges = append(s.Exchanges, r.c.TakeExchanges()...)
	for _, ex := range s.Exchanges {
		if ex.Retry == entra.RetryTimeout && ex.IsWrite() {
			// One warning per request, however many of its attempts timed out.
			w := fmt.Sprintf("%s %s was retried after a timed-out attempt that the target may already have applied: check the target for a duplicate or a double change.", ex.Method, ex.URL)
			if !slices.Contains(rep.Warnings, w) {
				rep.Warnings = append(rep.Warnings, w)
			}
		}
	}
}

// fail ends the run at step s with an error.
func (r *run) fail(rep *Report, s *Step, code entra.Code, reason string, tips ...Tip) {
	s.ErrorCode, s.Reason = string(code), reason
	s.Tips = append(s.Tips, tips...)
	r.finish(rep, s, StatusFailure)
	rep.Status, rep.Action, rep.FailedStep, rep.ErrorCode, rep.Reason = StatusFailure, ReportNone, s.Type, string(code), reason
}

// skip ends the run at step s without error (ImportSkipped, out of scope, RedundantExport).
func (r *run) skip(rep *Report, s *Step, code entra.Code, reason string, tips ...Tip) {
	s.ErrorCode, s.Reason = string(code), reason
	s.Tips = append(s.Tips, tips...)
	r.finish(rep, s, StatusSkipped)
	rep.Status, rep.Action, rep.FailedStep, rep.ErrorCode, rep.Reason = StatusSkipped, ReportSkip, s.Type, string(code), reason
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
	start := time.Now()
	rep := r.newReport("User", "", query)
	s := rep.Step(StepImport)
	s.Details.add("Search", query)
	reason, tips := r.notFound(query, res.hidden)
	r.fail(rep, s, entra.CodeSubjectNotFound, reason, tips...)
	rep.DurationMs = time.Since(start).Milliseconds()
	return nil, rep, nil
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

// user runs the five steps for one user. connTest is false for the members of a group run, whose
// connection the group already tested.
func (r *run) user(ctx context.Context, u *User, connTest bool) *Report {
	ur := &userRun{run: r, user: u, start: time.Now()}
	ur.rep = r.newReport("User", u.ObjectID, u.Display())
	defer func() { ur.rep.DurationMs = time.Since(ur.start).Milliseconds() }()
	if connTest {
		if !r.testConnection(ctx, ur.rep, "Users", &r.cfg.Users) {
			return ur.rep
		}
	} else {
		conn := ur.rep.Step(StepConnection)
		conn.Status = StatusSuccess
		conn.Details.add("Tested", "by the group run")
	}
	if !ur.importStep() {
		return ur.rep
	}
	if !ur.scopeStep() {
		return ur.rep
	}
	if !ur.matchStep(ctx) {
		return ur.rep
	}
	ur.actionStep(ctx)
	return ur.rep
}

// testConnection is step 1: a query for a random GUID on the highest-precedence matching
// attribute must answer 200 with an empty ListResponse (provision-on-demand.md, Step 1;
// use-scim-to-provision-users-and-groups.md).
func (r *run) testConnection(ctx context.Context, rep *Report, resource string, m *ObjectMapping) bool {
	s := rep.Step(StepConnection)
	if r.cfg.Target.Auth == AuthOAuth && r.cfg.Job.Running {
		app := r.cfg.Target.App
		if app == "" {
			app = "This application"
		}
		r.fail(rep, s, entra.CodeJobRunning, fmt.Sprintf("%s uses OAuth for authorization and its provisioning job is running: stop the job (job.running: false) before using on-demand provisioning.", app), entra.TipOAuth)
		return false
	}
	attr := m.matchingMappings()[0].Target
	filter := entra.EqFilter(attr, guid(r.o.rand))
	s.Details.add("Query", fmt.Sprintf("GET /%s?filter=%s", resource, filter))
	lr, err := r.c.Query(ctx, resource, filter)
	if err != nil {
		code, reason, tips := r.classify(ctx, err, StepConnection)
		r.fail(rep, s, code, reason, tips...)
		return false
	}
	if lr.TotalResults > 0 || len(lr.Resources) > 0 {
		r.fail(rep, s, entra.CodeUnsupportedFilter, fmt.Sprintf("The query for a random GUID on %s returned %s: the target does not apply the filter.", attr, count(max(lr.TotalResults, len(lr.Resources)), "resource", "resources")), entra.TipConnFilter, entra.TipRESTTool)
		return false
	}
	s.Details.add("Result", "200, empty ListResponse")
	r.finish(rep, s, StatusSuccess)
	return true
}

// classify reads a failed request as Entra does (entra.Classify), for step.
func (r *run) classify(ctx context.Context, err error, step string) (entra.Code, string, []Tip) {
	v := entra.Classify(err, entra.Context{Step: step, Dialect: r.dialect, Matched: r.known,
		BudgetSpent: errors.Is(ctx.Err(), context.DeadlineExceeded), Budget: r.cfg.Job.Timeout})
	return v.Code, v.Reason, v.Tips
}

// guid returns a random version-4 GUID drawn from rnd.
func guid(rnd *rand.Rand) string {
	var b [16]byte
	for i := range b {
		b[i] = byte(rnd.Intn(256))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// importStep is step 2: the user's attributes (View details), the mapped attributes that are
// null (not provisioned: a warning), and ImportSkipped when no matching attribute has a value.
func (ur *userRun) importStep() bool {
	s := ur.rep.Step(StepImport)
	// Entra imports the attributes the mappings read; the others are listed, so that a user
	// looking for one sees that no mapping names it.
	read := ur.cfg.Users.sourceAttributes()
	s.Details.add("objectId", ur.user.ObjectID)
	for _, k := range read {
		if v, ok := ur.user.Attrs[k]; ok && k != "objectId" {
			s.Details.add(k, showValue(v))
		}
	}
	var unmapped []string
	for k := range ur.user.Attrs {
		if !slices.Contains(read, k) && k != "objectId" && k != "accountEnabled" && k != "softDeleted" {
			unmapped = append(unmapped, k)
		}
	}
	sort.Strings(unmapped)
	if len(unmapped) > 0 {
		s.Details.add("Not imported (no mapping reads them)", strings.Join(unmapped, ", "))
	}
	// Scope decides IsSoftDeleted, which mappings read: evaluate it before the mappings; step 3
	// reports it.
	ur.evaluateScope()
	if err := ur.evaluate(); err != nil {
		ur.fail(ur.rep, s, entra.CodeExpressionFailed, err.Error(), entra.TipMappingHasAttr)
		return false
	}
	var missing []string
	anyMatching := false
	for _, m := range ur.cfg.Users.matchingMappings() {
		if v := ur.value(m); v != nil {
			anyMatching = true
		} else {
			missing = append(missing, fmt.Sprintf("%s (from %s)", m.Target, m.sourceName()))
		}
	}
	if !anyMatching {
		ur.skip(ur.rep, s, entra.CodeImportSkipped, fmt.Sprintf("The user has no value for the matching %s %s, so it cannot be matched in the target; scoping was not evaluated.", pluralWord(len(missing), "attribute", "attributes"), strings.Join(missing, ", ")), entra.TipMissingMatching)
		return false
	}
	status := StatusSuccess
	if len(ur.nulls) > 0 {
		s.Details.add("Not provisioned (null)", strings.Join(ur.nulls, ", "))
		s.Reason = fmt.Sprintf("%s no value and %s not provisioned: %s.", count(len(ur.nulls), "mapped attribute has", "mapped attributes have"), pluralWord(len(ur.nulls), "is", "are"), strings.Join(ur.nulls, ", "))
		s.Tips = append(s.Tips, entra.TipNullAttribute)
		status = StatusWarning
	}
	if len(ur.nulls) > 0 || len(unmapped) > 0 {
		s.Tips = append(s.Tips, entra.TipMappingHasAttr)
	}
	ur.finish(ur.rep, s, status)
	return true
}
