package harness

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/internal/endpoint"
	"github.com/scimsim/scimsim/report"
	"github.com/scimsim/scimsim/scenarios"
	"github.com/scimsim/scimsim/wire"
)

// DefaultPrefix starts the name of everything a run creates on an external endpoint when
// External.Prefix is empty: the same default as the requirement checks', so that one --prefix
// names everything a conformance run creates.
const DefaultPrefix = endpoint.DefaultPrefix

// CleanupTimeout bounds the deletion of what one scenario created. The deletion runs on a context of
// its own, so that a scenario cut short by a deadline or an interrupt still cleans up.
const CleanupTimeout = endpoint.CleanupTimeout

// External is a real SCIM endpoint. It runs conformance scenarios only (ErrNotConformance for the
// others): they need nothing but SCIM, which makes them safe to run against a production system.
// Everything it sends goes through one endpoint session (package internal/endpoint), shared with
// the conformance checks when they run beside it: one run id, each request sent once through
// Entra's client.
//
//   - Names unique to the run. Every scenario gets a tag, Prefix + a random run id + a counter (e.g.
//     "scimsim-1a2b3c4d-3-"), that starts every identity reaching the endpoint: the source's
//     userPrincipalName, mail, mailNickname, objectId and group displayName (TagSource), and the
//     seeded resources' userName, emails, externalId and displayName. Nothing it creates can collide
//     with an existing resource, with another scenario (whose cleanup may have failed) or with a
//     parallel run (ginkgo -p: each process draws its own run id).
//   - Only what it created. The scenario's target.users and target.groups are created with plain
//     SCIM POSTs (scimsim's own requests, not the simulator's admin API), each entered in the
//     scenario's ledger before it is sent. What the engine created comes from its report
//     (Report.Created, and the reports of the members a group run provisioned); a create whose
//     answer was lost leaves a failed export whose userName or displayName, carrying the tag, is
//     looked up at cleanup. A resource the engine matched is recorded only when its name carries the
//     tag, so a wrong match on a faulty endpoint is never deleted.
//   - Deleted afterwards. Run calls Cleanup when the scenario ends, on a fresh context, also when it
//     failed or was interrupted; the Ginkgo suite calls it again from DeferCleanup, which Ginkgo runs
//     on failure and on Ctrl-C. The ledger deletes groups before users, newest first, each id once,
//     and checks with a GET a deletion the endpoint did not confirm before it calls it left behind.
//
// The zero value is not usable: set URL (and Token), or Session; the other fields have defaults.
// Call Validate before the first Prepare to learn about a bad URL or prefix before anything is
// sent. An External is safe for concurrent use by scenarios with distinct ids.
type External struct {
	URL   string // the SCIM base URL, what Entra calls the Tenant URL
	Token string // the bearer token, what Entra calls the Secret Token
	// Prefix starts every name the run creates; DefaultPrefix when empty. At most 32 letters,
	// digits, '.', '_' or '-': it ends up in userName and email addresses.
	Prefix string
	// HTTPClient sends the seeds, the inspections and the deletions; nil means the package's own
	// client. The engine's requests go through Options.HTTPClient.
	HTTPClient *http.Client
	// Session, when set, is the run's session on the endpoint (shared with the conformance checks);
	// URL, Token, Prefix and HTTPClient are then the session's.
	Session *endpoint.Session

	once sync.Once
	s    *endpoint.Session
	err  error

	mu   sync.Mutex
	runs map[string]*externalRun // by scenario id
}

// externalRun is what one scenario did to the endpoint.
type externalRun struct {
	tag string
	l   *endpoint.Ledger
}

// session returns the run's session, started on first use.
func (e *External) session() (*endpoint.Session, error) {
	e.once.Do(func() {
		if e.Session != nil {
			e.s = e.Session
			return
		}
		if err := endpoint.CheckBaseURL(e.URL); err != nil {
			e.err = fmt.Errorf("external target %q: %w", e.URL, err)
			return
		}
		hc := e.HTTPClient
		if hc == nil {
			hc = defaultClient()
		}
		e.s, e.err = endpoint.NewSession(endpoint.Config{URL: e.URL, Token: e.Token, Prefix: e.Prefix, HTTPClient: hc})
	})
	return e.s, e.err
}

// Validate reports a URL or prefix the run cannot use, naming the value.
func (e *External) Validate() error {
	_, err := e.session()
	return err
}

// RunID is the random part of every tag of this run: 8 hex digits ("" when the configuration is
// not valid: see Validate).
func (e *External) RunID() string {
	s, err := e.session()
	if err != nil {
		return ""
	}
	return s.RunID()
}

// BaseURL is the endpoint's SCIM base URL, without a trailing slash.
func (e *External) BaseURL() string {
	s, err := e.session()
	if err != nil {
		return e.URL
	}
	return s.BaseURL()
}

