package engine

import (
	"context"
	"fmt"

	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/wire"
)

// managerPath is the enterprise extension's manager reference, which Entra's default job maps from
// the user's manager (use-scim-to-provision-users-and-groups.md, default user attribute mappings).
const managerPath = wire.EnterpriseSchema + ":manager"

// isReference reports whether the mapping writes a reference to another user: the manager.
func (m *Mapping) isReference() bool { return m.path.Is(managerPath) }

// resolveReferences replaces the value of each reference mapping (the source's manager objectId) by
// the manager's id in the target, as Entra sends it: a plain string id (field reports
// Captain-P-Goldfish/SCIM-SDK issue 686, apache/directory-scimple issue 1242). The manager is found
// through its own matching attributes, in precedence order. A manager that is not in the target yet
// is left out, and step 5 says so: Entra cannot refer to a user it has not provisioned (Microsoft
// Learn, known-issues.md: the manager reference is not updated when the manager comes into scope
// later). Entra knows the manager's target id from its own records; an on-demand run in scimsim has
// none, so its lookup is its own request, marked so in the exchanges.
func (p *pass) resolveReferences(ctx context.Context, s *Step) error {
	for i := range p.flow {
		f := &p.flow[i]
		if !f.m.isReference() || f.value == nil {
			continue
		}
		managerID := scalarString(f.value)
		mgr := p.src.user(managerID)
		if mgr == nil {
			s.Details.Add(f.m.Target, fmt.Sprintf("not sent: the manager %s is not a user of the source", managerID))
			f.value = nil
			continue
		}
		id, found, err := p.findInTarget(ctx, mgr)
		if err != nil {
			return err
		}
		if !found {
			s.Details.Add(f.m.Target, fmt.Sprintf("not sent: the manager %s is not in the target yet; the reference is set once the manager is provisioned", mgr.Display()))
			p.rep.Warnings = append(p.rep.Warnings, fmt.Sprintf("The manager %s is not in the target yet, so %s was left out: provision the manager, then this user again.", mgr.Display(), f.m.Target))
			f.value = nil
			continue
		}
		f.value = id
	}
	return nil
}

// findInTarget looks a source user up in the target by its matching attributes, in precedence
// order, and returns its id when exactly one resource matches.
func (p *pass) findInTarget(ctx context.Context, u *User) (string, bool, error) {
	if id, found, recorded := p.anchorOf(u); recorded {
		return id, found, nil
	}
	env := p.env()
	env.Attrs = u.Attrs
	flow, _, err := evaluateMappings(p.cfg.Users.matchingMappings(), env)
	if err != nil {
		return "", false, err
	}
	for _, fv := range flow {
		if fv.value == nil {
			continue
		}
		req := entra.QueryRequest(wire.Users, entra.Filter(fv.m.Target, scalarString(fv.value)))
		req.By = wire.ByScimsim
		lr, err := p.c.List(ctx, req)
		if err != nil {
			return "", false, err
		}
		switch len(lr.Resources) {
		case 0:
			continue
		case 1:
			return wire.ID(lr.Resources[0]), true, nil
		}
		return "", false, nil
	}
	return "", false, nil
}
