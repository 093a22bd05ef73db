package conformance

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/wire"
)

// Sources cited in requirements; the package doc gives their paths in MicrosoftDocs/entra-docs.
const (
	srcTutorial   = `Microsoft Learn, "Develop a SCIM endpoint for user provisioning"`
	srcCompat     = `Microsoft Learn, "Known issues with SCIM 2.0 protocol compliance"`
	srcQuarantine = `Microsoft Learn, "Application provisioning in quarantine status"`
	srcOnDemand   = `Microsoft Learn, "On-demand provisioning"`
	srcLogs       = `Microsoft Learn, "How to analyze the Microsoft Entra provisioning logs"`
	srcKnown      = `Microsoft Learn, "Known issues for provisioning in Microsoft Entra ID"`
	srcMappings   = `Microsoft Learn, "Customize Microsoft Entra attribute mappings"`
)

// flagNote is what every dialect remedy must say about Entra's compliance flag.
const flagNote = `Entra sends the RFC shape only when "?aadOptscim062020" is appended to the Tenant URL, ` +
	`and Microsoft documents that the flag does not work with on-demand provisioning ` +
	`(` + srcCompat + `); scimsim's target accepts both shapes in its "entra" profile.`

// needsOpCase is the Needs of every PATCH check in Entra's default dialect that is about something
// else than the case of op.
var needsOpCase = []string{"patch-op-case"}

