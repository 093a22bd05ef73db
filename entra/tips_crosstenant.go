package entra

// Sources of the cross-tenant tips, each quoted verbatim (links kept as their text).
const (
	srcCTSTips       = "Microsoft Learn, howto-analyze-provisioning-logs.md, Error codes for cross-tenant synchronization (2024-09-26)"
	srcCTSConfigTips = "Microsoft Learn, cross-tenant-synchronization-configure.md, Troubleshoot common cross-tenant synchronization scenarios (2026-08-06)"
	srcCTSConfigStep = "Microsoft Learn, cross-tenant-synchronization-configure.md, Step 2: Enable user synchronization in the target tenant (paraphrased)"
	srcCTSPOD        = "On-demand provisioning, Known limitations (cross-tenant synchronization); " + podPage
)

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
