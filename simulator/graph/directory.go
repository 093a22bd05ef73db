// Package graph provides a simulated Microsoft Entra tenant as Microsoft Graph v1.0 exposes it to
// cross-tenant synchronization: the target tenant's users (the B2B collaboration users the
// synchronization creates, with their userPrincipalName in its #EXT# form, userType, creationType,
// externalUserState, showInAddressList, accountEnabled and the source identity that matches them),
// its deleted items and their restore, and its cross-tenant access settings for each partner
// tenant (the partner configuration with automaticUserConsentSettings, and its
// identitySynchronization with userSyncInbound.isSyncAllowed).
//
// A Directory is an http.Handler for the paths below a tenant's Graph base URL
// (/tenants/NAME/graph/v1.0 in the simulator): /organization, /users, /directory/deletedItems,
// /policies/crossTenantAccessPolicy/partners and /policies/authorizationPolicy. It answers as Graph
// does: JSON collections in "value", errors as {"error": {"code", "message"}}. The simulator puts
// its tenant, journal, fault and authentication middleware in front of it. Which property names
// and shapes are Microsoft's, and which behaviour is inferred, is listed in docs/cross-tenant.md.
package graph

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure a Directory.
type Options struct {
	// TenantID is the tenant's id (GET /organization); Domain its initial domain, which the
	// #EXT# form of external users' userPrincipalName ends with.
	TenantID, Domain string
	// NewID generates object ids; Now is the clock of deletedDateTime and error dates.
	NewID func() string
	Now   func() time.Time
}

// Directory is one simulated tenant. It is safe for concurrent use.
type Directory struct {
	opts Options
	mux  *http.ServeMux
	reqs atomic.Int64

	mu       sync.Mutex
	users    []map[string]any // live users, in creation order
	deleted  []map[string]any // soft-deleted users (deleted items), in deletion order
	partners []map[string]any // crossTenantAccessPolicyConfigurationPartner, by tenantId
	syncs    map[string]map[string]any
	authz    map[string]any // authorizationPolicy
}

// New returns an empty directory.
func New(o Options) *Directory {
	if o.Now == nil {
		o.Now = time.Now
	}
	o.Domain = strings.ToLower(o.Domain)
	d := &Directory{opts: o}
	d.clear()
	d.mux = d.routes()
	return d
}

// TenantID returns the tenant's id.
func (d *Directory) TenantID() string { return d.option(&d.opts.TenantID) }

// SetTenantID gives the tenant another id, so that a source tenant's settings can name it before
// the tenant exists (a scenario, a seed file).
func (d *Directory) SetTenantID(id string) { d.setOption(&d.opts.TenantID, id) }

// Domain returns the tenant's initial domain.
func (d *Directory) Domain() string { return d.option(&d.opts.Domain) }

// SetDomain gives the tenant another initial domain (a scenario's fabrikam.onmicrosoft.com).
func (d *Directory) SetDomain(domain string) { d.setOption(&d.opts.Domain, domain) }

// option reads one of the names (tenant id, domain) a setter may change after New, under the lock.
func (d *Directory) option(name *string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return *name
}

// setOption sets one of those names, lower-cased, under the lock.
func (d *Directory) setOption(name *string, value string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	*name = strings.ToLower(value)
}

func (d *Directory) clear() {
	d.users, d.deleted, d.partners = nil, nil, nil
	d.syncs = map[string]map[string]any{}
	d.authz = defaultAuthorizationPolicy()
}

// Reset empties the directory: no users, no deleted items, no partner configuration, the
// default authorization policy.
func (d *Directory) Reset() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.clear()
}

// Counts returns how many users the directory holds and how many are in its deleted items.
func (d *Directory) Counts() (live, deleted int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.users), len(d.deleted)
}

