package engine

import (
	"context"
	"fmt"

	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/report"
	"github.com/scimsim/scimsim/wire"
)

// testConnection is step 1: a query for a random GUID on the highest-precedence matching
// attribute must answer 200 with an empty ListResponse (provision-on-demand.md, Step 1; "Test
// Connection queries the SCIM endpoint for a user that doesn't exist, using a random GUID as the
// matching property", use-scim-to-provision-users-and-groups.md). The members of a group run skip
// it: the group tested the connection.
func (p *pass) testConnection(ctx context.Context, s *Step) bool {
	if p.connTested {
		s.Status = report.StatusSuccess
		s.Details.Add("Tested", "by the group run")
		return true
	}
	if p.cfg.Target.Auth == AuthOAuth && p.cfg.Job.Running {
		app := p.cfg.Target.App
		if app == "" {
			app = "This application"
		}
		p.fail(s, entra.CodeJobRunning, fmt.Sprintf("%s uses OAuth for authorization and its provisioning job is running: stop the job (job.running: false) before using on-demand provisioning.", app), entra.TipOAuth)
		return false
	}
	attr := p.obj.mapping(p.cfg).matchingMappings()[0].Target
	checks, err := p.t.TestConnection(ctx, p.obj.kind().resource, attr, wire.RandomGUID(p.o.rand))
	for _, c := range checks {
		s.Details.Add(c.Name, c.Result)
	}
	if err != nil {
		p.failRequest(ctx, s, err, "")
		return false
	}
	p.finish(s, report.StatusSuccess)
	return true
}
