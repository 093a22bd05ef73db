package filter

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestFold_AgreesWithEqualFold: every rune folds to a member of its unicode.SimpleFold orbit, the
// same member for the whole orbit; so Fold(a) == Fold(b) exactly when strings.EqualFold(a, b).
func TestFold_AgreesWithEqualFold(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		f := FoldRune(r)
		if !strings.EqualFold(string(r), string(f)) {
			t.Fatalf("FoldRune(%U) = %U, outside its orbit", r, f)
		}
		for o := unicode.SimpleFold(r); o != r; o = unicode.SimpleFold(o) {
			if FoldRune(o) != f {
				t.Fatalf("FoldRune(%U) = %U but FoldRune(%U) = %U: one orbit, two folds", r, f, o, FoldRune(o))
			}
		}
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"alice@contoso.com", "alice@contoso.com"},
		{"ALICE@Contoso.COM", "alice@contoso.com"},
		{"ſam", "sam"},            // long s folds with s
		{"\u212Aelvin", "kelvin"}, // Kelvin sign folds with k
		{"ΣΊΣΥΦΟΣ", "ςίςυφος"},    // Σ, σ and ς are one orbit
		{"σίσυφος", "ςίςυφος"},
		{"İnfo", "İnfo"}, // dotted capital I has no simple folding (Turkish, status T)
		{"ınfo", "ınfo"}, // nor dotless small i
		{"Straße", "straße"},
		{"STRASSE", "strasse"}, // ß is not ss: that is full folding (status F)
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := string(AppendFold([]byte("x:"), tt.in)); got != "x:"+tt.want {
			t.Errorf("AppendFold(x:, %q) = %q, want %q", tt.in, got, "x:"+tt.want)
		}
	}
}

// FuzzFold: for any two strings, Fold agrees with strings.EqualFold, and folding is idempotent.
func FuzzFold(f *testing.F) {
	for _, s := range []string{"sam", "ſam", "SAM", "k", "\u212A", "σς", "Σ", "İ", "i", "ß", "ss", "\xff"} {
		f.Add(s, strings.ToUpper(s))
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if !utf8.ValidString(a) || !utf8.ValidString(b) {
			return // filters and bodies are UTF-8 by the time they are compared
		}
		if got := string(AppendFold(nil, a)); got != Fold(a) {
			t.Fatalf("AppendFold(nil, %q) = %q, Fold %q", a, got, Fold(a))
		}
		if got, want := Fold(a) == Fold(b), strings.EqualFold(a, b); got != want {
			t.Fatalf("Fold(%q) == Fold(%q) is %v, strings.EqualFold %v", a, b, got, want)
		}
		if Fold(Fold(a)) != Fold(a) {
			t.Fatalf("Fold(Fold(%q)) != Fold(%q)", a, a)
		}
	})
}
