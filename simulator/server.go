package simulator

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/labstack/echo/v4"

	"github.com/scimsim/scimsim/simulator/faults"
	"github.com/scimsim/scimsim/wire"
)

// scimContentType is the media type of every SCIM response (RFC 7644 §3.1).
const scimContentType = wire.MediaType

// Server is the simulator: an http.Handler serving the SCIM tenants and the admin API.
type Server struct {
	opts    options
	e       *echo.Echo
	filters *filterCache
	metrics *metrics // GET /metrics (metrics.go)

	routeSeq atomic.Int64

	journals *journalBook
	commits  committer
	state    atomic.Pointer[StateFile] // attached by StateFile.Load, for /admin/health

	mu      sync.Mutex
	tenants map[string]*Tenant
	def     *Tenant
	sweepAt atomic.Int64 // Unix nanoseconds of the next idle-tenant sweep
}

// tenantName is what a tenant may be called: it is one path segment of its URL.
var tenantName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ValidTenantName reports whether name can be used in /tenants/{name}/scim/v2.
func ValidTenantName(name string) bool { return tenantName.MatchString(name) }

// New returns a simulator with an empty default tenant.
func New(opts ...Option) (*Server, error) {
	o, err := buildOptions(opts)
	if err != nil {
		return nil, err
	}
	s := &Server{opts: o, filters: newFilterCache(1024), tenants: map[string]*Tenant{},
		journals: newJournalBook(o.journalSize, o.journalTenantBytes, o.journalBytes)}
	s.def, err = newTenant(s, "")
	if err != nil {
		return nil, err
	}
	s.tenants[""] = s.def
	s.metrics = newMetrics(s)
	s.e = s.routes()
	return s, nil
}

// ServeHTTP serves the SCIM tenants and the admin API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.e.ServeHTTP(w, r) }

// Tenant returns the tenant called name, creating it on first use with the server's profile and
// the token of new tenants (WithTenantToken, else the default tenant's); "" is the default tenant.
// Only names for which ValidTenantName holds are reachable over HTTP. A Go caller is trusted:
// WithMaxTenants does not apply here.
func (s *Server) Tenant(name string) *Tenant {
	t, _ := s.tenant(name, false)
	return t
}

// errTenantLimit is a request for a new tenant when WithMaxTenants named tenants exist.
var errTenantLimit = errors.New("tenant limit reached")

// lookup returns the tenant called name if it exists; it never creates one.
func (s *Server) lookup(name string) (*Tenant, bool) {
	s.mu.Lock()
	t, ok := s.tenants[name]
	s.mu.Unlock()
	return t, ok
}

// tenant returns the tenant called name, creating it on first use; capped refuses to create one
// beyond WithMaxTenants named tenants (errTenantLimit), which is what requests get. Idle tenants
// (WithTenantIdleTTL) are deleted first, so that forgotten ones make room.
func (s *Server) tenant(name string, capped bool) (*Tenant, error) {
	if t, ok := s.lookup(name); ok {
		return t, nil
	}
	s.expireIdle(s.opts.now())
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.tenants[name]; ok {
		return t, nil
	}
	if named := len(s.tenants) - 1; capped && named >= s.opts.maxTenants {
		return nil, fmt.Errorf("%w: the server holds %d named tenants, its maximum", errTenantLimit, named)
	}
	t, err := newTenant(s, name)
	if err != nil {
		// newTenant fails only on a static configuration error, which New has already ruled
		// out for the default tenant.
		panic(err)
	}
	s.tenants[name] = t
	return t, nil
}

// DeleteTenant deletes the named tenant with its store, faults and journal, and reports whether
// it existed. The default tenant ("") cannot be deleted (Reset empties it). A request already
// inside the tenant finishes against the deleted tenant; its writes are refused.
func (s *Server) DeleteTenant(name string) bool {
	ok, _ := s.deleteTenant(name)
	return ok
}

// deleteTenant deletes the tenant through the committer, so that the state log keeps the deletion;
// err is the log's when it cannot.
func (s *Server) deleteTenant(name string) (bool, error) {
	if name == "" {
		return false, nil
	}
	t, ok := s.lookup(name)
	if !ok {
		return false, nil
	}
	err := t.commit(func(w *writer) error { w.drop(); return nil })
	if errors.Is(err, errTenantGone) {
		return false, nil
	}
	return err == nil, err
}

