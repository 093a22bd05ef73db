package simulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/elimity-com/scim"
	"github.com/elimity-com/scim/optional"
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
	chains   sync.Map                        // route id → fault middleware around the rest of that route's chain
	lib      scim.Server                     // elimity, with handlers bound to this tenant
	kind     atomic.Pointer[Kind]            // nil until first use or SetKind: a SCIM tenant
	dir      atomic.Pointer[graph.Directory] // an Entra tenant's directory, created on first use
}

type tenantConfig struct {
	profile Profile
	token   string
}

// TenantConfig is what PUT /admin/tenants/{name} sets.
type TenantConfig struct {
	Profile Profile `json:"profile,omitempty"`
	Token   string  `json:"token,omitempty"`
	Kind    Kind    `json:"kind,omitempty"` // scim (default) or entra
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
		journal: newJournal(s.opts.journalSize),
	}
	t.faultMW = t.faults.Middleware()
	token := ""
	if name == "" {
		token = s.opts.token
	}
	t.cfg.Store(&tenantConfig{profile: s.opts.profile, token: token})
	lib, err := scim.NewServer(&scim.ServerArgs{
		ServiceProviderConfig: &scim.ServiceProviderConfig{
			SupportFiltering: true,
			SupportPatch:     true,
			MaxResults:       maxCount,
		},
		ResourceTypes: []scim.ResourceType{
			{
				ID:               optional.NewString("User"),
				Name:             "User",
				Description:      optional.NewString("User Account"),
				Endpoint:         "/Users",
				Schema:           userKind.core,
				SchemaExtensions: []scim.SchemaExtension{{Schema: userKind.exts[0]}},
				Handler:          resources{t: t, k: userKind},
			},
			{
				ID:          optional.NewString("Group"),
				Name:        "Group",
				Description: optional.NewString("Group"),
				Endpoint:    "/Groups",
				Schema:      groupKind.core,
				Handler:     resources{t: t, k: groupKind},
			},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("tenant %q: %w", name, err)
	}
	t.lib = lib
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
	t.cfg.Store(&tenantConfig{profile: p, token: token})
}

// Faults returns the tenant's fault set.
func (t *Tenant) Faults() *faults.Set { return t.faults }

// Reset empties the tenant's store, fault set and journal.
func (t *Tenant) Reset() {
	t.store.reset()
	t.faults.Clear()
	t.journal.reset()
	t.resetDirectory()
}

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
	for _, c := range kinds {
		if strings.EqualFold(c.endpoint, resource) {
			k = c
		}
	}
	if k == nil {
		return nil, 0, fmt.Errorf("no resource type %q (want Users or Groups)", resource)
	}
	it, err := t.store.read().LowerBound(k.endpoint, "seq", uint64(0))
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
	now := t.srv.opts.now()
	entra := t.entra()
	type item struct {
		k  *kind
		id string
		at map[string]any
	}
	items := make([]item, 0, len(users)+len(groups))
	for i, list := range [][]map[string]any{users, groups} {
		k := kinds[i]
		for j, res := range list {
			if res == nil {
				return 0, 0, fmt.Errorf("%s %d: null resource", k.name, j+1)
			}
			if err := checkKnown(k, res); err != nil {
				return 0, 0, fmt.Errorf("%s %d: %w", k.name, j+1, err)
			}
			in := make(map[string]any, len(res)+1)
			for key, v := range res {
				in[key] = v
			}
			if entra {
				normaliseResource(k, in)
			}
			if _, ok := in["schemas"]; !ok {
				in["schemas"] = []any{k.core.ID}
			}
			attrs, err := k.validate(in)
			if err != nil {
				return 0, 0, fmt.Errorf("%s %d: %w", k.name, j+1, err)
			}
			id, _ := res["id"].(string)
			if id == "" {
				id = t.ids.next()
			}
			items = append(items, item{k: k, id: id, at: attrs})
		}
	}
	err = t.store.write(func(w *writer) error {
		for _, it := range items {
			rec, err := encodeRecord(it.k, it.id, w.nextSeq(), it.at, metaInfo{created: now, modified: now, version: 1})
			if err != nil {
				return err
			}
			if err := w.put(it.k, rec, entra); err != nil {
				return fmt.Errorf("%s %q: %w", it.k.name, it.id, err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	return len(users), len(groups), nil
}

// authorized reports whether the request carries the tenant's bearer token.
func (t *Tenant) authorized(r *http.Request) bool {
	return bearerMatches(r, t.cfg.Load().token)
}
