package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scimsim/scimsim/simulator"
)

func userBody(userName string) string {
	return `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"` + userName + `"}`
}

func TestRun_ServeState(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.json")
	seed := writeTemp(t, "seed.yaml", "users:\n  - userName: seeded@contoso.com\n")

	root, stop := startServe(t, "--state", state, "--seed-data", seed, "--state-interval", "0")
	code, body := post(t, root+"/scim/v2/Users", "", userBody("ada@contoso.com"))
	if code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	var ada struct{ ID string }
	if err := json.Unmarshal([]byte(body), &ada); err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	info, err := os.Stat(state)
	if err != nil {
		t.Fatalf("no state file after shutdown: %v", err)
	}
	if got, want := info.Mode().Perm(), os.FileMode(0o600); got != want {
		t.Fatalf("state file mode %v, want %v", got, want)
	}

	// The second start restores both users and does not seed again (which would be a 409).
	root, stop = startServe(t, "--state", state, "--seed-data", seed, "--state-interval", "0")
	code, body = get(t, http.DefaultClient, root+"/scim/v2/Users/"+ada.ID, "")
	if code != 200 || !strings.Contains(body, `"version":"W/\"1\""`) {
		t.Fatalf("restored user: %d %s", code, body)
	}
	code, body = get(t, http.DefaultClient, root+"/scim/v2/Users?count=0", "")
	if code != 200 || !strings.Contains(body, `"totalResults":2`) {
		t.Fatalf("restored users: %d %s", code, body)
	}
	if code, body := post(t, root+"/scim/v2/Users", "", userBody("bob@contoso.com")); code != 201 {
		t.Fatalf("create after restart: %d %s", code, body)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
}

func TestRun_ServeStateRefusesABadFile(t *testing.T) {
	state := writeTemp(t, "state.json", `{"format":"scimsim-state","version":9}`)
	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--state", state}, io.Discard, io.Discard)
	want := "--state: state file " + state + ": version 9: this scimsim reads versions 1 and 2"
	if err == nil || err.Error() != want {
		t.Fatalf("run() = %v, want %q", err, want)
	}
	if got := exitCode(err, io.Discard); got != 2 {
		t.Fatalf("exit code %d, want 2", got)
	}
}

// writeLoad creates users from 4 clients until stop is closed or the server goes away, counts the
// attempts and records the userNames the server acknowledged (201).
func writeLoad(root string, round int, attempts *atomic.Int64, acked *sync.Map, stop <-chan struct{}) *sync.WaitGroup {
	var wg sync.WaitGroup
	hc := &http.Client{Timeout: 10 * time.Second}
	for c := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				attempts.Add(1)
				name := fmt.Sprintf("r%d-c%d-%d@contoso.com", round, c, i)
				resp, err := hc.Post(root+"/scim/v2/Users", "application/scim+json", strings.NewReader(userBody(name)))
				if err != nil {
					return // killed
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusCreated {
					acked.Store(name, true)
				}
			}
		}()
	}
	return &wg
}

// storedUserNames loads a copy of the state (the snapshot and its logs) into a fresh simulator,
// as a restart would, and returns the userNames it holds.
func storedUserNames(t *testing.T, path string) map[string]bool {
	t.Helper()
	dir := t.TempDir()
	files, _ := filepath.Glob(path + "*")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ts := simulator.NewTestServer(t)
	sf := simulator.NewStateFile(ts.Server, filepath.Join(dir, filepath.Base(path)))
	if loaded, err := sf.Load(); err != nil || !loaded {
		t.Fatalf("state after SIGKILL: loaded %v, %v", loaded, err)
	}
	defer func() {
		if err := sf.Close(); err != nil {
			t.Fatal(err)
		}
	}()
	names := map[string]bool{}
	for start := 1; ; start += 1000 {
		code, body := get(t, http.DefaultClient, fmt.Sprintf("%s/Users?attributes=userName&count=1000&startIndex=%d", ts.SCIMURL(""), start), "")
		var page struct {
			TotalResults int `json:"totalResults"`
			Resources    []struct {
				UserName string `json:"userName"`
			} `json:"Resources"`
		}
		if err := json.Unmarshal([]byte(body), &page); code != 200 || err != nil {
			t.Fatalf("list users: %d %v %.200s", code, err, body)
		}
		for _, r := range page.Resources {
			names[r.UserName] = true
		}
		if start+1000 > page.TotalResults {
			return names
		}
	}
}

