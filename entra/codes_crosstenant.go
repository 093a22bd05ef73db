package entra

import "github.com/scimsim/scimsim/report"

// Where Microsoft documents the cross-tenant codes.
const (
	srcCTSLogs      = "Microsoft Learn, howto-analyze-provisioning-logs.md, Error codes for cross-tenant synchronization"
	srcCTSConfigure = "Microsoft Learn, cross-tenant-synchronization-configure.md, Troubleshoot common cross-tenant synchronization scenarios"
	srcCTSField     = "field report: test connection failing with it in a real tenant (blog \"Dipping My Big Toe Into Cross-Tenant Synchronization Part I\", 2023-04-10)"
)

// crossTenantCodes are the rows of cross-tenant synchronization, in the order of the logs' table.
var crossTenantCodes = []CodeInfo{
	{Code: CodeCrossTenantSyncPolicy, Steps: []string{report.StepConnection, report.StepExport}, Source: srcCTSConfigure,
		Meaning: "The cross-tenant synchronization policy check failed: the target tenant does not allow user synchronization from the source tenant (identitySynchronization userSyncInbound.isSyncAllowed), or the source tenant has not enabled automatic user consent towards the target.",
		Tips:    []Tip{TipCTSPolicy, TipCTSAllowSync}},
	{Code: CodeB2BManagementPolicy, Steps: []string{report.StepConnection}, Source: srcCTSLogs + "; at the test connection: " + srcCTSConfigure + " (revision of 2024-10-09) and " + srcCTSField,
		Meaning: "The target tenant's inbound policy allowing automatic redemption (automaticUserConsentSettings.inboundAllowed of its partner configuration for the source tenant) is not set.",
		Tips:    []Tip{TipCTSAutoRedeem, TipCTSPolicy}},
	{Code: CodeOriginatedExternally, Steps: []string{report.StepExport}, Source: srcCTSLogs,
		Meaning: "The target tenant refused to update properties whose source of authority is Exchange Online (mail, showInAddressList) on a user that was synchronized from on-premises and no longer is.",
		Tips:    []Tip{TipCTSExchange, TipCTSSOARetry}},
	{Code: CodeMasteredOnPremises, Steps: []string{report.StepExport}, Source: srcCTSLogs,
		Meaning: "The matched user in the target tenant is synchronized from on-premises Active Directory: its source of authority is on-premises and cross-tenant synchronization cannot update it.",
		Tips:    []Tip{TipCTSOnPrem}},
	{Code: CodeCrossTenantForbidden, Steps: []string{report.StepExport}, Source: srcCTSLogs + "; " + srcCTSConfigure,
		Meaning: "The target tenant's external collaboration settings block invitations: \"Guest invitations not allowed for your company.\"",
		Tips:    []Tip{TipCTSForbidden, TipCTSGuestInvite}},
	{Code: CodeInvitationInvalidProperty, Steps: []string{report.StepExport}, Source: srcCTSLogs,
		Meaning: "The user could not be invited into the target tenant because a property has an invalid value: the primary SMTP address, or a userType other than Guest or Member.",
		Tips:    []Tip{TipCTSInvalidSMTP, TipCTSUserType}},
	{Code: CodeInvitationAmbiguousUser, Steps: []string{report.StepExport}, Source: srcCTSLogs,
		Meaning: "The invited user has a proxy address (mail) that an internal user of the target tenant already has.",
		Tips:    []Tip{TipCTSAmbiguous}},
	{Code: CodeEntityTypeNotSupported, Steps: []string{report.StepImport}, Source: srcCTSLogs + "; " + srcOnDemand + ", Known limitations (cross-tenant synchronization)",
		Meaning: "A group was asked for: cross-tenant synchronization provisions users on demand, not groups (a skipped event).",
		Tips:    []Tip{TipCTSGroupsOnDemand, TipCTSEntityType}},
}
