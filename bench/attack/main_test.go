package main

import "testing"

// Every attack says how it runs: on a server exec starts (on), or by itself (run), not both.
func TestAttacks_oneWayToRun(t *testing.T) {
	for _, a := range attacks {
		if (a.on == nil) == (a.run == nil) {
			t.Errorf("attack %q: set exactly one of on and run", a.name)
		}
	}
}

// exec hands an attack that starts its own servers to its run, without starting one itself.
func TestAttack_execRun(t *testing.T) {
	want := result{did: "ran"}
	a := attack{name: "self-starting", run: func(*report) (result, error) { return want, nil }}
	got, err := a.exec(&report{})
	if err != nil || got.did != want.did {
		t.Errorf("exec = %+v, %v; want %+v", got, err, want)
	}
}