// waitFor polls cond every millisecond until it holds or the deadline passes. It watches the
// file system, which has no notification the test can use portably.
func waitFor(t *testing.T, deadline time.Time, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestServe_StateSurvivesSIGKILL kills a serving process under write load at several points,
// including in the middle of a compaction, with each --state-sync mode, and checks that every
// write the server acknowledged is in the state it restarts from, and nothing that was never
// sent. The log is appended (and, with always, fsynced) before a write is answered; kill -9
// keeps what the kernel holds, so interval loses nothing here either.
func TestServe_StateSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs it")
	}
	bin := buildScimsim(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	deadline := time.Now().Add(90 * time.Second)

	// Compactions must take long enough to be interrupted: 8,000 seeded users make a snapshot
	// of about 2.5 MB, written and synced while the test watches for the temporary file.
	const seeded = 8000
	var users strings.Builder
	users.WriteString(`{"users":[`)
	for i := range seeded {
		if i > 0 {
			users.WriteString(",")
		}
		fmt.Fprintf(&users, `{"userName":"seed%d@contoso.com","displayName":"Seeded user %d","emails":[{"value":"seed%d@contoso.com","primary":true}]}`, i, i, i)
	}
	users.WriteString(`]}`)

	tempExists := func() bool {
		m, _ := filepath.Glob(filepath.Join(dir, ".state.json.tmp-*"))
		return len(m) > 0
	}
	written := func() bool { return true }
	points := []struct {
		name, sync string
		wait       func() bool
	}{
		{"under load", "always", written},
		{"in the middle of a compaction", "always", tempExists},
		{"right after start", "always", nil},
		{"under load", "interval", written},
		{"in the middle of a compaction", "interval", tempExists},
		{"under load, again", "always", written},
	}
	p := startProcess(t, bin, "--state", path)
	if code, body := post(t, p.root+"/admin/seed", "", users.String()); code != 200 {
		t.Fatalf("seed: %d %s", code, body)
	}
	p.kill()
	if n := len(storedUserNames(t, path)); n != seeded {
		t.Fatalf("after the seed and SIGKILL: %d users, want %d", n, seeded)
	}

	var attempts atomic.Int64
	var acked sync.Map
	for round, point := range points {
		p := startProcess(t, bin, "--state", path, "--state-sync", point.sync, "--state-interval", "20ms")
		if tempExists() {
			t.Fatalf("round %d: an interrupted compaction's temporary file is still there", round)
		}
		stop := make(chan struct{})
		wg := writeLoad(p.root, round, &attempts, &acked, stop)
		if point.wait != nil {
			time.Sleep(100 * time.Millisecond) // some writes first
			waitFor(t, deadline, point.name, point.wait)
		}
		p.kill()
		close(stop)
		wg.Wait()

		names := storedUserNames(t, path)
		lost, n := 0, 0
		acked.Range(func(k, _ any) bool {
			n++
			if !names[k.(string)] {
				lost++
			}
			return true
		})
		if lost > 0 {
			t.Fatalf("round %d (killed %s, --state-sync %s): %d of %d acknowledged writes lost", round, point.name, point.sync, lost, n)
		}
		if max := seeded + int(attempts.Load()); len(names) > max {
			t.Fatalf("round %d: %d users, more than were ever sent (%d)", round, len(names), max)
		}
		t.Logf("killed %s (--state-sync %s): %d acknowledged writes so far, all in the %d users restored", point.name, point.sync, n, len(names))
	}
}

func TestRun_ServeStateUnwritable(t *testing.T) {
	state := filepath.Join(t.TempDir(), "missing", "state.json")
	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--state", state}, io.Discard, io.Discard)
	if err == nil || !strings.HasPrefix(err.Error(), "--state: state file "+state+": ") {
		t.Fatalf("run() = %v, want an error naming %s", err, state)
	}
	if got := exitCode(err, io.Discard); got != 2 {
		t.Fatalf("exit code %d, want 2", got)
	}
}
