package expr

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// diacriticTable is the character table of NormalizeDiacritics in Microsoft's expression
// reference, row by row: the characters with diacritics, then their replacement. Several entries
// are a base letter followed by combining marks (ā́ is U+0101 U+0301), so the table maps
// sequences, matched longest first.
var diacriticTable = [][2]string{
	{"ä, à, â, ã, å, á, ą, ă, ā, ā́, ā̀, ā̂, ā̃, ǟ, ā̈, ǡ, a̱, å̄", "a"},
	{"Ä, À, Â, Ã, Å, Á, Ą, Ă, Ā, Ā́, Ā̀, Ā̂, Ā̃, Ǟ, Ā̈, Ǡ, A̱, Å̄", "A"},
	{"æ, ǣ", "ae"},
	{"Æ, Ǣ", "AE"},
	{"ç, č, ć, c̄, c̱", "c"},
	{"Ç, Č, Ć, C̄, C̱", "C"},
	{"ď, d̄, ḏ", "d"},
	{"Ď, D̄, Ḏ", "D"},
	{"ë, è, é, ê, ę, ě, ė, ē, ḗ, ḕ, ē̂, ē̃, ê̄, e̱, ë̄, e̊̄", "e"},
	{"Ë, È, É, Ê, Ę, Ě, Ė, Ē, Ḗ, Ḕ, Ē̂, Ē̃, Ê̄, E̱, Ë̄, E̊̄", "E"},
	{"ğ, ḡ, g̱", "g"},
	{"Ğ, Ḡ, G̱", "G"},
	{"ï, î, ì, í, ı, ī, ī́, ī̀, ī̂, ī̃, i̱", "i"},
	{"Ï, Î, Ì, Í, İ, Ī, Ī́, Ī̀, Ī̂, Ī̃, I̱", "I"},
	{"ľ, ł, l̄, ḹ, ḻ", "l"},
	{"Ł, Ľ, L̄, Ḹ, Ḻ", "L"},
	{"ñ, ń, ň, n̄, ṉ", "n"},
	{"Ñ, Ń, Ň, N̄, Ṉ", "N"},
	{"ö, ò, ő, õ, ô, ó, ō, ṓ, ṑ, ō̂, ō̃, ȫ, ō̈, ǭ, ȭ, ȱ, o̱", "o"},
	{"Ö, Ò, Ő, Õ, Ô, Ó, Ō, Ṓ, Ṑ, Ō̂, Ō̃, Ȫ, Ō̈, Ǭ, Ȭ, Ȱ, O̱", "O"},
	{"ø, ø̄, œ̄", "oe"},
	{"Ø, Ø̄, Œ̄", "OE"},
	{"ř, r̄, ṟ, ṝ", "r"},
	{"Ř, R̄, Ṟ, Ṝ", "R"},
	{"ß", "ss"},
	{"š, ś, ș, ş, s̄, s̱", "s"},
	{"Š, Ś, Ș, Ş, S̄, S̱", "S"},
	{"ť, ț, t̄, ṯ", "t"},
	{"Ť, Ț, T̄, Ṯ", "T"},
	{"ü, ù, û, ú, ů, ű, ū, ū́, ū̀, ū̂, ū̃, u̇̄, ǖ, ṻ, ṳ̄, u̱", "u"},
	{"Ü, Ù, Û, Ú, Ů, Ű, Ū, Ū́, Ū̀, Ū̂, Ū̃, U̇̄, Ǖ, Ṻ, Ṳ̄, U̱", "U"},
	{"ÿ, ý, ȳ, ȳ́, ȳ̀, ȳ̃, y̱", "y"},
	{"Ÿ, Ý, Ȳ, Ȳ́, Ȳ̀, Ȳ̃, Y̱", "Y"},
	{"ź, ž, ż, z̄, ẕ", "z"},
	{"Ź, Ž, Ż, Z̄, Ẕ", "Z"},
}

var (
	diacritics       = map[string]string{}
	maxDiacriticSize int // longest sequence, in runes
	diacriticStarts  = map[rune]bool{}
)

func init() {
	for _, row := range diacriticTable {
		for _, seq := range strings.Split(row[0], ", ") {
			seq = norm.NFC.String(seq)
			diacritics[seq] = row[1]
			r, _ := utf8.DecodeRuneInString(seq)
			diacriticStarts[r] = true
			maxDiacriticSize = max(maxDiacriticSize, utf8.RuneCountInString(seq))
		}
	}
}

// normalizeDiacritics replaces every sequence of the table, longest match first, and leaves all
// other characters as they are. Input and table are compared in Unicode normal form C, so that
// "é" matches whether it arrives precomposed (U+00E9) or as "e" and a combining accent.
func normalizeDiacritics(s string) string {
	s = norm.NFC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		if !diacriticStarts[r] {
			b.WriteString(s[i : i+w])
			i += w
			continue
		}
		// Candidate ends after 1..maxDiacriticSize runes; try the longest first.
		ends := make([]int, 0, maxDiacriticSize)
		for j, n := i, 0; j < len(s) && n < maxDiacriticSize; n++ {
			_, w := utf8.DecodeRuneInString(s[j:])
			j += w
			ends = append(ends, j)
		}
		matched := false
		for k := len(ends) - 1; k >= 0; k-- {
			if rep, ok := diacritics[s[i:ends[k]]]; ok {
				b.WriteString(rep)
				i = ends[k]
				matched = true
				break
			}
		}
		if !matched {
			b.WriteString(s[i : i+w])
			i += w
		}
	}
	return b.String()
}