// removeTenant takes a dropped tenant out of the server, when its drop commits.
func (s *Server) removeTenant(t *Tenant) {
	s.mu.Lock()
	if s.tenants[t.name] == t {
		delete(s.tenants, t.name)
	}
	s.mu.Unlock()
	t.deleted.Store(true)
	t.journal.reset()
}

// expireIdle deletes the named tenants idle for longer than WithTenantIdleTTL. It runs at most
// once a second (sweepAt), from tenant creation and from requests.
func (s *Server) expireIdle(now time.Time) {
	ttl := s.opts.tenantIdleTTL
	if ttl <= 0 {
		return
	}
	s.mu.Lock()
	s.sweepAt.Store(now.Add(time.Second).UnixNano())
	cutoff := now.Add(-ttl).UnixNano()
	var idle []*Tenant
	for name, t := range s.tenants {
		if name != "" && t.lastUsed.Load() < cutoff {
			idle = append(idle, t)
		}
	}
	s.mu.Unlock()
	for _, t := range idle {
		if ok, err := s.deleteTenant(t.name); ok {
			s.opts.logger.Info("idle tenant deleted", "tenant", t.name, "idle", now.Sub(time.Unix(0, t.lastUsed.Load())).Round(time.Second))
		} else if err != nil {
			s.opts.logger.Error("idle tenant not deleted", "tenant", t.name, "err", err)
		}
	}
}

// touch records that the tenant was used, and sweeps idle tenants when a sweep is due.
func (s *Server) touch(t *Tenant) {
	if s.opts.tenantIdleTTL <= 0 {
		return
	}
	now := s.opts.now()
	t.lastUsed.Store(now.UnixNano())
	if now.UnixNano() >= s.sweepAt.Load() {
		s.expireIdle(now)
	}
}

// Tenants returns every tenant, the default one first, then by name.
func (s *Server) Tenants() []*Tenant {
	s.mu.Lock()
	out := make([]*Tenant, 0, len(s.tenants))
	for _, t := range s.tenants {
		out = append(out, t)
	}
	s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func (s *Server) routes() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.errorHandler
	e.IPExtractor = echo.ExtractIPDirect()
	// Middleware order, outermost first (docs/architecture.md): tenant + journal, body limit,
	// request info, faults, bearer auth, profile normalisation. echo applies group and Use
	// middleware anew on every request (a closure per middleware per request), so the chains
	// are composed once here, at registration.
	s.scimRoutes(e, "/scim/v2")
	s.scimRoutes(e, "/tenants/:tenant/scim/v2")
	s.graphRoutes(e)
	s.adminRoutes(e)
	return e
}

// scimChain composes the SCIM middleware around h once. head serves HEAD with the GET route's
// handler (asGet, discovery.go).
func (s *Server) scimChain(h echo.HandlerFunc, head bool) echo.HandlerFunc {
	rest := s.authenticate(s.normalise(h))
	id := s.routeSeq.Add(1)
	faulted := func(c echo.Context) error { return state(c).tenant.faultChain(id, rest)(c) }
	inner := s.limitBody(s.requestInfo(faulted))
	if head {
		inner = asGet(inner)
	}
	chain := s.enter(inner)
	if s.opts.logger.Enabled(context.Background(), slog.LevelDebug) {
		chain = s.logRequest(chain)
	}
	return s.recoverPanic(chain)
}

// faultChain returns the tenant's fault middleware around rest, built once per route: the
// fault set is per tenant, the rest of the chain per route.
func (t *Tenant) faultChain(route int64, rest echo.HandlerFunc) echo.HandlerFunc {
	if h, ok := t.chains.Load(route); ok {
		return h.(echo.HandlerFunc)
	}
	h, _ := t.chains.LoadOrStore(route, t.faultMW(rest))
	return h.(echo.HandlerFunc)
}

