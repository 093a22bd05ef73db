package entra

// Tip is a troubleshooting tip and where it comes from.
type Tip struct {
	Text   string `json:"text"`
	Source string `json:"source"`
}

// Sources of the tips. The source document is Microsoft's "On-demand provisioning in Azure Active
// Directory" (provision-on-demand.md); tips from it are quoted verbatim. Where it has none, the
// tip paraphrases the Microsoft Learn page named, and says so.
const (
	srcStep1       = "On-demand provisioning, Step 1: Test connection, Troubleshooting tips"
	srcStep2       = "On-demand provisioning, Step 2: Import user, Troubleshooting tips"
	srcStep4       = "On-demand provisioning, Step 4: Match user between source and target, Troubleshooting tips"
	srcStep5       = "On-demand provisioning, Step 5: Perform action, Troubleshooting tips"
	srcLimitations = "On-demand provisioning, Known limitations"
	srcFAQ         = "On-demand provisioning, Frequently asked questions"
	srcNote        = "On-demand provisioning, How to use on-demand provisioning (Note)"
	srcLogs        = "Microsoft Learn, howto-analyze-provisioning-logs.md, error codes (paraphrased)"
	srcScoping     = "Microsoft Learn, provision-on-demand.md Step 3 tips and define-conditional-rules-for-provisioning-user-accounts.md (paraphrased)"
	srcNoUsers     = "Microsoft Learn, application-provisioning-config-problem-no-users-provisioned.md (paraphrased)"
	srcCompliance  = "Microsoft Learn, application-provisioning-config-problem-scim-compatibility.md (paraphrased)"
	srcSCIM        = "Microsoft Learn, use-scim-to-provision-users-and-groups.md (paraphrased)"
)

// The source document's tips, verbatim.
var (
	TipCredentials = Tip{"Ensure that you've provided valid credentials, such as the secret token and tenant URL, to the target system. The required credentials vary by application. For detailed configuration tutorials, see the tutorial list.", srcStep1}
	TipConnFilter  = Tip{"Make sure that the target system supports filtering on the matching attributes defined in the Attribute mappings pane. You might need to check the API documentation provided by the application developer to understand the supported filters.", srcStep1}
	TipPostman     = Tip{"For System for Cross-domain Identity Management (SCIM) applications, you can use a tool like Postman. Such tools help you ensure that the application responds to authorization requests in the way that the Azure Active Directory (Azure AD) provisioning service expects. Have a look at an example request.", srcStep1}

	TipMissingMatching = Tip{"Importing the user can fail when the matching attribute is missing on the user object in the source system. To resolve this failure, try one of these approaches: Update the user object with a value for the matching attribute. Change the matching attribute in your provisioning configuration.", srcStep2}
	TipNullAttribute   = Tip{"If an attribute that you expected is missing from the imported list, ensure that the attribute has a value on the user object in the source system. The provisioning service currently doesn't support provisioning null attributes.", srcStep2}
	TipMappingHasAttr  = Tip{"Make sure that the Attribute mapping page of your provisioning configuration contains the attribute that you expect.", srcStep2}

	TipUnique      = Tip{"The provisioning service might not be able to match a user in the source system uniquely with a user in the target. Resolve this problem by ensuring that the matching attribute is unique.", srcStep4}
	TipMatchFilter = Tip{"Make sure that the target system supports filtering on the attribute that's defined as the matching attribute.", srcStep4}

	TipExportVaries = Tip{"Failures for exporting changes can vary greatly. Check the documentation for provisioning logs for common failures.", srcStep5}
	TipReplication  = Tip{"On-demand provisioning says the group or user can't be provisioned because they're not assigned to the application. Note that there's a replicate delay of up to a few minutes between when an object is assigned to an application and that assignment being honored by on-demand provisioning. You may need to wait a few minutes and try again.", srcStep5}

	TipGroupMembers = Tip{"On-demand provisioning of groups supports updating up to 5 members at a time", srcLimitations}
	TipRestore      = Tip{"Restoring a previously soft-deleted user in the target tenant with on-demand provisioning isn't supported. If you try to soft delete a user with on-demand provisioning and then restore the user, it can result in duplicate users.", srcLimitations}
	TipRoles        = Tip{"On-demand provisioning of roles isn't supported.", srcLimitations}
	TipDisabled     = Tip{"On-demand provisioning supports disabling users that have been unassigned from the application. However, it doesn't support disabling or deleting users that have been disabled or deleted from Azure AD. Those users won't appear when you search for a user.", srcLimitations}
	TipOAuth        = Tip{"Applications that use OAuth for authorization currently require the provisioning job to be stopped before using on-demand provisioning. Applications such as G Suite, Box, Workplace by Facebook, and Slack fall into this category.", srcFAQ}
	TipCloudHR      = Tip{`For Cloud HR provisioning app (Workday/SuccessFactors to AD/Azure AD), the input value is different. For Workday scenario, please provide "WorkerID" or "WID" of the user in Workday. For SuccessFactors scenario, please provide "personIdExternal" of the user in SuccessFactors.`, srcNote}
)

