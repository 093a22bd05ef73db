package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/internal/endpoint"
	"github.com/scimsim/scimsim/wire"
)

// Target is the endpoint under test: the run's session (names, every request sent once through
// Entra's client and recorded), the ledger of what the checks created, and Entra's default job,
// which computes every body a check sends. A Target runs its checks one after another.
type Target struct {
	cfg    Config
	s      *endpoint.Session
	l      *endpoint.Ledger
	job    *engine.Config
	x      *engine.Export
	checks []Check
	log    io.Writer
	// matchAttr is the default job's first matching attribute (userName): the attribute of
	// Entra's test connection and matching queries.
	matchAttr string
	// groupMatchAttr is the group mappings' first matching attribute (displayName).
	groupMatchAttr string

	mu        sync.Mutex
	blocked   string            // why the remaining checks are skipped, after a Gate check failed
	outcomes  map[string]Status // of the checks run so far, for Needs
	curNote   string            // Result.Note of the running check
	coreGroup bool              // the endpoint refused Entra's group body: fixtures use the core schema alone
	dryBodies map[string]map[string]any
}

// NewTarget returns a Target for cfg. It does not contact the endpoint.
func NewTarget(cfg Config) (*Target, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	checks, _ := Select(cfg.Checks)
	t := &Target{cfg: cfg, checks: checks, log: cfg.Log, outcomes: map[string]Status{}, dryBodies: map[string]map[string]any{}}
	if t.log == nil {
		t.log = io.Discard
	}
	t.s = cfg.Session
	if t.s == nil || cfg.DryRun {
		hc := cfg.HTTPClient
		var observe func(wire.Exchange)
		if cfg.DryRun {
			hc = &http.Client{Transport: &dryTransport{}}
			observe = func(ex wire.Exchange) { fmt.Fprintf(t.log, "    %s\n", ex.Curl()) }
		}
		s, err := endpoint.NewSession(endpoint.Config{URL: cfg.BaseURL, Token: cfg.Token, Prefix: cfg.Prefix, HTTPClient: hc, Observe: observe})
		if err != nil {
			return nil, fmt.Errorf("conformance: %w", err)
		}
		t.s = s
	}
	t.l = t.s.NewLedger()
	t.job = engine.DefaultConfig()
	x, err := engine.NewExport(t.job)
	if err != nil {
		return nil, fmt.Errorf("conformance: %w", err)
	}
	t.x = x
	t.matchAttr = firstMatching(t.job.Users.Mappings)
	t.groupMatchAttr = firstMatching(t.job.Groups.Mappings)
	return t, nil
}

// firstMatching returns the target attribute of the mapping with the highest matching precedence.
func firstMatching(ms []*engine.Mapping) string {
	best := (*engine.Mapping)(nil)
	for _, m := range ms {
		if m.Matching > 0 && (best == nil || m.Matching < best.Matching) {
			best = m
		}
	}
	if best == nil {
		panic("conformance: Entra's default job has no matching attribute")
	}
	return best.Target
}

// RunID is the random part of every name this run creates.
func (t *Target) RunID() string { return t.s.RunID() }

// BaseURL is the endpoint's SCIM base URL.
func (t *Target) BaseURL() string { return t.s.BaseURL() }

// Name returns the run-unique name for local, e.g. "scimsim-1a2b3c4d-alice".
func (t *Target) Name(local string) string { return t.s.Name(local) }

// Exchanges returns every exchange of the run so far.
func (t *Target) Exchanges() []wire.Exchange { return t.s.Since(0) }

// Cleanup deletes everything the run created (endpoint.Ledger.Cleanup: groups first, newest first,
// each id once, on a fresh context) and names what it left behind. A dry run created nothing.
func (t *Target) Cleanup(ctx context.Context) error {
	if t.cfg.DryRun {
		return nil
	}
	return t.l.Cleanup(ctx)
}

// Stopped says why the run stopped after its gate (test-connection) failed: the endpoint cannot be
// reached, refuses the token or does not speak SCIM; "" when it did not stop.
func (t *Target) Stopped() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.blocked
}

func (t *Target) block(reason string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.blocked = reason
}

func (t *Target) recordOutcome(id string, s Status) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.outcomes[id] = s
}

// skipReason says why c cannot run: a failed gate, or a failed check it needs.
func (t *Target) skipReason(c Check) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.blocked != "" {
		return t.blocked
	}
	for _, n := range c.Needs {
		if t.outcomes[n] == StatusFail {
			return fmt.Sprintf("%s failed: every request of this check uses what it checks, so this check cannot tell anything more", n)
		}
	}
	return ""
}

func (t *Target) setNote(n string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.curNote = n
}

func (t *Target) note() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.curNote
}

func (t *Target) logf(format string, args ...any) { fmt.Fprintf(t.log, format, args...) }

