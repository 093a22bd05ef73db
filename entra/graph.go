package entra

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/scimsim/scimsim/wire"
)

// Graph is the provisioning service's client for cross-tenant synchronization: the target is
// another Microsoft Entra tenant, reached through Microsoft Graph v1.0 at its base URL, not a SCIM
// application ("Does cross-tenant synchronization use SCIM? No", cross-tenant-synchronization-
// overview.md, FAQ). It answers the same questions a SCIM Client answers for the provisioning steps
// (TestConnection, Match, ReadBack, Create, Update, Delete), with the same transport: the retry
// policy, attempt timeouts, recorded exchanges and redaction of the Client it wraps, and Classify
// reads its failures.
//
// Between the engine and the wire it translates values in both directions, so that the mappings'
// values and the target's compare as they are (read-backs, RedundantExport):
//   - alternativeSecurityIds, the matching attribute (AltSecIdFromNetId([netId]) in the portal), is
//     the source user's netId to the engine and, on the wire, an alternativeSecurityId whose
//     identityProvider is the source tenant and whose key is the netId's bytes (Edm.Binary, base64).
//     Graph documents the type as "For internal use only"; the shape of the value is inferred.
//   - userPrincipalName is the source user's UPN to the engine and, on the wire, its #EXT# form on the
//     target tenant's initial domain, as B2B users have it: user.upn@otherdomain.com becomes
//     user.upn_otherdomain.com#EXT#@contoso.onmicrosoft.com (cross-tenant-synchronization-
//     configure.md, troubleshooting "UserPrincipalName does not update for existing B2B users").
//     Read back, the last "_" before #EXT# is the "@" again: a domain name has no "_".
//   - accountEnabled and showInAddressList are Edm.Boolean: "true" and "True" are sent as true.
type Graph struct {
	c      *Client
	source Source
	// target is the target tenant's id and initial domain, read from GET /organization.
	target struct{ id, domain string }
}

// Source is what the Graph client knows of the source tenant: its id, and its own cross-tenant
// access setting for automatic redemption towards a target tenant (the source side of "This setting
// must be checked in both the source tenant (outbound) and target tenant (inbound)",
// cross-tenant-synchronization-configure.md, Step 3).
type Source struct {
	TenantID string
	// OutboundAllowed reports the source tenant's automaticUserConsentSettings.outboundAllowed for
	// the target tenant; nil means allowed.
	OutboundAllowed func(targetTenantID string) bool
}

// The Graph properties of the user resource the client reads ($select), the ones the simulated
// directory stores.
var userSelect = strings.Join([]string{"id", "userPrincipalName", "mail", "mailNickname", "displayName", "givenName",
	"surname", "jobTitle", "department", "companyName", "employeeId", "streetAddress", "city", "state", "postalCode",
	"country", "preferredLanguage", "mobilePhone", "officeLocation", "usageLocation", "userType", "accountEnabled",
	"showInAddressList", "creationType", "externalUserState", "onPremisesSyncEnabled", altSecIDs}, ",")

const (
	altSecIDs = "alternativeSecurityIds"
	extMarker = "#EXT#@"
	// GraphMediaType is what Microsoft Graph sends and accepts.
	GraphMediaType = "application/json"
)

// NewGraph returns a client for the target tenant whose Microsoft Graph base URL is baseURL (for
// scimsim's simulator, http://HOST/tenants/NAME/graph/v1.0), with the bearer token the target
// accepts.
func NewGraph(baseURL, token string, src Source, opts ...Option) (*Graph, error) {
	t, err := ParseTenantURL(baseURL)
	if err != nil {
		return nil, err
	}
	return NewGraphAt(t, token, src, opts...), nil
}

// NewGraphAt is NewGraph for a base URL already parsed, which must have parsed without error.
func NewGraphAt(t TenantURL, token string, src Source, opts ...Option) *Graph {
	c := NewAt(t, token, opts...)
	c.mediaType = GraphMediaType
	return &Graph{c: c, source: src}
}

// LastStatus and TakeExchanges are the wrapped Client's.
func (g *Graph) LastStatus() int           { return g.c.LastStatus() }
func (g *Graph) TakeExchanges() []Exchange { return g.c.TakeExchanges() }

