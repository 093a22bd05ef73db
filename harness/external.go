package harness

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/internal/endpoint"
	"github.com/scimsim/scimsim/scenarios"
)

// DefaultPrefix starts the name of everything a run creates on an external endpoint when
// External.Prefix is empty: the same default as the requirement checks', so that one --prefix
// names everything a conformance run creates.
const DefaultPrefix = endpoint.DefaultPrefix

// CleanupTimeout bounds the deletion of what one scenario created. The deletion runs on a context of
// its own, so that a scenario cut short by a deadline or an interrupt still cleans up.
const CleanupTimeout = 30 * time.Second

// External is a real SCIM endpoint. It runs conformance scenarios only (ErrNotConformance for the
// others): they need nothing but SCIM, which makes them safe to run against a production system.
//
//   - Names unique to the run. Every scenario gets a tag, Prefix + a random run id + a counter (e.g.
//     "scimsim-1a2b3c4d-3-"), that starts every identity reaching the endpoint: the source's
//     userPrincipalName, mail, mailNickname, objectId and group displayName (TagSource), and the
//     seeded resources' userName, emails, externalId and displayName. Nothing it creates can collide
//     with an existing resource, with another scenario (whose cleanup may have failed) or with a
//     parallel run (ginkgo -p: each process draws its own run id).
//   - Only what it created. The scenario's target.users and target.groups are created with plain
//     SCIM POSTs, not through the simulator's admin API; their ids, and the ids of everything the
//     engine's POSTs created (Record), are remembered. Cleanup DELETEs those ids and nothing else. A
//     create whose answer was lost is looked up by its tagged name, which only this run can have used.
//     A resource the engine matched is recorded only when its name carries the tag, so a wrong match
//     on a faulty endpoint is never deleted.
//   - Deleted afterwards. Run calls Cleanup when the scenario ends, on a fresh context, also when it
//     failed or was interrupted; the Ginkgo suite calls it again from DeferCleanup, which Ginkgo runs
//     on failure and on Ctrl-C. Groups go before users, newest first, and a 404 counts as deleted.
//
// The zero value is not usable: set URL (and Token); the other fields have defaults. Call Validate
// before the first Prepare to learn about a bad URL or prefix before anything is sent. An External
// is safe for concurrent use by scenarios with distinct ids.
type External struct {
	URL   string // the SCIM base URL, what Entra calls the Tenant URL
	Token string // the bearer token, what Entra calls the Secret Token
	// Prefix starts every name the run creates; DefaultPrefix when empty. At most 32 letters,
	// digits, '.', '_' or '-': it ends up in userName and email addresses.
	Prefix string
	// HTTPClient sends the seeds, the group inspections and the deletions; nil means the package's
	// own client. The engine's requests go through Options.HTTPClient.
	HTTPClient *http.Client

	once  sync.Once
	runID string

	mu   sync.Mutex
	n    int                     // scenarios prepared so far: numbers the tags
	runs map[string]*externalRun // by scenario id
}

// externalRun is what one scenario did to the endpoint.
type externalRun struct {
	tag     string
	created []*created
}

// created is a resource a scenario created, or may have created: id is empty when its create got no
// usable answer, and Cleanup then looks it up by its tagged name.
type created struct {
	resource string // "Users" or "Groups"
	name     string // userName or displayName
	id       string
}

// Validate reports a URL or prefix the run cannot use, naming the value.
func (e *External) Validate() error {
	if err := endpoint.CheckBaseURL(e.URL); err != nil {
		return fmt.Errorf("external target %q: %w", e.URL, err)
	}
	if err := endpoint.CheckPrefix(e.Prefix); err != nil {
		return err
	}
	return nil
}

// RunID is the random part of every tag of this run: 8 hex digits, drawn on first use.
func (e *External) RunID() string {
	e.once.Do(func() {
		var b [4]byte
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
		e.runID = hex.EncodeToString(b[:])
	})
	return e.runID
}

func (e *External) prefix() string {
	if e.Prefix == "" {
		return DefaultPrefix
	}
	return e.Prefix
}

func (e *External) base() string { return strings.TrimRight(e.URL, "/") }

