package entra

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/scimsim/scimsim/wire"
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
	base  string
	token string
	// basicUser and basicPassword, when basicUser is set, authenticate with HTTP Basic instead of
	// the bearer token.
	basicUser, basicPassword string
	hc                       *http.Client
	dialect                  Dialect
	maxAttempts              int
	attemptTimeout           time.Duration
	sleep                    func(context.Context, time.Duration) error
	bodyCap                  int
	exchanges                []Exchange
	observe                  func(Exchange)
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

// WithBasicAuth authenticates with a user name and password (HTTP Basic, RFC 7617) instead of a
// bearer token: what applications that "use ... a user name and password for authorization" are
// given (provision-on-demand.md, Frequently asked questions).
func WithBasicAuth(user, password string) Option {
	return func(c *Client) { c.basicUser, c.basicPassword = user, password }
}

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
		mediaType:   wire.MediaType,
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
	if err != nil || (mt != wire.MediaType && mt != "application/json") {
		return r.incompatible(fmt.Sprintf("Content-Type %q is not %s", ct, wire.MediaType))
	}
	if !json.Valid(r.Body) {
		return r.incompatible("the body is not valid JSON")
	}
	return nil
}
