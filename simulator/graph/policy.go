package graph

import (
	"net/http"
	"slices"
	"strings"
)

// Partner configurations (crossTenantAccessPolicyConfigurationPartner, Microsoft Graph v1.0): the
// target tenant's cross-tenant access settings for one partner tenant. The properties cross-tenant
// synchronization depends on are automaticUserConsentSettings (an inboundOutboundPolicyConfiguration:
// "Unless specifically configured, the inboundAllowed and outboundAllowed properties are null and
// inherit from the default settings, which is always false") and the identitySynchronization
// relationship (crossTenantIdentitySyncPolicyPartner, with userSyncInbound.isSyncAllowed: "Defines
// whether user objects should be synchronized from the partner tenant. false causes any current user
// synchronization from the source tenant to the target tenant to stop"). The B2B collaboration and
// direct connect settings and inboundTrust are kept as given and not interpreted.
var partnerProps = []string{
	"tenantId", "automaticUserConsentSettings", "b2bCollaborationInbound", "b2bCollaborationOutbound",
	"b2bDirectConnectInbound", "b2bDirectConnectOutbound", "inboundTrust", "isInMultiTenantOrganization",
	"isServiceProvider",
}

func newPartner(in map[string]any) (map[string]any, error) {
	tid := str(in["tenantId"])
	if tid == "" {
		return nil, errorf(http.StatusBadRequest, CodeBadRequest, "Property 'tenantId' is required for a partner configuration.")
	}
	p := map[string]any{"tenantId": strings.ToLower(tid), "automaticUserConsentSettings": map[string]any{"inboundAllowed": nil, "outboundAllowed": nil},
		"b2bCollaborationInbound": nil, "b2bCollaborationOutbound": nil, "b2bDirectConnectInbound": nil,
		"b2bDirectConnectOutbound": nil, "inboundTrust": nil, "isInMultiTenantOrganization": false, "isServiceProvider": false}
	return p, patchPartner(p, in)
}

func patchPartner(p, in map[string]any) error {
	for k, v := range in {
		if !slices.Contains(partnerProps, k) {
			return errorf(http.StatusBadRequest, CodeBadRequest, "Property '%s' does not exist on type 'microsoft.graph.crossTenantAccessPolicyConfigurationPartner'.", k)
		}
		switch k {
		case "tenantId":
			if !strings.EqualFold(str(v), str(p["tenantId"])) {
				return errorf(http.StatusBadRequest, CodeBadRequest, "Property 'tenantId' is the key of the partner configuration and cannot be changed.")
			}
		case "automaticUserConsentSettings":
			m, ok := v.(map[string]any)
			if !ok {
				return errorf(http.StatusBadRequest, CodeBadRequest, "automaticUserConsentSettings: want an inboundOutboundPolicyConfiguration object.")
			}
			for ak, av := range m {
				if ak != "inboundAllowed" && ak != "outboundAllowed" {
					return errorf(http.StatusBadRequest, CodeBadRequest, "Property '%s' does not exist on type 'microsoft.graph.inboundOutboundPolicyConfiguration'.", ak)
				}
				if _, isBool := av.(bool); !isBool && av != nil {
					return errorf(http.StatusBadRequest, CodeBadRequest, "Cannot convert the literal '%v' to the expected type 'Edm.Boolean'.", av)
				}
			}
			p[k] = map[string]any{"inboundAllowed": m["inboundAllowed"], "outboundAllowed": m["outboundAllowed"]}
		case "isInMultiTenantOrganization", "isServiceProvider":
			if _, ok := v.(bool); !ok {
				return errorf(http.StatusBadRequest, CodeBadRequest, "Cannot convert the literal '%v' to the expected type 'Edm.Boolean'.", v)
			}
			p[k] = v
		default:
			p[k] = v
		}
	}
	return nil
}

func newIdentitySync(tid string, in map[string]any) (map[string]any, error) {
	s := map[string]any{"tenantId": strings.ToLower(tid), "displayName": nil, "userSyncInbound": map[string]any{"isSyncAllowed": false}}
	return s, patchIdentitySync(s, in)
}

