package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/scimsim/scimsim/engine/expr"
	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/report"
)

// importStep is step 2: the object's attributes (View details), the mapped attributes that are
// null (not provisioned: a warning), and ImportSkipped when no matching attribute has a value.
// Scope is decided here, before the mappings, because mappings read IsSoftDeleted; step 3 reports
// the decision.
func (p *pass) importStep(_ context.Context, s *Step) bool {
	if !p.obj.importDetails(p, s) {
		return false
	}
	p.scope = p.decideScope()
	m := p.obj.mapping(p.cfg)
	var err error
	if p.flow, p.nulls, err = evaluateMappings(m.Mappings, p.env()); err != nil {
		p.fail(s, entra.CodeExpressionFailed, err.Error(), entra.TipMappingHasAttr)
		return false
	}
	var missing []string
	anyMatching := false
	for _, mm := range m.matchingMappings() {
		if v := p.value(mm); v != nil {
			anyMatching = true
		} else {
			missing = append(missing, fmt.Sprintf("%s (from %s)", mm.Target, mm.sourceName()))
		}
	}
	if !anyMatching {
		p.skip(s, entra.CodeImportSkipped, fmt.Sprintf("The %s has no value for the matching %s %s, so it cannot be matched in the target; scoping was not evaluated.", p.obj.kind().noun, pluralWord(len(missing), "attribute", "attributes"), strings.Join(missing, ", ")), entra.TipMissingMatching)
		return false
	}
	status := report.StatusSuccess
	if len(p.nulls) > 0 {
		s.Details.Add("Not provisioned (null)", strings.Join(p.nulls, ", "))
		s.Reason = fmt.Sprintf("%s no value and %s not provisioned: %s.", count(len(p.nulls), "mapped attribute has", "mapped attributes have"), pluralWord(len(p.nulls), "is", "are"), strings.Join(p.nulls, ", "))
		s.Tips = append(s.Tips, entra.TipNullAttribute)
		status = report.StatusWarning
	}
	if len(p.nulls) > 0 || p.unmapped {
		s.Tips = append(s.Tips, entra.TipMappingHasAttr)
	}
	p.finish(s, status)
	return true
}

// env is what the object's mapping expressions see.
func (p *pass) env() expr.Env { return p.obj.env(p.scope, p.o, p.src.DefaultDomain) }
