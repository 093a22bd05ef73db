package entra

import (
	"fmt"
	"github.com/scimsim/scimsim/report"
	"github.com/scimsim/scimsim/wire"
	"slices"
	"strings"
)

// Code names an outcome a step can end with: an error code of Entra's provisioning logs, or, where
// Microsoft documents none for the situation, one of scimsim's own (Ours).
type Code string

// CodeInfo is one row of the table of codes: the only place a code, its meaning and its tips are
// written.
type CodeInfo struct {
	Code Code
	// Steps are the step types that can end with this code.
	Steps []string
	// Meaning says what happened, in a sentence.
	Meaning string
	// Tips are the troubleshooting tips a report gives with the code. StepTips, when it has an
	// entry for the step, replaces them there (the test connection's own tips, for example).
	Tips     []Tip
	StepTips map[string][]Tip
	// Source is where Microsoft documents the code; for one of ours, ourCode.
	Source string
	// Refuses, when set, is a check the provisioning service makes of a value before it sends it
	// to the target attribute target (a mapping's target path): the reason the value cannot go
	// there, "" when it can. The export step runs every row's check (CheckValue), so a code the
	// service reports without asking the target is one row of the table.
	Refuses func(target string, value any) string
	// Cases are examples of what Refuses decides, which the tests of entra and engine run.
	Cases []ValueCase
}

// ValueCase is a value for a target attribute, and whether the row's Refuses refuses it.
type ValueCase struct {
	Target  string
	Value   any
	Refused bool
}

// CheckValue runs the checks of the table's rows on a value about to be sent to the target
// attribute target: the first that refuses it is a *Finding with the row's code, nil when none.
func CheckValue(target string, value any) error {
	for _, c := range codes {
		if c.Refuses == nil {
			continue
		}
		if reason := c.Refuses(target, value); reason != "" {
			return &Finding{Code: c.Code, Reason: reason}
		}
	}
	return nil
}

// Ours reports whether the code is scimsim's own: Microsoft documents none for the situation.
func (c CodeInfo) Ours() bool { return c.Source == ourCode }

// TipsAt returns the tips of the code at step.
func (c CodeInfo) TipsAt(step string) []Tip {
	if t, ok := c.StepTips[step]; ok {
		return t
	}
	return c.Tips
}

// Where Microsoft documents codes.
const (
	srcLogsTable = "Microsoft Learn, howto-analyze-provisioning-logs.md, error codes table"
	srcOnDemand  = "Microsoft Learn, provision-on-demand.md"
	srcPOD       = "Microsoft Graph, synchronizationJob: provisionOnDemand (result details)"
	// Codes Entra logs that no Microsoft page lists, seen in the provisioning logs of real tenants.
	srcFieldBadRequest = "field report: provisioning logs quoted in 1Password/scim-examples issue 82 (\"StatusCode: BadRequest\")"
	srcFieldCredential = "field report: provisioning logs quoted in grokability/snipe-it issue 13968 (a 404 to the test connection)"
	ourCode            = "scimsim's own: Microsoft documents no code for this situation"
	// Where Microsoft documents the cross-tenant codes.
	srcCTSLogs      = "Microsoft Learn, howto-analyze-provisioning-logs.md, Error codes for cross-tenant synchronization"
	srcCTSConfigure = "Microsoft Learn, cross-tenant-synchronization-configure.md, Troubleshoot common cross-tenant synchronization scenarios"
	srcCTSField     = "field report: test connection failing with it in a real tenant (blog \"Dipping My Big Toe Into Cross-Tenant Synchronization Part I\", 2023-04-10)"
)

