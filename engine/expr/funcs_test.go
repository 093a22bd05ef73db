package expr

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/unicode/norm"
)

// Behaviour the reference states in prose rather than by example, and how values flow.
type evalCase struct {
	name   string
	expr   string
	attrs  map[string]any
	now    string // RFC 3339; the clock of Now()
	want   any
	reason string
}

func runEvalCases(t *testing.T, cases []evalCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, err := Parse(tc.expr)
			if err != nil {
				t.Fatalf("Parse(%s): %v", tc.expr, err)
			}
			env := Env{Attrs: tc.attrs}
			if tc.now != "" {
				now, err := time.Parse(time.RFC3339, tc.now)
				if err != nil {
					t.Fatal(err)
				}
				env.Now = func() time.Time { return now }
			}
			got, err := e.Eval(env)
			if err != nil {
				t.Fatalf("Eval(%s): %v", tc.expr, err)
			}
			if diff := cmp.Diff(tc.want, got, cmp.Comparer(func(a, b ignore) bool { return true })); diff != "" {
				t.Errorf("Eval(%s) mismatch (-want +got):\n%s\n%s", tc.expr, diff, tc.reason)
			}
		})
	}
}

func TestExpr_Eval_Functions(t *testing.T) {
	multi := map[string]any{"proxyAddresses": []any{"SMTP:a@x", "smtp:b@x", "smtp:b@x", "smtp:A@x"}, "roles": []string{"Admin", "User"}}
	runEvalCases(t, []evalCase{
		// Nulls: a missing attribute is null and a null source is not provisioned.
		{name: "null attribute", expr: `[missing]`, want: nil},
		{name: "Append null source", expr: `Append([missing], ".test")`, want: nil},
		{name: "ToLower null", expr: `ToLower([missing])`, want: nil},
		{name: "Left null is empty", expr: `Left([missing], 2)`, want: "", reason: "documented: If string is null, return empty string"},
		{name: "Left zero", expr: `Left("John", 0)`, want: ""},
		{name: "Left negative", expr: `Left("John", -1)`, want: "John"},
		{name: "Left longer", expr: `Left("John", 10)`, want: "John"},
		{name: "Left runes", expr: `Left("Zoë Ærø", 3)`, want: "Zoë"},
		{name: "Word null is empty", expr: `Word([missing], 1, " ")`, want: ""},
		{name: "Word zero", expr: `Word("a b", 0, " ")`, want: ""},
		{name: "Word beyond", expr: `Word("a b", 3, " ")`, want: ""},
		{name: "Word repeated delimiters", expr: `Word("a,,b", 2, ",")`, want: "b"},
		{name: "Mid", expr: `Mid("abcdef", 2, 3)`, want: "bcd"},
		{name: "Mid past end", expr: `Mid("abcdef", 5, 10)`, want: "ef"},
		{name: "Mid start past end", expr: `Mid("abc", 7, 1)`, want: ""},
		{name: "Coalesce all null", expr: `Coalesce([a], [b])`, want: nil},
		{name: "Coalesce default", expr: `Coalesce([a], [b], "none")`, want: "none"},
		{name: "Coalesce empty string is a value", expr: `Coalesce([a], [b])`, attrs: map[string]any{"a": "", "b": "x"}, want: ""},
		{name: "Join skips null", expr: `Join(" ", [givenName], [middle], [surname])`,
			attrs: map[string]any{"givenName": "A", "surname": "B"}, want: "A B"},
		{name: "Join all null", expr: `Join(" ", [a], [b])`, want: ""},
		{name: "Join multi-valued", expr: `Join(";", [proxyAddresses])`, attrs: multi, want: "SMTP:a@x;smtp:b@x;smtp:b@x;smtp:A@x"},
		{name: "Join number and boolean", expr: `Join("-", 1000, IsNull([x]), [n])`, attrs: map[string]any{"n": 7}, want: "1000-True-7"},
		{name: "Switch null source default", expr: `Switch([x], "d", "a", "1", "b", "2")`, want: "d"},
		{name: "Switch omitted default", expr: `Switch([x], , "a", "1", "b", "2")`, attrs: map[string]any{"x": "c"}, want: nil},
		{name: "Switch case-sensitive", expr: `Switch([x], "d", "true", "1")`, attrs: map[string]any{"x": "True"}, want: "d"},
		{name: "Switch boolean source", expr: `Switch([IsSoftDeleted], "?", "True", "deleted", "False", "active")`,
			attrs: map[string]any{"IsSoftDeleted": false}, want: "active"},

		{name: "nested IgnoreFlowIfNullOrEmpty is null", expr: `Coalesce(IgnoreFlowIfNullOrEmpty([a]), "fallback")`, want: "fallback"},
		{name: "nested IgnoreFlowIfNullOrEmpty in Append", expr: `Append(IgnoreFlowIfNullOrEmpty([a]), "x")`, want: nil},
		{name: "IgnoreFlowIfNullOrEmpty of a nested one", expr: `IgnoreFlowIfNullOrEmpty(IgnoreFlowIfNullOrEmpty([a]))`, want: Ignore},

		// Booleans: results stay booleans; as strings they are "True"/"False".
		{name: "Not boolean", expr: `Not([IsSoftDeleted])`, attrs: map[string]any{"IsSoftDeleted": true}, want: false},
		{name: "Not false", expr: `Not([IsSoftDeleted])`, attrs: map[string]any{"IsSoftDeleted": false}, want: true},
		{name: "Not string", expr: `Not("True")`, want: false},
		{name: "Not string any case", expr: `Not("true")`, want: false},
		{name: "Not other", expr: `Not("yes")`, want: true, reason: "documented: otherwise, returns True"},
		{name: "CStr boolean", expr: `CStr(Not([IsSoftDeleted]))`, attrs: map[string]any{"IsSoftDeleted": true}, want: "False"},
		{name: "CStr number", expr: `CStr([n])`, attrs: map[string]any{"n": int64(42)}, want: "42"},
		{name: "CStr float", expr: `CStr([n])`, attrs: map[string]any{"n": 2.5}, want: "2.5"},
		{name: "CStr date", expr: `CStr([d])`, attrs: map[string]any{"d": time.Date(2026, 11, 25, 0, 5, 0, 0, time.UTC)}, want: "11/25/2026 12:05:00 AM"},
		{name: "CBool zero", expr: `CBool("0")`, want: false},
		{name: "CBool number", expr: `CBool(2)`, want: true},
		{name: "CBool False", expr: `CBool("False")`, want: false},
		{name: "IsString", expr: `IsString([s])`, attrs: map[string]any{"s": "x"}, want: true},
		{name: "IsString boolean", expr: `IsString([b])`, attrs: map[string]any{"b": true}, want: false},
		{name: "IsString null", expr: `IsString([x])`, want: false},
		{name: "IsPresent", expr: `IsPresent([s])`, attrs: map[string]any{"s": "x"}, want: true},
		{name: "IsPresent empty list", expr: `IsPresent([l])`, attrs: map[string]any{"l": []string{}}, want: false},
		{name: "IIF boolean condition", expr: `IIF(IsPresent("x"), "yes", "no")`, want: "yes"},
		{name: "IIF string condition", expr: `IIF("False", "yes", "no")`, want: "no"},
		{name: "IIF numbers", expr: `IIF([n] >= 10, "big", "small")`, attrs: map[string]any{"n": "9"}, want: "small",
			reason: "numbers compare as numbers, so \"9\" < 10 although \"9\" > \"10\" as strings"},
		{name: "IIF two numeric strings compare as strings", expr: `IIF([id] = "7", "same", "different")`,
			attrs: map[string]any{"id": "007"}, want: "different"},
		{name: "IIF strings ordinal", expr: `IIF([s] < "b", "before", "after")`, attrs: map[string]any{"s": "B"}, want: "before"},
		{name: "IIF not equal", expr: `IIF([s] <> "x", "diff", "same")`, attrs: map[string]any{"s": "x"}, want: "same"},
		{name: "IIF dates", expr: `IIF(CDate([d]) > CDate("2020-01-01"), "later", "earlier")`, attrs: map[string]any{"d": "2021-06-30"}, want: "later"},
		{name: "IIF untaken branch not evaluated", expr: `IIF("True", "ok", Mid("x", 0, 1))`, want: "ok"},

		// Multi-valued attributes.
		{name: "Count", expr: `Count([proxyAddresses])`, attrs: multi, want: "4"},
		{name: "Count single", expr: `Count([s])`, attrs: map[string]any{"s": "x"}, want: "1"},
		{name: "Count null", expr: `Count([missing])`, want: "0"},
		{name: "Item out of range", expr: `Item([proxyAddresses], 5)`, attrs: multi, want: nil},
		{name: "Item zero", expr: `Item([proxyAddresses], 0)`, attrs: multi, want: nil},
		{name: "RemoveDuplicates", expr: `RemoveDuplicates([proxyAddresses])`, attrs: multi, want: []string{"SMTP:a@x", "smtp:b@x", "smtp:A@x"},
			reason: "values compare case-sensitively: SMTP: marks the primary proxy address"},
		{name: "Split result", expr: `Split("a;b;;c", ";")`, want: []string{"a", "b", "", "c"}},
		{name: "AppRoleAssignmentsComplex", expr: `AppRoleAssignmentsComplex([roles])`, attrs: multi, want: []string{"Admin", "User"}},
		{name: "AssertiveAppRoleAssignmentsComplex", expr: `AssertiveAppRoleAssignmentsComplex([roles])`, attrs: multi, want: []string{"Admin", "User"}},
		{name: "SingleAppRoleAssignment", expr: `SingleAppRoleAssignment([roles])`, attrs: multi, want: "Admin"},
		{name: "SingleAppRoleAssignment none", expr: `SingleAppRoleAssignment([roles])`, want: nil},
		{name: "single-valued list reads as its value", expr: `ToUpper([l])`, attrs: map[string]any{"l": []any{"x"}}, want: "X"},

		// Strings.
		{name: "InStr not found", expr: `InStr("abc", "z")`, want: "0"},
		{name: "InStr text compare", expr: `InStr("ABC", "b", 1, vbTextCompare)`, want: "2"},
		{name: "InStr binary compare", expr: `InStr("ABC", "b", 1, vbBinaryCompare)`, want: "0"},
		{name: "StripSpaces", expr: "StripSpaces(\" a b\tc \")", want: "ab\tc"},
		{name: "ToUpper Turkish", expr: `ToUpper("istanbul", "tr-TR")`, want: "İSTANBUL"},
		{name: "ToLower invariant", expr: `ToLower("ISTANBUL")`, want: "istanbul"},
		{name: "ToLower Turkish", expr: `ToLower("ISTANBUL", "tr-TR")`, want: "ıstanbul"},
		{name: "ToUpper one character at a time", expr: `ToUpper("straße", "de-DE")`, want: "STRAßE",
			reason: ".NET's TextInfo.ToUpper maps characters one by one and has no upper case for ß"},
		{name: "PCase apostrophe inside word", expr: `PCase("o'NEIL-SMITH")`, want: "O'neil-Smith",
			reason: ".NET ToTitleCase keeps an apostrophe between letters inside the word"},
		{name: "PCase digits", expr: `PCase("4TH floor, 2ND-3RD")`, want: "4Th Floor, 2Nd-3Rd",
			reason: ".NET ToTitleCase title-cases the first letter after a digit, as it starts no word"},
		{name: "PCase custom separators keep digits in words", expr: `PCase("4TH floor", " ")`, want: "4th Floor"},
		{name: "PCase underscore and quotes separate", expr: `PCase("ANNE_MARIE «JO»")`, want: "Anne_Marie «Jo»"},
		{name: "ConvertToBase64 non-ASCII", expr: `ConvertToBase64("é")`, want: "6QA="},
		{name: "NormalizeDiacritics ligatures", expr: `NormalizeDiacritics("Ærøskøbing Straße Łódź")`, want: "AEroeskoebing Strasse Lodz"},
		{name: "NormalizeDiacritics combining", expr: "NormalizeDiacritics(\"a\u0331 \u0100\u0301 A\u0304\u0301 x\u0301\")", want: "a A A x\u0301",
			reason: "sequences of the table are replaced, composed or not; a combining mark on a letter outside the table stays"},
		{name: "Replace every occurrence", expr: `Replace("a.b.c", ".", , , "-", , )`, want: "a-b-c"},
		{name: "Replace .NET group numbering", expr: `Replace("jsmith@contoso.com", , "(?<Suffix>@(.)*)", , "[$1|$2]", , )`,
			want: "jsmith[m|@contoso.com]", reason: ".NET numbers unnamed groups before named ones: $1 is (.), $2 is Suffix"},
		{name: "Replace whole match and escapes", expr: `Replace("ab", , "b", , "<$&$$>", , )`, want: "a<b$>"},
		{name: "Replace missing group stays literal", expr: `Replace("ab", , "b", , "${nope}$9", , )`, want: "a${nope}$9"},
		{name: "Replace $1 followed by digit", expr: `Replace("ab", , "(b)", , "$10", , )`, want: "ab0",
			reason: "$10 names no group, so .NET reads $1 followed by 0"},
		{name: "Replace empty match after a match", expr: `Replace("ab1", , "[a-z]*", , "-", , )`, want: "-1-",
			reason: "RE2 finds no empty match right after a non-empty one; .NET does and gives --1- (documented difference)"},
		{name: "Replace computed pattern", expr: `Replace("a1b2", , [p], , "#", , )`, attrs: map[string]any{"p": "\\d"}, want: "a#b#"},
		{name: "Replace null source", expr: `Replace([x], "a", , , "b", , )`, want: nil},
		{name: "Replace extract with source present", expr: `Replace([t], , "(?<d>\\d+)", "d", , [m], )`,
			attrs: map[string]any{"t": "keep", "m": "x 42"}, want: "keep"},
		{name: "Replace extract no match", expr: `Replace([t], , "(?<d>\\d+)", "d", , [m], )`,
			attrs: map[string]any{"m": "none"}, want: nil},

		// Dates.
		{name: "DateAdd clamps to month end", expr: `DateAdd("m", 1, CDate("2024-01-31"))`, want: "2/29/2024 12:00:00 AM"},
		{name: "DateAdd hours", expr: `DateAdd("h", 25, CDate("2024-01-31T23:00:00Z"))`, want: "2/2/2024 12:00:00 AM"},
		{name: "DateDiff year boundary", expr: `DateDiff("yyyy", CDate("12/31/2020 11:59:59 PM"), CDate("1/1/2021"))`, want: "1"},
		{name: "DateDiff date attribute", expr: `DateDiff("d", [a], [b])`,
			attrs: map[string]any{"a": time.Date(2026, 1, 1, 23, 0, 0, 0, time.UTC), "b": "2026-01-02T01:00:00Z"}, want: "1"},
		{name: "DateFromNum string", expr: `DateFromNum([lastLogonTimestamp])`,
			attrs: map[string]any{"lastLogonTimestamp": "129699324000000000"}, want: "1/1/2012 11:00:00 PM"},
		{name: "NumFromDate round trip", expr: `NumFromDate(DateFromNum(129699324000000000))`, want: "129699324000000000"},
		{name: "FormatDateTime names", expr: `FormatDateTime("2024-02-09", , "yyyy-MM-dd", "dddd, MMMM d, yyyy")`, want: "Friday, February 9, 2024"},
		{name: "FormatDateTime three arguments", expr: `FormatDateTime("09.02.2024", "dd.MM.yyyy", "yyyyMMdd")`, want: "20240209"},
		{name: "FormatDateTime null", expr: `FormatDateTime([x], , "yyyy", "yy")`, want: nil},
		{name: "FormatDateTime standard o", expr: `FormatDateTime("2024-02-09 13:04:05", , "yyyy-MM-dd HH:mm:ss", "o")`, want: "2024-02-09T13:04:05.0000000Z"},
		{name: "FormatDateTime date value", expr: `FormatDateTime(Now(), , "yyyy", "yyyy-MM-ddTHH:mm:ssK")`, now: "2026-11-25T10:00:00Z", want: "2026-11-25T10:00:00Z"},
		{name: "SelectUniqueValue skips empty rules", expr: `SelectUniqueValue([a], [b])`, attrs: map[string]any{"b": "x"}, want: "x"},

		// Len: "If the string is null or empty, then it returns 0."
		{name: "Len null", expr: `Len([missing])`, want: "0"},
		{name: "Len empty", expr: `Len([e])`, attrs: map[string]any{"e": ""}, want: "0"},
		{name: "Len counts characters", expr: `Len([n])`, attrs: map[string]any{"n": "Zoë"}, want: "3"},
		{name: "Len boolean", expr: `Len(IsNull([missing]))`, want: "4", reason: "a boolean prints True"},
		{name: "Len integer attribute", expr: `Len([n])`, attrs: map[string]any{"n": 42568}, want: "5"},
		{name: "Len compares as a number", expr: `IIF(Len([n]) > 10, "long", "short")`, attrs: map[string]any{"n": "abcdefghijk"}, want: "long",
			reason: "11 > 10 numerically; as strings \"11\" < \"10\" would be false"},
		{name: "Switch on IsPresent", expr: `Switch(IsPresent([x]), "default", "true", "present")`, attrs: map[string]any{"x": "a"}, want: "default",
			reason: "the reference's caution: IsPresent gives a boolean, which prints True, and Switch compares case-sensitively"},
	})
}

