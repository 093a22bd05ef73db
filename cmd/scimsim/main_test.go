package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Helpers of every test of the command: running it as a user would, the files it reads, and
// requests to what it serves.

// runCLI runs the program as a user would and returns its exit status and output.
func runCLI(t testing.TB, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, &out, &errOut)
	code = exitCode(err, &errOut)
	return code, out.String(), errOut.String()
}

// runCmd runs `scimsim name args...` as runCLI does.
func runCmd(t testing.TB, name string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runCLI(t, append([]string{name}, args...)...)
}

// cliCase is one run of the command line and what it must do: exit with status code, and write to
// standard output and standard error what contains stdout and stderr ("" asks nothing of it).
type cliCase struct {
	name   string
	args   []string
	code   int
	stdout string
	stderr string
}

// runCases runs `scimsim command... args...` for each case, in a subtest of the case's name, and
// checks its exit status and output. The output is not a terminal, so it never holds a colour.
func runCases(t *testing.T, cases []cliCase, command ...string) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := slices.Concat(command, tc.args)
			code, stdout, stderr := runCLI(t, args...)
			if code != tc.code {
				t.Fatalf("scimsim %q: exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", args, code, tc.code, stdout, stderr)
			}
			if !strings.Contains(stdout, tc.stdout) {
				t.Errorf("scimsim %q: stdout does not contain %q:\n%s", args, tc.stdout, stdout)
			}
			if !strings.Contains(stderr, tc.stderr) {
				t.Errorf("scimsim %q: stderr does not contain %q:\n%s", args, tc.stderr, stderr)
			}
			if strings.Contains(stdout, "\x1b[") {
				t.Errorf("scimsim %q: colours in output that is not a terminal:\n%s", args, stdout)
			}
		})
	}
}

// isUsageError says whether err is run's answer to bad input: exit status 2.
func isUsageError(err error) bool {
	var ee *exitError
	return errors.As(err, &ee) && ee.code == 2
}

// wantUsageError fails the test unless `scimsim args...` is refused as bad input.
func wantUsageError(t *testing.T, args ...string) {
	t.Helper()
	if err := run(context.Background(), args, io.Discard, io.Discard); !isUsageError(err) {
		t.Errorf("run(%q) = %v, want a usage error (exit 2)", args, err)
	}
}

// startCLI runs `scimsim args...` in the background and returns the first submatch of addr in
// the first line it prints (the address it serves at), and stop, which cancels the command's
// context and returns what run returned, or an error when run has not returned within 10 s.
func startCLI(t *testing.T, addr *regexp.Regexp, args ...string) (url string, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, args, pw, io.Discard)
		pw.CloseWithError(io.EOF)
		done <- err
	}()
	url, err := firstAddress(pr, addr)
	if err != nil {
		cancel()
		t.Fatalf("scimsim %s: %v (run: %v)", args[0], err, <-done)
	}
	var once sync.Once
	var runErr error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case runErr = <-done:
			case <-time.After(10 * time.Second):
				runErr = fmt.Errorf("scimsim %s did not stop within 10s of its context ending", args[0])
			}
		})
		return runErr
	}
	return url, stop
}

// firstAddress reads the first line a serving command prints on r and returns the first submatch
// of addr in it (the address it serves at); the rest of r is read away, so that the command never
// blocks on a full pipe.
func firstAddress(r io.Reader, addr *regexp.Regexp) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("printed no address: %w", err)
	}
	go func() { _, _ = io.Copy(io.Discard, r) }()
	m := addr.FindStringSubmatch(line)
	if m == nil {
		return "", fmt.Errorf("no address in %q", line)
	}
	return m[1], nil
}

// serveRoot finds the root URL in the line `scimsim serve` starts with.
var serveRoot = regexp.MustCompile(`(https?://127\.0\.0\.1:\d+)/scim/v2`)

// startServe runs `scimsim serve` with args on 127.0.0.1:0 and returns the root URL it prints
// and stop (see startCLI), which also runs when the test ends.
func startServe(t *testing.T, args ...string) (root string, stop func() error) {
	t.Helper()
	root, stop = startCLI(t, serveRoot, append([]string{"serve", "--addr", "127.0.0.1:0", "--log-level", "warn"}, args...)...)
	t.Cleanup(func() { _ = stop() })
	return root, stop
}

// process is a built scimsim serving in its own process.
type process struct {
	cmd  *exec.Cmd
	root string
}

// buildScimsim builds the command, with the go build flags given, into a temporary directory and
// returns the binary's path.
func buildScimsim(t *testing.T, flags ...string) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go tool to build the binary: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "scimsim")
	out, err := exec.Command(goTool, append(append([]string{"build"}, flags...), "-o", bin, ".")...).CombinedOutput()
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
	root, err := firstAddress(stdout, serveRoot)
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("serve: %v\n%s", err, stderr.String())
	}
	p := &process{cmd: cmd, root: root}
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

// startUI runs `scimsim ui` with args on 127.0.0.1:0 until the test ends, and returns the page's
// root URL.
func startUI(t *testing.T, args ...string) string {
	t.Helper()
	root, stop := startCLI(t, regexp.MustCompile(`at (http://127\.0\.0\.1:\d+)/`), append([]string{"ui", "--addr", "127.0.0.1:0"}, args...)...)
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("scimsim ui: %v", err)
		}
	})
	return root
}

// send sends method url with hc, the bearer token (none when empty) and body (a SCIM document;
// none when empty), and returns the answer's status and body.
func send(t *testing.T, hc *http.Client, method, url, token, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the answer: %v", method, url, err)
	}
	return resp.StatusCode, string(b)
}

func get(t *testing.T, hc *http.Client, url, token string) (int, string) {
	t.Helper()
	return send(t, hc, "GET", url, token, "")
}

func post(t *testing.T, url, token, body string) (int, string) {
	t.Helper()
	return send(t, http.DefaultClient, "POST", url, token, body)
}

// getPage is GET url as a browser asks it, without a token.
func getPage(t *testing.T, url string) (int, string) {
	t.Helper()
	return get(t, http.DefaultClient, url, "")
}
