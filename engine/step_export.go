package engine

import (
	"context"
	"fmt"

	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/report"
)

// exportStep is step 5: create, update, deprovision or skip, as the object's kind does it.
func (p *pass) exportStep(ctx context.Context, s *Step) bool {
	p.obj.export(ctx, p, s)
	return true
}

// deleteMatched deletes the resource matched in the target (del is the target's Delete) and ends
// step 5 with the delete.
func (p *pass) deleteMatched(ctx context.Context, s *Step, del func(context.Context, string, string) error, resource, noun, id string) {
	s.Details.Add("id", id)
	if err := del(ctx, resource, id); err != nil {
		p.failRequest(ctx, s, err, fmt.Sprintf("Failed to delete %s %s: ", noun, id))
		return
	}
	p.rep.ModifiedProperties = []ModifiedProperty{{Name: "id", OldValue: id, NewValue: nil}}
	p.done(s, report.ActionDelete, false)
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
