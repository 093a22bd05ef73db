package engine

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/report"
	"github.com/scimsim/scimsim/wire"
)

// matchStep is step 4: each matching attribute in precedence order, an eq query each, stopping at
// the first match ("As soon as a match is found, no further matching attributes are evaluated",
// customize-application-attributes.md); more than one result is DuplicateTargetEntries. Groups are
// queried with excludedAttributes=members, and a group that comes back with members anyway is
// SystemForCrossDomainIdentityManagementMultipleEntriesInResponse, as Entra logs it.
func (p *pass) matchStep(ctx context.Context, s *Step) bool {
	noun := p.obj.kind().noun
	resolved, ok := p.cycleMatch(ctx, s)
	if !ok {
		return false
	}
	for _, m := range p.obj.mapping(p.cfg).matchingMappings() {
		if resolved {
			break
		}
		v := p.value(m)
		if v == nil {
			s.Details.Add(m.Target, "no value in the source: not queried")
			continue
		}
		filter, found, err := p.t.Match(ctx, p.obj.kind().resource, m.Target, scalarString(v))
		if err != nil {
			p.failRequest(ctx, s, err, "")
			return false
		}
		n := len(found)
		if n == 0 {
			s.Details.Add(filter, "no match")
			continue
		}
		if p.obj.kind().resource == wire.Groups {
			for _, res := range found {
				if ms, ok := wire.Field(res, "members").([]any); ok && len(ms) > 0 {
					s.Details.Add(filter, fmt.Sprintf("%s, with %s", count(n, "match", "matches"), count(len(ms), "member", "members")))
					p.fail(s, entra.CodeMultipleEntries,
						fmt.Sprintf("The group query asked for excludedAttributes=members but the target returned %s.", count(len(ms), "member", "members")), entra.TipMultipleGroup)
					return false
				}
			}
		}
		if n > 1 {
			s.Details.Add(filter, fmt.Sprintf("%d matches", n))
			for _, res := range found {
				s.Details.Add(fmt.Sprintf("Matched %s (%s)", noun, m.Target), summarize(res))
			}
			p.fail(s, entra.CodeDuplicateTargetEntries, fmt.Sprintf("%d %ss in the target have %s; the matching attribute must be unique.", n, noun, filter), entra.TipUnique)
			return false
		}
		s.Details.Add(filter, "1 match")
		s.Details.Add(fmt.Sprintf("Matched %s (%s)", noun, m.Target), summarize(found[0]))
		p.matched = found[0]
		break
	}
	if p.matched != nil {
		p.target(wire.ID(p.matched), nameOf(p.matched, p.obj.kind().nameAttr), false)
	} else {
		s.Details.Add("Result", fmt.Sprintf("no %s matched in the target", noun))
	}
	p.finish(s, report.StatusSuccess)
	if p.scope.in {
		return true
	}
	sc := p.step(report.StepScoping)
	if p.matched == nil {
		p.skip(sc, entra.CodeSkipped, fmt.Sprintf("%s The %s is out of scope and not in the target: nothing to do.", p.scope.why, noun), p.scope.tips...)
		return false
	}
	what := "so it is disabled (IsSoftDeleted is true)"
	if p.obj.kind().resource == wire.Groups {
		what = "so it is deprovisioned"
	}
	sc.Reason = fmt.Sprintf("%s The %s exists in the target, %s.", p.scope.why, noun, what)
	sc.Tips = append(sc.Tips, p.scope.tips...)
	sc.Status = report.StatusWarning
	return true
}

// summarize renders a target resource for View details, without schemas and meta.
func summarize(res map[string]any) string {
	c := make(map[string]any, len(res))
	for k, v := range res {
		if k == "schemas" || k == "meta" {
			continue
		}
		c[k] = v
	}
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Sprint(c)
	}
	return string(b)
}
