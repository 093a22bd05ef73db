package engine

import (
	"context"
	"fmt"
	"math/rand"
	"slices"
	"time"

	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/report"
	"github.com/scimsim/scimsim/wire"
)

// A provisioning job's cycles provision objects with the same five steps as on-demand
// provisioning, with what the job knows from its earlier cycles (how-provisioning-works.md,
// "Provisioning cycles: Initial and incremental", ms.date 2025-03-04):
//
//   - the connection is tested once, when the job starts, not for every object;
//   - an object created or matched in an earlier cycle has an anchor: "After the user account is
//     created, the provisioning service detects and caches the target system's ID for the new user.
//     This ID is used to run all future operations on that user." An anchored object is read by
//     that id (GET /Users/{id}), not matched again, so a 404 there is InvalidAnchor: "A user that
//     was previously created or matched by the provisioning service no longer exists"
//     (howto-analyze-provisioning-logs.md, error codes);
//   - "When a user is assigned or in scope for provisioning, the service queries the target system
//     for a matching user": an object out of scope that the job never provisioned is not queried;
//   - references (the manager, a group's members) are the target ids the job recorded, not looked
//     up in the target;
//   - a group's members are not provisioned with it: users come first in a cycle, and the group
//     names the members the job has in the target (on demand's five-member limit does not apply);
//   - scimsim's read-back after a write (its own request, which Entra does not send) is off unless
//     Session.ReadBack asks for it. The next cycle's read by id shows what the target kept, as it
//     shows Entra, and a read-back would double the requests a cycle sends, which changes what
//     throttling, `after` and `count` faults see;
//   - the tenant URL's aadOptscim062020 flag applies: Microsoft documents that it "doesn't work
//     with on-demand provisioning" (application-provisioning-config-problem-scim-compatibility.md),
//     which leaves the scheduled job as what it changes.

// Session provisions objects one at a time as a provisioning job's cycles do, sharing the HTTP
// client (and its connections) across objects. A Session is safe for concurrent use: each
// Provision has its own request recorder and report. The source must not change while Provision
// runs; Source.Apply changes it between cycles.
type Session struct {
	// ReadBack reads every successful write back and compares it (scimsim's own request); off by
	// default in cycles, see above.
	ReadBack bool
	// Anchors returns the target id the job recorded for a source user (a manager reference);
	// found is false when the job has not provisioned it. nil looks the user up in the target,
	// as on demand.
	Anchors func(objectID string) (id string, found bool)

	src  *Source
	cfg  *Config // compiled
	o    options
	plan *plan
}

// Object is what one Provision call provisions: a source user or group, what the job knows of
// it, and the time of the cycle.
type Object struct {
	User  *User
	Group *Group
	// Anchor is the target id the job cached for the object in an earlier cycle, "" if none.
	Anchor string
	// Members are, for a group, the target ids of its members that the job has in the target.
	Members []string
	// Now is the time of the provisioning (assignment ages, Now() in expressions).
	Now time.Time
	// Seed feeds the random source of Guid() and RandomString() in expressions.
	Seed int64
}

// NewSession validates src and cfg as Run does and returns a session that provisions from src. It
// indexes src, so that looking users and assignments up stays cheap for large sources.
func NewSession(src *Source, cfg *Config, opts ...Option) (*Session, error) {
	o := newOptions(true, opts)
	cc, err := prepare("engine.NewSession", src, cfg)
	if err != nil {
		return nil, err
	}
	if cc.crossTenant() {
		// The anchored read and the group steps of a cycle speak SCIM; a cross-tenant job's target
		// is a tenant's Graph, which scimsim provisions on demand only.
		return nil, &InputError{fmt.Errorf("%s: job.kind: provisioning cycles run SCIM jobs; a cross-tenant synchronization job (job.kind %s) runs on demand only", cc.Pos, cc.Job.Kind)}
	}
	p, err := cc.plan(src, o)
	if err != nil {
		return nil, &InputError{err}
	}
	src.Reindex()
	return &Session{src: src, cfg: cc, o: o, plan: p}, nil
}

// WithWait replaces the wait between a throttled request and its retry (the Retry-After): a job
// on a virtual clock counts the wait instead of sleeping.
func WithWait(wait func(context.Context, time.Duration) error) Option { return withSleep(wait) }

// Dialect returns the request dialect the session's cycles use.
func (s *Session) Dialect() entra.Dialect { return s.plan.dialect }

