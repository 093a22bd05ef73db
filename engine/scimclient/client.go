// Package scimclient provides the SCIM 2.0 client the provisioning engine speaks through: the
// queries, creates, PATCHes and deletes Microsoft Entra ID sends to an application, in either of
// Entra's request dialects, with every exchange recorded for the report.
//
// The client retries what Entra retries on its own during an on-demand run (429 Too Many
// Requests, honouring Retry-After, and an attempt that timed out) within the caller's deadline,
// and classifies everything else into an *Error the engine maps to Entra's error codes.
package scimclient

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Schema URIs of SCIM messages and resources (RFC 7643 Section 8.7, RFC 7644 Section 3.4.2).
const (
	ListResponseSchema = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	ErrorSchema        = "urn:ietf:params:scim:api:messages:2.0:Error"
	UserSchema         = "urn:ietf:params:scim:schemas:core:2.0:User"
	GroupSchema        = "urn:ietf:params:scim:schemas:core:2.0:Group"
	EnterpriseSchema   = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	// ContentType is the media type of every SCIM request and response (RFC 7644 Section 3.1).
	ContentType = "application/scim+json"
)

// Defaults of the client's retry policy.
const (
	DefaultMaxAttempts = 4
	// DefaultRetryAfter is the wait after a 429 that carries no usable Retry-After header.
	DefaultRetryAfter = time.Second
	// DefaultBodyCap bounds the bodies kept in recorded exchanges.
	DefaultBodyCap = 8 << 10
	// maxResponse bounds what the client reads from a response.
	maxResponse = 16 << 20
)

// Resource is a SCIM resource as JSON: attribute name to value.
type Resource = map[string]any

// ListResponse is a SCIM query answer (RFC 7644 Section 3.4.2).
type ListResponse struct {
	TotalResults int        `json:"totalResults"`
	Resources    []Resource `json:"Resources"`
}

// Client talks to one SCIM base URL. A Client is not safe for concurrent use: it records the
// exchanges of one on-demand run in order.
type Client struct {
	base           string
	token          string
	hc             *http.Client
	dialect        Dialect
	maxAttempts    int
	attemptTimeout time.Duration
	sleep          func(context.Context, time.Duration) error
	bodyCap        int
	exchanges      []Exchange
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient sets the HTTP client (transport, TLS configuration). The default is
// http.DefaultClient.
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.hc = hc } }

// WithDialect sets the request dialect (default DialectEntra).
func WithDialect(d Dialect) Option { return func(c *Client) { c.dialect = d } }

// WithMaxAttempts bounds the attempts per request, retries included (default 4).
func WithMaxAttempts(n int) Option { return func(c *Client) { c.maxAttempts = max(n, 1) } }

// WithAttemptTimeout bounds one attempt; 0 means only the caller's context bounds it. An attempt
// that times out is retried while attempts and the caller's deadline remain.
func WithAttemptTimeout(d time.Duration) Option { return func(c *Client) { c.attemptTimeout = d } }

// WithSleep replaces the wait between attempts (tests pass one that returns at once).
func WithSleep(sleep func(context.Context, time.Duration) error) Option {
	return func(c *Client) { c.sleep = sleep }
}

// WithBodyCap bounds the request and response bodies kept in recorded exchanges.
func WithBodyCap(n int) Option { return func(c *Client) { c.bodyCap = n } }

// New returns a client for the SCIM base URL baseURL (the "Tenant URL"), authenticating with the
// bearer token ("Secret Token"; empty sends no Authorization header).
func New(baseURL, token string, opts ...Option) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("tenant URL %q: %w", baseURL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("tenant URL %q: want an absolute http or https URL", baseURL)
	}
	u.RawQuery, u.Fragment = "", ""
	c := &Client{
		base:        strings.TrimRight(u.String(), "/"),
		token:       token,
		hc:          http.DefaultClient,
		dialect:     DialectEntra,
		maxAttempts: DefaultMaxAttempts,
		sleep:       sleepContext,
		bodyCap:     DefaultBodyCap,
	}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// Dialect returns the client's request dialect.
func (c *Client) Dialect() Dialect { return c.dialect }

// BaseURL returns the SCIM base URL without query string.
func (c *Client) BaseURL() string { return c.base }

// TakeExchanges returns the exchanges recorded since the last call and forgets them.
func (c *Client) TakeExchanges() []Exchange {
	out := c.exchanges
	c.exchanges = nil
	return out
}

