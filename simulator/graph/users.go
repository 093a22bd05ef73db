package graph

import (
	"net/http"
	"slices"
	"strings"
)

// The user properties the directory stores (Microsoft Graph v1.0, "user resource type",
// Properties): the ones cross-tenant synchronization maps by default and the ones its troubleshooting
// pages name. Writing any other property is a 400, as Graph refuses an undeclared property.
var (
	stringProps = []string{
		"userPrincipalName", "mail", "mailNickname", "displayName", "givenName", "surname",
		"jobTitle", "department", "companyName", "employeeId", "streetAddress", "city", "state",
		"postalCode", "country", "preferredLanguage", "mobilePhone", "officeLocation", "usageLocation",
		"userType",
	}
	boolProps = []string{"accountEnabled", "showInAddressList"}
	// readOnlyProps are set by the directory; only a seed may give them.
	readOnlyProps = []string{"id", "creationType", "externalUserState", "externalUserStateChangeDateTime", "onPremisesSyncEnabled", "deletedDateTime"}
	// defaultProps are what Graph returns for a user without $select ("Returned by default").
	defaultProps = []string{"businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone",
		"officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id"}
	// exchangeProps are mastered by Exchange Online for a user that was synchronized from
	// on-premises and no longer is: "The operation failed in Microsoft Graph API because of Source of
	// Authority (SOA) enforcement. Currently, the following properties show up in the list: Mail,
	// showInAddressList" (howto-analyze-provisioning-logs.md, cross-tenant error codes).
	exchangeProps = []string{"mail", "showInAddressList"}
)

// alternativeSecurityIds is the source identity of an external user: "an internal attribute used to
// uniquely identify the user across tenants, match users in the source tenant with existing users in
// the target tenant, and ensure that each user only has one account" (cross-tenant-synchronization-
// configure.md, Step 9). Graph documents its element type, alternativeSecurityId {type,
// identityProvider, key}, as "For internal use only"; the directory stores and filters on it so that a
// match can be watched, which Graph itself does not offer.
const altSecIDs = "alternativeSecurityIds"

// Graph's messages for the refusals the directory reproduces, as field reports quote them.
const (
	msgUPNTaken = "Another object with the same value for property userPrincipalName already exists."
	// A proxy address (mail) held by another object: the conflict behind
	// InvitationCreationFailureAmbiguousUser ("The invited user has a proxy address that matches an
	// internal user in the target tenant").
	msgProxyTaken      = "Another object with the same value for property proxyAddresses already exists."
	msgMasteredOnPrem  = "Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration."
	msgExternalService = "Unable to update the specified properties for objects that have originated within an external service."
	msgInvitesBlocked  = "Guest invitations not allowed for your company. Contact your company administrator for more details."
	msgSyncNotAllowed  = "The target tenant has not enabled inbound synchronization with this tenant."
	msgBadDomain       = "The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization."
)

func notFound(id string) error {
	return errorf(http.StatusNotFound, CodeNotFound, "Resource '%s' does not exist or one of its queried reference-property objects are not present.", id)
}

// seedUser validates a seeded user: any declared property, read-only ones included.
func (d *Directory) seedUser(u map[string]any) (map[string]any, error) {
	in := clone(u)
	if err := checkProps(in, true); err != nil {
		return nil, err
	}
	if _, ok := in["id"].(string); !ok {
		in["id"] = d.newID()
	}
	if _, ok := in["userPrincipalName"].(string); !ok {
		return nil, errorf(http.StatusBadRequest, CodeBadRequest, "userPrincipalName is required")
	}
	if _, ok := in["accountEnabled"]; !ok {
		in["accountEnabled"] = true
	}
	if _, ok := in["userType"]; !ok {
		in["userType"] = "Member"
	}
	return in, nil
}

func (d *Directory) newID() string {
	if d.opts.NewID != nil {
		return d.opts.NewID()
	}
	return "00000000-0000-4000-8000-000000000000"
}

// checkProps refuses undeclared properties and values of the wrong type; readOnly allows the
// read-only ones (a seed).
func checkProps(u map[string]any, readOnly bool) error {
	for k, v := range u {
		switch {
		case slices.Contains(stringProps, k):
			if _, ok := v.(string); !ok && v != nil {
				return errorf(http.StatusBadRequest, CodeBadRequest, "Invalid value specified for property '%s' of resource 'User'.", k)
			}
			if k == "userType" && v != "Member" && v != "Guest" {
				// "Microsoft Entra-only accepts two values for the UserType attribute: Member and
				// Guest" (how-to-map-usertype.md).
				return errorf(http.StatusBadRequest, CodeBadRequest, "Invalid value specified for property 'userType' of resource 'User'.")
			}
		case slices.Contains(boolProps, k):
			if _, ok := v.(bool); !ok {
				return errorf(http.StatusBadRequest, CodeBadRequest, "Cannot convert the literal '%v' to the expected type 'Edm.Boolean'.", v)
			}
		case k == altSecIDs:
			if err := checkAltSecIDs(v); err != nil {
				return err
			}
		case slices.Contains(readOnlyProps, k):
			if !readOnly {
				return errorf(http.StatusBadRequest, CodeBadRequest, "Property '%s' is read-only and cannot be set.", k)
			}
		default:
			return errorf(http.StatusBadRequest, CodeBadRequest, "Property '%s' does not exist as a declared property or extension property.", k)
		}
	}
	return nil
}

