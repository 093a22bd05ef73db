package simulator

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/scimsim/scimsim/simulator/faults"
	"github.com/scimsim/scimsim/simulator/graph"
)

// Tenant is one isolated SCIM service provider: its own store, profile, bearer token, faults and
// request journal.
type Tenant struct {
	name     string
	srv      *Server
	store    *store
	ids      *idGenerator
	faults   *faults.Set
	faultMW  echo.MiddlewareFunc
	journal  *journal
	cfg      atomic.Pointer[tenantConfig]
	lastBase atomic.Pointer[cachedBase]
	chains   sync.Map                              // route id → fault middleware around the rest of that route's chain
	lastUsed atomic.Int64                          // Unix nanoseconds of the last request or admin call (WithTenantIdleTTL)
	deleted  atomic.Bool                           // DeleteTenant or the idle TTL removed it: writes are refused
	schemas  atomic.Pointer[schemaSet]             // custom schemas (customkinds.go); nil: the built-in ones
	kind     atomic.Pointer[Kind]                  // nil until first use or SetKind: a SCIM tenant
	dir      atomic.Pointer[graph.Directory]       // an Entra tenant's directory, created on first use
	series   atomic.Pointer[map[seriesKey]*series] // its request metrics' children (metrics.seriesOf)
	seriesMu sync.Mutex                            // held to add to series
}

type tenantConfig struct {
	profile Profile
	token   string
}

// TenantConfig is what PUT /admin/tenants/{name} sets. An empty Token means the token of new
// tenants (WithTenantToken, else the default tenant's), so that a tenant is never left open by
// omission; Open turns authentication off on purpose; Username and Password make the tenant take
// HTTP Basic credentials instead of a bearer token, as the applications that "use ... a user name
// and password for authorization" do (provision-on-demand.md, Frequently asked questions).
type TenantConfig struct {
	Profile  Profile `json:"profile,omitempty"`
	Token    string  `json:"token,omitempty"`
	Open     bool    `json:"open,omitempty"`
	Username string  `json:"username,omitempty"`
	Password string  `json:"password,omitempty"`
	Kind     Kind    `json:"kind,omitempty"` // scim (default) or entra
	// TenantID is an Entra tenant's id (GET /organization); empty keeps the one it has.
	TenantID string `json:"tenantId,omitempty"`
}

func newTenant(s *Server, name string) (*Tenant, error) {
	t := &Tenant{
		name:    name,
		srv:     s,
		store:   newStore(),
		ids:     newIDGenerator(s.opts.seed, name),
		faults:  faults.NewSet(s.opts.seed),
		journal: s.journals.newJournal(),
	}
	t.faultMW = t.faults.Middleware()
	token := s.opts.newTenantToken()
	if name == "" {
		token = s.opts.token
	}
	t.cfg.Store(&tenantConfig{profile: s.opts.profile, token: token})
	t.lastUsed.Store(s.opts.now().UnixNano())
	if len(s.opts.schemas.Schemas) > 0 {
		if err := t.initSchemas(s.opts.schemas); err != nil { // customstore.go
			return nil, err
		}
	}
	return t, nil
}

// Name returns the tenant's name; the default tenant's is "".
func (t *Tenant) Name() string { return t.name }

// Profile returns the tenant's profile.
func (t *Tenant) Profile() Profile { return t.cfg.Load().profile }

// Configure sets the tenant's profile and bearer token ("" turns authentication off). An
// invalid profile leaves the profile as it was.
func (t *Tenant) Configure(p Profile, token string) {
	cur := t.cfg.Load()
	if _, err := ParseProfile(string(p)); err != nil || p == "" {
		p = cur.profile
	}
	if err := t.configure(p, token); err != nil {
		// The state cannot be saved, or the tenant is gone: a Go caller still gets the
		// configuration it asked for, in memory.
		t.cfg.Store(&tenantConfig{profile: p, token: token})
	}
}

// configure sets the profile and token through the committer, so that the state log keeps it in
// order with the tenant's data.
func (t *Tenant) configure(p Profile, token string) error {
	return t.commit(func(w *writer) error {
		w.configure(&tenantConfig{profile: p, token: token})
		return nil
	})
}

