package main

import (
	"context"
	"io"
	"net/http"
	"regexp"
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

	port, stop := startCLI(t, regexp.MustCompile(`http://\S+:(\d+)/scim/v2`), "serve", "--addr", "0.0.0.0:0", "--admin-token", "adm1n", "--log-level", "warn")
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	root := "http://127.0.0.1:" + port
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
		code, _ := send(t, http.DefaultClient, tc.method, root+tc.path, tc.token, "")
		if code != tc.want {
			t.Errorf("%s %s with token %q = %d, want %d", tc.method, tc.path, tc.token, code, tc.want)
		}
	}
}
