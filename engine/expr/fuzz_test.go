package expr

import (
	"errors"
	"math/rand"
	"os"
	"strings"
	"testing"
	"time"
)

// seedExpressions reads testdata/expressions.txt (the expressions of the table tests, valid and
// invalid, one per line) and the examples of testdata/functions-page.yaml, some of which span
// lines.
func seedExpressions(f *testing.F) []string {
	b, err := os.ReadFile("testdata/expressions.txt")
	if err != nil {
		f.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	for _, ex := range loadFunctionsPage(f).Examples {
		out = append(out, ex.Expr)
	}
	return out
}

// FuzzParse checks that Parse never panics, that errors are positioned inside the source, and
// that an accepted expression's canonical form parses back to itself.
func FuzzParse(f *testing.F) {
	for _, s := range seedExpressions(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := Parse(src)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q) error %T, want *Error", src, err)
			}
			if pe.Pos < 0 || pe.Pos > len(src) {
				t.Fatalf("Parse(%q) error position %d outside the source", src, pe.Pos)
			}
			_ = pe.Error()
			return
		}
		canon := e.String()
		again, err := Parse(canon)
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", canon, src, err)
		}
		if again.String() != canon {
			t.Fatalf("canonical form is not stable: %q then %q", canon, again.String())
		}
		_ = e.Tree()
	})
}

// FuzzEval evaluates whatever parses against a fixed set of attributes: no panic, no hang.
func FuzzEval(f *testing.F) {
	for _, s := range seedExpressions(f) {
		f.Add(s, "John", "+91 9998887777")
	}
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, src, a, b string) {
		e, err := Parse(src)
		if err != nil {
			return
		}
		attrs := map[string]any{
			"givenName": a, "surname": b, "mail": a + "@contoso.com", "telephoneNumber": b,
			"IsSoftDeleted": len(a)%2 == 0, "proxyAddresses": []any{a, b, a}, "n": int64(len(b)),
			"StatusHireDate": b, "d": now,
		}
		for _, name := range e.Attributes() {
			if _, ok := attrs[name]; !ok {
				attrs[name] = a
			}
		}
		env := Env{Attrs: attrs, Now: func() time.Time { return now }, Rand: rand.New(rand.NewSource(1)), DefaultDomain: b,
			Exists: func(v string) (bool, error) { return len(v)%2 == 0, nil }}
		v, err := e.Eval(env)
		if err != nil {
			return
		}
		switch v.(type) {
		case nil, string, bool, []string, ignore:
		default:
			t.Fatalf("Eval(%q) = %T, not a documented result type", src, v)
		}
	})
}

// FuzzDateFormat checks the .NET date format reader and writer on arbitrary formats and inputs.
func FuzzDateFormat(f *testing.F) {
	for _, s := range []string{"yyyyMMddHHmmss.fZ", "yyyy-MM-ddzzz", "M/d/yyyy hh:mm:ss tt", "o", "dddd, MMMM d, yyyy", `'a'\b"c"%d`, "FFFFFFF K"} {
		f.Add(s, "2020-12-31-08:00")
	}
	f.Fuzz(func(t *testing.T, format, in string) {
		df, err := parseDateFormat(format)
		if err != nil {
			return
		}
		_ = df.format(time.Date(2009, 6, 15, 13, 45, 30, 617_000_000, time.UTC))
		_, _ = df.parse(in)
	})
}

// FuzzRegex checks the .NET to RE2 translation and the replacement expansion.
func FuzzRegex(f *testing.F) {
	for _, s := range []string{`\+(?<isdCode>\d* )(?<phoneNumber>\d{10})`, `[()\s-]+`, `(?<Suffix>@(.)*)`, `(?'a'x)|[^]a]\u00e9`, `a{2,}+`} {
		f.Add(s, "${phoneNumber}$1$$$&", "+91 9998887777")
	}
	f.Fuzz(func(t *testing.T, pattern, repl, in string) {
		re, err := compileNetRegex(pattern)
		if err != nil {
			return
		}
		_ = re.replaceAll(in, re.parseReplacement(repl))
		for g := range re.re.NumSubexp() + 1 {
			_ = re.replaceGroup(in, g, repl)
			_, _ = re.extract(in, g)
		}
	})
}