// Query sends GET /{resource}?filter=... (and excludedAttributes=members when excludeMembers is
// set, as Entra does for groups) and returns the list response.
func (c *Client) Query(ctx context.Context, resource, filter string, excludeMembers bool) (*ListResponse, error) {
	q := url.Values{}
	if excludeMembers {
		q.Set("excludedAttributes", "members")
	}
	q.Set("filter", filter)
	resp, err := c.do(ctx, http.MethodGet, "/"+resource, q, nil)
	if err != nil {
		return nil, err
	}
	if resp.status != http.StatusOK {
		return nil, resp.statusError()
	}
	var raw struct {
		Schemas      []string          `json:"schemas"`
		TotalResults *int              `json:"totalResults"`
		Resources    []json.RawMessage `json:"Resources"`
	}
	if err := json.Unmarshal(resp.body, &raw); err != nil || raw.TotalResults == nil {
		return nil, resp.incompatible("the answer to a query is not a SCIM ListResponse (RFC 7644 Section 3.4.2): no totalResults")
	}
	lr := &ListResponse{TotalResults: *raw.TotalResults}
	for i, r := range raw.Resources {
		var res Resource
		if err := json.Unmarshal(r, &res); err != nil || res == nil {
			return nil, resp.incompatible(fmt.Sprintf("Resources[%d] is not a JSON object", i))
		}
		if id, _ := res["id"].(string); id == "" {
			return nil, resp.incompatible(fmt.Sprintf("Resources[%d] has no id (RFC 7643 Section 3.1)", i))
		}
		lr.Resources = append(lr.Resources, res)
	}
	if *raw.TotalResults > 0 && len(lr.Resources) == 0 {
		return nil, resp.incompatible(fmt.Sprintf("totalResults is %d but Resources is empty", *raw.TotalResults))
	}
	return lr, nil
}

// Get sends GET /{resource}/{id}.
func (c *Client) Get(ctx context.Context, resource, id string, excludeMembers bool) (Resource, error) {
	q := url.Values{}
	if excludeMembers {
		q.Set("excludedAttributes", "members")
	}
	resp, err := c.do(ctx, http.MethodGet, "/"+resource+"/"+url.PathEscape(id), q, nil)
	if err != nil {
		return nil, err
	}
	if resp.status != http.StatusOK {
		return nil, resp.statusError()
	}
	return resp.resource(true)
}

// Create sends POST /{resource} and returns the created resource, which must carry an id.
func (c *Client) Create(ctx context.Context, resource string, body Resource) (Resource, error) {
	resp, err := c.do(ctx, http.MethodPost, "/"+resource, nil, body)
	if err != nil {
		return nil, err
	}
	if resp.status != http.StatusCreated && resp.status != http.StatusOK {
		return nil, resp.statusError()
	}
	return resp.resource(true)
}

// Patch sends PATCH /{resource}/{id}. The answer is the resource (200) or nothing (204); both are
// fine for Entra ("it isn't necessary to include the entire resource in the PATCH response").
func (c *Client) Patch(ctx context.Context, resource, id string, p PatchRequest) (Resource, error) {
	resp, err := c.do(ctx, http.MethodPatch, "/"+resource+"/"+url.PathEscape(id), nil, p)
	if err != nil {
		return nil, err
	}
	switch resp.status {
	case http.StatusNoContent:
		return nil, nil
	case http.StatusOK:
		if len(bytes.TrimSpace(resp.body)) == 0 {
			return nil, nil
		}
		return resp.resource(false)
	}
	return nil, resp.statusError()
}

// Delete sends DELETE /{resource}/{id}; 204 (or 200) is success.
func (c *Client) Delete(ctx context.Context, resource, id string) error {
	resp, err := c.do(ctx, http.MethodDelete, "/"+resource+"/"+url.PathEscape(id), nil, nil)
	if err != nil {
		return err
	}
	if resp.status != http.StatusNoContent && resp.status != http.StatusOK {
		return resp.statusError()
	}
	return nil
}

// response is one final answer.
type response struct {
	method, url string
	status      int
	header      http.Header
	body        []byte
}

// resource decodes a SCIM resource; needID requires an id.
func (r *response) resource(needID bool) (Resource, error) {
	var res Resource
	if err := json.Unmarshal(r.body, &res); err != nil || res == nil {
		return nil, r.incompatible("the body is not a SCIM resource (a JSON object)")
	}
	if id, _ := res["id"].(string); needID && id == "" {
		return nil, r.incompatible("the resource has no id (RFC 7643 Section 3.1)")
	}
	return res, nil
}

func (r *response) incompatible(msg string) *Error {
	return &Error{Kind: KindIncompatible, Method: r.method, URL: r.url, Status: r.status, Detail: msg}
}

