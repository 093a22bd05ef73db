package engine

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/internal/decode"
	"github.com/scimsim/scimsim/wire"
)

// Job kinds: what the job provisions into.
const (
	// JobSCIM provisions a SCIM application (the default).
	JobSCIM = "scim"
	// JobCrossTenant is cross-tenant synchronization: the target is another Microsoft Entra tenant,
	// reached through Microsoft Graph at the target tenant's Graph base URL.
	JobCrossTenant = "crossTenant"
)

// crossTenantMatching is the matching attribute of cross-tenant synchronization, which "can't be
// changed. Attempting to change the matching attribute or adding additional matching attributes will
// result in a schemaInvalid error" (cross-tenant-synchronization-configure.md, Step 9).
const crossTenantMatching = "alternativeSecurityIds"

// targetSystem is what the five steps ask of the system they provision users into: a SCIM application
// (*entra.Client) or, for cross-tenant synchronization, the target tenant's directory
// (*entra.Graph). The steps are written once over it. Groups are provisioned into SCIM applications
// only (cross-tenant synchronization refuses them on demand at step 2), so the group steps keep
// the SCIM client.
type targetSystem interface {
	TestConnection(ctx context.Context, resource, attr, probe string) ([]entra.Check, error)
	Match(ctx context.Context, resource, attr, value string) (query string, found []entra.Resource, err error)
	ReadBack(ctx context.Context, resource, id string) (entra.Resource, error)
	Create(ctx context.Context, resource string, body entra.Resource) (entra.Resource, error)
	Update(ctx context.Context, resource, id string, changes []entra.Change) error
	Delete(ctx context.Context, resource, id string) error
	LastStatus() int
	TakeExchanges() []entra.Exchange
}

// nameOf is how reports name a target resource: its naming attribute (userName, displayName) or,
// in a target tenant, its userPrincipalName.
func nameOf(res map[string]any, attr string) string {
	for _, a := range []string{attr, "userPrincipalName"} {
		if s, ok := wire.Field(res, a).(string); ok && s != "" {
			return s
		}
	}
	return ""
}

// crossTenant reports whether the job is cross-tenant synchronization.
func (c *Config) crossTenant() bool { return c.Job.Kind == JobCrossTenant }

// validateKind checks the job kind and, for cross-tenant synchronization, the matching attribute.
func (c *Config) validateKind() error {
	switch c.Job.Kind {
	case "":
		c.Job.Kind = JobSCIM
	case JobSCIM:
	case JobCrossTenant:
		for i, m := range c.Users.Mappings {
			if strings.ContainsAny(m.Target, ".[:") {
				return &FieldError{Pos: m.Pos.At("target"), Field: fmt.Sprintf("users.mappings[%d].target", i), Msg: fmt.Sprintf("%q is not a property of the Microsoft Graph user resource: a cross-tenant job maps user properties by name (displayName, mail, showInAddressList, ...)", m.Target)}
			}
		}
		ms := c.Users.matchingMappings()
		if len(ms) != 1 || ms[0].Target != crossTenantMatching {
			got := make([]string, 0, len(ms))
			for _, m := range ms {
				got = append(got, m.Target)
			}
			return &FieldError{Pos: c.Users.Pos, Field: "users.mappings", Msg: fmt.Sprintf("schemaInvalid: a cross-tenant job matches on %s alone (\"The matching attribute can't be changed. Attempting to change the matching attribute or adding additional matching attributes will result in a schemaInvalid error.\"), not on %s", crossTenantMatching, strings.Join(got, ", "))}
		}
	default:
		return &FieldError{Pos: c.Job.Pos.At("kind"), Field: "job.kind", Msg: fmt.Sprintf("unknown kind %q (want %s or %s)", c.Job.Kind, JobSCIM, JobCrossTenant)}
	}
	return nil
}

// checkTargetKind refuses a job pointed at the other kind of target: a cross-tenant job at a SCIM
// base URL, or a SCIM job at a Microsoft Graph base URL. Both are named: the job's kind where the
// config sets it, and the URL.
func (c *Config) checkTargetKind(u *url.URL, target string) error {
	segs := strings.Split(strings.Trim(strings.ToLower(u.Path), "/"), "/")
	graphURL := strings.EqualFold(u.Hostname(), "graph.microsoft.com") ||
		slices.ContainsFunc(segs, func(s string) bool { return s == "graph" }) && (slices.Contains(segs, "v1.0") || slices.Contains(segs, "beta"))
	scimURL := slices.Contains(segs, "scim")
	where := fmt.Sprintf("%s: job.kind", c.Job.Pos.At("kind"))
	switch {
	case c.crossTenant() && scimURL:
		return fmt.Errorf("%s is %s (cross-tenant synchronization, whose target is a Microsoft Entra tenant's Graph base URL such as http://HOST/tenants/NAME/graph/v1.0), but the target %s is a SCIM endpoint: point it at the target tenant's Graph base URL, or make the job a SCIM job (job.kind: %s)", where, JobCrossTenant, target, JobSCIM)
	case !c.crossTenant() && graphURL:
		return fmt.Errorf("%s is %s (a SCIM application), but the target %s is a Microsoft Graph base URL, a Microsoft Entra tenant: point it at the application's SCIM base URL, or make the job cross-tenant synchronization (job.kind: %s)", where, JobSCIM, target, JobCrossTenant)
	}
	return nil
}