// scimRoutes registers every SCIM route of a tenant base; every GET route answers HEAD too (RFC
// 9110 §9.3.2), and whatever no route serves is answered by fallback (404, 405 or 501).
func (s *Server) scimRoutes(e *echo.Echo, prefix string) {
	// First, so that the routes below take their methods back from it.
	fb := s.scimChain(s.fallback, false)
	e.Any(prefix, fb)
	e.Any(prefix+"/*", fb)
	add := func(method, path string, h echo.HandlerFunc) {
		e.Add(method, prefix+path, s.scimChain(h, false))
		if method == http.MethodGet {
			e.Add(http.MethodHead, prefix+path, s.scimChain(h, true))
		}
	}
	for _, k := range kinds {
		add(http.MethodGet, "/"+k.endpoint, s.list)
		add(http.MethodGet, "/"+k.endpoint+"/:id", s.getOne)
		add(http.MethodPost, "/"+k.endpoint+"/.search", s.search)
		add(http.MethodPost, "/"+k.endpoint, s.create)
		add(http.MethodPut, "/"+k.endpoint+"/:id", s.replace)
		add(http.MethodPatch, "/"+k.endpoint+"/:id", s.patch)
		add(http.MethodDelete, "/"+k.endpoint+"/:id", s.remove)
	}
	s.customRoutes(add) // a tenant's own resource types (customtypes.go)
	add(http.MethodGet, "", s.list)
	add(http.MethodGet, "/", s.list)
	add(http.MethodPost, "/.search", s.search)
	add(http.MethodGet, "/ServiceProviderConfig", s.serviceProviderConfig)
	add(http.MethodGet, "/ResourceTypes", s.resourceTypes)
	add(http.MethodGet, "/ResourceTypes/:id", s.resourceTypes)
	add(http.MethodGet, "/Schemas", s.schemas)
	add(http.MethodGet, "/Schemas/:id", s.schemas)
}

// recoverPanic is a last resort: no known input reaches a panic, and a test fails if one does.
func (s *Server) recoverPanic(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p) // the faults' way of dropping a connection
				}
				s.opts.logger.Error("panic", "method", c.Request().Method, "path", c.Request().URL.Path, "panic", p)
				err = fmt.Errorf("internal error: %v", p)
			}
		}()
		return next(c)
	}
}

// logRequest logs every request at debug level.
func (s *Server) logRequest(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		r := c.Request()
		s.opts.logger.LogAttrs(r.Context(), slog.LevelDebug, "request",
			slog.String("method", r.Method), slog.String("uri", r.RequestURI),
			slog.Int("status", c.Response().Status), slog.Duration("latency", time.Since(start)))
		return nil
	}
}

// reqState is what the middleware chain learns about a SCIM request.
type reqState struct {
	tenant    *Tenant
	kind      *kind  // resource type of the path, nil for other endpoints
	rel       string // path below the tenant's /scim/v2
	base      base
	body      []byte // the body as the client sent it, for the journal and the search request
	search    *searchRequest
	filters   []kindFilter // the parsed filter, per resource type queried
	filterBuf [2]kindFilter
	doc       map[string]any // a POST or PUT body as normalise decoded it; nil if it did not decode
	out       rendered
}

// scimContext is the echo context of a SCIM request: echo's, with the request's state and a
// small store of its own for the values the middleware shares (faults.SetRequestInfo and the
// faults' hits), since echo's allocates a map for every request and takes a lock for every Get.
// enter makes one from a pool for each request, and the state travels in it.
type scimContext struct {
	echo.Context
	st   reqState
	keys [4]string
	vals [4]any
	n    int
}

var scimContexts = sync.Pool{New: func() any { return &scimContext{} }}

func (c *scimContext) Get(key string) any {
	for i := range c.n {
		if c.keys[i] == key {
			return c.vals[i]
		}
	}
	return c.Context.Get(key)
}

func (c *scimContext) Set(key string, val any) {
	for i := range c.n {
		if c.keys[i] == key {
			c.vals[i] = val
			return
		}
	}
	if c.n < len(c.keys) {
		c.keys[c.n], c.vals[c.n] = key, val
		c.n++
		return
	}
	c.Context.Set(key, val)
}

func (c *scimContext) release() {
	c.Context = nil
	c.st = reqState{}
	clear(c.vals[:c.n])
	c.n = 0
	scimContexts.Put(c)
}

func state(c echo.Context) *reqState {
	if sc, ok := c.(*scimContext); ok {
		return &sc.st
	}
	return &reqState{} // not reached: every SCIM route starts with enter
}

