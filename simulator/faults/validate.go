package faults

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// SpecError lists everything wrong with one spec, so a user fixes a fault file in one pass.
// It wraps ErrInvalidSpec.
type SpecError struct {
	Name     string   // the spec's name, "" when it has none
	Problems []string // one sentence each, naming the field and the offending value
}

func (e *SpecError) Error() string {
	prefix := "fault"
	if e.Name != "" {
		prefix += " " + strconv.Quote(e.Name)
	}
	return prefix + ": " + strings.Join(e.Problems, "; ")
}

func (e *SpecError) Unwrap() error { return ErrInvalidSpec }

// methods are the HTTP methods a SCIM client uses (RFC 7644 Section 3.2).
var methods = []string{"GET", "POST", "PUT", "PATCH", "DELETE"}

// Validate reports an unknown type, unknown or ill-typed attributes and out-of-range fields, all
// at once, as a *SpecError naming each one.
func (s Spec) Validate() error {
	_, _, err := s.check()
	return err
}

// attrs are a spec's attributes after checking: every attribute of the type is present (the
// default when not given), integers are int and string lists are []string.
type attrs map[string]any

func (a attrs) int(name string) int {
	v, _ := a[name].(int)
	return v
}

func (a attrs) str(name string) string {
	v, _ := a[name].(string)
	return v
}

func (a attrs) strings(name string) []string {
	v, _ := a[name].([]string)
	return v
}

// check validates s and returns its registration and its attributes with defaults filled in.
func (s Spec) check() (*registration, attrs, error) {
	var problems []string
	addf := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	if len(s.Name) > MaxNameLength {
		addf("name %.32q... is %d bytes long, longer than %d", s.Name, len(s.Name), MaxNameLength)
	} else if s.Name != "" && !validName(s.Name) {
		addf("name %q may only contain letters, digits, '.', '_' and '-'", s.Name)
	}
	reg, known := lookup(s.Type)
	switch {
	case s.Type == "":
		addf("type is required (one of %s)", typeNames())
	case !known:
		addf("unknown type %q (known: %s)", s.Type, typeNames())
	}
	if s.After < 0 {
		addf("after must not be negative, got %d", s.After)
	}
	if s.Count < 0 {
		addf("count must not be negative, got %d", s.Count)
	}
	if math.IsNaN(s.Probability) || s.Probability < 0 || s.Probability > 1 {
		addf("probability must be between 0 and 1, got %v", s.Probability)
	}
	for _, f := range []struct{ name, v string }{{"path", s.Match.Path}, {"resource", s.Match.Resource},
		{"filterAttribute", s.Match.FilterAttribute}, {"tenant", s.Match.Tenant}} {
		if len(f.v) > maxMatchLength {
			addf("match.%s is %d bytes long, longer than %d", f.name, len(f.v), maxMatchLength)
		}
	}
	if m := s.Match.Method; m != "" && !slices.Contains(methods, strings.ToUpper(m)) {
		addf("match.method %q is not one of %s", m, strings.Join(methods, ", "))
	}
	if p := s.Match.Path; p != "" && p[0] != '/' && p[0] != '*' {
		addf("match.path %q must start with '/' or '*'", p)
	}

	var a attrs
	if known {
		a = make(attrs, len(reg.Attributes))
		for _, name := range slices.Sorted(maps.Keys(s.Attributes)) {
			info, ok := reg.attr(name)
			if !ok {
				addf("unknown attribute %q for type %s (%s)", name, reg.Name, reg.attrNames())
				continue
			}
			v, err := info.convert(s.Attributes[name])
			if err != nil {
				addf("attribute %q: %v", name, err)
				continue
			}
			a[info.Name] = v
		}
		for _, info := range reg.Attributes {
			if _, given := a[info.Name]; given {
				continue
			}
			if _, bad := s.Attributes[info.Name]; bad {
				continue // already reported as ill-typed
			}
			if info.Required {
				addf("attribute %q is required for type %s", info.Name, reg.Name)
				continue
			}
			a[info.Name] = info.Default
		}
	}
	if len(problems) > 0 {
		return nil, nil, &SpecError{Name: s.Name, Problems: problems}
	}
	return reg, a, nil
}

