package conformance

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
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// SCIM media type and message URNs (RFC 7644 §3.1, §3.4.2, §3.5.2, §3.12).
const (
	mediaType     = "application/scim+json"
	listResponse  = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	patchOp       = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	errorMessage  = "urn:ietf:params:scim:api:messages:2.0:Error"
	userSchema    = "urn:ietf:params:scim:schemas:core:2.0:User"
	groupSchema   = "urn:ietf:params:scim:schemas:core:2.0:Group"
	enterpriseURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	// adscimGroup is the second schema URI Entra puts on group creation ([scim-tutorial], "Create Group").
	adscimGroup = "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"
)

const (
	maxResponseBody = 1 << 20 // what a check reads of an answer
	maxRecordedBody = 8 << 10 // what an Exchange keeps of a body
	defaultTimeout  = 30 * time.Second
)

// Exchange is one request a run sent (or, in a dry run, would send) and the answer, token redacted.
type Exchange struct {
	Method       string `json:"method"`
	URL          string `json:"url"`
	RequestBody  string `json:"requestBody,omitempty"`
	Status       int    `json:"status,omitempty"` // 0: not sent (dry run) or no answer (Err)
	ContentType  string `json:"contentType,omitempty"`
	ResponseBody string `json:"responseBody,omitempty"`
	Err          string `json:"error,omitempty"`
	// Auth is how the request authenticated: "token" (the configured one), or the deliberately wrong
	// header value the auth check sends, or "none".
	Auth string `json:"auth"`
}

// Curl renders the request as a curl command that reproduces it, reading the token from $TOKEN;
// Microsoft's own tip for a failing step is to reproduce the request with a tool such as cURL
// ([on-demand], step 1 tips).
func (e Exchange) Curl() string {
	var b strings.Builder
	fmt.Fprintf(&b, "curl -sS -X %s %s", e.Method, shellQuote(e.URL))
	switch e.Auth {
	case "token":
		b.WriteString(` -H "Authorization: Bearer $TOKEN"`)
	case "none":
	default:
		fmt.Fprintf(&b, " -H %s", shellQuote("Authorization: "+e.Auth))
	}
	if e.RequestBody != "" {
		fmt.Fprintf(&b, " -H 'Content-Type: %s' --data %s", mediaType, shellQuote(e.RequestBody))
	}
	return b.String()
}

// Answer summarises the response in one line: status, scimType and detail of a SCIM error.
func (e Exchange) Answer() string {
	if e.Err != "" {
		return "no answer: " + e.Err
	}
	if e.Status == 0 {
		return "not sent (dry run)"
	}
	s := fmt.Sprintf("%d", e.Status)
	var se struct {
		ScimType string `json:"scimType"`
		Detail   string `json:"detail"`
	}
	if json.Unmarshal([]byte(e.ResponseBody), &se) == nil && (se.ScimType != "" || se.Detail != "") {
		if se.ScimType != "" {
			s += " " + se.ScimType
		}
		if se.Detail != "" {
			s += ": " + clip(se.Detail, 200)
		}
		return s
	}
	if e.Status >= 300 && e.ResponseBody != "" {
		s += ": " + clip(e.ResponseBody, 200)
	}
	return s
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// clip collapses whitespace and cuts s to about n bytes, for one-line messages.
func clip(s string, n int) string { return clip0(strings.Join(strings.Fields(s), " "), n) }

// Target wraps the endpoint under test: HTTP helpers that record every exchange, creation of
// resources with run-unique names, and the list of everything created so that Cleanup can delete it.
// A Target is safe for concurrent use, though the checks run one after another.
type Target struct {
	cfg    Config
	base   string // BaseURL without a trailing slash
	prefix string
	runID  string
	hc     *http.Client
	log    io.Writer

	mu        sync.Mutex
	exchanges []Exchange
	created   []*createdResource
	dryIDs    int
	blocked   string // why the remaining checks are skipped, after a Gate check failed
}

// createdResource is something the run created, or may have created: id is empty when the create
// request got no usable answer, and Cleanup then looks it up by its run-unique name.
type createdResource struct {
	resource string // "Users" or "Groups"
	nameAttr string // "userName" or "displayName"
	name     string
	id       string
	gone     bool
}

// NewTarget returns a Target for cfg with a fresh run id. It does not contact the endpoint; a
// configuration that cannot work shows in the first request (see Config.Validate).
func NewTarget(cfg Config) *Target {
	t := &Target{
		cfg:    cfg,
		base:   strings.TrimRight(cfg.BaseURL, "/"),
		prefix: cfg.Prefix,
		runID:  newRunID(),
		hc:     cfg.HTTPClient,
		log:    cfg.Log,
	}
	if t.prefix == "" {
		t.prefix = DefaultPrefix
	}
	if t.hc == nil {
		t.hc = &http.Client{Timeout: defaultTimeout}
	}
	if t.log == nil {
		t.log = io.Discard
	}
	return t
}

func newRunID() string {
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}

// RunID is the random part of every name this run creates.
func (t *Target) RunID() string { return t.runID }

// Name returns the run-unique name for local, e.g. "scimsim-1a2b3c4d-alice".
func (t *Target) Name(local string) string { return t.prefix + t.runID + "-" + local }

// Exchanges returns every exchange of the run so far.
func (t *Target) Exchanges() []Exchange {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Exchange(nil), t.exchanges...)
}