// enter resolves the tenant, numbers the request (X-Request-Id, per tenant), records it in the
// tenant's journal once answered, and renders a returned error itself so that the journal sees
// the final status.
func (s *Server) enter(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		t := s.def
		r := c.Request()
		if name := c.Param("tenant"); name != "" {
			if !ValidTenantName(name) {
				return scimErr(http.StatusNotFound, "", "no tenant %q: names are 1 to 64 letters, digits, '.', '_' and '-'", name)
			}
			var ok bool
			if t, ok = s.lookup(name); !ok {
				// A tenant is created on first use only by a request that carries the token
				// it will require: an anonymous client creates nothing (and is not journaled,
				// since there is no tenant to journal it in).
				if !bearerMatches(r, s.opts.newTenantToken()) {
					c.Response().Header().Set("WWW-Authenticate", `Bearer realm="scimsim"`)
					return scimErr(http.StatusUnauthorized, "", "missing or invalid bearer token")
				}
				var err error
				if t, err = s.tenant(name, true); err != nil {
					return scimErr(http.StatusNotFound, "", "no tenant %q: %v", name, err)
				}
			}
			if err := t.claim(KindSCIM); err != nil {
				return scimErr(http.StatusNotFound, "", "%v", err)
			}
		}
		s.touch(t)
		prefix := t.SCIMPath()
		rel := ""
		if len(r.URL.Path) > len(prefix) {
			rel = r.URL.Path[len(prefix):]
		}
		sc := scimContexts.Get().(*scimContext)
		sc.Context = c
		sc.st = reqState{tenant: t, rel: rel, base: t.baseFor(c.Scheme(), r.Host)}
		st := &sc.st
		if seg, _, _ := strings.Cut(strings.TrimPrefix(rel, "/"), "/"); seg != "" {
			st.kind = t.kindByEndpoint(seg)
		}
		id := t.journal.ids.Add(1)
		c.Response().Header()["X-Request-Id"] = []string{strconv.FormatInt(id, 10)}
		start := time.Now()
		record := func(status int) {
			body, cut := journalBody(st.body, t.authorized(r))
			e := JournalEntry{
				ID:         id,
				Time:       start.UTC(),
				Method:     r.Method,
				Path:       r.URL.Path,
				Query:      journalQuery(r.URL.RawQuery),
				Status:     status,
				Truncated:  cut,
				Fault:      faults.HitBy(sc),
				DurationMs: float64(time.Since(start).Microseconds()) / 1000,
			}
			t.journal.add(journalRecord{body: body, entry: e})
			s.metrics.observe(t, st.rel, e)
		}
		defer func() {
			// A handler that aborts the connection (http.ErrAbortHandler) answered nothing:
			// status 0. Any other panic becomes a 500 in recoverPanic.
			if p := recover(); p != nil {
				status := http.StatusInternalServerError
				if p == http.ErrAbortHandler {
					status = 0
				}
				record(status)
				panic(p) // sc is not released: whatever recovers may still hold it
			}
		}()
		if err := next(sc); err != nil {
			c.Error(err)
		}
		record(c.Response().Status)
		sc.release()
		return nil
	}
}

// baseFor returns the tenant's absolute SCIM base URL for a request, reusing the last one built:
// a tenant is normally reached under one host name.
func (t *Tenant) baseFor(scheme, host string) base {
	if b := t.lastBase.Load(); b != nil && b.scheme == scheme && b.host == host {
		return b.base
	}
	b := &cachedBase{scheme: scheme, host: host, base: newBase(scheme + "://" + host + t.SCIMPath())}
	t.lastBase.Store(b)
	return b.base
}

type cachedBase struct {
	scheme, host string
	base         base
}

// limitBody reads a request body once, through http.MaxBytesReader so that a chunked body over
// the limit is a 413 too (elimity ignores read errors and would answer 400).
func (s *Server) limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		body, err := readBody(c, s.opts.maxBody)
		if err != nil {
			return err
		}
		// encoding/json would read invalid UTF-8 as U+FFFD and store a name the client never
		// sent; JSON between systems MUST be UTF-8 (RFC 8259 §8.1).
		if !utf8.Valid(body) {
			return invalidSyntax("request body is not valid UTF-8")
		}
		state(c).body = body
		return next(c)
	}
}

func readBody(c echo.Context, max int64) ([]byte, error) {
	r := c.Request()
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	tooLarge := func() error {
		return scimErr(http.StatusRequestEntityTooLarge, "", "request body exceeds %d bytes", max)
	}
	if r.ContentLength > max {
		return nil, tooLarge()
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), r.Body, max))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tooLarge()
		}
		return nil, invalidSyntax("reading the request body: %v", err)
	}
	r.Body = newSentBody(body)
	return body, nil
}

// sentBody is a request body already read into memory. Middleware after the faults takes the
// bytes back from it without a copy (currentBody) when no fault replaced or read the body.
type sentBody struct {
	bytes.Reader
	raw []byte
}