// The codes.
const (
	CodeUnauthorized            Code = "Unauthorized"
	CodeInsufficientRights      Code = "InsufficientRights"
	CodeUnsupportedFilter       Code = "UnsupportedFilter"
	CodeEmptyQueryNotFound      Code = "EmptyQueryNotFound"
	CodeCredentialValidation    Code = "SystemForCrossDomainIdentityManagementCredentialValidationUnavailable"
	CodeConnectionFailed        Code = "ConnectionFailed"
	CodeTLSHandshakeFailed      Code = "TLSHandshakeFailed"
	CodeServiceIncompatible     Code = "SystemForCrossDomainIdentityManagementServiceIncompatible"
	CodeMultipleEntries         Code = "SystemForCrossDomainIdentityManagementMultipleEntriesInResponse"
	CodeTooManyRequests         Code = "TooManyRequests"
	CodeInternalServerError     Code = "InternalServerError"
	CodeTimeout                 Code = "Timeout"
	CodeJobRunning              Code = "JobRunning"
	CodeSubjectNotFound         Code = "SubjectNotFound"
	CodeImportSkipped           Code = "ImportSkipped"
	CodeTooManyGroupMembers     Code = "TooManyGroupMembers"
	CodeTooManySubjects         Code = "TooManySubjects"
	CodeExpressionFailed        Code = "ExpressionEvaluationFailed"
	CodeUniqueValueNotFound     Code = "UniqueValueNotFound"
	CodeSkipped                 Code = "EntrySynchronizationSkipped"
	CodeInvalidScopingFilter    Code = "InvalidScopingFilter"
	CodeDuplicateTargetEntries  Code = "DuplicateTargetEntries"
	CodeRedundantExport         Code = "RedundantExport"
	CodeEntryConflict           Code = "EntryConflict"
	CodeInvalidAnchor           Code = "InvalidAnchor"
	CodeNotFoundOnWrite         Code = "TargetRefusedNotFound"
	CodeSchemaAttributeNotFound Code = "SchemaAttributeNotFound"
	CodeBadRequest              Code = "SystemForCrossDomainIdentityManagementBadRequest"
	CodePreconditionFailed      Code = "PreconditionFailed"
	CodeUnprocessableEntity     Code = "UnprocessableEntity"
	CodeWebExceptionProtocolErr Code = "WebExceptionProtocolError"
	CodeInternalError           Code = "InternalError"
	CodeSingleValuedProperty    Code = "SchemaPropertyCanOnlyAcceptValue"

	// Cross-tenant synchronization's codes (howto-analyze-provisioning-logs.md, "Error codes for
	// cross-tenant synchronization", whose "Microsoft Entra ID ..." names are the page's rename of the
	// AzureActiveDirectory... codes the logs carry; cross-tenant-synchronization-configure.md,
	// "Troubleshoot common cross-tenant synchronization scenarios").
	CodeCrossTenantSyncPolicy     Code = "AzureActiveDirectoryCrossTenantSyncPolicyCheckFailure"
	CodeB2BManagementPolicy       Code = "AzureDirectoryB2BManagementPolicyCheckFailure"
	CodeOriginatedExternally      Code = "AzureActiveDirectoryCannotUpdateObjectsOriginatedInExternalService"
	CodeMasteredOnPremises        Code = "AzureActiveDirectoryCannotUpdateObjectsMasteredOnPremises"
	CodeCrossTenantForbidden      Code = "AzureActiveDirectoryForbidden"
	CodeInvitationInvalidProperty Code = "InvitationCreationFailureInvalidPropertyValue"
	CodeInvitationAmbiguousUser   Code = "InvitationCreationFailureAmbiguousUser"
	CodeEntityTypeNotSupported    Code = "EntityTypeNotSupported"
)

var allSteps = []string{report.StepConnection, report.StepImport, report.StepScoping, report.StepMatching, report.StepExport}
var httpSteps = []string{report.StepConnection, report.StepMatching, report.StepExport}