// Checks is the catalog of requirement checks, in a stable order: discovery and authentication,
// users, groups, then the PATCH shapes of Entra's two dialects, then deletion.
func Checks() []Check {
	return []Check{
		{
			ID:     "test-connection",
			Impact: ImpactBreaksEntra,
			Title:  "Test Connection: the Tenant URL answers Entra's query with the Secret Token",
			Requirement: `Test Connection queries the endpoint for a user that does not exist (a random GUID on the ` +
				`matching attribute), with the configured token, and expects 200 with a ListResponse (` + srcOnDemand +
				`, step 1; ` + srcTutorial + `, "Test Connection"). A refused token is a 401 or 403 whatever the body says. ` +
				`When the endpoint cannot be reached, refuses the token, does not answer SCIM or does not serve /Users at all, ` +
				`the other checks are not run; what the answer holds is empty-query's concern.`,
			Consequence: `Test Connection fails, and provisioning cannot start; with consistently failing calls Entra ` +
				`quarantines the job (` + srcQuarantine + `).`,
			Remedy: `"Ensure that you've provided valid credentials, such as the secret token and tenant URL, to the ` +
				`target system" (` + srcOnDemand + `): check the URL (the SCIM base, such as https://app.example/scim/v2) and the token.`,
			Gate: true,
			Run:  checkTestConnection,
		},
		{
			ID:     "auth-bad-token",
			Impact: ImpactRFCOnly,
			Title:  "401 for a missing or wrong bearer token",
			Requirement: `Accept a single bearer token for authentication and authorization (` + srcTutorial +
				`); refuse any other with 401 (RFC 7644 Section 3.12; RFC 6750 Section 3.1), whatever the body says.`,
			Consequence: `Entra's job works, but an endpoint that accepts a wrong or missing token is open to anyone, ` +
				`and Test Connection cannot tell a wrong Secret Token from a right one.`,
			Remedy: `Check the bearer token on every request and answer 401 when it is missing or wrong.`,
			Run:    checkBadToken,
		},
		{
			ID:     "empty-query",
			Impact: ImpactBreaksEntra,
			Title:  "A query that matches nothing answers 200 with an empty ListResponse",
			Requirement: `Test Connection queries a user that does not exist (a random GUID on the matching attribute) and ` +
				`expects 200 with an empty ListResponse, never 404 (` + srcTutorial + `, "Get User by query - zero results"; ` +
				srcOnDemand + `, step 1).`,
			Consequence: `Test Connection fails, and during provisioning Entra quarantines the job: "An HTTP/404 Not Found ` +
				`response was returned rather than the expected HTTP/200 OK response" (` + srcQuarantine + `). ` +
				`Every user Entra looks for before creating it gets the same answer.`,
			Remedy: `Answer a filter without matches with 200 and {"schemas":["` + wire.ListResponseSchema + `"],"totalResults":0,"Resources":[]} (RFC 7644 Section 3.4.2).`,
			Run:    checkEmptyQuery,
		},
		{
			ID:     "content-type",
			Impact: ImpactRFCOnly,
			Title:  "Responses are application/scim+json",
			Requirement: `Use the content type application/scim+json on all responses (` + srcTutorial +
				`, general guidelines; RFC 7644 Section 3.1).`,
			Consequence: `Entra's job reads application/json as well, but Microsoft requires application/scim+json on every ` +
				`response and the Microsoft SCIM Validator aborts on application/json; a body in any other type is ` +
				`SystemForCrossDomainIdentityManagementServiceIncompatible (` + srcLogs + `), which the other checks report.`,
			Remedy: `Set Content-Type: application/scim+json on every SCIM response, errors included.`,
			Run:    checkContentType,
		},
		{
			ID:     "service-provider-config",
			Impact: ImpactRFCOnly,
			Title:  "/ServiceProviderConfig answers and says PATCH is supported",
			Requirement: `Serve /ServiceProviderConfig (RFC 7644 Section 4, RFC 7643 Section 5); Entra updates users and groups only ` +
				`with PATCH (` + srcTutorial + `).`,
			Consequence: `Entra's job does not read it, but SCIM clients and validators start from it, and an endpoint ` +
				`that says it has no PATCH tells them Entra cannot update it.`,
			Remedy: `Serve RFC 7643 Section 5 ServiceProviderConfig with "patch":{"supported":true}.`,
			Run:    checkServiceProviderConfig,
		},
		{
			ID:     "schemas",
			Impact: ImpactRFCOnly,
			Title:  "/Schemas lists the User schema",
			Requirement: `Support /Schemas (RFC 7643 Section 7) (` + srcTutorial + `, schema discovery); gallery apps discover ` +
				`target attributes from it.`,
			Consequence: `Entra's job for a non-gallery application does not use discovery; a gallery app cannot offer the ` +
				`endpoint's attributes in its mappings.`,
			Remedy: `Serve the RFC 7643 Section 7 schema definitions as a ListResponse at /Schemas, at least ` + wire.UserSchema + `.`,
			Run:    checkSchemas,
		},
		{
			ID:          "create-user",
			Impact:      ImpactBreaksEntra,
			Title:       "POST /Users with Entra's create body answers 201 (or 200) with the user's id",
			Requirement: `Create users (RFC 7644 Section 3.3) (` + srcTutorial + `, "Create User"); the answer carries the resource and its id, which Entra keeps.`,
			Consequence: `Entra cannot create users: step 5 (Perform action) fails for every new assignment.`,
			Remedy: `Accept the body Entra's default job sends (the core and enterprise schema URNs, meta.resourceType, ` +
				`emails with type and primary, name with formatted) and answer 201 with the resource and its id, in JSON.`,
			Run: checkCreateUser,
		},
		{
			ID:     "get-user",
			Impact: ImpactRFCOnly,
			Title:  "GET /Users/{id} returns the user",
			Requirement: `Retrieve a known resource by id (RFC 7644 Section 3.4.1) (` + srcTutorial + `, "Get User"); ` +
				`scimsim reads every write back by id to see what the endpoint stores.`,
			Consequence: `Entra's default job finds users with a filter, not by id; but the checks that verify a write ` +
				`cannot read it back and are skipped.`,
			Remedy: `Answer GET /Users/{id} with 200 and the resource, including its id.`,
			Run:    checkGetUser,
		},
		{
			ID:     "query-username",
			Impact: ImpactBreaksEntra,
			Title:  `filter=userName eq "…" finds the user`,
			Requirement: `Query users by userName with eq (RFC 7644 Section 3.4.2.2) (` + srcTutorial + `, "Get User by query"); ` +
				`userName is the matching attribute of Entra's default job (` + srcMappings + `).`,
			Consequence: `Step 4 (Match user) finds nothing, so Entra creates the user again (a duplicate, or a 409 ` +
				`EntryConflict), and Test Connection fails when the filter is refused: "Make sure that the target system ` +
				`supports filtering on the matching attributes" (` + srcOnDemand + `).`,
			Remedy: `Support eq filters on userName, compared case-insensitively (RFC 7643 Section 4.1.1, caseExact false).`,
			Run:    checkQueryUserName,
		},
		{
			ID:     "query-username-case",
			Impact: ImpactRFCOnly,
			Title:  `filter=userName eq "…" in another case finds the user`,
			Requirement: `userName is not case-exact (RFC 7643 Section 4.1.1, "caseExact": false), so an eq filter on it ` +
				`compares case-insensitively (RFC 7644 Section 3.4.2.2).`,
			Consequence: `Entra queries with the user's current userPrincipalName, in the case it was created with, so its ` +
				`default job works until a UPN changes case in Entra: then step 4 finds nothing, Entra creates the user ` +
				`again and gets 409, EntryConflict (` + srcLogs + `).`,
			Remedy: `Compare userName case-insensitively in filters, as uniqueness already does.`,
			Run:    checkQueryUserNameCase,
		},
		{
			ID:     "query-externalid",
			Impact: ImpactRFCOnly,
			Title:  `filter=externalId eq "…" finds the user`,
			Requirement: `Query users by externalId (RFC 7644 Section 3.4.2.2) (` + srcTutorial + `, requirements for a SCIM endpoint); ` +
				`Entra's default job maps mailNickname to externalId but does not match on it.`,
			Consequence: `Entra's default job is not affected; a job whose matching attribute is externalId finds nothing and ` +
				`creates duplicates or fails with EntryConflict.`,
			Remedy: `Support eq filters on externalId.`,
			Run:    checkQueryExternalID,
		},
		{
			ID:          "duplicate-username",
			Impact:      ImpactRFCOnly,
			Title:       "A duplicate userName, in any case, answers 409",
			Requirement: `userName is unique and not case-exact (RFC 7643 Section 4.1.1); a create that violates it answers 409 uniqueness (RFC 7644 Section 3.3).`,
			Consequence: `Entra queries before it creates, so its default job never sends the duplicate; but the endpoint ` +
				`can hold two users for one Entra user, and Entra's next match of that user fails with DuplicateTargetEntries (` + srcLogs + `).`,
			Remedy: `Enforce userName uniqueness case-insensitively and answer 409 with "scimType":"uniqueness".`,
			Run:    checkDuplicateUserName,
		},
		{
			ID:     "inactive-user",
			Impact: ImpactBreaksEntra,
			Title:  "A user with active false is still found by a query on userName",
			Requirement: `Soft delete with active=false and restore with active=true; inactive users are still returned ` +
				`(` + srcTutorial + `, "Disable User").`,
			Consequence: `Entra cannot find disabled users: matching finds nothing, so restoring or re-assigning the user ` +
				`creates a duplicate or fails with EntryConflict.`,
			Remedy: `Keep users with active false in filter results; only DELETE removes a user.`,
			Run:    checkInactiveUser,
		},
		{
			ID:     "paging",
			Impact: ImpactRFCOnly,
			Title:  "GET /Users pages with startIndex and count",
			Requirement: `List users with pagination (RFC 7644 Section 3.4.2.4) (` + srcTutorial + `, "List users"); Microsoft's ` +
				`validation lists users with startIndex and count over two pages.`,
			Consequence: `Entra's job does not page (it queries one user at a time); Microsoft's validation, a gallery ` +
				`requirement, fails, and clients that page read users twice or miss some.`,
			Remedy: `Return at most count resources from startIndex (1-based) in a stable order, and echo startIndex, ` +
				`itemsPerPage and totalResults.`,
			Run: checkPaging,
		},
		{
			ID:     "enterprise-attributes",
			Impact: ImpactBreaksEntra,
			Title:  "employeeNumber, department and manager are stored and returned",
			Requirement: `Entra's default job maps employeeId to employeeNumber, department to department and manager to ` +
				`manager in the enterprise extension ` + wire.EnterpriseSchema + ` (RFC 7643 Section 4.3) (` + srcTutorial +
				`, default attribute mappings); the manager is the manager's id in the endpoint, sent as a plain string.`,
			Consequence: `An attribute the default job maps and the endpoint silently drops never arrives, and Entra ` +
				`exports it again on every cycle.`,
			Remedy: `Declare the enterprise extension on the User resource type and store employeeNumber, department and ` +
				`manager (accept the manager as a plain id, as Entra sends it, and return it as {"value": id}); or remove ` +
				`those mappings from the Entra application.`,
			Run: checkEnterpriseAttributes,
		},
		{
			ID:     "create-group",
			Impact: ImpactBreaksEntra,
			Title:  "POST /Groups with Entra's create body answers 201 (or 200) with the group's id",
			Requirement: `Create groups (RFC 7644 Section 3.3) as Entra sends them: empty, with the core Group schema and ` +
				`Microsoft's ADSCIM schema URI, which names no attribute (` + srcTutorial + `, "Create Group").`,
			Consequence: `Entra cannot provision groups: step 5 fails for every assigned group.`,
			Remedy:      `Accept the group body as Entra sends it (including ` + entra.ADSCIMGroupSchema + `) and answer 201 with its id.`,
			Run:         checkCreateGroup,
		},
		{
			ID:          "query-group",
			Impact:      ImpactBreaksEntra,
			Title:       `filter=displayName eq "…" finds the group`,
			Requirement: `Query groups by displayName, Entra's group matching attribute, as Entra does: with excludedAttributes=members (` + srcTutorial + `, "Get Group by displayName").`,
			Consequence: `Entra cannot match groups: it creates them again (a duplicate or a 409).`,
			Remedy:      `Support eq filters on displayName for /Groups, together with excludedAttributes.`,
			Run:         checkQueryGroup,
		},
		{
			ID:     "group-exclude-members",
			Impact: ImpactBreaksEntra,
			Title:  "excludedAttributes=members leaves members out",
			Requirement: `Honour excludedAttributes=members on groups (RFC 7644 Section 3.4.2.5): "Microsoft Entra ID always includes ` +
				`excludedAttributes=members when it retrieves groups" (` + srcTutorial + `, "Get Group").`,
			Consequence: `Members returned anyway make Entra's group lookups fail with ` +
				`SystemForCrossDomainIdentityManagementMultipleEntriesInResponse (` + srcLogs + `), and every match of a ` +
				`large group transfers all its members.`,
			Remedy: `Honour excludedAttributes (and attributes) on GET by id and on queries.`,
			Run:    checkGroupExcludeMembers,
		},
		{
			ID:     "duplicate-group-displayname",
			Impact: ImpactRFCOnly,
			Title:  "A second group with the same displayName answers 409",
			Requirement: `displayName is Entra's group matching attribute, so it must name one group; Microsoft's SCIM ` +
				`reference and validator refuse a duplicate group name with 409 (RFC 7644 Section 3.3 defines the 409 uniqueness answer).`,
			Consequence: `Entra queries before it creates, so its default job never sends the duplicate; but two groups ` +
				`with one name make Entra's next match of that group fail with DuplicateTargetEntries (` + srcLogs + `).`,
			Remedy: `Keep group displayName unique and answer a duplicate create with 409 and "scimType":"uniqueness".`,
			Run:    checkDuplicateGroupDisplayName,
		},
		{
			ID:          "patch-op-case",
			Impact:      ImpactBreaksEntra,
			Dialect:     "entra",
			Counterpart: "patch-compliant-active",
			Title:       `PATCH accepts capitalised ops ("Replace", "Add")`,
			Requirement: `Don't require a case-sensitive match on structural elements, in particular PATCH op values; ` +
				`"Microsoft Entra ID emits the values of op as Add, Replace, and Remove" (` + srcTutorial + `, general guidelines). ` +
				`The check changes displayName (Replace) and adds title (Add) in Entra's words, and the same change in lower case on another user: ` +
				`it fails only when the capitalised ops are refused or ignored and the lower-case ones are not.`,
			Consequence: `Entra cannot update users: every PATCH of its default job is refused or ignored, so attribute changes, ` +
				`disables and group memberships never reach the app.`,
			Remedy: `Compare op case-insensitively. Entra's "entra-compliant" dialect sends lower-case ops, but ` + flagNote,
			Run:    checkPatchOpCase,
		},
		{
			ID:          "patch-entra-replace",
			Impact:      ImpactBreaksEntra,
			Dialect:     "entra",
			Counterpart: "patch-compliant-replace",
			Needs:       needsOpCase,
			Title:       `entra dialect: one "Replace" per attribute, with a value-path filter`,
			Requirement: `Entra's default job updates each changed attribute with its own op, e.g. ` +
				`{"op":"Replace","path":"emails[type eq \"work\"].value","value":"…"} and name.familyName (` + srcCompat + `; RFC 7644 Section 3.5.2).`,
			Consequence: `Entra cannot update these attributes: step 5 fails for every change to a work email or a name.`,
			Remedy:      `Support value-path filters and sub-attribute paths in PATCH (RFC 7644 Section 3.5.2).`,
			Run:         checkEntraReplace,
		},
		{
			ID:      "patch-entra-add-absent",
			Impact:  ImpactBreaksEntra,
			Dialect: "entra",
			Needs:   needsOpCase,
			Title:   `entra dialect: "Add" on a value-path filter creates the value a user lacks`,
			Requirement: `When a user gains a mail, a mobile number or a city, Entra's default job sends Add with the ` +
				`value-path filter of its mapping: emails[type eq "work"].value, phoneNumbers[type eq "mobile"].value, ` +
				`addresses[type eq "work"].locality, expecting the element to be created when the user has none ` +
				`(` + srcCompat + `, "Add single-value string"; field report wireapp/wire-server pull 5419).`,
			Consequence: `Entra cannot provision a mail, phone or address a user gains after creation: step 5 fails (an ` +
				`endpoint that reads RFC 7644 Section 3.5.2.1 strictly answers 400 noTarget), or the value silently never arrives.`,
			Remedy: `Treat Add (and Replace) on a value-path filter that matches no element as creating that element, ` +
				`with the filter's attribute (type "work") set.`,
			Run: checkEntraAddAbsent,
		},
		{
			ID:      "patch-entra-manager",
			Impact:  ImpactBreaksEntra,
			Dialect: "entra",
			Needs:   needsOpCase,
			Title:   "entra dialect: the manager as a plain string id is stored",
			Requirement: `Entra's default job sets a user's manager with {"op":"Add","path":"` + wire.EnterpriseSchema + `:manager","value":"<id>"}: ` +
				`the manager's id in the endpoint as a plain string, not the complex value RFC 7643 Section 4.3 defines ` +
				`(field reports Captain-P-Goldfish/SCIM-SDK issues 541 and 686, apache/directory-scimple issue 1242; Microsoft's ` +
				`SCIM validation, AzureAD/SCIMReferenceCode, reads it back as manager.value).`,
			Consequence: `Entra cannot set managers: step 5 fails for every user whose manager is provisioned, or the ` +
				`manager silently never arrives and is exported again on every cycle.`,
			Remedy: `Accept a plain string id as the value of the manager and store it as {"value": id}.`,
			Run:    checkEntraManager,
		},
		{
			ID:      "enterprise-extension",
			Impact:  ImpactBreaksEntra,
			Dialect: "entra",
			Needs:   needsOpCase,
			Title:   "entra dialect: an enterprise attribute is replaced by its URN path",
			Requirement: `Entra's default job updates enterprise attributes by their URN-qualified path, e.g. ` +
				`{"op":"Replace","path":"` + wire.EnterpriseSchema + `:department","value":"…"} (` + srcCompat + `; RFC 7644 Section 3.10).`,
			Consequence: `Changes to department and employee number never reach the app: refused or dropped on update.`,
			Remedy: `Support PATCH paths qualified with the extension's schema URN (RFC 7644 Section 3.10); or remove those ` +
				`mappings from the Entra application.`,
			Run: checkEnterpriseExtension,
		},
		{
			ID:          "patch-entra-active",
			Impact:      ImpactBreaksEntra,
			Dialect:     "entra",
			Counterpart: "patch-compliant-active",
			Needs:       needsOpCase,
			Title:       `entra dialect: disable and restore with "False" and "True" as strings`,
			Requirement: `Entra's default job disables a user with {"op":"Replace","path":"active","value":"False"} and ` +
				`restores it with "True": strings, not JSON booleans (` + srcCompat + `, "Requests made to disable users").`,
			Consequence: `Entra cannot disable users: it sends "False" as a string, so users unassigned, out of scope or ` +
				`deleted in Entra stay active in the app.`,
			Remedy: `Accept "True" and "False" (any case) for boolean attributes and store a boolean. ` + flagNote,
			Run:    checkEntraActive,
		},
		{
			ID:      "patch-entra-member-add",
			Impact:  ImpactBreaksEntra,
			Dialect: "entra",
			Needs:   needsOpCase,
			Title:   `entra dialect: "Add" members with a value array`,
			Requirement: `Entra adds group members with {"op":"Add","path":"members","value":[{"$ref":null,"value":"<id>"}]}, ` +
				`several in one PATCH (` + srcTutorial + `, "Update Group [Add Members]").`,
			Consequence: `Entra cannot add members: group memberships never reach the app.`,
			Remedy:      `Accept Add on members with a value array (a null "$ref" included) and add each member once.`,
			Run:         checkEntraMemberAdd,
		},
		{
			ID:          "patch-entra-member-remove",
			Impact:      ImpactBreaksEntra,
			Dialect:     "entra",
			Counterpart: "patch-compliant-member-remove",
			Needs:       needsOpCase,
			Title:       `entra dialect: "Remove" members with a value array removes only those`,
			Requirement: `Entra's default job removes a member with {"op":"Remove","path":"members","value":[{"$ref":null,"value":"<id>"}]}, ` +
				`meaning "remove these members" (` + srcCompat + `, "Requests to remove a group member").`,
			Consequence: `Entra cannot remove group members; and an endpoint that reads the request as RFC 7644 Section 3.5.2.2 ` +
				`("no filter: remove all values") empties the whole group each time one member leaves.`,
			Remedy: `Treat Remove on members with a value array as "remove the listed members". ` + flagNote,
			Run:    checkEntraMemberRemove,
		},
		{
			ID:          "patch-compliant-active",
			Impact:      ImpactFlagOnly,
			Dialect:     "entra-compliant",
			Counterpart: "patch-entra-active",
			Title:       `entra-compliant dialect: disable and restore with JSON booleans`,
			Requirement: `With aadOptscim062020 Entra disables with {"op":"replace","path":"active","value":false} (` + srcCompat + `).`,
			Consequence: `With the compliance flag set, Entra cannot disable or restore users.`,
			Remedy:      `Accept lower-case ops and boolean values for active (RFC 7644 Section 3.5.2.3).`,
			Run:         checkCompliantActive,
		},
		{
			ID:          "patch-compliant-member-remove",
			Impact:      ImpactFlagOnly,
			Dialect:     "entra-compliant",
			Counterpart: "patch-entra-member-remove",
			Title:       `entra-compliant dialect: remove members[value eq "<id>"]`,
			Requirement: `With aadOptscim062020 Entra removes a member with {"op":"remove","path":"members[value eq \"<id>\"]"} ` +
				`(` + srcCompat + `; RFC 7644 Section 3.5.2.2).`,
			Consequence: `With the compliance flag set, Entra cannot remove group members.`,
			Remedy:      `Support value filters on members in PATCH remove paths (RFC 7644 Section 3.5.2.2).`,
			Run:         checkCompliantMemberRemove,
		},
		{
			ID:          "patch-compliant-replace",
			Impact:      ImpactFlagOnly,
			Dialect:     "entra-compliant",
			Counterpart: "patch-entra-replace",
			Title:       `entra-compliant dialect: no-path "replace" with dotted keys`,
			Requirement: `With aadOptscim062020 Entra updates several attributes with one value-path op and one op ` +
				`without path whose value has dotted keys such as "name.givenName" (` + srcCompat + `, "Requests to replace multiple attributes").`,
			Consequence: `With the compliance flag set, Entra cannot update users: the changes are refused or silently ignored.`,
			Remedy: `Accept a no-path replace whose keys are attribute paths (sub-attributes with ".", extension ` +
				`attributes with their URN). Without the flag, Entra's default job sends one "Replace" per path instead.`,
			Run: checkCompliantReplace,
		},
		{
			ID:          "delete-user",
			Impact:      ImpactBreaksEntra,
			Title:       "DELETE /Users/{id} answers 204 (or 200), then GET answers 404",
			Requirement: `Entra deletes a user with DELETE and expects 204 No Content; the user is then gone (` + srcTutorial + `, "Delete User"; RFC 7644 Section 3.6).`,
			Consequence: `Users deleted in Entra stay in the app: the DELETE fails (Entra logs it and retries), or it answers success and deletes nothing.`,
			Remedy:      `Answer DELETE with 204 (Entra also accepts 200) and answer 404 for the id afterwards.`,
			Run:         checkDeleteUser,
		},
		{
			ID:          "delete-group",
			Impact:      ImpactBreaksEntra,
			Title:       "DELETE /Groups/{id} answers 204 (or 200), then GET answers 404",
			Requirement: `Entra deletes a group with DELETE and expects 204 No Content (` + srcTutorial + `, "Delete Group"; RFC 7644 Section 3.6).`,
			Consequence: `Groups removed from provisioning in Entra stay in the app.`,
			Remedy:      `Answer DELETE with 204 (Entra also accepts 200) and answer 404 for the id afterwards.`,
			Run:         checkDeleteGroup,
		},
		{
			ID:          "delete-missing",
			Impact:      ImpactRFCOnly,
			Title:       "DELETE of an id already deleted answers 404",
			Requirement: `A resource that was deleted is gone for every later operation: the service provider answers 404 (RFC 7644 Section 3.6).`,
			Consequence: `Entra deletes an id once; but a client that retries a DELETE whose answer it lost (an error, ` +
				`a 500) cannot tell that the resource is already gone.`,
			Remedy: `Answer DELETE of an unknown id with 404 and a SCIM error.`,
			Run:    checkDeleteMissing,
		},
	}
}

