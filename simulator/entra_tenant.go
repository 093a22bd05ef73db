package simulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/labstack/echo/v4"

	"github.com/scimsim/scimsim/simulator/faults"
	"github.com/scimsim/scimsim/simulator/graph"
)

// GraphBase is the path of a tenant's Microsoft Graph API, below /tenants/NAME.
const GraphBase = "/graph/v1.0"

// Kind returns what the tenant simulates. A tenant is of the kind it was first used as (a SCIM
// request, a Graph request) or set to (SetKind); one never used is a SCIM tenant.
func (t *Tenant) Kind() Kind {
	if k := t.kind.Load(); k != nil {
		return *k
	}
	return KindSCIM
}

// SetKind makes the tenant a SCIM or an Entra tenant. A tenant that holds resources of the other
// kind keeps its kind and the error says what it holds.
func (t *Tenant) SetKind(k Kind) error {
	if t.name == "" && k != KindSCIM {
		return errors.New("the default tenant is a SCIM tenant: name a tenant to make it an Entra tenant")
	}
	if cur := t.Kind(); cur != k {
		if n := t.Users() + t.Groups(); n > 0 {
			return fmt.Errorf("tenant %q is a %s tenant holding %d users and groups: reset it before making it an %s tenant", t.name, cur, n, k)
		}
		if d := t.dir.Load(); d != nil {
			if live, del := d.Counts(); live+del > 0 {
				return fmt.Errorf("tenant %q is an %s tenant holding %d users: reset it before making it a %s tenant", t.name, cur, live+del, k)
			}
		}
	}
	t.kind.Store(&k)
	return nil
}

// claim makes a tenant never used the kind k, and refuses a request of kind k on a tenant of the
// other kind with an error that names both, so that a SCIM client pointed at an Entra tenant (or
// the reverse) learns what it reached.
func (t *Tenant) claim(k Kind) error {
	t.kind.CompareAndSwap(nil, &k)
	if cur := t.Kind(); cur != k {
		if cur == KindEntra {
			return fmt.Errorf("tenant %q is an Entra tenant (kind entra), not a SCIM application: its API is Microsoft Graph at %s", t.name, t.GraphPath())
		}
		return fmt.Errorf("tenant %q is a SCIM tenant (kind scim), not an Entra tenant: its API is SCIM at %s", t.name, t.SCIMPath())
	}
	return nil
}

// GraphPath returns the tenant's Microsoft Graph base path, /tenants/NAME/graph/v1.0.
func (t *Tenant) GraphPath() string { return "/tenants/" + t.name + GraphBase }

// Directory returns the tenant's Entra directory (users, deleted items, cross-tenant access
// settings), created on first use. Its tenant id and the ids of its objects come from the server's
// seed and the tenant's name, so that a run replays; its initial domain is NAME.onmicrosoft.com.
func (t *Tenant) Directory() *graph.Directory {
	if d := t.dir.Load(); d != nil {
		return d
	}
	d := graph.New(graph.Options{
		TenantID: newIDGenerator(t.srv.opts.seed, "tenant-id:"+t.name).next(),
		Domain:   strings.ToLower(t.name) + ".onmicrosoft.com",
		NewID:    t.ids.next,
		Now:      t.srv.opts.now,
	})
	if t.dir.CompareAndSwap(nil, d) {
		return d
	}
	return t.dir.Load()
}

// resetDirectory empties the tenant's directory, when it has one.
func (t *Tenant) resetDirectory() {
	if d := t.dir.Load(); d != nil {
		d.Reset()
	}
}

