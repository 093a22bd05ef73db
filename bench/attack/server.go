package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// server is a scimsim serve process.
type server struct {
	cmd  *exec.Cmd
	root string
	pid  int
	logs *logBuffer
}

const token = "attack-token" // loopback only; never a real secret

func (r *report) start(args ...string) (*server, error) {
	return r.startEnv(nil, args...)
}

// startEnv starts a server with env added to this process's environment.
func (r *report) startEnv(env []string, args ...string) (*server, error) {
	cmd := exec.Command(r.bin, append([]string{"serve", "--addr", "127.0.0.1:0", "--token", token, "--log-level", "warn"}, args...)...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	logs := &logBuffer{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("serve printed no address: %v\n%s", err, logs.String())
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	m := regexp.MustCompile(`(http://127\.0\.0\.1:\d+)/scim/v2`).FindStringSubmatch(line)
	if m == nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("no address in %q", line)
	}
	return &server{cmd: cmd, root: m[1], pid: cmd.Process.Pid, logs: logs}, nil
}

func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
}

func (s *server) kill() {
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
}

// logBuffer holds what a server writes on stderr; an attack may read it while the server runs.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// status reads a field of /proc/PID/status, in KiB.
func (s *server) status(field string) int {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.pid))
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, field+":") {
			n, _ := strconv.Atoi(strings.Fields(l)[1])
			return n
		}
	}
	return 0
}

func (s *server) rssMB() float64 { return float64(s.status("VmRSS")) / 1024 }
func (s *server) hwmMB() float64 { return float64(s.status("VmHWM")) / 1024 }

// cpu is the CPU time (user and system) the server has used.
func (s *server) cpu() time.Duration {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.pid))
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	u, _ := strconv.Atoi(f[11])
	k, _ := strconv.Atoi(f[12])
	return time.Duration(u+k) * time.Second / 100 // CLK_TCK is 100 on Linux
}

// cpuTime formats a CPU time from /proc, which counts in ticks of 10 ms.
func cpuTime(d time.Duration) string {
	if d == 0 {
		return "under 10 ms"
	}
	return ms(d)
}

var client = &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

func (s *server) do(method, path, bearer string, body any) (int, []byte, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, s.root+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/scim+json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, err
}

// get is the body of GET path, asked without a token (the admin API's lists).
func (s *server) get(path string) ([]byte, error) {
	_, body, err := s.do("GET", path, "", nil)
	return body, err
}

// tally counts the answers of requests sent from many goroutines, by status.
type tally struct {
	mu sync.Mutex
	by map[int]int
}

// add counts one answer, given as server.do returns it, and passes its error on.
func (t *tally) add(code int, _ []byte, err error) error {
	if err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.by == nil {
		t.by = map[int]int{}
	}
	t.by[code]++
	return nil
}

// of is the number of answers with status code.
func (t *tally) of(code int) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.by[code]
}

func (s *server) seed(tenant string, users []map[string]any, groups []map[string]any) error {
	path := "/admin/seed"
	if tenant != "" {
		path += "?tenant=" + tenant
	}
	code, body, err := s.do("POST", path, "", map[string]any{"users": users, "groups": groups})
	if err != nil {
		return err
	}
	if code != 200 {
		return fmt.Errorf("seed: %d %.200s", code, body)
	}
	return nil
}

func user(name string) map[string]any {
	return map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": name}
}

// patchOp is a SCIM PatchOp request of one operation (RFC 7644 §3.5.2).
func patchOp(op, path string, value any) map[string]any {
	return map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
		"Operations": []any{map[string]any{"op": op, "path": path, "value": value}}}
}

func users(n int, prefix string) []map[string]any {
	out := make([]map[string]any, n)
	for i := range out {
		out[i] = map[string]any{"userName": fmt.Sprintf("%s%d@contoso.com", prefix, i), "title": "Engineer",
			"displayName": fmt.Sprintf("User %d", i), "emails": []any{map[string]any{"value": fmt.Sprintf("%s%d@contoso.com", prefix, i), "type": "work"}}}
	}
	return out
}

// inParallel runs fn(0..n-1) on n goroutines and returns the first error.
func inParallel(n int, fn func(i int) error) error {
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = fn(i) }()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// healthProbe asks /admin/health every interval until stop is closed, on a fresh connection
// each time, and reports the slowest answer and the probes that failed.
func (s *server) healthProbe(interval time.Duration, stop <-chan struct{}) func() (n, failed int, slowest time.Duration) {
	var mu sync.Mutex
	var count, failures int
	var worst time.Duration
	done := make(chan struct{})
	go func() {
		defer close(done)
		hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
		for {
			select {
			case <-stop:
				return
			case <-time.After(interval):
			}
			t0 := time.Now()
			resp, err := hc.Get(s.root + "/admin/health")
			d := time.Since(t0)
			ok := err == nil && resp.StatusCode == 200
			if resp != nil {
				resp.Body.Close()
			}
			mu.Lock()
			count++
			if !ok {
				failures++
			}
			worst = max(worst, d)
			mu.Unlock()
		}
	}()
	return func() (int, int, time.Duration) {
		<-done
		mu.Lock()
		defer mu.Unlock()
		return count, failures, worst
	}
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) + " ms"
}
func mb(v float64) string { return strconv.FormatFloat(v, 'f', 0, 64) + " MB" }

// spread runs fn(0..n-1) on workers goroutines, goroutine w taking w, w+workers, ..., and
// returns the first error of each.
func spread(workers, n int, fn func(i int) error) error {
	return inParallel(workers, func(w int) error {
		for i := w; i < n; i += workers {
			if err := fn(i); err != nil {
				return err
			}
		}
		return nil
	})
}

// clients starts n clients c = 0..n-1 on inParallel, each calling fn(c, 0), fn(c, 1), ... until
// fn returns false or stop is called; stop returns once every client has, and may be called again.
func clients(n int, fn func(c, i int) bool) (stop func()) {
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		_ = inParallel(n, func(c int) error {
			for i := 0; ; i++ {
				select {
				case <-done:
					return nil
				default:
				}
				if !fn(c, i) {
					return nil
				}
			}
		})
	}()
	var once sync.Once
	return func() { once.Do(func() { close(done); <-finished }) }
}