// randomGUID is a version 4 UUID, the kind of value Test Connection queries for.
func randomGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func (t *Target) testConnectionRequest() entra.Request {
	return entra.TestConnectionRequest(wire.Users, t.matchAttr, randomGUID())
}

func checkTestConnection(ctx context.Context, t *Target) error {
	resp, err := t.s.Send(ctx, t.testConnectionRequest())
	if err != nil {
		v := entra.Classify(err, entra.Context{Step: entra.StepConnection})
		return &Failure{Got: noAnswer(err), Consequence: testConnectionFails(v.Code), stops: true}
	}
	if t.cfg.DryRun {
		return nil
	}
	code := entra.Classify(resp.StatusError(), entra.Context{Step: entra.StepConnection}).Code
	switch {
	case resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden:
		return &Failure{Got: "the endpoint refused the Secret Token: " + what(resp), Consequence: testConnectionFails(code), stops: true}
	case resp.Status >= 500:
		return &Failure{Got: "the endpoint failed: " + what(resp), Consequence: testConnectionFails(code), stops: true}
	case code == entra.CodeTLSHandshakeFailed:
		return &Failure{Got: "this endpoint speaks HTTPS: use an https:// URL (" + what(resp) + ")", Consequence: testConnectionFails(code), stops: true}
	case resp.Object() == nil:
		ct := resp.Header.Get("Content-Type")
		if ct == "" {
			ct = "no content type"
		}
		return &Failure{Got: fmt.Sprintf("the Tenant URL does not answer SCIM: %s, in %s, not a JSON object; is it the SCIM base URL (such as https://app.example/scim/v2)?", what(resp), ct),
			Consequence: testConnectionFails(entra.CodeServiceIncompatible), stops: true}
	case resp.Status == http.StatusNotFound && !isSCIMError(resp.Object()):
		// A 404 that is not a SCIM error (RFC 7644 Section 3.12) comes from a URL that serves no
		// SCIM users at all; a SCIM error is an endpoint that answers 404 to a query that
		// matches nothing (empty-query).
		return &Failure{Got: fmt.Sprintf("the Tenant URL does not serve SCIM users: %s, which is not a SCIM error; is it the SCIM base URL (such as https://app.example/scim/v2)?", what(resp)),
			Consequence: testConnectionFails(code), stops: true}
	case resp.Status == http.StatusNotFound:
		return &Failure{Got: what(resp) + ", to a query for a user nobody has (see empty-query)", Consequence: testConnectionFails(code)}
	}
	if _, err := readList(resp); err != nil {
		return &Failure{Got: err.Error(), Consequence: testConnectionFails(code)}
	}
	return nil
}

