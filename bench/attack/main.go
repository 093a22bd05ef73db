// Command attack runs the hostile clients of docs/reliability.md against a scimsim binary on
// loopback, one attack per fresh server, and writes what the server did with the figures: its
// answers, its memory (VmRSS, VmHWM), its CPU time, /admin/health's latency while it is under
// attack. Every attack is bounded in count and time, talks only to 127.0.0.1, and every server it
// starts is stopped by its PID.
//
// Usage:
//
//	go build -o /tmp/scimsim ./cmd/scimsim && go run ./bench/attack -bin /tmp/scimsim -out docs/reliability.md
//
// With -before OLD (another scimsim binary, say one built from the commit before a change) every
// attack runs against it too, and the report gives its figures beside the new ones; -before-label
// names it in the report.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	bin := flag.String("bin", "", "the scimsim binary to attack (required)")
	out := flag.String("out", "", "Markdown file to write (besides standard output)")
	only := flag.String("only", "", "run only the attacks whose names contain this")
	before := flag.String("before", "", "another scimsim binary to attack, for figures to compare")
	beforeLabel := flag.String("before-label", "before", "what the report calls the -before binary, such as \"scimsim at COMMIT\"")
	flag.Parse()
	if *bin == "" {
		fmt.Fprintln(os.Stderr, "attack: -bin is required")
		os.Exit(2)
	}
	r := &report{bin: *bin, beforeLabel: *beforeLabel}
	for _, a := range attacks {
		if *only != "" && !strings.Contains(a.name, *only) {
			continue
		}
		fmt.Fprintf(os.Stderr, "== %s\n", a.name)
		start := time.Now()
		res, err := a.run(r)
		if err != nil {
			fmt.Fprintf(os.Stderr, "attack %s: %v\n", a.name, err)
			os.Exit(1)
		}
		res.name, res.attack, res.elapsed = a.name, a.attack, time.Since(start)
		fmt.Fprintf(os.Stderr, "   %s\n", strings.Join(res.figures, "; "))
		if *before != "" {
			old := &report{bin: *before}
			was, err := a.run(old)
			if err != nil {
				fmt.Fprintf(os.Stderr, "attack %s on %s: %v\n", a.name, *before, err)
				os.Exit(1)
			}
			res.before = was.figures
			fmt.Fprintf(os.Stderr, "   %s: %s\n", *beforeLabel, strings.Join(was.figures, "; "))
		}
		r.results = append(r.results, res)
	}
	md := r.markdown()
	if *out != "" {
		if err := os.WriteFile(*out, []byte(md), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "attack:", err)
			os.Exit(1)
		}
	}
	fmt.Print(md)
}

type report struct {
	bin         string
	beforeLabel string
	results     []result
}

type result struct {
	name, attack string
	did          string   // what the server did
	figures      []string // measured
	before       []string // measured on the -before binary
	elapsed      time.Duration
}

type attack struct {
	name   string
	attack string // what the client does
	run    func(r *report) (result, error)
}

