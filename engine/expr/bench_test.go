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

func BenchmarkParse(b *testing.B) {
	for _, bc := range benchExpressions {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				e, err := Parse(bc.src)
				if err != nil {
					b.Fatal(err)
				}
				benchSink = e
			}
		})
	}
}

func BenchmarkEval(b *testing.B) {
	for _, bc := range benchExpressions {
		b.Run(bc.name, func(b *testing.B) {
			e := MustParse(bc.src)
			env := Env{Attrs: benchAttrs}
			if _, err := e.Eval(env); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				v, err := e.Eval(env)
				if err != nil {
					b.Fatal(err)
				}
				benchSink = v
			}
		})
	}
}
