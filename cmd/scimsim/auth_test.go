package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestRun_ServeAdminOffLoopback checks that serve refuses to open the admin API to the network
// without a token, and that with one the admin API turns away requests that lack it.
func TestRun_ServeAdminOffLoopback(t *testing.T) {
	err := run(context.Background(), []string{"serve", "--addr", "0.0.0.0:0"}, io.Discard, io.Discard)
	want := `--addr "0.0.0.0:0" is not a loopback address: set --admin-token, or the admin API would be open to the network`
	if err == nil || err.Error() != want {
		t.Fatalf("run(serve --addr 0.0.0.0:0) = %v, want %q", err, want)
	}
	if got := exitCode(err, io.Discard); got != 2 {
		t.Fatalf("exit code %d, want 2", got)
	}

	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, []string{"serve", "--addr", "0.0.0.0:0", "--admin-token", "adm1n", "--log-level", "warn"}, pw, io.Discard)
		pw.CloseWithError(io.EOF)
		done <- err
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("serve printed no address: %v", err)
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	m := regexp.MustCompile(`http://\S+:(\d+)/scim/v2`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("no SCIM URL in %q", line)
	}
	root := "http://127.0.0.1:" + m[1]
	for _, tc := range []struct {
		method, path, token string
		want                int
	}{
		{"GET", "/admin/health", "", 401},
		{"GET", "/admin/requests", "wrong", 401},
		{"POST", "/admin/reset", "", 401},
		{"GET", "/admin/health", "adm1n", 200},
		{"GET", "/scim/v2/Users", "", 200}, // the SCIM tenant has no token of its own
	} {
		req, err := http.NewRequest(tc.method, root+tc.path, strings.NewReader(""))
		if err != nil {
			t.Fatal(err)
		}
		if tc.token != "" {
			req.Header.Set("Authorization", "Bearer "+tc.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s %s with token %q = %d, want %d", tc.method, tc.path, tc.token, resp.StatusCode, tc.want)
		}
	}
}