// scanFlood seeds s with 100,000 users and has 32 clients scan them all for 10 s.
func scanFlood(s *server) (string, error) {
	if err := s.seed("", users(100000, "u"), nil); err != nil {
		return "", err
	}
	before := s.rssMB()
	deadline := time.Now().Add(10 * time.Second)
	var n atomic.Int64
	err := inParallel(32, func(int) error {
		for time.Now().Before(deadline) {
			code, _, err := s.do("GET", "/scim/v2/Users?count=1&filter="+url.QueryEscape(`title eq "Engineer"`), token, nil)
			if err != nil {
				return err
			}
			if code == 200 {
				n.Add(1)
			}
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d answers, RSS %s before, %s after (peak %s)", n.Load(), mb(before), mb(s.rssMB()), mb(s.hwmMB())), nil
}

// leaveEarly sends 8 scans of every user whose clients give up after 50 ms, and measures the
// server's CPU in the 3 s that follow: the work a server does for clients that have gone.
func leaveEarly(s *server) (string, error) {
	impatient := &http.Client{Timeout: 50 * time.Millisecond, Transport: &http.Transport{}}
	cpu0 := s.cpu()
	err := inParallel(8, func(int) error {
		req, err := http.NewRequest("GET", s.root+"/scim/v2/Users?count=1&filter="+url.QueryEscape(`title eq "Engineer"`), nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		if resp, err := impatient.Do(req); err == nil {
			resp.Body.Close()
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	time.Sleep(3 * time.Second)
	return fmt.Sprintf("8 clients leaving after 50 ms: %s of CPU in the 3 s after", ms(s.cpu()-cpu0)), nil
}

// server is a scimsim serve process.
type server struct {
	cmd  *exec.Cmd
	root string
	pid  int
	logs *bytes.Buffer
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
	var logs bytes.Buffer
	cmd.Stderr = &syncWriter{w: &logs}
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
	return &server{cmd: cmd, root: m[1], pid: cmd.Process.Pid, logs: &logs}, nil
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

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(p)
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

var attacks = []attack{
	{
		name:   "anonymous tenants",
		attack: "2,000 requests without a token, each for a new tenant name (`GET` and `POST /tenants/anon-N/scim/v2/Users`), with `--token` set and `--max-tenants 50`",
		run: func(r *report) (result, error) {
			s, err := r.start("--max-tenants", "50")
			if err != nil {
				return result{}, err
			}
			defer s.stop()
			statuses := map[int]int{}
			var mu sync.Mutex
			err = inParallel(16, func(w int) error {
				for i := w; i < 2000; i += 16 {
					method, body := "GET", any(nil)
					if i%2 == 1 {
						method, body = "POST", user("x@contoso.com")
					}
					code, _, err := s.do(method, fmt.Sprintf("/tenants/anon-%d/scim/v2/Users", i), "", body)
					if err != nil {
						return err
					}
					mu.Lock()
					statuses[code]++
					mu.Unlock()
				}
				return nil
			})
			if err != nil {
				return result{}, err
			}
			_, list, err := s.do("GET", "/admin/tenants", "", nil)
			if err != nil {
				return result{}, err
			}
			var tenants []struct{ Name string }
			_ = json.Unmarshal(list, &tenants)
			code, _, err := s.do("POST", "/tenants/real/scim/v2/Users", token, user("ada@contoso.com"))
			if err != nil {
				return result{}, err
			}
			return result{
				did: "answers every one 401 with `WWW-Authenticate: Bearer`, creates no tenant and journals nothing (there is no tenant to journal it in); a request with the token still creates its tenant",
				figures: []string{fmt.Sprintf("%d × 401 of 2,000", statuses[401]), fmt.Sprintf("%d tenants created", len(tenants)-1),
					fmt.Sprintf("then a request with the token: %d", code)},
			}, nil
		},
	},
	{
		name:   "anonymous bodies",
		attack: "10,000 `POST /scim/v2/Users` without a token, each with a 64 KiB body",
		run: func(r *report) (result, error) {
			s, err := r.start()
			if err != nil {
				return result{}, err
			}
			defer s.stop()
			before := s.rssMB()
			big := user(strings.Repeat("a", 64<<10-100))
			raw, _ := json.Marshal(big)
			var n401 atomic.Int64
			err = inParallel(16, func(w int) error {
				for i := w; i < 10000; i += 16 {
					code, _, err := s.do("POST", "/scim/v2/Users", "", raw)
					if err != nil {
						return err
					}
					if code == 401 {
						n401.Add(1)
					}
				}
				return nil
			})
			if err != nil {
				return result{}, err
			}
			_, journal, err := s.do("GET", "/admin/requests", "", nil)
			if err != nil {
				return result{}, err
			}
			return result{
				did: "answers 401 and journals each request without its body, so the journal and the heap stay small",
				figures: []string{fmt.Sprintf("%d × 401", n401.Load()), fmt.Sprintf("RSS %s before, %s after (peak %s)", mb(before), mb(s.rssMB()), mb(s.hwmMB())),
					fmt.Sprintf("GET /admin/requests: %s", bytesText(len(journal)))},
			}, nil
		},
	},
	{
		name:   "journal flood with the token",
		attack: "4,000 `POST /scim/v2/Users` with the token and a 60 KiB body each (rejected: `active` is not a boolean), to fill the journal",
		run: func(r *report) (result, error) {
			s, err := r.start()
			if err != nil {
				return result{}, err
			}
			defer s.stop()
			before := s.rssMB()
			body := user("x@contoso.com")
			body["nickName"] = strings.Repeat("j", 60<<10)
			body["active"] = "not a boolean"
			raw, _ := json.Marshal(body)
			err = inParallel(16, func(w int) error {
				for i := w; i < 4000; i += 16 {
					if _, _, err := s.do("POST", "/scim/v2/Users", token, raw); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return result{}, err
			}
			_, journal, err := s.do("GET", "/admin/requests", "", nil)
			if err != nil {
				return result{}, err
			}
			var entries []json.RawMessage
			_ = json.Unmarshal(journal, &entries)
			return result{
				did: "keeps the newest entries within `--journal-tenant-bytes` (16 MiB) and `--journal-bytes` (64 MiB), the oldest going first",
				figures: []string{fmt.Sprintf("%d entries kept of 4,000", len(entries)), fmt.Sprintf("GET /admin/requests: %s", bytesText(len(journal))),
					fmt.Sprintf("RSS %s before, %s after", mb(before), mb(s.rssMB()))},
			}, nil
		},
	},
	{
		name:   "secrets in the journal",
		attack: "a create with `\"password\": \"hunter2…\"`, a PATCH of `password`, a query with `access_token=`, then `GET /admin/requests`",
		run: func(r *report) (result, error) {
			s, err := r.start()
			if err != nil {
				return result{}, err
			}
			defer s.stop()
			const secret = "hunter2-9f8e7d"
			u := user("ada@contoso.com")
			u["password"] = secret
			code, body, err := s.do("POST", "/scim/v2/Users", token, u)
			if err != nil || code != 201 {
				return result{}, fmt.Errorf("create: %d %v", code, err)
			}
			var created struct{ ID string }
			_ = json.Unmarshal(body, &created)
			patch := map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
				"Operations": []any{map[string]any{"op": "replace", "path": "password", "value": secret}}}
			if _, _, err := s.do("PATCH", "/scim/v2/Users/"+created.ID, token, patch); err != nil {
				return result{}, err
			}
			if _, _, err := s.do("GET", "/scim/v2/Users?access_token="+secret, token, nil); err != nil {
				return result{}, err
			}
			_, journal, err := s.do("GET", "/admin/requests", "", nil)
			if err != nil {
				return result{}, err
			}
			return result{
				did:     "stores the requests with the values redacted: the journal never holds the password or the token",
				figures: []string{fmt.Sprintf("%q in the journal: %d times", secret, strings.Count(string(journal), secret)), fmt.Sprintf("`[redacted]`: %d times", strings.Count(string(journal), "[redacted]"))},
			}, nil
		},
	},
	{
		name:   "attributes repeated",
		attack: "`GET /Users/ID?attributes=emails.value,…` naming `emails.value` 8,000 times, on a user with 5,000 emails",
		run: func(r *report) (result, error) {
			s, err := r.start()
			if err != nil {
				return result{}, err
			}
			defer s.stop()
			emails := make([]any, 5000)
			for i := range emails {
				emails[i] = map[string]any{"value": fmt.Sprintf("a%d@contoso.com", i), "type": "other"}
			}
			u := user("many@contoso.com")
			u["id"] = "many"
			u["emails"] = emails
			if err := s.seed("", []map[string]any{u}, nil); err != nil {
				return result{}, err
			}
			q := "/scim/v2/Users/many?attributes=" + strings.TrimSuffix(strings.Repeat("emails.value,", 8000), ",")
			cpu0, t0 := s.cpu(), time.Now()
			code, _, err := s.do("GET", q, token, nil)
			if err != nil {
				return result{}, err
			}
			took, cpu := time.Since(t0), s.cpu()-cpu0
			// 201 distinct names are refused.
			var many []string
			for i := range 201 {
				many = append(many, fmt.Sprintf("x%d", i))
			}
			capCode, _, _ := s.do("GET", "/scim/v2/Users?attributes="+strings.Join(many, ","), token, nil)
			return result{
				did:     "reads the 8,000 names as one, resolves them once per request (not once per resource), and refuses more than 200 distinct names (400 `invalidValue`)",
				figures: []string{fmt.Sprintf("%d in %s, %s of CPU", code, ms(took), cpuTime(cpu)), fmt.Sprintf("201 distinct names: %d", capCode)},
			}, nil
		},
	},
	{
		name:   "PATCH of many members",
		attack: "with `--max-body 8MiB`: one PATCH adding 45,000 members; then, on a fresh server, one adding 10,000 (the limit) and one removing 10,000 the Entra way (`Remove` with a value array) while another client creates users in the same tenant",
		run: func(r *report) (result, error) {
			start := func() (*server, error) {
				s, err := r.start("--max-body", "8MiB")
				if err != nil {
					return nil, err
				}
				us := make([]map[string]any, 45000)
				for i := range us {
					us[i] = map[string]any{"id": fmt.Sprintf("m%d", i), "userName": fmt.Sprintf("m%d@contoso.com", i)}
				}
				if err := s.seed("", us, []map[string]any{{"id": "g", "displayName": "Big"}}); err != nil {
					s.stop()
					return nil, err
				}
				return s, nil
			}
			members := func(n int) []any {
				out := make([]any, n)
				for i := range out {
					out[i] = map[string]any{"$ref": nil, "value": fmt.Sprintf("m%d", i)}
				}
				return out
			}
			// patch answers the status, or a figure when no answer came in the client's time.
			patch := func(s *server, op string, n int) (string, time.Duration, error) {
				body := map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
					"Operations": []any{map[string]any{"op": op, "path": "members", "value": members(n)}}}
				t0 := time.Now()
				code, _, err := s.do("PATCH", "/scim/v2/Groups/g", token, body)
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					return "no answer", time.Since(t0), nil
				}
				return strconv.Itoa(code), time.Since(t0), err
			}
			s, err := start()
			if err != nil {
				return result{}, err
			}
			over, overTook, err := patch(s, "Add", 45000)
			s.stop()
			if err != nil {
				return result{}, err
			}
			if s, err = start(); err != nil {
				return result{}, err
			}
			defer s.stop()
			stop := make(chan struct{})
			var worst atomic.Int64
			var creates atomic.Int64
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					t0 := time.Now()
					if code, _, err := s.do("POST", "/scim/v2/Users", token, user(fmt.Sprintf("side%d@contoso.com", i))); err == nil && code == 201 {
						creates.Add(1)
					}
					if d := int64(time.Since(t0)); d > worst.Load() {
						worst.Store(d)
					}
				}
			}()
			add, addTook, err := patch(s, "Add", 10000)
			if err != nil {
				return result{}, err
			}
			rm, rmTook, err := patch(s, "Remove", 10000)
			if err != nil {
				return result{}, err
			}
			close(stop)
			wg.Wait()
			return result{
				did: "refuses a PATCH of more than 10,000 members (or 1,000 operations) at once with 413 naming the limit; adds and removes in one pass over the group, and validates and encodes before it takes its turn to store, so other writes go on",
				figures: []string{fmt.Sprintf("45,000 members: %s in %s", over, ms(overTook)), fmt.Sprintf("add 10,000: %s in %s", add, ms(addTook)),
					fmt.Sprintf("remove 10,000: %s in %s", rm, ms(rmTook)), fmt.Sprintf("meanwhile %d creates, the slowest %s", creates.Load(), ms(time.Duration(worst.Load())))},
			}, nil
		},
	},
	{
		name:   "scans with count=1",
		attack: "32 clients for 10 s sending `GET /Users?filter=title eq \"Engineer\"&count=1`, which every one of 100,000 users matches; once with serve's collector setting and once with `GOGC=100`; then 8 such scans whose clients leave after 50 ms",
		run: func(r *report) (result, error) {
			var figures []string
			for _, gc := range []string{"", "GOGC=100"} {
				var env []string
				label := "serve's own setting"
				if gc != "" {
					env, label = []string{gc}, gc
				}
				s, err := r.startEnv(env)
				if err != nil {
					return result{}, err
				}
				f, err := scanFlood(s)
				if err == nil && gc == "" {
					var left string
					left, err = leaveEarly(s)
					f += "; " + left
				}
				s.stop()
				if err != nil {
					return result{}, err
				}
				figures = append(figures, label+": "+f)
			}
			return result{
				did:     "stops a scan when its client goes away; counts every match for totalResults but keeps only the page's resource: what it decodes to evaluate a user is garbage at once, so memory does not grow with the matches or the clients, only to the collector's headroom over the live heap, which `serve`'s GOGC=200 (a sixth less CPU per write) makes about twice what GOGC=100 gives",
				figures: figures,
			}, nil
		},
	},
	{
		name:   "slow-body connections",
		attack: "20,000 connections that each send a POST's headers with `Content-Length: 1000` and one byte of body, held open (the client, under the same limit of file descriptors, closes what the server closed, a thousand at a time); `/admin/health` asked every 100 ms meanwhile",
		run: func(r *report) (result, error) {
			s, err := r.start()
			if err != nil {
				return result{}, err
			}
			defer s.stop()
			stop := make(chan struct{})
			probe := s.healthProbe(100*time.Millisecond, stop)
			addr := strings.TrimPrefix(s.root, "http://")
			// The client closes its end of what the server closed, a thousand connections at a
			// time, so that it never needs 20,000 file descriptors itself.
			var conns []net.Conn
			opened, failedDials, closedByServer, most := 0, 0, 0, 0
			reap := func() {
				kept := conns[:0]
				for _, c := range conns {
					_ = c.SetReadDeadline(time.Now().Add(50 * time.Microsecond))
					if _, err := c.Read(make([]byte, 1)); err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
						closedByServer++
						c.Close()
						continue
					}
					kept = append(kept, c)
				}
				conns = kept
			}
			for i := range 20000 {
				c, err := net.DialTimeout("tcp", addr, 5*time.Second)
				if err != nil {
					failedDials++
					continue
				}
				if _, err := io.WriteString(c, "POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "+token+"\r\nContent-Length: 1000\r\n\r\n{"); err != nil {
					c.Close()
					continue
				}
				conns = append(conns, c)
				opened++
				most = max(most, len(conns))
				if i%1000 == 999 {
					reap()
				}
			}
			time.Sleep(time.Second)
			reap()
			close(stop)
			n, failed, slowest := probe()
			for _, c := range conns {
				c.Close()
			}
			return result{
				did: "holds at most `--max-conns` (4,096) connections: past it a new connection closes the oldest one that has not sent a whole request, so the file descriptors never run out and `/admin/health` keeps answering",
				figures: []string{fmt.Sprintf("%d opened (%d dials failed), %d closed by the server, %d still open", opened, failedDials, closedByServer, len(conns)),
					fmt.Sprintf("/admin/health: %d probes, %d failed, the slowest %s", n, failed, ms(slowest))},
			}, nil
		},
	},
	{
		name:   "a 64 MiB seed",
		attack: "one `POST /admin/seed` of 64 MiB (about 400,000 users)",
		run: func(r *report) (result, error) {
			s, err := r.start()
			if err != nil {
				return result{}, err
			}
			defer s.stop()
			var b strings.Builder
			b.WriteString(`{"users":[`)
			n := 0
			for b.Len() < 64<<20-400 {
				if n > 0 {
					b.WriteString(",")
				}
				fmt.Fprintf(&b, `{"userName":"seed%d@contoso.com","displayName":"Seeded user %d","title":"Engineer","emails":[{"value":"seed%d@contoso.com","type":"work","primary":true}]}`, n, n, n)
				n++
			}
			b.WriteString(`]}`)
			before := s.rssMB()
			t0 := time.Now()
			code, _, err := s.do("POST", "/admin/seed", "", b.String())
			if err != nil {
				return result{}, err
			}
			body := float64(b.Len()) / (1 << 20)
			return result{
				did: "decodes the body one resource at a time into the records it stores, instead of decoding it whole first",
				figures: []string{fmt.Sprintf("%d users: %d in %s", n, code, ms(time.Since(t0))),
					fmt.Sprintf("peak RSS %s (%.1f× the body), %s before", mb(s.hwmMB()), s.hwmMB()/body, mb(before))},
			}, nil
		},
	},
	{
		name:   "kill -9 under load",
		attack: "20 rounds: a server with `--state` (`--state-sync always`, the default) takes creates from 8 clients for 0.5 s and is killed with SIGKILL; the next round starts from the state it left",
		run: func(r *report) (result, error) {
			dir, err := os.MkdirTemp("", "attack-state-")
			if err != nil {
				return result{}, err
			}
			defer os.RemoveAll(dir)
			path := filepath.Join(dir, "state.json")
			var acked []string
			var mu sync.Mutex
			for round := range 20 {
				s, err := r.start("--state", path, "--state-interval", "100ms")
				if err != nil {
					return result{}, err
				}
				stop := make(chan struct{})
				var wg sync.WaitGroup
				for c := range 8 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for i := 0; ; i++ {
							select {
							case <-stop:
								return
							default:
							}
							name := fmt.Sprintf("r%d-c%d-%d@contoso.com", round, c, i)
							code, _, err := s.do("POST", "/scim/v2/Users", token, user(name))
							if err != nil {
								return
							}
							if code == 201 {
								mu.Lock()
								acked = append(acked, name)
								mu.Unlock()
							}
						}
					}()
				}
				time.Sleep(500 * time.Millisecond)
				s.kill()
				close(stop)
				wg.Wait()
			}
			s, err := r.start("--state", path)
			if err != nil {
				return result{}, err
			}
			defer s.stop()
			stored := map[string]bool{}
			for start := 1; ; start += 1000 {
				_, body, err := s.do("GET", fmt.Sprintf("/scim/v2/Users?attributes=userName&count=1000&startIndex=%d", start), token, nil)
				if err != nil {
					return result{}, err
				}
				var page struct {
					TotalResults int
					Resources    []struct{ UserName string }
				}
				_ = json.Unmarshal(body, &page)
				for _, u := range page.Resources {
					stored[u.UserName] = true
				}
				if start+1000 > page.TotalResults {
					break
				}
			}
			lost := 0
			for _, n := range acked {
				if !stored[n] {
					lost++
				}
			}
			return result{
				did:     "appends every batch of writes to the state log and fsyncs it before any of its writes is answered, so a write that got its 201 is in the state the next start loads",
				figures: []string{fmt.Sprintf("%d acknowledged creates, %d lost", len(acked), lost), fmt.Sprintf("%d users restored", len(stored))},
			}, nil
		},
	},
	{
		name:   "full disk",
		attack: "a server whose state log cannot be written (its file is `/dev/full`: every write fails with ENOSPC) takes a create and `GET /admin/health`; then the disk recovers",
		run: func(r *report) (result, error) {
			if _, err := os.Stat("/dev/full"); err != nil {
				return result{did: "not run: no /dev/full"}, nil
			}
			dir, err := os.MkdirTemp("", "attack-full-")
			if err != nil {
				return result{}, err
			}
			defer os.RemoveAll(dir)
			path := filepath.Join(dir, "state.json")
			// The logs the server will open (its first save at start-up starts the second) are
			// links to /dev/full.
			for gen := 1; gen <= 3; gen++ {
				if err := os.Symlink("/dev/full", fmt.Sprintf("%s.%08d.log", path, gen)); err != nil {
					return result{}, err
				}
			}
			s, err := r.start("--state", path, "--state-interval", "0")
			if err != nil {
				return result{}, err
			}
			defer s.stop()
			code, body, err := s.do("POST", "/scim/v2/Users", token, user("ada@contoso.com"))
			if err != nil {
				return result{}, err
			}
			var scimErr struct{ Detail string }
			_ = json.Unmarshal(body, &scimErr)
			health, _, _ := s.do("GET", "/admin/health", "", nil)
			// The disk recovers: the next log the server opens is a regular file. It tries a
			// snapshot every 2 s, each with a new log.
			for gen := 1; gen <= 3; gen++ {
				_ = os.Remove(fmt.Sprintf("%s.%08d.log", path, gen))
			}
			deadline := time.Now().Add(15 * time.Second)
			healed := 0
			for time.Now().Before(deadline) {
				if healed, _, _ = s.do("GET", "/admin/health", "", nil); healed == 200 {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			after, _, _ := s.do("POST", "/scim/v2/Users", token, user("ada@contoso.com"))
			logged := strings.Contains(s.logs.String(), "state cannot be saved")
			return result{
				did: "refuses the write with 503 and a SCIM error saying why, answers `/admin/health` 503 unhealthy, logs the failure, and recovers once a snapshot can be written",
				figures: []string{fmt.Sprintf("create: %d %q", code, trim(strings.ReplaceAll(scimErr.Detail, dir, "DIR"), 160)), fmt.Sprintf("health: %d", health),
					fmt.Sprintf("logged: %v", logged), fmt.Sprintf("after the repair: health %d, create %d", healed, after)},
			}, nil
		},
	},
	{
		name:   "a typo in an admin fault",
		attack: "`POST /admin/faults` with `{\"type\": \"server_error\", \"probabilty\": 0.1}`",
		run: func(r *report) (result, error) {
			s, err := r.start()
			if err != nil {
				return result{}, err
			}
			defer s.stop()
			code, body, err := s.do("POST", "/admin/faults", "", `{"type": "server_error", "probabilty": 0.1}`)
			if err != nil {
				return result{}, err
			}
			var e struct{ Error string }
			_ = json.Unmarshal(body, &e)
			after, _, _ := s.do("GET", "/scim/v2/Users", token, nil)
			return result{
				did:     "refuses it, naming the key and the known ones, as the `--faults` loader does; no fault is stored",
				figures: []string{fmt.Sprintf("%d %q", code, e.Error), fmt.Sprintf("then GET /Users: %d", after)},
			}, nil
		},
	},
	{
		name:   "names in other cases",
		attack: "creates of `sam` then `ſam` (long s), `kim` then `Kim` (Kelvin sign), `info` then `İnfo`, `strasse` then `straße`; each looked up with an indexed and a scanned filter",
		run: func(r *report) (result, error) {
			s, err := r.start()
			if err != nil {
				return result{}, err
			}
			defer s.stop()
			var figures []string
			for _, p := range [][2]string{{"sam", "ſam"}, {"kim", "\u212aim"}, {"info", "İnfo"}, {"strasse", "straße"}} {
				s.do("POST", "/scim/v2/Users", token, user(p[0]))
				code, _, _ := s.do("POST", "/scim/v2/Users", token, user(p[1]))
				count := func(f string) int {
					_, body, _ := s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(f), token, nil)
					var l struct{ TotalResults int }
					_ = json.Unmarshal(body, &l)
					return l.TotalResults
				}
				q := strconv.Quote(p[1])
				figures = append(figures, fmt.Sprintf("%s after %s: %d; found %d indexed, %d scanned", p[1], p[0], code,
					count("userName eq "+q), count("userName eq "+q+` or title eq "x"`)))
			}
			return result{
				did:     "folds case one way everywhere (Unicode simple folding): ſ, K and ς are the same letters as s, k and σ (409 `uniqueness`), İ and ß stay distinct, and an indexed and a scanned filter find the same users",
				figures: figures,
			}, nil
		},
	},
	{
		name:   "DELETE racing PATCH add-member",
		attack: "100 pairs released together: `DELETE /Users/uN` and a PATCH adding `uN` to group `gN`",
		run: func(r *report) (result, error) {
			s, err := r.start()
			if err != nil {
				return result{}, err
			}
			defer s.stop()
			var us, gs []map[string]any
			for i := range 100 {
				us = append(us, map[string]any{"id": fmt.Sprintf("u%d", i), "userName": fmt.Sprintf("u%d@contoso.com", i)})
				gs = append(gs, map[string]any{"id": fmt.Sprintf("g%d", i), "displayName": fmt.Sprintf("G%d", i)})
			}
			if err := s.seed("", us, gs); err != nil {
				return result{}, err
			}
			var mu sync.Mutex
			outcomes := map[string]int{}
			start := make(chan struct{})
			time.AfterFunc(100*time.Millisecond, func() { close(start) }) // once every goroutine waits
			err = inParallel(200, func(i int) error {
				<-start
				var code int
				var err error
				if i%2 == 0 {
					code, _, err = s.do("DELETE", fmt.Sprintf("/scim/v2/Users/u%d", i/2), token, nil)
				} else {
					code, _, err = s.do("PATCH", fmt.Sprintf("/scim/v2/Groups/g%d", i/2), token, map[string]any{
						"schemas":    []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
						"Operations": []any{map[string]any{"op": "Add", "path": "members", "value": []any{map[string]any{"value": fmt.Sprintf("u%d", i/2)}}}}})
				}
				mu.Lock()
				outcomes[fmt.Sprintf("%s %d", map[bool]string{true: "DELETE", false: "PATCH"}[i%2 == 0], code)]++
				mu.Unlock()
				return err
			})
			if err != nil {
				return result{}, err
			}
			_, body, _ := s.do("GET", "/scim/v2/Groups?count=1000", token, nil)
			stale := strings.Count(string(body), `"members"`)
			var keys []string
			for k, v := range outcomes {
				keys = append(keys, fmt.Sprintf("%d × %s", v, k))
			}
			slices.Sort(keys)
			return result{
				did:     "applies each change whole in the store's order: a DELETE removes the user from its groups in the same change, and a PATCH that adds a member checks, in its change, that the member exists (400 `invalidValue` when it comes after the DELETE)",
				figures: []string{strings.Join(keys, ", "), fmt.Sprintf("groups listing a deleted user: %d", stale)},
			}, nil
		},
	},
}

func trim(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func bytesText(n int) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
	case n >= 1<<10:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64) + " KiB"
	}
	return strconv.Itoa(n) + " B"
}

// markdown renders the report as docs/reliability.md.
func (r *report) markdown() string {
	var b strings.Builder
	b.WriteString("# Reliability: `scimsim serve` under hostile clients, crashes and load\n\n")
	cmd := "go run ./bench/attack -bin NEW -out docs/reliability.md"
	if len(r.results) > 0 && r.results[0].before != nil {
		cmd = fmt.Sprintf("go run ./bench/attack -bin NEW -before OLD -before-label %q -out docs/reliability.md", r.beforeLabel)
	}
	fmt.Fprintf(&b, "Generated by `%s` on %s, NEW and OLD being scimsim binaries\n"+
		"(bench/attack/main.go). Do not edit: run it again to regenerate it.\n\n", cmd, time.Now().UTC().Format("2006-01-02 15:04 MST"))
	b.WriteString("Each attack below ran against a fresh `scimsim serve --token attack-token` on 127.0.0.1 (flags as\n" +
		"given), from one client process on the same machine; every attack is bounded in count and time.\n" +
		"The figures are this run's. RSS is the server's resident memory (VmRSS), its peak VmHWM; CPU is\n" +
		"the server process's user and system time. The limits the server applies are in the README's\n" +
		"`scimsim serve` section; each attack has a regression test of its own, small and bounded, in\n" +
		"`make test`.\n\n")
	withBefore := len(r.results) > 0 && r.results[0].before != nil
	if withBefore {
		fmt.Fprintf(&b, "The last column gives the same attack's figures against %s.\n\n", r.beforeLabel)
		b.WriteString("| attack | what the server does | figures | " + r.beforeLabel + " |\n| --- | --- | --- | --- |\n")
	} else {
		b.WriteString("| attack | what the server does | figures |\n| --- | --- | --- |\n")
	}
	for _, res := range r.results {
		fmt.Fprintf(&b, "| **%s**: %s | %s | %s |", res.name, res.attack, res.did, strings.Join(res.figures, "; "))
		if withBefore {
			fmt.Fprintf(&b, " %s |", strings.Join(res.before, "; "))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "\n## Machine\n\n| | |\n| --- | --- |\n| nproc | %d |\n| Go | %s |\n| file descriptors | %s |\n",
		nproc(), goVersion(), fileLimit())
	return b.String()
}

func nproc() int { return runtime.NumCPU() }

func goVersion() string {
	out, err := exec.Command("go", "version").Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}

func fileLimit() string {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return "unknown"
	}
	return strconv.FormatUint(rl.Cur, 10)
}
