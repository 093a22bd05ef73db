package faults

import (
	"crypto/tls"
	"net"
	"net/http"

	"github.com/labstack/echo/v4"
)

// connectionReset closes the connection without an answer, like toxiproxy's reset_peer and
// WireMock's CONNECTION_RESET_BY_PEER: the client sees "connection reset by peer" (or an
// unexpected EOF), never a status. Entra reports a connection failure.
type connectionReset struct{}

// The type's row of the fault registry (registry.go).
var _ = register(TypeInfo{Name: "connection_reset", Description: "closes the connection without an answer (TCP RST where possible)",
	Example: `{"type": "connection_reset", "probability": 0.1}`}, stateless[connectionReset])

func (connectionReset) Apply(c echo.Context, _ echo.HandlerFunc) error {
	return abortConnection(c, true)
}

// abortConnection takes the connection over and closes it. With reset, SO_LINGER 0 makes the
// kernel send a TCP RST instead of a FIN (the socket's unsent data is discarded). The journal
// records status 0: nothing was answered.
//
// When the connection cannot be taken over (HTTP/2, or a response writer that does not unwrap
// to one that can), it panics with http.ErrAbortHandler, net/http's documented way to abort a
// response: the server resets the HTTP/2 stream or closes the HTTP/1 connection, and echo's
// Recover middleware passes that panic on.
func abortConnection(c echo.Context, reset bool) error {
	conn, _, err := http.NewResponseController(c.Response()).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	c.Response().Status = 0
	raw := conn
	if tc, ok := conn.(*tls.Conn); ok {
		raw = tc.NetConn() // close under TLS without a close_notify: the peer sees the drop
	}
	if tcp, ok := raw.(*net.TCPConn); ok && reset {
		_ = tcp.SetLinger(0) // best effort: without it the client still sees the connection close
	}
	// A close error cannot be reported to anyone: the connection is gone either way, and an
	// error returned here would make echo write to the hijacked connection.
	_ = raw.Close()
	return nil
}
