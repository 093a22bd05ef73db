package simulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/labstack/echo/v4"

	"github.com/scimsim/scimsim/internal/decode"
	"github.com/scimsim/scimsim/simulator/faults"
)

// SeedResult is the answer of POST /admin/seed.
type SeedResult struct {
	Users  int `json:"users"`
	Groups int `json:"groups"`
	// Resources counts the resources of the tenant's own resource types, by endpoint.
	Resources map[string]int `json:"resources,omitempty"`
}

// SeedData is the body of POST /admin/seed and the content of a --seed-data file.
type SeedData struct {
	Users  []map[string]any `json:"users" yaml:"users"`
	Groups []map[string]any `json:"groups" yaml:"groups"`
}

// TenantInfo is one entry of GET /admin/tenants; the token itself is never shown.
type TenantInfo struct {
	Name     string  `json:"name"`
	Profile  Profile `json:"profile"`
	HasToken bool    `json:"hasToken"`
	Users    int     `json:"users"`
	Groups   int     `json:"groups"`
	Faults   int     `json:"faults"`
	SCIMPath string  `json:"scimPath"`
	// Kind is scim or entra; an Entra tenant lists its Graph path and, under users, the users of
	// its directory (deletedUsers: those in its deleted items).
	Kind         Kind   `json:"kind"`
	GraphPath    string `json:"graphPath,omitempty"`
	DeletedUsers int    `json:"deletedUsers,omitempty"`
	TenantID     string `json:"tenantId,omitempty"`
}

// adminRoutes lists the whole admin API in one place, like toxiproxy's. ?tenant=NAME selects a
// tenant, the default tenant otherwise.
func (s *Server) adminRoutes(e *echo.Echo) {
	add := func(method, path string, h echo.HandlerFunc) {
		e.Add(method, "/admin"+path, s.recoverPanic(s.adminAuth(h)))
	}
	add(http.MethodGet, "/health", s.adminHealth)
	add(http.MethodGet, "/faults", s.adminFaults)
	add(http.MethodPost, "/faults", s.adminAddFault)
	add(http.MethodDelete, "/faults", s.adminClearFaults)
	add(http.MethodGet, "/faults/:name", s.adminGetFault)
	add(http.MethodPatch, "/faults/:name", s.adminUpdateFault)
	add(http.MethodDelete, "/faults/:name", s.adminDeleteFault)
	add(http.MethodGet, "/requests", s.adminRequests)
	add(http.MethodPost, "/reset", s.adminReset)
	add(http.MethodPost, "/seed", s.adminSeed)
	add(http.MethodGet, "/tenants", s.adminTenants)
	add(http.MethodPut, "/tenants/:name", s.adminPutTenant)
	add(http.MethodDelete, "/tenants/:name", s.adminDeleteTenant)
	add(http.MethodPut, "/tenants/:name/schemas", s.adminPutSchemas) // customkinds.go
	add(http.MethodGet, "/tenants/:name/schemas", s.adminGetSchemas)
	e.Add(http.MethodGet, "/metrics", s.recoverPanic(s.adminAuth(s.metrics.handler())))
	// Unknown admin routes answer in the admin API's shape, behind its authentication.
	e.Any("/admin/*", s.recoverPanic(s.adminAuth(func(echo.Context) error { return echo.ErrNotFound })))
}

func adminErr(status int, format string, args ...any) error {
	return echo.NewHTTPError(status, fmt.Sprintf(format, args...))
}

