package engine

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/scimsim/scimsim/engine/expr"
	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/report"
	"github.com/scimsim/scimsim/wire"
)

// object is what the five steps provision: a source user, or a group with the members the run
// provisions. The steps are written once, over this interface; what differs between users and
// groups is answered here.
type object interface {
	identity() Identity
	kind() *kind
	mapping(cfg *Config) *ObjectMapping
	attributes() map[string]any
	// env is what the object's mapping expressions see once scope is decided; domain is the
	// source tenant's default verified domain (DefaultDomain()).
	env(sc scopeDecision, o options, domain string) expr.Env
	// importDetails fills step 2's View details and may end the run there (a group with more
	// than five members).
	importDetails(p *pass, s *Step) bool
	// assignments are the assignments that put the object in scope.
	assignments(src *Source) []Assignment
	// accountActive is whether the object is active in the source; applies is false for
	// objects that have no such state (groups).
	accountActive() (active, applies bool)
	// export performs step 5.
	export(ctx context.Context, p *pass, s *Step)
}

// kind is what is the same for every object of a kind, user or group.
type kind struct {
	// typ is the Identity.Type of the kind's objects.
	typ string
	// noun is "user" or "group", in step names and reasons.
	noun string
	// resource is the SCIM resource type the object is provisioned as.
	resource string
	// nameAttr is the target attribute that names the resource.
	nameAttr string
	// rolesApply says whether job.requiredRoles decide the object's scope (users' app roles).
	rolesApply bool
}

var (
	userKind  = kind{typ: "User", noun: "user", resource: wire.Users, nameAttr: "userName", rolesApply: true}
	groupKind = kind{typ: "Group", noun: "group", resource: wire.Groups, nameAttr: "displayName"}
)

// userObject is a source user.
type userObject struct{ *User }

func (u userObject) identity() Identity {
	return Identity{Type: userKind.typ, ID: u.ObjectID, Display: u.Display()}
}
func (userObject) kind() *kind                        { return &userKind }
func (userObject) mapping(cfg *Config) *ObjectMapping { return &cfg.Users }
func (u userObject) attributes() map[string]any       { return u.Attrs }

// env is the user's attributes plus the computed IsSoftDeleted ("true when the user is unassigned,
// out of scope, soft-deleted or has accountEnabled false", customize-application-attributes.md)
// and appRoleAssignments.
func (u userObject) env(sc scopeDecision, o options, domain string) expr.Env {
	return sourceEnv(u.Attrs, !sc.in, sc.roles, o, domain)
}

// sourceEnv is what an expression reads of a source object: a copy of its attributes plus the
// computed IsSoftDeleted and, when the object has app roles, appRoleAssignments.
func sourceEnv(attrs map[string]any, softDeleted bool, roles []string, o options, domain string) expr.Env {
	env := make(map[string]any, len(attrs)+2)
	for k, v := range attrs {
		env[k] = v
	}
	env["IsSoftDeleted"] = softDeleted
	if len(roles) > 0 {
		env["appRoleAssignments"] = append([]string(nil), roles...)
	}
	return expr.Env{Attrs: env, Now: o.now, Rand: o.rand, DefaultDomain: domain}
}

// importDetails lists the attributes the job reads (Entra imports those), then the source
// attributes no mapping reads, so that a user looking for one sees that no mapping names it.
func (u userObject) importDetails(p *pass, s *Step) bool {
	read := p.cfg.Users.sourceAttributes()
	s.Details.Add("objectId", u.ObjectID)
	for _, k := range read {
		if v, ok := u.Attrs[k]; ok && k != "objectId" {
			s.Details.Add(k, report.ShowValue(v))
		}
	}
	var unmapped []string
	for k := range u.Attrs {
		if !slices.Contains(read, k) && k != "objectId" && k != "accountEnabled" && k != "softDeleted" {
			unmapped = append(unmapped, k)
		}
	}
	sort.Strings(unmapped)
	if len(unmapped) > 0 {
		s.Details.Add("Not imported (no mapping reads them)", strings.Join(unmapped, ", "))
		p.unmapped = true
	}
	return true
}

func (u userObject) assignments(src *Source) []Assignment { return src.assignmentsOf(u.ObjectID) }
func (u userObject) accountActive() (bool, bool)          { return u.Enabled() && !u.SoftDeleted(), true }

// groupObject is a source group and the members a run provisions with it.
type groupObject struct {
	*Group
	members []*User
}

func (g groupObject) identity() Identity {
	return Identity{Type: groupKind.typ, ID: g.ObjectID, Display: g.DisplayName}
}
func (groupObject) kind() *kind                        { return &groupKind }
func (groupObject) mapping(cfg *Config) *ObjectMapping { return &cfg.Groups }
func (g groupObject) attributes() map[string]any       { return g.Attrs }

// env is the group's attributes; a group in a run is never soft-deleted and has no app roles.
func (g groupObject) env(_ scopeDecision, o options, domain string) expr.Env {
	return sourceEnv(g.Attrs, false, nil, o, domain)
}

// importDetails lists the group and the members this run provisions; more than five is refused
// with Microsoft's sentence.
func (g groupObject) importDetails(p *pass, s *Step) bool {
	s.Details.Add("objectId", g.ObjectID)
	s.Details.Add("displayName", g.DisplayName)
	if p.cfg.crossTenant() {
		p.skip(s, entra.CodeEntityTypeNotSupported, crossTenantGroupReason(p.cfg), entra.Lookup(entra.CodeEntityTypeNotSupported).TipsAt(report.StepImport)...)
		return false
	}
	if p.cycle != nil {
		s.Details.Add("members", count(len(g.Members), "member", "members"))
		return true
	}
	names := make([]string, 0, len(g.members))
	for _, u := range g.members {
		names = append(names, u.Display())
	}
	s.Details.Add("members", orNone(names))
	var nested []string
	for _, id := range g.Members {
		if p.src.isGroup(id) {
			nested = append(nested, id)
		}
	}
	if len(nested) > 0 {
		s.Details.Add("Nested groups (not provisioned)", strings.Join(nested, ", "))
		s.Tips = append(s.Tips, entra.TipNestedGroups)
	}
	if len(g.members) > MaxGroupMembers {
		p.fail(s, entra.CodeTooManyGroupMembers, fmt.Sprintf("The group has %d members to provision: on-demand provisioning of groups supports updating up to five members at a time. Pick up to five with --member.", len(g.members)), entra.TipGroupMembers)
		return false
	}
	return true
}

// assignments are the group's own: nested groups are not expanded.
func (g groupObject) assignments(src *Source) []Assignment {
	var out []Assignment
	for _, a := range src.Assignments {
		if a.Principal == g.ObjectID {
			out = append(out, a)
		}
	}
	return out
}
func (g groupObject) accountActive() (bool, bool) {
	deleted, _ := g.Attrs["softDeleted"].(bool) // a group soft-deleted between cycles (changes.go)
	return !deleted, deleted
}