// Send sends r below the base URL as Client.Send does, with Microsoft Graph's media type: the
// requests of the steps, and a request of scimsim's own that reads the tenant as it stores it.
func (g *Graph) Send(ctx context.Context, r Request) (*Response, error) { return g.c.Send(ctx, r) }

// graphError turns a non-success Graph answer into an *Error with Graph's code and message.
func graphError(r *Response) *Error {
	e := r.StatusError()
	var body struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(r.Body, &body) == nil && body.Error.Code != "" {
		e.GraphCode, e.Detail = body.Error.Code, body.Error.Message
	}
	return e
}

// object reads a JSON object answer with status want.
func (g *Graph) object(ctx context.Context, r Request, want int) (map[string]any, error) {
	resp, err := g.Send(ctx, r)
	if err != nil {
		return nil, err
	}
	if resp.Status != want {
		return nil, graphError(resp)
	}
	if err := resp.checkContent(); err != nil {
		return nil, err
	}
	m := resp.Object()
	if m == nil {
		return nil, resp.incompatible("the answer is not a JSON object")
	}
	return m, nil
}

// collection reads a Graph collection answer ({"value": [...]}).
func (g *Graph) collection(ctx context.Context, r Request) ([]map[string]any, error) {
	resp, err := g.Send(ctx, r)
	if err != nil {
		return nil, err
	}
	if resp.Status != http.StatusOK {
		return nil, graphError(resp)
	}
	if err := resp.checkContent(); err != nil {
		return nil, err
	}
	var body struct {
		Value *[]map[string]any `json:"value"`
	}
	if json.Unmarshal(resp.Body, &body) != nil || body.Value == nil {
		return nil, resp.incompatible("the answer to a query is not a Microsoft Graph collection: no value")
	}
	return *body.Value, nil
}

// organization reads the target tenant's id and initial domain (GET /organization).
func (g *Graph) organization(ctx context.Context) error {
	orgs, err := g.collection(ctx, Request{Method: http.MethodGet, Path: "/organization"})
	if err != nil {
		return err
	}
	if len(orgs) != 1 {
		return &Error{Kind: KindIncompatible, Method: http.MethodGet, URL: g.c.base + "/organization", Status: http.StatusOK,
			Detail: fmt.Sprintf("GET /organization listed %d organizations, want 1", len(orgs))}
	}
	g.target.id, _ = orgs[0]["id"].(string)
	domains, _ := orgs[0]["verifiedDomains"].([]any)
	for _, d := range domains {
		if m, ok := d.(map[string]any); ok && m["isInitial"] == true {
			g.target.domain, _ = m["name"].(string)
		}
	}
	if g.target.domain == "" {
		return &Error{Kind: KindIncompatible, Method: http.MethodGet, URL: g.c.base + "/organization", Status: http.StatusOK,
			Detail: "the organization has no initial verified domain"}
	}
	return nil
}

// Messages of the policy checks, as the provisioning service words them (cross-tenant-
// synchronization-configure.md, "Troubleshoot common cross-tenant synchronization scenarios";
// the B2B management one from the same page's earlier revision, ms.date 10/09/2024).
const (
	msgSourceConsent = "The source tenant has not enabled automatic user consent with the target tenant. Please enable the outbound cross-tenant access policy for automatic user consent in the source tenant."
	msgTargetSync    = "The target tenant has not enabled inbound synchronization with this tenant. Please request the target tenant admin to enable the inbound synchronization on their cross-tenant access policy."
	msgAutoRedeem    = "Policy permitting auto-redemption of invitations not configured."
)