// graphRoutes serves every tenant's Microsoft Graph API. The chain is the SCIM chain's (tenant and
// journal, body limit, request info, the tenant's faults, bearer authentication) with Graph's error
// shape: an error from the chain, and a SCIM error a fault wrote, reach the client as
// {"error": {"code", "message"}}.
func (s *Server) graphRoutes(e *echo.Echo) {
	rest := s.graphAuth(s.serveDirectory)
	id := s.routeSeq.Add(1)
	faulted := func(c echo.Context) error { return state(c).tenant.faultChain(id, rest)(c) }
	chain := s.graphEnter(s.limitBody(s.graphInfo(faulted)))
	if s.opts.logger.Enabled(context.Background(), slog.LevelDebug) {
		chain = s.logRequest(chain)
	}
	h := s.recoverPanic(chain)
	e.Any("/tenants/:tenant"+GraphBase, h)
	e.Any("/tenants/:tenant"+GraphBase+"/*", h)
}

// graphEnter resolves the tenant (an Entra tenant: one never used becomes one), numbers and
// journals the request as enter does for SCIM, and renders errors as Graph does.
func (s *Server) graphEnter(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		name := c.Param("tenant")
		start := time.Now()
		gw := &graphWriter{ResponseWriter: c.Response().Writer}
		c.Response().Writer = gw
		reqID := ""
		var t *Tenant
		fail := func(err error) {
			status, msg := http.StatusInternalServerError, err.Error()
			var ge *graph.Error
			var se scimerrors.ScimError
			var he *echo.HTTPError
			switch {
			case errors.As(err, &ge):
				graph.WriteError(gw, ge, time.Now(), reqID)
				return
			case errors.As(err, &se):
				status, msg = se.Status, se.Detail
			case errors.As(err, &he):
				status, msg = he.Code, fmt.Sprint(he.Message)
			}
			graph.WriteError(gw, &graph.Error{Status: status, Code: graphCode(status), Message: msg}, time.Now(), reqID)
		}
		if !ValidTenantName(name) {
			fail(&graph.Error{Status: http.StatusNotFound, Code: graph.CodeNotFound, Message: fmt.Sprintf("no tenant %q: names are letters, digits, '.', '_' and '-'", name)})
			gw.finish()
			return nil
		}
		var ok bool
		if t, ok = s.lookup(name); !ok {
			// As for a SCIM tenant: created on first use only by a request that carries the
			// token it will require.
			if !bearerMatches(r, s.opts.newTenantToken()) {
				c.Response().Header().Set("WWW-Authenticate", `Bearer realm="scimsim"`)
				fail(&graph.Error{Status: http.StatusUnauthorized, Code: graph.CodeUnauthorized, Message: "missing or invalid bearer token"})
				gw.finish()
				return nil
			}
			var err error
			if t, err = s.tenant(name, true); err != nil {
				fail(&graph.Error{Status: http.StatusNotFound, Code: graph.CodeNotFound, Message: fmt.Sprintf("no tenant %q: %v", name, err)})
				gw.finish()
				return nil
			}
		}
		s.touch(t)
		id := t.journal.ids.Add(1)
		reqID = strconv.FormatInt(id, 10)
		c.Response().Header()["X-Request-Id"] = []string{reqID}
		sc := scimContexts.Get().(*scimContext)
		sc.Context = c
		sc.st = reqState{tenant: t, rel: strings.TrimPrefix(r.URL.Path, t.GraphPath())}
		defer s.recordPanic(sc, r, id, start)
		if err := t.claim(KindEntra); err != nil {
			fail(&graph.Error{Status: http.StatusNotFound, Code: graph.CodeNotFound, Message: err.Error()})
		} else if err := next(sc); err != nil {
			fail(err)
		}
		gw.finish()
		s.recordRequest(sc, r, id, start, c.Response().Status)
		sc.release()
		return nil
	}
}

// graphCode is the Graph error code of a status the chain answers itself.
func graphCode(status int) string {
	switch status {
	case http.StatusUnauthorized:
		return graph.CodeUnauthorized
	case http.StatusForbidden:
		return graph.CodeForbidden
	case http.StatusNotFound:
		return graph.CodeNotFound
	case http.StatusTooManyRequests:
		return "TooManyRequests"
	case http.StatusRequestEntityTooLarge:
		return "RequestEntityTooLarge"
	}
	if status >= 500 {
		return "ServiceNotAvailable"
	}
	return graph.CodeBadRequest
}

