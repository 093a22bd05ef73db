package expr

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"
)

// Func is one function of the language. Functions is the one table of them: the parser checks
// names and arity against it, the evaluator calls it, and `scimsim expr --functions` and
// docs/expressions.md list it.
type Func struct {
	Name string
	// MinArgs and MaxArgs bound the number of arguments; MaxArgs -1 means no upper bound.
	MinArgs, MaxArgs int
	// Params names the parameters as Microsoft's reference does. A name in brackets is optional
	// and may be an omitted positional argument; a trailing "..." repeats the last parameter.
	Params []string
	// Signature is the documented signature, shown in arity errors.
	Signature string
	// Doc says in one line what the function does, and how this implementation reads the docs
	// where they leave room.
	Doc string
	// Call evaluates a call. Arguments are evaluated lazily through the evaluator, so IIF and
	// Switch only evaluate the branch they take, as Entra does.
	Call func(ev *evaluator, c *Call) (any, error)
	// Check validates a call at Parse time, and compiles what can be compiled once (regular
	// expressions, date formats). It returns an *argError to blame one argument.
	Check func(c *Call) error
}

func (f *Func) arity() string {
	plural := func(n int) string {
		if n == 1 {
			return "1 argument"
		}
		return fmt.Sprintf("%d arguments", n)
	}
	switch {
	case f.MaxArgs < 0:
		return "at least " + plural(f.MinArgs)
	case f.MinArgs == f.MaxArgs:
		return plural(f.MinArgs)
	default:
		return fmt.Sprintf("%d to %d arguments", f.MinArgs, f.MaxArgs)
	}
}

// paramName returns the documented name of parameter i (0-based).
func (f *Func) paramName(i int) string {
	if len(f.Params) == 0 {
		return fmt.Sprintf("argument %d", i+1)
	}
	last := len(f.Params) - 1
	if i < last || !strings.HasSuffix(f.Params[last], "...") {
		if i > last {
			return fmt.Sprintf("argument %d", i+1)
		}
		return strings.Trim(f.Params[i], "[]")
	}
	base := strings.Trim(strings.TrimSuffix(f.Params[last], "..."), "[]")
	n := i - last
	if k, v, pair := strings.Cut(base, "/"); pair {
		if n%2 == 0 {
			return k + strconv.Itoa(n/2+1)
		}
		return v + strconv.Itoa(n/2+1)
	}
	return base + strconv.Itoa(n+1)
}

// optional reports whether argument i may be an omitted positional argument.
func (f *Func) optional(i int) bool {
	last := len(f.Params) - 1
	if last < 0 {
		return false
	}
	p := f.Params[min(i, last)]
	return strings.HasPrefix(p, "[")
}

// Functions is the table of every function of Microsoft's "Reference for writing expressions for
// attribute mappings" (functions-for-customizing-application-data.md), plus
// AssertiveAppRoleAssignmentsComplex from the attribute-mapping tutorial.
var Functions map[string]*Func