func checkAltSecIDs(v any) error {
	list, ok := v.([]any)
	if !ok {
		return errorf(http.StatusBadRequest, CodeBadRequest, "Invalid value specified for property 'alternativeSecurityIds' of resource 'User': want a collection of alternativeSecurityId.")
	}
	for _, el := range list {
		m, ok := el.(map[string]any)
		if !ok {
			return errorf(http.StatusBadRequest, CodeBadRequest, "Invalid value specified for property 'alternativeSecurityIds' of resource 'User': want alternativeSecurityId objects.")
		}
		for k := range m {
			if k != "type" && k != "identityProvider" && k != "key" {
				return errorf(http.StatusBadRequest, CodeBadRequest, "Property '%s' does not exist on type 'microsoft.graph.alternativeSecurityId'.", k)
			}
		}
		if _, ok := m["key"].(string); !ok {
			return errorf(http.StatusBadRequest, CodeBadRequest, "alternativeSecurityId.key is required (Edm.Binary, base64).")
		}
	}
	return nil
}

// project applies $select: the listed properties and id, or Graph's default set.
func project(u map[string]any, sel []string) map[string]any {
	keep := defaultProps
	if len(sel) > 0 {
		keep = append(slices.Clone(sel), "id")
	}
	out := map[string]any{}
	for _, k := range keep {
		for uk, v := range u {
			if strings.EqualFold(uk, k) {
				out[uk] = v
			}
		}
	}
	if _, ok := out["businessPhones"]; !ok && slices.Contains(keep, "businessPhones") {
		out["businessPhones"] = []any{}
	}
	return out
}

// query reads the OData system query options a users request may carry: $select and $filter.
// Any other one is refused, as Graph refuses an option it does not know, rather than ignored.
func query(r *http.Request) (sel []string, f filter, err error) {
	for k, vs := range r.URL.Query() {
		switch strings.ToLower(k) {
		case "$select":
			for _, s := range strings.Split(vs[0], ",") {
				if s = strings.TrimSpace(s); s != "" {
					sel = append(sel, s)
				}
			}
		case "$filter":
			if f, err = parseFilter(vs[0]); err != nil {
				return nil, nil, errorf(http.StatusBadRequest, CodeBadRequest, "%v", err)
			}
		default:
			if strings.HasPrefix(k, "$") {
				return nil, nil, errorf(http.StatusBadRequest, CodeBadRequest, "Unrecognized query argument specified: '%s'.", k)
			}
		}
	}
	return sel, f, nil
}

func (d *Directory) listUsers(r *http.Request, _ map[string]any) (int, any, error) {
	return d.list(r, "users", func(d *Directory) []map[string]any { return d.users }, nil)
}

// list answers a GET of a collection: the users of from that the request's $filter matches, with
// its $select, each passed to also when it is not nil.
func (d *Directory) list(r *http.Request, name string, from func(*Directory) []map[string]any, also func(p, u map[string]any)) (int, any, error) {
	sel, f, err := query(r)
	if err != nil {
		return 0, nil, err
	}
	var out []map[string]any
	for _, u := range from(d) {
		if f == nil || f.matches(u) {
			p := project(u, sel)
			if also != nil {
				also(p, u)
			}
			out = append(out, p)
		}
	}
	return http.StatusOK, collection(name, out), nil
}

// userIndexLocked finds a live user by id or userPrincipalName ("GET /users/{id | userPrincipalName}").
func (d *Directory) userIndexLocked(key string) int {
	return slices.IndexFunc(d.users, func(u map[string]any) bool {
		return strings.EqualFold(u["id"].(string), key) || strings.EqualFold(str(u["userPrincipalName"]), key)
	})
}

func (d *Directory) deletedIndexLocked(id string) int {
	return slices.IndexFunc(d.deleted, func(u map[string]any) bool { return strings.EqualFold(u["id"].(string), id) })
}

func str(v any) string { s, _ := v.(string); return s }