// graphInfo tells the faults what the request is: the tenant and, as its resource, the first
// segment below the Graph base ("users", "policies", "directory", "organization").
func (s *Server) graphInfo(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		st := state(c)
		seg, _, _ := strings.Cut(strings.TrimPrefix(st.rel, "/"), "/")
		faults.SetRequestInfo(c, faults.RequestInfo{Tenant: st.tenant.name, Resource: seg})
		return next(c)
	}
}

// graphAuth requires the tenant's bearer token, answering as Graph does for a missing or invalid
// one (401 InvalidAuthenticationToken).
func (s *Server) graphAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !state(c).authorized(c.Request()) {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="scimsim"`)
			return &graph.Error{Status: http.StatusUnauthorized, Code: graph.CodeUnauthorized, Message: "Access token validation failure. Invalid audience."}
		}
		return next(c)
	}
}

// serveDirectory hands the request to the tenant's directory, with the path below the Graph base.
func (s *Server) serveDirectory(c echo.Context) error {
	st := state(c)
	r := c.Request()
	body, err := currentBody(r)
	if err != nil {
		return err
	}
	r2 := r.Clone(r.Context())
	u := *r.URL
	u.Path, u.RawPath = st.rel, ""
	if u.Path == "" {
		u.Path = "/"
	}
	r2.URL = &u
	r2.Body = newSentBody(body)
	st.tenant.Directory().ServeHTTP(c.Response(), r2)
	return nil
}

// graphWriter turns the SCIM error a fault writes (application/scim+json, RFC 7644 Section 3.12)
// into Graph's error shape, keeping its status, headers (Retry-After, WWW-Authenticate) and detail;
// every other answer passes through. It unwraps for http.ResponseController, so that the faults
// that take the connection over (timeout, connection_reset) still can.
type graphWriter struct {
	http.ResponseWriter
	status int
	held   *bytes.Buffer
}

func (w *graphWriter) WriteHeader(code int) {
	if w.status != 0 {
		return
	}
	w.status = code
	if code >= 400 && strings.HasPrefix(w.Header().Get("Content-Type"), scimContentType) {
		w.held = &bytes.Buffer{}
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *graphWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.held != nil {
		return w.held.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

func (w *graphWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush passes through unless an error is held.
func (w *graphWriter) Flush() {
	if w.held == nil {
		_ = http.NewResponseController(w.ResponseWriter).Flush()
	}
}

// finish writes a held SCIM error as a Graph error.
func (w *graphWriter) finish() {
	if w.held == nil {
		return
	}
	var se struct {
		Detail string `json:"detail"`
	}
	_ = json.Unmarshal(w.held.Bytes(), &se)
	held := w.held
	w.held = nil
	msg := se.Detail
	if msg == "" {
		msg = strings.TrimSpace(held.String())
	}
	w.Header().Del("Content-Length")
	w.Header().Set("Content-Type", graph.ContentType)
	w.ResponseWriter.WriteHeader(w.status)
	_, _ = w.ResponseWriter.Write((&graph.Error{Status: w.status, Code: graphCode(w.status), Message: msg}).Body(time.Now(), w.Header().Get("X-Request-Id")))
}

// adminSeedDirectory is POST /admin/seed for an Entra tenant: a graph.Seed (users, deletedUsers,
// partners, authorizationPolicy) stored in its directory.
func (s *Server) adminSeedDirectory(c echo.Context, t *Tenant) error {
	var data graph.Seed
	if err := s.adminBody(c, DefaultSeedBody, &data); err != nil {
		return err
	}
	if err := t.Directory().Seed(data); err != nil {
		return adminErr(http.StatusBadRequest, "seed: %v", err)
	}
	return c.JSON(http.StatusOK, SeedResult{Users: len(data.Users) + len(data.DeletedUsers)})
}
