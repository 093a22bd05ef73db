package main

import (
	"strings"
	"testing"
)

// A mistyped flag, subcommand or subject gets the closest name that exists.
func TestDidYouMean(t *testing.T) {
	src := "../../testdata/sources/contoso.yaml"
	noTarget := []string{"--target", "http://127.0.0.1:9/scim/v2"}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string // in stderr; "" for none
	}{
		{"flag", []string{"provision", "--usr", "alice"}, 2, "unknown flag: --usr (did you mean --user?)"},
		{"flag of a subcommand", []string{"scenarios", "run", "--junt", "x.xml"}, 2, "unknown flag: --junt (did you mean --junit?)"},
		{"flag far from any", []string{"demo", "--zzzzz"}, 2, "unknown flag: --zzzzz (scimsim demo --help lists the flags)"},
		{"subcommand", []string{"scenarios", "rn"}, 2, `unknown command "rn" for "scimsim scenarios" (did you mean "run"?)`},
		{"command", []string{"serv"}, 2, "Did you mean this?\n\tserve"},
		{"user by a misspelt first name", append([]string{"provision", "--source", src, "--user", "alce"}, noTarget...), 1,
			`--user "alce" matches nobody in ` + src + `; did you mean alice@contoso.com (Alice Smith)?`},
		{"user by an email one letter short", append([]string{"provision", "--source", src, "--user", "bob@contoso.co"}, noTarget...), 1, "did you mean bob@contoso.com (Bob Jones)?"},
		{"user nobody is close to", append([]string{"provision", "--source", src, "--user", "zzzzzz"}, noTarget...), 1, ""},
		{"group", append([]string{"provision", "--source", src, "--group", "sals"}, noTarget...), 1, `--group "sals" matches nobody in ` + src + `; did you mean Sales?`},
		{"a Cloud HR worker by name", append([]string{"provision", "--source", "../../testdata/sources/workday.yaml", "--user", "Wanda Maximoff"}, noTarget...), 1, "did you mean workerId 21001 (Wanda Maximoff)?"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tc.code, errOut)
			}
			if tc.want == "" && strings.Contains(errOut, "did you mean") || !strings.Contains(errOut, tc.want) {
				t.Errorf("stderr = %q, want %q", errOut, tc.want)
			}
		})
	}
}
