package filter

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// evaluator matches expressions against JSON-decoded resources.
type evaluator struct {
	s Schema
}

func eval(e Expr, res map[string]any, s Schema) bool {
	ev := evaluator{s: s}
	return ev.match(e, res, res, nil)
}

// match evaluates e. obj is where attribute names are looked up: the resource at the top level, one
// value of the value path's attribute (parent) inside brackets. root is the whole resource, for
// extension URNs.
func (ev *evaluator) match(e Expr, obj, root map[string]any, parent *AttrPath) bool {
	switch e := e.(type) {
	case *Logical:
		if e.Op == "and" {
			return ev.match(e.Left, obj, root, parent) && ev.match(e.Right, obj, root, parent)
		}
		return ev.match(e.Left, obj, root, parent) || ev.match(e.Right, obj, root, parent)
	case *Not:
		return !ev.match(e.X, obj, root, parent)
	case *Present:
		v, sub := ev.value(e.Attr, obj, parent)
		return present(v, sub)
	case *Compare:
		return ev.compare(e, obj, parent)
	case *ValuePath:
		if parent != nil {
			return false // the parser never nests value paths
		}
		v, _ := get(container(obj, e.Attr.URN), e.Attr.Attr)
		switch v := v.(type) {
		case []any:
			for _, el := range v {
				if m, ok := el.(map[string]any); ok && ev.match(e.Filter, m, root, &e.Attr) {
					return true
				}
			}
		case map[string]any:
			return ev.match(e.Filter, v, root, &e.Attr)
		}
	}
	return false
}

// value returns the attribute's raw value and the sub-attribute still to be taken from it (from
// each element, when the value is an array).
func (ev *evaluator) value(a AttrPath, obj map[string]any, parent *AttrPath) (any, string) {
	if parent != nil {
		v, _ := get(obj, a.Attr)
		return v, ""
	}
	v, _ := get(container(obj, a.URN), a.Attr)
	return v, a.Sub
}

// container returns the object holding the attributes of schema urn: the resource itself for
// unqualified names and core schemas, the object under the URN key for extensions (RFC 7643 Section
// 3.3). A resource whose first "schemas" entry is urn also counts as core, for resource types with a
// custom core schema.
func container(res map[string]any, urn string) map[string]any {
	if urn == "" {
		return res
	}
	if v, ok := get(res, urn); ok {
		m, _ := v.(map[string]any)
		return m
	}
	if isCoreURN(urn) {
		return res
	}
	if schemas, ok := res["schemas"].([]any); ok && len(schemas) > 0 {
		if first, ok := schemas[0].(string); ok && strings.EqualFold(first, urn) {
			return res
		}
	}
	return nil
}