// statusError turns a non-success answer into an *Error carrying the SCIM error's scimType and
// detail (RFC 7644 Section 3.12) when the body has them.
func (r *response) statusError() *Error {
	e := &Error{Kind: KindStatus, Method: r.method, URL: r.url, Status: r.status}
	var body struct {
		ScimType string `json:"scimType"`
		Detail   string `json:"detail"`
	}
	if json.Unmarshal(r.body, &body) == nil {
		e.ScimType, e.Detail = body.ScimType, body.Detail
	}
	if r.status == http.StatusTooManyRequests {
		e.RetryAfter = r.header.Get("Retry-After")
	}
	return e
}

// do sends one request with retries and records every attempt.
func (c *Client) do(ctx context.Context, method, path string, q url.Values, body any) (*response, error) {
	u := c.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return nil, fmt.Errorf("%s %s: encoding the request body: %w", method, u, err)
		}
	}
	var retryReason string
	for attempt := 1; ; attempt++ {
		resp, err := c.attempt(ctx, method, u, payload, attempt, retryReason)
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
		case resp.status == http.StatusTooManyRequests:
			wait := retryAfter(resp.header.Get("Retry-After"))
			if last || !fits(ctx, wait) {
				e := resp.statusError()
				e.Attempts = attempt
				return nil, e
			}
			if err := c.sleep(ctx, wait); err != nil {
				return nil, &Error{Kind: KindTimeout, Method: method, URL: u, Err: err, Attempts: attempt}
			}
			retryReason = RetryThrottled
			continue
		}
		if err := resp.checkContentType(); err != nil {
			return nil, err
		}
		return resp, nil
	}
}

// fits reports whether waiting d leaves time before ctx's deadline.
func fits(ctx context.Context, d time.Duration) bool {
	dl, ok := ctx.Deadline()
	return !ok || time.Until(dl) > d
}

// checkContentType rejects a body that is not JSON: RFC 7644 Section 3.1 requires
// application/scim+json, and Entra cannot read anything else ("We are not able to deserialize the
// resource received from your SCIM endpoint"). application/json is accepted, as Entra does.
func (r *response) checkContentType() error {
	if len(bytes.TrimSpace(r.body)) == 0 {
		return nil
	}
	ct := r.header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || (mt != ContentType && mt != "application/json") {
		return r.incompatible(fmt.Sprintf("Content-Type %q is not %s", ct, ContentType))
	}
	if !json.Valid(r.body) {
		return r.incompatible("the body is not valid JSON")
	}
	return nil
}

// attempt sends the request once and records the exchange.
func (c *Client) attempt(ctx context.Context, method, u string, payload []byte, n int, retryReason string) (*response, error) {
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
	req, err := http.NewRequestWithContext(actx, method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, u, err)
	}
	req.Header.Set("Accept", ContentType)
	if payload != nil {
		req.Header.Set("Content-Type", ContentType)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	ex := Exchange{Method: method, URL: u, Attempt: n, Retry: retryReason, RequestBody: c.capBody(payload)}
	if c.token != "" {
		ex.Authorization = "Bearer " + Redacted
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		ce := classify(ctx, actx, method, u, err)
		ce.Attempts = n
		ex.Error = ce.Error()
		c.exchanges = append(c.exchanges, ex)
		return nil, ce
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	ex.Status = resp.StatusCode
	ex.ContentType = resp.Header.Get("Content-Type")
	ex.ResponseBody = c.capBody(b)
	if err != nil {
		ce := classify(ctx, actx, method, u, err)
		ce.Attempts = n
		ex.Error = ce.Error()
		c.exchanges = append(c.exchanges, ex)
		return nil, ce
	}
	c.exchanges = append(c.exchanges, ex)
	return &response{method: method, url: u, status: resp.StatusCode, header: resp.Header, body: b}, nil
}

func (c *Client) capBody(b []byte) string {
	if len(b) <= c.bodyCap {
		return string(b)
	}
	return string(b[:c.bodyCap]) + fmt.Sprintf("… (%d bytes in all)", len(b))
}

// classify names the transport failure: a deadline, a TLS failure, or a connection that could not
// be made or was dropped.
func classify(ctx, actx context.Context, method, u string, err error) *Error {
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
	case errors.As(err, &certErr) || errors.As(err, &unknownCA) || errors.As(err, &hostErr) ||
		errors.As(err, &invalidErr) || errors.As(err, &recErr) || errors.As(err, &alertErr) ||
		strings.Contains(err.Error(), "tls: "):
		e.Kind = KindTLS
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
