package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/scenarios"
	"github.com/scimsim/scimsim/simulator"
	"github.com/scimsim/scimsim/simulator/graph"
	"github.com/scimsim/scimsim/wire"
)

// Simulator runs every scenario on its own tenant of a simulator, named after the scenario's id, so
// that scenarios can run in parallel (ginkgo -p) against one server.
type Simulator struct {
	srv  *simulator.Server
	root string
}

// NewSimulator returns a Target over srv, which serves at rootURL.
func NewSimulator(srv *simulator.Server, rootURL string) *Simulator {
	return &Simulator{srv: srv, root: strings.TrimSuffix(rootURL, "/")}
}

// Prepare resets the scenario's tenant, then gives it the scenario's profile, token, resources and
// faults.
func (s *Simulator) Prepare(_ context.Context, sc *scenarios.Scenario) (Endpoint, error) {
	if !simulator.ValidTenantName(sc.ID) {
		return Endpoint{}, fmt.Errorf("scenario id %q cannot name a simulator tenant", sc.ID)
	}
	if sc.Target.Entra() {
		return s.prepareEntra(sc)
	}
	t := s.srv.Tenant(sc.ID)
	t.Reset()
	token := sc.Target.TokenOrDefault()
	if b := sc.Target.Basic; b != nil {
		t.ConfigureBasic(simulator.Profile(sc.Target.ProfileOrDefault()), b.Username, b.Password)
	} else {
		t.Configure(simulator.Profile(sc.Target.ProfileOrDefault()), token)
	}
	var cs simulator.CustomSchemas
	names, files, err := sc.ReadSchemas()
	if err != nil {
		return Endpoint{}, fmt.Errorf("%s: target.schemas: %w", sc.File, err)
	}
	for i, b := range files {
		s, err := simulator.LoadSchemas(names[i], b)
		if err != nil {
			return Endpoint{}, fmt.Errorf("%s: target.schemas: %w", sc.File, err)
		}
		cs.Schemas = append(cs.Schemas, s...)
	}
	if err := t.SetSchemas(cs); err != nil {
		return Endpoint{}, fmt.Errorf("%s: target.schemas: %w", sc.File, err)
	}
	if len(sc.Target.Users) > 0 || len(sc.Target.Groups) > 0 {
		if _, _, err := t.Seed(sc.Target.Users, sc.Target.Groups); err != nil {
			return Endpoint{}, fmt.Errorf("%s: seed the target: %w", sc.File, err)
		}
	}
	if err := addFaults(t, sc); err != nil {
		return Endpoint{}, err
	}
	return Endpoint{URL: s.root + t.SCIMPath(), Root: s.root, Token: token}, nil
}

// Users returns how many users the scenario's tenant holds.
func (s *Simulator) Users(sc *scenarios.Scenario) (int, error) {
	if sc.Target.Entra() {
		live, _ := s.srv.Tenant(sc.ID).Directory().Counts()
		return live, nil
	}
	return s.srv.Tenant(sc.ID).Users(), nil
}

// GroupMembers returns how many members the group called displayName holds in the scenario's
// tenant. It asks the tenant's SCIM API, as any client would, for the group's members (a request
// Entra does not make: its group reads leave members out).
func (s *Simulator) GroupMembers(ctx context.Context, sc *scenarios.Scenario, displayName string) (int, error) {
	c, err := s.client(sc)
	if err != nil {
		return 0, err
	}
	req := entra.QueryRequest(wire.Groups, wire.EqFilter("displayName", displayName))
	req.Query = url.Values{"filter": req.Query["filter"], "attributes": {"members"}}
	req.By = wire.ByScimsim
	lr, err := c.List(ctx, req)
	if err != nil {
		return 0, err
	}
	if len(lr.Resources) != 1 {
		return 0, fmt.Errorf("the target holds %d groups called %q, want 1", len(lr.Resources), displayName)
	}
	members, _ := wire.Field(lr.Resources[0], "members").([]any)
	return len(members), nil
}

// StoredUser returns the user called userName as the scenario's tenant stores it, read with GET
// /Users?filter=userName eq "..." as any client would, so that a fault matching that request applies
// to the inspection too; nil when the tenant holds no such user.
func (s *Simulator) StoredUser(ctx context.Context, sc *scenarios.Scenario, userName string) (map[string]any, error) {
	if sc.Target.Entra() {
		return s.storedGraphUser(ctx, sc, userName)
	}
	c, err := s.client(sc)
	if err != nil {
		return nil, err
	}
	resp, err := c.Send(ctx, entra.QueryRequest(wire.Users, wire.EqFilter("userName", userName)))
	if err != nil {
		return nil, err
	}
	return oneUser(resp.Status, resp.Body, userName)
}

// client returns a SCIM client of the scenario's tenant that sends each request once.
func (s *Simulator) client(sc *scenarios.Scenario) (*entra.Client, error) {
	return entra.New(s.root+s.srv.Tenant(sc.ID).SCIMPath(), sc.Target.TokenOrDefault(),
		entra.WithHTTPClient(defaultClient()), entra.WithMaxAttempts(1))
}

