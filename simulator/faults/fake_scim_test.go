package faults_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"

	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/labstack/echo/v4"

	"github.com/scimsim/scimsim/simulator/faults"
)

// fakeSCIM is the smallest SCIM target the faults can be tried on: users and groups in maps,
// `attr eq "value"` filters, excludedAttributes=members on groups, PATCH with top-level paths.
// It answers as the real simulator does (application/scim+json, SCIM error bodies), so the tests
// see what a client sees.
type fakeSCIM struct {
	mu      sync.Mutex
	users   map[string]map[string]any
	groups  map[string]map[string]any
	nextID  int
	journal []journalEntry
}

// journalEntry is what the simulator's journal records about a request, for the tests to read
// the fault that hit it and the status that was recorded.
type journalEntry struct {
	Method, Path, Query string
	Status              int
	Fault               string
}

const (
	listSchema  = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	userSchema  = "urn:ietf:params:scim:schemas:core:2.0:User"
	groupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group"
)

func newFakeSCIM() *fakeSCIM {
	return &fakeSCIM{users: map[string]map[string]any{}, groups: map[string]map[string]any{}}
}

// app builds the echo app: journal, optional request info, the fault set, then the SCIM routes,
// in the order docs/architecture.md gives for the simulator.
func (f *fakeSCIM) app(set *faults.Set, info func(echo.Context) *faults.RequestInfo) *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		var se scimerrors.ScimError
		var he *echo.HTTPError
		switch {
		case errors.As(err, &se):
		case errors.As(err, &he):
			se = scimerrors.ScimError{Status: he.Code, Detail: fmt.Sprint(he.Message)}
		default:
			se = scimerrors.ScimError{Status: http.StatusInternalServerError, Detail: err.Error()}
		}
		body, _ := json.Marshal(se)
		_ = c.Blob(se.Status, "application/scim+json", body)
	}
	mws := []echo.MiddlewareFunc{f.journalMiddleware}
	if info != nil {
		mws = append(mws, func(next echo.HandlerFunc) echo.HandlerFunc {
			return func(c echo.Context) error {
				if i := info(c); i != nil {
					faults.SetRequestInfo(c, *i)
				}
				return next(c)
			}
		})
	}
	mws = append(mws, set.Middleware())
	for _, base := range []string{"/scim/v2", "/tenants/:tenant/scim/v2"} {
		g := e.Group(base, mws...)
		g.GET("/Users", f.listUsers)
		g.POST("/Users/.search", f.searchUsers)
		g.GET("/Users/:id", f.getUser)
		g.POST("/Users", f.createUser)
		g.PUT("/Users/:id", f.replaceUser)
		g.PATCH("/Users/:id", f.patchUser)
		g.DELETE("/Users/:id", f.deleteUser)
		g.GET("/Groups", f.listGroups)
		g.GET("/Groups/:id", f.getGroup)
	}
	return e
}

func (f *fakeSCIM) journalMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		f.mu.Lock()
		f.journal = append(f.journal, journalEntry{
			Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
			Status: c.Response().Status, Fault: faults.HitBy(c),
		})
		f.mu.Unlock()
		return nil
	}
}

func (f *fakeSCIM) entries() []journalEntry {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.journal)
}

func (f *fakeSCIM) addUser(u map[string]any) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.insert(f.users, "u", u)
}

func (f *fakeSCIM) addGroup(g map[string]any) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.insert(f.groups, "g", g)
}

func (f *fakeSCIM) user(id string) (map[string]any, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	u, ok := f.users[id]
	return u, ok
}

func (f *fakeSCIM) userCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.users)
}

// insert stores a copy of obj under a new id; f.mu must be held.
func (f *fakeSCIM) insert(store map[string]map[string]any, prefix string, obj map[string]any) string {
	f.nextID++
	id := fmt.Sprintf("%s-%d", prefix, f.nextID)
	stored := map[string]any{}
	for k, v := range obj {
		stored[k] = v
	}
	stored["id"] = id
	resourceType := "User"
	if prefix == "g" {
		resourceType = "Group"
	}
	stored["meta"] = map[string]any{"resourceType": resourceType, "location": "/scim/v2/" + resourceType + "s/" + id}
	store[id] = stored
	return id
}

var eqFilter = regexp.MustCompile(`^\s*([A-Za-z.:0-9]+)\s+eq\s+"([^"]*)"\s*$`)