func (e *External) client() *http.Client {
	if e.HTTPClient != nil {
		return e.HTTPClient
	}
	return defaultClient()
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
	run := e.begin(sc.ID)
	ids := map[string]string{} // the catalog's user id -> the endpoint's
	for i, u := range sc.Target.Users {
		id, err := e.seed(ctx, run, "Users", tagSeed("Users", u, run.tag, nil))
		if err != nil {
			return Endpoint{}, fmt.Errorf("%s: target.users[%d]: %w", sc.File, i, err)
		}
		if catalogID, ok := u["id"].(string); ok {
			ids[catalogID] = id
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
		if err := e.seedGroup(ctx, run, tagSeed("Groups", g, run.tag, ids)); err != nil {
			return Endpoint{}, fmt.Errorf("%s: target.groups[%d]: %w", sc.File, i, err)
		}
	}
	u := e.base()
	return Endpoint{URL: u, Root: u, Token: e.Token, Tag: run.tag}, nil
}

// begin starts a scenario's run with a fresh tag. What an earlier run of the same scenario left
// behind (a failed cleanup) stays on the list, so that the next Cleanup tries again.
func (e *External) begin(id string) *externalRun {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.n++
	run := &externalRun{tag: fmt.Sprintf("%s%s-%d-", e.prefix(), e.RunID(), e.n)}
	if e.runs == nil {
		e.runs = map[string]*externalRun{}
	}
	if old := e.runs[id]; old != nil {
		run.created = old.created
	}
	e.runs[id] = run
	return run
}

func (e *External) run(id string) *externalRun {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.runs[id]
}

// track remembers a resource about to be created, before the request goes out, so that a create
// whose answer is lost is still cleaned up.
func (e *External) track(run *externalRun, resource, name string) *created {
	c := &created{resource: resource, name: name}
	e.mu.Lock()
	defer e.mu.Unlock()
	run.created = append(run.created, c)
	return c
}

// seed POSTs one resource and returns the id the endpoint gave it.
func (e *External) seed(ctx context.Context, run *externalRun, resource string, body map[string]any) (string, error) {
	c := e.track(run, resource, nameOf(resource, body))
	status, rb, err := e.send(ctx, http.MethodPost, "/"+resource, nil, body)
	if err != nil {
		return "", err
	}
	res, err := createdResource(resource, c.name, status, rb)
	if err != nil {
		return "", err
	}
	id, _ := res["id"].(string)
	e.mu.Lock()
	c.id = id
	e.mu.Unlock()
	return id, nil
}

// seedGroup creates a group with its members. RFC 7643 §4.2 lets a create carry members, but Entra
// never sends one (it creates a group empty, then PATCHes members in), so a server may drop them:
// when the answer lists fewer members than were sent, they are added with the RFC's PATCH.
func (e *External) seedGroup(ctx context.Context, run *externalRun, body map[string]any) error {
	c := e.track(run, "Groups", nameOf("Groups", body))
	status, rb, err := e.send(ctx, http.MethodPost, "/Groups", nil, body)
	if err != nil {
		return err
	}
	res, err := createdResource("Groups", c.name, status, rb)
	if err != nil {
		return err
	}
	e.mu.Lock()
	c.id, _ = res["id"].(string)
	e.mu.Unlock()
	sent, _ := body["members"].([]any)
	got, _ := res["members"].([]any)
	if len(got) >= len(sent) {
		return nil
	}
	patch := map[string]any{
		"schemas":    []any{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
		"Operations": []any{map[string]any{"op": "add", "path": "members", "value": sent}},
	}
	status, rb, err = e.send(ctx, http.MethodPatch, "/Groups/"+url.PathEscape(c.id), nil, patch)
	if err != nil {
		return err
	}
	if status != http.StatusOK && status != http.StatusNoContent {
		return fmt.Errorf("POST /Groups for %q kept %d of %d members, and PATCH add members answered %d: %s", c.name, len(got), len(sent), status, clip(rb))
	}
	return nil
}

// createdResource decodes the answer to a create, which must be 201 (or 200) with an id.
func createdResource(resource, name string, status int, rb []byte) (map[string]any, error) {
	if status != http.StatusCreated && status != http.StatusOK {
		return nil, fmt.Errorf("POST /%s for %q answered %d: %s", resource, name, status, clip(rb))
	}
	var res map[string]any
	if json.Unmarshal(rb, &res) != nil {
		return nil, fmt.Errorf("POST /%s for %q answered %d with a body that is not a SCIM resource: %s", resource, name, status, clip(rb))
	}
	if id, _ := res["id"].(string); id == "" {
		return nil, fmt.Errorf("POST /%s for %q answered %d without an id (RFC 7643 §3.1)", resource, name, status)
	}
	return res, nil
}

// nameOf returns a resource's naming attribute: userName for a user, displayName for a group.
func nameOf(resource string, res map[string]any) string {
	key := "userName"
	if resource == "Groups" {
		key = "displayName"
	}
	s, _ := res[key].(string)
	return s
}

// Record implements Cleaner: it remembers what the engine's run created, from the report of the run
// and of the members a group run provisioned. A POST that answered an id created that id; a POST
// without a usable answer may have created its resource, which is looked up by name at cleanup when
// the name carries the scenario's tag. The report's target is recorded when its name carries the tag.
func (e *External) Record(sc *scenarios.Scenario, rep *engine.Report) {
	run := e.run(sc.ID)
	if run == nil || rep == nil {
		return
	}
	reports := []*engine.Report{rep}
	for len(reports) > 0 {
		r := reports[0]
		reports = append(reports[1:], r.Members...)
		for _, s := range r.Steps {
			for _, ex := range s.Exchanges {
				if ex.Method == http.MethodPost {
					e.recordCreate(run, ex)
				}
			}
		}
		if t := r.Target; t != nil && t.ID != "" && hasTag(t.Display, run.tag) {
			if resource := map[string]string{"User": "Users", "Group": "Groups"}[t.Type]; resource != "" {
				e.recordID(run, resource, t.Display, t.ID)
			}
		}
	}
}

func (e *External) recordCreate(run *externalRun, ex engine.Exchange) {
	u, err := url.Parse(ex.URL)
	if err != nil {
		return
	}
	resource := u.Path[strings.LastIndex(u.Path, "/")+1:]
	if resource != "Users" && resource != "Groups" {
		return
	}
	var req, res map[string]any
	_ = json.Unmarshal([]byte(ex.RequestBody), &req)
	name := nameOf(resource, req)
	if ex.Error == "" && ex.Status/100 == 2 && json.Unmarshal([]byte(ex.ResponseBody), &res) == nil {
		if id, _ := res["id"].(string); id != "" {
			e.recordID(run, resource, name, id)
			return
		}
	}
	if hasTag(name, run.tag) {
		e.recordID(run, resource, name, "")
	}
}

// recordID adds a resource to the run's list unless it is there already.
func (e *External) recordID(run *externalRun, resource, name, id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, c := range run.created {
		if c.resource != resource {
			continue
		}
		if (id != "" && c.id == id) || (id == "" && c.id == "" && strings.EqualFold(c.name, name)) {
			return
		}
	}
	run.created = append(run.created, &created{resource: resource, name: name, id: id})
}

// Cleanup implements Cleaner: it deletes everything the scenario created, groups first (a group
// refers to its members), newest first, and forgets what is gone, so a second call does nothing. A
// 404 counts as deleted (the scenario itself may have deleted it). The error names every resource
// left behind, with its tagged name, so that it can be found by hand.
func (e *External) Cleanup(ctx context.Context, sc *scenarios.Scenario) error {
	run := e.run(sc.ID)
	if run == nil {
		return nil
	}
	e.mu.Lock()
	todo := slices.Clone(run.created)
	e.mu.Unlock()
	slices.Reverse(todo)
	slices.SortStableFunc(todo, func(a, b *created) int {
		// Groups (G) before users (U).
		return strings.Compare(a.resource, b.resource)
	})
	var errs []error
	var left []*created
	for _, c := range todo {
		if err := e.remove(ctx, c); err != nil {
			errs = append(errs, err)
			left = append(left, c)
		}
	}
	e.mu.Lock()
	run.created = left
	e.mu.Unlock()
	return errors.Join(errs...)
}

// remove deletes one created resource; one without an id is first looked up by its tagged name.
func (e *External) remove(ctx context.Context, c *created) error {
	ids := []string{c.id}
	if c.id == "" {
		found, err := e.lookup(ctx, c.resource, c.name)
		if err != nil {
			return fmt.Errorf("cleanup: looking up %s %q: %w", c.resource, c.name, err)
		}
		ids = found
	}
	var errs []error
	for _, id := range ids {
		status, rb, err := e.send(ctx, http.MethodDelete, "/"+c.resource+"/"+url.PathEscape(id), nil, nil)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("cleanup: %s %q (id %s) left behind: %w", c.resource, c.name, id, err))
		case status/100 != 2 && status != http.StatusNotFound:
			errs = append(errs, fmt.Errorf("cleanup: %s %q (id %s) left behind: DELETE answered %d: %s", c.resource, c.name, id, status, clip(rb)))
		}
	}
	return errors.Join(errs...)
}

