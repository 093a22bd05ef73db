package expr

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse_Errors(t *testing.T) {
	attrs := WithAttributes([]string{"givenName", "surname", "mail", "telephoneNumber"})
	for _, tc := range []struct {
		name string
		src  string
		want string // the whole Error(): message, line and caret
	}{
		{"unknown function", `Joinn(" ", [givenName])`,
			"1:1: unknown function Joinn (did you mean Join?)\n  Joinn(\" \", [givenName])\n  ^"},
		{"case-sensitive function", `join(" ", [givenName], [surname])`,
			"1:1: unknown function join (did you mean Join? names are case-sensitive)\n  join(\" \", [givenName], [surname])\n  ^"},
		{"nested unknown function", `Join(" ", ToLowr([givenName]), [surname])`,
			"1:11: unknown function ToLowr (did you mean ToLower?)\n  Join(\" \", ToLowr([givenName]), [surname])\n            ^"},
		{"too few arguments", `Join(" ")`,
			"1:1: Join takes at least 2 arguments, got 1: Join(separator, source1, source2, ...)\n  Join(\" \")\n  ^"},
		{"too many arguments", `Left([givenName], 1, 2)`,
			"1:1: Left takes 2 arguments, got 3: Left(String, NumChars)\n  Left([givenName], 1, 2)\n  ^"},
		{"no arguments allowed", `Now(1)`,
			"1:1: Now takes 0 arguments, got 1: Now()\n  Now(1)\n  ^"},
		{"range of arguments", `InStr("a")`,
			"1:1: InStr takes 2 to 4 arguments, got 1: InStr(value1, value2, start, compareType)\n  InStr(\"a\")\n  ^"},
		{"unterminated string", `Append([givenName], ".test)`,
			"1:21: unterminated string: missing closing \"\n  Append([givenName], \".test)\n                      ^"},
		{"missing close paren", `Join(" ", [givenName], [surname]`,
			"1:5: missing \")\" to close Join(\n  Join(\" \", [givenName], [surname]\n      ^"},
		{"extra close paren", `Join(" ", [givenName]))`,
			"1:23: unexpected \")\" without a matching \"(\"\n  Join(\" \", [givenName]))\n                        ^"},
		{"unterminated attribute", `Join(" ", [givenName, [surname])`,
			"1:23: unexpected \"[\" inside attribute name: missing \"]\"\n  Join(\" \", [givenName, [surname])\n                        ^"},
		{"unterminated attribute at end", `Append([givenName`,
			"1:8: unterminated attribute: missing \"]\"\n  Append([givenName\n         ^"},
		{"stray close bracket", `Append(givenName], "x")`,
			"1:17: unexpected \"]\" without a matching \"[\"\n  Append(givenName], \"x\")\n                  ^"},
		{"bare name", `Append(givenName, "x")`,
			"1:8: unknown name givenName: a value must be a function call, an [attribute], a \"string\" or a number\n  Append(givenName, \"x\")\n         ^"},
		{"function without parentheses", `Append(Guid, "x")`,
			"1:12: missing \"(\" after function name Guid\n  Append(Guid, \"x\")\n             ^"},
		{"unknown attribute", `Join(" ", [givenNme], [surname])`,
			"1:11: unknown attribute [givenNme] (did you mean [givenName]?)\n  Join(\" \", [givenNme], [surname])\n            ^"},
		{"unknown attribute, nothing close", `Append([department], "x")`,
			"1:8: unknown attribute [department]\n  Append([department], \"x\")\n         ^"},
		{"invalid escape", `Replace([mail], , "\d+", , "", , )`,
			"1:20: invalid escape \\d in string: only \\\\ and \\\" are escapes; write \\\\d for a literal backslash\n  Replace([mail], , \"\\d+\", , \"\", , )\n                     ^"},
		{"empty required argument", `Append(, "x")`,
			"1:8: Append: argument 1 (source) is required and cannot be empty: Append(source, suffix)\n  Append(, \"x\")\n         ^"},
		{"missing comma", `Append([mail] "x")`,
			"1:15: expected \",\" or \")\" after argument 1 of Append, found string \"x\"\n  Append([mail] \"x\")\n                ^"},
		{"chained comparison", `IIF([mail] = "a" = "b", "x", "y")`,
			"1:18: comparisons cannot be chained ([mail] = ... = ...): nest IIF calls instead\n  IIF([mail] = \"a\" = \"b\", \"x\", \"y\")\n                   ^"},
		{"trailing text", `Append([mail], "x") [mail]`,
			"1:21: unexpected attribute [mail] after the end of the expression\n  Append([mail], \"x\") [mail]\n                      ^"},
		{"empty expression", ``,
			"1:1: unexpected end of expression: expected a function call, an [attribute], a \"string\" or a number\n  \n  ^"},
		{"odd Switch", `Switch([mail], "d", "k")`,
			"1:1: Switch takes at least 4 arguments, got 3: Switch(source, defaultValue, key1, value1, key2, value2, ...)\n  Switch([mail], \"d\", \"k\")\n  ^"},
		{"unpaired Switch", `Switch([mail], "d", "k1", "v1", "k2")`,
			"1:1: Switch: keys and values must come in pairs, so the number of arguments must be even, got 5: Switch(source, defaultValue, key1, value1, key2, value2, ...)\n  Switch([mail], \"d\", \"k1\", \"v1\", \"k2\")\n  ^"},
		{"nested SelectUniqueValue", `ToLower(SelectUniqueValue([mail], [givenName]))`,
			"1:9: SelectUniqueValue must be the whole expression: it cannot be nested inside another function\n  ToLower(SelectUniqueValue([mail], [givenName]))\n          ^"},
		{"lookahead", `Replace([mail], , "a(?=b)", , "", , )`,
			"1:19: Replace: argument 3 (regexPattern): regular expression \"a(?=b)\" uses a lookahead (?=...) at offset 1, which Go's RE2 engine cannot run\n  Replace([mail], , \"a(?=b)\", , \"\", , )\n                    ^"},
		{"backreference", `Replace([mail], , "(a)\\1", , "", , )`,
			"1:19: Replace: argument 3 (regexPattern): regular expression \"(a)\\\\1\" uses a backreference \\1 at offset 3, which Go's RE2 engine cannot run\n  Replace([mail], , \"(a)\\\\1\", , \"\", , )\n                    ^"},
		{"unknown group", `Replace([mail], , "(?<user>[^@]*)@", "domain", "", , )`,
			"1:38: Replace: argument 4 (regexGroupName): the pattern has no group named \"domain\" (its named groups: \"user\")\n  Replace([mail], , \"(?<user>[^@]*)@\", \"domain\", \"\", , )\n                                       ^"},
		{"invalid regex", `Replace([mail], , "[a-", , "", , )`,
			"1:19: Replace: argument 3 (regexPattern): regular expression \"[a-\": unterminated character class [\n  Replace([mail], , \"[a-\", , \"\", , )\n                    ^"},
		{"Replace without mode", `Replace([mail], , , , , , )`,
			"1:1: Replace: give oldValue or regexPattern; the documented modes are oldValue+replacementValue, oldValue+template, regexPattern+replacementValue, regexPattern+regexGroupName+replacementValue and regexPattern+regexGroupName+replacementAttributeName\n  Replace([mail], , , , , , )\n  ^"},
		{"bad interval", `DateAdd("days", 1, Now())`,
			"1:9: DateAdd: argument 1 (interval): unknown interval \"days\": use one of yyyy, m, d, ww, h, n, s\n  DateAdd(\"days\", 1, Now())\n          ^"},
		{"bad date format", `FormatDateTime([mail], , "yyyy-MM-dd'T", "yyyy")`,
			"1:26: FormatDateTime: argument 3 (inputFormat): format \"yyyy-MM-dd'T\": unterminated quoted literal starting at 11\n  FormatDateTime([mail], , \"yyyy-MM-dd'T\", \"yyyy\")\n                           ^"},
		{"bad DateTimeStyles", `FormatDateTime([mail], "Roundtrip", "yyyy", "yyyy")`,
			"1:24: FormatDateTime: argument 2 (dateTimeStyles): unknown DateTimeStyles value \"Roundtrip\": use None, AllowLeadingWhite, AllowTrailingWhite, AllowInnerWhite, AllowWhiteSpaces, NoCurrentDateDefault, AdjustToUniversal, AssumeLocal, AssumeUniversal, RoundtripKind\n  FormatDateTime([mail], \"Roundtrip\", \"yyyy\", \"yyyy\")\n                         ^"},
		{"RandomString too long", `RandomString(300, 1, 1, 1, 1)`,
			"1:1: RandomString: Length must be between 1 and 256, got 300\n  RandomString(300, 1, 1, 1, 1)\n  ^"},
		{"RandomString minimums", `RandomString(3, 1, 1, 1, 1)`,
			"1:1: RandomString: Length 3 is less than the sum of the minimums (4)\n  RandomString(3, 1, 1, 1, 1)\n  ^"},
		{"bad culture", `ToLower([mail], "xx-!!")`,
			"1:17: ToLower: argument 2 (culture): culture \"xx-!!\" is not an RFC 4646 name such as en-US or tr-TR\n  ToLower([mail], \"xx-!!\")\n                  ^"},
		{"bad hex", `BitAnd(&G1, 1)`,
			"1:8: \"&\" must start a hexadecimal number such as &HF7\n  BitAnd(&G1, 1)\n         ^"},
		{"second line", "Join(\" \",\n  [givenName],\n  [surnme])",
			"3:3: unknown attribute [surnme] (did you mean [surname]?)\n    [surnme])\n    ^"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.src, attrs)
			if err == nil {
				t.Fatalf("Parse(%q) succeeded, want error %q", tc.src, tc.want)
			}
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q) error is %T, want *Error", tc.src, err)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("Parse(%q) error mismatch (-want +got):\n%s", tc.src, cmp.Diff(strings.Split(tc.want, "\n"), strings.Split(got, "\n")))
			}
		})
	}
}

