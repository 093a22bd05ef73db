package entra

import "github.com/scimsim/scimsim/report"

// Tip is a troubleshooting tip and where it comes from.
type Tip = report.Tip

// Sources of the tips. Microsoft's on-demand provisioning page ("Provision a user or group on demand
// using the Microsoft Entra provisioning service", provision-on-demand.md, ms.date 2025-03-04, the live
// page) is quoted verbatim; so is the error table of the provisioning logs page
// (howto-analyze-provisioning-logs.md, "Error codes", ms.date 2024-09-26). Where neither has words for a
// case, the tip paraphrases the page it names, and says so.
const (
	podPage        = "Microsoft Learn, provision-on-demand.md (2025-03-04)"
	srcStep1       = "On-demand provisioning, Step 1: Test connection, Troubleshooting tips; " + podPage
	srcStep2       = "On-demand provisioning, Step 2: Import user, Troubleshooting tips; " + podPage
	srcStep3       = "On-demand provisioning, Step 3: Determine if user is in scope, Troubleshooting tips; " + podPage
	srcStep4       = "On-demand provisioning, Step 4: Match user between source and target, Troubleshooting tips; " + podPage
	srcStep5       = "On-demand provisioning, Step 5: Perform action, Troubleshooting tips; " + podPage
	srcLimitations = "On-demand provisioning, Known limitations; " + podPage
	srcFAQ         = "On-demand provisioning, Frequently asked questions; " + podPage
	srcNote        = "On-demand provisioning, How to use on-demand provisioning (Note); " + podPage
	srcLogs        = "Microsoft Learn, howto-analyze-provisioning-logs.md, Error codes (2024-09-26)"
	srcScoping     = "Microsoft Learn, define-conditional-rules-for-provisioning-user-accounts.md (paraphrased)"
	srcNoUsers     = "Microsoft Learn, application-provisioning-config-problem-no-users-provisioned.md (paraphrased)"
	srcCompliance  = "Microsoft Learn, application-provisioning-config-problem-scim-compatibility.md (paraphrased)"
	srcSCIM        = "Microsoft Learn, use-scim-to-provision-users-and-groups.md (paraphrased)"
	srcGallery     = "Microsoft Learn, app-gallery-user-provisioning-requirements.md (paraphrased)"
	// The cross-tenant tips' sources: each tip quotes its page (links kept as their text), or says it paraphrases it.
	srcCTSTips       = "Microsoft Learn, howto-analyze-provisioning-logs.md, Error codes for cross-tenant synchronization (2024-09-26)"
	srcCTSConfigTips = "Microsoft Learn, cross-tenant-synchronization-configure.md, Troubleshoot common cross-tenant synchronization scenarios (2026-08-06)"
	srcCTSConfigStep = "Microsoft Learn, cross-tenant-synchronization-configure.md, Step 2: Enable user synchronization in the target tenant (paraphrased)"
	srcCTSPOD        = "On-demand provisioning, Known limitations (cross-tenant synchronization); " + podPage
)