func patchIdentitySync(s, in map[string]any) error {
	for k, v := range in {
		switch k {
		case "tenantId":
			if !strings.EqualFold(str(v), str(s["tenantId"])) {
				return errorf(http.StatusBadRequest, CodeBadRequest, "Property 'tenantId' of identitySynchronization must be the partner's tenant id.")
			}
		case "displayName":
			if _, ok := v.(string); !ok && v != nil {
				return errorf(http.StatusBadRequest, CodeBadRequest, "Invalid value specified for property 'displayName'.")
			}
			s[k] = v
		case "userSyncInbound":
			m, ok := v.(map[string]any)
			if !ok {
				return errorf(http.StatusBadRequest, CodeBadRequest, "userSyncInbound: want a crossTenantUserSyncInbound object.")
			}
			allowed, ok := m["isSyncAllowed"].(bool)
			if !ok || len(m) != 1 {
				return errorf(http.StatusBadRequest, CodeBadRequest, "userSyncInbound: want {\"isSyncAllowed\": true|false}.")
			}
			s[k] = map[string]any{"isSyncAllowed": allowed}
		default:
			return errorf(http.StatusBadRequest, CodeBadRequest, "Property '%s' does not exist on type 'microsoft.graph.crossTenantIdentitySyncPolicyPartner'.", k)
		}
	}
	return nil
}

func (d *Directory) partnerIndexLocked(tid string) int {
	return slices.IndexFunc(d.partners, func(p map[string]any) bool { return strings.EqualFold(str(p["tenantId"]), tid) })
}

func (d *Directory) putPartnerLocked(p map[string]any) {
	if i := d.partnerIndexLocked(str(p["tenantId"])); i >= 0 {
		d.partners[i] = p
		return
	}
	d.partners = append(d.partners, p)
}

// syncAllowedLocked refuses a write for a user of partner when the partner's inbound user
// synchronization is not allowed (no identitySynchronization, or isSyncAllowed false): "false causes
// any current user synchronization from the source tenant to the target tenant to stop". The answer's
// wording is the provisioning service's message for the same check (cross-tenant-synchronization-
// configure.md, AzureActiveDirectoryCrossTenantSyncPolicyCheckFailure); that Graph refuses the write
// with 403 is inferred.
func (d *Directory) syncAllowedLocked(partner string) error {
	s := d.syncs[strings.ToLower(partner)]
	if s == nil {
		return errorf(http.StatusForbidden, CodeForbidden, msgSyncNotAllowed)
	}
	if in, _ := s["userSyncInbound"].(map[string]any); in["isSyncAllowed"] != true {
		return errorf(http.StatusForbidden, CodeForbidden, msgSyncNotAllowed)
	}
	return nil
}

func (d *Directory) listPartners(*http.Request, map[string]any) (int, any, error) {
	out := make([]map[string]any, 0, len(d.partners))
	for _, p := range d.partners {
		out = append(out, clone(p))
	}
	return http.StatusOK, collection("policies/crossTenantAccessPolicy/partners", out), nil
}

func (d *Directory) createPartner(_ *http.Request, body map[string]any) (int, any, error) {
	p, err := newPartner(body)
	if err != nil {
		return 0, nil, err
	}
	if d.partnerIndexLocked(str(p["tenantId"])) >= 0 {
		return 0, nil, errorf(http.StatusConflict, CodeBadRequest, "A partner configuration for tenant '%s' already exists.", p["tenantId"])
	}
	d.partners = append(d.partners, p)
	return http.StatusCreated, clone(p), nil
}

func (d *Directory) getPartner(r *http.Request, _ map[string]any) (int, any, error) {
	i := d.partnerIndexLocked(r.PathValue("tid"))
	if i < 0 {
		return 0, nil, notFound(r.PathValue("tid"))
	}
	return http.StatusOK, clone(d.partners[i]), nil
}

func (d *Directory) updatePartner(r *http.Request, body map[string]any) (int, any, error) {
	i := d.partnerIndexLocked(r.PathValue("tid"))
	if i < 0 {
		return 0, nil, notFound(r.PathValue("tid"))
	}
	next := clone(d.partners[i])
	if err := patchPartner(next, body); err != nil {
		return 0, nil, err
	}
	d.partners[i] = next
	return http.StatusNoContent, nil, nil
}