func (t *Target) block(reason string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.blocked = reason
}

func (t *Target) blockedBy() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.blocked
}

func (t *Target) mark() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.exchanges)
}

func (t *Target) exchangesSince(mark int) []Exchange {
	t.mu.Lock()
	defer t.mu.Unlock()
	if mark > len(t.exchanges) {
		return nil
	}
	return append([]Exchange(nil), t.exchanges[mark:]...)
}

// response is an answer as the checks see it.
type response struct {
	status int
	header http.Header
	body   []byte
	ex     Exchange
}

// json decodes the body into v, naming the request on failure.
func (r *response) json(v any) error {
	if err := json.Unmarshal(r.body, v); err != nil {
		return fmt.Errorf("%s %s answered a body that is not JSON (%v): %s", r.ex.Method, r.ex.URL, err, clip(string(r.body), 200))
	}
	return nil
}

// object decodes the body as a JSON object; nil when it is not one.
func (r *response) object() map[string]any {
	var m map[string]any
	if json.Unmarshal(r.body, &m) != nil {
		return nil
	}
	return m
}

// what names the request and its answer for a failure message: "PATCH /Users/42 answered 400 invalidValue: …".
func (r *response) what() string {
	return fmt.Sprintf("%s %s answered %s", r.ex.Method, shortPath(r.ex.URL), r.ex.Answer())
}

// shortPath shortens a full URL to its path and query for messages.
func shortPath(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	p := u.EscapedPath()
	if i := strings.Index(p, "/Users"); i >= 0 {
		p = p[i:]
	} else if i := strings.Index(p, "/Groups"); i >= 0 {
		p = p[i:]
	} else if i := strings.LastIndex(p, "/"); i >= 0 {
		p = p[i:]
	}
	if u.RawQuery != "" {
		if q, err := url.QueryUnescape(u.RawQuery); err == nil {
			return p + "?" + q
		}
		return p + "?" + u.RawQuery
	}
	return p
}

// request is what a check asks the Target to send.
type request struct {
	method string
	path   string     // below the base URL, e.g. "/Users/42"
	query  url.Values // nil: none
	body   any        // JSON-encoded when not nil
	auth   *string    // nil: the configured token; "": no Authorization header; else the header value
}

// queryString encodes q with %20 for spaces, as Entra writes its filters.
func queryString(q url.Values) string { return strings.ReplaceAll(q.Encode(), "+", "%20") }