// Faults returns the tenant's fault set.
func (t *Tenant) Faults() *faults.Set { return t.faults }

// Reset empties the tenant's store, fault set and journal. When the state cannot be saved
// (StateFile.Err) the store keeps its data.
func (t *Tenant) Reset() { _ = t.reset() }

func (t *Tenant) reset() error {
	t.faults.Clear()
	t.journal.reset()
	t.resetDirectory()
	return t.commit(func(w *writer) error { w.emptyStore(); return nil })
}

// commit runs a validated change of the tenant's store in the server's next batch (commit.go).
func (t *Tenant) commit(fn func(w *writer) error) error { return t.srv.commits.commit(t, fn) }

// Users returns the number of stored users.
func (t *Tenant) Users() int { return t.store.count(userKind) }

// Groups returns the number of stored groups.
func (t *Tenant) Groups() int { return t.store.count(groupKind) }

// Resources returns up to limit stored resources of one type ("Users" or "Groups"), skipping the
// first offset, in the order they were stored, each as GET renders it below baseURL (the tenant's
// absolute SCIM URL, for meta.location), and how many of that type are stored. It reads the store
// itself: no fault applies, nothing is journaled and no fault's count is spent, so an inspector
// (the /target page of `scimsim ui`) shows what the target holds without changing how it behaves.
func (t *Tenant) Resources(resource, baseURL string, offset, limit int) ([]json.RawMessage, int, error) {
	var k *kind
	for _, c := range t.kinds() {
		if strings.EqualFold(c.endpoint, resource) {
			k = c
		}
	}
	if k == nil {
		return nil, 0, fmt.Errorf("no resource type %q (want Users or Groups)", resource)
	}
	// The id index orders queries (generated ids count up: idGenerator).
	it, err := t.store.read().Get(k.endpoint, "id")
	if err != nil {
		return nil, 0, err
	}
	b := newBase(strings.TrimRight(baseURL, "/"))
	var out []json.RawMessage
	for raw, i := it.Next(), 0; raw != nil && len(out) < limit; raw, i = it.Next(), i+1 {
		if i >= offset {
			out = append(out, appendResource(nil, k, raw.(*record), b))
		}
	}
	return out, t.store.count(k), nil
}

func (t *Tenant) entra() bool { return t.Profile() == ProfileEntra }

// SCIMPath returns the tenant's SCIM base path: /scim/v2 or /tenants/NAME/scim/v2.
func (t *Tenant) SCIMPath() string {
	if t.name == "" {
		return "/scim/v2"
	}
	return "/tenants/" + t.name + "/scim/v2"
}

// Seed stores users and groups (SCIM JSON objects) in one write transaction; resources without
// an id get one. The tenant's profile reads them as it reads requests, and every resource is
// validated as a POST body is. Nothing is stored when one of them fails.
func (t *Tenant) Seed(users, groups []map[string]any) (nUsers, nGroups int, err error) {
	sd := t.newSeeder()
	for i, list := range [][]map[string]any{users, groups} {
		for _, res := range list {
			if err := sd.add(t.kinds()[i], res); err != nil {
				return 0, 0, err
			}
		}
	}
	return sd.commit()
}

// seeder stores resources given one at a time in one change: each is validated and encoded as
// it arrives, so that a seed holds the records it will store and one decoded resource, never
// the whole decoded input (POST /admin/seed streams its body through one).
type seeder struct {
	t     *Tenant
	now   time.Time
	entra bool
	recs  []*record
	kinds []*kind
	n     [maxKinds]int
}

func (t *Tenant) newSeeder() *seeder {
	return &seeder{t: t, now: t.srv.opts.now(), entra: t.entra()}
}

