package filter

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Fold returns the form of s under which two strings that are not caseExact compare (RFC 7643
// Section 2.3.1 leaves the rule to the service provider): Unicode simple case folding, the orbits
// of unicode.SimpleFold, which is what strings.EqualFold compares. Fold(a) == Fold(b) exactly when
// strings.EqualFold(a, b); each rune becomes the smallest lower-case rune of its orbit (the
// smallest rune when the orbit has no lower-case one), so that ASCII folds to lower case.
//
// Simple folding keeps one rune for one rune: "ſ" (long s) and "K" (Kelvin sign) fold with s and
// k, σ with ς and Σ, but ß stays apart from "ss" and İ (dotted capital I) from i, since those
// equivalences change the length (full folding, CaseFolding.txt status F) or depend on the
// language (status T). The simulator uses Fold, and nothing else, for uniqueness, its indexes,
// filters and sorting, so that an indexed and a scanned filter always agree.
func Fold(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return foldUnicode(s)
		}
		if 'A' <= c && c <= 'Z' {
			return foldASCIIFrom(s, i)
		}
	}
	return s
}

// foldASCIIFrom folds s, known to be ASCII up to i and to need folding at i.
func foldASCIIFrom(s string, i int) string {
	for j := i; j < len(s); j++ {
		if s[j] >= utf8.RuneSelf {
			return foldUnicode(s)
		}
	}
	b := []byte(s)
	for j := i; j < len(b); j++ {
		if c := b[j]; 'A' <= c && c <= 'Z' {
			b[j] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// AppendFold appends Fold(s) to dst. It allocates nothing beyond dst's growth for ASCII s, so that
// a lookup in a map of folded names, m[string(AppendFold(buf[:0], name))], costs no allocation.
func AppendFold(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return append(dst, foldUnicode(s)...)
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

func foldUnicode(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteRune(FoldRune(r))
	}
	return b.String()
}

// EqualFold reports whether Fold(a) == Fold(b), without building either: it is strings.EqualFold,
// which compares the same orbits rune by rune (TestFold_AgreesWithEqualFold).
func EqualFold(a, b string) bool { return strings.EqualFold(a, b) }

// FoldRune returns the rune r folds to (see Fold).
func FoldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	best, bestLower := r, unicode.IsLower(r)
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		lower := unicode.IsLower(f)
		if lower && !bestLower || lower == bestLower && f < best {
			best, bestLower = f, lower
		}
	}
	return best
}
