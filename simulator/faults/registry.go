package faults

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

// AttrType is the type of a fault attribute's value.
type AttrType string

// The attribute types. JSON numbers (float64) and YAML integers (int) are both accepted for
// Integer, as long as the value is whole.
const (
	Integer    AttrType = "integer"
	String     AttrType = "string"
	StringList AttrType = "string list" // a string, or a list of strings
)

// AttrInfo describes one attribute of a fault type.
type AttrInfo struct {
	Name        string   `json:"name"`
	Type        AttrType `json:"type"`
	Default     any      `json:"default,omitempty"`  // nil: no default
	OneOf       []int    `json:"oneOf,omitempty"`    // the allowed values of an Integer, if limited
	Values      []string `json:"values,omitempty"`   // the allowed values of a String, if limited
	Required    bool     `json:"required,omitempty"` // the type cannot work without it
	Description string   `json:"description"`
}

// TypeInfo describes one fault type: the registry table's row.
type TypeInfo struct {
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Attributes  []AttrInfo `json:"attributes,omitempty"`
	// Example is a body for POST /admin/faults that uses the type, for the README's table.
	Example string `json:"example"`
}

// factory builds a fault from its spec and its checked attributes (defaults filled in). rnd is
// the fault's own generator, for faults that draw (latency's jitter).
type factory func(spec Spec, a attrs, rnd *lockedRand) Fault

type registration struct {
	TypeInfo
	build factory
}

// registry is the table of fault types, sorted by name. Each type adds its own row from its own
// file (a package-level `var _ = register(...)` beside the type), beside the code that reads its attributes, so that a new
// type is one file and its section of docs/faults.md. Types, WriteTable (`scimsim serve
// --list-faults`), Validate and Set.Add all read it; tests check docs/faults.md (a section for
// every row), the README's table (generated from it) and the scenario loader's list of types.
var registry []registration

// register adds a type's row to the registry; a name registered twice is a mistake of the code.
// It returns the name so that a type's file registers it in a declaration, which runs before any
// init function: `var _ = register(TypeInfo{...}, newThrottle)`.
func register(info TypeInfo, build factory) string {
	i, found := slices.BinarySearchFunc(registry, info.Name, func(r registration, name string) int {
		return strings.Compare(r.Name, name)
	})
	if found {
		panic("faults: type " + info.Name + " registered twice")
	}
	registry = slices.Insert(registry, i, registration{info, build})
	return info.Name
}

// stateless is the factory of a type that has no attributes: its zero value is the fault.
func stateless[F Fault](Spec, attrs, *lockedRand) Fault {
	var f F
	return f
}

// Types lists every fault type with its attributes, in the registry's order.
func Types() []TypeInfo {
	out := make([]TypeInfo, len(registry))
	for i, r := range registry {
		out[i] = r.TypeInfo
		out[i].Attributes = append([]AttrInfo(nil), r.Attributes...)
	}
	return out
}

func lookup(typ string) (*registration, bool) {
	for i := range registry {
		if registry[i].Name == typ {
			return &registry[i], true
		}
	}
	return nil, false
}

func typeNames() string {
	names := make([]string, len(registry))
	for i, r := range registry {
		names[i] = r.Name
	}
	return strings.Join(names, ", ")
}

// WriteTable writes the registry as an aligned text table, one row per type, for `scimsim serve
// --list-faults`.
func WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TYPE\tATTRIBUTES\tWHAT THE CLIENT SEES")
	for _, r := range registry {
		attrs := make([]string, 0, len(r.Attributes))
		for _, a := range r.Attributes {
			attrs = append(attrs, a.summary())
		}
		desc := "-"
		if len(attrs) > 0 {
			desc = strings.Join(attrs, " ")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Name, desc, r.Description)
	}
	return tw.Flush()
}

// summary renders an attribute as name=default, with its allowed values: status=401(401|403).
func (a AttrInfo) summary() string {
	s := a.Name
	switch {
	case a.Required:
		s += "=(required)"
	case a.Default != nil:
		s += "=" + fmt.Sprint(a.Default)
	}
	if len(a.OneOf) > 0 {
		vals := make([]string, len(a.OneOf))
		for i, v := range a.OneOf {
			vals[i] = strconv.Itoa(v)
		}
		s += "(" + strings.Join(vals, "|") + ")"
	}
	if len(a.Values) > 0 {
		s += "(" + strings.Join(a.Values, "|") + ")"
	}
	return s
}
