package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/report"
	"github.com/scimsim/scimsim/wire"
)

// sentValue is one attribute a write sent, to compare with what the target stores.
type sentValue struct {
	m     *Mapping
	value any
}

// writeOnly are attributes a target never returns (RFC 7643 Section 4.1.1: password is
// "returned": "never"), so a read-back cannot check them.
var writeOnly = []string{"password"}

// verifyUser reads the user back after a successful create or update (GET by id, scimsim's own
// request: Entra does not send it) and compares what the target stores with what was sent. An
// attribute accepted but not stored, or stored with another value, is a warning on step 5 naming it:
// Entra would export it again on every cycle, and the app never gets it. It returns the problems.
func (p *pass) verifyUser(ctx context.Context, s *Step, id string, status int, sent []sentValue) []string {
	res, problems, ok := p.readBack(ctx, p.t, wire.Users, "user", id, status)
	if !ok {
		return problems
	}
	var missing, differ []string
	for _, sv := range sent {
		if slices.ContainsFunc(writeOnly, sv.m.path.Is) {
			continue
		}
		got := sv.m.path.Get(res)
		switch {
		case got == nil:
			missing = append(missing, sv.m.Target)
		case !equalValue(sv.value, got):
			differ = append(differ, fmt.Sprintf("%s as %s, not %s", sv.m.Target, report.ShowValue(sv.m.shown(got)), report.ShowValue(sv.m.shown(sv.value))))
		}
	}
	if len(missing) > 0 {
		problems = append(problems, fmt.Sprintf("the target answered %d but does not store %s", status, strings.Join(missing, ", ")))
	}
	if len(differ) > 0 {
		problems = append(problems, fmt.Sprintf("the target answered %d but stores %s", status, strings.Join(differ, "; ")))
	}
	p.noteReadBack(s, problems)
	return problems
}

// verifyMembers reads the group's members back after a successful write (scimsim's own request,
// asking for members explicitly) and compares them with the members it should have.
func (p *pass) verifyMembers(ctx context.Context, s *Step, id string, status int, want []string) []string {
	res, problems, ok := p.readBack(ctx, p.c, wire.Groups, "group", id, status)
	if !ok {
		return problems
	}
	got := wire.MemberValues(res)
	slices.Sort(got)
	want = slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) {
		problems = append(problems, fmt.Sprintf("the target answered %d, but asked for the group's members it lists [%s], not [%s]", status, strings.Join(got, ", "), strings.Join(want, ", ")))
	}
	p.noteReadBack(s, problems)
	return problems
}

// backReader reads a resource back by id: targetSystem, or the SCIM client of the group steps.
type backReader interface {
	ReadBack(ctx context.Context, resource, id string) (entra.Resource, error)
}

// readBack reads back, with t, the resource (a user or group, as noun says) that a write answered
// with status. ok is false when the job does not read back, with no problem, or when the read
// fails, with the one problem saying so.
func (p *pass) readBack(ctx context.Context, t backReader, resource, noun, id string, status int) (res entra.Resource, problems []string, ok bool) {
	if !p.readsBack() {
		return nil, nil, false
	}
	res, err := t.ReadBack(ctx, resource, id)
	if err != nil {
		return nil, []string{fmt.Sprintf("the target answered %d but the %s could not be read back: %v", status, noun, err)}, false
	}
	return res, nil, true
}

// noteReadBack records the read-back's outcome on step 5 and, for problems, in the report's
// warnings; the caller makes the step a warning.
func (p *pass) noteReadBack(s *Step, problems []string) {
	if len(problems) == 0 {
		s.Details.Add("Read back", "the target stores what was sent")
		return
	}
	for _, p := range problems {
		s.Details.Add("Read back", p)
	}
}

// warnReadBack ends a successful step whose read-back found problems: the step is a warning, and
// the report says why; the run's status stays success.
func (p *pass) warnReadBack(s *Step, problems []string) {
	if len(problems) == 0 {
		return
	}
	reason := upperFirst(strings.Join(problems, "; ")) + "."
	if s.Reason == "" {
		s.Reason = reason
	} else {
		s.Reason += " " + reason
	}
	s.Tips = append(s.Tips, entra.TipReadBack)
	p.rep.Warnings = append(p.rep.Warnings, reason)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
