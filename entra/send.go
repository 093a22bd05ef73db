package entra

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/scimsim/scimsim/wire"
)

// Send sends req with the client's retry policy and records every attempt. It returns an error only
// when no answer arrived (*Error of KindConnection, KindTLS, KindTimeout or KindCanceled) or when a
// 429 persisted beyond the attempts or the deadline; any other status is a Response.
func (c *Client) Send(ctx context.Context, req Request) (*Response, error) {
	u := req.URL(c.base)
	var payload []byte
	if req.Body != nil {
		var err error
		if payload, err = encodeJSON(req.Body); err != nil {
			return nil, fmt.Errorf("%s %s: encoding the request body: %w", req.Method, u, err)
		}
	}
	var retryReason string
	for attempt := 1; ; attempt++ {
		resp, err := c.attempt(ctx, req, u, payload, attempt, retryReason)
		last := attempt >= c.maxAttempts
		switch {
		case err != nil:
			var ce *Error
			if !errors.As(err, &ce) || ce.Kind != KindTimeout || last || ctx.Err() != nil {
				return nil, err
			}
			// The attempt ran out of its own time while the run's budget remains: retry, and
			// say that a write may already have been applied.
			retryReason = RetryTimeout
			continue
		case resp.Status == http.StatusTooManyRequests && !last:
			wait := retryAfter(resp.Header.Get("Retry-After"))
			if !fits(ctx, wait) {
				e := resp.StatusError()
				e.Attempts = attempt
				return nil, e
			}
			if err := c.sleep(ctx, wait); err != nil {
				return nil, &Error{Kind: KindTimeout, Method: req.Method, URL: u, Err: err, Attempts: attempt}
			}
			retryReason = RetryThrottled
			continue
		case resp.Status == http.StatusTooManyRequests && c.maxAttempts > 1:
			e := resp.StatusError()
			e.Attempts = attempt
			return nil, e
		}
		return resp, nil
	}
}

// encodeJSON encodes v as Entra writes JSON: without HTML escaping of <, > and &.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// fits reports whether waiting d leaves time before ctx's deadline.
func fits(ctx context.Context, d time.Duration) bool {
	dl, ok := ctx.Deadline()
	return !ok || time.Until(dl) > d
}

// attempt sends the request once and records the exchange.
func (c *Client) attempt(ctx context.Context, r Request, u string, payload []byte, n int, retryReason string) (*Response, error) {
	actx := ctx
	if c.attemptTimeout > 0 {
		var cancel context.CancelFunc
		actx, cancel = context.WithTimeout(ctx, c.attemptTimeout)
		defer cancel()
	}
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(actx, r.Method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", r.Method, u, err)
	}
	req.Header.Set("Accept", c.mediaType)
	if payload != nil {
		req.Header.Set("Content-Type", c.mediaType)
	}
	ex := Exchange{Method: r.Method, URL: u, Attempt: n, Retry: retryReason, By: r.By,
		RequestBody: wire.Redact(wire.Cap(payload, c.bodyCap), c.token)}
	switch {
	case r.Auth != nil:
		if *r.Auth != "" {
			req.Header.Set("Authorization", *r.Auth)
		}
		ex.Authorization = wire.Redact(*r.Auth, c.token)
	case c.token != "":
		req.Header.Set("Authorization", "Bearer "+c.token)
		ex.Authorization = wire.BearerRedacted
	}
	record := func() {
		c.exchanges = append(c.exchanges, ex)
		if c.observe != nil {
			c.observe(ex)
		}
	}
	// failed records an attempt that got no whole answer: no connection, or a body cut short.
	failed := func(err error) (*Response, error) {
		ce := classifyTransport(ctx, actx, r.Method, u, err)
		ce.Attempts = n
		ex.Error = wire.Redact(ce.Error(), c.token)
		record()
		return nil, ce
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return failed(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	ex.Status = resp.StatusCode
	ex.ContentType = resp.Header.Get("Content-Type")
	ex.ResponseBody = wire.Redact(wire.Cap(b, c.bodyCap), c.token)
	if err != nil {
		return failed(err)
	}
	record()
	return &Response{Method: r.Method, URL: u, Status: resp.StatusCode, Header: resp.Header, Body: b, Exchange: ex}, nil
}

// classifyTransport names a failure without an answer: a deadline, a TLS failure, or a connection
// that could not be made or was dropped.
func classifyTransport(ctx, actx context.Context, method, u string, err error) *Error {
	// net/http wraps the failure in a *url.Error that repeats the method and URL.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	e := &Error{Method: method, URL: u, Err: err}
	var (
		certErr    *tls.CertificateVerificationError
		unknownCA  x509.UnknownAuthorityError
		hostErr    x509.HostnameError
		invalidErr x509.CertificateInvalidError
		recErr     tls.RecordHeaderError
		alertErr   tls.AlertError
	)
	switch {
	case errors.Is(err, context.DeadlineExceeded) || actx.Err() != nil && ctx.Err() == nil ||
		errors.Is(ctx.Err(), context.DeadlineExceeded):
		e.Kind = KindTimeout
	case errors.As(err, &recErr) || strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		e.Kind = KindTLS
		e.Detail = "this endpoint speaks plain HTTP, not HTTPS: use an http:// tenant URL"
	case strings.Contains(err.Error(), `malformed HTTP response "\x15\x03`):
		// An http:// URL answered by a TLS server with a TLS alert record.
		e.Kind = KindTLS
		e.Detail = "this endpoint speaks HTTPS: use an https:// tenant URL"
	case errors.As(err, &certErr) || errors.As(err, &unknownCA) || errors.As(err, &hostErr) ||
		errors.As(err, &invalidErr) || errors.As(err, &alertErr) || strings.Contains(err.Error(), "tls: "):
		e.Kind = KindTLS
		e.Detail = "trust the endpoint's certificate with --ca-cert FILE, or, for a test endpoint only, skip verification with --insecure"
	case errors.Is(err, context.Canceled):
		e.Kind = KindCanceled
	default:
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			e.Kind = KindTimeout
		} else {
			e.Kind = KindConnection
		}
	}
	return e
}

// retryAfter reads a Retry-After header: delay-seconds or an HTTP date (RFC 9110 Section 10.2.3).
func retryAfter(h string) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return DefaultRetryAfter
	}
	if s, err := strconv.Atoi(h); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(time.Until(t), 0)
	}
	return DefaultRetryAfter
}

func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