// ErrNotConformance is returned by External.Prepare for a scenario without the conformance label.
var ErrNotConformance = errors.New("only scenarios labelled " + scenarios.LabelConformance + " run against an external target")

// Prepare implements Target: it gives the scenario a new tag and creates its target.users, then its
// target.groups (members translated to the ids the endpoint gave the users), tagged. What it created
// before an error is still deleted by Cleanup.
func (e *External) Prepare(ctx context.Context, sc *scenarios.Scenario) (Endpoint, error) {
	if !sc.HasLabel(scenarios.LabelConformance) {
		return Endpoint{}, fmt.Errorf("%s: %w", sc.ID, ErrNotConformance)
	}
	s, err := e.session()
	if err != nil {
		return Endpoint{}, err
	}
	run := e.begin(s, sc.ID)
	ids := map[string]string{} // the catalog's user id -> the endpoint's
	for i, u := range sc.Target.Users {
		res, err := e.seed(ctx, run, wire.Users, tagSeed(wire.Users, u, run.tag, nil))
		if err != nil {
			return Endpoint{}, fmt.Errorf("%s: target.users[%d]: %w", sc.File, i, err)
		}
		if catalogID, ok := u["id"].(string); ok {
			ids[catalogID] = wire.ID(res)
		}
	}
	for i, g := range sc.Target.Groups {
		if members, ok := g["members"].([]any); ok {
			for j, m := range members {
				mm, _ := m.(map[string]any)
				if v, _ := mm["value"].(string); ids[v] == "" {
					return Endpoint{}, fmt.Errorf("%s: target.groups[%d].members[%d]: %v is the id of none of target.users", sc.File, i, j, m)
				}
			}
		}
		if err := e.seedGroup(ctx, s, run, tagSeed(wire.Groups, g, run.tag, ids)); err != nil {
			return Endpoint{}, fmt.Errorf("%s: target.groups[%d]: %w", sc.File, i, err)
		}
	}
	return Endpoint{URL: s.BaseURL(), Root: s.BaseURL(), Token: s.Token(), Tag: run.tag}, nil
}

// begin starts a scenario's run with a fresh tag. What an earlier run of the same scenario left
// behind (a failed cleanup) stays in its ledger, so that the next Cleanup tries again.
func (e *External) begin(s *endpoint.Session, id string) *externalRun {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.runs == nil {
		e.runs = map[string]*externalRun{}
	}
	run := &externalRun{tag: s.Tag(), l: s.NewLedger()}
	if old := e.runs[id]; old != nil {
		run.l = old.l
	}
	e.runs[id] = run
	return run
}

func (e *External) run(id string) *externalRun {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.runs[id]
}

// seed POSTs one resource of the catalog (scimsim's request, not Entra's) and returns what the
// endpoint answered, which must be 201 (or 200) with an id.
func (e *External) seed(ctx context.Context, run *externalRun, resource string, body map[string]any) (map[string]any, error) {
	req := entra.CreateRequest(resource, body)
	req.By = wire.ByScimsim
	resp, _, err := run.l.Create(ctx, req)
	if err != nil {
		return nil, err
	}
	name, _ := body[endpoint.NameAttr(resource)].(string)
	if resp.Status != http.StatusCreated && resp.Status != http.StatusOK {
		return nil, fmt.Errorf("POST /%s for %q answered %s", resource, name, resp.Exchange.Answer())
	}
	res, err := resp.Resource(true)
	if err != nil {
		return nil, fmt.Errorf("POST /%s for %q: %w", resource, name, err)
	}
	return res, nil
}

// seedGroup creates a group with its members. RFC 7643 §4.2 lets a create carry members, but Entra
// never sends one (it creates a group empty, then PATCHes members in), so a server may drop them:
// when the answer lists fewer members than were sent, they are added with the RFC's PATCH (the
// entra-compliant dialect's add).
func (e *External) seedGroup(ctx context.Context, s *endpoint.Session, run *externalRun, body map[string]any) error {
	sent, _ := body["members"].([]any)
	res, err := e.seed(ctx, run, wire.Groups, body)
	if err != nil {
		return err
	}
	got, _ := wire.Field(res, "members").([]any)
	if len(got) >= len(sent) {
		return nil
	}
	var ids []string
	for _, m := range sent {
		mm, _ := m.(map[string]any)
		if v, _ := mm["value"].(string); v != "" {
			ids = append(ids, v)
		}
	}
	req := entra.PatchRequestTo(wire.Groups, wire.ID(res), entra.DialectEntraCompliant.GroupPatch("", ids, nil))
	req.By = wire.ByScimsim
	resp, err := s.Send(ctx, req)
	if err != nil {
		return err
	}
	if resp.Status/100 != 2 {
		return fmt.Errorf("POST /Groups for %q kept %d of %d members, and PATCH add members answered %s", body["displayName"], len(got), len(sent), resp.Exchange.Answer())
	}
	return nil
}

