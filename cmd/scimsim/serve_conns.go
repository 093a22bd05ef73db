package main

import (
	"container/list"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
)

// connLimiter caps the connections `scimsim serve` holds at once (--max-conns), so that a client
// that opens connections and never finishes a request (slow headers, a slow body, thousands of
// idle keep-alives) cannot use up the process's file descriptors: past the cap, a new connection
// closes the oldest one that is not serving a request, that is one that is idle or has not sent
// its whole request yet. A connection whose request has arrived whole is never closed for
// another, and the newest connection is the last to go, so that a short request such as GET
// /admin/health gets through while thousands of hostile connections come and go.
//
// It wraps the TCP listener (TLS, when on, wraps it in turn, so that net/http still sees
// *tls.Conn); newHTTPServer's ConnContext and Handler tell it which connections serve a request.
type connLimiter struct {
	net.Listener
	max     int
	mu      sync.Mutex
	conns   list.List // *trackedConn, oldest first
	evicted atomic.Int64
}

func newConnLimiter(ln net.Listener, max int) *connLimiter {
	return &connLimiter{Listener: ln, max: max}
}

// trackedConn is an accepted connection in the limiter's list.
type trackedConn struct {
	net.Conn
	l      *connLimiter
	el     *list.Element
	busy   atomic.Bool // a handler runs with its request read whole
	closed sync.Once
}

func (l *connLimiter) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		tc := &trackedConn{Conn: c, l: l}
		l.mu.Lock()
		for l.conns.Len() >= l.max {
			victim := l.oldestIdleLocked()
			if victim == nil {
				break
			}
			l.removeLocked(victim)
			l.evicted.Add(1)
			_ = victim.Conn.Close()
		}
		if l.conns.Len() >= l.max {
			// Every connection serves a request: this one waits for none of them.
			l.mu.Unlock()
			l.evicted.Add(1)
			_ = c.Close()
			continue
		}
		tc.el = l.conns.PushBack(tc)
		l.mu.Unlock()
		return tc, nil
	}
}

func (l *connLimiter) oldestIdleLocked() *trackedConn {
	for e := l.conns.Front(); e != nil; e = e.Next() {
		if tc := e.Value.(*trackedConn); !tc.busy.Load() {
			return tc
		}
	}
	return nil
}

func (l *connLimiter) removeLocked(tc *trackedConn) {
	tc.closed.Do(func() { l.conns.Remove(tc.el) })
}

// open returns how many connections the limiter holds.
func (l *connLimiter) open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.conns.Len()
}

func (c *trackedConn) Close() error {
	c.l.mu.Lock()
	c.l.removeLocked(c)
	c.l.mu.Unlock()
	return c.Conn.Close()
}

type connKey struct{}

// connContext is the http.Server's ConnContext: it carries the tracked connection to the handler.
func connContext(ctx context.Context, c net.Conn) context.Context {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	if tc, ok := c.(*trackedConn); ok {
		return context.WithValue(ctx, connKey{}, tc)
	}
	return ctx
}

// handler marks a connection busy from the moment its request body has been read whole (at once
// when it has none) until the handler returns.
func (l *connLimiter) handler(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tc, ok := r.Context().Value(connKey{}).(*trackedConn)
		if !ok {
			h.ServeHTTP(w, r)
			return
		}
		if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
			tc.busy.Store(true)
		} else {
			r.Body = &watchedBody{ReadCloser: r.Body, c: tc}
		}
		defer tc.busy.Store(false)
		h.ServeHTTP(w, r)
	})
}

// watchedBody marks its connection busy when the body has been read to its end.
type watchedBody struct {
	io.ReadCloser
	c *trackedConn
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.c.busy.Store(true)
	}
	return n, err
}
