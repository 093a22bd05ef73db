package simulator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/scimsim/scimsim/simulator/faults"
)

// AdminClient speaks the admin API of a running simulator, in process or not.
type AdminClient struct {
	root  string
	token string
	hc    *http.Client
}

// NewAdminClient returns a client for the simulator at rootURL (e.g. http://127.0.0.1:8080);
// adminToken may be empty; hc nil means http.DefaultClient.
func NewAdminClient(rootURL, adminToken string, hc *http.Client) *AdminClient {
	if hc == nil {
		hc = http.DefaultClient
	}
	return &AdminClient{root: strings.TrimRight(rootURL, "/"), token: adminToken, hc: hc}
}

// AdminError is an error answer of the admin API.
type AdminError struct {
	Method, Path string
	Status       int
	Message      string
}

func (e *AdminError) Error() string {
	return fmt.Sprintf("%s %s: %d %s", e.Method, e.Path, e.Status, e.Message)
}

func (c *AdminClient) do(ctx context.Context, method, path, tenant string, in, out any) error {
	u := c.root + "/admin" + path
	if tenant != "" {
		u += "?tenant=" + url.QueryEscape(tenant)
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("%s %s: encode: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: read: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		var ae adminError
		if json.Unmarshal(raw, &ae) != nil || ae.Error == "" {
			ae.Error = strings.TrimSpace(string(raw))
		}
		return &AdminError{Method: method, Path: path, Status: resp.StatusCode, Message: ae.Error}
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("%s %s: decode %q: %w", method, path, raw, err)
		}
	}
	return nil
}

// AddFault adds a fault to tenant ("" = default) and returns it as stored (with its name).
func (c *AdminClient) AddFault(ctx context.Context, tenant string, f faults.Spec) (faults.Spec, error) {
	var out faults.Spec
	err := c.do(ctx, http.MethodPost, "/faults", tenant, f, &out)
	return out, err
}

// Faults lists the tenant's faults.
func (c *AdminClient) Faults(ctx context.Context, tenant string) ([]faults.Spec, error) {
	var out []faults.Spec
	err := c.do(ctx, http.MethodGet, "/faults", tenant, nil, &out)
	return out, err
}

// DeleteFault removes one fault.
func (c *AdminClient) DeleteFault(ctx context.Context, tenant, name string) error {
	return c.do(ctx, http.MethodDelete, "/faults/"+url.PathEscape(name), tenant, nil, nil)
}

// ClearFaults removes every fault of the tenant.
func (c *AdminClient) ClearFaults(ctx context.Context, tenant string) error {
	return c.do(ctx, http.MethodDelete, "/faults", tenant, nil, nil)
}

// Seed stores users and groups (SCIM JSON objects) in the tenant.
func (c *AdminClient) Seed(ctx context.Context, tenant string, users, groups []map[string]any) (SeedResult, error) {
	var out SeedResult
	err := c.do(ctx, http.MethodPost, "/seed", tenant, SeedData{Users: users, Groups: groups}, &out)
	return out, err
}

// Reset empties the tenant's store, faults and journal.
func (c *AdminClient) Reset(ctx context.Context, tenant string) error {
	return c.do(ctx, http.MethodPost, "/reset", tenant, nil, nil)
}

// Requests returns the tenant's request journal, oldest first.
func (c *AdminClient) Requests(ctx context.Context, tenant string) ([]JournalEntry, error) {
	var out []JournalEntry
	err := c.do(ctx, http.MethodGet, "/requests", tenant, nil, &out)
	return out, err
}

// PutTenant creates or configures a tenant; "default" names the default tenant.
func (c *AdminClient) PutTenant(ctx context.Context, name string, cfg TenantConfig) error {
	return c.do(ctx, http.MethodPut, "/tenants/"+url.PathEscape(name), "", cfg, nil)
}

// Tenants lists the tenants.
func (c *AdminClient) Tenants(ctx context.Context) ([]TenantInfo, error) {
	var out []TenantInfo
	err := c.do(ctx, http.MethodGet, "/tenants", "", nil, &out)
	return out, err
}

// Health reports whether the simulator answers.
func (c *AdminClient) Health(ctx context.Context) error {
	return c.do(ctx, http.MethodGet, "/health", "", nil, nil)
}