// lookup returns the ids of the resources whose name is exactly name (case-insensitively).
func (e *External) lookup(ctx context.Context, resource, name string) ([]string, error) {
	attr := "userName"
	if resource == "Groups" {
		attr = "displayName"
	}
	list, err := e.query(ctx, resource, attr, name)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, r := range list {
		if n, _ := r[attr].(string); strings.EqualFold(n, name) {
			if id, _ := r["id"].(string); id != "" {
				ids = append(ids, id)
			}
		}
	}
	return ids, nil
}

// query sends GET /{resource}?filter=attr eq "value".
func (e *External) query(ctx context.Context, resource, attr, value string) ([]map[string]any, error) {
	q := url.Values{"filter": {entra.EqFilter(attr, value)}}
	status, rb, err := e.send(ctx, http.MethodGet, "/"+resource, q, nil)
	if err != nil {
		return nil, err
	}
	var lr struct {
		Resources []map[string]any `json:"Resources"`
	}
	if status != http.StatusOK || json.Unmarshal(rb, &lr) != nil {
		return nil, fmt.Errorf("GET /%s?filter=%s answered %d: %s", resource, q.Get("filter"), status, clip(rb))
	}
	return lr.Resources, nil
}

// GroupMembers implements GroupInspector: how many members the scenario's group called displayName
// (the catalog's name; the endpoint holds it tagged) has, read with GET /Groups/{id}, since a
// server need not return members in a list.
func (e *External) GroupMembers(ctx context.Context, sc *scenarios.Scenario, displayName string) (int, error) {
	run := e.run(sc.ID)
	if run == nil {
		return 0, fmt.Errorf("scenario %s was not prepared", sc.ID)
	}
	name := run.tag + displayName
	ids, err := e.lookup(ctx, "Groups", name)
	if err != nil {
		return 0, err
	}
	if len(ids) != 1 {
		return 0, fmt.Errorf("the target holds %d groups called %q, want 1", len(ids), name)
	}
	status, rb, err := e.send(ctx, http.MethodGet, "/Groups/"+url.PathEscape(ids[0]), nil, nil)
	if err != nil {
		return 0, err
	}
	var g struct {
		Members []json.RawMessage `json:"members"`
	}
	if status != http.StatusOK || json.Unmarshal(rb, &g) != nil {
		return 0, fmt.Errorf("GET /Groups/%s (%q) answered %d: %s", ids[0], name, status, clip(rb))
	}
	return len(g.Members), nil
}

