package expr

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Entra's Replace and REGEX MATCH run .NET regular expressions ("Regular expression language -
// quick reference", learn.microsoft.com/dotnet/standard/base-types/regular-expression-language-
// quick-reference). Go's RE2 shares most of the syntax; translateRegex rewrites what differs in
// spelling and rejects, by name, what RE2 cannot do at all (it guarantees linear time and so has
// no lookaround, backreferences, atomic groups or conditionals).

// netRegex is a .NET regular expression compiled to RE2, with .NET's group numbering: .NET numbers
// unnamed groups first, left to right, then named groups, while RE2 numbers all groups left to
// right. In "(?<Suffix>@(.)*)" .NET's $1 is (.) and $2 is Suffix.
type netRegex struct {
	src     string
	re      *regexp.Regexp
	netToGo []int          // .NET group number -> RE2 group index
	names   map[string]int // group name -> RE2 group index
}

// CompileRegex compiles a .NET regular expression into Go's RE2, with the same translation and the
// same errors as Replace: it is meant for the other place Entra runs .NET patterns, the REGEX MATCH
// and NOT REGEX MATCH operators of scoping filters. Group numbers of the result are RE2's.
func CompileRegex(pattern string) (*regexp.Regexp, error) {
	r, err := compileNetRegex(pattern)
	if err != nil {
		return nil, err
	}
	return r.re, nil
}

func compileNetRegex(src string) (*netRegex, error) {
	goSrc, err := translateRegex(src)
	if err != nil {
		return nil, err
	}
	re, err := regexp.Compile(goSrc)
	if err != nil {
		msg := err.Error()
		msg = strings.TrimPrefix(msg, "error parsing regexp: ")
		return nil, fmt.Errorf("invalid regular expression %q: %s", src, msg)
	}
	r := &netRegex{src: src, re: re, names: map[string]int{}}
	r.netToGo = append(r.netToGo, 0)
	names := re.SubexpNames()
	for i := 1; i < len(names); i++ {
		if names[i] == "" {
			r.netToGo = append(r.netToGo, i)
		}
	}
	for i := 1; i < len(names); i++ {
		if names[i] != "" {
			r.netToGo = append(r.netToGo, i)
			r.names[names[i]] = i
		}
	}
	return r, nil
}

// groupNames lists the named groups in .NET order, for error messages.
func (r *netRegex) groupNames() []string {
	var out []string
	for _, n := range r.re.SubexpNames() {
		if n != "" {
			out = append(out, n)
		}
	}
	return out
}

// unsupportedGroups are the .NET group constructs RE2 cannot run, by what follows their "(?"; the
// lookbehinds' "<=" and "<!" are tried before a named group's "<".
var unsupportedGroups = []struct{ prefix, what string }{
	{"=", "a lookahead (?=...)"},
	{"!", "a negative lookahead (?!...)"},
	{"<=", "a lookbehind (?<=...)"},
	{"<!", "a negative lookbehind (?<!...)"},
	{">", "an atomic group (?>...)"},
	{"(", "a conditional (?(...)...)"},
}

