package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/scimsim/scimsim/engine/expr"
	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/report"
)

// A SelectUniqueValue mapping is evaluated when the user is written to the target, not at import:
// "The function evaluates each rule and then checks the value generated for uniqueness in the
// target app/directory. The first unique value found is the one returned. If all of the values
// already exist in the target, the entry is escrowed" (Microsoft's expression reference,
// SelectUniqueValue, ms.date 2026-04-10). Checking needs the target, and escrow is the outcome of
// an export. The function "is only meant to be used for entry creations. When using it with an
// attribute, set the Apply Mapping property to Only during object creation": so a create evaluates
// every such mapping, and an update only those applied always (there, the user's own value counts
// as taken, as it exists in the target; this is inferred, the page says no more). Config.CheckSource
// keeps it to Cloud HR jobs, as Microsoft supports it only there.

// selectUniqueValues evaluates the user's SelectUniqueValue mappings for a create (creating) or an
// update, checking each candidate value with a query to the target, so that faults apply to the
// lookups as to any request. View details lists each lookup. It reports false when the step failed.
func (p *pass) selectUniqueValues(ctx context.Context, s *Step, creating bool) bool {
	var env expr.Env
	for i := range p.flow {
		m := p.flow[i].m
		if !m.selectsUniqueValue() || (!creating && m.Apply == ApplyCreation) {
			continue
		}
		if env.Attrs == nil {
			env = p.env()
		}
		env.Exists = func(v string) (bool, error) {
			filter := entra.EqFilter(m.Target, v)
			lr, err := p.c.Query(ctx, "Users", filter)
			if err != nil {
				return false, err
			}
			taken := lr.TotalResults > 0 || len(lr.Resources) > 0
			result := "free"
			if taken {
				result = "taken"
			}
			s.Details.Add("SelectUniqueValue "+m.Target, filter+": "+result)
			return taken, nil
		}
		v, err := m.expr.Eval(env)
		if err != nil {
			p.failUnique(ctx, s, m, err)
			return false
		}
		p.flow[i].value = normalize(m, v)
	}
	return true
}

// failUnique ends the step for a SelectUniqueValue that could not give a value: a lookup the
// target failed is classified as any failed request is; every value taken is the escrow.
func (p *pass) failUnique(ctx context.Context, s *Step, m *Mapping, err error) {
	var ce *entra.Error
	if errors.As(err, &ce) {
		code, reason, tips := p.classify(ctx, ce, report.StepExport)
		p.fail(s, code, fmt.Sprintf("SelectUniqueValue for %s could not check the target: %s", m.Target, reason), tips...)
		return
	}
	// The message without the expression's caret snippet, which a report of a multi-line
	// expression would not read well with.
	msg := err.Error()
	var ee *expr.Error
	if errors.As(err, &ee) {
		msg = ee.Msg
	}
	reason := fmt.Sprintf("%s: mapping to %s: %s", m.Pos.At("expression"), m.Target, msg)
	if errors.Is(err, expr.ErrNoUniqueValue) {
		p.fail(s, entra.CodeUniqueValueNotFound, reason, entra.Lookup(entra.CodeUniqueValueNotFound).TipsAt(report.StepExport)...)
		return
	}
	p.fail(s, entra.CodeExpressionFailed, reason, entra.TipMappingHasAttr)
}
