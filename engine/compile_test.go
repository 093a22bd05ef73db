package engine

import (
	"errors"
	"reflect"
	"testing"
)

// TestValidate_changesNothing: Validate and a run read a config without writing to it, so the
// defaults a run applies never show in the caller's config.
func TestValidate_changesNothing(t *testing.T) {
	cfg, err := ParseConfig("x.yaml", []byte("users:\n  mappings:\n    - {source: userPrincipalName, target: userName, matching: 1}\n    - {expression: 'Join(\" \", [givenName], [surname])', target: displayName}\n"))
	if err != nil {
		t.Fatal(err)
	}
	before := *cfg
	before.Users.Mappings = nil
	mappings := make([]Mapping, len(cfg.Users.Mappings))
	for i, m := range cfg.Users.Mappings {
		mappings[i] = *m
	}
	for range 2 {
		if err := cfg.Validate(); err != nil {
			t.Fatal(err)
		}
		if _, err := NewExport(cfg); err != nil {
			t.Fatal(err)
		}
	}
	after := *cfg
	after.Users.Mappings = nil
	if !reflect.DeepEqual(before, after) {
		t.Errorf("Validate changed the config:\nbefore %+v\nafter  %+v", before, after)
	}
	for i, m := range cfg.Users.Mappings {
		if !reflect.DeepEqual(*m, mappings[i]) {
			t.Errorf("mapping %d changed: %+v, was %+v", i, *m, mappings[i])
		}
	}
	if cfg.Job.Scope != "" || cfg.Job.Timeout != 0 || cfg.Target.Auth != "" {
		t.Errorf("defaults written into the config: scope %q, timeout %s, auth %q", cfg.Job.Scope, cfg.Job.Timeout, cfg.Target.Auth)
	}
	cc, err := cfg.compile()
	if err != nil {
		t.Fatal(err)
	}
	if cc.Job.Scope != DefaultScope || cc.Job.Timeout != DefaultTimeout || cc.Target.Auth != AuthBearer || cc.Users.Mappings[1].expr == nil {
		t.Errorf("compiled config: scope %q, timeout %s, auth %q, expression parsed %t", cc.Job.Scope, cc.Job.Timeout, cc.Target.Auth, cc.Users.Mappings[1].expr != nil)
	}
}

// TestSubject_Validate: the rules of a subject, each broken one named by its SubjectProblem.
func TestSubject_Validate(t *testing.T) {
	for _, tt := range []struct {
		subj Subject
		want SubjectProblem // 0: valid
	}{
		{Subject{User: "alice"}, 0},
		{Subject{Group: "Sales", Members: []string{"alice"}}, 0},
		{Subject{}, NoSubject},
		{Subject{Members: []string{"alice"}}, NoSubject},
		{Subject{User: "alice", Group: "Sales"}, UserAndGroup},
		{Subject{User: "alice", Members: []string{"bob"}}, MembersWithoutGroup},
	} {
		err := tt.subj.Validate()
		var se *SubjectError
		switch {
		case tt.want == 0 && err != nil:
			t.Errorf("%+v: Validate() = %v, want nil", tt.subj, err)
		case tt.want != 0 && (!errors.As(err, &se) || se.Problem != tt.want):
			t.Errorf("%+v: Validate() = %v, want problem %d", tt.subj, err, tt.want)
		}
	}
}