func (d *Directory) getUser(r *http.Request, _ map[string]any) (int, any, error) {
	sel, f, err := query(r)
	if err != nil {
		return 0, nil, err
	}
	if f != nil {
		return 0, nil, errorf(http.StatusBadRequest, CodeBadRequest, "$filter is not supported on a single user.")
	}
	return d.atPath(r, d.userIndexLocked, func(i int) (int, any, error) {
		return http.StatusOK, project(d.users[i], sel), nil
	})
}

// external reports whether a write is for a B2B collaboration user the synchronization manages: it
// carries the source identity. It returns the partner (source) tenant id, the identityProvider of
// its first alternativeSecurityId.
func external(body map[string]any) (partner string, ok bool) {
	list, ok := body[altSecIDs].([]any)
	if !ok || len(list) == 0 {
		return "", false
	}
	m, _ := list[0].(map[string]any)
	return str(m["identityProvider"]), true
}

// createUser creates a user. A body with alternativeSecurityIds is a B2B collaboration user the
// synchronization creates: created as an invitation ("creationType: Invitation", the "external
// account" of the user resource's creationType), already redeemed (externalUserState Accepted:
// automatic redemption suppresses the consent prompt, so there is no pending invitation; inferred),
// and refused when the partner's inbound synchronization is not allowed or the tenant's external
// collaboration settings block invitations. Its userPrincipalName must be in the #EXT# form on the
// tenant's initial domain, as B2B users' are.
func (d *Directory) createUser(_ *http.Request, body map[string]any) (int, any, error) {
	if body == nil {
		return 0, nil, errorf(http.StatusBadRequest, CodeBadRequest, "The request body is empty: a user is required.")
	}
	if err := checkProps(body, false); err != nil {
		return 0, nil, err
	}
	upn := str(body["userPrincipalName"])
	if upn == "" || str(body["displayName"]) == "" {
		return 0, nil, errorf(http.StatusBadRequest, CodeBadRequest, "Property 'userPrincipalName' and 'displayName' are required when a user is created.")
	}
	if !d.inDomain(upn) {
		return 0, nil, errorf(http.StatusBadRequest, CodeBadRequest, msgBadDomain)
	}
	u := clone(body)
	if partner, ext := external(body); ext {
		if err := d.syncAllowedLocked(partner); err != nil {
			return 0, nil, err
		}
		if str(d.authz["allowInvitesFrom"]) == "none" {
			// "Guest invite settings in the target tenant are configured with the most restrictive
			// setting" (cross-tenant-synchronization-configure.md, AzureActiveDirectoryForbidden).
			return 0, nil, errorf(http.StatusForbidden, CodeForbidden, msgInvitesBlocked)
		}
		u["creationType"] = "Invitation"
		u["externalUserState"] = "Accepted"
		u["externalUserStateChangeDateTime"] = d.now()
	}
	if d.userIndexLocked(upn) >= 0 {
		return 0, nil, errorf(http.StatusBadRequest, CodeBadRequest, msgUPNTaken)
	}
	if mail := str(u["mail"]); mail != "" && d.mailTakenLocked(mail, "") {
		return 0, nil, errorf(http.StatusBadRequest, CodeBadRequest, msgProxyTaken)
	}
	u["id"] = d.newID()
	if _, ok := u["accountEnabled"]; !ok {
		u["accountEnabled"] = true
	}
	if _, ok := u["userType"]; !ok {
		u["userType"] = "Member"
	}
	d.users = append(d.users, u)
	return http.StatusCreated, clone(u), nil
}

// inDomain reports whether upn is on the tenant's domain, the only verified one.
func (d *Directory) inDomain(upn string) bool {
	return strings.HasSuffix(strings.ToLower(upn), "@"+d.opts.Domain)
}

func (d *Directory) mailTakenLocked(mail, except string) bool {
	return slices.ContainsFunc(d.users, func(u map[string]any) bool {
		return u["id"] != except && strings.EqualFold(str(u["mail"]), mail)
	})
}

// updateUser applies a PATCH: the given properties replace the stored ones; null removes one. A user
// synchronized from on-premises (onPremisesSyncEnabled true) refuses every change, and one that was
// synchronized and no longer is (onPremisesSyncEnabled false) refuses changes to the properties
// Exchange Online masters, with Graph's messages for the two (the provisioning logs' cross-tenant
// codes CannotUpdateObjectsMasteredOnPremises and CannotUpdateObjectsOriginatedInExternalService).
func (d *Directory) updateUser(r *http.Request, body map[string]any) (int, any, error) {
	if err := checkProps(body, false); err != nil {
		return 0, nil, err
	}
	return d.atPath(r, d.userIndexLocked, func(i int) (int, any, error) { return d.updateUserLocked(i, body) })
}

