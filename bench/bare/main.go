// Command bare is the ceiling that `make bench-load` measures scimsim against: a plain net/http
// server on loopback that answers every SCIM user query with the same fixed ListResponse (one user)
// and every create with the same fixed 201, doing no parsing, storing and encoding at all.
//
// Whatever req/s it reaches under bench/peers/load.sh is what this machine, with the load
// generator sharing its cores, can serve at best; scimsim's figures are quoted as a share of it.
// It checks the bearer token (constant time) like any SCIM server would, and answers exactly what
// load.sh needs: GET /scim/v2/Users (its preflight, its correctness guard and the timed filtered
// GET) and POST /scim/v2/Users.
//
// Usage:
//
//	bare --addr 127.0.0.1:8090 --token secret
package main

import (
	"context"
	"crypto/subtle"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

// Responses are fixed bytes so that a request costs the server only HTTP itself. The user has the
// shape load.sh creates, so the body is the size scimsim returns for the same query.
const (
	listBody = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,` +
		`"itemsPerPage":1,"startIndex":1,"Resources":[` + userBody + `]}`
	userBody = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],` +
		`"id":"2d0f4a3c-7c1e-4b8e-9a51-5b0c2f6d1e01","externalId":"ext-user5000","userName":"user5000",` +
		`"name":{"givenName":"User","familyName":"user5000"},"displayName":"User 5000","active":true,` +
		`"emails":[{"value":"user5000@example.com","type":"work","primary":true}],` +
		`"meta":{"resourceType":"User","created":"2026-11-25T10:00:00Z","lastModified":"2026-11-25T10:00:00Z",` +
		`"location":"/scim/v2/Users/2d0f4a3c-7c1e-4b8e-9a51-5b0c2f6d1e01","version":"W/\"1\""}}`
	// errorBody* follow RFC 7644 Section 3.12: status is a string.
	errorUnauthorized = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"401",` +
		`"detail":"missing or wrong bearer token"}`
	errorNotFound = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404",` +
		`"detail":"bare answers only /scim/v2/Users"}`
	errorMethod = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"405",` +
		`"detail":"bare answers only GET and POST"}`
)

// usersPath is the one path bare serves; the query string is ignored, so every filter "matches"
// the one fixed user, which is what load.sh's correctness guard expects of user5000.
const usersPath = "/scim/v2/Users"

// scimContentType is the media type of every SCIM response (RFC 7644 Section 3.1).
const scimContentType = "application/scim+json"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bare:", err)
		os.Exit(1)
	}
}

// run parses the flags, listens on a loopback address and serves until ctx is done, then shuts
// down gracefully.
func run(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("bare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8090", "loopback `host:port` to listen on")
	token := fs.String("token", "", "bearer `token` clients must send (empty: no authentication)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if err := checkLoopback(*addr); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	srv := &http.Server{
		Handler:           newHandler(*token),
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       time.Minute,
	}
	fmt.Fprintf(stderr, "bare listening on http://%s%s\n", ln.Addr(), usersPath)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serve on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve on %s: %w", ln.Addr(), err)
	}
	return nil
}

// checkLoopback refuses any address that is not an IP loopback address: the benchmark only ever
// talks to this machine.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("--addr %q: host must be a loopback IP such as 127.0.0.1", addr)
	}
	return nil
}

// newHandler answers GET and POST on usersPath with fixed bodies after checking the bearer token.
func newHandler(token string) http.Handler {
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token != "" && subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="scim"`)
			write(w, http.StatusUnauthorized, errorUnauthorized)
			return
		}
		if r.URL.Path != usersPath {
			write(w, http.StatusNotFound, errorNotFound)
			return
		}
		switch r.Method {
		case http.MethodGet:
			write(w, http.StatusOK, listBody)
		case http.MethodPost:
			// Read the body as a real server must; net/http would otherwise drain at most 256 KiB
			// of it before reusing the connection.
			if _, err := io.Copy(io.Discard, r.Body); err != nil {
				return
			}
			w.Header().Set("Location", "/scim/v2/Users/2d0f4a3c-7c1e-4b8e-9a51-5b0c2f6d1e01")
			write(w, http.StatusCreated, userBody)
		default:
			w.Header().Set("Allow", "GET, POST")
			write(w, http.StatusMethodNotAllowed, errorMethod)
		}
	})
}

func write(w http.ResponseWriter, status int, body string) {
	h := w.Header()
	h.Set("Content-Type", scimContentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body) // a client that went away is not the server's error
}