// The on-demand page's tips, verbatim.
var (
	TipCredentials = Tip{Text: "Ensure that you've provided valid credentials, such as the secret token and tenant URL, to the target system. The required credentials vary by application. For detailed configuration tutorials, see the tutorial list.", Source: srcStep1}
	TipConnFilter  = Tip{Text: "Make sure that the target system supports filtering on the matching attributes defined in the Attribute mappings pane. You might need to check the API documentation provided by the application developer to understand the supported filters.", Source: srcStep1}
	TipRESTTool    = Tip{Text: "For System for Cross-domain Identity Management (SCIM) applications, use a REST API tool like cURL. Such tools help you ensure that the application responds to authorization requests in the way that the Microsoft Entra provisioning service expects. Have a look at an example request.", Source: srcStep1}

	TipMissingMatching = Tip{Text: "Importing the user can fail when the matching attribute is missing on the user object in the source system. To resolve this failure, try one of these approaches: Update the user object with a value for the matching attribute. Change the matching attribute in your provisioning configuration.", Source: srcStep2}
	TipNullAttribute   = Tip{Text: "If an attribute that you expected is missing from the imported list, ensure that the attribute has a value on the user object in the source system. The provisioning service currently doesn't support provisioning null attributes.", Source: srcStep2}
	TipMappingHasAttr  = Tip{Text: "Make sure that the Attribute mapping page of your provisioning configuration contains the attribute that you expect.", Source: srcStep2}

	TipScopingRule = Tip{Text: "Make sure that you've defined a valid scoping role. For example, avoid using the Greater_Than operator with a noninteger value.", Source: srcStep3}
	TipDefaultRole = Tip{Text: "If the user doesn't have the necessary role, review the tips for provisioning users assigned to the default access role.", Source: srcStep3}

	TipUnique      = Tip{Text: "The provisioning service might not be able to match a user in the source system uniquely with a user in the target. Resolve this problem by ensuring that the matching attribute is unique.", Source: srcStep4}
	TipMatchFilter = Tip{Text: "Make sure that the target system supports filtering on the attribute that's defined as the matching attribute.", Source: srcStep4}

	TipExportVaries = Tip{Text: "Failures for exporting changes can vary greatly. Check the documentation for provisioning logs for common failures.", Source: srcStep5}
	TipReplication  = Tip{Text: "On-demand provisioning says the group or user can't be provisioned because they're not assigned to the application. There's a replication delay of up to a few minutes between when an object is assigned to an application and when that assignment is honored in on-demand provisioning. You may need to wait a few minutes and try again.", Source: srcStep5}

	TipGroupMembers = Tip{Text: "On-demand provisioning of groups supports updating up to five members at a time.", Source: srcLimitations}
	TipRestore      = Tip{Text: "Restoring a previously soft-deleted user in the target tenant with on-demand provisioning isn't supported. If you try to soft-delete a user with on-demand provisioning and then restore the user, it can result in duplicate users.", Source: srcLimitations}
	TipRoles        = Tip{Text: "On-demand provisioning of roles isn't supported.", Source: srcLimitations}
	TipOneUser      = Tip{Text: "On-demand provisioning supports provisioning one user at a time through the Microsoft Entra admin center.", Source: srcLimitations}
	TipOneGroupAPI  = Tip{Text: "The on-demand provisioning request API can only accept a single group with up to 5 members at a time.", Source: srcLimitations}
	TipNestedGroups = Tip{Text: "On-demand provisioning doesn't support nested groups that aren't directly assigned to the application.", Source: srcLimitations}
	TipDisabled     = Tip{Text: "On-demand provisioning supports disabling users that have been unassigned from the application. However, it doesn't support disabling or deleting users that have been disabled or deleted from Microsoft Entra ID. Those users don't appear when you search for a user.", Source: srcLimitations}
	TipOAuth        = Tip{Text: "Applications that use OAuth for authorization currently require the provisioning job to be stopped before using on-demand provisioning. Applications such as G Suite, Box, and Slack fall into this category.", Source: srcFAQ}
	TipCloudHR      = Tip{Text: `For Cloud HR provisioning app (Workday / SuccessFactors to Active Directory / Microsoft Entra ID), the input value is different. For Workday scenario, please provide "WorkerID" or "WID" of the user in Workday. For SuccessFactors scenario, please provide "personIdExternal" of the user in SuccessFactors.`, Source: srcNote}
)

