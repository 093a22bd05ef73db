package filter

import (
	"testing"

	scim2 "github.com/scim2/filter-parser/v2"
)

var benchFilters = []struct {
	name string
	in   string
}{
	{"simple", `userName eq "user50000"`},
	{"compound", `userType eq "Employee" and (emails co "example.com" or emails.value co "example.org") and not (title pr)`},
	{"valuePath", `emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]`},
}

var sinkExpr Expr

func BenchmarkParse(b *testing.B) {
	for _, bf := range benchFilters {
		b.Run(bf.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				e, err := Parse(bf.in)
				if err != nil {
					b.Fatal(err)
				}
				sinkExpr = e
			}
		})
	}
}

// BenchmarkParse_FilterParser runs github.com/scim2/filter-parser/v2 (the parser elimity-com/scim
// uses) on the same inputs, so the ratio to BenchmarkParse is measured in one run.
func BenchmarkParse_FilterParser(b *testing.B) {
	for _, bf := range benchFilters {
		b.Run(bf.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := scim2.ParseFilter([]byte(bf.in)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParsePath(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParsePath(`members[value eq "2819c223-7f76-453a-919d-413861904646"].display`); err != nil {
			b.Fatal(err)
		}
	}
}

var sinkBool bool

func BenchmarkEval(b *testing.B) {
	res := resources(b, numberForms[0].conv)["bjensen"]
	s := testSchema()
	cases := []struct{ name, filter string }{
		{"simple", `userName eq "bjensen"`},
		{"simpleMiss", `userName eq "user50000"`},
		{"caseExact", `id eq "2819c223-7f76-453a-919d-413861904646"`},
		{"compound", benchFilters[1].in},
		{"valuePath", benchFilters[2].in},
		{"extension", ent + `manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`},
		{"integer", extra + `age gt 18`},
		{"dateTime", `meta.lastModified gt "2011-01-01T00:00:00Z"`},
	}
	for _, c := range cases {
		e, err := Parse(c.filter)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkBool = Eval(e, res, s)
			}
		})
	}
}
