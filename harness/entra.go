package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/scimsim/scimsim/scenarios"
	"github.com/scimsim/scimsim/simulator"
	"github.com/scimsim/scimsim/simulator/graph"
)

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
	for i, f := range sc.Target.Faults {
		if _, err := t.Faults().Add(FaultSpec(f)); err != nil {
			return Endpoint{}, fmt.Errorf("%s: target.faults[%d]: %w", sc.File, i, err)
		}
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
// through its Graph API as any client would (GET /users?$filter=userPrincipalName eq '...'), with
// every property the tenant stores ($select).
func (s *Simulator) storedGraphUser(ctx context.Context, sc *scenarios.Scenario, upn string) (map[string]any, error) {
	t := s.srv.Tenant(sc.ID)
	q := url.Values{
		"$filter": {fmt.Sprintf("userPrincipalName eq '%s'", strings.ReplaceAll(upn, "'", "''"))},
		"$select": {"userPrincipalName,mail,displayName,givenName,surname,userType,creationType,externalUserState,showInAddressList,accountEnabled,alternativeSecurityIds,department,city,country,preferredLanguage,mailNickname,employeeId"},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.root+t.GraphPath()+"/users?"+strings.ReplaceAll(q.Encode(), "+", "%20"), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+sc.Target.TokenOrDefault())
	resp, err := defaultClient().Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	var list struct {
		Value []map[string]any `json:"value"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &list) != nil {
		return nil, fmt.Errorf("GET users for %q answered %d: %s", upn, resp.StatusCode, clip(body))
	}
	switch len(list.Value) {
	case 0:
		return nil, nil
	case 1:
		return list.Value[0], nil
	}
	return nil, fmt.Errorf("the target tenant holds %d users with userPrincipalName %q, want 1", len(list.Value), upn)
}
