package main

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/scimsim/scimsim/simulator"
)

// TestNewHTTPServer_SlowClients checks serve's http.Server against clients that never finish
// their headers (slowloris): each is disconnected after ReadHeaderTimeout while the server goes
// on answering others.
func TestNewHTTPServer_SlowClients(t *testing.T) {
	sim, err := simulator.New()
	if err != nil {
		t.Fatal(err)
	}
	srv := newHTTPServer(sim, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if srv.ReadHeaderTimeout != 10*time.Second || srv.ReadTimeout <= 0 || srv.WriteTimeout <= 0 || srv.IdleTimeout <= 0 {
		t.Fatalf("timeouts: header %v, read %v, write %v, idle %v; want all set, header 10s",
			srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout)
	}
	// The configuration is what is under test; a shorter header timeout keeps the test short.
	srv.ReadHeaderTimeout = 200 * time.Millisecond

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve: %v", err)
		}
	})
	root := "http://" + ln.Addr().String()

	const slow = 20
	conns := make([]net.Conn, slow)
	for i := range conns {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		// A request line and one header, and then nothing: the blank line never comes.
		if _, err := io.WriteString(c, "GET /scim/v2/Users HTTP/1.1\r\nHost: scimsim\r\n"); err != nil {
			t.Fatal(err)
		}
		conns[i] = c
	}

	resp, err := http.Get(root + "/scim/v2/Users")
	if err != nil {
		t.Fatalf("a normal request while %d clients hang: %v", slow, err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("a normal request while %d clients hang: %d", slow, resp.StatusCode)
	}

	for i, c := range conns {
		// The deadline only bounds the test; the server must close first.
		if err := c.SetReadDeadline(time.Now().Add(30 * time.Second)); err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(c)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("slow client %d: still connected after 30s", i)
		}
		if err != nil && !errors.Is(err, net.ErrClosed) {
			var op *net.OpError
			if !errors.As(err, &op) { // a reset is a close too
				t.Fatalf("slow client %d: %v", i, err)
			}
		}
		// net/http closes a connection whose headers time out without answering: there is no
		// request to answer yet.
		if len(b) > 0 {
			t.Fatalf("slow client %d got %q, want the connection closed", i, b)
		}
	}

	resp, err = http.Get(root + "/scim/v2/Users")
	if err != nil {
		t.Fatalf("a normal request after the slow clients: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("a normal request after the slow clients: %d", resp.StatusCode)
	}
}