func (r *registration) attr(name string) (AttrInfo, bool) {
	for _, a := range r.Attributes {
		if a.Name == name {
			return a, true
		}
	}
	return AttrInfo{}, false
}

func (r *registration) attrNames() string {
	if len(r.Attributes) == 0 {
		return "it takes none"
	}
	names := make([]string, len(r.Attributes))
	for i, a := range r.Attributes {
		names[i] = a.Name
	}
	return "known: " + strings.Join(names, ", ")
}

// convert checks v against the attribute's type and returns it as int or []string (or string).
// Numbers arrive as float64 from encoding/json, as int from YAML, and as json.Number from
// decoders that use UseNumber.
func (a AttrInfo) convert(v any) (any, error) {
	switch a.Type {
	case Integer:
		n, err := toInt(v)
		if err != nil {
			return nil, err
		}
		if len(a.OneOf) > 0 && !slices.Contains(a.OneOf, n) {
			return nil, fmt.Errorf("%d is not one of %s", n, joinInts(a.OneOf))
		}
		if n < 0 {
			return nil, fmt.Errorf("must not be negative, got %d", n)
		}
		return n, nil
	case String:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("want a string, got %s", describe(v))
		}
		if len(a.Values) > 0 && !slices.Contains(a.Values, s) {
			return nil, fmt.Errorf("%q is not one of %s", s, strings.Join(a.Values, ", "))
		}
		return s, nil
	case StringList:
		var list []string
		switch t := v.(type) {
		case string:
			list = []string{t}
		case []string:
			list = append(list, t...)
		case []any:
			for i, e := range t {
				s, ok := e.(string)
				if !ok {
					return nil, fmt.Errorf("element %d: want a string, got %s", i, describe(e))
				}
				list = append(list, s)
			}
		default:
			return nil, fmt.Errorf("want a string or a list of strings, got %s", describe(v))
		}
		if len(list) == 0 {
			return nil, fmt.Errorf("must name at least one attribute")
		}
		for i, s := range list {
			if strings.TrimSpace(s) == "" {
				return nil, fmt.Errorf("element %d is empty", i)
			}
		}
		return list, nil
	}
	return nil, fmt.Errorf("attribute type %q is not supported", a.Type)
}

func toInt(v any) (int, error) {
	switch n := v.(type) {
	case int:
		return n, nil
	case int64:
		if n >= math.MinInt32 && n <= math.MaxInt32 {
			return int(n), nil
		}
	case uint64:
		if n <= math.MaxInt32 {
			return int(n), nil
		}
	case float64:
		if n != math.Trunc(n) {
			return 0, fmt.Errorf("want a whole number, got %v", n)
		}
		if n >= math.MinInt32 && n <= math.MaxInt32 {
			return int(n), nil
		}
	case json.Number:
		if i, err := strconv.Atoi(string(n)); err == nil {
			return i, nil
		}
		return 0, fmt.Errorf("want a whole number, got %s", n)
	default:
		return 0, fmt.Errorf("want a whole number, got %s", describe(v))
	}
	return 0, fmt.Errorf("%v is out of range", v)
}

// describe names a JSON or YAML value's type and the value, for error messages.
func describe(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case string:
		return "string " + strconv.Quote(t)
	case bool:
		return "boolean " + strconv.FormatBool(t)
	case []any, []string:
		return "a list"
	case map[string]any:
		return "an object"
	default:
		return fmt.Sprintf("%v", t)
	}
}

func joinInts(vals []int) string {
	s := make([]string, len(vals))
	for i, v := range vals {
		s[i] = strconv.Itoa(v)
	}
	return strings.Join(s, ", ")
}

// validName keeps names usable as the last segment of /admin/faults/{name} without escaping.
// MaxNameLength is the longest fault name: a name is one path segment of the admin API.
const MaxNameLength = 64

// maxMatchLength bounds each match field: a path glob longer than any URL is a mistake, and
// each one is matched against every request.
const maxMatchLength = 1024

func validName(name string) bool {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
