package engine

import (
	"context"
	"fmt"
	"math/rand"

	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/report"
)

// testConnection is step 1: a query for a random GUID on the highest-precedence matching
// attribute must answer 200 with an empty ListResponse (provision-on-demand.md, Step 1; "Test
// Connection queries the SCIM endpoint for a user that doesn't exist, using a random GUID as the
// matching property", use-scim-to-provision-users-and-groups.md). The members of a group run skip
// it: the group tested the connection.
func (p *pass) testConnection(ctx context.Context) bool {
	s := p.step(report.StepConnection)
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
	checks, err := p.t.TestConnection(ctx, p.obj.resource(), attr, guid(p.o.rand))
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

// guid returns a random version-4 GUID drawn from rnd.
func guid(rnd *rand.Rand) string {
	var b [16]byte
	for i := range b {
		b[i] = byte(rnd.Intn(256))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
