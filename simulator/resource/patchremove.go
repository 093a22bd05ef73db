// The remove-values fast path of ApplyPatch: a run of `remove members[value eq "id"]` operations
// (Entra's Remove with a value array, as the entra profile rewrites it) applied in one pass over
// the attribute's values, and the value set that makes a multi-valued add linear. Both exist only
// to keep large group PATCHes at n+m rather than n×m; patch.go holds the general algorithm.

package resource

import (
	"reflect"
	"strings"

	"github.com/scimsim/scimsim/simulator/filter"
)

// valueSet answers "does the list already hold this value?" for a multi-valued add in constant
// time per value, so that adding n members to a group of m costs n+m, not n×m. Values with a
// string "value" sub-attribute (members, emails) are the same when their "value" is; any other
// value is compared whole (reflect.DeepEqual) with every element.
type valueSet map[string]struct{}

func newValueSet(list []any) valueSet {
	s := make(valueSet, len(list))
	for _, e := range list {
		s.add(e)
	}
	return s
}

func stringValue(v any) (string, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return "", false
	}
	s, ok := m["value"].(string)
	return s, ok
}

func (s valueSet) add(v any) {
	if sv, ok := stringValue(v); ok {
		s[sv] = struct{}{}
	}
}

func (s valueSet) contains(list []any, v any) bool {
	if sv, ok := stringValue(v); ok {
		_, found := s[sv]
		return found
	}
	for _, e := range list {
		if reflect.DeepEqual(e, v) {
			return true
		}
	}
	return false
}

// removeValuesRun applies, in one pass over the attribute's values, a run of operations at the
// start of ops that each remove the values of one multi-valued complex attribute whose "value"
// equals a string (`members[value eq "id"]`, which the entra profile makes of Entra's Remove
// with a value array), and returns how many operations it applied; 0 when ops does not start with
// such a run of two or more. One pass for n removals keeps a PATCH that removes n members of m
// at n+m, not n×m. The values compare as filter.Eval compares them, by the sub-attribute's
// caseExact, and removing a value that is not there is no error, as for one operation.
func removeValuesRun(k *Type, doc map[string]any, ops []PatchOp) int {
	var ref Ref
	var caseExact bool
	values := map[string]struct{}{}
	n := 0
	for _, op := range ops {
		r, v, exact, ok := removeValuePath(k, op)
		if !ok || n > 0 && r != ref {
			break
		}
		ref, caseExact = r, exact
		if !caseExact {
			v = filter.Fold(v)
		}
		values[v] = struct{}{}
		n++
	}
	if n < 2 {
		return 0
	}
	c := holder(doc, ref, false)
	if c == nil {
		return n
	}
	list := AsList(c[ref.Attr])
	kept := make([]any, 0, len(list))
	for _, e := range list {
		if sv, ok := stringValue(e); ok {
			if !caseExact {
				sv = filter.Fold(sv)
			}
			if _, drop := values[sv]; drop {
				continue
			}
		}
		kept = append(kept, e)
	}
	if len(kept) == 0 {
		delete(c, ref.Attr)
	} else {
		c[ref.Attr] = kept
	}
	return n
}

// removeValuePath reports whether op is `remove ATTR[value eq "v"]` on a writable multi-valued
// complex attribute, and returns the attribute, v and whether value is caseExact.
func removeValuePath(k *Type, op PatchOp) (Ref, string, bool, bool) {
	if op.Op != "remove" || !strings.Contains(op.Path, "[") {
		return Ref{}, "", false, false
	}
	p, err := filter.ParsePath(op.Path)
	if err != nil || p.Filter == nil || p.Sub != "" {
		return Ref{}, "", false, false
	}
	cmp, ok := p.Filter.(*filter.Compare)
	if !ok || cmp.Op != "eq" || cmp.Attr.URN != "" || cmp.Attr.Sub != "" || !strings.EqualFold(cmp.Attr.Attr, "value") {
		return Ref{}, "", false, false
	}
	v, ok := cmp.Value.(string)
	if !ok {
		return Ref{}, "", false, false
	}
	ref, ok := Resolve(k, p.URN, p.Attr, "")
	if !ok {
		return Ref{}, "", false, false
	}
	a, _ := k.Attr(ref.URN, ref.Attr)
	if !a.MultiValued() || !a.HasSubAttributes() || a.Mutability() == "readOnly" {
		return Ref{}, "", false, false
	}
	info, ok := k.Filter.Lookup(ref.URN, ref.Attr, "value")
	if !ok {
		return Ref{}, "", false, false
	}
	return ref, v, info.CaseExact, true
}