// Tips from other Microsoft pages, paraphrased (the source document has none for these cases).
var (
	TipScopingRule   = Tip{"Make sure that you've defined a valid scoping rule: for example, avoid the Greater_Than and Greater_Than_OR_EQUALS operators on attributes or values that are not integers, and use regular expressions that compile.", srcScoping}
	TipRequiredRole  = Tip{"If the user doesn't have the required role, assign the user (or a group they are a direct member of) with a role the job accepts; users assigned only the \"Default Access\" role are not provisioned.", srcNoUsers}
	TipNotAssigned   = Tip{"With scope \"Sync only assigned users and groups\", only users assigned to the application directly or through a group they are a direct member of are in scope; nested groups are not expanded.", srcNoUsers}
	TipNotActive     = Tip{"Users that are disabled (accountEnabled false) or soft-deleted in the source are not provisioned; a user already in the target is disabled.", srcNoUsers}
	TipFilterFalse   = Tip{"Scoping filters are OR-ed and the clauses of one filter are AND-ed; every clause is false on a null or empty attribute except IS NULL.", srcScoping}
	TipConflict      = Tip{"EntryConflict: a user with the same unique attribute value already exists in the target. Correct the conflicting value, or fix the matching attributes so that the existing user is matched instead of created.", srcLogs}
	TipThrottled     = Tip{"TooManyRequests: the target throttled the provisioning service. The service retries automatically; reduce the load on the target or raise its limits.", srcLogs}
	TipServerError   = Tip{"InternalServerError: the target returned an unexpected error. The provisioning service retries such failures in a later cycle; check the target's logs.", srcLogs}
	TipTimeout       = Tip{"Timeout: the target did not answer in time. The provisioning service retries in a later cycle; make the target answer faster.", srcLogs}
	TipSchemaAttr    = Tip{"SchemaAttributeNotFound: an attribute in the request does not exist in the target's schema. Remove the mapping, or add the attribute to the target.", srcLogs}
	TipInvalidAnchor = Tip{"InvalidAnchor: a user that was created or matched earlier no longer exists in the target. Restart the job so that users are matched again.", srcLogs}
	TipUnauthorized  = Tip{"Unauthorized, InsufficientRights: the target refused the credentials, or they do not allow the operation. Check the secret token and the rights of the account it belongs to.", srcLogs}
	TipIncompatible  = Tip{"SystemForCrossDomainIdentityManagementServiceIncompatible: the provisioning service cannot read the target's answer. Every SCIM response must be application/scim+json and follow RFC 7643/7644.", srcLogs}
	TipEmptyQuery    = Tip{"A query that matches nothing must answer 200 with an empty ListResponse (totalResults 0), never 404; 404 where 200 is expected is a SCIM compliance issue that quarantines the job.", srcSCIM}
	TipStrictBool    = Tip{"The provisioning service sends booleans as the strings \"True\" and \"False\" and capitalised ops unless the aadOptscim062020 flag is set; a strict SCIM target rejects them. Accept both, or use the flag (it does not apply to on-demand provisioning).", srcCompliance}
	TipMultipleGroup = Tip{"SystemForCrossDomainIdentityManagementMultipleEntriesInResponse: a group query with excludedAttributes=members must not return members.", srcLogs}
	TipPrecondition  = Tip{"PreconditionFailed: the target refused the write because of a version precondition. Entra sends no If-Match header, so the target should not require one.", srcSCIM}
)

// Tips of the codes that are scimsim's own.
var (
	TipNotFoundOnWrite = Tip{"The target answered 404 for a resource it returned a moment before, so the resource did not vanish: the target refused this request. Read the answer's body, and replay the request with cURL: some SCIM servers answer 404 to a value they cannot read.", ourTip}
	TipAddAbsent       = Tip{"When a user gains a value of a multi-valued attribute, such as a work email or a mobile phone, the provisioning service sends \"Add\" with the value-filtered path, e.g. {\"op\":\"Add\",\"path\":\"emails[type eq \\\"work\\\"].value\",\"value\":\"...\"}: accept it and create the element.", ourTip}
)

// ourTip marks tips that are scimsim's own advice.
const ourTip = "scimsim"

// TipReadBack explains a read-back that found an attribute or member other than what was sent.
var TipReadBack = Tip{"The target accepted the write but does not store what was sent. Microsoft asks SCIM endpoints to store values exactly as sent and to reject invalid values with an actionable error: a value silently dropped never reaches the app, and the provisioning service exports it again on every cycle. Store the attribute, reject it with a 400 that names it, or remove the mapping.", srcSCIM}