func TestExpr_Eval_SelectUniqueValue(t *testing.T) {
	e := MustParse(`SelectUniqueValue(Join("@", [first], "contoso.com"), Join("@", Join(".", Mid([first], 1, 1), [last]), "contoso.com"))`)
	attrs := map[string]any{"first": "John", "last": "Smith"}
	taken := map[string]bool{"John@contoso.com": true}
	var asked []string
	exists := func(v string) (bool, error) { asked = append(asked, v); return taken[v], nil }
	got, err := e.Eval(Env{Attrs: attrs, Exists: exists})
	if err != nil || got != "J.Smith@contoso.com" {
		t.Fatalf("Eval = %v, %v; want J.Smith@contoso.com", got, err)
	}
	if want := []string{"John@contoso.com", "J.Smith@contoso.com"}; !cmp.Equal(asked, want) {
		t.Errorf("Exists was asked %q, want %q in the order of the rules", asked, want)
	}

	asked = nil
	taken["J.Smith@contoso.com"] = true
	_, err = e.Eval(Env{Attrs: attrs, Exists: exists})
	if !errors.Is(err, ErrNoUniqueValue) || !strings.Contains(err.Error(), `("John@contoso.com", "J.Smith@contoso.com"), so the entry is escrowed`) {
		t.Errorf("Eval with every value taken: err = %v, want ErrNoUniqueValue naming the values", err)
	}

	// A failed lookup ends the evaluation, and the caller can inspect what failed.
	lookup := errors.New("503 from the target")
	_, err = e.Eval(Env{Attrs: attrs, Exists: func(string) (bool, error) { return false, lookup }})
	if !errors.Is(err, lookup) || !strings.Contains(err.Error(), `SelectUniqueValue: checking whether "John@contoso.com" exists in the target: 503 from the target`) {
		t.Errorf("Eval with a failing lookup: err = %v, want it wrapped", err)
	}

	// Rules that give nothing are not looked up; when none gives a value the result is null.
	got, err = MustParse(`SelectUniqueValue([a], [b])`).Eval(Env{Exists: func(string) (bool, error) {
		t.Error("Exists called for a null rule")
		return false, nil
	}})
	if err != nil || got != nil {
		t.Errorf("SelectUniqueValue of null rules = %v, %v; want null", got, err)
	}
}