func (d *Directory) deletePartner(r *http.Request, _ map[string]any) (int, any, error) {
	tid := r.PathValue("tid")
	i := d.partnerIndexLocked(tid)
	if i < 0 {
		return 0, nil, notFound(tid)
	}
	d.partners = slices.Delete(d.partners, i, i+1)
	delete(d.syncs, strings.ToLower(tid))
	return http.StatusNoContent, nil, nil
}

func (d *Directory) getIdentitySync(r *http.Request, _ map[string]any) (int, any, error) {
	tid := r.PathValue("tid")
	if d.partnerIndexLocked(tid) < 0 {
		return 0, nil, notFound(tid)
	}
	s := d.syncs[strings.ToLower(tid)]
	if s == nil {
		return 0, nil, notFound(tid + "/identitySynchronization")
	}
	return http.StatusOK, clone(s), nil
}

// putIdentitySync creates (or replaces) the partner's user synchronization policy, as Graph's "Create
// identitySynchronization" does with PUT; the partner configuration must exist.
func (d *Directory) putIdentitySync(r *http.Request, body map[string]any) (int, any, error) {
	tid := r.PathValue("tid")
	if d.partnerIndexLocked(tid) < 0 {
		return 0, nil, notFound(tid)
	}
	s, err := newIdentitySync(tid, body)
	if err != nil {
		return 0, nil, err
	}
	d.syncs[strings.ToLower(tid)] = s
	return http.StatusNoContent, nil, nil
}

func (d *Directory) patchIdentitySync(r *http.Request, body map[string]any) (int, any, error) {
	tid := r.PathValue("tid")
	s := d.syncs[strings.ToLower(tid)]
	if s == nil {
		return 0, nil, notFound(tid + "/identitySynchronization")
	}
	next := clone(s)
	if err := patchIdentitySync(next, body); err != nil {
		return 0, nil, err
	}
	d.syncs[strings.ToLower(tid)] = next
	return http.StatusNoContent, nil, nil
}

func (d *Directory) deleteIdentitySync(r *http.Request, _ map[string]any) (int, any, error) {
	tid := strings.ToLower(r.PathValue("tid"))
	if d.syncs[tid] == nil {
		return 0, nil, notFound(tid + "/identitySynchronization")
	}
	delete(d.syncs, tid)
	return http.StatusNoContent, nil, nil
}

// The authorization policy's allowInvitesFrom (authorizationPolicy resource, Microsoft Graph v1.0):
// "none" is the external collaboration setting "No one in the organization can invite guest users
// including admins (most restrictive)", under which cross-tenant synchronization fails with
// AzureActiveDirectoryForbidden.
var allowInvitesFrom = []string{"none", "adminsAndGuestInviters", "adminsGuestInvitersAndAllMembers", "everyone"}

func defaultAuthorizationPolicy() map[string]any {
	return map[string]any{"id": "authorizationPolicy", "displayName": "Authorization Policy", "allowInvitesFrom": "everyone"}
}

func patchAuthorizationPolicy(p, in map[string]any) error {
	for k, v := range in {
		if k != "allowInvitesFrom" {
			return errorf(http.StatusBadRequest, CodeBadRequest, "Property '%s' of authorizationPolicy is not modelled by scimsim (only allowInvitesFrom is).", k)
		}
		if !slices.Contains(allowInvitesFrom, str(v)) {
			return errorf(http.StatusBadRequest, CodeBadRequest, "Invalid value '%v' for allowInvitesFrom (want one of %s).", v, strings.Join(allowInvitesFrom, ", "))
		}
		p[k] = v
	}
	return nil
}

func (d *Directory) getAuthorizationPolicy(*http.Request, map[string]any) (int, any, error) {
	return http.StatusOK, clone(d.authz), nil
}

func (d *Directory) updateAuthorizationPolicy(_ *http.Request, body map[string]any) (int, any, error) {
	next := clone(d.authz)
	if err := patchAuthorizationPolicy(next, body); err != nil {
		return 0, nil, err
	}
	d.authz = next
	return http.StatusNoContent, nil, nil
}
