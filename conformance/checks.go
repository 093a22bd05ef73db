package conformance

import (
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
			ID:     "discovery-items-per-page",
			Impact: ImpactRFCOnly,
			Title:  "/Schemas and /ResourceTypes give itemsPerPage as the number of resources they return",
			Requirement: `itemsPerPage is "the number of resources returned in a list response page" (RFC 7644 Section 3.4.2), ` +
				`in the discovery lists too (RFC 7644 Section 4).`,
			Consequence: `Entra's job does not read the discovery lists; a client that pages by itemsPerPage asks again for ` +
				`resources it already has, or stops early.`,
			Remedy: `Answer itemsPerPage with the number of resources in the ListResponse, not the page size.`,
			Needs:  []string{"schemas"},
			Run:    checkDiscoveryItemsPerPage,
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
