// The SCIM middleware, outermost first, and the chain that composes it once per route: panic
// recovery, the debug log, enter (tenant, request state, journal), limitBody, requestInfo (the
// filter and what the faults may match on), the tenant's faults (simulator/faults),
// authenticate and the profile's normalise. They sit together so that one request can be
// followed from the socket to the handler in one file; the order is the one
// docs/architecture.md describes.

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
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/scimsim/scimsim/simulator/faults"
)

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
	prepared  *preparedDoc   // or a POST body as prepareCreate read it, for create
	query     queryParams    // the query's parameters, parsed on the first read (params.go)
	plainBody bool           // body names no secret: the journal keeps it as it is (decodeBody)
	auth      authResult     // whether the request carried the tenant's credential, once checked
	out       rendered
	info      faults.RequestInfo // what the faults match on (requestInfo), held here for the context
	// headerVals holds the values of the response headers set so far (setHeader), in an array
	// made for this request alone: the response's header map refers to it after the request.
	headerVals []string
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
			var ok bool
			// Only a new name is checked: HTTP creates tenants under valid names only (a Go
			// caller, trusted, may have made others, and reaches them here too).
			if t, ok = s.lookup(name); !ok {
				if !ValidTenantName(name) {
					return scimErr(http.StatusNotFound, "", "no tenant %q: names are 1 to 64 letters, digits, '.', '_' and '-'", name)
				}
				// A tenant is created on first use only by a request that carries the token
				// it will require: an anonymous client creates nothing (and is not journaled,
				// since there is no tenant to journal it in).
				if cred := s.opts.newTenantToken(); !credentialMatches(r, cred) {
					return unauthorized(c, cred)
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
		sc.st = reqState{tenant: t, rel: rel, base: t.baseFor(scheme(c), r.Host)}
		st := &sc.st
		if seg, _, _ := strings.Cut(strings.TrimPrefix(rel, "/"), "/"); seg != "" {
			st.kind = t.kindByEndpoint(seg)
		}
		id := t.journal.ids.Add(1)
		// X-Request-Id's value begins an array that rendered.write fills with the others.
		st.headerVals = setHeader(c.Response().Header(), "X-Request-Id", strconv.FormatInt(id, 10), make([]string, 0, 4))
		start := time.Now()
		defer s.recordPanic(sc, r, id, start)
		if err := next(sc); err != nil {
			c.Error(err)
		}
		s.recordRequest(sc, r, id, start, c.Response().Status)
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
	body, err := readAll(http.MaxBytesReader(c.Response(), r.Body, max), r.ContentLength)
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

// readAll is io.ReadAll for a body that says it has size bytes (unknown when not above 0): it
// reads into one buffer of that size (and one byte more, to see the end without growing), where
// io.ReadAll starts at 512 bytes and grows, which cost most bodies a second allocation and a
// copy, and left the journal, which keeps the body, holding unused capacity. The buffer made
// before a byte has arrived is at most presizeLimit, so that a client that only claims a large
// body does not make the server allocate it.
func readAll(r io.Reader, size int64) ([]byte, error) {
	if size <= 0 {
		return io.ReadAll(r)
	}
	b := make([]byte, 0, min(size, presizeLimit)+1)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // longer than it said: grow as io.ReadAll does
		}
	}
}

const presizeLimit = 64 << 10

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

// requestInfo parses the request's filter once (cached) and tells the faults what it touches.
func (s *Server) requestInfo(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		st := state(c)
		r := c.Request()
		src := ""
		isSearch := r.Method == http.MethodPost && strings.HasSuffix(st.rel, "/.search")
		isList := r.Method == http.MethodGet && (st.rel == "" || st.rel == "/" || (st.kind != nil && st.rel == "/"+st.kind.endpoint))
		if isSearch {
			sr := &searchRequest{}
			if err := json.Unmarshal(st.body, sr); err != nil {
				return invalidSyntax("search request: %v", err)
			}
			st.search = sr
			src = sr.Filter
		} else if isList {
			src = c.QueryParam("filter")
		}
		info := faults.RequestInfo{Tenant: st.tenant.name}
		if seg, _, _ := strings.Cut(strings.TrimPrefix(st.rel, "/"), "/"); seg != "" && seg != ".search" {
			info.Resource = seg
		}
		if strings.TrimSpace(src) != "" {
			entra := st.tenant.entra()
			st.filters = st.filterBuf[:0]
			for i, k := range st.queried() {
				pf := s.filters.get(k, entra, src)
				st.filters = append(st.filters, kindFilter{k: k, f: pf})
				if i == 0 {
					info.FilterAttributes = pf.attrs // shared and never modified
				} else {
					info.FilterAttributes = appendNew(slices.Clip(info.FilterAttributes), pf.attrs)
				}
			}
		}
		st.info = info
		faults.SetRequestInfoAt(c, &st.info)
		return next(c)
	}
}

func appendNew(dst, src []string) []string {
	for _, s := range src {
		found := false
		for _, d := range dst {
			if strings.EqualFold(d, s) {
				found = true
				break
			}
		}
		if !found {
			dst = append(dst, s)
		}
	}
	return dst
}

// RFC 7617 §2: 401 with WWW-Authenticate).
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		st := state(c)
		if !st.authorized(c.Request()) {
			return unauthorized(c, st.tenant.cfg.Load().token)
		}
		return next(c)
	}
}

// authResult is a request's credential check: not made yet, or its answer.
type authResult uint8

const (
	authUnchecked authResult = iota
	authGranted
	authRefused
)

// authorized reports whether r carries the tenant's credential, checked once per request: the
// chain asks before the handler, the journal again when it decides to keep the body.
func (st *reqState) authorized(r *http.Request) bool {
	if st.auth == authUnchecked {
		st.auth = authRefused
		if st.tenant.authorized(r) {
			st.auth = authGranted
		}
	}
	return st.auth == authGranted
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
// the handler (reqState.doc), or, for a user's POST under the entra profile, read straight into
// its stored document when prepareCreate can (reqState.prepared); a PATCH body is rewritten in
// place.
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
			var plain bool
			var ok bool
			if r.Method == http.MethodPost && st.tenant.Profile() == ProfileEntra {
				if st.prepared, ok = prepareCreate(st.kind, sent); ok {
					plain = st.prepared.plain
				}
			}
			if !ok {
				if st.doc, plain, err = prepareResource(st.kind, sent, st.tenant.Profile()); err != nil {
					return err
				}
			}
			st.plainBody = plain && bytes.Equal(sent, st.body) // what the journal keeps is what was decoded
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