// TestConnection runs step 1 alone, as the job does when it starts, and returns its report.
func (s *Session) TestConnection(ctx context.Context, seed int64) *Report {
	o := s.o
	o.rand = rand.New(rand.NewSource(seed))
	r, err := newRun(s.plan, o)
	if err != nil {
		return internalReport(Identity{Type: "User"}, err)
	}
	obj := userObject{&User{Attrs: map[string]any{}}}
	p := &pass{run: r, obj: obj, start: time.Now(), rep: r.newReport(obj)}
	p.testConnection(ctx, p.step(report.StepConnection))
	p.rep.DurationMs = time.Since(p.start).Milliseconds()
	return p.rep
}

// optionsAt is the session's options with the clock stopped at now, the time of a cycle; a zero
// now keeps the session's clock.
func (s *Session) optionsAt(now time.Time) options {
	o := s.o
	if !now.IsZero() {
		o.now = func() time.Time { return now }
	}
	return o
}

// InScope reports whether obj is in scope at obj.Now (assignment, active, required role,
// scoping filters), without a request to the target: what the job counts against the
// accidental-deletions threshold before it exports.
func (s *Session) InScope(obj Object) bool {
	r := &run{src: s.src, cfg: s.cfg, o: s.optionsAt(obj.Now)}
	ob := s.object(obj)
	p := &pass{run: r, obj: ob, rep: r.newReport(ob)}
	d := p.decideScope()
	return d.in && d.err == nil
}

// Provision runs the five steps for obj as a cycle does and returns the report. The connection
// step is not run (the job tested it when it started).
func (s *Session) Provision(ctx context.Context, obj Object) *Report {
	o := s.optionsAt(obj.Now)
	o.rand = rand.New(&splitmix{state: uint64(obj.Seed)})
	ob := s.object(obj)
	r, err := newRun(s.plan, o)
	if err != nil {
		return internalReport(ob.identity(), err)
	}
	r.cycle = &cycleRun{anchor: obj.Anchor, members: obj.Members, readBack: s.ReadBack, anchors: s.Anchors}
	rep := r.provision(ctx, ob, true)
	if st := rep.Step(report.StepConnection); st != nil {
		st.Details = Details{{Name: "Tested", Value: "when the job started"}}
	}
	return rep
}

func (s *Session) object(obj Object) object {
	if obj.Group != nil {
		return groupObject{Group: obj.Group}
	}
	return userObject{obj.User}
}

// internalReport is the report of an object the session could not run at all.
func internalReport(subject Identity, err error) *Report {
	rep := &Report{Subject: subject, Status: report.StatusFailure, Action: report.ActionNone, FailedStep: report.StepImport,
		ErrorCode: string(entra.CodeInternalError), Reason: err.Error(), ModifiedProperties: []ModifiedProperty{}}
	return rep
}

// splitmix is a small random source (SplitMix64) for one object's Guid() and RandomString(): a
// cycle makes one per object, and math/rand's default source costs 5 KB and its seeding to make.
type splitmix struct{ state uint64 }

