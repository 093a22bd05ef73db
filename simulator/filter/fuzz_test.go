package filter

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzParse checks that Parse never panics or hangs, that errors are *Error with a position inside
// the input, that String() round-trips to an equal Expr, and that Check, Eval, Attributes and
// EqualityOn accept whatever Parse returns. Seeds: the RFC examples and the parse tables, plus the
// corpus in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, s := range rfcFilters(f) {
		f.Add(s, false)
	}
	for _, tt := range parseTests {
		f.Add(tt.in, len(tt.opts) > 0)
	}
	for _, tt := range parseErrorTests {
		f.Add(tt.in, len(tt.opts) > 0)
	}
	s := testSchema()
	res := resources(f, numberForms[0].conv)
	f.Fuzz(func(t *testing.T, in string, entra bool) {
		var opts []Option
		if entra {
			opts = append(opts, AllowValuePathSubAttribute())
		}
		e, err := Parse(in, opts...)
		if err != nil {
			fuzzError(t, "Parse", in, err)
			return
		}
		canon := e.String()
		// The canonical form may be longer (1e9 prints as 1000000000.0) and one level deeper (the
		// Entra rewrite groups an or), so the limits do not apply to the second parse.
		e2, err := Parse(canon, append(opts, MaxLength(1<<30), MaxDepth(1<<30))...)
		if err != nil {
			t.Fatalf("Parse(%q).String()=%q does not parse: %v", in, canon, err)
		}
		if diff := cmp.Diff(e, e2, astOpts()); diff != "" {
			t.Fatalf("Parse(%q) and Parse(String()=%q) differ (-first +second):\n%s", in, canon, diff)
		}
		if again := e2.String(); again != canon {
			t.Fatalf("String() is not stable: %q then %q", canon, again)
		}
		if err := Check(e, s); err != nil {
			var cerr *Error
			if !errors.As(err, &cerr) || cerr.Pos < 0 || cerr.Pos > len(canon) {
				t.Fatalf("Check(%q) = %v, want *Error inside the canonical form", canon, err)
			}
			_ = cerr.Error()
		}
		for _, r := range res {
			Eval(e, r, s)
			Eval(e, r, nil)
		}
		Attributes(e)
		EqualityOn(e)
	})
}

// FuzzParsePath is FuzzParse for PATCH paths.
func FuzzParsePath(f *testing.F) {
	for _, tt := range pathTests {
		f.Add(tt.in)
	}
	for _, tt := range pathErrorTests {
		f.Add(tt.in)
	}
	s := testSchema()
	f.Fuzz(func(t *testing.T, in string) {
		p, err := ParsePath(in)
		if err != nil {
			fuzzError(t, "ParsePath", in, err)
			return
		}
		canon := p.String()
		p2, err := ParsePath(canon, MaxLength(1<<30))
		if err != nil {
			t.Fatalf("ParsePath(%q).String()=%q does not parse: %v", in, canon, err)
		}
		if diff := cmp.Diff(p, p2, astOpts()); diff != "" {
			t.Fatalf("ParsePath(%q) and ParsePath(String()=%q) differ (-first +second):\n%s", in, canon, diff)
		}
		if err := CheckPath(p, s); err != nil {
			var cerr *Error
			if !errors.As(err, &cerr) || cerr.Pos < 0 || cerr.Pos > len(canon) {
				t.Fatalf("CheckPath(%q) = %v, want *Error inside the canonical form", canon, err)
			}
		}
	})
}

// fuzzError fails t unless err, what parse (the function's name) answered for in, is an *Error
// that prints and points inside in.
func fuzzError(t *testing.T, parse, in string, err error) {
	t.Helper()
	var perr *Error
	if !errors.As(err, &perr) {
		t.Fatalf("%s(%q) error %T, want *Error", parse, in, err)
	}
	if perr.Pos < 0 || perr.Pos > len(in) || perr.Input != in {
		t.Fatalf("%s(%q) error position %d outside the input, or input %q", parse, in, perr.Pos, perr.Input)
	}
	_ = perr.Error()
}