// isSCIMError reports whether a body is a SCIM error (RFC 7644 Section 3.12): the Error schema, or
// at least a status.
func isSCIMError(m map[string]any) bool {
	schemas, _ := wire.Field(m, "schemas").([]any)
	for _, s := range schemas {
		if str, _ := s.(string); strings.EqualFold(str, wire.ErrorSchema) {
			return true
		}
	}
	return wire.Field(m, "status") != nil
}

// testConnectionFails is what Entra does when Test Connection ends with code.
func testConnectionFails(code entra.Code) string {
	return fmt.Sprintf("Test Connection fails with %s (%s) and provisioning cannot start; with consistently failing calls Entra quarantines the job (%s).",
		code, strings.TrimSuffix(entra.Lookup(code).Meaning, "."), srcQuarantine)
}

func checkBadToken(ctx context.Context, t *Target) error {
	wrong := "Bearer scimsim-wrong-token-" + t.RunID()
	none := ""
	for _, auth := range []*string{&wrong, &none} {
		req := t.testConnectionRequest()
		req.Auth, req.By = auth, wire.ByScimsim
		resp, err := t.send(ctx, req)
		if err != nil {
			return err
		}
		how := "with a wrong token"
		if *auth == "" {
			how = "without a token"
		}
		if err := t.expect(resp.Status == http.StatusUnauthorized, "%s, %s (want 401, whatever the body)", how, what(resp)); err != nil {
			return err
		}
	}
	return nil
}