func (s *splitmix) Seed(seed int64) { s.state = uint64(seed) }
func (s *splitmix) Uint64() uint64 {
	s.state += 0x9e3779b97f4a7c15
	z := s.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
func (s *splitmix) Int63() int64 { return int64(s.Uint64() >> 1) }

// cycleRun is what a run knows as part of a provisioning cycle.
type cycleRun struct {
	anchor   string
	members  []string
	readBack bool
	anchors  func(string) (string, bool)
}

// cycleMatch decides step 4 for an object of a cycle without the on-demand queries when the job
// knows the answer: an anchored object is read by its id; an object out of scope that the job
// never provisioned is not queried. resolved is false when step 4 queries as on demand; ok is false
// when the step failed.
func (p *pass) cycleMatch(ctx context.Context, s *Step) (resolved, ok bool) {
	if p.cycle == nil {
		return false, true
	}
	if p.cycle.anchor == "" {
		if p.scope.in {
			return false, true
		}
		s.Details.Add("Result", fmt.Sprintf("not queried: the %s is out of scope and this job never provisioned it", p.obj.kind().noun))
		return true, true
	}
	res, err := p.c.Get(ctx, p.obj.kind().resource, p.cycle.anchor)
	if err != nil {
		p.failRequest(ctx, s, err, "")
		return true, false
	}
	s.Details.Add("Anchor", fmt.Sprintf("%s %s, cached by this job in an earlier cycle", p.obj.kind().resource, p.cycle.anchor))
	if p.obj.kind().resource == wire.Groups {
		if ms, ok := wire.Field(res, "members").([]any); ok && len(ms) > 0 {
			p.fail(s, entra.CodeMultipleEntries,
				fmt.Sprintf("The group read asked for excludedAttributes=members but the target returned %d member(s).", len(ms)), entra.TipMultipleGroup)
			return true, false
		}
	}
	s.Details.Add("Matched "+p.obj.kind().noun+" (anchor)", summarize(res))
	p.matched = res
	return true, true
}

// cycleMembers are the target ids of a group's members in a cycle.
func (p *pass) cycleMembers() ([]string, []string) {
	if p.cycle == nil {
		return nil, nil
	}
	return slices.Clone(p.cycle.members), nil
}

// readsBack reports whether a successful write is read back (always on demand).
func (p *pass) readsBack() bool { return p.cycle == nil || p.cycle.readBack }

// anchorOf returns the target id the job recorded for u; recorded is false when the run has no
// such records (on demand), and the target is queried instead.
func (p *pass) anchorOf(u *User) (id string, found, recorded bool) {
	if p.cycle == nil || p.cycle.anchors == nil {
		return "", false, false
	}
	id, found = p.cycle.anchors(u.ObjectID)
	return id, found, true
}

// sourceIndex answers user and assignmentsOf for a large source without scanning it.
type sourceIndex struct {
	users map[string]*User
	// groupsOf lists the groups each user is a direct member of.
	groupsOf    map[string][]string
	byPrincipal map[string][]Assignment
}

// Reindex builds (again) the index that makes looking users and assignments up cheap. NewSession
// calls it; Apply keeps it current. A source that is never indexed is scanned, as on demand.
func (s *Source) Reindex() {
	ix := &sourceIndex{
		users:       make(map[string]*User, len(s.Users)),
		groupsOf:    map[string][]string{},
		byPrincipal: map[string][]Assignment{},
	}
	for _, u := range s.Users {
		ix.users[u.ObjectID] = u
	}
	for _, g := range s.Groups {
		for _, m := range g.Members {
			ix.groupsOf[m] = append(ix.groupsOf[m], g.ObjectID)
		}
	}
	for _, a := range s.Assignments {
		ix.byPrincipal[a.Principal] = append(ix.byPrincipal[a.Principal], a)
	}
	s.index = ix
}

func (ix *sourceIndex) assignmentsOf(id string) []Assignment {
	out := slices.Clone(ix.byPrincipal[id])
	for _, g := range ix.groupsOf[id] {
		out = append(out, ix.byPrincipal[g]...)
	}
	return out
}

// User returns the source user whose objectId is id, nil when there is none.
func (s *Source) User(id string) *User { return s.user(id) }

// Group returns the source group whose objectId is id, nil when there is none.
func (s *Source) Group(id string) *Group {
	for _, g := range s.Groups {
		if g.ObjectID == id {
			return g
		}
	}
	return nil
}

// Assigned reports whether the principal id (a user, directly or through a group it is a direct
// member of, or a group) has an assignment to the application.
func (s *Source) Assigned(id string) bool { return len(s.assignmentsOf(id)) > 0 }

// DefaultAccidentalDeletionThreshold is the deletion threshold of "Prevent accidental deletions"
// when the job enables it without a number. Microsoft documents no default for provisioning jobs
// (accidental-deletions.md: "select the Prevent accidental deletions check box and specify a
// deletion threshold"); 500 is the default Microsoft documents for the same feature in Microsoft
// Entra Connect and cloud sync ("configured to not allow an export with more than 500 deletes",
// hybrid/connect/how-to-connect-sync-feature-prevent-accidental-deletes), which scimsim takes.
const DefaultAccidentalDeletionThreshold = 500

// DeletionThreshold returns the job's deletion threshold, 0 when prevention is off.
func (j *Job) DeletionThreshold() int {
	if !j.PreventAccidentalDeletions {
		return 0
	}
	if j.AccidentalDeletionThreshold == 0 {
		return DefaultAccidentalDeletionThreshold
	}
	return j.AccidentalDeletionThreshold
}

func (j *Job) validateDeletions() error {
	switch {
	case j.AccidentalDeletionThreshold < 0:
		return &FieldError{Pos: j.Pos.At("accidentalDeletionThreshold"), Field: "job.accidentalDeletionThreshold", Msg: "must not be negative"}
	case j.AccidentalDeletionThreshold > 0 && !j.PreventAccidentalDeletions:
		return &FieldError{Pos: j.Pos.At("accidentalDeletionThreshold"), Field: "job.accidentalDeletionThreshold", Msg: "set job.preventAccidentalDeletions: true for the threshold to apply"}
	}
	return nil
}