// adminAuth requires the admin token when one is set (always, off loopback: see the command).
func (s *Server) adminAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !bearerMatches(c.Request(), s.opts.adminToken) {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="scimsim-admin"`)
			return adminErr(http.StatusUnauthorized, "missing or invalid admin token")
		}
		return next(c)
	}
}

// tenantParam returns the tenant ?tenant= names. A read (create false) of a tenant that does not
// exist is 404 and creates nothing; a write that configures one (a fault, a seed) creates it,
// up to WithMaxTenants.
func (s *Server) tenantParam(c echo.Context, create bool) (*Tenant, error) {
	name := c.QueryParam("tenant")
	if name == "" {
		return s.def, nil
	}
	if !ValidTenantName(name) {
		return nil, badTenantName(name)
	}
	if !create {
		t, ok := s.lookup(name)
		if !ok {
			return nil, adminErr(http.StatusNotFound, "no tenant %q", name)
		}
		s.touch(t)
		return t, nil
	}
	t, err := s.tenant(name, true)
	if err != nil {
		return nil, adminErr(http.StatusBadRequest, "tenant %q: %v", name, err)
	}
	s.touch(t)
	return t, nil
}

// adminBody decodes a JSON body into v (a struct) with internal/decode, the reader of the
// --faults and --seed-data files: a key v does not have is an error that names it, where it is
// and the closest known key.
func (s *Server) adminBody(c echo.Context, max int64, v any) error {
	body, err := readBody(c, max)
	if err != nil {
		return adminErr(http.StatusRequestEntityTooLarge, "request body exceeds %d bytes", max)
	}
	if err := decode.JSON("body", body, v); err != nil {
		return adminErr(http.StatusBadRequest, "%v", err)
	}
	return nil
}

// faultBody decodes a fault spec over spec with the --faults loader's checks.
func (s *Server) faultBody(c echo.Context, spec *faults.Spec) error {
	body, err := readBody(c, DefaultMaxBody)
	if err != nil {
		return adminErr(http.StatusRequestEntityTooLarge, "request body exceeds %d bytes", DefaultMaxBody)
	}
	if err := faults.DecodeSpec(body, spec); err != nil {
		return adminErr(http.StatusBadRequest, "%v", err)
	}
	return nil
}

// adminHealth answers 200 when the server serves and keeps its state, and 503 with the reason
// when a state file is attached that cannot be written.
func (s *Server) adminHealth(c echo.Context) error {
	if sf := s.state.Load(); sf != nil {
		if err := sf.Err(); err != nil {
			return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unhealthy", "error": "state file " + sf.Path() + ": " + err.Error()})
		}
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// adminStoreErr is the admin API's answer to a change the store refused: 503 with the reason
// when the state cannot be saved, 404 for a tenant deleted meanwhile.
func adminStoreErr(err error) error {
	var se scimerrors.ScimError
	switch {
	case errors.As(err, &se):
		return adminErr(se.Status, "%s", se.Detail)
	case errors.Is(err, errTenantGone):
		return adminErr(http.StatusNotFound, "%v", err)
	}
	return err
}

func (s *Server) adminFaults(c echo.Context) error {
	t, err := s.tenantParam(c, false)
	if err != nil {
		return err
	}
	list := t.faults.List()
	if list == nil {
		list = []faults.Spec{}
	}
	return c.JSON(http.StatusOK, list)
}

func (s *Server) adminAddFault(c echo.Context) error {
	t, err := s.tenantParam(c, true)
	if err != nil {
		return err
	}
	var spec faults.Spec
	if err := s.faultBody(c, &spec); err != nil {
		return err
	}
	stored, err := t.faults.Add(spec)
	if err != nil {
		return faultError(err)
	}
	return c.JSON(http.StatusCreated, stored)
}

// faultError maps an error of the tenant's fault set to the admin API's status: a name already
// taken is 409, a name no fault has is 404 (as toxiproxy answers for toxics), anything else is a
// spec the set rejected, 400.
func faultError(err error) error {
	switch {
	case errors.Is(err, faults.ErrExists):
		return adminErr(http.StatusConflict, "%v", err)
	case errors.Is(err, faults.ErrNotFound):
		return adminErr(http.StatusNotFound, "%v", err)
	}
	return adminErr(http.StatusBadRequest, "%v", err)
}

func (s *Server) adminClearFaults(c echo.Context) error {
	return s.adminClear(c, func(t *Tenant) error { t.faults.Clear(); return nil })
}

// adminClear empties the tenant the request names with clear and answers 204; a tenant that does
// not exist has nothing to clear, so it is a 204 too, and none is created.
func (s *Server) adminClear(c echo.Context, clear func(*Tenant) error) error {
	t, err := s.tenantParam(c, false)
	var he *echo.HTTPError
	if errors.As(err, &he) && he.Code == http.StatusNotFound {
		return c.NoContent(http.StatusNoContent)
	}
	if err != nil {
		return err
	}
	if err := clear(t); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// noFault is the admin API's 404 for a fault name the tenant's set does not hold.
func noFault(name string) error { return adminErr(http.StatusNotFound, "no fault %q", name) }

func (s *Server) adminGetFault(c echo.Context) error {
	t, err := s.tenantParam(c, false)
	if err != nil {
		return err
	}
	spec, ok := t.faults.Get(c.Param("name"))
	if !ok {
		return noFault(c.Param("name"))
	}
	return c.JSON(http.StatusOK, spec)
}

// adminUpdateFault merges the body into the stored fault: fields not given keep their value.
func (s *Server) adminUpdateFault(c echo.Context) error {
	t, err := s.tenantParam(c, false)
	if err != nil {
		return err
	}
	name := c.Param("name")
	spec, ok := t.faults.Get(name)
	if !ok {
		return noFault(name)
	}
	if err := s.faultBody(c, &spec); err != nil {
		return err
	}
	stored, err := t.faults.Update(name, spec)
	if err != nil {
		return faultError(err)
	}
	return c.JSON(http.StatusOK, stored)
}

func (s *Server) adminDeleteFault(c echo.Context) error {
	t, err := s.tenantParam(c, false)
	if err != nil {
		return err
	}
	if !t.faults.Delete(c.Param("name")) {
		return noFault(c.Param("name"))
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) adminRequests(c echo.Context) error {
	t, err := s.tenantParam(c, false)
	if err != nil {
		return err
	}
	if c.QueryParam("format") == "har" {
		return writeHAR(c, t) // har.go
	}
	return c.JSON(http.StatusOK, t.journal.list())
}

func (s *Server) adminReset(c echo.Context) error {
	return s.adminClear(c, func(t *Tenant) error { return adminStoreErr(t.reset()) })
}

func (s *Server) adminSeed(c echo.Context) error {
	t, err := s.tenantParam(c, true)
	if err != nil {
		return err
	}
	if t.Kind() == KindEntra {
		return s.adminSeedDirectory(c, t)
	}
	if r := c.Request(); r.ContentLength > seedTightSize || r.ContentLength < 0 {
		defer tightGC()()
	}
	res, err := s.seedStream(c, t)
	if err != nil {
		var he *echo.HTTPError
		var se scimerrors.ScimError
		switch {
		case errors.As(err, &he):
			return err
		case errors.As(err, &se) && se.Status >= 500:
			return adminStoreErr(err)
		}
		status := http.StatusBadRequest
		if errors.Is(err, errConflict) {
			status = http.StatusConflict
		}
		return adminErr(status, "seed: %v", err)
	}
	return c.JSON(http.StatusOK, res)
}

// A large seed builds a large store out of a stream of short-lived decoding garbage: collecting
// it often keeps the peak, and the memory the process keeps after the seed (the Go runtime
// returns little of a heap it has fragmented), near the store's own size: 2.1 KB per user after
// seeding 100,000 users instead of 2.8 to 3.3 (bench-load's RSS). tightGC runs the collector at
// seedGCPercent while any large seed runs, and returns the function that ends that.
var tight struct {
	sync.Mutex
	seeds   int
	percent int
}

func tightGC() (end func()) {
	tight.Lock()
	if tight.seeds == 0 {
		tight.percent = debug.SetGCPercent(seedGCPercent)
	}
	tight.seeds++
	tight.Unlock()
	return func() {
		tight.Lock()
		if tight.seeds--; tight.seeds == 0 {
			debug.SetGCPercent(tight.percent)
		}
		tight.Unlock()
	}
}

// seedStream reads a seed body ({"users": [...], "groups": [...]}, and a list under the endpoint of
// each resource type of the tenant's own, {"Devices": [...]}) one resource at a time into a
// seeder, so that the server holds the records it will store and never the whole decoded body:
// a map per resource costs several times the resource's JSON.
func (s *Server) seedStream(c echo.Context, t *Tenant) (SeedResult, error) {
	r := c.Request()
	if r.ContentLength > DefaultSeedBody {
		return SeedResult{}, adminErr(http.StatusRequestEntityTooLarge, "request body exceeds %d bytes", DefaultSeedBody)
	}
	// The seed may take longer to send than the server's read timeout allows a request.
	_ = http.NewResponseController(c.Response()).SetReadDeadline(time.Now().Add(seedReadTimeout))
	d := json.NewDecoder(http.MaxBytesReader(c.Response(), r.Body, DefaultSeedBody))
	fail := func(err error) (SeedResult, error) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return SeedResult{}, adminErr(http.StatusRequestEntityTooLarge, "request body exceeds %d bytes", DefaultSeedBody)
		}
		return SeedResult{}, fmt.Errorf("body: %w", err)
	}
	delim := func(want json.Delim) error {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		if tok != want {
			return fmt.Errorf("want %q, got %v", want, tok)
		}
		return nil
	}
	if err := delim('{'); err != nil {
		return fail(err)
	}
	sd := t.newSeeder()
	ctx := r.Context()
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			return fail(err)
		}
		key, _ := tok.(string)
		k, known := t.seedKind(key)
		if k == nil {
			return fail(fmt.Errorf("unknown key %q (known: %s)", key, strings.Join(known, ", ")))
		}
		if tok, err := d.Token(); err != nil {
			return fail(err)
		} else if tok == nil {
			continue // "users": null
		} else if tok != json.Delim('[') {
			return fail(fmt.Errorf("%s: want a list, got %v", k.endpoint, tok))
		}
		for d.More() {
			var res map[string]any
			if err := d.Decode(&res); err != nil {
				return fail(fmt.Errorf("%s %d: %w", k.name, sd.n[k.index]+1, err))
			}
			if err := sd.add(k, res); err != nil {
				return SeedResult{}, err
			}
			if ctx.Err() != nil {
				return SeedResult{}, errClientGone
			}
		}
		if err := delim(']'); err != nil {
			return fail(err)
		}
	}
	if err := delim('}'); err != nil {
		return fail(err)
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return fail(errors.New("more than one JSON value"))
	}
	nu, ng, err := sd.commit()
	if err != nil {
		return SeedResult{}, err
	}
	return SeedResult{Users: nu, Groups: ng, Resources: sd.custom()}, nil
}

func (s *Server) adminTenants(c echo.Context) error {
	var out []TenantInfo
	for _, t := range s.Tenants() {
		cfg := t.cfg.Load()
		info := TenantInfo{
			Name: t.name, Profile: cfg.profile, HasToken: cfg.token != "",
			Users: t.Users(), Groups: t.Groups(), Faults: len(t.faults.List()), SCIMPath: t.SCIMPath(), Kind: t.Kind(),
		}
		if info.Kind == KindEntra {
			info.GraphPath = t.GraphPath()
			info.Users, info.DeletedUsers = t.Directory().Counts()
			info.TenantID = t.Directory().TenantID()
		}
		out = append(out, info)
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) adminPutTenant(c echo.Context) error {
	name, err := tenantPathName(c)
	if err != nil {
		return err
	}
	var cfg TenantConfig
	if err := s.adminBody(c, DefaultMaxBody, &cfg); err != nil {
		return err
	}
	p, err := ParseProfile(string(cfg.Profile))
	if err != nil {
		return adminErr(http.StatusBadRequest, "%v", err)
	}
	if cfg.Open && cfg.Token != "" {
		return adminErr(http.StatusBadRequest, "tenant %q: open and token exclude each other", name)
	}
	if cfg.Username != "" || cfg.Password != "" {
		if cfg.Open || cfg.Token != "" || cfg.Username == "" {
			return adminErr(http.StatusBadRequest, "tenant %q: username and password set Basic credentials: give both, without token or open", name)
		}
		cfg.Token = BasicCredential(cfg.Username, cfg.Password)
	}
	token := cfg.Token
	if token == "" && !cfg.Open {
		token = s.opts.newTenantToken()
		if name == "" {
			token = s.opts.token
		}
	}
	kind, err := ParseKind(string(cfg.Kind))
	if err != nil {
		return adminErr(http.StatusBadRequest, "tenant %q: %v", name, err)
	}
	t, err := s.tenant(name, true)
	if err != nil {
		return adminErr(http.StatusBadRequest, "tenant %q: %v", name, err)
	}
	s.touch(t)
	if cfg.Kind != "" {
		if err := t.SetKind(kind); err != nil {
			return adminErr(http.StatusConflict, "%v", err)
		}
	}
	if cfg.TenantID != "" {
		if t.Kind() != KindEntra {
			return adminErr(http.StatusBadRequest, "tenant %q: tenantId is an Entra tenant's id, and %q is a SCIM tenant", name, name)
		}
		t.Directory().SetTenantID(cfg.TenantID)
	}
	if err := t.configure(p, token); err != nil {
		return adminStoreErr(err)
	}
	return c.NoContent(http.StatusNoContent)
}

// adminDeleteTenant deletes a named tenant: its store, faults and journal.
func (s *Server) adminDeleteTenant(c echo.Context) error {
	name := c.Param("name")
	if name == "default" || name == "" {
		return adminErr(http.StatusBadRequest, "the default tenant cannot be deleted: POST /admin/reset empties it")
	}
	ok, err := s.deleteTenant(name)
	if err != nil {
		return adminStoreErr(err)
	}
	if !ok {
		return adminErr(http.StatusNotFound, "no tenant %q", name)
	}
	return c.NoContent(http.StatusNoContent)
}
