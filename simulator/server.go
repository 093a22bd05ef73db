package simulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/labstack/echo/v4"

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
		b = []byte(`{"schemas":["` + wire.ErrorSchema + `"],"status":"500"}`)
	}
	_ = c.Blob(status, scimContentType, b)
}

type adminError struct {
	Error  string `json:"error"`
	Status int    `json:"status"`
}