// resourceOf is the endpoint of a report's identity type.
func resourceOf(typ string) string {
	if typ == "Group" {
		return wire.Groups
	}
	return wire.Users
}

// Record implements Cleaner: it enters in the scenario's ledger what the engine's run created, as
// the report of the run and of the members a group run provisioned say (Report.Created). A run
// whose export failed may have created its resource without learning its id (an answer that was
// lost): its userName or displayName, when it carries the scenario's tag, is looked up at cleanup.
// The report's target is entered when its name carries the tag.
func (e *External) Record(sc *scenarios.Scenario, rep *engine.Report) {
	run := e.run(sc.ID)
	if run == nil || rep == nil {
		return
	}
	reports := []*engine.Report{rep}
	for len(reports) > 0 {
		r := reports[0]
		reports = append(reports[1:], r.Members...)
		for _, c := range r.Created {
			run.l.Add(resourceOf(c.Type), c.Display, c.ID)
		}
		if t := r.Target; t != nil && t.ID != "" && hasTag(t.Display, run.tag) {
			run.l.Add(resourceOf(t.Type), t.Display, t.ID)
		}
		if r.Status == report.StatusFailure && r.FailedStep == report.StepExport {
			resource := resourceOf(r.Subject.Type)
			for _, p := range r.ModifiedProperties {
				if name, ok := p.NewValue.(string); ok && p.Name == endpoint.NameAttr(resource) && hasTag(name, run.tag) {
					run.l.Add(resource, name, "")
				}
			}
		}
	}
}

// Cleanup implements Cleaner: it deletes everything the scenario created (endpoint.Ledger.Cleanup)
// and forgets what is gone, so a second call does nothing. The error names every resource left
// behind, with its tagged name, so that it can be found by hand.
func (e *External) Cleanup(ctx context.Context, sc *scenarios.Scenario) error {
	run := e.run(sc.ID)
	if run == nil {
		return nil
	}
	return run.l.Cleanup(ctx)
}

// one looks up the scenario's resource the catalog calls name (the endpoint holds it tagged):
// nil when there is none.
func (e *External) one(ctx context.Context, sc *scenarios.Scenario, resource, name string) (*endpoint.Session, map[string]any, string, error) {
	run := e.run(sc.ID)
	s, err := e.session()
	if run == nil || err != nil {
		return nil, nil, "", fmt.Errorf("scenario %s was not prepared", sc.ID)
	}
	tagged := run.tag + name
	found, err := s.Lookup(ctx, resource, tagged)
	switch {
	case err != nil:
		return nil, nil, tagged, err
	case len(found) > 1:
		return nil, nil, tagged, fmt.Errorf("the target holds %d %s called %q, want 1", len(found), resource, tagged)
	case len(found) == 0:
		return s, nil, tagged, nil
	}
	return s, found[0], tagged, nil
}

// GroupMembers implements GroupInspector: how many members the scenario's group called displayName
// (the catalog's name; the endpoint holds it tagged) has, read with GET /Groups/{id}?attributes=
// members (scimsim's own read: Entra's reads leave members out), since a server need not return
// members in a list; 0 when the endpoint holds no such group.
func (e *External) GroupMembers(ctx context.Context, sc *scenarios.Scenario, displayName string) (int, error) {
	s, g, name, err := e.one(ctx, sc, wire.Groups, displayName)
	if err != nil {
		return 0, err
	}
	if g == nil {
		// The run did not create the group (its create failed, which the outcome says): it holds
		// no members, and the expectation's count tells the difference.
		return 0, nil
	}
	res, err := s.Client().ReadBack(ctx, wire.Groups, wire.ID(g))
	if err != nil {
		return 0, fmt.Errorf("reading group %q: %w", name, err)
	}
	members, _ := wire.Field(res, "members").([]any)
	return len(members), nil
}

// StoredUser implements UserInspector: the user the catalog calls userName (the endpoint holds it
// tagged), read with GET /Users/{id} since a server may return less in a list (RFC 7644 §3.4.2.5
// lets it return only "default" attributes), with the run's tag removed so that it compares with
// values written in the catalog.
func (e *External) StoredUser(ctx context.Context, sc *scenarios.Scenario, userName string) (map[string]any, error) {
	s, u, name, err := e.one(ctx, sc, wire.Users, userName)
	if err != nil || u == nil {
		return nil, err
	}
	res, err := s.Client().ReadBack(ctx, wire.Users, wire.ID(u))
	if err != nil {
		return nil, fmt.Errorf("reading user %q: %w", name, err)
	}
	raw, err := json.Marshal(res)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	if err := json.Unmarshal(untag(raw, e.run(sc.ID).tag), &out); err != nil {
		return nil, err
	}
	return out, nil
}

// clip shortens a body for a one-line message.
func clip(b []byte) string { return wire.OneLine(string(b), 300) }