// CrossTenantAccess is the source tenant's own cross-tenant access settings, per partner (target)
// tenant, as Graph's crossTenantAccessPolicyConfigurationPartner has them: the source side of
// automatic redemption is automaticUserConsentSettings.outboundAllowed ("This setting must be
// checked in both the source tenant (outbound) and target tenant (inbound)",
// cross-tenant-synchronization-configure.md, Step 3).
type CrossTenantAccess struct {
	Pos      Pos
	Partners []PartnerAccess
}

// PartnerAccess is one partner configuration of the source tenant.
type PartnerAccess struct {
	Pos      Pos
	TenantID string
	// OutboundAllowed is automaticUserConsentSettings.outboundAllowed; unset, it inherits the
	// default, "which is always false" (Graph, crossTenantAccessPolicyConfigurationPartner).
	OutboundAllowed bool
}

// outboundAllowed reports whether the source tenant allows automatic redemption towards the target
// tenant tid.
func (s *Source) outboundAllowed(tid string) bool {
	for _, p := range s.CrossTenantAccess.Partners {
		if strings.EqualFold(p.TenantID, tid) {
			return p.OutboundAllowed
		}
	}
	return false
}

func decodeCrossTenantAccess(d *decode.Decoder, n *yaml.Node, a *CrossTenantAccess) error {
	a.Pos = d.Pos(n)
	return d.Keys(n, "crossTenantAccess", &a.Pos, decode.ListKey("partners", &a.Partners, decodePartnerAccess))
}

func decodePartnerAccess(d *decode.Decoder, n *yaml.Node, field string) (PartnerAccess, error) {
	p := PartnerAccess{Pos: d.Pos(n)}
	err := d.Keys(n, field, &p.Pos,
		decode.StrKey("tenantId", &p.TenantID),
		decode.MappingKey("automaticUserConsentSettings", &p.Pos, decode.BoolKey("outboundAllowed", &p.OutboundAllowed)),
	)
	if err == nil && p.TenantID == "" {
		err = &FieldError{Pos: p.Pos, Field: decode.Field(field, "tenantId"), Msg: "required"}
	}
	return p, err
}

// checkCrossTenantSource requires what a cross-tenant job needs of its source: the source tenant's
// id, which the target tenant's policies are keyed by.
func (c *Config) checkCrossTenantSource(src *Source) error {
	if !c.crossTenant() {
		return nil
	}
	if src.Kind != KindEntra {
		return &FieldError{Pos: src.Pos.At("kind"), Field: "kind", Msg: fmt.Sprintf("cross-tenant synchronization (job.kind %s at %s) synchronizes from a Microsoft Entra tenant, not from a %s source", JobCrossTenant, c.Job.Pos.At("kind"), src.Kind)}
	}
	if src.TenantID == "" {
		return &FieldError{Pos: src.Pos, Field: "tenantId", Msg: fmt.Sprintf("required for cross-tenant synchronization (job.kind %s at %s): the target tenant's policies name the source tenant by its id", JobCrossTenant, c.Job.Pos.At("kind"))}
	}
	return nil
}

// newTarget returns what the run provisions into: the SCIM client, or, for a cross-tenant job, the
// Graph client of the target tenant.
func (r *run) newTarget(target entra.TenantURL, token string, copts []entra.Option) {
	if !r.cfg.crossTenant() {
		c := entra.NewAt(target, token, copts...)
		r.c, r.t = c, c
		return
	}
	r.t = entra.NewGraphAt(target, token, entra.Source{TenantID: r.src.TenantID, OutboundAllowed: r.src.outboundAllowed}, copts...)
}

// dialectName is the report's dialect: the SCIM request dialect, or graph for cross-tenant
// synchronization, which speaks Microsoft Graph.
func (r *run) dialectName() string {
	if r.cfg.crossTenant() {
		return "graph"
	}
	return string(r.dialect)
}

// connectionDescription is step 1's description.
func (r *run) connectionDescription(noun string) string {
	if r.cfg.crossTenant() {
		return "Check the cross-tenant synchronization policies: the source tenant's outbound automatic redemption, and the target tenant's inbound user synchronization and automatic redemption for the source tenant."
	}
	return fmt.Sprintf("Query the target for a %s that does not exist, to check the tenant URL, the credentials and filtering on the matching attribute.", noun)
}

// crossTenantGroupReason says why a cross-tenant job skips a group on demand: groups are not
// enabled in its mappings ("This message likely indicates that group synchronization is not enabled
// in the source tenant", cross-tenant-synchronization-configure.md, "Group skipped due to
// EntityTypeNotSupported"), and, enabled or not, "On-demand provisioning of groups is not supported
// for cross-tenant synchronization" (provision-on-demand.md, Known limitations).
func crossTenantGroupReason(cfg *Config) string {
	if !cfg.Groups.Enabled {
		return "Group synchronization is not enabled in this configuration (Provision Microsoft Entra ID Groups: groups.enabled false), and on-demand provisioning of groups is not supported for cross-tenant synchronization: choose a user rather than a group to provision."
	}
	return "On-demand provisioning of groups is not supported for cross-tenant synchronization: choose a user rather than a group to provision."
}
