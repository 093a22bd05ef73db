package expr

// String functions of the expression language.

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/language"
)

func callAppend(ev *evaluator, c *Call) (any, error) {
	a := ev.args(c)
	s, suffix := a.source(0), a.str(1)
	if a.done() {
		return nil, a.err
	}
	return s + suffix, nil
}

func callJoin(ev *evaluator, c *Call) (any, error) {
	a := ev.args(c)
	sep := a.str(0)
	if a.done() {
		return nil, a.err
	}
	var buf [8]string
	parts := buf[:0]
	size := 0
	for i := 1; i < len(c.Args); i++ {
		v, err := ev.arg(c, i)
		if err != nil {
			return nil, err
		}
		switch v := v.(type) {
		case nil, ignore:
		case string:
			if v != "" {
				parts = append(parts, v)
				size += len(v)
			}
		case []string:
			for _, s := range v {
				if s != "" {
					parts = append(parts, s)
					size += len(s)
				}
			}
		default:
			s, err := toString(v)
			if err != nil {
				return nil, err
			}
			parts = append(parts, s)
			size += len(s)
		}
	}
	switch len(parts) {
	case 0:
		return "", nil
	case 1:
		return parts[0], nil
	}
	var b strings.Builder
	b.Grow(size + len(sep)*(len(parts)-1))
	for i, p := range parts {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(p)
	}
	return b.String(), nil
}

// callLen implements Len: "The Len function returns length of the input string. If the string is
// null or empty, then it returns 0." A number is measured as it prints, as the reference's
// Len(42568) and Len(42568.75) examples (5 and 8) show. Characters are counted as Left and Mid
// count them.
func callLen(ev *evaluator, c *Call) (any, error) {
	s, _, err := ev.str(c, 0)
	if err != nil {
		return nil, err
	}
	return int64(utf8.RuneCountInString(s)), nil
}

func callLeft(ev *evaluator, c *Call) (any, error) {
	a := ev.args(c)
	s, n := a.str(0), a.int(1)
	if a.done() {
		return nil, a.err
	}
	if n < 0 {
		return s, nil
	}
	return prefixRunes(s, n), nil
}

func prefixRunes(s string, n int64) string {
	i := 0
	for range n {
		if i >= len(s) {
			break
		}
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
	}
	return s[:i]
}

func callMid(ev *evaluator, c *Call) (any, error) {
	a := ev.args(c)
	s, start, length := a.source(0), a.int(1), a.int(2)
	if a.done() {
		return nil, a.err
	}
	if start < 1 {
		return nil, fmt.Errorf("start must be 1 or more (the first character is 1), got %d", start)
	}
	if length < 0 {
		return nil, fmt.Errorf("length must not be negative, got %d", length)
	}
	rest := s[len(prefixRunes(s, start-1)):]
	return prefixRunes(rest, length), nil
}

func callWord(ev *evaluator, c *Call) (any, error) {
	a := ev.args(c)
	s, n, delims := a.str(0), a.int(1), a.str(2)
	if a.done() {
		return nil, a.err
	}
	if n < 1 {
		return "", nil
	}
	words := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(delims, r) })
	if int64(len(words)) < n {
		return "", nil
	}
	return words[n-1], nil
}

var callStripSpaces = unary((*evaluator).str, func(s string) (any, error) { return strings.ReplaceAll(s, " ", ""), nil })

// callSplit splits at the delimiter and trims the values: the documented example splits
// "PermissionSetOne, PermissionSetTwo" at "," into ["PermissionSetOne", "PermissionSetTwo"].
func callSplit(ev *evaluator, c *Call) (any, error) {
	a := ev.args(c)
	s, delim := a.source(0), a.str(1)
	if a.done() {
		return nil, a.err
	}
	if delim == "" {
		return []string{strings.TrimSpace(s)}, nil
	}
	parts := strings.Split(s, delim)
	for i, p := range parts {
		parts[i] = strings.TrimSpace(p)
	}
	return parts, nil
}

func callInStr(ev *evaluator, c *Call) (any, error) {
	a := ev.args(c)
	s, sub := a.source(0), a.str(1)
	start, ok := a.intOK(2)
	if a.done() {
		return nil, a.err
	}
	if !ok {
		start = 1
	}
	if start < 1 {
		return nil, fmt.Errorf("start must be 1 or more, got %d", start)
	}
	mode := a.int(3)
	if a.done() {
		return nil, a.err
	}
	hay, needle := []rune(s), []rune(sub)
	eq := func(a, b rune) bool { return a == b }
	if mode == 1 { // vbTextCompare
		eq = func(a, b rune) bool {
			return a == b || unicode.ToLower(a) == unicode.ToLower(b) || unicode.ToUpper(a) == unicode.ToUpper(b)
		}
	}
	for i := int(start - 1); i+len(needle) <= len(hay); i++ {
		if slices.EqualFunc(hay[i:i+len(needle)], needle, eq) {
			return int64(i + 1), nil
		}
	}
	return int64(0), nil
}

