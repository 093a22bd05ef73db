package scenarios

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/scimsim/scimsim/report"
	"github.com/scimsim/scimsim/wire"
)

// Outcome is a provisioning report (report.Report), as the engine writes it in JSON: what
// expectations are checked against.
type Outcome = report.Report

// DecodeOutcome reads a report's JSON.
func DecodeOutcome(reportJSON []byte) (Outcome, error) {
	var o Outcome
	if err := json.Unmarshal(reportJSON, &o); err != nil {
		return o, fmt.Errorf("scenarios: decode report: %w", err)
	}
	return o, nil
}

// tipTexts are the tips of a step as text: each tip's text and its source, so that a phrase
// matches either.
func tipTexts(tips []report.Tip) []string {
	out := make([]string, 0, len(tips))
	for _, t := range tips {
		out = append(out, strings.TrimSpace(t.Text+" "+t.Source))
	}
	return out
}

// Check compares an outcome with the scenario's expectation and returns one sentence per mismatch,
// each naming what was expected and what the run reported; nil means the expectation was met.
func (e *Expect) Check(o Outcome) []string {
	var out []string
	bad := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }

	if o.Status != e.Status {
		bad("expected status %s, got %s%s", e.Status, o.Status, endedBy(o))
	}
	if got := o.ActualStep(); got != e.FailedStep {
		bad("expected failing step %s, got %s%s", orNone(e.FailedStep), orNone(got), endedBy(o))
	}
	if e.ErrorCode != "" && o.ActualErrorCode() != e.ErrorCode {
		bad("expected error code %s, got %s", e.ErrorCode, orNone(o.ActualErrorCode()))
	}
	if e.Action != "" && o.Action != e.Action {
		bad("expected action %s, got %s", e.Action, orNone(o.Action))
	}
	if e.Reason != "" && !containsFold(o.Reason, e.Reason) {
		bad("expected the reason to contain %q, got %q", e.Reason, o.Reason)
	}
	if e.Warning != "" && !anyContains(o.Warnings, e.Warning) {
		bad("expected a warning containing %q, got %s", e.Warning, quoteList(o.Warnings))
	}
	if e.Tip != "" {
		tips := allTips(o)
		if s := o.Step(o.ActualStep()); s != nil && e.FailedStep != "" {
			tips = tipTexts(s.Tips)
		}
		if !anyContains(tips, e.Tip) {
			bad("expected a tip containing %q, got %s", e.Tip, quoteList(tips))
		}
	}
	if len(e.Modified) > 0 {
		got := make([]string, 0, len(o.ModifiedProperties))
		for _, m := range o.ModifiedProperties {
			got = append(got, m.Name)
		}
		if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(e.Modified))) {
			bad("expected modifiedProperties [%s], got [%s]", strings.Join(e.Modified, ", "), strings.Join(got, ", "))
		}
	}
	for _, se := range e.Steps {
		s := o.Step(se.Type)
		if s == nil {
			bad("expected a %s step, the report has none", se.Type)
			continue
		}
		if se.Status != "" && s.Status != se.Status {
			bad("expected step %s to be %s, got %s", se.Type, se.Status, s.Status)
		}
		if tips := tipTexts(s.Tips); se.Tip != "" && !anyContains(tips, se.Tip) {
			bad("expected step %s to have a tip containing %q, got %s", se.Type, se.Tip, quoteList(tips))
		}
		keys := make([]string, 0, len(se.Details))
		for k := range se.Details {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			want := se.Details[k]
			got, ok := s.Details.Get(k)
			switch {
			case !ok:
				bad("expected step %s to show %q in its details, got %s", se.Type, k, detailNames(s.Details))
			case !strings.EqualFold(got, want):
				bad("expected step %s detail %q to be %q, got %q", se.Type, k, want, got)
			}
		}
	}
	return out
}

func allTips(o Outcome) []string {
	var all []string
	for _, s := range o.Steps {
		all = append(all, tipTexts(s.Tips)...)
	}
	return all
}

func detailNames(d report.Details) string {
	keys := make([]string, 0, len(d))
	for _, x := range d {
		keys = append(keys, x.Name)
	}
	sort.Strings(keys)
	return quoteList(keys)
}

func endedBy(o Outcome) string {
	step := o.ActualStep()
	if step == "" {
		return ""
	}
	s := " (" + step
	if code := o.ActualErrorCode(); code != "" {
		s += ": " + code
	}
	if o.Reason != "" {
		s += ": " + o.Reason
	}
	return s + ")"
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

func anyContains(list []string, sub string) bool {
	for _, s := range list {
		if containsFold(s, sub) {
			return true
		}
	}
	return false
}

func quoteList(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// Check compares the user the target stores (a SCIM User resource as JSON decodes it; nil when the
// target holds no user called u.UserName) with the expectation, and returns one sentence per
// mismatch, each naming the attribute, the expected state and the stored one.
func (u *UserExpect) Check(stored map[string]any) []string {
	if stored == nil {
		return []string{fmt.Sprintf("expected the target to hold a user %q after the run, it holds none", u.UserName)}
	}
	var out []string
	for _, path := range u.Absent {
		if v, ok := AttributeValue(stored, path); ok {
			out = append(out, fmt.Sprintf("expected the target's user %q not to store %s, it stores %s", u.UserName, path, jsonText(v)))
		}
	}
	for _, path := range slices.Sorted(maps.Keys(u.Present)) {
		want := normalize(u.Present[path])
		got, ok := AttributeValue(stored, path)
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("expected the target's user %q to store %s = %s, it does not store %s", u.UserName, path, jsonText(want), path))
		case !reflect.DeepEqual(normalize(got), want):
			out = append(out, fmt.Sprintf("expected the target's user %q to store %s = %s, it stores %s", u.UserName, path, jsonText(want), jsonText(got)))
		}
	}
	return out
}

// AttributeValue returns the value a resource stores at a SCIM attribute path (see UserExpect), and
// whether it stores one. Unassigned, null and an empty list are the same state, "no value" (RFC 7643
// §2.5); so is a complex attribute none of whose sub-attributes has a value. Names match
// case-insensitively (RFC 7643 §2.1).
func AttributeValue(resource map[string]any, path string) (any, bool) {
	v := wire.Get(resource, path)
	if !hasValue(v) {
		return nil, false
	}
	return v, true
}

// hasValue reports whether v is a value in the sense of RFC 7643 §2.5: not null, not an empty list,
// and, for a complex value, with at least one sub-attribute that has one.
func hasValue(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case []any:
		return len(v) > 0
	case map[string]any:
		for _, sub := range v {
			if hasValue(sub) {
				return true
			}
		}
		return false
	}
	return true
}

// normalize gives a value from YAML (int, map[string]any, ...) the form encoding/json decodes the
// same value into (float64, ...), so that an expected value and a stored one compare equal.
func normalize(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return v
	}
	return out
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