// add validates and encodes one resource of kind k; its errors name the resource's kind and
// position ("User 3: ...").
func (sd *seeder) add(k *kind, res map[string]any) error {
	pos := sd.n[k.index] + 1
	if res == nil {
		return fmt.Errorf("%s %d: null resource", k.name, pos)
	}
	if err := checkUnknown(k, res); err != nil {
		return fmt.Errorf("%s %d: %w", k.name, pos, err)
	}
	in := make(map[string]any, len(res)+1)
	for key, v := range res {
		in[key] = v
	}
	if sd.entra {
		normaliseResource(k, in)
	}
	if _, ok := in["schemas"]; !ok {
		in["schemas"] = []any{k.core.ID}
	}
	attrs, err := k.validate(in)
	if err != nil {
		return fmt.Errorf("%s %d: %w", k.name, pos, err)
	}
	id, _ := res["id"].(string)
	if id == "" {
		id = sd.t.ids.next()
	}
	rec, err := encodeRecord(k, id, 0, attrs, metaInfo{created: sd.now, modified: sd.now, version: 1})
	if err != nil {
		return fmt.Errorf("%s %d: %w", k.name, pos, err)
	}
	sd.recs = append(sd.recs, rec)
	sd.kinds = append(sd.kinds, k)
	sd.n[k.index]++
	return nil
}

// seedKind returns the tenant's resource type a seed lists under key: "users" and "groups", and
// a resource type of the tenant's own by its endpoint ("Devices"); nil, with the keys it knows,
// for any other.
func (t *Tenant) seedKind(key string) (k *kind, known []string) {
	known = []string{"users", "groups"}
	switch key {
	case "users":
		return t.kindOf(userKind), known
	case "groups":
		return t.kindOf(groupKind), known
	}
	for _, c := range t.kinds() {
		if c.custom {
			if c.endpoint == key {
				return c, nil
			}
			known = append(known, c.endpoint)
		}
	}
	return nil, known
}

// custom counts the resources added of the tenant's own resource types, by endpoint (nil when
// there are none).
func (sd *seeder) custom() map[string]int {
	var out map[string]int
	for _, k := range sd.t.kinds() {
		if k.custom && sd.n[k.index] > 0 {
			if out == nil {
				out = map[string]int{}
			}
			out[k.endpoint] = sd.n[k.index]
		}
	}
	return out
}

// commit stores every resource added, or none.
func (sd *seeder) commit() (nUsers, nGroups int, err error) {
	err = sd.t.commit(func(w *writer) error {
		for i, rec := range sd.recs {
			rec.Seq = w.nextSeq()
			if err := w.put(sd.kinds[i], rec, sd.entra); err != nil {
				return fmt.Errorf("%s %q: %w", sd.kinds[i].name, rec.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	return sd.n[0], sd.n[1], nil
}

// authorized reports whether the request carries the tenant's bearer token.
func (t *Tenant) authorized(r *http.Request) bool {
	return credentialMatches(r, t.cfg.Load().token)
}

// ConfigureBasic sets the tenant's profile and makes it take HTTP Basic credentials.
func (t *Tenant) ConfigureBasic(p Profile, user, password string) {
	t.Configure(p, BasicCredential(user, password))
}

// basicPrefix starts a tenant's credential that is HTTP Basic, not a bearer token: the credential
// is then the whole Authorization header the tenant accepts, kept (and saved) where a token is.
const basicPrefix = "Basic "

// BasicCredential is the credential of a tenant that takes user and password (RFC 7617).
func BasicCredential(user, password string) string {
	return basicPrefix + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
}

// basic reports whether the tenant takes HTTP Basic credentials rather than a bearer token.
func (t *Tenant) basic() bool { return strings.HasPrefix(t.cfg.Load().token, basicPrefix) }

// unauthorized answers a request without the credential cred (a tenant's, or that of tenants
// created on first use) 401 with the challenge of its scheme (RFC 6750 §3, RFC 7617 §2).
func unauthorized(c echo.Context, cred string) error {
	if strings.HasPrefix(cred, basicPrefix) {
		c.Response().Header().Set("WWW-Authenticate", `Basic realm="scimsim", charset="UTF-8"`)
		return scimErr(http.StatusUnauthorized, "", "missing or invalid user name or password")
	}
	c.Response().Header().Set("WWW-Authenticate", `Bearer realm="scimsim"`)
	return scimErr(http.StatusUnauthorized, "", "missing or invalid bearer token")
}
