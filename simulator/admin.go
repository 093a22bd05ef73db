package simulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/scimsim/scimsim/simulator/faults"
)

// SeedResult is the answer of POST /admin/seed.
type SeedResult struct {
	Users  int `json:"users"`
	Groups int `json:"groups"`
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

// tenantParam returns the tenant ?tenant= names.
func (s *Server) tenantParam(c echo.Context) (*Tenant, error) {
	name := c.QueryParam("tenant")
	if name == "" {
		return s.def, nil
	}
	if !ValidTenantName(name) {
		return nil, adminErr(http.StatusBadRequest, "tenant %q: names are letters, digits, '.', '_' and '-'", name)
	}
	t, err := s.tenant(name, true)
	if err != nil {
		return nil, adminErr(http.StatusBadRequest, "tenant %q: %v", name, err)
	}
	return t, nil
}

func (s *Server) adminBody(c echo.Context, max int64, v any) error {
	body, err := readBody(c, max)
	if err != nil {
		return adminErr(http.StatusRequestEntityTooLarge, "request body exceeds %d bytes", max)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return adminErr(http.StatusBadRequest, "body: %v", err)
	}
	return nil
}

func (s *Server) adminHealth(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) adminFaults(c echo.Context) error {
	t, err := s.tenantParam(c)
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
	t, err := s.tenantParam(c)
	if err != nil {
		return err
	}
	var spec faults.Spec
	if err := s.adminBody(c, DefaultMaxBody, &spec); err != nil {
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
	t, err := s.tenantParam(c)
	if err != nil {
		return err
	}
	t.faults.Clear()
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) adminGetFault(c echo.Context) error {
	t, err := s.tenantParam(c)
	if err != nil {
		return err
	}
	spec, ok := t.faults.Get(c.Param("name"))
	if !ok {
		return adminErr(http.StatusNotFound, "no fault %q", c.Param("name"))
	}
	return c.JSON(http.StatusOK, spec)
}

// adminUpdateFault merges the body into the stored fault: fields not given keep their value.
func (s *Server) adminUpdateFault(c echo.Context) error {
	t, err := s.tenantParam(c)
	if err != nil {
		return err
	}
	name := c.Param("name")
	spec, ok := t.faults.Get(name)
	if !ok {
		return adminErr(http.StatusNotFound, "no fault %q", name)
	}
	if err := s.adminBody(c, DefaultMaxBody, &spec); err != nil {
		return err
	}
	stored, err := t.faults.Update(name, spec)
	if err != nil {
		return faultError(err)
	}
	return c.JSON(http.StatusOK, stored)
}

func (s *Server) adminDeleteFault(c echo.Context) error {
	t, err := s.tenantParam(c)
	if err != nil {
		return err
	}
	if !t.faults.Delete(c.Param("name")) {
		return adminErr(http.StatusNotFound, "no fault %q", c.Param("name"))
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) adminRequests(c echo.Context) error {
	t, err := s.tenantParam(c)
	if err != nil {
		return err
	}
	if c.QueryParam("format") == "har" {
		return writeHAR(c, t) // har.go
	}
	return c.JSON(http.StatusOK, t.journal.list())
}

func (s *Server) adminReset(c echo.Context) error {
	t, err := s.tenantParam(c)
	if err != nil {
		return err
	}
	t.Reset()
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) adminSeed(c echo.Context) error {
	t, err := s.tenantParam(c)
	if err != nil {
		return err
	}
	if t.Kind() == KindEntra {
		return s.adminSeedDirectory(c, t)
	}
	var data SeedData
	if err := s.adminBody(c, DefaultSeedBody, &data); err != nil {
		return err
	}
	nu, ng, err := t.Seed(data.Users, data.Groups)
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, errConflict) {
			status = http.StatusConflict
		}
		return adminErr(status, "seed: %v", err)
	}
	return c.JSON(http.StatusOK, SeedResult{Users: nu, Groups: ng})
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
	name := c.Param("name")
	if name == "default" {
		name = ""
	} else if !ValidTenantName(name) {
		return adminErr(http.StatusBadRequest, "tenant %q: names are letters, digits, '.', '_' and '-'", name)
	}
	var cfg TenantConfig
	if err := s.adminBody(c, DefaultMaxBody, &cfg); err != nil {
		return err
	}
	p, err := ParseProfile(string(cfg.Profile))
	if err != nil {
		return adminErr(http.StatusBadRequest, "%v", err)
	}
	kind, err := ParseKind(string(cfg.Kind))
	if err != nil {
		return adminErr(http.StatusBadRequest, "tenant %q: %v", name, err)
	}
	t, err := s.tenant(name, true)
	if err != nil {
		return adminErr(http.StatusBadRequest, "tenant %q: %v", name, err)
	}
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
	t.Configure(p, cfg.Token)
	return c.NoContent(http.StatusNoContent)
}