// send performs req (or, in a dry run, records it and makes up an answer) and records the exchange.
// It returns an error only when no answer arrived; any HTTP status is a response.
func (t *Target) send(ctx context.Context, req request) (*response, error) {
	u := t.base + req.path
	if len(req.query) > 0 {
		u += "?" + queryString(req.query)
	}
	ex := Exchange{Method: req.method, URL: u, Auth: "token"}
	var body []byte
	if req.body != nil {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(req.body); err != nil {
			return nil, fmt.Errorf("encode %s %s body: %w", req.method, req.path, err)
		}
		body = bytes.TrimSpace(buf.Bytes())
		ex.RequestBody = string(body)
	}
	if req.auth != nil {
		ex.Auth = *req.auth
		if ex.Auth == "" {
			ex.Auth = "none"
		}
	}
	if t.cfg.DryRun {
		resp := t.dryAnswer(req, body)
		resp.ex = ex
		t.record(ex)
		fmt.Fprintf(t.log, "    %s\n", ex.Curl())
		return resp, nil
	}
	hreq, err := http.NewRequestWithContext(ctx, req.method, u, bytes.NewReader(body))
	if err != nil {
		ex.Err = err.Error()
		t.record(ex)
		return nil, fmt.Errorf("%s %s: %w", req.method, u, err)
	}
	hreq.Header.Set("Accept", mediaType)
	if body != nil {
		hreq.Header.Set("Content-Type", mediaType)
	}
	switch {
	case req.auth == nil:
		if t.cfg.Token != "" {
			hreq.Header.Set("Authorization", "Bearer "+t.cfg.Token)
		}
	case *req.auth != "":
		hreq.Header.Set("Authorization", *req.auth)
	}
	hresp, err := t.hc.Do(hreq)
	if err != nil {
		ex.Err = redact(err.Error(), t.cfg.Token)
		t.record(ex)
		return nil, fmt.Errorf("%s %s: no answer: %s", req.method, shortPath(u), ex.Err)
	}
	defer hresp.Body.Close()
	rb, err := io.ReadAll(io.LimitReader(hresp.Body, maxResponseBody))
	ex.Status = hresp.StatusCode
	ex.ContentType = hresp.Header.Get("Content-Type")
	ex.ResponseBody = redact(clip0(string(rb), maxRecordedBody), t.cfg.Token)
	if err != nil {
		ex.Err = err.Error()
		t.record(ex)
		return nil, fmt.Errorf("%s %s: reading the answer: %w", req.method, shortPath(u), err)
	}
	t.record(ex)
	return &response{status: hresp.StatusCode, header: hresp.Header, body: rb, ex: ex}, nil
}

// clip0 cuts s to at most n bytes, at a rune boundary, without collapsing whitespace (for recorded
// bodies).
func clip0(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// minRedactLen is the shortest token redacted wherever it appears. A shorter one (a test token such
// as "t") is no secret worth the name, and replacing it everywhere would garble the bodies; it is
// still redacted after "Bearer ".
const minRedactLen = 8

// redact removes the token from anything recorded, in case an endpoint echoes it.
func redact(s, token string) string {
	if token == "" {
		return s
	}
	s = strings.ReplaceAll(s, "Bearer "+token, "Bearer [token]")
	if len(token) >= minRedactLen {
		s = strings.ReplaceAll(s, token, "[token]")
	}
	return s
}

func (t *Target) record(ex Exchange) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.exchanges = append(t.exchanges, ex)
}