// TestConnection is step 1 of cross-tenant synchronization: the policy checks Microsoft documents
// for "Test Connection" ("The synchronization engine checks to ensure that the administrator of the
// target tenant created an inbound cross-tenant synchronization policy allowing automatic redemption.
// The synchronization engine also checks if the administrator of the source tenant enabled an
// outbound policy for automatic redemption", howto-analyze-provisioning-logs.md), read from the
// target tenant's Graph: its organization, its identitySynchronization for the source tenant
// (userSyncInbound.isSyncAllowed) and its partner configuration (automaticUserConsentSettings.
// inboundAllowed), and the source tenant's own outbound setting. Which request Entra really sends is
// not documented; these are the Graph resources that hold the settings. resource, attr and probe are
// the SCIM test's and unused.
func (g *Graph) TestConnection(ctx context.Context, _, _, _ string) ([]Check, error) {
	var checks []Check
	if err := g.organization(ctx); err != nil {
		return checks, err
	}
	checks = append(checks, Check{"Target tenant", g.target.id + " (" + g.target.domain + ")"})
	src := url.PathEscape(g.source.TenantID)
	if g.source.OutboundAllowed != nil && !g.source.OutboundAllowed(g.target.id) {
		checks = append(checks, Check{"Source outbound automatic redemption", "not enabled"})
		return checks, &Finding{Code: CodeCrossTenantSyncPolicy, Reason: msgSourceConsent}
	}
	checks = append(checks, Check{"Source outbound automatic redemption", "enabled"})
	sync, err := g.object(ctx, Request{Method: http.MethodGet, Path: "/policies/crossTenantAccessPolicy/partners/" + src + "/identitySynchronization"}, http.StatusOK)
	if ge := asNotFound(err); ge {
		checks = append(checks, Check{"Target identitySynchronization", "none for " + g.source.TenantID})
		return checks, &Finding{Code: CodeCrossTenantSyncPolicy, Reason: msgTargetSync}
	} else if err != nil {
		return checks, err
	}
	in, _ := sync["userSyncInbound"].(map[string]any)
	if in["isSyncAllowed"] != true {
		checks = append(checks, Check{"Target userSyncInbound.isSyncAllowed", fmt.Sprint(in["isSyncAllowed"])})
		return checks, &Finding{Code: CodeCrossTenantSyncPolicy, Reason: msgTargetSync}
	}
	checks = append(checks, Check{"Target userSyncInbound.isSyncAllowed", "true"})
	partner, err := g.object(ctx, Request{Method: http.MethodGet, Path: "/policies/crossTenantAccessPolicy/partners/" + src}, http.StatusOK)
	if err != nil && !asNotFound(err) {
		return checks, err
	}
	consent, _ := partner["automaticUserConsentSettings"].(map[string]any)
	if consent["inboundAllowed"] != true {
		checks = append(checks, Check{"Target automaticUserConsentSettings.inboundAllowed", fmt.Sprint(consent["inboundAllowed"])})
		return checks, &Finding{Code: CodeB2BManagementPolicy, Reason: msgAutoRedeem}
	}
	return append(checks, Check{"Target automaticUserConsentSettings.inboundAllowed", "true"}), nil
}

func asNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == KindStatus && e.Status == http.StatusNotFound
}

// filterFor is the $filter that finds the target users whose attr equals the engine's value.
func (g *Graph) filterFor(attr, value string) string {
	if strings.EqualFold(attr, altSecIDs) {
		return fmt.Sprintf("%s/any(x:x/key eq '%s')", altSecIDs, odataString(base64.StdEncoding.EncodeToString([]byte(value))))
	}
	v, _ := g.toWire(attr, value)
	return fmt.Sprintf("%s eq '%s'", attr, odataString(fmt.Sprint(v)))
}

func odataString(s string) string { return strings.ReplaceAll(s, "'", "''") }

// Match is step 4: the target users whose attr equals value, read back in the engine's values.
func (g *Graph) Match(ctx context.Context, _ string, attr, value string) (string, []Resource, error) {
	filter := g.filterFor(attr, value)
	users, err := g.collection(ctx, Request{Method: http.MethodGet, Path: "/users",
		Query: url.Values{"$filter": {filter}, "$select": {userSelect}}})
	if err != nil {
		return filter, nil, err
	}
	out := make([]Resource, 0, len(users))
	for i, u := range users {
		if id, _ := u["id"].(string); id == "" {
			return filter, nil, &Error{Kind: KindIncompatible, Method: http.MethodGet, URL: g.c.base + "/users", Status: http.StatusOK,
				Detail: fmt.Sprintf("value[%d] has no id", i)}
		}
		out = append(out, g.fromWire(u))
	}
	return filter, out, nil
}