func newSentBody(b []byte) *sentBody {
	sb := &sentBody{raw: b}
	sb.Reset(b)
	return sb
}

func (*sentBody) Close() error { return nil }

// currentBody returns the body the request holds now, which is what the faults left of the one
// the client sent: drop_attribute, for one, replaces the body with one that lacks the dropped
// attributes. nil means the request has no body.
func currentBody(r *http.Request) ([]byte, error) {
	switch b := r.Body.(type) {
	case nil:
		return nil, nil
	case *sentBody:
		if b.Len() == len(b.raw) {
			return b.raw, nil
		}
	}
	if r.Body == http.NoBody {
		return nil, nil
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, invalidSyntax("reading the request body: %v", err)
	}
	r.Body = newSentBody(body) // readable again by whatever comes next
	return body, nil
}

// authenticate requires the tenant's bearer token, or its user name and password (RFC 6750 §3,
// RFC 7617 §2: 401 with WWW-Authenticate).
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		t := state(c).tenant
		if !t.authorized(c.Request()) {
			challenge := t.challenge()
			c.Response().Header().Set("WWW-Authenticate", challenge)
			if strings.HasPrefix(challenge, "Basic") {
				return scimErr(http.StatusUnauthorized, "", "missing or invalid user name or password")
			}
			return scimErr(http.StatusUnauthorized, "", "missing or invalid bearer token")
		}
		return next(c)
	}
}

// credentialMatches compares the request's credentials with the tenant's: a bearer token, or,
// for a credential made by BasicCredential, the Basic Authorization header; in constant time.
func credentialMatches(r *http.Request, cred string) bool {
	if !strings.HasPrefix(cred, basicPrefix) {
		return bearerMatches(r, cred)
	}
	scheme, got, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(cred[len(basicPrefix):])) == 1
}

// bearerMatches compares the request's bearer token with token in constant time; an empty token
// accepts every request.
func bearerMatches(r *http.Request, token string) bool {
	if token == "" {
		return true
	}
	h := r.Header.Get("Authorization")
	scheme, got, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(token)) == 1
}

// normalise applies the tenant's profile to POST, PUT and PATCH bodies of Users and Groups. It
// reads the body the request holds when it runs, after the faults, not the one limitBody kept
// for the journal: a fault may have rewritten it. A POST or PUT body is decoded here once, for
// the handler (reqState.doc); a PATCH body is rewritten in place.
func (s *Server) normalise(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		st := state(c)
		r := c.Request()
		switch r.Method {
		case http.MethodPost, http.MethodPut, http.MethodPatch:
		default:
			return next(c)
		}
		if st.kind == nil || strings.HasSuffix(st.rel, "/.search") {
			return next(c)
		}
		sent, err := currentBody(r)
		if err != nil {
			return err
		}
		if sent == nil {
			return next(c)
		}
		if r.Method != http.MethodPatch {
			if st.doc, err = prepareResource(st.kind, sent, st.tenant.Profile()); err != nil {
				return err
			}
			return next(c)
		}
		body, _, err := preparePatch(st.kind, sent, st.tenant.Profile())
		if err != nil {
			return err
		}
		r.Body = newSentBody(body)
		r.ContentLength = int64(len(body))
		return next(c)
	}
}

// errorHandler renders every error: SCIM paths answer an RFC 7644 §3.12 error, admin paths
// {"error","status"}.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, detail := http.StatusInternalServerError, err.Error()
	var se scimerrors.ScimError
	var he *echo.HTTPError
	switch {
	case errors.As(err, &se):
		status, detail = se.Status, se.Detail
	case errors.As(err, &he):
		status = he.Code
		detail = fmt.Sprint(he.Message)
		if errors.Is(err, echo.ErrNotFound) { // the router's "no route", not a handler's 404
			detail = "Specified endpoint does not exist."
		}
	}
	if status >= 500 {
		s.opts.logger.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
	}
	if strings.HasPrefix(c.Request().URL.Path, "/admin") {
		_ = c.JSON(status, adminError{Error: detail, Status: status})
		return
	}
	if se.Status == 0 {
		se = scimerrors.ScimError{Status: status, Detail: detail}
	}
	b, mErr := json.Marshal(se)
	if mErr != nil {
		b = []byte(`{"schemas":["` + errorURN + `"],"status":"500"}`)
	}
	_ = c.Blob(status, scimContentType, b)
}

type adminError struct {
	Error  string `json:"error"`
	Status int    `json:"status"`
}