// dryAnswer makes up the answer of a request that is not sent: a create echoes its body with a
// placeholder id so that later requests can name it, anything else answers an empty object. The
// checks' expectations are not evaluated in a dry run (see expect), so every request of every
// check is listed.
func (t *Target) dryAnswer(req request, body []byte) *response {
	r := &response{status: http.StatusOK, header: http.Header{"Content-Type": {mediaType}}, body: []byte("{}")}
	if req.method == http.MethodPost && body != nil {
		var m map[string]any
		if json.Unmarshal(body, &m) == nil {
			t.mu.Lock()
			t.dryIDs++
			m["id"] = fmt.Sprintf("dry-run-id-%d", t.dryIDs)
			t.mu.Unlock()
			r.status = http.StatusCreated
			r.body, _ = json.Marshal(m)
		}
	}
	return r
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
func (t *Target) expectStatus(r *response, want ...int) error {
	for _, w := range want {
		if r.status == w {
			return nil
		}
	}
	return t.expect(false, "%s (want %s)", r.what(), statusList(want))
}

func statusList(want []int) string {
	s := make([]string, len(want))
	for i, w := range want {
		s[i] = fmt.Sprintf("%d", w)
	}
	return strings.Join(s, " or ")
}

// track remembers a resource the run is about to create, before the request goes out, so that a
// create whose answer is lost is still cleaned up.
func (t *Target) track(resource, nameAttr, name string) *createdResource {
	c := &createdResource{resource: resource, nameAttr: nameAttr, name: name}
	t.mu.Lock()
	t.created = append(t.created, c)
	t.mu.Unlock()
	return c
}

func (t *Target) setID(c *createdResource, id string, gone bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	c.id, c.gone = id, gone
}

// markDeleted records that a check deleted one of the run's resources itself.
func (t *Target) markDeleted(resource, id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, c := range t.created {
		if c.resource == resource && c.id == id {
			c.gone = true
		}
	}
}

// owns reports whether the run created resource/id; checks modify nothing else.
func (t *Target) owns(resource, id string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, c := range t.created {
		if c.resource == resource && c.id == id && id != "" {
			return true
		}
	}
	return false
}

// Cleanup deletes everything the run created, newest first (groups before their members), and
// forgets it, so a second call does nothing. A resource whose create got no usable answer is looked
// up by its run-unique name first. An answer of 404 counts as deleted. Call it with a fresh context
// (context.WithoutCancel plus a timeout) when the run's own context may be cancelled; the error names
// every resource left behind.
func (t *Target) Cleanup(ctx context.Context) error {
	if t.cfg.DryRun {
		return nil
	}
	t.mu.Lock()
	todo := make([]*createdResource, 0, len(t.created))
	for i := len(t.created) - 1; i >= 0; i-- {
		if c := t.created[i]; !c.gone {
			todo = append(todo, c)
		}
	}
	t.mu.Unlock()
	var errs []error
	for _, c := range todo {
		ids := []string{c.id}
		if c.id == "" {
			found, err := t.lookup(ctx, c)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			ids = found
		}
		ok := true
		for _, id := range ids {
			if err := t.deleteForCleanup(ctx, c, id); err != nil {
				errs = append(errs, err)
				ok = false
			}
		}
		if ok {
			t.mu.Lock()
			c.gone = true
			t.mu.Unlock()
		}
	}
	return errors.Join(errs...)
}

func (t *Target) deleteForCleanup(ctx context.Context, c *createdResource, id string) error {
	r, err := t.send(ctx, request{method: http.MethodDelete, path: "/" + c.resource + "/" + url.PathEscape(id)})
	if err != nil {
		return fmt.Errorf("cleanup: %s %q (id %s) left behind: %w", c.resource, c.name, id, err)
	}
	if r.status/100 != 2 && r.status != http.StatusNotFound {
		return fmt.Errorf("cleanup: %s %q (id %s) left behind: %s", c.resource, c.name, id, r.what())
	}
	return nil
}

// lookup finds the ids of resources named c.name, for a create whose answer was lost. Only exact
// (case-insensitive) name matches count: the name is unique to the run, so nothing else matches.
func (t *Target) lookup(ctx context.Context, c *createdResource) ([]string, error) {
	r, err := t.send(ctx, request{method: http.MethodGet, path: "/" + c.resource,
		query: url.Values{"filter": {fmt.Sprintf("%s eq %q", c.nameAttr, c.name)}}})
	if err != nil {
		return nil, fmt.Errorf("cleanup: looking up %s %q: %w", c.resource, c.name, err)
	}
	var lr struct {
		Resources []map[string]any `json:"Resources"`
	}
	if r.status != http.StatusOK || r.json(&lr) != nil {
		return nil, fmt.Errorf("cleanup: looking up %s %q: %s", c.resource, c.name, r.what())
	}
	var ids []string
	for _, res := range lr.Resources {
		if name, _ := attr(res, c.nameAttr).(string); strings.EqualFold(name, c.name) {
			if id, _ := attr(res, "id").(string); id != "" {
				ids = append(ids, id)
			}
		}
	}
	return ids, nil
}

func (t *Target) logf(format string, args ...any) { fmt.Fprintf(t.log, format, args...) }

func (t *Target) logHeader() {
	mode := ""
	if t.cfg.DryRun {
		mode = "; dry run, nothing is sent"
	}
	t.logf("conformance: %s (run %s, prefix %q%s)\n", t.base, t.runID, t.prefix, mode)
}

func (t *Target) logResult(r Result) {
	t.logf("%-6s %-30s %s\n", strings.ToUpper(string(r.Status)), r.Check.ID, r.Check.Title)
}
