package scimsim

// Evidence says how a behaviour scimsim reproduces is known.
type Evidence string

// The kinds of evidence.
const (
	// Documented: a Microsoft Learn or Microsoft Graph page says it.
	Documented Evidence = "documented"
	// FieldReport: seen against real tenants and reported (a GitHub issue, a vendor's guide, a
	// Microsoft answer on Q&A), where Microsoft's pages are silent.
	FieldReport Evidence = "field report"
	// Inferred: concluded from the documented and reported facts; no source states it.
	Inferred Evidence = "inferred"
)

// Behaviour is one thing Microsoft Entra ID does that scimsim reproduces, where the code does it,
// and the source it cites there.
type Behaviour struct {
	// Area groups the rows: client, answers, steps, scope, search, limitations, default job, cycles,
	// expressions.
	Area     string
	What     string
	Evidence Evidence
	// Source names the page and section (with its date) or the report.
	Source string
	// Where is the declaration that reproduces it, "dir/file.go:Name" (Name a function, a method
	// as Type.Method, a type, a variable or a constant), or a file; the declaration (its doc
	// comment and code) or the file must contain Cite, so that the code and this table cite the
	// same source.
	Where string
	Cite  string
}

// Sources, as the rows name them.
const (
	srcTutorial   = "Microsoft Learn, use-scim-to-provision-users-and-groups.md (2026-09-15)"
	srcCompat     = "Microsoft Learn, application-provisioning-config-problem-scim-compatibility.md (2025-08-25)"
	srcOnDemand   = "Microsoft Learn, provision-on-demand.md (2025-03-04)"
	srcLogs       = "Microsoft Learn, howto-analyze-provisioning-logs.md, Error codes (2024-09-26)"
	srcCustomize  = "Microsoft Learn, customize-application-attributes.md (2026-08-06)"
	srcScoping    = "Microsoft Learn, define-conditional-rules-for-provisioning-user-accounts.md"
	srcKnown      = "Microsoft Learn, known-issues.md (2025-10-04)"
	srcHow        = "Microsoft Learn, how-provisioning-works.md (2025-03-04)"
	srcFunctions  = "Microsoft Learn, functions-for-customizing-application-data.md (2026-04-10)"
	srcGraphPOD   = "Microsoft Graph, synchronizationJob: provisionOnDemand"
	srcVendorMaps = "the admin center's default mappings as vendor guides transcribe them (SingleID, Capturi, Bitwarden)"
	srcQuarantine = "Microsoft Learn, application-provisioning-quarantine-status.md (2025-03-04)"
	srcDeletions  = "Microsoft Learn, accidental-deletions.md (2025-03-04)"
	srcWhen       = "Microsoft Learn, application-provisioning-when-will-provisioning-finish-specific-user.md (2025-03-04)"
	srcGraphSync  = "Microsoft Graph, synchronizationStatus and synchronizationQuarantine"
)