// get looks a key up exactly, then case-insensitively (RFC 7643 Section 2.1: names are
// case-insensitive).
func get(m map[string]any, key string) (any, bool) {
	if m == nil {
		return nil, false
	}
	if v, ok := m[key]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

// present reports whether v (or, with sub, that sub-attribute of v) has a value: not null, not "",
// not [] and not {} (RFC 7644 Section 3.4.2.2 "pr", RFC 7643 Section 2.5).
func present(v any, sub string) bool {
	switch x := v.(type) {
	case nil:
		return false
	case string:
		return x != "" && sub == ""
	case []any:
		for _, el := range x {
			if present(el, sub) {
				return true
			}
		}
		return false
	case map[string]any:
		if sub != "" {
			el, _ := get(x, sub)
			return present(el, "")
		}
		for _, el := range x {
			if present(el, "") {
				return true
			}
		}
		return false
	}
	return sub == ""
}

// leafInfo describes the values a comparison reads. Without a schema entry, strings compare
// case-insensitively and types follow the data.
func (ev *evaluator) leafInfo(a AttrPath, parent *AttrPath) AttrInfo {
	if parent != nil {
		info, _ := lookup(ev.s, parent.URN, parent.Attr, a.Attr)
		return info
	}
	info, _ := lookup(ev.s, a.URN, a.Attr, a.Sub)
	if info.Type == typeComplex && a.Sub == "" {
		info, _ = lookup(ev.s, a.URN, a.Attr, "value")
	}
	return info
}

// compare applies RFC 7644 Section 3.4.2.2: with a multi-valued attribute the comparison holds when
// any value satisfies it, and `emails eq "x"` compares the value sub-attribute of each email. An
// unassigned attribute is null (RFC 7643 Section 2.5): "eq null" holds, "ne" with any other literal
// holds.
func (ev *evaluator) compare(c *Compare, obj map[string]any, parent *AttrPath) bool {
	v, sub := ev.value(c.Attr, obj, parent)
	if c.Value == nil {
		switch c.Op {
		case "eq":
			return !present(v, sub)
		case "ne":
			return present(v, sub)
		}
		return false
	}
	info := ev.leafInfo(c.Attr, parent)
	if c.Op == "ne" && !present(v, sub) {
		return true
	}
	return ev.anyLeaf(c, info, v, sub)
}

// anyLeaf reports whether one scalar reachable from v satisfies c: elements of arrays, sub of maps,
// and "value" of maps when no sub-attribute is named.
func (ev *evaluator) anyLeaf(c *Compare, info AttrInfo, v any, sub string) bool {
	switch x := v.(type) {
	case []any:
		for _, el := range x {
			if ev.anyLeaf(c, info, el, sub) {
				return true
			}
		}
		return false
	case map[string]any:
		if sub == "" {
			sub = "value"
		}
		el, _ := get(x, sub)
		if _, nested := el.(map[string]any); nested {
			return false
		}
		return ev.anyLeaf(c, info, el, "")
	}
	if sub != "" {
		return false
	}
	return test(c.Op, c.Value, v, info)
}

// test compares one attribute value v with literal lit. A value of another type than the literal is
// "not identical": ne holds, every other operator fails.
func test(op string, lit, v any, info AttrInfo) bool {
	switch l := lit.(type) {
	case string:
		s, ok := v.(string)
		if !ok {
			if t, isTime := v.(time.Time); isTime {
				return compareTimes(op, l, t)
			}
			return op == "ne"
		}
		if info.Type == typeDateTime {
			if t, ok := parseTime(s); ok {
				if r, ok := compareTime(op, l, t); ok {
					return r
				}
			}
		}
		return compareStrings(op, s, l, info.CaseExact)
	case bool:
		b, ok := v.(bool)
		if !ok {
			return op == "ne"
		}
		switch op {
		case "eq":
			return b == l
		case "ne":
			return b != l
		}
		return false
	case int64, float64:
		cmp, ok := compareNumbers(v, l)
		if !ok {
			return op == "ne"
		}
		return ordered(op, cmp)
	}
	return false
}

// compareTimes compares a dateTime value with a string literal; when the literal is not a dateTime
// only ne holds.
func compareTimes(op, lit string, t time.Time) bool {
	r, ok := compareTime(op, lit, t)
	if !ok {
		return op == "ne"
	}
	return r
}

// compareTime orders a dateTime by instant (RFC 7643 Section 2.3.5), so "2026-11-25T10:00:00Z" equals
// "2026-11-25T11:00:00+01:00". ok is false when lit is not a dateTime or op is a substring operator.
func compareTime(op, lit string, t time.Time) (result, ok bool) {
	if op == "co" || op == "sw" || op == "ew" {
		return false, false
	}
	lt, ok := parseTime(lit)
	if !ok {
		return false, false
	}
	return ordered(op, t.Compare(lt)), true
}

// ordered applies a comparison operator to the result of a three-way comparison.
func ordered(op string, cmp int) bool {
	switch op {
	case "eq":
		return cmp == 0
	case "ne":
		return cmp != 0
	case "gt":
		return cmp > 0
	case "ge":
		return cmp >= 0
	case "lt":
		return cmp < 0
	case "le":
		return cmp <= 0
	}
	return false
}

// compareStrings applies op to attribute value s and literal l, folding case unless caseExact
// (RFC 7643 Section 2.3.1; "gt" and friends order lexicographically, RFC 7644 Section 3.4.2.2).
// Case folds with Fold, the rule the store's indexes and uniqueness use too; the ASCII paths
// below are Fold restricted to ASCII, without allocating.
func compareStrings(op, s, l string, caseExact bool) bool {
	if caseExact {
		switch op {
		case "co":
			return strings.Contains(s, l)
		case "sw":
			return strings.HasPrefix(s, l)
		case "ew":
			return strings.HasSuffix(s, l)
		}
		return ordered(op, strings.Compare(s, l))
	}
	switch op {
	case "eq":
		return EqualFold(s, l)
	case "ne":
		return !EqualFold(s, l)
	}
	if !isASCII(s) || !isASCII(l) {
		return compareStrings(op, Fold(s), Fold(l), true)
	}
	switch op {
	case "co":
		if len(s)*len(l) > naiveSearchLimit {
			// Keep hostile inputs linear: strings.Contains does not degrade like the window scan.
			return strings.Contains(Fold(s), Fold(l))
		}
		return indexFoldASCII(s, l) >= 0
	case "sw":
		return len(s) >= len(l) && strings.EqualFold(s[:len(l)], l)
	case "ew":
		return len(s) >= len(l) && strings.EqualFold(s[len(s)-len(l):], l)
	}
	return ordered(op, compareFoldASCII(s, l))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// naiveSearchLimit bounds the work of indexFoldASCII, whose cost is len(s)*len(sub) in the worst case.
const naiveSearchLimit = 1 << 14

// indexFoldASCII finds sub in s ignoring ASCII case, without allocating.
func indexFoldASCII(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

func compareFoldASCII(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		ca, cb := lowerASCII(a[i]), lowerASCII(b[i])
		if ca != cb {
			if ca < cb {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}

// compareNumbers compares attribute value v with a number literal: exactly when both are integers,
// as float64 otherwise. ok is false when v is not a number.
func compareNumbers(v, lit any) (cmp int, ok bool) {
	var vi int64
	var vf float64
	isInt := false
	switch x := v.(type) {
	case json.Number:
		if n, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			vi, isInt = n, true
		} else if f, err := strconv.ParseFloat(string(x), 64); err == nil {
			vf = f
		} else {
			return 0, false
		}
	case int64:
		vi, isInt = x, true
	case int:
		vi, isInt = int64(x), true
	case int32:
		vi, isInt = int64(x), true
	case float64:
		vf = x
	case float32:
		vf = float64(x)
	default:
		return 0, false
	}
	if li, litInt := lit.(int64); litInt && isInt {
		return cmp3(vi, li), true
	}
	if isInt {
		vf = float64(vi)
	}
	lf, litFloat := lit.(float64)
	if !litFloat {
		lf = float64(lit.(int64))
	}
	if math.IsNaN(vf) || math.IsNaN(lf) {
		return 0, false
	}
	return cmp3(vf, lf), true
}

func cmp3[T int64 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