// oneUser picks the user called userName (case-insensitively, RFC 7643 §4.1.1 makes userName
// caseExact false) out of a ListResponse: nil when there is none, an error when there are several.
func oneUser(status int, body []byte, userName string) (map[string]any, error) {
	var list struct {
		Resources []map[string]any `json:"Resources"`
	}
	if status != http.StatusOK || json.Unmarshal(body, &list) != nil {
		return nil, fmt.Errorf("GET Users for %q answered %d: %s", userName, status, clip(body))
	}
	var found []map[string]any
	for _, u := range list.Resources {
		if n, _ := u["userName"].(string); strings.EqualFold(n, userName) {
			found = append(found, u)
		}
	}
	return theOne(found, "the target", fmt.Sprintf("called %q", userName))
}

// theOne returns the one user of found, nil when there is none; several are an error saying that
// holder holds them, which users (called) and that one was wanted.
func theOne(found []map[string]any, holder, called string) (map[string]any, error) {
	switch len(found) {
	case 0:
		return nil, nil
	case 1:
		return found[0], nil
	}
	return nil, fmt.Errorf("%s holds %d users %s, want 1", holder, len(found), called)
}

// addFaults gives the scenario's tenant t the scenario's faults.
func addFaults(t *simulator.Tenant, sc *scenarios.Scenario) error {
	for i, f := range sc.Target.Faults {
		if _, err := t.Faults().Add(FaultSpec(f)); err != nil {
			return fmt.Errorf("%s: target.faults[%d]: %w", sc.File, i, err)
		}
	}
	return nil
}

// prepareEntra readies an Entra tenant for a cross-tenant scenario (target.kind: entra): the
// tenant of the scenario's id made an Entra tenant, emptied, given the scenario's token, tenant id,
// users, deleted users, partner configurations, authorization policy and faults. The endpoint is its
// Microsoft Graph base URL.
func (s *Simulator) prepareEntra(sc *scenarios.Scenario) (Endpoint, error) {
	t := s.srv.Tenant(sc.ID)
	t.Reset()
	if err := t.SetKind(simulator.KindEntra); err != nil {
		return Endpoint{}, fmt.Errorf("%s: %w", sc.File, err)
	}
	token := sc.Target.TokenOrDefault()
	t.Configure(simulator.ProfileEntra, token)
	d := t.Directory()
	d.SetTenantID(sc.Target.TenantIDOrDefault())
	d.SetDomain(sc.Target.DomainOrDefault())
	seed := graph.Seed{Users: sc.Target.Users, DeletedUsers: sc.Target.DeletedUsers, Partners: sc.Target.Partners, AuthorizationPolicy: sc.Target.AuthorizationPolicy}
	if err := d.Seed(seed); err != nil {
		return Endpoint{}, fmt.Errorf("%s: seed the target tenant: %w", sc.File, err)
	}
	if err := addFaults(t, sc); err != nil {
		return Endpoint{}, err
	}
	return Endpoint{URL: s.root + t.GraphPath(), Root: s.root, Token: token}, nil
}

// DeletedUserCounter is a Target that can count the users an Entra target holds in its deleted
// items after a run (expect.targetDeletedUsers).
type DeletedUserCounter interface {
	DeletedUsers(sc *scenarios.Scenario) (int, error)
}

// DeletedUsers returns how many users the scenario's Entra tenant holds in its deleted items.
func (s *Simulator) DeletedUsers(sc *scenarios.Scenario) (int, error) {
	if !sc.Target.Entra() {
		return 0, fmt.Errorf("%s: the target is a SCIM application, which has no deleted items", sc.File)
	}
	_, del := s.srv.Tenant(sc.ID).Directory().Counts()
	return del, nil
}

// storedGraphUser reads the user whose userPrincipalName is upn from the scenario's Entra tenant,
// through its Graph API with entra's Graph client, as any client would (GET
// /users?$filter=userPrincipalName eq '...'), with every property the tenant stores ($select).
func (s *Simulator) storedGraphUser(ctx context.Context, sc *scenarios.Scenario, upn string) (map[string]any, error) {
	g, err := entra.NewGraph(s.root+s.srv.Tenant(sc.ID).GraphPath(), sc.Target.TokenOrDefault(), entra.Source{},
		entra.WithHTTPClient(defaultClient()), entra.WithMaxAttempts(1))
	if err != nil {
		return nil, err
	}
	resp, err := g.Send(ctx, entra.Request{Method: http.MethodGet, Path: "/users", By: wire.ByScimsim, Query: url.Values{
		"$filter": {fmt.Sprintf("userPrincipalName eq '%s'", strings.ReplaceAll(upn, "'", "''"))},
		"$select": {"userPrincipalName,mail,displayName,givenName,surname,userType,creationType,externalUserState,showInAddressList,accountEnabled,alternativeSecurityIds,department,city,country,preferredLanguage,mailNickname,employeeId"},
	}})
	if err != nil {
		return nil, err
	}
	var list struct {
		Value []map[string]any `json:"value"`
	}
	if resp.Status != http.StatusOK || json.Unmarshal(resp.Body, &list) != nil {
		return nil, fmt.Errorf("GET users for %q answered %d: %s", upn, resp.Status, clip(resp.Body))
	}
	return theOne(list.Value, "the target tenant", fmt.Sprintf("with userPrincipalName %q", upn))
}
