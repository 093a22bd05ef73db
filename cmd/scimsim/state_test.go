package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scimsim/scimsim/simulator"
)

func post(t *testing.T, url, token, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("POST", url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/scim+json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func userBody(userName string) string {
	return `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"` + userName + `"}`
}

func TestRun_ServeState(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state.json")
	seed := filepath.Join(dir, "seed.yaml")
	if err := os.WriteFile(seed, []byte("users:\n  - userName: seeded@contoso.com\n"), 0o644); err != nil {
		t.Fatal(err)
	}

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
	state := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(state, []byte(`{"format":"scimsim-state","version":9}`), 0o600); err != nil {
		t.Fatal(err)
	}
	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--state", state}, io.Discard, io.Discard)
	want := "--state: state file " + state + ": version 9: this scimsim reads version 1"
	if err == nil || err.Error() != want {
		t.Fatalf("run() = %v, want %q", err, want)
	}
	if got := exitCode(err, io.Discard); got != 2 {
		t.Fatalf("exit code %d, want 2", got)
	}
}

// process is a built scimsim serving in its own process.
type process struct {
	cmd  *exec.Cmd
	root string
}

// buildScimsim builds the command into a temporary directory.
func buildScimsim(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go tool to build the binary: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "scimsim")
	out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startProcess runs `scimsim serve` and returns once it prints its address, that is once the
// state file is loaded and the listener is open.
func startProcess(t *testing.T, bin string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0", "--log-level", "warn"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		_ = cmd.Wait()
		t.Fatalf("serve printed no address: %v\n%s", err, stderr.String())
	}
	m := regexp.MustCompile(`(http://127\.0\.0\.1:\d+)/scim/v2`).FindStringSubmatch(line)
	if m == nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("no SCIM URL in %q", line)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	p := &process{cmd: cmd, root: m[1]}
	t.Cleanup(p.kill)
	return p
}

// kill sends SIGKILL: no shutdown hook runs, a save in progress stops where it is.
func (p *process) kill() {
	if p.cmd.ProcessState != nil {
		return
	}
	_ = p.cmd.Process.Kill()
	_ = p.cmd.Wait()
}

// writeLoad creates users from 4 clients until stop is closed or the server goes away, and
// counts the attempts (a create may land in a snapshot before its answer arrives).
func writeLoad(root string, round int, attempts *atomic.Int64, stop <-chan struct{}) *sync.WaitGroup {
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
				resp, err := hc.Post(root+"/scim/v2/Users", "application/scim+json",
					strings.NewReader(userBody(fmt.Sprintf("r%d-c%d-%d@contoso.com", round, c, i))))
				if err != nil {
					return // killed
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	return &wg
}

// loadState loads the state file into a fresh simulator, as a restart would.
func loadState(t *testing.T, path string) (users int, loaded bool) {
	t.Helper()
	sim, err := simulator.New()
	if err != nil {
		t.Fatal(err)
	}
	loaded, err = simulator.NewStateFile(sim, path).Load()
	if err != nil {
		t.Fatalf("state file after SIGKILL: %v", err)
	}
	return sim.Tenant("").Users(), loaded
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

// TestServe_StateSurvivesSIGKILL kills a serving process at several points, including in the
// middle of a save, and checks that the state file always loads, and holds a snapshot no older
// than the one loaded before (saves replace the file by rename, so a reader sees the previous
// file or the new one, never a part of either).
func TestServe_StateSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs it")
	}
	bin := buildScimsim(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	deadline := time.Now().Add(60 * time.Second)

	// Saves must take long enough to be interrupted: 8,000 seeded users make a file of about
	// 2.5 MB, written and synced while the test watches for the temporary file.
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
	replaced := func(before os.FileInfo) func() bool {
		return func() bool {
			now, err := os.Stat(path)
			return err == nil && (before == nil || !os.SameFile(before, now))
		}
	}

	points := []struct {
		name string
		wait func(before os.FileInfo) (string, func() bool)
	}{
		{"in the middle of a save", func(os.FileInfo) (string, func() bool) { return "a temporary file", tempExists }},
		{"right after a save", func(b os.FileInfo) (string, func() bool) { return "the file to be replaced", replaced(b) }},
		{"right after start", nil},
		{"in the middle of a save, again", func(os.FileInfo) (string, func() bool) { return "a temporary file", tempExists }},
		{"right after a save, again", func(b os.FileInfo) (string, func() bool) { return "the file to be replaced", replaced(b) }},
	}
	// The first process stores the seeded users, then one more, and is killed once that one is
	// in the file: so are the seeded ones, which were committed before it.
	p := startProcess(t, bin, "--state", path, "--state-interval", "10ms")
	if code, body := post(t, p.root+"/admin/seed", "", users.String()); code != 200 {
		t.Fatalf("seed: %d %s", code, body)
	}
	if code, body := post(t, p.root+"/scim/v2/Users", "", userBody("marker@contoso.com")); code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	waitFor(t, deadline, "a save with the last user", func() bool {
		b, _ := os.ReadFile(path)
		return bytes.Contains(b, []byte(`"marker@contoso.com"`))
	})
	p.kill()
	last, _ := loadState(t, path)
	if last != seeded+1 {
		t.Fatalf("after the seed: %d users in the file, want %d", last, seeded+1)
	}

	var attempts atomic.Int64
	for round, point := range points {
		p := startProcess(t, bin, "--state", path, "--state-interval", "10ms")
		// The restarted process serves what the file held.
		code, body := get(t, http.DefaultClient, p.root+"/scim/v2/Users?count=0", "")
		if want := fmt.Sprintf(`"totalResults":%d`, last); code != 200 || !strings.Contains(body, want) {
			t.Fatalf("round %d: after restart: %d %s, want %s", round, code, body, want)
		}
		if tempExists() {
			t.Fatalf("round %d: the interrupted save's temporary file is still there", round)
		}
		before, _ := os.Stat(path)
		stop := make(chan struct{})
		wg := writeLoad(p.root, round, &attempts, stop)
		if point.wait != nil {
			what, cond := point.wait(before)
			waitFor(t, deadline, what, cond)
		}
		p.kill()
		close(stop)
		wg.Wait()

		n, loaded := loadState(t, path)
		switch {
		case !loaded:
			t.Fatalf("round %d (%s): the state file is gone", round, point.name)
		case n < last:
			t.Fatalf("round %d (%s): %d users, fewer than the %d of the previous snapshot", round, point.name, n, last)
		case n > seeded+int(attempts.Load()):
			t.Fatalf("round %d (%s): %d users, more than were ever created (%d)", round, point.name, n, seeded+attempts.Load())
		}
		t.Logf("killed %s: the file loads with %d users", point.name, n)
		last = n
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
