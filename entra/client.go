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
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/scimsim/scimsim/wire"
)

// Schema URIs and the media type, re-exported from wire for the client's callers.
const (
	ListResponseSchema = wire.ListResponseSchema
	ErrorSchema        = wire.ErrorSchema
	UserSchema         = wire.UserSchema
	GroupSchema        = wire.GroupSchema
	EnterpriseSchema   = wire.EnterpriseSchema
	ContentType        = wire.MediaType
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

// Exchange is one recorded request and its answer.
type Exchange = wire.Exchange

// ListResponse is a SCIM query answer (RFC 7644 Section 3.4.2).
type ListResponse struct {
	TotalResults int        `json:"totalResults"`
	Resources    []Resource `json:"Resources"`
}

// Client talks to one SCIM base URL. A Client is not safe for concurrent use: it records the
// exchanges of one run in order.
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
	observe        func(Exchange)
	// mediaType is what the client accepts and sends: SCIM's, or application/json for Graph.
	mediaType string
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient sets the HTTP client (transport, TLS configuration). The default is
// http.DefaultClient.
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.hc = hc } }

// WithDialect sets the request dialect (default DialectEntra).
func WithDialect(d Dialect) Option { return func(c *Client) { c.dialect = d } }

// WithMaxAttempts bounds the attempts per request, retries included (default 4; 1 sends each
// request once, as a conformance check wants).
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

// WithObserver calls f with every exchange as it is recorded (a session that keeps the whole run's
// exchanges, a progress log).
func WithObserver(f func(Exchange)) Option { return func(c *Client) { c.observe = f } }

// TenantURL is a job's Tenant URL, parsed once: the base URL requests go to and the feature flags
// its query string carries, which are not sent.
type TenantURL struct {
	// Base is the URL without query string or fragment; nil when the text did not parse.
	Base *url.URL
	// Flags are the query string's parameters (aadOptscim062020 and the like).
	Flags url.Values
}

// ParseTenantURL parses raw, which must be an absolute http or https URL. A URL that parses but is
// not absolute is returned with the error, so that what its path names can still be read.
func ParseTenantURL(raw string) (TenantURL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return TenantURL{}, fmt.Errorf("tenant URL %q: %w", raw, err)
	}
	t := TenantURL{Flags: u.Query()}
	u.RawQuery, u.Fragment = "", ""
	t.Base = u
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return t, fmt.Errorf("tenant URL %q: want an absolute http or https URL", raw)
	}
	return t, nil
}

// Flag returns the query parameter named name (case-insensitively), as written, and whether the
// URL carries it.
func (t TenantURL) Flag(name string) (string, bool) {
	for k := range t.Flags {
		if strings.EqualFold(k, name) {
			return k, true
		}
	}
	return "", false
}

// New returns a client for the SCIM base URL baseURL (the "Tenant URL"), authenticating with the
// bearer token ("Secret Token"; empty sends no Authorization header). The tenant URL's query string
// carries Entra's feature flags; it is not sent.
func New(baseURL, token string, opts ...Option) (*Client, error) {
	t, err := ParseTenantURL(baseURL)
	if err != nil {
		return nil, err
	}
	return NewAt(t, token, opts...), nil
}