func TestParse_MaxLength(t *testing.T) {
	ok := `Append([a], "` + strings.Repeat("x", MaxLength-len(`Append([a], "")`)) + `")`
	if _, err := Parse(ok); err != nil {
		t.Fatalf("Parse of exactly %d characters: %v", MaxLength, err)
	}
	long := `Append([a], "` + strings.Repeat("é", MaxLength) + `")`
	_, err := Parse(long)
	var pe *Error
	if !errors.As(err, &pe) {
		t.Fatalf("Parse of %d characters: error %v, want *Error", len([]rune(long)), err)
	}
	if want := "expression is 10015 characters long; Entra accepts at most 10000"; pe.Msg != want {
		t.Errorf("Msg = %q, want %q", pe.Msg, want)
	}
	// The snippet of a long line is windowed around the caret.
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 3 || len([]rune(lines[1])) > snippetWidth+10 || !strings.HasSuffix(lines[2], "^") {
		t.Errorf("error snippet is not windowed:\n%s", err)
	}
}

func TestExpr_String(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{`Join(" ",[givenName],[surname])`, `Join(" ", [givenName], [surname])`},
		{`Replace([x], , "re", , "", , )`, `Replace([x], , "re", , "", , )`},
		{`Replace([mail], "@contoso.com", , ,"", ,)`, `Replace([mail], "@contoso.com", , , "", , )`},
		{`IIF([country]="USA",[country],[department])`, `IIF([country] = "USA", [country], [department])`},
		{"Append( [a] ,\n\t\"say \\\"hi\\\" \\\\ \" )", `Append([a], "say \"hi\" \\ ")`},
		{`BitAnd(&HF, -10)`, `BitAnd(&HF, -10)`},
		{`InStr("a", "b", 1, vbTextCompare)`, `InStr("a", "b", 1, vbTextCompare)`},
		{`Guid( )`, `Guid()`},
		{`[mail]`, `[mail]`},
	} {
		e, err := Parse(tc.src)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tc.src, err)
		}
		if got := e.String(); got != tc.want {
			t.Errorf("Parse(%q).String() = %s, want %s", tc.src, got, tc.want)
		}
		// The canonical form parses to itself.
		if again := MustParse(e.String()).String(); again != tc.want {
			t.Errorf("canonical form of %q does not round-trip: %s", tc.src, again)
		}
	}
}