// ReadBack reads a user after a write (scimsim's own request, as for SCIM).
func (g *Graph) ReadBack(ctx context.Context, _ string, id string) (Resource, error) {
	u, err := g.object(ctx, Request{Method: http.MethodGet, Path: "/users/" + url.PathEscape(id),
		Query: url.Values{"$select": {userSelect}}, By: wire.ByScimsim}, http.StatusOK)
	if err != nil {
		return nil, err
	}
	return g.fromWire(u), nil
}

// Create creates the B2B collaboration user in the target tenant (POST /users) from the mapped
// attributes; the SCIM envelope of the engine's create body (schemas, meta) is not sent.
func (g *Graph) Create(ctx context.Context, _ string, body Resource) (Resource, error) {
	if g.target.domain == "" {
		if err := g.organization(ctx); err != nil {
			return nil, err
		}
	}
	out := map[string]any{}
	for k, v := range body {
		if k == "schemas" || k == "meta" {
			continue
		}
		wv, err := g.toWire(k, v)
		if err != nil {
			return nil, err
		}
		out[k] = wv
	}
	u, err := g.object(ctx, Request{Method: http.MethodPost, Path: "/users", Body: out}, http.StatusCreated)
	if err != nil {
		return nil, err
	}
	if id, _ := u["id"].(string); id == "" {
		return nil, &Error{Kind: KindIncompatible, Method: http.MethodPost, URL: g.c.base + "/users", Status: http.StatusCreated, Detail: "the created user has no id"}
	}
	return g.fromWire(u), nil
}

// Update sends the changed properties in one PATCH. When the directory refuses it because a
// property is mastered by Exchange Online and showInAddressList is among the changes, the update is
// sent again without showInAddressList: "In some cases (for example when showInAddressList property
// is part of the user update), the synchronization engine might automatically retry the (user)
// update without the offending property" (howto-analyze-provisioning-logs.md, cross-tenant error
// codes).
func (g *Graph) Update(ctx context.Context, _ string, id string, changes []Change) error {
	if g.target.domain == "" {
		if err := g.organization(ctx); err != nil {
			return err
		}
	}
	body := map[string]any{}
	for _, ch := range changes {
		wv, err := g.toWire(ch.Path, ch.Value)
		if err != nil {
			return err
		}
		body[ch.Path] = wv
	}
	err := g.patch(ctx, id, body)
	var e *Error
	if errors.As(err, &e) && isExternalService(e) {
		if _, has := body["showInAddressList"]; has {
			delete(body, "showInAddressList")
			if len(body) == 0 {
				return err
			}
			return g.patch(ctx, id, body)
		}
	}
	return err
}

func (g *Graph) patch(ctx context.Context, id string, body map[string]any) error {
	resp, err := g.Send(ctx, Request{Method: http.MethodPatch, Path: "/users/" + url.PathEscape(id), Body: body})
	if err != nil {
		return err
	}
	if resp.Status != http.StatusNoContent && resp.Status != http.StatusOK {
		return graphError(resp)
	}
	return nil
}

// Delete soft-deletes the user in the target tenant (DELETE /users/{id}): "If a user is removed
// from the scope of sync in a source tenant, will cross-tenant synchronization soft delete them in
// the target tenant? Yes." (cross-tenant-synchronization-overview.md, FAQ).
func (g *Graph) Delete(ctx context.Context, _ string, id string) error {
	resp, err := g.Send(ctx, Request{Method: http.MethodDelete, Path: "/users/" + url.PathEscape(id)})
	if err != nil {
		return err
	}
	if resp.Status != http.StatusNoContent && resp.Status != http.StatusOK {
		return graphError(resp)
	}
	return nil
}

// boolProps are the Edm.Boolean properties the mappings write.
var boolProps = []string{"accountEnabled", "showInAddressList"}