func checkEmptyQuery(ctx context.Context, t *Target) error {
	req := t.testConnectionRequest()
	resp, err := t.send(ctx, req)
	if err != nil {
		return err
	}
	if t.cfg.DryRun {
		return nil
	}
	lr, err := readList(resp)
	if err != nil {
		return &Failure{Got: err.Error() + " (want 200 with a ListResponse)"}
	}
	return t.expect(lr.TotalResults == 0 && len(lr.Resources) == 0,
		"%s with totalResults %d and %d resources for a value nobody has; want totalResults 0 and no resources", what(resp), lr.TotalResults, len(lr.Resources))
}

// isSCIMJSON reports whether a Content-Type header names application/scim+json (parameters such as
// charset allowed).
func isSCIMJSON(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	return strings.EqualFold(strings.TrimSpace(mt), wire.MediaType)
}

func checkContentType(ctx context.Context, t *Target) error {
	var rs []*entra.Response
	r, err := t.send(ctx, t.testConnectionRequest())
	if err != nil {
		return err
	}
	rs = append(rs, r)
	cr, id, err := t.createUser(ctx, t.person("content-type"), nil)
	if err != nil {
		return err
	}
	rs = append(rs, cr)
	if id != "" {
		if r, err = t.send(ctx, entra.ReadBackRequest(wire.Users, id)); err != nil {
			return err
		}
		rs = append(rs, r)
	}
	// An error answer (404), which must be SCIM too (RFC 7644 Section 3.12).
	if r, err = t.send(ctx, entra.ReadBackRequest(wire.Users, randomGUID())); err != nil {
		return err
	}
	rs = append(rs, r)
	var bad []string
	for _, r := range rs {
		if len(strings.TrimSpace(string(r.Body))) > 0 && !isSCIMJSON(r.Header.Get("Content-Type")) {
			bad = append(bad, fmt.Sprintf("%s %s (%d): %q", r.Method, shortPath(r.URL), r.Status, r.Header.Get("Content-Type")))
		}
	}
	return t.expect(len(bad) == 0, "Content-Type is not %s on %s", wire.MediaType, strings.Join(bad, "; "))
}

// discovery is a GET of a discovery endpoint (RFC 7644 Section 4), scimsim's own request.
func discovery(path string) entra.Request {
	return entra.Request{Method: http.MethodGet, Path: path, By: wire.ByScimsim}
}

func checkServiceProviderConfig(ctx context.Context, t *Target) error {
	resp, err := t.send(ctx, discovery("/ServiceProviderConfig"))
	if err != nil {
		return err
	}
	if err := t.expectStatus(resp, http.StatusOK); err != nil {
		return err
	}
	m := resp.Object()
	if err := t.expect(m != nil, "%s with a body that is not a JSON object", what(resp)); err != nil {
		return err
	}
	supported := wire.Get(m, "patch.supported")
	return t.expect(supported == true, "%s with patch.supported %s; want true", what(resp), show(supported))
}

func checkSchemas(ctx context.Context, t *Target) error {
	resp, err := t.send(ctx, discovery("/Schemas"))
	if err != nil {
		return err
	}
	if err := t.expectStatus(resp, http.StatusOK); err != nil {
		return err
	}
	m := resp.Object()
	list, _ := wire.Field(m, "Resources").([]any)
	var ids []string
	for _, s := range list {
		sm, _ := s.(map[string]any)
		id := wire.ID(sm)
		ids = append(ids, id)
		if strings.EqualFold(id, wire.UserSchema) {
			return nil
		}
	}
	return t.expect(false, "%s with %d schemas, none with id %q: %v", what(resp), len(list), wire.UserSchema, ids)
}

func checkCreateUser(ctx context.Context, t *Target) error {
	resp, id, err := t.createUser(ctx, t.person("create"), nil)
	if err != nil {
		return err
	}
	if t.cfg.DryRun {
		return nil
	}
	if err := t.expectStatus(resp, http.StatusCreated, http.StatusOK); err != nil {
		return err
	}
	if _, rerr := resp.Resource(true); rerr != nil {
		return &Failure{Got: fmt.Sprintf("%s, which Entra cannot read: %v", what(resp), rerr)}
	}
	return t.expect(id != "", "%s without an id", what(resp))
}

func checkGetUser(ctx context.Context, t *Target) error {
	u := t.person("get")
	id, err := t.newUser(ctx, u, nil)
	if err != nil {
		return err
	}
	resp, err := t.send(ctx, entra.GetRequest(wire.Users, id))
	if err != nil {
		return err
	}
	if err := t.expectStatus(resp, http.StatusOK); err != nil {
		return err
	}
	m, rerr := resp.Resource(true)
	if err := t.expect(rerr == nil, "%s: %v", what(resp), rerr); err != nil {
		return err
	}
	if err := t.expect(wire.ID(m) == id, "GET /Users/%s returned id %s", id, show(wire.Field(m, "id"))); err != nil {
		return err
	}
	un, _ := wire.Get(m, t.matchAttr).(string)
	return t.expect(strings.EqualFold(un, t.matchValue(u)), "GET /Users/%s returned %s %s; want %q", id, t.matchAttr, show(wire.Get(m, t.matchAttr)), t.matchValue(u))
}

// expectOne fails unless the query answer holds exactly the resource id.
func (t *Target) expectOne(resp *entra.Response, id string) error {
	if t.cfg.DryRun {
		return nil
	}
	lr, err := readList(resp)
	if err != nil {
		return &Failure{Got: err.Error()}
	}
	ids := make([]string, len(lr.Resources))
	for i, r := range lr.Resources {
		ids[i] = wire.ID(r)
	}
	return t.expect(len(ids) == 1 && ids[0] == id && lr.TotalResults == 1,
		"%s with totalResults %d and ids %v; want exactly the run's resource %s", what(resp), lr.TotalResults, ids, id)
}

func checkQueryUserName(ctx context.Context, t *Target) error {
	u := t.person("by-username")
	id, err := t.newUser(ctx, u, nil)
	if err != nil {
		return err
	}
	resp, err := t.send(ctx, entra.QueryRequest(wire.Users, entra.Filter(t.matchAttr, t.matchValue(u))))
	if err != nil {
		return err
	}
	return t.expectOne(resp, id)
}