func TestExpr_Eval_DefaultDomain(t *testing.T) {
	e := MustParse(`Join("@", [mailNickname], DefaultDomain())`)
	got, err := e.Eval(Env{Attrs: map[string]any{"mailNickname": "jsmith"}, DefaultDomain: "fabrikam.onmicrosoft.com"})
	if err != nil || got != "jsmith@fabrikam.onmicrosoft.com" {
		t.Errorf("Eval = %v, %v; want jsmith@fabrikam.onmicrosoft.com", got, err)
	}
	_, err = e.Eval(Env{Attrs: map[string]any{"mailNickname": "jsmith"}})
	if !errors.Is(err, ErrNoDefaultDomain) {
		t.Errorf("Eval without a default domain: err = %v, want ErrNoDefaultDomain", err)
	}
	if _, err := Parse(`DefaultDomain("contoso.com")`); err == nil || !strings.Contains(err.Error(), "DefaultDomain takes 0 arguments, got 1: DefaultDomain()") {
		t.Errorf("DefaultDomain with an argument: err = %v", err)
	}
}

func TestExpr_Eval_Errors(t *testing.T) {
	for _, tc := range []struct {
		expr  string
		attrs map[string]any
		want  string
	}{
		{`Mid("abc", 0, 1)`, nil, "1:1: Mid: start must be 1 or more (the first character is 1), got 0\n  Mid(\"abc\", 0, 1)\n  ^"},
		{`Left("abc", [n])`, map[string]any{"n": "two"}, "1:1: Left: argument 2 (NumChars): \"two\" is not a number"},
		{`ToUpper([p])`, map[string]any{"p": []any{"a", "b"}}, "1:1: ToUpper: argument 1 (source): value [\"a\" \"b\"] is multi-valued; pick one value with Item, or combine them with Join"},
		{`CDate([d])`, map[string]any{"d": "yesterday"}, "1:1: CDate: argument 1 (expression): \"yesterday\" is not a date"},
		{`FormatDateTime([d], , "yyyy-MM-dd", "yyyy")`, map[string]any{"d": "2024/01/01"}, "1:1: FormatDateTime: \"2024/01/01\" does not match date format \"yyyy-MM-dd\": expected \"-\""},
		{`IIF([c], "a", "b")`, map[string]any{"c": "maybe"}, "1:1: IIF: condition [c]: \"maybe\" is not a boolean: expected True, False or a number"},
		{`Join(" ", [x])`, map[string]any{"x": map[string]any{}}, "1:11: attribute [x]: unsupported value of type map[string]interface {}"},
		{`Append("a", Mid("abc", -1, 1))`, nil, "1:13: Mid: start must be 1 or more"},
		{`IIF([a] > CDate("2020-01-01"), "x", "y")`, map[string]any{"a": "soon"}, "1:9: cannot compare [a] > CDate(\"2020-01-01\"): \"soon\" is not a date"},
		{`RandomString([n], 0, 0, 0, 0)`, map[string]any{"n": 0}, "1:1: RandomString: Length must be between 1 and 256, got 0"},
		{`RandomString(3, 0, 0, 0, 1, "abcdefghijklmnopqrstuvwxyz")`, nil, "1:1: RandomString: CharactersToAvoid \"abcdefghijklmnopqrstuvwxyz\" leaves no characters for a required class"},
		{`DateFromNum(-5)`, nil, "1:1: DateFromNum: -5 is outside the range of Active Directory dates"},
		{`Len([p])`, map[string]any{"p": []any{"a", "b"}}, "1:1: Len: argument 1 (String): value [\"a\" \"b\"] is multi-valued; pick one value with Item, or combine them with Join"},
		{`Append([nick], DefaultDomain())`, map[string]any{"nick": "a"}, "1:16: DefaultDomain: the tenant has no default verified domain"},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			_, err := MustParse(tc.expr).Eval(Env{Attrs: tc.attrs})
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Eval(%s) error = %v, want *Error", tc.expr, err)
			}
			if !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("Eval(%s) error =\n%s\nwant prefix\n%s", tc.expr, err, tc.want)
			}
		})
	}
}

