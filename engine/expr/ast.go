package expr

import (
	"strconv"
	"strings"
)

// Node is a node of a parsed expression.
type Node interface {
	// Pos is the byte offset of the node in the source.
	Pos() int
	// String is the node in canonical source form.
	String() string
	eval(ev *evaluator) (any, error)
}

// Call is a function call: Name(Args...).
type Call struct {
	At   int
	Name string
	Args []Node
	fn   *Func
	// compiled holds what Parse prepared once for this call (a translated regular expression, a
	// date format), so evaluation never compiles anything.
	compiled any
}

// Attr is a reference to a source attribute: [Name].
type Attr struct {
	At   int
	Name string
}

// Str is a string constant.
type Str struct {
	At    int
	Value string
	boxed any // Value as an interface, built once so evaluation does not allocate
}

// Num is a numeric constant: an integer, a decimal fraction or a VBA hexadecimal &Hxx.
type Num struct {
	At    int
	Text  string
	boxed any // int64 or float64
}

// Const is a named constant such as vbTextCompare.
type Const struct {
	At    int
	Name  string
	boxed any
}

// Empty is an omitted positional argument, as in Replace([x], , "re", , "", , ).
type Empty struct {
	At int
}

// Cmp is a comparison, the only operator of the language, used in IIF conditions: L Op R.
type Cmp struct {
	At   int
	Op   string // = <> < <= > >=
	L, R Node
}

func (n *Call) Pos() int  { return n.At }
func (n *Attr) Pos() int  { return n.At }
func (n *Str) Pos() int   { return n.At }
func (n *Num) Pos() int   { return n.At }
func (n *Const) Pos() int { return n.At }
func (n *Empty) Pos() int { return n.At }
func (n *Cmp) Pos() int   { return n.At }

func (n *Call) String() string {
	var b strings.Builder
	writeNode(&b, n)
	return b.String()
}
func (n *Attr) String() string  { return "[" + n.Name + "]" }
func (n *Str) String() string   { return quote(n.Value) }
func (n *Num) String() string   { return n.Text }
func (n *Const) String() string { return n.Name }
func (n *Empty) String() string { return "" }
func (n *Cmp) String() string   { return n.L.String() + " " + n.Op + " " + n.R.String() }

func writeNode(b *strings.Builder, n Node) {
	c, ok := n.(*Call)
	if !ok {
		b.WriteString(n.String())
		return
	}
	b.WriteString(c.Name)
	b.WriteByte('(')
	for i, a := range c.Args {
		if i > 0 {
			b.WriteString(", ")
		}
		writeNode(b, a)
	}
	b.WriteByte(')')
}

// quote writes s as a string constant, escaping only what the language escapes.
func quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

// writeTree writes n as an indented tree, each argument labelled with its parameter name.
func writeTree(b *strings.Builder, n Node, label string, depth int) {
	b.WriteString(strings.Repeat("  ", depth))
	if label != "" {
		b.WriteString(label)
		b.WriteString(": ")
	}
	switch n := n.(type) {
	case *Call:
		b.WriteString(n.Name)
		b.WriteString("()\n")
		for i, a := range n.Args {
			writeTree(b, a, n.fn.paramName(i), depth+1)
		}
	case *Cmp:
		b.WriteString(n.Op)
		b.WriteByte('\n')
		writeTree(b, n.L, "", depth+1)
		writeTree(b, n.R, "", depth+1)
	case *Empty:
		b.WriteString("(omitted)\n")
	case *Attr:
		b.WriteString(n.String())
		b.WriteString(" (attribute)\n")
	case *Const:
		b.WriteString(n.Name)
		b.WriteString(" = ")
		b.WriteString(strconv.FormatInt(n.boxed.(int64), 10))
		b.WriteByte('\n')
	default:
		b.WriteString(n.String())
		b.WriteByte('\n')
	}
}

// walk calls f for n and every node below it, depth first.
func walk(n Node, f func(Node)) {
	f(n)
	switch n := n.(type) {
	case *Call:
		for _, a := range n.Args {
			walk(a, f)
		}
	case *Cmp:
		walk(n.L, f)
		walk(n.R, f)
	}
}
