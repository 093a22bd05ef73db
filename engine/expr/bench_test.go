package expr

import "testing"

// The three typical mappings of the performance requirement: a Join of two attributes, a nested
// IIF/Switch, and a Replace with a regular expression.
var benchExpressions = []struct{ name, src string }{
	{"Join", `Join(" ", [givenName], [surname])`},
	{"IIFSwitch", `IIF([country]="USA", Switch([state], "Other", "CA", "West", "NY", "East", "TX", "South"), IIF([country]="DE", "EU", "Other"))`},
	{"ReplaceRegex", `Replace([telephoneNumber], , "\\+(?<isdCode>\\d* )(?<phoneNumber>\\d{10})", , "${phoneNumber}", , )`},
}

var benchAttrs = map[string]any{
	"givenName": "Alice", "surname": "Smith", "country": "USA", "state": "NY", "telephoneNumber": "+91 9998887777",
}

var benchSink any

// benchEach runs a sub-benchmark for each of benchExpressions: prepare turns the expression's
// source into the operation timed, doing its own set-up outside the timed loop.
func benchEach(b *testing.B, prepare func(b *testing.B, src string) func() (any, error)) {
	for _, bc := range benchExpressions {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			op := prepare(b, bc.src)
			for b.Loop() {
				v, err := op()
				if err != nil {
					b.Fatal(err)
				}
				benchSink = v
			}
		})
	}
}

func BenchmarkParse(b *testing.B) {
	benchEach(b, func(_ *testing.B, src string) func() (any, error) {
		return func() (any, error) { return Parse(src) }
	})
}

func BenchmarkEval(b *testing.B) {
	benchEach(b, func(b *testing.B, src string) func() (any, error) {
		e := MustParse(src)
		env := Env{Attrs: benchAttrs}
		if _, err := e.Eval(env); err != nil {
			b.Fatal(err)
		}
		return func() (any, error) { return e.Eval(env) }
	})
}