// toWire is a mapped value as Graph takes it.
func (g *Graph) toWire(prop string, v any) (any, error) {
	if strings.ContainsAny(prop, ".[:") {
		return nil, fmt.Errorf("the mapping target %q is not a property of the Microsoft Graph user resource (cross-tenant synchronization maps user properties by name)", prop)
	}
	switch {
	case strings.EqualFold(prop, altSecIDs):
		return []any{map[string]any{"identityProvider": g.source.TenantID, "key": base64.StdEncoding.EncodeToString([]byte(fmt.Sprint(v)))}}, nil
	case strings.EqualFold(prop, "userPrincipalName"):
		s := fmt.Sprint(v)
		if strings.Contains(s, extMarker) || g.target.domain == "" {
			return s, nil
		}
		return strings.Replace(s, "@", "_", 1) + extMarker + g.target.domain, nil
	}
	for _, b := range boolProps {
		if strings.EqualFold(prop, b) {
			if s, ok := v.(string); ok {
				if parsed, err := strconv.ParseBool(s); err == nil {
					return parsed, nil
				}
			}
		}
	}
	return v, nil
}

// fromWire is a Graph user as the engine compares it with the mappings' values.
func (g *Graph) fromWire(u map[string]any) Resource {
	out := make(Resource, len(u))
	for k, v := range u {
		if strings.HasPrefix(k, "@odata.") {
			continue
		}
		out[k] = v
	}
	if list, ok := u[altSecIDs].([]any); ok {
		for _, el := range list {
			m, _ := el.(map[string]any)
			key, _ := m["key"].(string)
			if raw, err := base64.StdEncoding.DecodeString(key); err == nil && key != "" {
				if idp, _ := m["identityProvider"].(string); idp == g.source.TenantID || len(list) == 1 {
					out[altSecIDs] = string(raw)
					break
				}
			}
		}
	}
	if upn, ok := u["userPrincipalName"].(string); ok {
		if i := strings.Index(upn, extMarker); i > 0 {
			local := upn[:i]
			if j := strings.LastIndex(local, "_"); j > 0 {
				out["userPrincipalName"] = local[:j] + "@" + local[j+1:]
			}
		}
	}
	return out
}

// The directory's messages the provisioning service turns into its cross-tenant error codes: Graph's
// own for the source-of-authority refusals and the proxy-address conflict (field reports: Graph
// answers quoted in scripts that handle them), the provisioning logs' for the others.
const (
	graphMsgMasteredOnPrem  = "on-premises mastered Directory Sync objects"
	graphMsgExternalService = "originated within an external service"
	graphMsgProxyTaken      = "same value for property proxyAddresses"
	graphMsgUserType        = "property 'userType'"
	graphMsgInvitesBlocked  = "Guest invitations not allowed"
	graphMsgSyncNotAllowed  = "has not enabled inbound synchronization"
)

func isExternalService(e *Error) bool {
	return e.Status == http.StatusBadRequest && strings.Contains(e.Detail, graphMsgExternalService)
}

// classifyGraph reads a Microsoft Graph error answer (GraphCode set) as the cross-tenant error code
// the provisioning logs give for it; ok is false for an answer with no cross-tenant meaning, which
// is read as any other.
func classifyGraph(e *Error, c Context) (Verdict, bool) {
	if e.GraphCode == "" {
		return Verdict{}, false
	}
	reason := e.Error()
	switch d := e.Detail; {
	case e.Status == http.StatusBadRequest && strings.Contains(d, graphMsgMasteredOnPrem):
		return verdict(CodeMasteredOnPremises, c.Step, reason), true
	case isExternalService(e):
		return verdict(CodeOriginatedExternally, c.Step, reason), true
	case e.Status == http.StatusBadRequest && strings.Contains(d, graphMsgProxyTaken):
		return verdict(CodeInvitationAmbiguousUser, c.Step, reason), true
	case e.Status == http.StatusBadRequest && strings.Contains(d, graphMsgUserType):
		return verdict(CodeInvitationInvalidProperty, c.Step, reason), true
	case e.Status == http.StatusForbidden && strings.Contains(d, graphMsgInvitesBlocked):
		return verdict(CodeCrossTenantForbidden, c.Step, reason), true
	case e.Status == http.StatusForbidden && strings.Contains(d, graphMsgSyncNotAllowed):
		return verdict(CodeCrossTenantSyncPolicy, c.Step, reason), true
	}
	return Verdict{}, false
}