func checkQueryUserNameCase(ctx context.Context, t *Target) error {
	u := t.person("by-username-case")
	id, err := t.newUser(ctx, u, nil)
	if err != nil {
		return err
	}
	resp, err := t.send(ctx, entra.QueryRequest(wire.Users, entra.Filter(t.matchAttr, strings.ToUpper(t.matchValue(u)))))
	if err != nil {
		return err
	}
	return t.expectOne(resp, id)
}

func checkQueryExternalID(ctx context.Context, t *Target) error {
	u := t.person("by-externalid")
	id, err := t.newUser(ctx, u, nil)
	if err != nil {
		return err
	}
	ext, _ := wire.Get(t.createBody(u, nil), "externalId").(string)
	req := entra.QueryRequest(wire.Users, entra.Filter("externalId", ext))
	req.By = wire.ByScimsim // Entra's default job does not match on externalId
	resp, err := t.send(ctx, req)
	if err != nil {
		return err
	}
	return t.expectOne(resp, id)
}

func checkDuplicateUserName(ctx context.Context, t *Target) error {
	u := t.person("duplicate")
	if _, err := t.newUser(ctx, u, nil); err != nil {
		return err
	}
	// Other source users with the same UPN, and with it in upper case: another objectId and mail
	// nickname each.
	again := changed(u, map[string]any{"objectId": t.Name("duplicate-2"), "mailNickname": t.Name("duplicate-2")})
	upper := changed(u, map[string]any{"objectId": t.Name("duplicate-3"), "mailNickname": t.Name("duplicate-3"),
		"userPrincipalName": strings.ToUpper(u.String("userPrincipalName"))})
	for _, dup := range []*engine.User{again, upper} {
		resp, _, err := t.createUser(ctx, dup, nil)
		if err != nil {
			return err
		}
		if err := t.expectStatus(resp, http.StatusConflict); err != nil {
			return err
		}
		st, _ := wire.Field(resp.Object(), "scimType").(string)
		if err := t.expect(st == "uniqueness", `%s with scimType %s; want "uniqueness" (RFC 7644 Section 3.12)`, what(resp), show(wire.Field(resp.Object(), "scimType"))); err != nil {
			return err
		}
	}
	return nil
}

func checkInactiveUser(ctx context.Context, t *Target) error {
	u := t.person("inactive")
	id, err := t.newUser(ctx, u, nil)
	if err != nil {
		return err
	}
	if err := t.disable(ctx, u, id); err != nil {
		return err
	}
	resp, err := t.send(ctx, entra.QueryRequest(wire.Users, entra.Filter(t.matchAttr, t.matchValue(u))))
	if err != nil {
		return err
	}
	return t.expectOne(resp, id)
}

// page is GET /Users?startIndex=N&count=M, the listing of Microsoft's validation; Entra's job does
// not page, so it is scimsim's request.
func page(start, count int) entra.Request {
	return entra.Request{Method: http.MethodGet, Path: "/" + wire.Users, By: wire.ByScimsim,
		Query: url.Values{"startIndex": {fmt.Sprint(start)}, "count": {fmt.Sprint(count)}}}
}

func checkPaging(ctx context.Context, t *Target) error {
	for _, local := range []string{"page-1", "page-2", "page-3"} {
		if _, err := t.newUser(ctx, t.person(local), nil); err != nil {
			return err
		}
	}
	const count = 2
	var pages [2][]string
	for i := range pages {
		start := i*count + 1
		resp, err := t.send(ctx, page(start, count))
		if err != nil {
			return err
		}
		if err := t.expectStatus(resp, http.StatusOK); err != nil {
			return err
		}
		m := resp.Object()
		startIndex, hasStart := intField(m, "startIndex")
		total, hasTotal := intField(m, "totalResults")
		perPage, hasPerPage := intField(m, "itemsPerPage")
		list, _ := wire.Field(m, "Resources").([]any)
		for _, r := range list {
			rm, _ := r.(map[string]any)
			pages[i] = append(pages[i], wire.ID(rm))
		}
		if err := t.expect(hasStart && startIndex == start, "%s with startIndex %s; want %d echoed", what(resp), show(wire.Field(m, "startIndex")), start); err != nil {
			return err
		}
		if err := t.expect(hasTotal && total >= 3, "%s with totalResults %s; the run alone created 3 users", what(resp), show(wire.Field(m, "totalResults"))); err != nil {
			return err
		}
		if err := t.expect(len(list) <= count, "%s with %d resources for count=%d", what(resp), len(list), count); err != nil {
			return err
		}
		if err := t.expect(!hasPerPage || perPage == len(list), "%s with itemsPerPage %d but %d resources", what(resp), perPage, len(list)); err != nil {
			return err
		}
		want := min(count, max(0, total-start+1))
		if err := t.expect(len(list) == want, "%s with %d resources; with totalResults %d, page %d holds %d", what(resp), len(list), total, i+1, want); err != nil {
			return err
		}
	}
	shared := slices.DeleteFunc(slices.Clone(pages[1]), func(id string) bool { return !slices.Contains(pages[0], id) })
	return t.expect(len(shared) == 0, "pages 1 and 2 both hold %v (page 1: %v, page 2: %v); want disjoint pages", shared, pages[0], pages[1])
}

// intField reads an integer member of a JSON object.
func intField(m map[string]any, name string) (int, bool) {
	f, ok := wire.Field(m, name).(float64)
	return int(f), ok && f == float64(int(f))
}

func checkEnterpriseAttributes(ctx context.Context, t *Target) error {
	mgr := t.person("manager")
	mid, err := t.newUser(ctx, mgr, nil)
	if err != nil {
		return err
	}
	u := changed(t.person("enterprise"), map[string]any{"employeeId": "E-1024", "department": "Sales", "manager": mgr.ObjectID})
	refs := map[string]string{mgr.ObjectID: mid}
	resp, id, err := t.createUser(ctx, u, refs)
	if err != nil {
		return err
	}
	if err := t.expectStatus(resp, http.StatusCreated, http.StatusOK); err != nil {
		var f *Failure
		if errors.As(err, &f) {
			f.Consequence = `Entra cannot create a user whose employee id, department or manager is set: step 5 fails ` +
				`for each of them, since the endpoint refuses the create body Entra's default job sends.`
		}
		return err
	}
	res, err := t.readBack(ctx, wire.Users, id)
	if err != nil {
		return err
	}
	var sent []entra.Change
	for _, a := range []string{"employeeNumber", "department", "manager"} {
		path := wire.EnterpriseSchema + ":" + a
		sent = append(sent, entra.Change{Path: path, Value: wire.MustPath(path).Get(t.createBody(u, refs))})
	}
	problem := stored(res, sent)
	return t.expect(problem == "", "%s, but GET /Users/%s %s", what(resp), id, problem)
}

func checkCreateGroup(ctx context.Context, t *Target) error {
	resp, id, err := t.createGroup(ctx, t.group("create"))
	if err != nil {
		return err
	}
	if t.cfg.DryRun {
		return nil
	}
	if resp.Status/100 == 4 {
		t.mu.Lock()
		t.coreGroup = true
		t.mu.Unlock()
	}
	if err := t.expectStatus(resp, http.StatusCreated, http.StatusOK); err != nil {
		return err
	}
	if _, rerr := resp.Resource(true); rerr != nil {
		return &Failure{Got: fmt.Sprintf("%s, which Entra cannot read: %v", what(resp), rerr)}
	}
	return t.expect(id != "", "%s without an id", what(resp))
}