// NewAt is New for a tenant URL already parsed, which must have parsed without error.
func NewAt(t TenantURL, token string, opts ...Option) *Client {
	c := &Client{
		base:        strings.TrimRight(t.Base.String(), "/"),
		token:       token,
		hc:          http.DefaultClient,
		dialect:     DialectEntra,
		maxAttempts: DefaultMaxAttempts,
		sleep:       sleepContext,
		bodyCap:     DefaultBodyCap,
		mediaType:   ContentType,
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Dialect returns the client's request dialect.
func (c *Client) Dialect() Dialect { return c.dialect }

// BaseURL returns the SCIM base URL without query string.
func (c *Client) BaseURL() string { return c.base }

// LastStatus is the HTTP status of the last answer the client received, 0 before any.
func (c *Client) LastStatus() int {
	for i := len(c.exchanges) - 1; i >= 0; i-- {
		if st := c.exchanges[i].Status; st != 0 {
			return st
		}
	}
	return 0
}

// TakeExchanges returns the exchanges recorded since the last call and forgets them.
func (c *Client) TakeExchanges() []Exchange {
	out := c.exchanges
	c.exchanges = nil
	return out
}

// Query sends a query as Entra does (see QueryRequest: groups are always read with
// excludedAttributes=members) and returns the list response. An answer that is not a SCIM
// ListResponse, or lists a resource without an id, is KindIncompatible.
func (c *Client) Query(ctx context.Context, resource, filter string) (*ListResponse, error) {
	return c.List(ctx, QueryRequest(resource, filter))
}

// List sends a query request and reads the ListResponse as Query does.
func (c *Client) List(ctx context.Context, req Request) (*ListResponse, error) {
	resp, err := c.Send(ctx, req)
	if err != nil {
		return nil, err
	}
	return resp.List()
}

// List reads the answer to a query as Entra does: 200 with a SCIM ListResponse whose resources
// all have an id. Any other status is the status's *Error; an answer that is not a ListResponse is
// KindIncompatible.
func (r *Response) List() (*ListResponse, error) {
	if r.Status != http.StatusOK {
		return nil, r.StatusError()
	}
	if err := r.checkContent(); err != nil {
		return nil, err
	}
	var raw struct {
		TotalResults *int              `json:"totalResults"`
		Resources    []json.RawMessage `json:"Resources"`
	}
	if err := json.Unmarshal(r.Body, &raw); err != nil || raw.TotalResults == nil {
		return nil, r.incompatible("the answer to a query is not a SCIM ListResponse (RFC 7644 Section 3.4.2): no totalResults")
	}
	lr := &ListResponse{TotalResults: *raw.TotalResults}
	for i, x := range raw.Resources {
		var res Resource
		if err := json.Unmarshal(x, &res); err != nil || res == nil {
			return nil, r.incompatible(fmt.Sprintf("Resources[%d] is not a JSON object", i))
		}
		if wire.ID(res) == "" {
			return nil, r.incompatible(fmt.Sprintf("Resources[%d] has no id (RFC 7643 Section 3.1)", i))
		}
		lr.Resources = append(lr.Resources, res)
	}
	if *raw.TotalResults > 0 && len(lr.Resources) == 0 {
		return nil, r.incompatible(fmt.Sprintf("totalResults is %d but Resources is empty", *raw.TotalResults))
	}
	return lr, nil
}

// Get sends GET /{resource}/{id} as Entra does (GetRequest: a group without its members).
func (c *Client) Get(ctx context.Context, resource, id string) (Resource, error) {
	return c.resource(ctx, GetRequest(resource, id), true)
}

// ReadBack reads a resource by id after a write, to compare what the target stores with what was
// sent (ReadBackRequest). Entra does not send it: its exchange is marked wire.ByScimsim.
func (c *Client) ReadBack(ctx context.Context, resource, id string) (Resource, error) {
	return c.resource(ctx, ReadBackRequest(resource, id), true)
}

func (c *Client) resource(ctx context.Context, req Request, needID bool) (Resource, error) {
	resp, err := c.Send(ctx, req)
	if err != nil {
		return nil, err
	}
	if resp.Status != http.StatusOK {
		return nil, resp.StatusError()
	}
	return resp.Resource(needID)
}

// Create sends POST /{resource} and returns the created resource, which must carry an id.
func (c *Client) Create(ctx context.Context, resource string, body Resource) (Resource, error) {
	resp, err := c.Send(ctx, CreateRequest(resource, body))
	if err != nil {
		return nil, err
	}
	if resp.Status != http.StatusCreated && resp.Status != http.StatusOK {
		return nil, resp.StatusError()
	}
	return resp.Resource(true)
}

// Patch sends PATCH /{resource}/{id}. The answer is the resource (200) or nothing (204); both are
// fine for Entra ("it isn't necessary to include the entire resource in the PATCH response",
// use-scim-to-provision-users-and-groups.md).
func (c *Client) Patch(ctx context.Context, resource, id string, p PatchRequest) (Resource, error) {
	resp, err := c.Send(ctx, PatchRequestTo(resource, id, p))
	if err != nil {
		return nil, err
	}
	switch resp.Status {
	case http.StatusNoContent:
		return nil, nil
	case http.StatusOK:
		if len(bytes.TrimSpace(resp.Body)) == 0 {
			return nil, nil
		}
		return resp.Resource(false)
	}
	return nil, resp.StatusError()
}

// Delete sends DELETE /{resource}/{id}; 204 (or 200) is success.
func (c *Client) Delete(ctx context.Context, resource, id string) error {
	resp, err := c.Send(ctx, DeleteRequest(resource, id))
	if err != nil {
		return err
	}
	if resp.Status != http.StatusNoContent && resp.Status != http.StatusOK {
		return resp.StatusError()
	}
	return nil
}

// Response is one final answer.
type Response struct {
	Method, URL string
	Status      int
	Header      http.Header
	Body        []byte
	// Exchange is the answer as recorded (token redacted, bodies capped).
	Exchange Exchange
}

// Resource decodes a SCIM resource from a JSON answer; needID requires an id.
func (r *Response) Resource(needID bool) (Resource, error) {
	if err := r.checkContent(); err != nil {
		return nil, err
	}
	var res Resource
	if err := json.Unmarshal(r.Body, &res); err != nil || res == nil {
		return nil, r.incompatible("the body is not a SCIM resource (a JSON object)")
	}
	if needID && wire.ID(res) == "" {
		return nil, r.incompatible("the resource has no id (RFC 7643 Section 3.1)")
	}
	return res, nil
}

// Object decodes the body as a JSON object; nil when it is not one.
func (r *Response) Object() map[string]any {
	var m map[string]any
	if json.Unmarshal(r.Body, &m) != nil {
		return nil
	}
	return m
}

func (r *Response) incompatible(msg string) *Error {
	return &Error{Kind: KindIncompatible, Method: r.Method, URL: r.URL, Status: r.Status, Detail: msg, Body: r.Exchange.ResponseBody}
}

// StatusError turns a non-success answer into an *Error carrying the SCIM error's scimType and
// detail (RFC 7644 Section 3.12) when the body has them, and the body itself.
func (r *Response) StatusError() *Error {
	e := &Error{Kind: KindStatus, Method: r.Method, URL: r.URL, Status: r.Status, Body: r.Exchange.ResponseBody,
		ContentType: r.Header.Get("Content-Type"), RequestBody: r.Exchange.RequestBody}
	var body struct {
		ScimType string `json:"scimType"`
		Detail   string `json:"detail"`
	}
	if json.Unmarshal(r.Body, &body) == nil {
		e.ScimType, e.Detail = body.ScimType, body.Detail
	}
	if r.Status == http.StatusTooManyRequests {
		e.RetryAfter = r.Header.Get("Retry-After")
	}
	return e
}

// checkContent rejects a body that is not JSON: RFC 7644 Section 3.1 requires
// application/scim+json, and Entra cannot read anything else ("We are not able to deserialize the
// resource received from your SCIM endpoint"). application/json is accepted, as Entra does.
func (r *Response) checkContent() error {
	if len(bytes.TrimSpace(r.Body)) == 0 {
		return nil
	}
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || (mt != ContentType && mt != "application/json") {
		return r.incompatible(fmt.Sprintf("Content-Type %q is not %s", ct, ContentType))
	}
	if !json.Valid(r.Body) {
		return r.incompatible("the body is not valid JSON")
	}
	return nil
}

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
	resp, err := c.hc.Do(req)
	if err != nil {
		ce := classifyTransport(ctx, actx, r.Method, u, err)
		ce.Attempts = n
		ex.Error = wire.Redact(ce.Error(), c.token)
		record()
		return nil, ce
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	ex.Status = resp.StatusCode
	ex.ContentType = resp.Header.Get("Content-Type")
	ex.ResponseBody = wire.Redact(wire.Cap(b, c.bodyCap), c.token)
	if err != nil {
		ce := classifyTransport(ctx, actx, r.Method, u, err)
		ce.Attempts = n
		ex.Error = wire.Redact(ce.Error(), c.token)
		record()
		return nil, ce
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