// TestDiacriticTable checks the transcription of Microsoft's table: every entry that is not a
// ligature or a stroke letter must decompose (NFD) into its replacement plus combining marks.
func TestDiacriticTable(t *testing.T) {
	noDecomposition := "æǣÆǢıłŁøØœŒß"
	for seq, rep := range diacritics {
		if strings.ContainsAny(seq, noDecomposition) {
			continue
		}
		base := strings.Map(func(r rune) rune {
			if unicode.Is(unicode.Mn, r) {
				return -1
			}
			return r
		}, norm.NFD.String(seq))
		if base != rep {
			t.Errorf("table maps %q (%+q) to %q, but it decomposes to %q", seq, seq, rep, base)
		}
	}
	if got, want := len(diacritics), 261; got != want {
		t.Errorf("table has %d entries, want %d (as counted on the reference page)", got, want)
	}
}

// TestFunctions_Table checks each entry of the table (TestFunctions_MicrosoftsList checks which
// functions it holds) and that FunctionNames lists them in the reference's order.
func TestFunctions_Table(t *testing.T) {
	names := FunctionNames()
	if len(names) != len(Functions) {
		t.Errorf("FunctionNames() has %d names for %d functions", len(names), len(Functions))
	}
	for i := 1; i < len(names); i++ {
		if strings.ToLower(names[i-1]) > strings.ToLower(names[i]) {
			t.Errorf("FunctionNames(): %s before %s, want the reference's order (sorted without regard to case)", names[i-1], names[i])
		}
	}
	for name, f := range Functions {
		if f.Name != name || f.Call == nil || f.Doc == "" || !strings.HasPrefix(f.Signature, name+"(") {
			t.Errorf("%s: incomplete table entry %+v", name, f)
		}
		if f.MaxArgs >= 0 && f.MaxArgs < f.MinArgs {
			t.Errorf("%s: MaxArgs %d < MinArgs %d", name, f.MaxArgs, f.MinArgs)
		}
		if f.MaxArgs > 0 && len(f.Params) != f.MaxArgs {
			t.Errorf("%s: %d Params for at most %d arguments", name, len(f.Params), f.MaxArgs)
		}
	}
}

