package endpoint

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/wire"
)

// Timeouts of a session.
const (
	// RequestTimeout bounds one request: a run against a real endpoint sends each request once
	// (a check is about the answer the endpoint gives, not about retries) and gives up on it after
	// this long.
	RequestTimeout = 30 * time.Second
	// CleanupTimeout bounds the deletion of what a ledger holds. Cleanup runs on a context of its
	// own, so that a run cut short by a deadline or an interrupt still removes what it created.
	CleanupTimeout = 30 * time.Second
)

// Config says which endpoint a session talks to.
type Config struct {
	// URL is the SCIM base URL, what Entra calls the Tenant URL.
	URL string
	// Token is the bearer token, what Entra calls the Secret Token; empty sends none.
	Token string
	// Prefix starts the name of everything the session creates; DefaultPrefix when empty.
	Prefix string
	// HTTPClient sends the requests (transport, TLS); nil means http.DefaultClient.
	HTTPClient *http.Client
	// Observe, when set, is called with every exchange as it is recorded (a progress log).
	Observe func(wire.Exchange)
}

// Session is one run against a user's own SCIM endpoint, shared by the conformance checks and the
// harness's external target: the endpoint and its token, a run id drawn once, names unique to the
// run, and every request sent once through Entra's client (entra.Client with one attempt), its
// exchange recorded with the token redacted. What the run creates is kept in Ledgers, which delete
// it afterwards. A Session is safe for concurrent use.
type Session struct {
	base, token, prefix, runID string
	hc                         *http.Client
	observe                    func(wire.Exchange)

	mu        sync.Mutex
	exchanges []wire.Exchange
	tags      int
}

// NewSession checks c (a base URL the run can use, a valid prefix) and starts a session with a
// fresh run id. It sends nothing.
func NewSession(c Config) (*Session, error) {
	if c.URL == "" {
		return nil, fmt.Errorf("no target: the SCIM base URL (Tenant URL) is empty")
	}
	if err := CheckBaseURL(c.URL); err != nil {
		return nil, fmt.Errorf("target %q: %w", c.URL, err)
	}
	if err := CheckPrefix(c.Prefix); err != nil {
		return nil, err
	}
	s := &Session{base: strings.TrimRight(c.URL, "/"), token: c.Token, prefix: c.Prefix, hc: c.HTTPClient,
		observe: c.Observe, runID: newRunID()}
	if s.prefix == "" {
		s.prefix = DefaultPrefix
	}
	if s.hc == nil {
		s.hc = http.DefaultClient
	}
	return s, nil
}

func newRunID() string {
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}

// BaseURL is the SCIM base URL without a trailing slash.
func (s *Session) BaseURL() string { return s.base }

// Token is the bearer token the session sends.
func (s *Session) Token() string { return s.token }

// RunID is the random part of every name the session gives: 8 hex digits.
func (s *Session) RunID() string { return s.runID }

// Prefix starts every name the session gives.
func (s *Session) Prefix() string { return s.prefix }

// Name returns the run-unique name of local: prefix, run id, "-", local, e.g.
// "scimsim-1a2b3c4d-alice". A local name should not start with a digit, so that it never reads
// like a Tag.
func (s *Session) Name(local string) string { return s.prefix + s.runID + "-" + local }

// Tag returns a new tag unique to the run, prefix + run id + "-" + a counter + "-", e.g.
// "scimsim-1a2b3c4d-3-": the start of every identity one scenario sends.
func (s *Session) Tag() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tags++
	return fmt.Sprintf("%s%s-%d-", s.prefix, s.runID, s.tags)
}

// Client returns Entra's client for the endpoint as the session uses it: one attempt per request,
// every exchange recorded by the session. A Client records the exchanges of one caller; take a new
// one for each goroutine.
func (s *Session) Client(opts ...entra.Option) *entra.Client {
	all := append([]entra.Option{entra.WithHTTPClient(s.hc), entra.WithMaxAttempts(1),
		entra.WithAttemptTimeout(RequestTimeout), entra.WithObserver(s.record)}, opts...)
	c, err := entra.New(s.base, s.token, all...)
	if err != nil {
		// NewSession checked the URL: entra.New cannot refuse it.
		panic("endpoint: " + err.Error())
	}
	return c
}

// Send sends req once and returns the answer; the error is a request that got no answer
// (entra.Error of KindConnection, KindTLS, KindTimeout or KindCanceled).
func (s *Session) Send(ctx context.Context, req entra.Request) (*entra.Response, error) {
	return s.Client().Send(ctx, req)
}

func (s *Session) record(ex wire.Exchange) {
	s.mu.Lock()
	s.exchanges = append(s.exchanges, ex)
	s.mu.Unlock()
	if s.observe != nil {
		s.observe(ex)
	}
}

// Mark returns the number of exchanges recorded so far, for Since.
func (s *Session) Mark() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.exchanges)
}

// Since returns the exchanges recorded after mark.
func (s *Session) Since(mark int) []wire.Exchange {
	s.mu.Lock()
	defer s.mu.Unlock()
	if mark >= len(s.exchanges) {
		return nil
	}
	return append([]wire.Exchange(nil), s.exchanges[mark:]...)
}

// NameAttr is the attribute that names a resource: userName for Users, displayName for Groups.
func NameAttr(resource string) string {
	if resource == wire.Groups {
		return "displayName"
	}
	return "userName"
}

// Lookup finds the resources called name with Entra's own query (an eq filter on the naming
// attribute; groups without their members), as scimsim's request. Only the exact name counts; an
// endpoint that changes the case of what it stores (a userName in lower case) is matched
// case-insensitively only when exactly one resource matches so, so that a lookup can never take
// two users for one.
func (s *Session) Lookup(ctx context.Context, resource, name string) ([]map[string]any, error) {
	req := entra.QueryRequest(resource, entra.Filter(NameAttr(resource), name))
	req.By = wire.ByScimsim
	lr, err := s.Client().List(ctx, req)
	if err != nil {
		return nil, err
	}
	var exact, folded []map[string]any
	for _, r := range lr.Resources {
		n, _ := wire.Field(r, NameAttr(resource)).(string)
		switch {
		case n == name:
			exact = append(exact, r)
		case strings.EqualFold(n, name):
			folded = append(folded, r)
		}
	}
	if len(exact) == 0 && len(folded) == 1 {
		return folded, nil
	}
	return exact, nil
}
