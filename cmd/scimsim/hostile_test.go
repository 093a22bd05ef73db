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
	srv := newHTTPServer(sim, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
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

// TestConnLimiter_HostileConnections: with --max-conns 50, 300 connections that send headers and
// never their whole body cannot keep /admin/health from answering, and never close a
// connection whose request is being served.
func TestConnLimiter_HostileConnections(t *testing.T) {
	sim, err := simulator.New()
	if err != nil {
		t.Fatal(err)
	}
	blocked, release := make(chan struct{}), make(chan struct{})
	mux := http.NewServeMux()
	mux.Handle("/", sim)
	mux.HandleFunc("/block", func(w http.ResponseWriter, r *http.Request) {
		close(blocked)
		<-release
		_, _ = io.WriteString(w, "served")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	const max = 50
	limiter := newConnLimiter(ln, max)
	srv := newHTTPServer(mux, slog.New(slog.NewTextHandler(io.Discard, nil)), limiter)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(limiter) }()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	addr := ln.Addr().String()

	// A request that is being served when the flood starts.
	servedc := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/block")
		if err != nil {
			servedc <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		servedc <- string(b)
	}()
	<-blocked

	const hostile = 300
	for i := range hostile {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("hostile connection %d: %v", i, err)
		}
		defer c.Close()
		// A POST that promises 1,000 bytes and sends one.
		if _, err := io.WriteString(c, "POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\nContent-Type: application/scim+json\r\nContent-Length: 1000\r\n\r\n{"); err != nil {
			t.Fatal(err)
		}
	}
	hc := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for i := range 5 {
		resp, err := hc.Get("http://" + addr + "/admin/health")
		if err != nil {
			t.Fatalf("health %d while %d connections hang: %v", i, hostile, err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("health %d: %d", i, resp.StatusCode)
		}
	}
	if n := limiter.open(); n > max {
		t.Fatalf("the limiter holds %d connections, more than %d", n, max)
	}
	if n := limiter.evicted.Load(); n < hostile-max {
		t.Fatalf("%d connections closed for others, want at least %d", n, hostile-max)
	}
	close(release)
	if got := <-servedc; got != "served" {
		t.Fatalf("the request being served during the flood got %q", got)
	}
}