func TestExpr_Eval_Concurrent(t *testing.T) {
	e := MustParse(`IIF([n] > 5, Replace([s], , "(?<d>\\d+)", "d", "#", , ), Join(" ", [s], DateAdd("d", [n], CDate("2024-01-01"))))`)
	done := make(chan error)
	for g := range 8 {
		go func() {
			for i := range 200 {
				n := int64((g + i) % 10)
				got, err := e.Eval(Env{Attrs: map[string]any{"n": n, "s": "a1b22"}})
				want := "a#b#"
				if n <= 5 {
					want = "a1b22 1/" + string(rune('1'+n)) + "/2024 12:00:00 AM"
				}
				if err != nil || got != want {
					done <- fmt.Errorf("n=%d: Eval = %v, %v; want %q", n, got, err, want)
					return
				}
			}
			done <- nil
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func TestExpr_Eval_Conversions(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "float rounds half to even", expr: `Left("abcdef", 2.5)`, want: "ab"},
		{name: "number string", expr: `Left("abcdef", "3")`, want: "abc"},
		{name: "number from one-valued list", expr: `Left("abcdef", [n])`, attrs: map[string]any{"n": []any{"1"}}, want: "a"},
		{name: "int attribute", expr: `Mid("abcdef", [n], 2)`, attrs: map[string]any{"n": 2}, want: "bc"},
		{name: "float32 attribute", expr: `CStr([f])`, attrs: map[string]any{"f": float32(1.5)}, want: "1.5"},
		{name: "date from one-valued list", expr: `DateAdd("n", 90, [d])`, attrs: map[string]any{"d": []string{"2024-01-01T00:00:00Z"}}, want: "1/1/2024 1:30:00 AM"},
		{name: "seconds", expr: `DateAdd("s", -1, CDate("2024-01-01"))`, want: "12/31/2023 11:59:59 PM"},
		{name: "years back", expr: `DateAdd("yyyy", -1, CDate("2024-02-29"))`, want: "2/28/2023 12:00:00 AM"},
		{name: "RFC 1123 date", expr: `CDate("Mon, 15 Jun 2009 13:45:30 GMT")`, want: "6/15/2009 1:45:30 PM"},
		{name: "long date", expr: `CDate("June 15, 2009")`, want: "6/15/2009 12:00:00 AM"},
		{name: "list attribute skips nulls", expr: `Count([l])`, attrs: map[string]any{"l": []any{"a", nil, "b"}}, want: "2"},
		{name: "boolean in list", expr: `Join(",", [l])`, attrs: map[string]any{"l": []any{true, int64(3)}}, want: "True,3"},
		{name: "condition from one-valued list", expr: `IIF([c], "y", "n")`, attrs: map[string]any{"c": []string{"True"}}, want: "y"},
		{name: "condition number", expr: `IIF(Count([l]), "y", "n")`, attrs: map[string]any{"l": []string{"x"}}, want: "y"},
		{name: "InStr text compare non-ASCII", expr: `InStr("Straße ÆRØ", "ærø", 1, vbTextCompare)`, want: "8"},
	})
}