// FunctionNames returns the function names in the order of Microsoft's reference: sorted
// without regard to case.
func FunctionNames() []string {
	names := make([]string, 0, len(Functions))
	for n := range Functions {
		names = append(names, n)
	}
	slices.SortFunc(names, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return names
}

func init() {
	Functions = make(map[string]*Func, len(functionList))
	for _, f := range functionList {
		Functions[f.Name] = f
	}
}

var functionList = []*Func{
	{
		Name: "Append", MinArgs: 2, MaxArgs: 2, Params: []string{"source", "suffix"},
		Signature: "Append(source, suffix)",
		Doc:       "Appends suffix to source. A null source stays null.",
		Call:      callAppend,
	},
	{
		Name: "AppRoleAssignmentsComplex", MinArgs: 1, MaxArgs: 1, Params: []string{"appRoleAssignments"},
		Signature: "AppRoleAssignmentsComplex([appRoleAssignments])",
		Doc:       "All of the user's app roles, as a multi-valued result; Entra PATCHes them with Add and never removes roles.",
		Call:      callRoles,
	},
	{
		Name: "AssertiveAppRoleAssignmentsComplex", MinArgs: 1, MaxArgs: 1, Params: []string{"appRoleAssignments"},
		Signature: "AssertiveAppRoleAssignmentsComplex([appRoleAssignments])",
		Doc:       "All of the user's app roles, as a multi-valued result; Entra replaces the target's roles with them.",
		Call:      callRoles,
	},
	{
		Name: "BitAnd", MinArgs: 2, MaxArgs: 2, Params: []string{"value1", "value2"},
		Signature: "BitAnd(value1, value2)",
		Doc:       "Bitwise AND of two integers; hexadecimal literals are written &HF7.",
		Call:      callBitAnd,
	},
	{
		Name: "CBool", MinArgs: 1, MaxArgs: 1, Params: []string{"expression"},
		Signature: "CBool(expression)",
		Doc:       `True for a non-zero number or "True", False for zero or "False" (a boolean).`,
		Call:      callCBool,
	},
	{
		Name: "CDate", MinArgs: 1, MaxArgs: 1, Params: []string{"expression"},
		Signature: "CDate(expression)",
		Doc:       "Reads a date string and returns the UTC date, printed M/d/yyyy h:mm:ss tt.",
		Call:      callCDate,
	},
	{
		Name: "Coalesce", MinArgs: 1, MaxArgs: -1, Params: []string{"source..."},
		Signature: "Coalesce(source1, source2, ..., defaultValue)",
		Doc:       "The first argument that is not null; null when all are.",
		Call:      callCoalesce,
	},
	{
		Name: "ConvertToBase64", MinArgs: 1, MaxArgs: 1, Params: []string{"source"},
		Signature: "ConvertToBase64(source)",
		Doc:       "Base64 of the string's UTF-16LE (.NET Unicode) bytes.",
		Call:      callBase64,
	},
	{
		Name: "ConvertToUTF8Hex", MinArgs: 1, MaxArgs: 1, Params: []string{"source"},
		Signature: "ConvertToUTF8Hex(source)",
		Doc:       "Upper-case hexadecimal of the string's UTF-8 bytes.",
		Call:      callUTF8Hex,
	},
	{
		Name: "Count", MinArgs: 1, MaxArgs: 1, Params: []string{"attribute"},
		Signature: "Count(attribute)",
		Doc:       "Number of values of a multi-valued attribute (1 for a single value, 0 for null).",
		Call:      callCount,
	},
	{
		Name: "CStr", MinArgs: 1, MaxArgs: 1, Params: []string{"value"},
		Signature: "CStr(value)",
		Doc:       `A value as a string: booleans are "True"/"False", dates M/d/yyyy h:mm:ss tt.`,
		Call:      callCStr,
	},
	{
		Name: "DateAdd", MinArgs: 3, MaxArgs: 3, Params: []string{"interval", "value", "dateTime"},
		Signature: "DateAdd(interval, value, dateTime)",
		Doc:       "Adds value intervals (yyyy, m, d, ww, h, n, s) to a date.",
		Call:      callDateAdd,
		Check:     checkInterval,
	},
	{
		Name: "DateDiff", MinArgs: 3, MaxArgs: 3, Params: []string{"interval", "date1", "date2"},
		Signature: "DateDiff(interval, date1, date2)",
		Doc:       "Number of interval boundaries (yyyy, m, d, ww, h, n, s) from date1 to date2; positive when date2 is later.",
		Call:      callDateDiff,
		Check:     checkInterval,
	},
	{
		Name: "DateFromNum", MinArgs: 1, MaxArgs: 1, Params: []string{"value"},
		Signature: "DateFromNum(value)",
		Doc:       "Converts an Active Directory date (100-nanosecond intervals since 1601-01-01 UTC) to a date.",
		Call:      callDateFromNum,
	},
	{
		Name: "FormatDateTime", MinArgs: 3, MaxArgs: 4, Params: []string{"source", "[dateTimeStyles]", "inputFormat", "outputFormat"},
		Signature: "FormatDateTime(source, dateTimeStyles, inputFormat, outputFormat)",
		Doc:       "Reads source with a .NET inputFormat and writes it with a .NET outputFormat; dateTimeStyles is optional.",
		Call:      callFormatDateTime,
		Check:     checkFormatDateTime,
	},
	{
		Name: "Guid", MinArgs: 0, MaxArgs: 0,
		Signature: "Guid()",
		Doc:       "A random GUID, drawn from the caller's random source.",
		Call:      callGuid,
	},
	{
		Name: "IgnoreFlowIfNullOrEmpty", MinArgs: 1, MaxArgs: 1, Params: []string{"expression"},
		Signature: "IgnoreFlowIfNullOrEmpty(expression)",
		Doc:       "Drops the target attribute from the flow when the expression is null or empty.",
		Call:      callIgnoreFlow,
	},
	{
		Name: "IIF", MinArgs: 3, MaxArgs: 3, Params: []string{"condition", "valueIfTrue", "valueIfFalse"},
		Signature: "IIF(condition, valueIfTrue, valueIfFalse)",
		Doc:       "valueIfTrue or valueIfFalse; as documented, a condition that reads a null or empty attribute fails and the result is null (use Switch).",
		Call:      callIIF,
		Check:     checkIIF,
	},
	{
		Name: "InStr", MinArgs: 2, MaxArgs: 4, Params: []string{"value1", "value2", "[start]", "[compareType]"},
		Signature: "InStr(value1, value2, start, compareType)",
		Doc:       "1-based position of value2 in value1 from start, 0 if absent; compareType vbBinaryCompare (default) or vbTextCompare.",
		Call:      callInStr,
	},
	{
		Name: "IsNull", MinArgs: 1, MaxArgs: 1, Params: []string{"expression"},
		Signature: "IsNull(expression)",
		Doc:       "True when the expression is null (an absent attribute).",
		Call:      callIsNull,
	},
	{
		Name: "IsNullOrEmpty", MinArgs: 1, MaxArgs: 1, Params: []string{"expression"},
		Signature: "IsNullOrEmpty(expression)",
		Doc:       "True when the expression is null or an empty string.",
		Call:      callIsNullOrEmpty,
	},
	{
		Name: "IsPresent", MinArgs: 1, MaxArgs: 1, Params: []string{"expression"},
		Signature: "IsPresent(expression)",
		Doc:       "True when the expression is neither null nor empty.",
		Call:      callIsPresent,
	},
	{
		Name: "IsString", MinArgs: 1, MaxArgs: 1, Params: []string{"expression"},
		Signature: "IsString(expression)",
		Doc:       "True when the expression is a string.",
		Call:      callIsString,
	},
	{
		Name: "Item", MinArgs: 2, MaxArgs: 2, Params: []string{"attribute", "index"},
		Signature: "Item(attribute, index)",
		Doc:       "The index-th value (1-based) of a multi-valued attribute; null when out of range.",
		Call:      callItem,
	},
	{
		Name: "Join", MinArgs: 2, MaxArgs: -1, Params: []string{"separator", "source..."},
		Signature: "Join(separator, source1, source2, ...)",
		Doc:       "Joins the values with separator, flattening multi-valued sources and skipping null and empty values.",
		Call:      callJoin,
	},
	{
		Name: "Left", MinArgs: 2, MaxArgs: 2, Params: []string{"String", "NumChars"},
		Signature: "Left(String, NumChars)",
		Doc:       "The first NumChars characters; all of them when NumChars < 0, \"\" when 0 or when String is null.",
		Call:      callLeft,
	},
	{
		Name: "Mid", MinArgs: 3, MaxArgs: 3, Params: []string{"source", "start", "length"},
		Signature: "Mid(source, start, length)",
		Doc:       "length characters from the 1-based position start.",
		Call:      callMid,
	},
	{
		Name: "NormalizeDiacritics", MinArgs: 1, MaxArgs: 1, Params: []string{"source"},
		Signature: "NormalizeDiacritics(source)",
		Doc:       "Replaces the characters of Microsoft's documented table (ä, ß, æ, ø, ...) with their plain equivalents.",
		Call:      callNormalizeDiacritics,
	},
	{
		Name: "Not", MinArgs: 1, MaxArgs: 1, Params: []string{"source"},
		Signature: "Not(source)",
		Doc:       `False when source is True or "True", otherwise True (a boolean).`,
		Call:      callNot,
	},
	{
		Name: "Now", MinArgs: 0, MaxArgs: 0,
		Signature: "Now()",
		Doc:       "The caller's clock in UTC, printed M/d/yyyy h:mm:ss tt.",
		Call:      callNow,
	},
	{
		Name: "NumFromDate", MinArgs: 1, MaxArgs: 1, Params: []string{"value"},
		Signature: "NumFromDate(value)",
		Doc:       "Converts an ISO 8601 date to Active Directory's format (accountExpires).",
		Call:      callNumFromDate,
	},
	{
		Name: "PCase", MinArgs: 1, MaxArgs: 2, Params: []string{"source", "[wordSeparators]"},
		Signature: "PCase(source, wordSeparators)",
		Doc:       "Upper-cases the first letter of each word and lower-cases the rest; words split at wordSeparators, or as .NET's ToTitleCase does.",
		Call:      callPCase,
	},
	{
		Name: "RandomString", MinArgs: 5, MaxArgs: 6,
		Params:    []string{"Length", "MinimumNumbers", "MinimumSpecialCharacters", "MinimumCapital", "MinimumLowerCase", "[CharactersToAvoid]"},
		Signature: "RandomString(Length, MinimumNumbers, MinimumSpecialCharacters, MinimumCapital, MinimumLowerCase, CharactersToAvoid)",
		Doc:       "A random string of Length (at most 256) characters with the given minimums, drawn from the caller's random source.",
		Call:      callRandomString,
		Check:     checkRandomString,
	},
	{
		Name: "Redact", MinArgs: 1, MaxArgs: 1, Params: []string{"attributeOrValue"},
		Signature: "Redact(attributeOrValue)",
		Doc:       "The value unchanged; provisioning logs show [Redact] instead.",
		Call:      callRedact,
	},
	{
		Name: "RemoveDuplicates", MinArgs: 1, MaxArgs: 1, Params: []string{"attribute"},
		Signature: "RemoveDuplicates(attribute)",
		Doc:       "The values of a multi-valued attribute without duplicates, in their first order.",
		Call:      callRemoveDuplicates,
	},
	{
		Name: "Replace", MinArgs: 7, MaxArgs: 7,
		Params:    []string{"source", "[oldValue]", "[regexPattern]", "[regexGroupName]", "[replacementValue]", "[replacementAttributeName]", "[template]"},
		Signature: "Replace(source, oldValue, regexPattern, regexGroupName, replacementValue, replacementAttributeName, template)",
		Doc:       "Five documented modes: oldValue+replacementValue, oldValue+template, regexPattern+replacementValue, regexPattern+regexGroupName+replacementValue, regexPattern+regexGroupName+replacementAttributeName.",
		Call:      callReplace,
		Check:     checkReplace,
	},
	{
		Name: "SelectUniqueValue", MinArgs: 2, MaxArgs: -1, Params: []string{"uniqueValueRule..."},
		Signature: "SelectUniqueValue(uniqueValueRule1, uniqueValueRule2, ...)",
		Doc:       "The first rule whose value does not exist in the target; must be the whole expression.",
		Call:      callSelectUniqueValue,
	},
	{
		Name: "SingleAppRoleAssignment", MinArgs: 1, MaxArgs: 1, Params: []string{"appRoleAssignments"},
		Signature: "SingleAppRoleAssignment([appRoleAssignments])",
		Doc:       "The user's one app role; with several, the first (Entra does not support several).",
		Call:      callSingleRole,
	},
	{
		Name: "Split", MinArgs: 2, MaxArgs: 2, Params: []string{"source", "delimiter"},
		Signature: "Split(source, delimiter)",
		Doc:       "Splits source at delimiter into a multi-valued result; values are trimmed, as in the documented example.",
		Call:      callSplit,
	},
	{
		Name: "StripSpaces", MinArgs: 1, MaxArgs: 1, Params: []string{"source"},
		Signature: "StripSpaces(source)",
		Doc:       `Removes every space (" ") character.`,
		Call:      callStripSpaces,
	},
	{
		Name: "Switch", MinArgs: 4, MaxArgs: -1, Params: []string{"source", "[defaultValue]", "key/value..."},
		Signature: "Switch(source, defaultValue, key1, value1, key2, value2, ...)",
		Doc:       `The value of the first key equal to source (case-sensitive; null source equals ""), else defaultValue.`,
		Call:      callSwitch,
		Check:     checkSwitch,
	},
	{
		Name: "ToLower", MinArgs: 1, MaxArgs: 2, Params: []string{"source", "[culture]"},
		Signature: "ToLower(source, culture)",
		Doc:       "Lower-cases source with the rules of culture (RFC 4646, e.g. tr-TR), or the invariant culture.",
		Call:      callToLower,
		Check:     checkCulture,
	},
	{
		Name: "ToUpper", MinArgs: 1, MaxArgs: 2, Params: []string{"source", "[culture]"},
		Signature: "ToUpper(source, culture)",
		Doc:       "Upper-cases source with the rules of culture (RFC 4646, e.g. tr-TR), or the invariant culture.",
		Call:      callToUpper,
		Check:     checkCulture,
	},
	{
		Name: "Word", MinArgs: 3, MaxArgs: 3, Params: []string{"String", "WordNumber", "delimiters"},
		Signature: "Word(String, WordNumber, delimiters)",
		Doc:       "The WordNumber-th word (1-based) of String split at any of the delimiter characters; \"\" when there is none.",
		Call:      callWord,
	},
}

// constStr returns the value of argument i when it is a string constant.
func constStr(c *Call, i int) (string, bool) {
	if i >= len(c.Args) {
		return "", false
	}
	s, ok := c.Args[i].(*Str)
	if !ok {
		return "", false
	}
	return s.Value, true
}

func present(c *Call, i int) bool {
	if i >= len(c.Args) {
		return false
	}
	_, empty := c.Args[i].(*Empty)
	return !empty
}

// --- strings ---

func callAppend(ev *evaluator, c *Call) (any, error) {
	s, ok, err := ev.str(c, 0)
	if err != nil || !ok {
		return nil, err
	}
	suffix, _, err := ev.str(c, 1)
	if err != nil {
		return nil, err
	}
	return s + suffix, nil
}

func callJoin(ev *evaluator, c *Call) (any, error) {
	sep, _, err := ev.str(c, 0)
	if err != nil {
		return nil, err
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

func callLeft(ev *evaluator, c *Call) (any, error) {
	s, _, err := ev.str(c, 0)
	if err != nil {
		return nil, err
	}
	n, _, err := ev.int(c, 1)
	if err != nil {
		return nil, err
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
	s, ok, err := ev.str(c, 0)
	if err != nil || !ok {
		return nil, err
	}
	start, _, err := ev.int(c, 1)
	if err != nil {
		return nil, err
	}
	length, _, err := ev.int(c, 2)
	if err != nil {
		return nil, err
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
	s, _, err := ev.str(c, 0)
	if err != nil {
		return nil, err
	}
	n, _, err := ev.int(c, 1)
	if err != nil {
		return nil, err
	}
	delims, _, err := ev.str(c, 2)
	if err != nil {
		return nil, err
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

func callStripSpaces(ev *evaluator, c *Call) (any, error) {
	s, ok, err := ev.str(c, 0)
	if err != nil || !ok {
		return nil, err
	}
	return strings.ReplaceAll(s, " ", ""), nil
}

// callSplit splits at the delimiter and trims the values: the documented example splits
// "PermissionSetOne, PermissionSetTwo" at "," into ["PermissionSetOne", "PermissionSetTwo"].
func callSplit(ev *evaluator, c *Call) (any, error) {
	s, ok, err := ev.str(c, 0)
	if err != nil || !ok {
		return nil, err
	}
	delim, _, err := ev.str(c, 1)
	if err != nil {
		return nil, err
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
	s, ok, err := ev.str(c, 0)
	if err != nil || !ok {
		return nil, err
	}
	sub, _, err := ev.str(c, 1)
	if err != nil {
		return nil, err
	}
	start, ok, err := ev.int(c, 2)
	if err != nil {
		return nil, err
	}
	if !ok {
		start = 1
	}
	if start < 1 {
		return nil, fmt.Errorf("start must be 1 or more, got %d", start)
	}
	mode, _, err := ev.int(c, 3)
	if err != nil {
		return nil, err
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

func changeCase(ev *evaluator, c *Call, upper bool) (any, error) {
	s, ok, err := ev.str(c, 0)
	if err != nil || !ok {
		return nil, err
	}
	culture, _, err := ev.str(c, 1)
	if err != nil {
		return nil, err
	}
	if culture == "" {
		if upper {
			return strings.ToUpper(s), nil
		}
		return strings.ToLower(s), nil
	}
	tag, err := parseCulture(culture)
	if err != nil {
		return nil, err
	}
	if upper {
		return cases.Upper(tag).String(s), nil
	}
	return cases.Lower(tag).String(s), nil
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

// callPCase implements PCase. Without wordSeparators Entra calls .NET's TextInfo.ToTitleCase,
// which treats letters, digits and marks as word characters (and an apostrophe inside a word as
// part of it) and everything else as a separator; the documented example turns "PABLO GONSALVES
// (SECOND)" into "Pablo Gonsalves (Second)", so the rest of each word is lower-cased first.
func callPCase(ev *evaluator, c *Call) (any, error) {
	s, ok, err := ev.str(c, 0)
	if err != nil || !ok {
		return nil, err
	}
	seps, custom, err := ev.str(c, 1)
	if err != nil {
		return nil, err
	}
	custom = custom && seps != ""
	var b strings.Builder
	b.Grow(len(s))
	inWord := false
	runes := []rune(s)
	for i, r := range runes {
		var sep bool
		if custom {
			sep = strings.ContainsRune(seps, r)
		} else {
			sep = !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || unicode.Is(unicode.Nl, r) || unicode.Is(unicode.No, r))
			if (r == '\'' || r == '’') && inWord && i+1 < len(runes) && unicode.IsLetter(runes[i+1]) {
				sep = false
			}
		}
		switch {
		case sep:
			b.WriteRune(r)
			inWord = false
		case !inWord:
			b.WriteRune(unicode.ToTitle(r))
			inWord = true
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String(), nil
}

func callBase64(ev *evaluator, c *Call) (any, error) {
	s, ok, err := ev.str(c, 0)
	if err != nil || !ok {
		return nil, err
	}
	u := utf16.Encode([]rune(s))
	raw := make([]byte, 2*len(u))
	for i, x := range u {
		raw[2*i], raw[2*i+1] = byte(x), byte(x>>8)
	}
	return base64.StdEncoding.EncodeToString(raw), nil
}

func callUTF8Hex(ev *evaluator, c *Call) (any, error) {
	s, ok, err := ev.str(c, 0)
	if err != nil || !ok {
		return nil, err
	}
	return strings.ToUpper(hex.EncodeToString([]byte(s))), nil
}

func callNormalizeDiacritics(ev *evaluator, c *Call) (any, error) {
	s, ok, err := ev.str(c, 0)
	if err != nil || !ok {
		return nil, err
	}
	return normalizeDiacritics(s), nil
}

func callRedact(ev *evaluator, c *Call) (any, error) { return ev.arg(c, 0) }

// --- null tests and conversions ---

func callIsNull(ev *evaluator, c *Call) (any, error) {
	v, err := ev.arg(c, 0)
	return v == nil, err
}

func callIsNullOrEmpty(ev *evaluator, c *Call) (any, error) {
	v, err := ev.arg(c, 0)
	return isNullOrEmpty(v), err
}

func callIsPresent(ev *evaluator, c *Call) (any, error) {
	v, err := ev.arg(c, 0)
	return !isNullOrEmpty(v), err
}

func callIsString(ev *evaluator, c *Call) (any, error) {
	v, err := ev.arg(c, 0)
	_, ok := v.(string)
	return ok, err
}

func callIgnoreFlow(ev *evaluator, c *Call) (any, error) {
	v, err := ev.arg(c, 0)
	if err != nil {
		return nil, err
	}
	if isNullOrEmpty(v) {
		return Ignore, nil
	}
	return v, nil
}

func callCoalesce(ev *evaluator, c *Call) (any, error) {
	for i := range c.Args {
		v, err := ev.arg(c, i)
		if err != nil {
			return nil, err
		}
		if v != nil && v != Ignore {
			return v, nil
		}
	}
	return nil, nil
}

func callCStr(ev *evaluator, c *Call) (any, error) {
	s, ok, err := ev.str(c, 0)
	if err != nil || !ok {
		return nil, err
	}
	return s, nil
}

func callCBool(ev *evaluator, c *Call) (any, error) {
	v, err := ev.arg(c, 0)
	if err != nil || v == nil {
		return nil, err
	}
	return toBool(v)
}

// callNot follows the reference: "If source value is True, returns False. Otherwise, returns
// True." The result stays a boolean so that the engine can render it for the request dialect.
func callNot(ev *evaluator, c *Call) (any, error) {
	v, err := ev.arg(c, 0)
	if err != nil {
		return nil, err
	}
	switch v := v.(type) {
	case bool:
		return !v, nil
	case string:
		return !strings.EqualFold(strings.TrimSpace(v), "True"), nil
	}
	return true, nil
}

func callBitAnd(ev *evaluator, c *Call) (any, error) {
	a, ok1, err := ev.int(c, 0)
	if err != nil {
		return nil, err
	}
	b, ok2, err := ev.int(c, 1)
	if err != nil || !ok1 || !ok2 {
		return nil, err
	}
	return a & b, nil
}

// --- multi-valued ---

func list(v any) []string {
	switch v := v.(type) {
	case nil, ignore:
		return nil
	case []string:
		return v
	}
	s, _ := toString(v)
	return []string{s}
}

func callCount(ev *evaluator, c *Call) (any, error) {
	v, err := ev.arg(c, 0)
	return int64(len(list(v))), err
}

func callItem(ev *evaluator, c *Call) (any, error) {
	v, err := ev.arg(c, 0)
	if err != nil {
		return nil, err
	}
	n, _, err := ev.int(c, 1)
	if err != nil {
		return nil, err
	}
	values := list(v)
	if n < 1 || n > int64(len(values)) {
		return nil, nil
	}
	return values[n-1], nil
}

func callRemoveDuplicates(ev *evaluator, c *Call) (any, error) {
	v, err := ev.arg(c, 0)
	if err != nil || v == nil {
		return nil, err
	}
	values, multi := v.([]string)
	if !multi {
		return v, nil
	}
	seen := make(map[string]bool, len(values))
	out := make([]string, 0, len(values))
	for _, s := range values {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out, nil
}

// callRoles returns the user's app roles. The engine gives [appRoleAssignments] as the list of
// assigned role values; building the SCIM roles objects, and the PATCH that Add (Complex) or
// replace (Assertive) implies, is the engine's part.
func callRoles(ev *evaluator, c *Call) (any, error) {
	v, err := ev.arg(c, 0)
	if err != nil || v == nil {
		return nil, err
	}
	return slices.Clone(list(v)), nil
}

func callSingleRole(ev *evaluator, c *Call) (any, error) {
	v, err := ev.arg(c, 0)
	if err != nil {
		return nil, err
	}
	if roles := list(v); len(roles) > 0 {
		return roles[0], nil
	}
	return nil, nil
}

// --- flow control ---

// iifData holds the attributes an IIF condition reads, found once at Parse time.
type iifData struct{ attrs []*Attr }

// callIIF implements IIF. Microsoft's reference: "If the source attribute used within the IIF
// function is empty or null, the condition check fails" — IIF([country]="","Other",[country]) is
// listed as unsupported and Switch recommended instead. Here a failed condition check makes the
// whole IIF null, so the target attribute is not provisioned, which is how that failure shows.
func callIIF(ev *evaluator, c *Call) (any, error) {
	for _, a := range iifAttrs(c) {
		v, err := a.eval(ev)
		if err != nil {
			return nil, err
		}
		if isNullOrEmpty(v) {
			return nil, nil
		}
	}
	cond, err := ev.arg(c, 0)
	if err != nil {
		return nil, err
	}
	b, err := toBool(cond)
	if err != nil {
		return nil, fmt.Errorf("condition %s: %w", c.Args[0], err)
	}
	if b {
		return ev.arg(c, 1)
	}
	return ev.arg(c, 2)
}

func iifAttrs(c *Call) []*Attr {
	if d, ok := c.compiled.(*iifData); ok {
		return d.attrs
	}
	return nil
}

func checkIIF(c *Call) error {
	d := &iifData{}
	walk(c.Args[0], func(n Node) {
		if a, ok := n.(*Attr); ok {
			d.attrs = append(d.attrs, a)
		}
	})
	c.compiled = d
	return nil
}

func checkSwitch(c *Call) error {
	if len(c.Args)%2 != 0 {
		return fmt.Errorf("keys and values must come in pairs, so the number of arguments must be even, got %d: %s", len(c.Args), c.fn.Signature)
	}
	return nil
}

// callSwitch compares source with each key as strings, case-sensitively; a null source equals
// the key "", as the reference's Switch([statusFlag], "Default Value", "true", "1", "", "0")
// example documents.
func callSwitch(ev *evaluator, c *Call) (any, error) {
	src, _, err := ev.str(c, 0)
	if err != nil {
		return nil, err
	}
	for i := 2; i+1 < len(c.Args); i += 2 {
		key, _, err := ev.str(c, i)
		if err != nil {
			return nil, err
		}
		if key == src {
			return ev.arg(c, i+1)
		}
	}
	return ev.arg(c, 1)
}

func callSelectUniqueValue(ev *evaluator, c *Call) (any, error) {
	for i := range c.Args {
		s, ok, err := ev.str(c, i)
		if err != nil {
			return nil, err
		}
		if !ok || s == "" {
			continue
		}
		if ev.env.Exists == nil || !ev.env.Exists(s) {
			return s, nil
		}
	}
	return nil, fmt.Errorf("every one of the %d rules gives a value that already exists in the target, so Entra escrows the entry", len(c.Args))
}

// --- dates ---

func callCDate(ev *evaluator, c *Call) (any, error) {
	t, ok, err := ev.time(c, 0)
	if err != nil || !ok {
		return nil, err
	}
	return t, nil
}

func callNow(ev *evaluator, _ *Call) (any, error) { return ev.now(), nil }

func checkInterval(c *Call) error {
	if s, ok := constStr(c, 0); ok && !slices.Contains(intervals, s) {
		return argErrorf(0, "unknown interval %q: use one of %s", s, strings.Join(intervals, ", "))
	}
	return nil
}

func callDateAdd(ev *evaluator, c *Call) (any, error) {
	interval, _, err := ev.str(c, 0)
	if err != nil {
		return nil, err
	}
	n, ok1, err := ev.int(c, 1)
	if err != nil {
		return nil, err
	}
	t, ok2, err := ev.time(c, 2)
	if err != nil || !ok1 || !ok2 {
		return nil, err
	}
	return addInterval(interval, n, t)
}

func callDateDiff(ev *evaluator, c *Call) (any, error) {
	interval, _, err := ev.str(c, 0)
	if err != nil {
		return nil, err
	}
	a, ok1, err := ev.time(c, 1)
	if err != nil {
		return nil, err
	}
	b, ok2, err := ev.time(c, 2)
	if err != nil || !ok1 || !ok2 {
		return nil, err
	}
	return dateDiff(interval, a, b)
}

func callDateFromNum(ev *evaluator, c *Call) (any, error) {
	n, ok, err := ev.int(c, 0)
	if err != nil || !ok {
		return nil, err
	}
	return fromFileTime(n)
}

func callNumFromDate(ev *evaluator, c *Call) (any, error) {
	t, ok, err := ev.time(c, 0)
	if err != nil || !ok {
		return nil, err
	}
	if t.Before(fileTimeEpoch) {
		return nil, fmt.Errorf("%s is before 1601-01-01, the first Active Directory date", formatEntraTime(t))
	}
	return toFileTime(t), nil
}

// dateTimeStyles are the names of .NET's DateTimeStyles flags, accepted comma-separated in
// FormatDateTime's second argument. Dates are read as UTC, Entra's time zone, whichever is given.
var dateTimeStyles = []string{
	"None", "AllowLeadingWhite", "AllowTrailingWhite", "AllowInnerWhite", "AllowWhiteSpaces",
	"NoCurrentDateDefault", "AdjustToUniversal", "AssumeLocal", "AssumeUniversal", "RoundtripKind",
}

func checkDateTimeStyles(s string) error {
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), "DateTimeStyles."))
		if !slices.Contains(dateTimeStyles, name) {
			return fmt.Errorf("unknown DateTimeStyles value %q: use %s", name, strings.Join(dateTimeStyles, ", "))
		}
	}
	return nil
}

type formatData struct{ in, out *dateFormat }

func checkFormatDateTime(c *Call) error {
	in, out := 2, 3
	if len(c.Args) == 3 { // FormatDateTime(source, inputFormat, outputFormat)
		in, out = 1, 2
	} else if s, ok := constStr(c, 1); ok && s != "" {
		if err := checkDateTimeStyles(s); err != nil {
			return argErrorf(1, "%v", err)
		}
	}
	d := &formatData{}
	for _, p := range []struct {
		i   int
		dst **dateFormat
	}{{in, &d.in}, {out, &d.out}} {
		if s, ok := constStr(c, p.i); ok {
			f, err := parseDateFormat(s)
			if err != nil {
				return argErrorf(p.i, "%v", err)
			}
			*p.dst = f
		}
	}
	c.compiled = d
	return nil
}

func callFormatDateTime(ev *evaluator, c *Call) (any, error) {
	in, out := 2, 3
	if len(c.Args) == 3 {
		in, out = 1, 2
	}
	v, err := ev.arg(c, 0)
	if err != nil || isNullOrEmpty(v) {
		return nil, err
	}
	d, _ := c.compiled.(*formatData)
	inFmt, outFmt := d.in, d.out
	for _, p := range []struct {
		i   int
		dst **dateFormat
	}{{in, &inFmt}, {out, &outFmt}} {
		if *p.dst != nil {
			continue
		}
		s, _, err := ev.str(c, p.i)
		if err != nil {
			return nil, err
		}
		if *p.dst, err = parseDateFormat(s); err != nil {
			return nil, err
		}
	}
	var t time.Time
	if tv, isTime := v.(time.Time); isTime {
		t = tv
	} else {
		s, err := toString(v)
		if err != nil {
			return nil, err
		}
		if t, err = inFmt.parse(s); err != nil {
			return nil, err
		}
	}
	return outFmt.format(t), nil
}

// --- random ---

func callGuid(ev *evaluator, _ *Call) (any, error) {
	var u [16]byte
	r := ev.rand()
	for i := range u {
		u[i] = byte(r.Intn(256))
	}
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	h := hex.EncodeToString(u[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32], nil
}

// Character classes of RandomString, from the "Password must meet complexity requirements"
// reference the function's documentation links to.
const (
	randDigits  = "0123456789"
	randSpecial = "~!@#$%^&*_-+=`|\\(){}[]:;\"'<>,.?/"
	randUpper   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	randLower   = "abcdefghijklmnopqrstuvwxyz"
	maxRandLen  = 256
)

type randomSpec struct {
	length, digits, special, upper, lower int64
	avoid                                 string
}

func (s randomSpec) validate() error {
	switch {
	case s.length < 1 || s.length > maxRandLen:
		return fmt.Errorf("Length must be between 1 and %d, got %d", maxRandLen, s.length)
	case s.digits < 0 || s.special < 0 || s.upper < 0 || s.lower < 0:
		return errors.New("minimums must not be negative")
	case s.digits+s.special+s.upper+s.lower > s.length:
		return fmt.Errorf("Length %d is less than the sum of the minimums (%d)", s.length, s.digits+s.special+s.upper+s.lower)
	}
	return nil
}

func checkRandomString(c *Call) error {
	var s randomSpec
	dst := []*int64{&s.length, &s.digits, &s.special, &s.upper, &s.lower}
	for i, p := range dst {
		n, ok := c.Args[i].(*Num)
		if !ok {
			return nil // computed at evaluation
		}
		v, isInt := n.boxed.(int64)
		if !isInt {
			return argErrorf(i, "must be a whole number, got %s", n.Text)
		}
		*p = v
	}
	if err := s.validate(); err != nil {
		return err
	}
	return nil
}

func callRandomString(ev *evaluator, c *Call) (any, error) {
	var s randomSpec
	dst := []*int64{&s.length, &s.digits, &s.special, &s.upper, &s.lower}
	for i, p := range dst {
		n, _, err := ev.int(c, i)
		if err != nil {
			return nil, err
		}
		*p = n
	}
	avoid, _, err := ev.str(c, 5)
	if err != nil {
		return nil, err
	}
	s.avoid = avoid
	if err := s.validate(); err != nil {
		return nil, err
	}
	strip := func(set string) string {
		return strings.Map(func(r rune) rune {
			if strings.ContainsRune(avoid, r) {
				return -1
			}
			return r
		}, set)
	}
	classes := []struct {
		set string
		min int64
	}{{strip(randDigits), s.digits}, {strip(randSpecial), s.special}, {strip(randUpper), s.upper}, {strip(randLower), s.lower}}
	r := ev.rand()
	out := make([]byte, 0, s.length)
	var pool string
	for _, cl := range classes {
		if cl.min > 0 && cl.set == "" {
			return nil, fmt.Errorf("CharactersToAvoid %q leaves no characters for a required class", avoid)
		}
		for range cl.min {
			out = append(out, cl.set[r.Intn(len(cl.set))])
		}
		if cl.min > 0 {
			pool += cl.set
		}
	}
	if pool == "" {
		pool = strip(randDigits + randUpper + randLower)
	}
	for int64(len(out)) < s.length {
		if pool == "" {
			return nil, fmt.Errorf("CharactersToAvoid %q leaves no characters to choose from", avoid)
		}
		out = append(out, pool[r.Intn(len(pool))])
	}
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return string(out), nil
}

// --- Replace ---

type replaceMode uint8

const (
	replaceOldValue     replaceMode = iota + 1 // oldValue + replacementValue
	replaceTemplate                            // oldValue + template
	replaceRegex                               // regexPattern + replacementValue
	replaceRegexGroup                          // regexPattern + regexGroupName + replacementValue
	replaceRegexExtract                        // regexPattern + regexGroupName + replacementAttributeName
)

type replaceData struct {
	mode  replaceMode
	re    *netRegex  // nil when the pattern is computed
	repl  []replPart // for replaceRegex with a constant replacement
	group int        // RE2 group index, when re and the group name are constants
}

// Replace's arguments.
const (
	rSource = iota
	rOldValue
	rPattern
	rGroup
	rReplacement
	rReplacementAttr
	rTemplate
)

// checkReplace decides which of the five documented modes a call uses, from which arguments are
// given, and compiles a constant pattern once.
func checkReplace(c *Call) error {
	has := func(i int) bool { return present(c, i) }
	d := &replaceData{}
	switch {
	case has(rPattern) && has(rOldValue):
		return argErrorf(rOldValue, "give either oldValue or regexPattern, not both")
	case has(rPattern) && has(rGroup) && has(rReplacement):
		d.mode = replaceRegexGroup
	case has(rPattern) && has(rGroup) && has(rReplacementAttr):
		d.mode = replaceRegexExtract
	case has(rPattern) && has(rGroup):
		return argErrorf(rGroup, "with regexGroupName, give replacementValue or replacementAttributeName")
	case has(rPattern) && has(rReplacement):
		d.mode = replaceRegex
	case has(rPattern):
		return argErrorf(rPattern, "with regexPattern, give replacementValue")
	case has(rOldValue) && has(rReplacement) && has(rTemplate):
		return argErrorf(rTemplate, "with oldValue, give either replacementValue or template, not both")
	case has(rOldValue) && has(rReplacement):
		d.mode = replaceOldValue
	case has(rOldValue) && has(rTemplate):
		d.mode = replaceTemplate
	case has(rOldValue):
		return argErrorf(rOldValue, "with oldValue, give replacementValue or template")
	default:
		return fmt.Errorf("give oldValue or regexPattern; the documented modes are oldValue+replacementValue, oldValue+template, regexPattern+replacementValue, regexPattern+regexGroupName+replacementValue and regexPattern+regexGroupName+replacementAttributeName")
	}
	if s, ok := constStr(c, rOldValue); ok && s == "" {
		return argErrorf(rOldValue, "must not be empty")
	}
	if pattern, ok := constStr(c, rPattern); ok {
		re, err := compileNetRegex(pattern)
		if err != nil {
			return argErrorf(rPattern, "%v", err)
		}
		d.re = re
		if name, ok := constStr(c, rGroup); ok {
			g, found := re.names[name]
			if !found {
				return argErrorf(rGroup, "the pattern has no group named %q (its named groups: %s)", name, strings.Join(quoteAll(re.groupNames()), ", "))
			}
			d.group = g
		}
		if repl, ok := constStr(c, rReplacement); ok && d.mode == replaceRegex {
			d.repl = re.parseReplacement(repl)
		}
	}
	c.compiled = d
	return nil
}

func quoteAll(s []string) []string {
	if len(s) == 0 {
		return []string{"none"}
	}
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = strconv.Quote(x)
	}
	return out
}

func callReplace(ev *evaluator, c *Call) (any, error) {
	d := c.compiled.(*replaceData)
	src, ok, err := ev.str(c, rSource)
	if err != nil {
		return nil, err
	}
	if d.mode == replaceRegexExtract {
		if ok && src != "" {
			return src, nil
		}
		re, g, err := ev.regex(c, d)
		if err != nil {
			return nil, err
		}
		other, ok, err := ev.str(c, rReplacementAttr)
		if err != nil || !ok {
			return nil, err
		}
		if v, found := re.extract(other, g); found {
			return v, nil
		}
		return nil, nil
	}
	if !ok {
		return nil, nil
	}
	switch d.mode {
	case replaceOldValue, replaceTemplate:
		old, _, err := ev.str(c, rOldValue)
		if err != nil {
			return nil, err
		}
		if old == "" {
			return nil, errors.New("oldValue must not be empty")
		}
		if d.mode == replaceOldValue {
			repl, _, err := ev.str(c, rReplacement)
			if err != nil {
				return nil, err
			}
			return strings.ReplaceAll(src, old, repl), nil
		}
		tmpl, _, err := ev.str(c, rTemplate)
		if err != nil {
			return nil, err
		}
		return strings.ReplaceAll(tmpl, old, src), nil
	case replaceRegex:
		re, _, err := ev.regex(c, d)
		if err != nil {
			return nil, err
		}
		parts := d.repl
		if parts == nil || d.re == nil {
			repl, _, err := ev.str(c, rReplacement)
			if err != nil {
				return nil, err
			}
			parts = re.parseReplacement(repl)
		}
		return re.replaceAll(src, parts), nil
	default: // replaceRegexGroup
		re, g, err := ev.regex(c, d)
		if err != nil {
			return nil, err
		}
		repl, _, err := ev.str(c, rReplacement)
		if err != nil {
			return nil, err
		}
		return re.replaceGroup(src, g, repl), nil
	}
}

// regex returns Replace's compiled pattern and group, compiling them now only when they are
// computed by the expression rather than constants.
func (ev *evaluator) regex(c *Call, d *replaceData) (*netRegex, int, error) {
	re := d.re
	if re == nil {
		pattern, _, err := ev.str(c, rPattern)
		if err != nil {
			return nil, 0, err
		}
		if re, err = compileNetRegex(pattern); err != nil {
			return nil, 0, err
		}
	}
	if d.mode != replaceRegexGroup && d.mode != replaceRegexExtract {
		return re, 0, nil
	}
	if d.re != nil && d.group > 0 {
		return re, d.group, nil
	}
	name, _, err := ev.str(c, rGroup)
	if err != nil {
		return nil, 0, err
	}
	g, ok := re.names[name]
	if !ok {
		return nil, 0, fmt.Errorf("the pattern has no group named %q", name)
	}
	return re, g, nil
}