// codes is the table. Tips with a Microsoft source quote Microsoft where Microsoft has words for
// the case; the others say they paraphrase.
var codes = []CodeInfo{
	{Code: CodeUnauthorized, Steps: httpSteps, Source: srcLogsTable,
		Meaning:  "The target answered 401: it refused the credentials (the secret token), whatever its answer's body says.",
		Tips:     []Tip{TipUnauthorized, TipCredentials},
		StepTips: map[string][]Tip{report.StepConnection: {TipCredentials, TipRESTTool}}},
	{Code: CodeInsufficientRights, Steps: httpSteps, Source: srcLogsTable,
		Meaning:  "The target answered 403: the credentials do not allow the operation.",
		Tips:     []Tip{TipUnauthorized},
		StepTips: map[string][]Tip{report.StepConnection: {TipCredentials, TipRESTTool}}},
	{Code: CodeUnsupportedFilter, Steps: []string{report.StepConnection, report.StepMatching}, Source: ourCode,
		Meaning:  "The target refused the eq filter on a matching attribute (400), or did not apply it (results for a random GUID).",
		Tips:     []Tip{TipMatchFilter},
		StepTips: map[string][]Tip{report.StepConnection: {TipConnFilter, TipRESTTool}}},
	{Code: CodeCredentialValidation, Steps: []string{report.StepConnection}, Source: srcFieldCredential,
		Meaning: "The test connection's query for a user that does not exist answered 404 instead of 200 with an empty ListResponse: Entra cannot validate the credentials.",
		Tips:    []Tip{TipEmptyQuery, TipCredentials, TipRESTTool}},
	{Code: CodeEmptyQueryNotFound, Steps: []string{report.StepMatching}, Source: ourCode,
		Meaning: "A matching query that found nothing answered 404 instead of 200 with an empty ListResponse; during a provisioning cycle this quarantines the job.",
		Tips:    []Tip{TipEmptyQuery, TipMatchFilter}},
	{Code: CodeConnectionFailed, Steps: httpSteps, Source: ourCode,
		Meaning: "The target could not be reached, or dropped the connection without an answer.",
		Tips:    []Tip{TipCredentials, TipRESTTool}},
	{Code: CodeTLSHandshakeFailed, Steps: httpSteps, Source: ourCode,
		Meaning: "The TLS handshake failed: an untrusted or invalid certificate, or HTTP spoken where HTTPS is expected (or the reverse).",
		Tips:    []Tip{TipCredentials, TipRESTTool}},
	{Code: CodeServiceIncompatible, Steps: httpSteps, Source: srcLogsTable,
		Meaning: "The target's answer cannot be read as SCIM: not JSON, not application/scim+json, a resource without an id, a query answer that is not a ListResponse.",
		Tips:    []Tip{TipIncompatible, TipRESTTool}},
	{Code: CodeMultipleEntries, Steps: []string{report.StepMatching}, Source: srcLogsTable,
		Meaning: "A group query asked for excludedAttributes=members and the target returned members.",
		Tips:    []Tip{TipMultipleGroup}},
	{Code: CodeTooManyRequests, Steps: httpSteps, Source: srcLogsTable,
		Meaning: "The target kept answering 429 after the retries the time budget allowed.",
		Tips:    []Tip{TipThrottled}},
	{Code: CodeInternalServerError, Steps: httpSteps, Source: srcLogsTable,
		Meaning: "The target answered with a 5xx status.",
		Tips:    []Tip{TipServerError}},
	{Code: CodeTimeout, Steps: httpSteps, Source: srcLogsTable,
		Meaning: "The target did not answer in time.",
		Tips:    []Tip{TipTimeout}},
	{Code: CodeJobRunning, Steps: []string{report.StepConnection}, Source: ourCode,
		Meaning: "The application authorizes with OAuth and its provisioning job is running: on-demand provisioning needs it stopped.",
		Tips:    []Tip{TipOAuth}},
	{Code: CodeSubjectNotFound, Steps: []string{report.StepImport}, Source: ourCode,
		Meaning: "The search finds no user or group for the query (a disabled or deleted user does not appear; a Cloud HR source is searched by worker id).",
		Tips:    []Tip{TipDisabled}},
	{Code: CodeImportSkipped, Steps: []string{report.StepImport}, Source: srcLogsTable,
		Meaning: "The subject has no value for any matching attribute, so it cannot be matched; scoping was not evaluated.",
		Tips:    []Tip{TipMissingMatching}},
	{Code: CodeTooManyGroupMembers, Steps: []string{report.StepImport}, Source: ourCode,
		Meaning: "A group run was asked to provision more than five members.",
		Tips:    []Tip{TipGroupMembers}},
	{Code: CodeTooManySubjects, Steps: []string{report.StepImport}, Source: ourCode,
		Meaning: "The run was asked for more than one user, or more than one group: on-demand provisioning takes one at a time.",
		Tips:    []Tip{TipOneUser, TipOneGroupAPI}},
	{Code: CodeExpressionFailed, Steps: []string{report.StepImport}, Source: ourCode,
		Meaning: "A mapping's expression failed to evaluate for the subject.",
		Tips:    []Tip{TipMappingHasAttr}},
	{Code: CodeUniqueValueNotFound, Steps: []string{report.StepExport}, Source: ourCode,
		Meaning: "Every value a SelectUniqueValue mapping generates already exists in the target: \"If all of the values already exist in the target, the entry is escrowed\" (expression reference, SelectUniqueValue).",
		Tips:    []Tip{TipExportVaries}},
	{Code: CodeSkipped, Steps: []string{report.StepScoping, report.StepExport}, Source: srcLogsTable,
		Meaning: "Nothing to do: the subject is out of scope and not in the target, or the action it needs is not an enabled target object action."},
	{Code: CodeInvalidScopingFilter, Steps: []string{report.StepScoping}, Source: ourCode,
		Meaning: "A scoping filter cannot be evaluated (an integer operator on a value that is not an integer, a regular expression that does not compile).",
		Tips:    []Tip{TipScopingRule}},
	{Code: CodeDuplicateTargetEntries, Steps: []string{report.StepMatching}, Source: srcLogsTable,
		Meaning: "More than one resource in the target has the matching attribute's value.",
		Tips:    []Tip{TipUnique}},
	{Code: CodeRedundantExport, Steps: []string{report.StepExport}, Source: srcPOD,
		Meaning: "The target already holds what the source says: nothing to update."},
	{Code: CodeEntryConflict, Steps: []string{report.StepExport}, Source: srcLogsTable,
		Meaning: "The target answered 409: a resource with the same unique value exists.",
		Tips:    []Tip{TipConflict, TipRestore}},
	{Code: "LicenseLimitExceeded", Steps: []string{report.StepExport}, Source: srcLogsTable,
		Meaning: "The target could not create the user: it has no license left to give one. Procure more licenses in the target application, or review the assignments and mappings so that only the users meant to be there are provisioned."},
	{Code: CodeInvalidAnchor, Steps: []string{report.StepMatching, report.StepExport}, Source: srcLogsTable,
		Meaning: "A resource matched or created in an earlier run no longer exists in the target (404): in a provisioning cycle, the read by the id cached from an earlier cycle, or a write to it.",
		Tips:    []Tip{TipInvalidAnchor}},
	{Code: CodeNotFoundOnWrite, Steps: []string{report.StepExport}, Source: ourCode,
		Meaning: "The target answered 404 to a write on a resource this very run matched or created a moment before: the target refused the request, the resource did not vanish.",
		Tips:    []Tip{TipNotFoundOnWrite}},
	{Code: CodeSchemaAttributeNotFound, Steps: []string{report.StepExport}, Source: srcLogsTable + "; that Entra reports a SCIM 400 invalidPath so is inferred",
		Meaning: "The target says an attribute in the request does not exist in its schema (400 invalidPath).",
		Tips:    []Tip{TipSchemaAttr}},
	{Code: CodeBadRequest, Steps: []string{report.StepExport}, Source: srcFieldBadRequest,
		Meaning: "The target answered 400 to a write: a value it does not accept (such as the string \"False\" Entra sends for a boolean), or a value-filtered path it will not create (noTarget).",
		Tips:    []Tip{}},
	{Code: CodePreconditionFailed, Steps: []string{report.StepExport}, Source: ourCode,
		Meaning: "The target answered 412: it requires a version precondition Entra never sends.",
		Tips:    []Tip{TipPrecondition}},
	{Code: CodeUnprocessableEntity, Steps: []string{report.StepExport}, Source: srcLogsTable,
		Meaning: "The target answered 422.",
		Tips:    []Tip{}},
	{Code: CodeWebExceptionProtocolErr, Steps: httpSteps, Source: srcLogsTable,
		Meaning: "The target answered with a status Entra does not expect for the request.",
		Tips:    []Tip{}},
	{Code: CodeInternalError, Steps: allSteps, Source: srcLogsTable,
		Meaning: "The provisioning service itself failed.",
		Tips:    []Tip{}},
	{Code: CodeSingleValuedProperty, Steps: []string{report.StepExport}, Source: srcLogsTable,
		Meaning: "A mapping would send several values to a target attribute that holds one (an attribute of the core User or enterprise schema that is not multi-valued, or one element of a multi-valued attribute): the service refuses it before sending.",
		Tips: []Tip{{Text: "The property in the target system can only accept one value, but the property in the source system has multiple. Ensure that you either map a single-valued attribute to the property that is throwing an error, update the value in the source to be single-valued, or remove the attribute from the mappings.",
			Source: srcLogsTable + ", SchemaPropertyCanOnlyAcceptValue"}},
		Refuses: func(target string, value any) string {
			n := 0
			switch v := value.(type) {
			case []string:
				n = len(v)
			case []any:
				n = len(v)
			}
			p, err := wire.ParsePath(target)
			if n < 2 || err != nil {
				return ""
			}
			// RFC 7643 Section 4.1 (User) and 4.3 (enterprise extension): the attributes that are not
			// multi-valued. Another schema's attribute may be either; the service's schema for the
			// application says, and scimsim does not know it.
			single := map[string][]string{
				"":                    {"userName", "name", "displayName", "nickName", "profileUrl", "title", "userType", "preferredLanguage", "locale", "timezone", "active", "password"},
				wire.EnterpriseSchema: {"employeeNumber", "costCenter", "organization", "division", "department", "manager"},
			}
			schema := p.Schema
			if strings.EqualFold(schema, wire.EnterpriseSchema) {
				schema = wire.EnterpriseSchema
			}
			known, ok := single[schema]
			if !ok || !p.Filtered() && !slices.ContainsFunc(known, func(a string) bool { return strings.EqualFold(a, p.Attr) }) {
				return ""
			}
			return fmt.Sprintf("The property %s in the target system can only accept one value, but the source has %d for it.", target, n)
		},
		Cases: []ValueCase{
			{Target: "displayName", Value: []string{"Alice Smith", "Alice S."}, Refused: true},
			{Target: `emails[type eq "work"].value`, Value: []string{"alice@contoso.com", "asmith@contoso.com"}, Refused: true},
			{Target: wire.EnterpriseSchema + ":department", Value: []any{"Sales", "Marketing"}, Refused: true},
			{Target: "displayName", Value: "Alice Smith"},
			{Target: "displayName", Value: []string{"Alice Smith"}},
			{Target: "urn:ietf:params:scim:schemas:extension:contoso:2.0:User:skills", Value: []string{"go", "scim"}},
		}},

	// Cross-tenant synchronization's rows, in the order of the logs' table.
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

// Codes returns the table of codes, in a stable order.
func Codes() []CodeInfo { return slices.Clone(codes) }

// Lookup returns the row of code; it panics on a code that is not in the table, which is a bug.
func Lookup(code Code) CodeInfo {
	for _, c := range codes {
		if c.Code == code {
			return c
		}
	}
	panic(fmt.Sprintf("entra: code %q is not in the table", code))
}

// Known reports whether name is a code of the table.
func Known(name string) bool {
	for _, c := range codes {
		if string(c.Code) == name {
			return true
		}
	}
	return false
}