// Behaviours lists what scimsim reproduces of Entra, one row each; docs/fidelity.md is generated
// from it, and a test checks each row against the comment of the code it names.
var Behaviours = []Behaviour{
	// How Entra's client sends.
	{"client", "Test connection queries a user that does not exist, with a random GUID on the first matching attribute, and expects 200 with an empty ListResponse", Documented, srcTutorial + ", Getting started (Test Connection note); " + srcOnDemand + ", Step 1", "entra/requests.go:TestConnectionRequest", "provision-on-demand.md"},
	{"client", "Test connection is shown only when it fails", Documented, srcOnDemand + ", Step 1", "report/text.go:Report.WriteText", "This step is shown only when it fails"},
	{"client", "Matching queries use eq only, one attribute per query", Documented, srcTutorial + ", Retrieving resources", "entra/requests.go:Filter", "only eq"},
	{"client", "Matching attributes are tried in precedence order and the first match wins", Documented, srcCustomize + ", Matching users", "engine/step_match.go:pass.matchStep", "As soon as a match is found"},
	{"client", "Filter values are SCIM string literals; spaces are encoded as '+' in the query", FieldReport, "audriga/scim-server-php issue 1; elimity-com/scim testdata", "entra/requests.go:Request.URL", "spaces as"},
	{"client", "Every read of a group asks for excludedAttributes=members", Documented, srcTutorial + ", requirement 5 and Get Group", "entra/requests.go:ExcludeMembers", "Requests to retrieve groups specify that the members attribute is to be excluded"},
	{"client", "A user is created with the core User schema, the enterprise extension and meta.resourceType", Documented, srcTutorial + ", Create User", "entra/requests.go:UserCreateBody", "Create User"},
	{"client", "Null values are never sent", Documented, srcCustomize + ", What you should know", "entra/requests.go:UserCreateBody", "doesn't send null"},
	{"client", "A custom extension's URN is not listed in schemas", Documented, srcCustomize + ", custom extension attributes", "entra/requests.go:UserCreateBody", "custom extension schema header is omitted"},
	{"client", "A group is created empty, with the core schema and Microsoft's ADSCIM schema URI", Documented, srcTutorial + ", Create Group", "entra/requests.go:GroupCreateBody", "Create Group"},
	{"client", "PATCH ops are capitalised: Add, Replace, Remove", Documented, srcTutorial + ", General", "entra/dialect.go:DialectEntra", "capitalised ops"},
	{"client", "Booleans are sent as the strings \"True\" and \"False\" by the default job", Documented, srcCompat + ", Requests made to disable users", "entra/dialect.go:Dialect.value", "\"True\" and"},
	{"client", "One PATCH operation per changed attribute, with a path", Documented, srcCompat + ", Requests to replace multiple attributes", "entra/dialect.go:Dialect.UserPatch", "every change is its own"},
	{"client", "Add for a value the target does not have, Replace for one it has", Documented, srcCompat + ", Requests to add a single-value string attribute", "entra/dialect.go:Add", "Add single-value string"},
	{"client", "Add on a value-filtered path when the element is absent (a first work email or mobile phone)", FieldReport, "wireapp/wire-server pull 5419", "entra/dialect.go:Add", "wire-server pull 5419"},
	{"client", "The manager is sent as a plain string holding the manager's id in the target", FieldReport, "Captain-P-Goldfish/SCIM-SDK issues 541 and 686; apache/directory-scimple issue 1242", "entra/dialect.go:Change", "SCIM-SDK issue 686"},
	{"client", "A manager not yet in the target is left out of the user", Documented, srcKnown + ", Manager isn't provisioned", "engine/reference.go:pass.resolveReferences", "known-issues.md"},
	{"client", "Members are added with a value array whose $ref is null", Documented, srcTutorial + ", Update Group [Add Members]", "entra/dialect.go:Dialect.memberValues", "explicit null"},
	{"client", "Members are removed with Remove on members and a value array", Documented, srcCompat + ", Requests to remove a group member", "entra/dialect.go:DialectEntra", "group members removed"},
	{"client", "With aadOptscim062020: lower-case ops, JSON booleans, one no-path replace with dotted keys, members removed by value filter", Documented, srcCompat + ", Flags to alter the SCIM behavior", "entra/dialect.go:DialectEntraCompliant", "aadOptscim062020"},
	{"client", "The aadOptscim062020 flag does not work with on-demand provisioning", Documented, srcCompat + ", Flags to alter the SCIM behavior", "engine/run.go:Config.plan", "does not work with on-demand provisioning"},
	{"client", "A PATCH may answer 200 with or without the resource, or 204", Documented, srcTutorial + ", General", "entra/client.go:Client.Patch", "isn't necessary to include the entire resource"},
	{"client", "A 429 is retried after its Retry-After within the run's time", Documented, srcLogs + ", TooManyRequests (the wait is inferred)", "entra/send.go:Client.Send", "429"},
	{"client", "Responses must be application/scim+json; application/json is read too", Documented, srcTutorial + ", General (application/json inferred)", "entra/client.go:Response.checkContent", "application/json is accepted"},

	// How Entra reads answers.
	{"answers", "401 and 403 are credential failures, whatever the body or content type", Documented, srcLogs + ", Unauthorized, InsufficientRights (the status mapping is inferred)", "entra/answers.go:Classify", "401 and 403 are credential failures"},
	{"answers", "A 404 to the test connection is SystemForCrossDomainIdentityManagementCredentialValidationUnavailable", FieldReport, "grokability/snipe-it issue 13968", "entra/codes.go:srcFieldCredential", "snipe-it issue 13968"},
	{"answers", "A 400 to a write is SystemForCrossDomainIdentityManagementBadRequest", FieldReport, "1Password/scim-examples issue 82", "entra/codes.go:srcFieldBadRequest", "scim-examples issue 82"},
	{"answers", "A 409 is EntryConflict", Documented, srcLogs + ", Conflict, EntryConflict", "entra/tips.go:TipConflict", "srcLogs"},
	{"answers", "A 5xx is InternalServerError, retried in 40 minutes", Documented, srcLogs + ", InternalServerError", "entra/tips.go:TipServerError", "srcLogs"},
	{"answers", "A target too slow to answer is Timeout", Documented, srcLogs + ", Timeout", "entra/tips.go:TipTimeout", "srcLogs"},
	{"answers", "An answer that is not SCIM is SystemForCrossDomainIdentityManagementServiceIncompatible", Documented, srcLogs + ", SystemForCrossDomainIdentityManagementServiceIncompatible", "entra/tips.go:TipIncompatible", "srcLogs"},
	{"answers", "More than one target resource for a matching query is DuplicateTargetEntries", Documented, srcLogs + ", DuplicateTargetEntries", "engine/step_match.go:pass.matchStep", "DuplicateTargetEntries"},
	{"answers", "Members returned despite excludedAttributes=members is SystemForCrossDomainIdentityManagementMultipleEntriesInResponse", Documented, srcLogs + ", SystemForCrossDomainIdentityManagementMultipleEntriesInResponse", "engine/step_match.go:pass.matchStep", "MultipleEntriesInResponse"},
	{"answers", "An attribute the target does not have (400 invalidPath) is SchemaAttributeNotFound", Inferred, srcLogs + ", SchemaAttributeNotFound (the status mapping is inferred)", "entra/answers.go:classify", "invalidPath"},
	{"answers", "Nothing to change is skipped as RedundantExport", Documented, srcGraphPOD + ", example response", "entra/codes.go:srcPOD", "provisionOnDemand"},
	{"answers", "No value for any matching attribute is ImportSkipped, and scoping is not evaluated", Documented, srcLogs + ", ImportSkipped; " + srcOnDemand + ", Step 2", "engine/step_import.go:pass.importStep", "ImportSkipped"},
	{"answers", "Out of scope and not in the target is EntrySynchronizationSkipped", Documented, srcLogs + ", EntrySynchronizationSkipped", "entra/tips.go:TipSkipped", "srcLogs"},
	{"answers", "Every failed export carries Step 5's first tip", Documented, srcOnDemand + ", Step 5", "entra/answers.go:Classify", "Failures for exporting changes can vary greatly"},

	// Scope.
	{"scope", "IsSoftDeleted is true when the user is unassigned, out of scope, soft-deleted or disabled", Documented, srcCustomize + ", What you should know", "engine/object.go:userObject.env", "customize-application-attributes.md"},
	{"scope", "Step 3 shows Active in source system, Assigned to application or Scope sync all, User has required role and each scoping clause", Documented, srcOnDemand + ", Step 3 View details", "engine/step_scope.go:pass.decideScope", "provision-on-demand.md, Step 3"},
	{"scope", "Assignment through a group counts for its direct members only", Documented, "Microsoft Learn, application-provisioning-config-problem-no-users-provisioned.md", "engine/source.go:Source.assignmentsOf", "nested groups are not expanded"},
	{"scope", "A new assignment is honoured after a replication delay of up to a few minutes", Documented, srcOnDemand + ", Step 5 tip 2", "entra/tips.go:TipReplication", "srcStep5"},
	{"scope", "Scoping filters are OR-ed; the clauses of one filter are AND-ed", Documented, srcScoping, "entra/tips.go:TipFilterFalse", "srcScoping"},
	{"scope", "A scoping clause on a null or empty value is false, except IS NULL", Documented, srcScoping, "engine/scope.go:Clause.eval", "null"},
	{"scope", "Each operator of the portal: &, !&, ENDS_WITH, EQUALS, NOT EQUALS, Includes, Greater_Than, Greater_Than_OR_EQUALS, IS TRUE, IS FALSE, IS NULL, IS NOT NULL, REGEX MATCH, NOT REGEX MATCH, with Microsoft's semantics", Documented, srcScoping, "engine/scope.go:operators", "define-conditional-rules-for-provisioning-user- accounts.md"},
	{"scope", "Greater_Than and Greater_Than_OR_EQUALS take integers only", Documented, srcScoping + "; " + srcOnDemand + ", Step 3 tip 1", "entra/tips.go:TipScopingRule", "srcStep3"},
	{"scope", "An out-of-scope user that exists in the target is disabled; one that does not is skipped", Documented, srcHow + ", Incremental cycles", "engine/export_user.go:pass.deprovisionUser", "how-provisioning-works.md"},
	{"scope", "A user without an active mapping is deleted when Delete is an enabled target object action", Documented, srcHow + ", Deprovisioning", "engine/export_user.go:pass.deprovisionUser", "Delete is an enabled action"},

	// Search.
	{"search", "The search matches first name, last name, display name, user principal name or email address", Documented, srcOnDemand + ", How to use on-demand provisioning", "engine/search.go:searchAttributes", "Search for a"},
	{"search", "A Workday source is searched by WorkerID or WID, a SuccessFactors source by personIdExternal", Documented, srcOnDemand + ", Note", "engine/search.go:cloudHRAttributes", "WorkerID"},
	{"search", "Users disabled or deleted in Entra ID do not appear when you search", Documented, srcOnDemand + ", Known limitations", "engine/search.go:searchResult", "don't appear"},

	// Limitations.
	{"limitations", "A group is provisioned with up to five of its members", Documented, srcOnDemand + ", Known limitations", "engine/export_group.go:MaxGroupMembers", "up to five members"},
	{"limitations", "One user at a time through the admin center", Documented, srcOnDemand + ", Known limitations", "engine/run.go:Subject", "one user, or one group, at a time"},
	{"limitations", "The request API accepts a single group", Documented, srcOnDemand + ", Known limitations", "entra/tips.go:TipOneGroupAPI", "srcLimitations"},
	{"limitations", "Nested groups that aren't directly assigned are not supported", Documented, srcOnDemand + ", Known limitations", "engine/source.go:Source.nestedUnderAssigned", "nested groups that"},
	{"limitations", "Roles are not provisioned on demand", Documented, srcOnDemand + ", Known limitations", "engine/flow.go:Mapping.isRole", "roles isn't supported"},
	{"limitations", "Restoring a soft-deleted user can create a duplicate", Documented, srcOnDemand + ", Known limitations", "entra/tips.go:TipRestore", "srcLimitations"},
	{"limitations", "OAuth applications need their provisioning job stopped; bearer-token applications do not", Documented, srcOnDemand + ", Frequently asked questions", "engine/step_connection.go:pass.testConnection", "OAuth"},
	{"limitations", "Applications that authorize with a user name and password need no more steps for on-demand provisioning", Documented, srcOnDemand + ", Frequently asked questions", "entra/client.go:WithBasicAuth", "provision-on-demand.md, Frequently asked questions"},
	{"limitations", "A run typically takes less than 30 seconds: job.timeout is scimsim's own guard, not a documented limit", Documented, srcOnDemand + ", Frequently asked questions", "engine/config.go:DefaultTimeout", "typically takes less than 30 seconds"},

	// The default job.
	{"default job", "userPrincipalName flows to userName, the only matching attribute", FieldReport, srcVendorMaps, "engine/defaultjob.yaml", "userName <- userPrincipalName, matching precedence 1"},
	{"default job", "active is Switch([IsSoftDeleted], , \"False\", \"True\", \"True\", \"False\")", FieldReport, srcVendorMaps, "engine/defaultjob.yaml", "Switch([IsSoftDeleted]"},
	{"default job", "name.formatted is Join(\" \", [givenName], [surname])", FieldReport, srcVendorMaps, "engine/defaultjob.yaml", "name.formatted <- Join"},
	{"default job", "The work address: formatted, streetAddress, locality, region, postalCode, country", FieldReport, srcVendorMaps, "engine/defaultjob.yaml", "addresses[type eq \"work\"].locality <- city"},
	{"default job", "Work, mobile and fax phone numbers", FieldReport, srcVendorMaps, "engine/defaultjob.yaml", "phoneNumbers[type eq \"mobile\"].value <- mobile"},
	{"default job", "externalId from mailNickname, not matching, applied always", FieldReport, srcVendorMaps, "engine/defaultjob.yaml", "externalId <- mailNickname"},
	{"default job", "employeeNumber, department and manager in the enterprise extension", FieldReport, srcVendorMaps, "engine/defaultjob.yaml", "employeeNumber <- employeeId"},
	{"default job", "Groups: displayName matching, objectId to externalId, members", FieldReport, srcVendorMaps, "engine/defaultjob.yaml", "displayName <- displayName, matching precedence 1"},
	{"default job", "Scope Sync only assigned users and groups", Documented, srcTutorial + ", Getting started (recommended)", "engine/defaultjob.yaml", "Sync only assigned users and groups"},

	// Provisioning cycles (scimsim sync).
	{"cycles", "Incremental cycles start about every 40 minutes, an interval that is not configurable", Documented, srcKnown + ", The provisioning interval is fixed; the application tutorials", "job/schedule.go:IncrementalInterval", "approximately every 40 minutes"},
	{"cycles", "A cycle takes at least 0.01 minutes per user, group and group member", Documented, srcWhen + ", How long will it take to provision users?", "job/schedule.go:ObjectTime", "Minimum minutes = 0.01"},
	{"cycles", "An object created or matched is cached by its target id and read by it in later cycles, so a 404 there is InvalidAnchor", Documented, srcHow + ", Initial cycle; " + srcLogs, "engine/cycle.go", "This ID is used to run all future operations on that user"},
	{"cycles", "A cycle queries the target only for objects in scope", Documented, srcHow + ", Initial cycle", "engine/cycle.go", "When a user is assigned or in scope for provisioning, the service queries the target system"},
	{"cycles", "A failed export is escrowed and retried in the next cycles", Documented, srcHow + ", Errors and retries", "job/cycle.go:Job.work", "the operation is retried in the next sync cycle"},
	{"cycles", "Invalid credentials, or a 404 where a query expects 200, quarantine the job whatever the failure counts", Documented, srcQuarantine + ", Why is my application in quarantine?", "job/cycle.go:quarantineExceptions", "regardless of failure counts"},
	{"cycles", "Escrow thresholds: evaluated from 5,000 failures; more than 40% failed, more than 40,000, or 60,000 with references", Documented, srcQuarantine + ", Escrow thresholds", "job/schedule.go:EscrowMinimum", "5,000 failures are the minimum"},
	{"cycles", "Quarantine retries 6 h, 12 h and 24 h after it began, then daily; the job is disabled after 28 days", Documented, srcQuarantine + ", Retry duration", "job/schedule.go:quarantineRetry", "the first retry will happen in 6 hours"},
	{"cycles", "A threshold reached in the initial cycle prunes the escrows, and the job pauses when the cycle ends", Documented, srcGraphSync + ", escrowsPruned", "job/cycle.go:Job.runCycle", "Instead of going into quarantine"},
	{"cycles", "Disables and deletes over the accidental-deletions threshold are staged and quarantine the job (TooManyDeletes)", Documented, srcDeletions, "job/cycle.go:Job.runCycle", "When the deletion threshold is met, the job goes into quarantine"},
	{"cycles", "The accidental-deletions threshold defaults to 500", Inferred, "the default documented for Microsoft Entra Connect and cloud sync; " + srcDeletions + " gives none", "engine/cycle.go:DefaultAccidentalDeletionThreshold", "500 deletes"},
	{"cycles", "The tenant URL's aadOptscim062020 flag changes the scheduled job's requests, not on demand's", Documented, srcCompat + ", Flags to alter the SCIM behavior", "engine/cycle.go", "doesn't work with on-demand provisioning"},
	{"cycles", "The job's status is Graph's synchronizationStatus, with its quarantine's reason, series and next attempt", Documented, srcGraphSync, "job/status.go", "synchronizationStatus"},
	{"cycles", "Provisioning logs download as JSON, or as three CSV files joined by the change ID", Documented, "Microsoft Learn, howto-analyze-provisioning-logs.md, CSV format", "job/logwriter.go:CreateLog", "includes three files"},

	// Expressions.
	{"expressions", "Every function of Microsoft's reference, with its documented arity and examples", Documented, srcFunctions, "engine/expr/funcs.go:Functions", "functions-for-customizing-application-data.md"},
	{"expressions", "SelectUniqueValue checks each candidate against the target, in Cloud HR jobs only", Documented, srcFunctions + ", SelectUniqueValue", "engine/unique.go:pass.selectUniqueValues", "SelectUniqueValue"},
	{"expressions", "DefaultDomain returns the source tenant's default verified domain", Documented, srcFunctions + ", DefaultDomain", "engine/expr/funcs.go:functionList", "DefaultDomain"},
	{"expressions", "Regular expressions and date formats follow .NET", Documented, srcFunctions, "engine/expr/dotnet_regex.go", ".NET"},
}