// The provisioning logs' error table, verbatim (its links kept as their text).
var (
	TipConflict      = Tip{Text: "Correct the conflicting attribute values in either Microsoft Entra ID or the application. Or, review your matching attribute configuration if the conflicting user account was supposed to be matched and taken over. For more information on configuring matching attributes, see Customize user provisioning attribute-mappings for SaaS applications in Microsoft Entra ID.", Source: srcLogs}
	TipThrottled     = Tip{Text: "The target app rejected this attempt to update the user because the app is receiving too many requests. There's nothing to do. This attempt is automatically retried and Microsoft was notified of this issue.", Source: srcLogs}
	TipServerError   = Tip{Text: "The target app returned an unexpected error. A service issue with the target application might be preventing it from working. This attempt is automatically retried in 40 minutes.", Source: srcLogs}
	TipTimeout       = Tip{Text: "The operation couldn't be completed because the target application took too long to respond. There's nothing to do. This attempt is automatically retried in 40 minutes.", Source: srcLogs}
	TipSchemaAttr    = Tip{Text: "The operation couldn't be performed because an attribute was specified that doesn't exist in the target application. Ensure that your configuration is correct by referring to Customize user provisioning attribute-mappings for SaaS applications in Microsoft Entra ID.", Source: srcLogs}
	TipInvalidAnchor = Tip{Text: "A user that was previously created or matched by the provisioning service no longer exists. Ensure that the user exists. To force a new matching of all users, use the Microsoft Graph API to restart the job.", Source: srcLogs}
	TipUnauthorized  = Tip{Text: "Microsoft Entra ID authenticated with the target application but wasn't authorized to perform the update. Review any instructions that the target application provided, along with the respective application. For more information, see Tutorials for integrating applications with Microsoft Entra ID.", Source: srcLogs}
	TipIncompatible  = Tip{Text: "The Microsoft Entra provisioning service is unable to parse the response from the non-Microsoft application. Work with the application developer to ensure that the SCIM server is compatible with the Microsoft Entra SCIM client.", Source: srcLogs}
	TipMultipleGroup = Tip{Text: "A GET request to retrieve a user or group received multiple users or groups in the response. The system expects to receive only one user or group in the response. For example, if you do a GET Group request to retrieve a group, provide a filter to exclude members, and your System for Cross-Domain Identity Management (SCIM) endpoint returns the members, this error appears.", Source: srcLogs}
	TipUnprocessable = Tip{Text: "The target application returned an unexpected response. The configuration of the target application might not be correct, or a service issue with the target application might be preventing it from working.", Source: srcLogs}
	TipProtocolError = Tip{Text: "An HTTP protocol error occurred while connecting to the target application. There's nothing to do. This attempt is automatically retried in 40 minutes.", Source: srcLogs}
	TipInternalError = Tip{Text: "An internal service error occurred within the Microsoft Entra provisioning service. There's nothing to do. This attempt is automatically retried in 40 minutes.", Source: srcLogs}
	TipSkipped       = Tip{Text: "The provisioning service successfully queried the source system and identified the user. No further action was taken on the user and they were skipped. The user might have been out of scope or already existed in the target system with no further changes required.", Source: srcLogs}
)

// Tips from other Microsoft pages, paraphrased (the on-demand page has none for these cases).
var (
	TipRequiredRole = Tip{Text: "If the user doesn't have the required role, assign the user (or a group they are a direct member of) with a role the job accepts; users assigned only the \"Default Access\" role are not provisioned.", Source: srcNoUsers}
	TipNotAssigned  = Tip{Text: "With scope \"Sync only assigned users and groups\", only users assigned to the application directly or through a group they are a direct member of are in scope; nested groups are not expanded.", Source: srcNoUsers}
	TipNotActive    = Tip{Text: "Users that are disabled (accountEnabled false) or soft-deleted in the source are not provisioned; a user already in the target is disabled.", Source: srcNoUsers}
	TipFilterFalse  = Tip{Text: "Scoping filters are OR-ed and the clauses of one filter are AND-ed; every clause is false on a null or empty attribute except IS NULL.", Source: srcScoping}
	TipEmptyQuery   = Tip{Text: "A query that matches nothing must answer 200 with an empty ListResponse (totalResults 0), never 404 or 400; a 404 where 200 is expected is a SCIM compliance issue that quarantines the job.", Source: srcGallery}
	TipStrictBool   = Tip{Text: "The provisioning service sends booleans as the strings \"True\" and \"False\" and capitalised ops unless the aadOptscim062020 flag is set; a strict SCIM target rejects them. Accept both, or use the flag (it does not apply to on-demand provisioning).", Source: srcCompliance}
	TipPrecondition = Tip{Text: "The target refused the write because of a version precondition. The provisioning service sends no If-Match header, so the target should not require one.", Source: srcSCIM}
)