func TestExpr_Tree(t *testing.T) {
	e := MustParse(`IIF([country] = "USA", Join(" ", [givenName], [surname]), Replace([x], , "a", , "b", , ))`)
	want := `IIF()
  condition: =
    [country] (attribute)
    "USA"
  valueIfTrue: Join()
    separator: " "
    source1: [givenName] (attribute)
    source2: [surname] (attribute)
  valueIfFalse: Replace()
    source: [x] (attribute)
    oldValue: (omitted)
    regexPattern: "a"
    regexGroupName: (omitted)
    replacementValue: "b"
    replacementAttributeName: (omitted)
    template: (omitted)
`
	if diff := cmp.Diff(want, e.Tree()); diff != "" {
		t.Errorf("Tree() mismatch (-want +got):\n%s", diff)
	}
	sw := MustParse(`Switch([s], , "k", "v", "k2", InStr("a", "b", 1, vbTextCompare))`).Tree()
	for _, line := range []string{"  defaultValue: (omitted)", "  key1: \"k\"", "  value1: \"v\"", "  key2: \"k2\"", "    compareType: vbTextCompare = 1"} {
		if !strings.Contains(sw, line+"\n") {
			t.Errorf("Switch tree lacks line %q:\n%s", line, sw)
		}
	}
}