func callToLower(ev *evaluator, c *Call) (any, error) { return changeCase(ev, c, false) }
func callToUpper(ev *evaluator, c *Call) (any, error) { return changeCase(ev, c, true) }

// changeCase implements ToLower and ToUpper. .NET's TextInfo maps one character at a time (so "ß"
// stays "ß" in upper case), and the culture only matters for Turkish and Azerbaijani, where i and
// I pair with İ and ı; Go's per-rune mapping and unicode.TurkishCase do the same.
func changeCase(ev *evaluator, c *Call, upper bool) (any, error) {
	a := ev.args(c)
	s, culture := a.source(0), a.str(1)
	if a.done() {
		return nil, a.err
	}
	turkic := false
	if culture != "" {
		tag, err := parseCulture(culture)
		if err != nil {
			return nil, err
		}
		base, _ := tag.Base()
		turkic = base.String() == "tr" || base.String() == "az"
	}
	switch {
	case upper && turkic:
		return strings.ToUpperSpecial(unicode.TurkishCase, s), nil
	case upper:
		return strings.ToUpper(s), nil
	case turkic:
		return strings.ToLowerSpecial(unicode.TurkishCase, s), nil
	default:
		return strings.ToLower(s), nil
	}
}

func parseCulture(s string) (language.Tag, error) {
	tag, err := language.Parse(s)
	if err != nil {
		return language.Und, fmt.Errorf("culture %q is not an RFC 4646 name such as en-US or tr-TR", s)
	}
	return tag, nil
}

func checkCulture(c *Call) error {
	if s, ok := constStr(c, 1); ok && s != "" {
		if _, err := parseCulture(s); err != nil {
			return argErrorf(1, "%v", err)
		}
	}
	return nil
}

// callPCase implements PCase. With wordSeparators, each run of characters between separators is a
// word whose first character is upper-cased and the rest lower-cased. Without them Entra calls
// .NET's TextInfo.ToTitleCase, whose rules this follows: a letter that does not continue a word
// starts one and is title-cased; inside a word, letters, digits, marks and an apostrophe (U+0027)
// continue it; a separator (white space, punctuation, symbols: the categories Microsoft's
// reference lists) ends it, and so "4TH" becomes "4Th" as in .NET. ToTitleCase leaves all-capital
// words alone, but the documented example turns "PABLO GONSALVES (SECOND)" into "Pablo Gonsalves
// (Second)", so the words are lower-cased first.
func callPCase(ev *evaluator, c *Call) (any, error) {
	a := ev.args(c)
	s, seps := a.source(0), a.str(1)
	if a.done() {
		return nil, a.err
	}
	var b strings.Builder
	b.Grow(len(s))
	inWord := false
	for _, r := range s {
		if seps != "" {
			switch {
			case strings.ContainsRune(seps, r):
				b.WriteRune(r)
				inWord = false
			case !inWord:
				b.WriteRune(unicode.ToTitle(r))
				inWord = true
			default:
				b.WriteRune(unicode.ToLower(r))
			}
			continue
		}
		switch {
		case !inWord && unicode.IsLetter(r):
			b.WriteRune(unicode.ToTitle(r))
			inWord = true
		case !inWord:
			b.WriteRune(r)
		case unicode.IsLetter(r) || r == '\'' || !isTitleCaseSeparator(r):
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteRune(r)
			inWord = false
		}
	}
	return b.String(), nil
}

// isTitleCaseSeparator reports whether .NET's ToTitleCase ends a word at r: white space, control
// and format characters, punctuation and symbols.
func isTitleCaseSeparator(r rune) bool {
	return unicode.In(r, unicode.Z, unicode.Cc, unicode.Cf, unicode.P, unicode.S)
}

var (
	callBase64              = unary((*evaluator).str, base64UTF16)
	callUTF8Hex             = unary((*evaluator).str, func(s string) (any, error) { return strings.ToUpper(hex.EncodeToString([]byte(s))), nil })
	callNormalizeDiacritics = unary((*evaluator).str, func(s string) (any, error) { return normalizeDiacritics(s), nil })
)

// base64UTF16 is ConvertToBase64: the string's .NET Unicode (UTF-16LE) bytes in base64.
func base64UTF16(s string) (any, error) {
	u := utf16.Encode([]rune(s))
	raw := make([]byte, 2*len(u))
	for i, x := range u {
		raw[2*i], raw[2*i+1] = byte(x), byte(x>>8)
	}
	return base64.StdEncoding.EncodeToString(raw), nil
}

func callRedact(ev *evaluator, c *Call) (any, error) { return ev.arg(c, 0) }
