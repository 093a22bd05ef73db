package expr

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
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
	// Signature is the documented signature, shown in arity errors. Left empty in the table, it is
	// the name and Params: optional parameters without their brackets, a repeated one (or pair)
	// twice and then "..." (signature).
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
// attribute mappings" (functions-for-customizing-application-data.md, ms.date 2026-04-10: the 45 of
// its "List of Functions", which testdata/functions-page.yaml lists and a test compares with this
// table), plus AssertiveAppRoleAssignmentsComplex from the attribute-mapping tutorial
// (customize-application-attributes.md).
var Functions map[string]*Func

// DocumentedFunctions is how many functions the "List of Functions" of Microsoft's reference names
// at its revision ReferenceDate (its ms.date); every one of them is in Functions.
const (
	DocumentedFunctions = 45
	ReferenceDate       = "2026-04-10"
)

// FunctionNames returns the function names in the order of Microsoft's reference: sorted
// without regard to case.
func FunctionNames() []string {
	names := slices.Collect(maps.Keys(Functions))
	slices.SortFunc(names, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return names
}

func init() {
	Functions = make(map[string]*Func, len(functionList))
	for _, f := range functionList {
		if f.Signature == "" {
			f.Signature = f.signature()
		}
		Functions[f.Name] = f
	}
}

// signature writes the call as Microsoft's reference does from the parameter names: "Join(separator,
// source1, source2, ...)", "Switch(source, defaultValue, key1, value1, key2, value2, ...)".
func (f *Func) signature() string {
	n, repeats := len(f.Params), 0
	if n > 0 && strings.HasSuffix(f.Params[n-1], "...") {
		n, repeats = n-1, 2
		if strings.Contains(f.Params[n], "/") {
			repeats = 4
		}
	}
	names := make([]string, 0, n+repeats+1)
	for i := range n + repeats {
		names = append(names, f.paramName(i))
	}
	if repeats > 0 {
		names = append(names, "...")
	}
	return f.Name + "(" + strings.Join(names, ", ") + ")"
}

var functionList = []*Func{
	{
		Name: "Append", MinArgs: 2, MaxArgs: 2, Params: []string{"source", "suffix"},
		Doc:  "Appends suffix to source. A null source stays null.",
		Call: callAppend,
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
		Doc:  "Bitwise AND of two integers; hexadecimal literals are written &HF7.",
		Call: callBitAnd,
	},
	{
		Name: "CBool", MinArgs: 1, MaxArgs: 1, Params: []string{"expression"},
		Doc:  `True for a non-zero number or "True", False for zero or "False" (a boolean).`,
		Call: callCBool,
	},
	{
		Name: "CDate", MinArgs: 1, MaxArgs: 1, Params: []string{"expression"},
		Doc:  "Reads a date string and returns the UTC date, printed M/d/yyyy h:mm:ss tt.",
		Call: callCDate,
	},
	{
		Name: "Coalesce", MinArgs: 1, MaxArgs: -1, Params: []string{"source..."},
		Signature: "Coalesce(source1, source2, ..., defaultValue)",
		Doc:       "The first argument that is not null; null when all are.",
		Call:      callCoalesce,
	},
	{
		Name: "ConvertToBase64", MinArgs: 1, MaxArgs: 1, Params: []string{"source"},
		Doc:  "Base64 of the string's UTF-16LE (.NET Unicode) bytes.",
		Call: callBase64,
	},
	{
		Name: "ConvertToUTF8Hex", MinArgs: 1, MaxArgs: 1, Params: []string{"source"},
		Doc:  "Upper-case hexadecimal of the string's UTF-8 bytes.",
		Call: callUTF8Hex,
	},
	{
		Name: "Count", MinArgs: 1, MaxArgs: 1, Params: []string{"attribute"},
		Doc:  "Number of values of a multi-valued attribute (1 for a single value, 0 for null).",
		Call: callCount,
	},
	{
		Name: "CStr", MinArgs: 1, MaxArgs: 1, Params: []string{"value"},
		Doc:  `A value as a string: booleans are "True"/"False", dates M/d/yyyy h:mm:ss tt.`,
		Call: callCStr,
	},
	{
		Name: "DateAdd", MinArgs: 3, MaxArgs: 3, Params: []string{"interval", "value", "dateTime"},
		Doc:   "Adds value intervals (yyyy, m, d, ww, h, n, s) to a date.",
		Call:  callDateAdd,
		Check: checkInterval,
	},
	{
		Name: "DateDiff", MinArgs: 3, MaxArgs: 3, Params: []string{"interval", "date1", "date2"},
		Doc:   "Number of interval boundaries (yyyy, m, d, ww, h, n, s) from date1 to date2; positive when date2 is later.",
		Call:  callDateDiff,
		Check: checkInterval,
	},
	{
		Name: "DateFromNum", MinArgs: 1, MaxArgs: 1, Params: []string{"value"},
		Doc:  "Converts an Active Directory date (100-nanosecond intervals since 1601-01-01 UTC) to a date.",
		Call: callDateFromNum,
	},
	{
		Name: "DefaultDomain", MinArgs: 0, MaxArgs: 0,
		Doc:  "The name of the tenant's default verified domain; an error when the tenant has none.",
		Call: callDefaultDomain,
	},
	{
		Name: "FormatDateTime", MinArgs: 3, MaxArgs: 4, Params: []string{"source", "[dateTimeStyles]", "inputFormat", "outputFormat"},
		Doc:   "Reads source with a .NET inputFormat and writes it with a .NET outputFormat; dateTimeStyles is optional.",
		Call:  callFormatDateTime,
		Check: checkFormatDateTime,
	},
	{
		Name: "Guid", MinArgs: 0, MaxArgs: 0,
		Doc:  "A random GUID, drawn from the caller's random source.",
		Call: callGuid,
	},
	{
		Name: "IgnoreFlowIfNullOrEmpty", MinArgs: 1, MaxArgs: 1, Params: []string{"expression"},
		Doc:  "Drops the target attribute from the flow when the expression is null or empty.",
		Call: callIgnoreFlow,
	},
	{
		Name: "IIF", MinArgs: 3, MaxArgs: 3, Params: []string{"condition", "valueIfTrue", "valueIfFalse"},
		Doc:   "valueIfTrue or valueIfFalse; as documented, a condition that reads a null or empty attribute fails and the result is null (use Switch).",
		Call:  callIIF,
		Check: checkIIF,
	},
	{
		Name: "InStr", MinArgs: 2, MaxArgs: 4, Params: []string{"value1", "value2", "[start]", "[compareType]"},
		Doc:  "1-based position of value2 in value1 from start, 0 if absent; compareType vbBinaryCompare (default) or vbTextCompare.",
		Call: callInStr,
	},
	{
		Name: "IsNull", MinArgs: 1, MaxArgs: 1, Params: []string{"expression"},
		Doc:  "True when the expression is null (an absent attribute).",
		Call: callIsNull,
	},
	{
		Name: "IsNullOrEmpty", MinArgs: 1, MaxArgs: 1, Params: []string{"expression"},
		Doc:  "True when the expression is null or an empty string.",
		Call: callIsNullOrEmpty,
	},
	{
		Name: "IsPresent", MinArgs: 1, MaxArgs: 1, Params: []string{"expression"},
		Doc:  "True when the expression is neither null nor empty.",
		Call: callIsPresent,
	},
	{
		Name: "IsString", MinArgs: 1, MaxArgs: 1, Params: []string{"expression"},
		Doc:  "True when the expression is a string.",
		Call: callIsString,
	},
	{
		Name: "Item", MinArgs: 2, MaxArgs: 2, Params: []string{"attribute", "index"},
		Doc:  "The index-th value (1-based) of a multi-valued attribute; null when out of range.",
		Call: callItem,
	},
	{
		Name: "Join", MinArgs: 2, MaxArgs: -1, Params: []string{"separator", "source..."},
		Doc:  "Joins the values with separator, flattening multi-valued sources and skipping null and empty values.",
		Call: callJoin,
	},
	{
		Name: "Left", MinArgs: 2, MaxArgs: 2, Params: []string{"String", "NumChars"},
		Doc:  "The first NumChars characters; all of them when NumChars < 0, \"\" when 0 or when String is null.",
		Call: callLeft,
	},
	{
		Name: "Len", MinArgs: 1, MaxArgs: 1, Params: []string{"String"},
		Doc:  "Number of characters of the string, or of a number as it prints (Len(42568.75) is 8); 0 when null or empty.",
		Call: callLen,
	},
	{
		Name: "Mid", MinArgs: 3, MaxArgs: 3, Params: []string{"source", "start", "length"},
		Doc:  "length characters from the 1-based position start.",
		Call: callMid,
	},
	{
		Name: "NormalizeDiacritics", MinArgs: 1, MaxArgs: 1, Params: []string{"source"},
		Doc:  "Replaces the characters of Microsoft's documented table (ä, ß, æ, ø, ...) with their plain equivalents.",
		Call: callNormalizeDiacritics,
	},
	{
		Name: "Not", MinArgs: 1, MaxArgs: 1, Params: []string{"source"},
		Doc:  `False when source is True or "True", otherwise True (a boolean).`,
		Call: callNot,
	},
	{
		Name: "Now", MinArgs: 0, MaxArgs: 0,
		Doc:  "The caller's clock in UTC, printed M/d/yyyy h:mm:ss tt.",
		Call: callNow,
	},
	{
		Name: "NumFromDate", MinArgs: 1, MaxArgs: 1, Params: []string{"value"},
		Doc:  "Converts an ISO 8601 date to Active Directory's format (accountExpires).",
		Call: callNumFromDate,
	},
	{
		Name: "PCase", MinArgs: 1, MaxArgs: 2, Params: []string{"source", "[wordSeparators]"},
		Doc:  "Upper-cases the first letter of each word and lower-cases the rest; words split at wordSeparators, or as .NET's ToTitleCase does.",
		Call: callPCase,
	},
	{
		Name: "RandomString", MinArgs: 5, MaxArgs: 6,
		Params: []string{"Length", "MinimumNumbers", "MinimumSpecialCharacters", "MinimumCapital", "MinimumLowerCase", "[CharactersToAvoid]"},
		Doc:    "A random string of Length (at most 256) characters with the given minimums, drawn from the caller's random source.",
		Call:   callRandomString,
		Check:  checkRandomString,
	},
	{
		Name: "Redact", MinArgs: 1, MaxArgs: 1, Params: []string{"attributeOrValue"},
		Doc:  "The value unchanged; provisioning logs show [Redact] instead.",
		Call: callRedact,
	},
	{
		Name: "RemoveDuplicates", MinArgs: 1, MaxArgs: 1, Params: []string{"attribute"},
		Doc:  "The values of a multi-valued attribute without duplicates, in their first order.",
		Call: callRemoveDuplicates,
	},
	{
		Name: "Replace", MinArgs: 7, MaxArgs: 7,
		Params: []string{"source", "[oldValue]", "[regexPattern]", "[regexGroupName]", "[replacementValue]", "[replacementAttributeName]", "[template]"},
		Doc:    "Five documented modes: oldValue+replacementValue, oldValue+template, regexPattern+replacementValue, regexPattern+regexGroupName+replacementValue, regexPattern+regexGroupName+replacementAttributeName.",
		Call:   callReplace,
		Check:  checkReplace,
	},
	{
		Name: "SelectUniqueValue", MinArgs: 2, MaxArgs: -1, Params: []string{"uniqueValueRule..."},
		Doc:  "The first rule whose value does not exist in the target (Env.Exists asks it); must be the whole expression. Entra supports it only for provisioning to Active Directory from Workday, SuccessFactors and API-driven inbound.",
		Call: callSelectUniqueValue,
	},
	{
		Name: "SingleAppRoleAssignment", MinArgs: 1, MaxArgs: 1, Params: []string{"appRoleAssignments"},
		Signature: "SingleAppRoleAssignment([appRoleAssignments])",
		Doc:       "The user's one app role; with several, the first (Entra does not support several).",
		Call:      callSingleRole,
	},
	{
		Name: "Split", MinArgs: 2, MaxArgs: 2, Params: []string{"source", "delimiter"},
		Doc:  "Splits source at delimiter into a multi-valued result; values are trimmed, as in the documented example.",
		Call: callSplit,
	},
	{
		Name: "StripSpaces", MinArgs: 1, MaxArgs: 1, Params: []string{"source"},
		Doc:  `Removes every space (" ") character.`,
		Call: callStripSpaces,
	},
	{
		Name: "Switch", MinArgs: 4, MaxArgs: -1, Params: []string{"source", "[defaultValue]", "key/value..."},
		Doc:   `The value of the first key equal to source (case-sensitive; null source equals ""), else defaultValue.`,
		Call:  callSwitch,
		Check: checkSwitch,
	},
	{
		Name: "ToLower", MinArgs: 1, MaxArgs: 2, Params: []string{"source", "[culture]"},
		Doc:   "Lower-cases source with the rules of culture (RFC 4646, e.g. tr-TR), or the invariant culture.",
		Call:  callToLower,
		Check: checkCulture,
	},
	{
		Name: "ToUpper", MinArgs: 1, MaxArgs: 2, Params: []string{"source", "[culture]"},
		Doc:   "Upper-cases source with the rules of culture (RFC 4646, e.g. tr-TR), or the invariant culture.",
		Call:  callToUpper,
		Check: checkCulture,
	},
	{
		Name: "Word", MinArgs: 3, MaxArgs: 3, Params: []string{"String", "WordNumber", "delimiters"},
		Doc:  "The WordNumber-th word (1-based) of String split at any of the delimiter characters; \"\" when there is none.",
		Call: callWord,
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
