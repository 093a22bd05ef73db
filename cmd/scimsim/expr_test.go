package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/scimsim/scimsim/engine/expr"
)

var (
	contoso   = filepath.Join("..", "..", "testdata", "sources", "contoso.yaml")
	johnSmith = filepath.Join("..", "..", "testdata", "sources", "workday-john-smith.yaml")
)

// uniqueUPN is the SelectUniqueValue example of Microsoft's expression reference.
const uniqueUPN = `SelectUniqueValue(
	Join("@", NormalizeDiacritics(StripSpaces(Join(".",  [PreferredFirstName], [PreferredLastName]))), "contoso.com"),
	Join("@", NormalizeDiacritics(StripSpaces(Join(".",  Mid([PreferredFirstName], 1, 1), [PreferredLastName]))), "contoso.com"),
	Join("@", NormalizeDiacritics(StripSpaces(Join(".",  Mid([PreferredFirstName], 1, 2), [PreferredLastName]))), "contoso.com"))`

func TestExprCommand(t *testing.T) {
	attrFile := writeTemp(t, "attrs.yaml", "givenName: Zoë\nsurname: Ærø\nproxyAddresses: [SMTP:z@contoso.com, smtp:zoe@contoso.com]\nIsSoftDeleted: true\nemployeeId: 1001\nhireDate: 2026-11-25T10:00:00Z\n")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"attrs", []string{`Join(" ", [givenName], [surname])`, "--attr", "givenName=Alice", "--attr", "surname=Smith"}, "Alice Smith\n"},
		{"source user", []string{`Join(" ", [givenName], [surname])`, "--source", contoso, "--user", "alice@contoso.com"}, "Alice Smith\n"},
		{"attr overrides source", []string{`[department]`, "--source", contoso, "--user", "alice@contoso.com", "--attr", "department=R&D"}, "R&D\n"},
		{"IsSoftDeleted from source", []string{`Not([IsSoftDeleted])`, "--source", contoso, "--user", "alice@contoso.com"}, "True\n"},
		{"disabled user by objectId", []string{`Not([IsSoftDeleted])`, "--source", contoso, "--user", "u-grace"}, "False\n"},
		{"soft-deleted user by objectId", []string{`[IsSoftDeleted]`, "--source", contoso, "--user", "u-heidi"}, "True\n"},
		{"roles from source", []string{`SingleAppRoleAssignment([appRoleAssignments])`, "--source", contoso, "--user", "alice@contoso.com"}, "User\n"},
		{"attr file", []string{`ToLower(NormalizeDiacritics(Join(".", [givenName], [surname])))`, "--attr-file", attrFile}, "zoe.aeroe\n"},
		{"attr file list", []string{`Item([proxyAddresses], 2)`, "--attr-file", attrFile}, "smtp:zoe@contoso.com\n"},
		{"attr file boolean", []string{`Not([IsSoftDeleted])`, "--attr-file", attrFile}, "False\n"},
		{"attr file number", []string{`Append([employeeId], "-x")`, "--attr-file", attrFile}, "1001-x\n"},
		{"attr file date stays as written", []string{`[hireDate]`, "--attr-file", attrFile}, "2026-11-25T10:00:00Z\n"},
		{"boolean attr", []string{`Not([IsSoftDeleted])`, "--attr", "IsSoftDeleted=true"}, "False\n"},
		{"list attr", []string{`Join("|", [p])`, "--attr", `p=["a","b"]`}, "a|b\n"},
		{"multi-valued result", []string{`Split([s], ",")`, "--attr", "s=a, b"}, "[\"a\",\"b\"]\n"},
		{"null", []string{`Append([mail], ".test")`}, "(null: not provisioned)\n"},
		{"ignored", []string{`IgnoreFlowIfNullOrEmpty([department])`}, "(ignored: IgnoreFlowIfNullOrEmpty)\n"},
		{"now", []string{`DateAdd("d", 7, Now())`, "--now", "2026-11-25T10:00:00Z"}, "12/2/2026 10:00:00 AM\n"},
		{"tree", []string{`Append([a], "x")`, "--tree", "--attr", "a=b"}, "Append()\n  source: [a] (attribute)\n  suffix: \"x\"\nbx\n"},
		{"default domain", []string{`Join("@", [mailNickname], DefaultDomain())`, "--attr", "mailNickname=jsmith", "--default-domain", "fabrikam.com"}, "jsmith@fabrikam.com\n"},
		{"default domain of the source", []string{`Join("@", [PreferredFirstName], DefaultDomain())`, "--source", johnSmith, "--user", "31001"}, "John@contoso.com\n"},
		{"default domain overrides the source's", []string{`DefaultDomain()`, "--source", johnSmith, "--user", "31001", "--default-domain", "fabrikam.com"}, "fabrikam.com\n"},
		{"nothing taken", []string{uniqueUPN, "--source", johnSmith, "--user", "31001"}, "John.Smith@contoso.com\n"},
		{"first value taken", []string{uniqueUPN, "--source", johnSmith, "--user", "31001", "--taken", "John.Smith@contoso.com"}, "J.Smith@contoso.com\n"},
		{"first two values taken", []string{uniqueUPN, "--source", johnSmith, "--user", "31001", "--taken", "John.Smith@contoso.com", "--taken", "J.Smith@contoso.com"}, "Jo.Smith@contoso.com\n"},
		{"Len", []string{`Len([LastName])`, "--attr", "LastName=Parker"}, "6\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCmd(t, "expr", tc.args...)
			if code != 0 {
				t.Fatalf("expr %q: exit status %d, want 0\nstderr: %s", tc.args, code, errOut)
			}
			if out != tc.want {
				t.Errorf("expr %q printed %q, want %q", tc.args, out, tc.want)
			}
		})
	}
}

