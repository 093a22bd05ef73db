package scenarios

import (
	"slices"
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/scimsim/scimsim/internal/decode"
)

// entraFaultResources are the resources a fault can match on an Entra target: the first segment
// below its Graph base.
var entraFaultResources = []string{"users", "directory", "policies", "organization"}

// validateEntraTarget checks an Entra target (target.kind: entra) and the keys only an Entra
// target has; it reports whether the target is one, so that the SCIM checks are skipped.
func (p *parser) validateEntraTarget(sc *Scenario, root *yaml.Node) bool {
	t := &sc.Target
	at := func(key ...string) decode.Pos { return p.At(root, append([]string{"target"}, key...)...) }
	switch t.Kind {
	case "", KindSCIM:
		for key, set := range map[string]bool{"tenantId": t.TenantID != "", "domain": t.Domain != "", "deletedUsers": len(t.DeletedUsers) > 0,
			"partners": len(t.Partners) > 0, "authorizationPolicy": t.AuthorizationPolicy != nil} {
			if set {
				p.add(at(key), "target.%s belongs to an Entra target (target.kind: %s); this target is a SCIM application", key, KindEntra)
			}
		}
		if sc.Expect.TargetDeletedUsers != nil {
			p.add(p.At(root, "expect", "targetDeletedUsers"), "expect.targetDeletedUsers counts an Entra target's deleted items (target.kind: %s)", KindEntra)
		}
		if sc.HasLabel(LabelCrossTenant) {
			p.add(p.At(root, "labels"), "a %q scenario runs against an Entra target: set target.kind: %s", LabelCrossTenant, KindEntra)
		}
		return false
	case KindEntra:
	default:
		p.add(at("kind"), "unknown target kind %q (want %s or %s)", t.Kind, KindSCIM, KindEntra)
		return true
	}
	if t.Profile != "" {
		p.add(at("profile"), "an Entra target has no SCIM profile: leave target.profile out")
	}
	if len(t.Groups) > 0 {
		p.add(at("groups"), "an Entra target holds no groups in scimsim: cross-tenant synchronization provisions users on demand")
	}
	for _, list := range []struct {
		key   string
		users []map[string]any
	}{{"users", t.Users}, {"deletedUsers", t.DeletedUsers}} {
		for i, u := range list.users {
			if _, ok := u["userPrincipalName"]; !ok {
				p.add(at(list.key, strconv.Itoa(i)), "target.%s[%d] has no userPrincipalName (a Microsoft Graph user needs one)", list.key, i)
			}
		}
	}
	for i, pt := range t.Partners {
		if _, ok := pt["tenantId"]; !ok {
			p.add(at("partners", strconv.Itoa(i)), "target.partners[%d] has no tenantId (the partner's, the source tenant's id)", i)
		}
	}
	for i, f := range t.Faults {
		if r := f.Match.Resource; r != "" && !slices.Contains(entraFaultResources, r) {
			p.add(at("faults", strconv.Itoa(i), "match", "resource"), "fault match resource %q is not one of an Entra target's (%v)", r, entraFaultResources)
		}
	}
	if sc.HasLabel(LabelConformance) {
		p.add(p.At(root, "labels"), "a %q scenario runs against a real SCIM endpoint; an Entra target is the simulator's", LabelConformance)
	}
	if sc.Expect.TargetDeletedUsers != nil && *sc.Expect.TargetDeletedUsers < 0 {
		p.add(p.At(root, "expect", "targetDeletedUsers"), "expect.targetDeletedUsers %d must not be negative", *sc.Expect.TargetDeletedUsers)
	}
	return true
}