func TestError_Position(t *testing.T) {
	_, err := Parse("Join(\" \",\n\t[a], Nope([b]))")
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Parse: %v", err)
	}
	if e.Line() != 2 || e.Column() != 7 {
		t.Errorf("Line, Column = %d, %d; want 2, 7", e.Line(), e.Column())
	}
	// The caret follows the tab of the line so that it lines up in a terminal.
	if want := "2:7: unknown function Nope\n  \t[a], Nope([b]))\n  \t     ^"; err.Error() != want {
		t.Errorf("Error() =\n%s\nwant\n%s", err, want)
	}
}

func TestLex_Errors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{`Append([a], @)`, `unexpected character "@"`},
		{`Left("a", 12abc)`, `malformed number "a" after 12`},
		{`Left("a", -x)`, `"-" must start a number such as -10`},
		{`BitAnd(&H, 1)`, "hexadecimal number &H has no digits"},
		{`BitAnd(&HFFFFFFFFFFFFFFFFF, 1)`, "hexadecimal number &HFFFFFFFFFFFFFFFFF does not fit in 64 bits"},
		{`Left("a", 99999999999999999999)`, "number 99999999999999999999 does not fit in 64 bits"},
		{`Append([], "x")`, "empty attribute name []"},
		{`Append("x\`, `unterminated string: missing closing "`},
		{`Append([a], "x"`, `missing ")" to close Append(`},
		{`Append(`, "unexpected end of expression"},
		{`Append([a],)`, "Append: argument 2 (suffix) is required and cannot be empty"},
		{`(`, `unexpected "(": expected a function call`},
		{`Append([a] = , "x")`, `unexpected ",": expected a function call`},
	} {
		_, err := Parse(tc.src)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) error = %v, want it to contain %q", tc.src, err, tc.want)
		}
	}
}