// translateRegex rewrites a .NET pattern into RE2 syntax.
func translateRegex(src string) (string, error) {
	var b strings.Builder
	b.Grow(len(src) + 8)
	reject := func(construct string, at int) error {
		return fmt.Errorf("regular expression %q uses %s at offset %d, which Go's RE2 engine cannot run", src, construct, at)
	}
	inClass := false
	quantified := false // the previous token was a quantifier
	for i := 0; i < len(src); {
		c := src[i]
		wasQuant := quantified
		quantified = false
		switch {
		case c == '\\':
			if i+1 >= len(src) {
				return "", fmt.Errorf("regular expression %q ends with a lone backslash", src)
			}
			e := src[i+1]
			switch {
			case e >= '1' && e <= '9' && !inClass:
				return "", reject(`a backreference \`+string(e), i)
			case e == 'k' && i+2 < len(src) && (src[i+2] == '<' || src[i+2] == '\''):
				return "", reject(`a named backreference \k<name>`, i)
			case e == 'G':
				return "", reject(`\G (contiguous match)`, i)
			case e == 'Z':
				return "", reject(`\Z (end of input or before a final newline); use \z or $`, i)
			case e == 'e':
				b.WriteString(`\x1B`)
				i += 2
				continue
			case e == 'u':
				if i+6 > len(src) {
					return "", fmt.Errorf("regular expression %q: \\u needs four hexadecimal digits", src)
				}
				if _, err := strconv.ParseUint(src[i+2:i+6], 16, 32); err != nil {
					return "", fmt.Errorf("regular expression %q: \\u needs four hexadecimal digits, got %q", src, src[i+2:i+6])
				}
				b.WriteString(`\x{` + src[i+2:i+6] + `}`)
				i += 6
				continue
			case e == 'c':
				if i+2 >= len(src) {
					return "", fmt.Errorf("regular expression %q: \\c needs a control letter", src)
				}
				l := src[i+2] | 0x20
				if l < 'a' || l > 'z' {
					return "", fmt.Errorf("regular expression %q: \\c needs a control letter, got %q", src, src[i+2])
				}
				fmt.Fprintf(&b, `\x%02X`, l-'a'+1)
				i += 3
				continue
			case (e == 'p' || e == 'P') && strings.HasPrefix(src[i+2:], "{Is"):
				return "", reject(`a Unicode block name \`+string(e)+`{Is...}`, i)
			}
			_, w := utf8.DecodeRuneInString(src[i+1:])
			b.WriteString(src[i : i+1+w])
			i += 1 + w
			continue
		case inClass:
			if c == '-' && i+1 < len(src) && src[i+1] == '[' {
				return "", reject("character class subtraction [a-z-[aeiou]]", i)
			}
			if c == ']' {
				inClass = false
			}
		case c == '[':
			inClass = true
			b.WriteByte(c)
			i++
			// A ] right after [ or [^ is a literal in both dialects.
			if i < len(src) && src[i] == '^' {
				b.WriteByte('^')
				i++
			}
			if i < len(src) && src[i] == ']' {
				b.WriteString(`\]`)
				i++
			}
			continue
		case c == '(' && strings.HasPrefix(src[i:], "(?"):
			rest := src[i+2:]
			for _, g := range unsupportedGroups {
				if strings.HasPrefix(rest, g.prefix) {
					return "", reject(g.what, i)
				}
			}
			switch {
			case strings.HasPrefix(rest, "#"):
				end := strings.IndexByte(rest, ')')
				if end < 0 {
					return "", fmt.Errorf("regular expression %q: unterminated comment (?#", src)
				}
				i += 2 + end + 1
				continue
			case strings.HasPrefix(rest, "<") || strings.HasPrefix(rest, "'"):
				closer := byte('>')
				if rest[0] == '\'' {
					closer = '\''
				}
				end := strings.IndexByte(rest[1:], closer)
				if end < 0 {
					return "", fmt.Errorf("regular expression %q: unterminated group name at offset %d", src, i)
				}
				name := rest[1 : 1+end]
				if strings.Contains(name, "-") {
					return "", reject("a balancing group (?<"+name+">...)", i)
				}
				if name == "" {
					return "", fmt.Errorf("regular expression %q: empty group name at offset %d", src, i)
				}
				b.WriteString("(?P<" + name + ">")
				i += 2 + 1 + end + 1
				continue
			default:
				// Inline options (?imnsx-imnsx) or (?imnsx-imnsx:...): RE2 knows i, m and s.
				j := 0
				for j < len(rest) && strings.IndexByte("imnsx-", rest[j]) >= 0 {
					j++
				}
				if opts := rest[:j]; strings.ContainsAny(opts, "nx") {
					return "", reject("the inline option n (explicit capture) or x (ignore white space) in (?"+opts, i)
				}
			}
		case (c == '*' || c == '+' || c == '?') && !inClass:
			switch {
			case c == '+' && wasQuant:
				return "", reject("a possessive quantifier (a quantifier followed by +)", i)
			case c == '?' && wasQuant:
				// The lazy form *? is part of the quantifier before it.
			default:
				quantified = true
			}
		case c == '{' && !inClass:
			if end := strings.IndexByte(src[i:], '}'); end > 0 && isQuantifierBrace(src[i+1:i+end]) {
				b.WriteString(src[i : i+end+1])
				i += end + 1
				quantified = true
				continue
			}
			// .NET treats a { that does not start a quantifier as a literal; RE2 too, but only
			// outside of a position where it could be a repetition, so escape it.
			b.WriteString(`\{`)
			i++
			continue
		}
		b.WriteByte(c)
		i++
	}
	if inClass {
		return "", fmt.Errorf("regular expression %q: unterminated character class [", src)
	}
	return b.String(), nil
}

func isQuantifierBrace(s string) bool {
	lo, hi, _ := strings.Cut(s, ",")
	if lo == "" {
		return false
	}
	for _, part := range []string{lo, hi} {
		for i := 0; i < len(part); i++ {
			if !isDigit(part[i]) {
				return false
			}
		}
	}
	return true
}

// replPart is one piece of a .NET replacement pattern ("Substitutions in Regular Expressions").
type replPart struct {
	kind  replKind
	lit   string
	group int // RE2 group index for replGroup
}

type replKind uint8

const (
	replLiteral replKind = iota
	replGroup            // $1, ${name}, $& (group 0)
	replBefore           // $`
	replAfter            // $'
	replLast             // $+
	replInput            // $_
)

// replSymbols are the substitutions written $ and a symbol, other than $$.
var replSymbols = map[byte]replKind{'&': replGroup, '`': replBefore, '\'': replAfter, '+': replLast, '_': replInput}

// parseReplacement splits a .NET replacement pattern. A reference to a group that does not exist
// stays literal text, as in .NET.
func (r *netRegex) parseReplacement(s string) []replPart {
	var parts []replPart
	lit := func(t string) {
		if n := len(parts); n > 0 && parts[n-1].kind == replLiteral {
			parts[n-1].lit += t
			return
		}
		parts = append(parts, replPart{kind: replLiteral, lit: t})
	}
	for i := 0; i < len(s); {
		if s[i] != '$' || i+1 >= len(s) {
			j := strings.IndexByte(s[i+1:], '$')
			if j < 0 {
				lit(s[i:])
				break
			}
			lit(s[i : i+1+j])
			i += 1 + j
			continue
		}
		e := s[i+1]
		if kind, ok := replSymbols[e]; ok {
			parts = append(parts, replPart{kind: kind}) // for $&, group 0
			i += 2
			continue
		}
		switch {
		case e == '$':
			lit("$")
			i += 2
		case e == '{':
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				lit(s[i : i+2])
				i += 2
				continue
			}
			name := s[i+2 : i+2+end]
			if g, ok := r.group(name); ok {
				parts = append(parts, replPart{kind: replGroup, group: g})
			} else {
				lit(s[i : i+3+end])
			}
			i += 3 + end
		case isDigit(e):
			// The longest run of digits that names an existing group.
			j := i + 1
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			matched := false
			for k := j; k > i+1; k-- {
				if g, ok := r.group(s[i+1 : k]); ok {
					parts = append(parts, replPart{kind: replGroup, group: g})
					i = k
					matched = true
					break
				}
			}
			if !matched {
				lit(s[i : i+2])
				i += 2
			}
		default:
			lit("$")
			i++
		}
	}
	return parts
}

// group resolves a .NET group reference, by number or by name, to an RE2 group index.
func (r *netRegex) group(ref string) (int, bool) {
	if n, err := strconv.Atoi(ref); err == nil {
		if n >= 0 && n < len(r.netToGo) {
			return r.netToGo[n], true
		}
		return 0, false
	}
	g, ok := r.names[ref]
	return g, ok
}

// replaceAll is Regex.Replace(input, pattern, replacement).
func (r *netRegex) replaceAll(in string, repl []replPart) string {
	matches := r.re.FindAllStringSubmatchIndex(in, -1)
	if matches == nil {
		return in
	}
	var b strings.Builder
	last := 0
	for _, m := range matches {
		b.WriteString(in[last:m[0]])
		for _, p := range repl {
			switch p.kind {
			case replLiteral:
				b.WriteString(p.lit)
			case replGroup:
				if s, e := m[2*p.group], m[2*p.group+1]; s >= 0 {
					b.WriteString(in[s:e])
				}
			case replBefore:
				b.WriteString(in[:m[0]])
			case replAfter:
				b.WriteString(in[m[1]:])
			case replLast:
				if n := len(r.netToGo) - 1; n > 0 {
					g := r.netToGo[n]
					if s, e := m[2*g], m[2*g+1]; s >= 0 {
						b.WriteString(in[s:e])
					}
				} else {
					b.WriteString(in[m[0]:m[1]])
				}
			case replInput:
				b.WriteString(in)
			}
		}
		last = m[1]
	}
	b.WriteString(in[last:])
	return b.String()
}

// replaceGroup replaces, in every match, the text captured by group g with value.
func (r *netRegex) replaceGroup(in string, g int, value string) string {
	matches := r.re.FindAllStringSubmatchIndex(in, -1)
	var b strings.Builder
	last := 0
	for _, m := range matches {
		s, e := m[2*g], m[2*g+1]
		if s < 0 || s < last {
			continue
		}
		b.WriteString(in[last:s])
		b.WriteString(value)
		last = e
	}
	b.WriteString(in[last:])
	return b.String()
}

// extract returns the text captured by group g in the first match, and whether there was one.
func (r *netRegex) extract(in string, g int) (string, bool) {
	m := r.re.FindStringSubmatchIndex(in)
	if m == nil || m[2*g] < 0 {
		return "", false
	}
	return in[m[2*g]:m[2*g+1]], true
}