// query answers a ListResponse of the resources the filter selects, sorted by id.
func (f *fakeSCIM) query(c echo.Context, store map[string]map[string]any, filter string, project func(map[string]any) map[string]any) error {
	var attr, value string
	if filter != "" {
		m := eqFilter.FindStringSubmatch(filter)
		if m == nil {
			return scimerrors.ScimErrorInvalidFilter
		}
		attr, value = m[1], m[2]
	}
	f.mu.Lock()
	ids := make([]string, 0, len(store))
	for id := range store {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	resources := []any{}
	for _, id := range ids {
		r := store[id]
		if attr == "" || strings.EqualFold(fmt.Sprint(r[attr]), value) {
			resources = append(resources, project(r))
		}
	}
	f.mu.Unlock()
	return scimJSON(c, http.StatusOK, map[string]any{
		"schemas": []string{listSchema}, "totalResults": len(resources), "startIndex": 1,
		"itemsPerPage": len(resources), "Resources": resources,
	})
}

func identity(r map[string]any) map[string]any { return r }

func (f *fakeSCIM) listUsers(c echo.Context) error {
	return f.query(c, f.users, c.QueryParam("filter"), identity)
}

func (f *fakeSCIM) searchUsers(c echo.Context) error {
	var req struct {
		Filter string `json:"filter"`
	}
	if err := json.NewDecoder(c.Request().Body).Decode(&req); err != nil {
		return scimerrors.ScimErrorInvalidSyntax
	}
	return f.query(c, f.users, req.Filter, identity)
}

func (f *fakeSCIM) getUser(c echo.Context) error {
	u, ok := f.user(c.Param("id"))
	if !ok {
		return scimerrors.ScimErrorResourceNotFound(c.Param("id"))
	}
	return scimJSON(c, http.StatusOK, u)
}

func (f *fakeSCIM) readBody(c echo.Context) (map[string]any, error) {
	var obj map[string]any
	if err := json.NewDecoder(c.Request().Body).Decode(&obj); err != nil {
		return nil, scimerrors.ScimErrorInvalidSyntax
	}
	return obj, nil
}

func (f *fakeSCIM) createUser(c echo.Context) error {
	obj, err := f.readBody(c)
	if err != nil {
		return err
	}
	f.mu.Lock()
	id := f.insert(f.users, "u", obj)
	u := f.users[id]
	f.mu.Unlock()
	c.Response().Header().Set(echo.HeaderLocation, "/scim/v2/Users/"+id)
	return scimJSON(c, http.StatusCreated, u)
}

func (f *fakeSCIM) replaceUser(c echo.Context) error {
	obj, err := f.readBody(c)
	if err != nil {
		return err
	}
	return f.withUser(c, func(id string, old map[string]any) error {
		obj["id"], obj["meta"] = id, old["meta"]
		f.users[id] = obj
		return scimJSON(c, http.StatusOK, obj)
	})
}

// withUser runs fn, under the lock, on the user the request's {id} names, or answers 404.
func (f *fakeSCIM) withUser(c echo.Context, fn func(id string, u map[string]any) error) error {
	id := c.Param("id")
	f.mu.Lock()
	defer f.mu.Unlock()
	u, ok := f.users[id]
	if !ok {
		return scimerrors.ScimErrorResourceNotFound(id)
	}
	return fn(id, u)
}

// patchUser applies add/replace with a top-level path or a no-path value map, and remove.
func (f *fakeSCIM) patchUser(c echo.Context) error {
	var req struct {
		Operations []struct {
			Op    string `json:"op"`
			Path  string `json:"path"`
			Value any    `json:"value"`
		} `json:"Operations"`
	}
	if err := json.NewDecoder(c.Request().Body).Decode(&req); err != nil || len(req.Operations) == 0 {
		return scimerrors.ScimErrorInvalidSyntax
	}
	return f.withUser(c, func(id string, old map[string]any) error {
		u := maps.Clone(old)
		for _, op := range req.Operations {
			switch {
			case strings.EqualFold(op.Op, "remove"):
				delete(u, op.Path)
			case op.Path != "":
				u[op.Path] = op.Value
			default:
				m, _ := op.Value.(map[string]any)
				for k, v := range m {
					u[k] = v
				}
			}
		}
		f.users[id] = u
		return scimJSON(c, http.StatusOK, u)
	})
}

func (f *fakeSCIM) deleteUser(c echo.Context) error {
	return f.withUser(c, func(id string, _ map[string]any) error {
		delete(f.users, id)
		return c.NoContent(http.StatusNoContent)
	})
}

// groupProjection honours excludedAttributes=members, as Entra asks for.
func groupProjection(c echo.Context) func(map[string]any) map[string]any {
	excluded := false
	for _, a := range strings.Split(c.QueryParam("excludedAttributes"), ",") {
		excluded = excluded || strings.EqualFold(strings.TrimSpace(a), "members")
	}
	return func(g map[string]any) map[string]any {
		if !excluded {
			return g
		}
		out := map[string]any{}
		for k, v := range g {
			if k != "members" {
				out[k] = v
			}
		}
		return out
	}
}

func (f *fakeSCIM) listGroups(c echo.Context) error {
	return f.query(c, f.groups, c.QueryParam("filter"), groupProjection(c))
}

func (f *fakeSCIM) getGroup(c echo.Context) error {
	f.mu.Lock()
	g, ok := f.groups[c.Param("id")]
	f.mu.Unlock()
	if !ok {
		return scimerrors.ScimErrorResourceNotFound(c.Param("id"))
	}
	return scimJSON(c, http.StatusOK, groupProjection(c)(g))
}

func scimJSON(c echo.Context, status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.Blob(status, "application/scim+json", append(body, '\n'))
}

// readJSON decodes a response body into a map, failing the caller's assertion on bad JSON.
func readJSON(r io.Reader) (map[string]any, error) {
	var m map[string]any
	err := json.NewDecoder(r).Decode(&m)
	return m, err
}