// Seed is what an administrator has already set up in the tenant: users (Graph user objects, with
// the read-only properties an existing user has, such as creationType or onPremisesSyncEnabled),
// users in deleted items, partner configurations (crossTenantAccessPolicyConfigurationPartner,
// optionally with their identitySynchronization inline) and the authorization policy's
// allowInvitesFrom.
type Seed struct {
	Users               []map[string]any `json:"users,omitempty" yaml:"users"`
	DeletedUsers        []map[string]any `json:"deletedUsers,omitempty" yaml:"deletedUsers"`
	Partners            []map[string]any `json:"partners,omitempty" yaml:"partners"`
	AuthorizationPolicy map[string]any   `json:"authorizationPolicy,omitempty" yaml:"authorizationPolicy"`
}

// Seed stores s. Nothing is stored when an item is invalid; the error names it.
func (d *Directory) Seed(s Seed) error {
	var users, deleted, partners []map[string]any
	syncs := map[string]map[string]any{}
	for i, u := range s.Users {
		stored, err := d.seedUser(u)
		if err != nil {
			return fmt.Errorf("users[%d]: %w", i, err)
		}
		users = append(users, stored)
	}
	for i, u := range s.DeletedUsers {
		stored, err := d.seedUser(u)
		if err != nil {
			return fmt.Errorf("deletedUsers[%d]: %w", i, err)
		}
		if _, ok := stored["deletedDateTime"]; !ok {
			stored["deletedDateTime"] = d.now()
		}
		deleted = append(deleted, stored)
	}
	for i, p := range s.Partners {
		in := clone(p)
		var sync map[string]any
		if raw, ok := in["identitySynchronization"]; ok {
			delete(in, "identitySynchronization")
			m, ok := raw.(map[string]any)
			if !ok {
				return fmt.Errorf("partners[%d].identitySynchronization: want an object", i)
			}
			sync = m
		}
		stored, err := newPartner(in)
		if err != nil {
			return fmt.Errorf("partners[%d]: %w", i, err)
		}
		if sync != nil {
			if syncs[stored["tenantId"].(string)], err = newIdentitySync(stored["tenantId"].(string), sync); err != nil {
				return fmt.Errorf("partners[%d].identitySynchronization: %w", i, err)
			}
		}
		partners = append(partners, stored)
	}
	authz := defaultAuthorizationPolicy()
	if s.AuthorizationPolicy != nil {
		if err := patchAuthorizationPolicy(authz, s.AuthorizationPolicy); err != nil {
			return fmt.Errorf("authorizationPolicy: %w", err)
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, u := range append(slices.Clone(users), deleted...) {
		if d.userIndexLocked(u["id"].(string)) >= 0 || d.deletedIndexLocked(u["id"].(string)) >= 0 {
			return fmt.Errorf("user id %q is taken", u["id"])
		}
	}
	d.users = append(d.users, users...)
	d.deleted = append(d.deleted, deleted...)
	for _, p := range partners {
		d.putPartnerLocked(p)
	}
	for k, v := range syncs {
		d.syncs[k] = v
	}
	d.authz = authz
	return nil
}

func (d *Directory) now() string { return d.opts.Now().UTC().Format(time.RFC3339) }

// ServeHTTP serves r, whose URL path is below the tenant's Graph base URL ("/users/42").
func (d *Directory) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r2 := r.Clone(r.Context())
	// Graph's URL segments are case-insensitive ("deletedItems" and "deleteditems" both appear in
	// Microsoft's own examples); ids and userPrincipalNames compare case-insensitively as well.
	r2.URL.Path = strings.ToLower(r.URL.Path)
	r2.URL.RawPath = ""
	d.mux.ServeHTTP(w, r2)
}

// handler is a route: it returns the status and the value to encode (nil: no body), or an error.
// serve calls it with d.mu held (call), so a route reads and changes the directory as one step;
// the value it returns must not share the directory's maps (clone).
type handler func(r *http.Request, body map[string]any) (int, any, error)

// call runs h with d.mu held.
func (d *Directory) call(h handler, r *http.Request, body map[string]any) (int, any, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return h(r, body)
}

func (d *Directory) routes() *http.ServeMux {
	m := http.NewServeMux()
	add := func(pattern string, h handler) { m.Handle(pattern, d.serve(h)) }
	add("GET /organization", d.getOrganization)
	add("GET /users", d.listUsers)
	add("POST /users", d.createUser)
	add("GET /users/{id}", d.getUser)
	add("PATCH /users/{id}", d.updateUser)
	add("DELETE /users/{id}", d.deleteUser)
	add("GET /directory/deleteditems/microsoft.graph.user", d.listDeleted)
	add("GET /directory/deleteditems/{id}", d.getDeleted)
	add("POST /directory/deleteditems/{id}/restore", d.restore)
	add("DELETE /directory/deleteditems/{id}", d.purge)
	add("GET /policies/authorizationpolicy", d.getAuthorizationPolicy)
	add("PATCH /policies/authorizationpolicy", d.updateAuthorizationPolicy)
	add("GET /policies/crosstenantaccesspolicy/partners", d.listPartners)
	add("POST /policies/crosstenantaccesspolicy/partners", d.createPartner)
	add("GET /policies/crosstenantaccesspolicy/partners/{tid}", d.getPartner)
	add("PATCH /policies/crosstenantaccesspolicy/partners/{tid}", d.updatePartner)
	add("DELETE /policies/crosstenantaccesspolicy/partners/{tid}", d.deletePartner)
	add("GET /policies/crosstenantaccesspolicy/partners/{tid}/identitysynchronization", d.getIdentitySync)
	add("PUT /policies/crosstenantaccesspolicy/partners/{tid}/identitysynchronization", d.putIdentitySync)
	add("PATCH /policies/crosstenantaccesspolicy/partners/{tid}/identitysynchronization", d.patchIdentitySync)
	add("DELETE /policies/crosstenantaccesspolicy/partners/{tid}/identitysynchronization", d.deleteIdentitySync)
	m.Handle("/", d.serve(func(r *http.Request, _ map[string]any) (int, any, error) {
		return 0, nil, errorf(http.StatusBadRequest, CodeMethodNotFound, "Resource not found for the segment '%s'.", firstSegment(r.URL.Path))
	}))
	return m
}

// maxBody bounds a request body; the simulator's own body limit comes first.
const maxBody = 1 << 20

func (d *Directory) serve(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reqID := fmt.Sprintf("%08d-0000-4000-8000-000000000000", d.reqs.Add(1))
		w.Header().Set("request-id", reqID)
		fail := func(err error) { WriteError(w, err, d.opts.Now(), reqID) }
		var body map[string]any
		if r.Method == http.MethodPost || r.Method == http.MethodPatch || r.Method == http.MethodPut {
			raw, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
			if err != nil {
				fail(errorf(http.StatusBadRequest, CodeBadRequest, "Reading the request body failed: %v", err))
				return
			}
			if len(strings.TrimSpace(string(raw))) > 0 {
				if err := json.Unmarshal(raw, &body); err != nil || body == nil {
					fail(errorf(http.StatusBadRequest, CodeBadRequest, "Invalid JSON in the request body: the body must be a JSON object."))
					return
				}
			}
		}
		status, v, err := d.call(h, r, body)
		if err != nil {
			fail(err)
			return
		}
		if v == nil {
			w.WriteHeader(status)
			return
		}
		b, err := json.Marshal(v)
		if err != nil {
			fail(err)
			return
		}
		w.Header().Set("Content-Type", ContentType)
		w.WriteHeader(status)
		_, _ = w.Write(b)
	})
}

func firstSegment(p string) string {
	seg, _, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	return seg
}

// collection is an OData collection answer.
func collection(context string, items []map[string]any) map[string]any {
	if items == nil {
		items = []map[string]any{}
	}
	return map[string]any{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#" + context, "value": items}
}

func (d *Directory) getOrganization(*http.Request, map[string]any) (int, any, error) {
	org := map[string]any{
		"id":          d.opts.TenantID,
		"displayName": strings.TrimSuffix(d.opts.Domain, ".onmicrosoft.com"),
		"verifiedDomains": []map[string]any{{
			"name": d.opts.Domain, "isDefault": true, "isInitial": true, "type": "Managed",
			"capabilities": "Email, OfficeCommunicationsOnline",
		}},
	}
	return http.StatusOK, collection("organization", []map[string]any{org}), nil
}

// clone copies a JSON object deeply enough that stored objects never alias a caller's.
func clone(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	b, _ := json.Marshal(m)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}