func TestExprCommand_Errors(t *testing.T) {
	nested := writeTemp(t, "nested.yaml", "givenName: Alice\nmanager:\n  id: u-bob\n")
	runCases(t, []cliCase{
		{"invalid expression", []string{`Join(" ", [givenName], [surname]`}, 2, "",
			"scimsim: expr: 1:5: missing \")\" to close Join(\n  Join(\" \", [givenName], [surname]\n      ^\n"},
		{"unknown function", []string{`Lenn([a])`}, 2, "", "unknown function Lenn"},
		{"schema", []string{`Join(" ", [givenName], [surnme])`, "--schema", "givenName,surname"}, 2, "", "unknown attribute [surnme] (did you mean [surname]?)"},
		{"evaluation error", []string{`Mid([a], 0, 1)`, "--attr", "a=x"}, 1, "", "Mid: start must be 1 or more"},
		{"no expression", nil, 2, "", "give the expression to evaluate"},
		{"source without user", []string{`[a]`, "--source", contoso}, 2, "", "--source and --user go together"},
		{"disabled user not found by name", []string{`[a]`, "--source", contoso, "--user", "grace@contoso.com"}, 2, "", `no user matches "grace@contoso.com" (disabled and soft-deleted users are found by objectId only)`},
		{"unknown user", []string{`[a]`, "--source", contoso, "--user", "nobody@contoso.com"}, 2, "", `no user matches "nobody@contoso.com"`},
		{"bad attr", []string{`[a]`, "--attr", "novalue"}, 2, "", "--attr novalue: want NAME=VALUE"},
		{"bad now", []string{`Now()`, "--now", "yesterday"}, 2, "", `--now "yesterday" is not an RFC 3339 time`},
		{"nested attr file", []string{`[givenName]`, "--attr-file", nested}, 2, "", "nested.yaml:3:3: manager: want a string, number, boolean or list"},
		{"functions with expression", []string{`Now()`, "--functions"}, 2, "", "--functions takes no expression"},
		{"no default domain", []string{`Join("@", [nick], DefaultDomain())`, "--attr", "nick=a"}, 1, "",
			"scimsim: expr: 1:19: DefaultDomain: the tenant has no default verified domain\n  Join(\"@\", [nick], DefaultDomain())\n                    ^\ngive the tenant's default verified domain with --default-domain, or a --source file with a defaultDomain\n"},
		{"bad default domain", []string{`DefaultDomain()`, "--default-domain", "contoso"}, 2, "", `--default-domain: "contoso" is not a domain name such as contoso.com`},
		{"every value taken", []string{uniqueUPN, "--source", johnSmith, "--user", "31001", "--taken", "John.Smith@contoso.com", "--taken", "J.Smith@contoso.com", "--taken", "Jo.Smith@contoso.com"}, 1, "",
			`SelectUniqueValue: all of the values already exist in the target ("John.Smith@contoso.com", "J.Smith@contoso.com", "Jo.Smith@contoso.com"), so the entry is escrowed`},
	}, "expr")
}

func TestExprCommand_Seed(t *testing.T) {
	_, a, _ := runCmd(t, "expr", `Guid()`, "--seed", "7")
	_, b, _ := runCmd(t, "expr", `Guid()`, "--seed", "7")
	_, c, _ := runCmd(t, "expr", `Guid()`, "--seed", "8")
	if a != b || a == c || len(strings.TrimSpace(a)) != 36 {
		t.Errorf("Guid() with seeds 7, 7, 8 printed %q, %q, %q; want the same GUID twice, then another", a, b, c)
	}
}

func TestExprCommand_WarnsOnAttributeNoUserHas(t *testing.T) {
	code, out, errOut := runCmd(t, "expr", `Join(" ", [givenName], [surnme])`, "--source", contoso, "--user", "alice@contoso.com")
	if code != 0 || out != "Alice\n" {
		t.Fatalf("exit status %d, output %q; want 0 and Alice", code, out)
	}
	want := "warning: no user in " + contoso + " has attribute [surnme], so it is null (did you mean [surname]?)\n"
	if errOut != want {
		t.Errorf("stderr = %q, want %q", errOut, want)
	}
}

func TestExprCommand_Functions(t *testing.T) {
	code, out, _ := runCmd(t, "expr", "--functions")
	if code != 0 {
		t.Fatalf("exit status %d", code)
	}
	for _, name := range expr.FunctionNames() {
		if !strings.Contains(out, "\n"+expr.Functions[name].Signature+"\n") && !strings.HasPrefix(out, expr.Functions[name].Signature+"\n") {
			t.Errorf("--functions does not list %s", expr.Functions[name].Signature)
		}
	}
	if !strings.HasPrefix(out, "Append(source, suffix)\n") {
		t.Errorf("--functions does not start with Append, as the reference does:\n%s", out[:min(len(out), 200)])
	}
}