func (t *Target) groupQuery(g string) entra.Request {
	return entra.QueryRequest(wire.Groups, entra.Filter(t.groupMatchAttr, g))
}

func checkQueryGroup(ctx context.Context, t *Target) error {
	id, err := t.newGroup(ctx, "by-name")
	if err != nil {
		return err
	}
	resp, err := t.send(ctx, t.groupQuery(t.groupName(t.group("by-name"))))
	if err != nil {
		return err
	}
	return t.expectOne(resp, id)
}

func checkGroupExcludeMembers(ctx context.Context, t *Target) error {
	uid, err := t.newUser(ctx, t.person("member-x"), nil)
	if err != nil {
		return err
	}
	gid, err := t.newGroup(ctx, "exclude")
	if err != nil {
		return err
	}
	if err := t.addMembers(ctx, gid, uid); err != nil {
		return err
	}
	full, err := t.readBack(ctx, wire.Groups, gid)
	if err != nil {
		return err
	}
	if !t.cfg.DryRun && !slices.Contains(memberIDs(full), uid) {
		return &SkipError{Reason: fmt.Sprintf("the group it needs does not list the member it was given (members %v)", memberIDs(full))}
	}
	resp, err := t.send(ctx, entra.GetRequest(wire.Groups, gid))
	if err != nil {
		return err
	}
	if err := t.expectStatus(resp, http.StatusOK); err != nil {
		return err
	}
	if err := t.expect(len(memberIDs(resp.Object())) == 0, "%s with members %v", what(resp), memberIDs(resp.Object())); err != nil {
		return err
	}
	qr, err := t.send(ctx, t.groupQuery(t.groupName(t.group("exclude"))))
	if err != nil {
		return err
	}
	if err := t.expectOne(qr, gid); err != nil {
		return err
	}
	lr, _ := readList(qr)
	return t.expect(lr == nil || len(lr.Resources) == 0 || len(memberIDs(lr.Resources[0])) == 0, "%s with members %v", what(qr), memberIDs(first(lr)))
}

func first(lr *entra.ListResponse) map[string]any {
	if lr == nil || len(lr.Resources) == 0 {
		return nil
	}
	return lr.Resources[0]
}

func checkDuplicateGroupDisplayName(ctx context.Context, t *Target) error {
	if _, err := t.newGroup(ctx, "duplicate-group"); err != nil {
		return err
	}
	// Another source group with the same display name: another objectId.
	dup := t.group("duplicate-group")
	dup.ObjectID = t.Name("duplicate-group-2")
	dup.Attrs["objectId"] = dup.ObjectID
	t.mu.Lock()
	core := t.coreGroup
	t.mu.Unlock()
	body := entra.GroupCreateBody(t.groupAttrs(dup))
	if core {
		body = entra.CoreGroupBody(t.groupAttrs(dup))
	}
	resp, _, err := t.l.Create(ctx, entra.CreateRequest(wire.Groups, body))
	if err != nil {
		return &Failure{Got: noAnswer(err)}
	}
	return t.expectStatus(resp, http.StatusConflict)
}

// opCaseChange is the change of patch-op-case: displayName replaced, title added.
func (t *Target) opCaseChange(u *engine.User) *engine.User {
	return changed(u, map[string]any{"displayName": "Conformance Op-Case Renamed", "jobTitle": "Engineer"})
}

func checkPatchOpCase(ctx context.Context, t *Target) error {
	try := func(local string, d entra.Dialect) (ok bool, got string, err error) {
		u := t.person(local)
		id, err := t.newUser(ctx, u, nil)
		if err != nil {
			return false, "", err
		}
		resp, ch, err := t.update(ctx, id, t.opCaseChange(u), nil, d)
		if err != nil {
			return false, "", err
		}
		if !ok2xx(resp) {
			return false, what(resp), nil
		}
		res, err := t.readBack(ctx, wire.Users, id)
		if err != nil {
			return false, "", err
		}
		if p := stored(res, ch); p != "" {
			return false, fmt.Sprintf("%s, but GET /Users/%s %s", what(resp), id, p), nil
		}
		return true, "", nil
	}
	ok, got, err := try("op-case", entra.DialectEntra)
	if err != nil || ok || t.cfg.DryRun {
		if t.cfg.DryRun {
			_, _, _ = try("op-case-lower", entra.DialectEntraCompliant)
		}
		return err
	}
	lowerOK, lowerGot, err := try("op-case-lower", entra.DialectEntraCompliant)
	if err != nil {
		return err
	}
	if !lowerOK {
		return &SkipError{Reason: "the endpoint refuses or ignores this change with lower-case ops too, so the case of op is not the cause (capitalised: " + got + "; lower case: " + lowerGot + ")"}
	}
	return &Failure{Got: got + `; the same change with lower-case ops ("replace", "add") works`}
}

// userPatchCheck creates the run's user u, changes it to after in dialect d and reads it back: the
// shape of most PATCH checks. It fails unless the PATCH answers 200 or 204 and the endpoint
// stores every change.
func (t *Target) userPatchCheck(ctx context.Context, u, after *engine.User, refs map[string]string, d entra.Dialect) error {
	id, err := t.newUser(ctx, u, nil)
	if err != nil {
		return err
	}
	resp, ch, err := t.update(ctx, id, after, refs, d)
	if err != nil {
		return err
	}
	if err := t.expectStatus(resp, http.StatusOK, http.StatusNoContent); err != nil {
		return err
	}
	res, err := t.readBack(ctx, wire.Users, id)
	if err != nil {
		return err
	}
	p := stored(res, ch)
	return t.expect(p == "", "%s, but GET /Users/%s %s", what(resp), id, p)
}

func checkEntraReplace(ctx context.Context, t *Target) error {
	u := t.person("entra-replace")
	after := changed(u, map[string]any{"mail": t.Name("entra-replace-new") + "@example.com", "surname": "Replaced"})
	return t.userPatchCheck(ctx, u, after, nil, entra.DialectEntra)
}

func checkEntraAddAbsent(ctx context.Context, t *Target) error {
	u := changed(t.person("add-absent"), map[string]any{"mail": nil})
	after := changed(u, map[string]any{"mail": t.Name("add-absent") + "@example.com", "mobile": "+1 425 555 0100", "city": "Redmond"})
	err := t.userPatchCheck(ctx, u, after, nil, entra.DialectEntra)
	var f *Failure
	if errors.As(err, &f) && strings.Contains(f.Got, "noTarget") {
		f.Consequence = `Entra cannot provision a mail, phone or address a user gains after creation: the endpoint answers ` +
			`400 noTarget to Add on a value-path filter that matches nothing, which RFC 7644 Section 3.5.2.1 allows but ` +
			`Entra does not expect (it is not SchemaAttributeNotFound: the attribute exists).`
	}
	return err
}

func checkEntraManager(ctx context.Context, t *Target) error {
	mgr := t.person("entra-manager-boss")
	mid, err := t.newUser(ctx, mgr, nil)
	if err != nil {
		return err
	}
	u := t.person("entra-manager")
	after := changed(u, map[string]any{"manager": mgr.ObjectID})
	return t.userPatchCheck(ctx, u, after, map[string]string{mgr.ObjectID: mid}, entra.DialectEntra)
}