// Tips of the codes that are scimsim's own.
var (
	TipNotFoundOnWrite = Tip{Text: "The target answered 404 for a resource it returned a moment before, so the resource did not vanish: the target refused this request. Read the answer's body, and replay the request with cURL: some SCIM servers answer 404 to a value they cannot read.", Source: ourTip}
	TipManagerString   = Tip{Text: "The provisioning service sends the manager as a plain string holding the manager's id in the target, {\"op\":\"Add\",\"path\":\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager\",\"value\":\"<id>\"}, not the complex value RFC 7643 Section 4.3 defines: accept the string as the reference's value.", Source: ourTip}
	TipAddAbsent       = Tip{Text: "When a user gains a value of a multi-valued attribute, such as a work email or a mobile phone, the provisioning service sends \"Add\" with the value-filtered path, e.g. {\"op\":\"Add\",\"path\":\"emails[type eq \\\"work\\\"].value\",\"value\":\"...\"}: accept it and create the element.", Source: ourTip}
)

// ourTip marks tips that are scimsim's own advice.
const ourTip = "scimsim"

// TipReadBack explains a read-back that found an attribute or member other than what was sent.
var TipReadBack = Tip{Text: "The target accepted the write but does not store what was sent. Microsoft asks SCIM endpoints to store values exactly as sent and to reject invalid values with an actionable error: a value silently dropped never reaches the app, and the provisioning service exports it again on every cycle. Store the attribute, reject it with a 400 that names it, or remove the mapping.", Source: srcSCIM}

// The cross-tenant tips.
var (
	TipCTSPolicy         = Tip{Text: "Follow the steps in Step 3: Automatically redeem invitations in the target tenant and Step 4: Automatically redeem invitations in the source tenant.", Source: srcCTSConfigTips}
	TipCTSAllowSync      = Tip{Text: "In the target tenant, on the Cross-tenant sync tab of the inbound access settings for the source tenant, select Allow user synchronization into this tenant (Graph: identitySynchronization userSyncInbound.isSyncAllowed true).", Source: srcCTSConfigStep}
	TipCTSAutoRedeem     = Tip{Text: "Ensure that the automatic redemption setting was enabled for both the source and target tenants. For more information, see Automatic redemption setting.", Source: srcCTSTips}
	TipCTSExchange       = Tip{Text: "Update the attribute directly in the target tenant's exchange online. For example: Set-MailUser -Identity CloudMailUser5 -CustomAttribute2 \"Updated with EXO PowerShell\"", Source: srcCTSTips}
	TipCTSSOARetry       = Tip{Text: "In some cases (for example when showInAddressList property is part of the user update), the synchronization engine might automatically retry the (user) update without the offending property. Otherwise, you need to update the property directly in the target tenant.", Source: srcCTSTips}
	TipCTSOnPrem         = Tip{Text: "The user can't be updated with cross-tenant synchronization.", Source: srcCTSTips}
	TipCTSForbidden      = Tip{Text: "Navigate to user settings and ensure that external collaboration settings are permitted.", Source: srcCTSTips}
	TipCTSGuestInvite    = Tip{Text: "Change the Guest invite settings in the target tenant to a less restrictive setting. For more information, see Configure external collaboration settings.", Source: srcCTSConfigTips}
	TipCTSInvalidSMTP    = Tip{Text: "The Primary SMTP Address has an invalid value. Resolving this issue likely requires updating the mail property of the source user. For more information, see Prepare for directory synchronization to Microsoft 365", Source: srcCTSTips}
	TipCTSUserType       = Tip{Text: "Ensure that the userType property is provisioned as type guest or member. Check your attribute mappings to understand how the userType attribute is mapped.", Source: srcCTSTips}
	TipCTSAmbiguous      = Tip{Text: "To resolve this error, delete the existing internal user in the target tenant or remove this user from sync scope.", Source: srcCTSTips}
	TipCTSEntityType     = Tip{Text: "No customer action is required. This is a skipped event. If you are using the provisioning on-demand, ensure that you choose a user rather than a group to provision.", Source: srcCTSTips}
	TipCTSGroupsOnDemand = Tip{Text: "On-demand provisioning of groups is not supported for cross-tenant synchronization.", Source: srcCTSPOD}
	TipCTSRestore        = Tip{Text: "Manually restore the soft-deleted user in the target tenant. For more information, see Restore or remove a recently deleted user using Microsoft Entra ID.", Source: srcCTSConfigTips}
)
