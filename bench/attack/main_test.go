package main

import (
	"runtime"
	"sync"
	"testing"
)

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

// clients runs fn on every client until it returns false or stop is called; stop waits for all of
// them and may be called twice.
func TestClients(t *testing.T) {
	var mu sync.Mutex
	calls := map[int]int{}
	stop := clients(3, func(c, i int) bool {
		mu.Lock()
		defer mu.Unlock()
		calls[c]++
		return c != 0 || i < 4 // client 0 ends by itself after 5 calls
	})
	for {
		mu.Lock()
		ready := calls[0] >= 5 && calls[1] > 10 && calls[2] > 10
		mu.Unlock()
		if ready {
			break
		}
		runtime.Gosched()
	}
	stop()
	mu.Lock()
	after := calls[1] + calls[2]
	zero := calls[0]
	mu.Unlock()
	stop()
	if zero != 5 {
		t.Errorf("client 0 was called %d times, want 5 (until fn returned false)", zero)
	}
	mu.Lock()
	defer mu.Unlock()
	if calls[1]+calls[2] != after {
		t.Errorf("clients went on after stop returned")
	}
}