func (t *Target) logHeader() {
	mode := ""
	if t.cfg.DryRun {
		mode = "; dry run, nothing is sent"
	}
	t.logf("conformance: %s (run %s, prefix %q%s)\n", t.s.BaseURL(), t.s.RunID(), t.s.Prefix(), mode)
}

func (t *Target) logResult(r Result) { io.WriteString(t.log, r.Line()) }

// send sends req once; the error is a request that got no answer.
func (t *Target) send(ctx context.Context, req entra.Request) (*entra.Response, error) {
	resp, err := t.s.Send(ctx, req)
	if err != nil {
		return nil, &Failure{Got: noAnswer(err)}
	}
	return resp, nil
}

// noAnswer says, in a sentence, why a request got no answer.
func noAnswer(err error) string {
	var ce *entra.Error
	if !errors.As(err, &ce) {
		return err.Error()
	}
	what := fmt.Sprintf("%s %s", ce.Method, shortPath(ce.URL))
	switch ce.Kind {
	case entra.KindConnection:
		return fmt.Sprintf("%s got no answer: the endpoint cannot be reached (%v)", what, ce.Err)
	case entra.KindTLS:
		s := fmt.Sprintf("%s failed in the TLS handshake (%v)", what, ce.Err)
		if ce.Detail != "" {
			s += ": " + ce.Detail
		}
		return s
	case entra.KindTimeout:
		return fmt.Sprintf("%s got no answer within %s", what, endpoint.RequestTimeout)
	}
	return err.Error()
}

// what names a request and its answer for a failure message: "PATCH /Users/42 answered 400
// invalidValue: …".
func what(r *entra.Response) string {
	return fmt.Sprintf("%s %s answered %s", r.Method, shortPath(r.URL), r.Exchange.Answer())
}

// shortPath shortens a full URL to its path below the SCIM base and its query, for messages.
func shortPath(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	p := u.EscapedPath()
	for _, r := range []string{"/Users", "/Groups", "/Schemas", "/ServiceProviderConfig"} {
		if i := strings.LastIndex(p, r); i >= 0 {
			p = p[i:]
			break
		}
	}
	if u.RawQuery != "" {
		if q, err := url.QueryUnescape(u.RawQuery); err == nil {
			return p + "?" + q
		}
		return p + "?" + u.RawQuery
	}
	return p
}

// expect returns a *Failure with got when ok is false; in a dry run it always returns nil so that
// every request of a check is listed.
func (t *Target) expect(ok bool, format string, args ...any) error {
	if ok || t.cfg.DryRun {
		return nil
	}
	return &Failure{Got: fmt.Sprintf(format, args...)}
}

// expectStatus fails unless r's status is one of want.
func (t *Target) expectStatus(r *entra.Response, want ...int) error {
	for _, w := range want {
		if r.Status == w {
			return nil
		}
	}
	return t.expect(false, "%s (want %s)", what(r), statusList(want))
}

// withConsequence puts consequence, what Entra would do, in place of the check's own when err is a
// *Failure that when accepts (any *Failure when when is nil): a check whose failure has a cause it
// recognises says what that cause costs. Any other error is returned as it is.
func withConsequence(err error, when func(f *Failure) bool, consequence string) error {
	var f *Failure
	if errors.As(err, &f) && (when == nil || when(f)) {
		f.Consequence = consequence
	}
	return err
}

func ok2xx(r *entra.Response) bool { return r.Status/100 == 2 }

func statusList(want []int) string {
	s := make([]string, len(want))
	for i, w := range want {
		s[i] = fmt.Sprintf("%d", w)
	}
	return strings.Join(s, " or ")
}

// dryTransport answers every request of a dry run without sending it: a create echoes its body
// with a placeholder id, so that the requests after it can name it; a read answers an empty
// ListResponse or an empty resource; a write answers 204. The checks' expectations are not
// evaluated in a dry run (Target.expect), so every request of every check is listed.
type dryTransport struct {
	mu  sync.Mutex
	ids int
}

func (d *dryTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	status, body := http.StatusNoContent, []byte(nil)
	switch {
	case r.Method == http.MethodPost:
		var m map[string]any
		if r.Body != nil {
			_ = json.NewDecoder(r.Body).Decode(&m)
		}
		if m == nil {
			m = map[string]any{}
		}
		d.mu.Lock()
		d.ids++
		m["id"] = fmt.Sprintf("dry-run-id-%d", d.ids)
		d.mu.Unlock()
		status = http.StatusCreated
		body, _ = json.Marshal(m)
	case r.Method == http.MethodGet && r.URL.Query().Has("filter"), r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/Schemas"):
		status, body = http.StatusOK, []byte(`{"schemas":["`+wire.ListResponseSchema+`"],"totalResults":0,"Resources":[]}`)
	case r.Method == http.MethodGet:
		status, body = http.StatusOK, []byte(`{}`)
	}
	if r.Body != nil {
		r.Body.Close()
	}
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {wire.MediaType}},
		Body: io.NopCloser(bytes.NewReader(body)), Request: r}, nil
}