func TestExpr_Attributes(t *testing.T) {
	e := MustParse(`Join(" ", [surname], IIF([country]="USA", [givenName], [surname]))`)
	if diff := cmp.Diff([]string{"country", "givenName", "surname"}, e.Attributes()); diff != "" {
		t.Errorf("Attributes() mismatch (-want +got):\n%s", diff)
	}
	if got := MustParse(`Guid()`).Attributes(); len(got) != 0 {
		t.Errorf("Guid().Attributes() = %v, want none", got)
	}
}

func TestParse_Accepts(t *testing.T) {
	for _, src := range []string{
		`Replace([x], , "re", , "", , )`,
		"SelectUniqueValue(\n    Join(\"@\", [a], \"contoso.com\"),\n    Join(\"@\", [b], \"contoso.com\")\n)",
		`Switch(IsPresent([directManager]),[directManager], IsPresent([skiplevelManager]),[skiplevelManager], IsPresent([director]),[director])`,
		`Redact(RandomString(6,3,0,0,3))`,
		`FormatDateTime([d], "AdjustToUniversal, AllowWhiteSpaces", "o", "yyyy")`,
		`FormatDateTime([d], "yyyy-MM-dd", "dd.MM.yyyy")`,
		`CBool(1.5)`,
		`[extension_abc123_costCenter]`,
		`"constant"`,
	} {
		if _, err := Parse(src); err != nil {
			t.Errorf("Parse(%q): %v", src, err)
		}
	}
}

func TestExpr_Redacted(t *testing.T) {
	for src, want := range map[string]bool{
		`Redact([userPrincipalName])`:         true,
		`Join(" ", Redact([a]), [b])`:         true,
		`Join(" ", [a], [b])`:                 false,
		`Replace([a], "Redact", , , "x", , )`: false,
	} {
		if got := MustParse(src).Redacted(); got != want {
			t.Errorf("Parse(%s).Redacted() = %v, want %v", src, got, want)
		}
	}
}