func checkEnterpriseExtension(ctx context.Context, t *Target) error {
	u := changed(t.person("enterprise-update"), map[string]any{"department": "Sales"})
	after := changed(u, map[string]any{"department": "Marketing"})
	return t.userPatchCheck(ctx, u, after, nil, entra.DialectEntra)
}

// activeCheck disables the run's user and restores it in dialect d, reading it back after each.
func (t *Target) activeCheck(ctx context.Context, local string, d entra.Dialect) error {
	u := t.person(local)
	id, err := t.newUser(ctx, u, nil)
	if err != nil {
		return err
	}
	cur, err := t.match(ctx, u, id)
	if err != nil {
		return err
	}
	disable := []entra.Change{t.disableChange(cur)}
	resp, err := t.patch(ctx, wire.Users, id, d.UserPatch(disable))
	if err != nil {
		return err
	}
	if err := t.expectStatus(resp, http.StatusOK, http.StatusNoContent); err != nil {
		return err
	}
	res, err := t.readBack(ctx, wire.Users, id)
	if err != nil {
		return err
	}
	if p := stored(res, disable); p != "" {
		return t.expect(false, "%s, but GET /Users/%s %s", what(resp), id, p)
	}
	// Restore: the user is back in scope, and Entra's update sets active to true again.
	cur, err = t.match(ctx, u, id)
	if err != nil {
		var skip *SkipError
		if errors.As(err, &skip) {
			skip.Reason = "after the disable, " + skip.Reason + " (see inactive-user)"
		}
		return err
	}
	restore := t.changes(u, cur, nil)
	resp, err = t.patch(ctx, wire.Users, id, d.UserPatch(restore))
	if err != nil {
		return err
	}
	if err := t.expectStatus(resp, http.StatusOK, http.StatusNoContent); err != nil {
		return err
	}
	if res, err = t.readBack(ctx, wire.Users, id); err != nil {
		return err
	}
	p := stored(res, restore)
	return t.expect(p == "", "%s, but GET /Users/%s %s", what(resp), id, p)
}

func checkEntraActive(ctx context.Context, t *Target) error {
	return t.activeCheck(ctx, "entra-active", entra.DialectEntra)
}

func checkCompliantActive(ctx context.Context, t *Target) error {
	return t.activeCheck(ctx, "compliant-active", entra.DialectEntraCompliant)
}

func checkEntraMemberAdd(ctx context.Context, t *Target) error {
	gid, uids, err := t.groupWithUsers(ctx, "entra-add", 2)
	if err != nil {
		return err
	}
	resp, err := t.patch(ctx, wire.Groups, gid, entra.DialectEntra.GroupPatch("", uids, nil))
	if err != nil {
		return err
	}
	if err := t.expectStatus(resp, http.StatusOK, http.StatusNoContent); err != nil {
		return err
	}
	return t.expectMembers(ctx, gid, uids, "Add members")
}

// memberRemoveCheck puts two users in a group and removes the first in dialect d.
func (t *Target) memberRemoveCheck(ctx context.Context, local string, d entra.Dialect) ([]string, error) {
	gid, uids, err := t.groupWithUsers(ctx, local, 2)
	if err != nil {
		return nil, err
	}
	if err := t.addMembers(ctx, gid, uids...); err != nil {
		return nil, err
	}
	resp, err := t.patch(ctx, wire.Groups, gid, d.GroupPatch("", nil, uids[:1]))
	if err != nil {
		return nil, err
	}
	if err := t.expectStatus(resp, http.StatusOK, http.StatusNoContent); err != nil {
		return nil, err
	}
	return uids, t.expectMembers(ctx, gid, uids[1:], "removing member "+uids[0])
}

func checkEntraMemberRemove(ctx context.Context, t *Target) error {
	uids, err := t.memberRemoveCheck(ctx, "entra-remove", entra.DialectEntra)
	var f *Failure
	if err != nil && errors.As(err, &f) && len(uids) == 2 && strings.Contains(f.Got, "has members []; want ["+uids[1]+"]") {
		f.Consequence = `Data loss: each time Entra removes one member, the endpoint removes them all (it reads Remove ` +
			`without a filter as RFC 7644 Section 3.5.2.2 "remove all values").`
	}
	return err
}

func checkCompliantMemberRemove(ctx context.Context, t *Target) error {
	_, err := t.memberRemoveCheck(ctx, "compliant-remove", entra.DialectEntraCompliant)
	return err
}

func checkCompliantReplace(ctx context.Context, t *Target) error {
	u := t.person("compliant-replace")
	after := changed(u, map[string]any{"mail": t.Name("compliant-replace-new") + "@example.com",
		"givenName": "Kim", "surname": "Berg", "displayName": "Kim Berg"})
	return t.userPatchCheck(ctx, u, after, nil, entra.DialectEntraCompliant)
}

// del sends DELETE of a resource this run created and records it as deleted when the endpoint
// confirms it.
func (t *Target) del(ctx context.Context, resource, id string) (*entra.Response, error) {
	if !t.cfg.DryRun && !t.l.Owns(resource, id) {
		return nil, fmt.Errorf("refusing to delete %s/%s: this run did not create it", resource, id)
	}
	resp, err := t.send(ctx, entra.DeleteRequest(resource, id))
	if err == nil && (ok2xx(resp) || resp.Status == http.StatusNotFound) {
		t.l.Deleted(resource, id)
	}
	return resp, err
}

// expectDeleted deletes the run's resource and fails unless DELETE answers 204 (or 200) and GET
// then answers 404.
func (t *Target) expectDeleted(ctx context.Context, resource, id string) error {
	resp, err := t.del(ctx, resource, id)
	if err != nil {
		return err
	}
	if err := t.expectStatus(resp, http.StatusNoContent, http.StatusOK); err != nil {
		return err
	}
	g, err := t.send(ctx, entra.ReadBackRequest(resource, id))
	if err != nil {
		return err
	}
	return t.expect(g.Status == http.StatusNotFound, "%s, but then %s (want 404: the resource is still there)", what(resp), what(g))
}

func checkDeleteUser(ctx context.Context, t *Target) error {
	id, err := t.newUser(ctx, t.person("delete"), nil)
	if err != nil {
		return err
	}
	return t.expectDeleted(ctx, wire.Users, id)
}

func checkDeleteGroup(ctx context.Context, t *Target) error {
	id, err := t.newGroup(ctx, "delete")
	if err != nil {
		return err
	}
	return t.expectDeleted(ctx, wire.Groups, id)
}

func checkDeleteMissing(ctx context.Context, t *Target) error {
	id, err := t.newUser(ctx, t.person("delete-twice"), nil)
	if err != nil {
		return err
	}
	resp, err := t.del(ctx, wire.Users, id)
	if err != nil {
		return setUp(err, "delete the user it needs")
	}
	if !ok2xx(resp) && !t.cfg.DryRun {
		return &SkipError{Reason: "could not delete the user it needs (see delete-user): " + what(resp)}
	}
	again, err := t.send(ctx, entra.DeleteRequest(wire.Users, id))
	if err != nil {
		return err
	}
	return t.expectStatus(again, http.StatusNotFound)
}