// StoredUser implements UserInspector: the user the catalog calls userName (the endpoint holds it
// tagged), read with GET /Users/{id} since a server may return less in a list (RFC 7644 §3.4.2.5
// lets it return only "default" attributes), with the run's tag removed so that it compares with
// values written in the catalog.
func (e *External) StoredUser(ctx context.Context, sc *scenarios.Scenario, userName string) (map[string]any, error) {
	run := e.run(sc.ID)
	if run == nil {
		return nil, fmt.Errorf("scenario %s was not prepared", sc.ID)
	}
	name := run.tag + userName
	ids, err := e.lookup(ctx, "Users", name)
	switch {
	case err != nil:
		return nil, err
	case len(ids) == 0:
		return nil, nil
	case len(ids) > 1:
		return nil, fmt.Errorf("the target holds %d users called %q, want 1", len(ids), name)
	}
	status, rb, err := e.send(ctx, http.MethodGet, "/Users/"+url.PathEscape(ids[0]), nil, nil)
	if err != nil {
		return nil, err
	}
	var u map[string]any
	if status != http.StatusOK || json.Unmarshal(untag(rb, run.tag), &u) != nil || u == nil {
		return nil, fmt.Errorf("GET /Users/%s (%q) answered %d: %s", ids[0], name, status, clip(rb))
	}
	return u, nil
}

// send performs one request against the endpoint and returns its status and body (at most 1 MiB).
// The error is a request that got no answer.
func (e *External) send(ctx context.Context, method, path string, q url.Values, body any) (int, []byte, error) {
	u := e.base() + path
	if len(q) > 0 {
		u += "?" + strings.ReplaceAll(q.Encode(), "+", "%20")
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, fmt.Errorf("%s %s: encode the body: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("Accept", "application/scim+json")
	if body != nil {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	if e.Token != "" {
		req.Header.Set("Authorization", "Bearer "+e.Token)
	}
	resp, err := e.client().Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: no answer: %w", method, path, err)
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("%s %s: reading the answer: %w", method, path, err)
	}
	return resp.StatusCode, rb, nil
}

// clip shortens a body for a one-line message.
func clip(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}
