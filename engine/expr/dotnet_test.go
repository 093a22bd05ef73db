package expr

import (
	"strings"
	"testing"
	"time"
)

func TestTranslateRegex(t *testing.T) {
	for _, tc := range []struct {
		name, net, goRE string
		err             string // substring of the error; "" for success
	}{
		{name: "named group", net: `(?<name>\d+)`, goRE: `(?P<name>\d+)`},
		{name: "quoted named group", net: `(?'name'\d+)`, goRE: `(?P<name>\d+)`},
		{name: "escape", net: `\e\u00e9\cA`, goRE: `\x1B\x{00e9}\x01`},
		{name: "class with ]", net: `[]a]`, goRE: `[\]a]`},
		{name: "negated class with ]", net: `[^]a]`, goRE: `[^\]a]`},
		{name: "comment", net: `a(?#why)b`, goRE: `ab`},
		{name: "inline options", net: `(?i)abc(?s:.)`, goRE: `(?i)abc(?s:.)`},
		{name: "lazy", net: `a*?b+?`, goRE: `a*?b+?`},
		{name: "literal brace", net: `a{b}`, goRE: `a\{b}`},
		{name: "quantifier brace", net: `a{2,3}`, goRE: `a{2,3}`},
		{name: "backslash in class", net: `[\d\-]`, goRE: `[\d\-]`},
		{name: "escaped paren", net: `\(?<x>`, goRE: `\(?<x>`},
		{name: "lookahead", net: `a(?=b)`, err: "uses a lookahead (?=...) at offset 1"},
		{name: "negative lookahead", net: `a(?!b)`, err: "uses a negative lookahead (?!...)"},
		{name: "lookbehind", net: `(?<=a)b`, err: "uses a lookbehind (?<=...)"},
		{name: "negative lookbehind", net: `(?<!a)b`, err: "uses a negative lookbehind (?<!...)"},
		{name: "atomic group", net: `(?>a+)b`, err: "uses an atomic group (?>...)"},
		{name: "conditional", net: `(?(a)b|c)`, err: "uses a conditional"},
		{name: "backreference", net: `(a)\1`, err: `uses a backreference \1`},
		{name: "named backreference", net: `(?<x>a)\k<x>`, err: `uses a named backreference \k<name>`},
		{name: "balancing group", net: `(?<a-b>x)`, err: "uses a balancing group (?<a-b>...)"},
		{name: "possessive star", net: `a*+`, err: "uses a possessive quantifier"},
		{name: "possessive plus", net: `a++`, err: "uses a possessive quantifier"},
		{name: "possessive brace", net: `a{2}+`, err: "uses a possessive quantifier"},
		{name: "class subtraction", net: `[a-z-[aeiou]]`, err: "uses character class subtraction"},
		{name: "explicit capture option", net: `(?n)(a)`, err: "inline option n (explicit capture) or x"},
		{name: "end before newline", net: `a\Z`, err: `uses \Z`},
		{name: "contiguous", net: `\Ga`, err: `uses \G`},
		{name: "unicode block", net: `\p{IsGreek}`, err: `uses a Unicode block name`},
		{name: "trailing backslash", net: `a\`, err: "ends with a lone backslash"},
		{name: "unterminated class", net: `[ab`, err: "unterminated character class"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := translateRegex(tc.net)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("translateRegex(%q) = %q, %v; want error containing %q", tc.net, got, err, tc.err)
				}
				if !strings.Contains(err.Error(), "Go's RE2 engine cannot run") && strings.HasPrefix(tc.err, "uses") {
					t.Errorf("error %q does not say why the construct is rejected", err)
				}
				return
			}
			if err != nil || got != tc.goRE {
				t.Fatalf("translateRegex(%q) = %q, %v; want %q", tc.net, got, err, tc.goRE)
			}
			if _, err := compileNetRegex(tc.net); err != nil {
				t.Errorf("compileNetRegex(%q): %v", tc.net, err)
			}
		})
	}
}

func TestCompileRegex(t *testing.T) {
	re, err := CompileRegex(`^(?<dept>[A-Z]{2})-\d+$`)
	if err != nil {
		t.Fatal(err)
	}
	if !re.MatchString("HR-12") || re.MatchString("hr-12") {
		t.Errorf("CompileRegex(^(?<dept>[A-Z]{2})-\\d+$) does not match case-sensitively")
	}
	if _, err := CompileRegex(`(?<!x)y`); err == nil || !strings.Contains(err.Error(), "negative lookbehind") {
		t.Errorf("CompileRegex of a lookbehind: err = %v, want it named", err)
	}
}

func TestNetRegex_GroupNumbering(t *testing.T) {
	re, err := compileNetRegex(`(?<first>a)(b)(?<second>c)(d)`)
	if err != nil {
		t.Fatal(err)
	}
	// .NET: $1 = (b), $2 = (d), $3 = first, $4 = second.
	got := re.replaceAll("abcd", re.parseReplacement("$1$2$3$4|${first}${2}|$+|$`$'|$_"))
	if want := "bdac|ad|c||abcd"; got != want {
		t.Errorf("replacement = %q, want %q", got, want)
	}
}

func TestDateFormat_Format(t *testing.T) {
	at := time.Date(2009, 6, 15, 13, 45, 30, 617_000_000, time.UTC)
	for _, tc := range []struct{ format, want string }{
		// The examples of .NET's "Custom date and time format strings" page, for 2009-06-15T13:45:30.617.
		{"d", "6/15/2009"},
		{"%d", "15"},
		{"dd", "15"},
		{"ddd", "Mon"},
		{"dddd", "Monday"},
		{"%f", "6"},
		{"ff", "61"},
		{"fff", "617"},
		{"ffff", "6170"},
		{"FFFF", "617"},
		{"ss.FFFFFFF", "30.617"},
		{"%h", "1"},
		{"hh", "01"},
		{"%H", "13"},
		{"%m", "45"},
		{"%M", "6"},
		{"MMM", "Jun"},
		{"MMMM", "June"},
		{"%s", "30"},
		{"%t", "P"},
		{"tt", "PM"},
		{"%y", "9"},
		{"yy", "09"},
		{"yyy", "2009"},
		{"yyyy", "2009"},
		{"yyyyy", "02009"},
		{"zzz", "+00:00"},
		{"%K", "Z"},
		{"g", "6/15/2009 1:45 PM"},
		{"G", "6/15/2009 1:45:30 PM"},
		{"o", "2009-06-15T13:45:30.6170000Z"},
		{"s", "2009-06-15T13:45:30"},
		{"u", "2009-06-15 13:45:30Z"},
		{"R", "Mon, 15 Jun 2009 13:45:30 GMT"},
		{"yyyy-MM-dd'T'HH\\:mm", "2009-06-15T13:45"},
		{`"at" h tt`, "at 1 PM"},
		{"HH:mm:ss.FFF", "13:45:30.617"},
	} {
		f, err := parseDateFormat(tc.format)
		if err != nil {
			t.Fatalf("parseDateFormat(%q): %v", tc.format, err)
		}
		if got := f.format(at); got != tc.want {
			t.Errorf("format %q = %q, want %q", tc.format, got, tc.want)
		}
	}
	// F drops the decimal point with the digits when the fraction is zero.
	f, _ := parseDateFormat("HH:mm:ss.FFF")
	if got := f.format(time.Date(2009, 6, 15, 13, 45, 30, 0, time.UTC)); got != "13:45:30" {
		t.Errorf("format HH:mm:ss.FFF of a whole second = %q, want 13:45:30", got)
	}
}

func TestDateFormat_Parse(t *testing.T) {
	for _, tc := range []struct {
		format, in string
		want       string // RFC 3339 in UTC; "" for an error
	}{
		{"yyyyMMddHHmmss.fZ", "20150123105347.1Z", "2015-01-23T10:53:47.1Z"},
		{"yyyy-MM-ddzzz", "2020-12-31-08:00", "2020-12-31T08:00:00Z"},
		{"M/d/yyyy hh:mm:ss tt", "12/31/2020 09:00:00 PM", "2020-12-31T21:00:00Z"},
		{"M/d/yyyy h:mm:ss tt", "1/1/2021 12:00:00 AM", "2021-01-01T00:00:00Z"},
		{"M/d/yyyy h:mm:ss tt", "1/1/2021 12:30:00 PM", "2021-01-01T12:30:00Z"},
		{"dd MMM yyyy", "05 feb 2024", "2024-02-05T00:00:00Z"},
		{"dddd, MMMM d, yyyy", "Friday, February 9, 2024", "2024-02-09T00:00:00Z"},
		{"yy-M-d", "49-1-2", "2049-01-02T00:00:00Z"},
		{"yy-M-d", "50-1-2", "1950-01-02T00:00:00Z"},
		{"yyyy-MM-ddTHH:mm:ssK", "2024-01-01T10:00:00+02:00", "2024-01-01T08:00:00Z"},
		{"yyyy-MM-ddTHH:mm:ssK", "2024-01-01T10:00:00Z", "2024-01-01T10:00:00Z"},
		{"yyyy-MM-ddTHH:mm:ssK", "2024-01-01T10:00:00", "2024-01-01T10:00:00Z"},
		{"yyyy-MM-dd", "  2024-01-01 ", "2024-01-01T00:00:00Z"},
		{"yyyy-MM-dd", "2024-02-30", ""},
		{"yyyy-MM-dd", "2024-1-01", ""},
		{"yyyy-MM-dd", "2024-01-01x", ""},
		{"h:mm tt", "13:00 PM", ""},
		{"HH:mm", "24:00", ""},
		{"yyyy-MM-ddzzz", "2020-12-31+15:00", ""},
	} {
		f, err := parseDateFormat(tc.format)
		if err != nil {
			t.Fatalf("parseDateFormat(%q): %v", tc.format, err)
		}
		got, err := f.parse(tc.in)
		if tc.want == "" {
			if err == nil {
				t.Errorf("parse %q with %q = %v, want an error", tc.in, tc.format, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("parse %q with %q: %v", tc.in, tc.format, err)
			continue
		}
		if s := got.Format(time.RFC3339Nano); s != tc.want {
			t.Errorf("parse %q with %q = %s, want %s", tc.in, tc.format, s, tc.want)
		}
	}
}

func TestParseDateFormat_Errors(t *testing.T) {
	for _, tc := range []struct{ format, want string }{
		{"", "empty date format"},
		{"q", `"q" is not a .NET standard date format`},
		{"yyyy'", "unterminated quoted literal"},
		{`yyyy\`, "ends with an escape character"},
		{"ffffffff", "at most 7 f specifiers"},
		{"yyyy%", "% must be followed by one format specifier"},
	} {
		_, err := parseDateFormat(tc.format)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parseDateFormat(%q) error = %v, want %q", tc.format, err, tc.want)
		}
	}
}
