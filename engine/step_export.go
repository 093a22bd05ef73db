package engine

import (
	"context"

	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/report"
)

// exportStep is step 5: create, update, deprovision or skip, as the object's kind does it.
func (p *pass) exportStep(ctx context.Context) bool {
	p.obj.export(ctx, p, p.step(report.StepExport))
	return true
}

// addOrReplace is the operation Entra sends for a value the target has (cur not nil) or lacks.
func addOrReplace(cur any) entra.ChangeOp {
	if cur == nil {
		return entra.Add
	}
	return entra.Replace
}

// shown is how reports show a value of the mapping: "[Redact]" when its expression calls Redact,
// as Entra's provisioning logs do; the target still gets the value.
func (m *Mapping) shown(v any) any {
	if v != nil && m.expr != nil && m.expr.Redacted() {
		return "[Redact]"
	}
	return v
}