func (d *Directory) updateUserLocked(i int, body map[string]any) (int, any, error) {
	u := d.users[i]
	switch sync, has := u["onPremisesSyncEnabled"].(bool); {
	case has && sync:
		return 0, nil, errorf(http.StatusBadRequest, CodeBadRequest, msgMasteredOnPrem)
	case has && !sync:
		for k := range body {
			if slices.ContainsFunc(exchangeProps, func(p string) bool { return strings.EqualFold(p, k) }) {
				return 0, nil, errorf(http.StatusBadRequest, CodeBadRequest, msgExternalService)
			}
		}
	}
	if partner, ext := external(u); ext {
		if err := d.syncAllowedLocked(partner); err != nil {
			return 0, nil, err
		}
	}
	if upn := str(body["userPrincipalName"]); upn != "" {
		if j := d.userIndexLocked(upn); j >= 0 && j != i {
			return 0, nil, errorf(http.StatusBadRequest, CodeBadRequest, msgUPNTaken)
		}
		if !d.inDomain(upn) {
			return 0, nil, errorf(http.StatusBadRequest, CodeBadRequest, msgBadDomain)
		}
	}
	if mail := str(body["mail"]); mail != "" && d.mailTakenLocked(mail, u["id"].(string)) {
		return 0, nil, errorf(http.StatusBadRequest, CodeBadRequest, msgProxyTaken)
	}
	next := clone(u)
	for k, v := range clone(body) {
		if v == nil {
			delete(next, k)
			continue
		}
		next[k] = v
	}
	d.users[i] = next
	return http.StatusNoContent, nil, nil
}

// deleteUser soft-deletes: the user moves to deleted items, where it stays restorable ("A recently
// deleted item remains available for up to 30 days", directory-deleteditems-restore.md).
func (d *Directory) deleteUser(r *http.Request, _ map[string]any) (int, any, error) {
	return d.atPath(r, d.userIndexLocked, func(i int) (int, any, error) {
		u := d.users[i]
		d.users = slices.Delete(d.users, i, i+1)
		u["deletedDateTime"] = d.now()
		d.deleted = append(d.deleted, u)
		return http.StatusNoContent, nil, nil
	})
}

func (d *Directory) listDeleted(r *http.Request, _ map[string]any) (int, any, error) {
	return d.list(r, "directoryObjects", func(d *Directory) []map[string]any { return d.deleted },
		func(p, u map[string]any) { p["deletedDateTime"] = u["deletedDateTime"] })
}

func (d *Directory) getDeleted(r *http.Request, _ map[string]any) (int, any, error) {
	return d.atPath(r, d.deletedIndexLocked, func(i int) (int, any, error) {
		return http.StatusOK, deletedUser(d.deleted[i]), nil
	})
}

// restore brings a deleted user back (POST /directory/deletedItems/{id}/restore). A restored user
// whose userPrincipalName another user took meanwhile is refused, unless the body gives a
// newUserPrincipalName (a parameter of the beta endpoint, accepted here): so a user soft-deleted and
// then provisioned again is two users once restored, the duplicates provision-on-demand.md warns
// about.
func (d *Directory) restore(r *http.Request, body map[string]any) (int, any, error) {
	return d.atPath(r, d.deletedIndexLocked, func(i int) (int, any, error) {
		u := clone(d.deleted[i])
		if upn := str(body["newUserPrincipalName"]); upn != "" {
			u["userPrincipalName"] = upn
		}
		if d.userIndexLocked(str(u["userPrincipalName"])) >= 0 {
			return 0, nil, errorf(http.StatusBadRequest, CodeBadRequest, msgUPNTaken)
		}
		delete(u, "deletedDateTime")
		d.deleted = slices.Delete(d.deleted, i, i+1)
		d.users = append(d.users, u)
		return http.StatusOK, deletedUser(u), nil
	})
}

// atPath runs fn, under the directory's lock, on the position index finds for the user the
// request's {id} names (live or deleted, by the index given), or answers Graph's 404: the
// prologue of every request on one user.
func (d *Directory) atPath(r *http.Request, index func(id string) int, fn func(i int) (int, any, error)) (int, any, error) {
	id := r.PathValue("id")
	i := index(id)
	if i < 0 {
		return 0, nil, notFound(id)
	}
	return fn(i)
}

// deletedUser is a copy of a user from deletedItems, typed as Graph types the members of that
// polymorphic collection.
func deletedUser(u map[string]any) map[string]any {
	out := clone(u)
	out["@odata.type"] = "#microsoft.graph.user"
	return out
}

func (d *Directory) purge(r *http.Request, _ map[string]any) (int, any, error) {
	return d.atPath(r, d.deletedIndexLocked, func(i int) (int, any, error) {
		d.deleted = slices.Delete(d.deleted, i, i+1)
		return http.StatusNoContent, nil, nil
	})
}
