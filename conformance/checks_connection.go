package conformance

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"strings"

	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/report"
	"github.com/scimsim/scimsim/wire"
)

// randomGUID is a version 4 UUID, the kind of value Test Connection queries for.
func randomGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return wire.GUID(b)
}

func (t *Target) testConnectionRequest() entra.Request {
	return entra.TestConnectionRequest(wire.Users, t.matchAttr, randomGUID())
}

func checkTestConnection(ctx context.Context, t *Target) error {
	resp, err := t.s.Send(ctx, t.testConnectionRequest())
	if err != nil {
		v := entra.Classify(err, entra.Context{Step: report.StepConnection})
		return &Failure{Got: noAnswer(err), Consequence: testConnectionFails(v.Code), stops: true}
	}
	if t.cfg.DryRun {
		return nil
	}
	code := entra.Classify(resp.StatusError(), entra.Context{Step: report.StepConnection}).Code
	switch {
	case resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden:
		return &Failure{Got: "the endpoint refused the Secret Token: " + what(resp), Consequence: testConnectionFails(code), stops: true}
	case resp.Status >= 500:
		return &Failure{Got: "the endpoint failed: " + what(resp), Consequence: testConnectionFails(code), stops: true}
	case code == entra.CodeTLSHandshakeFailed:
		return &Failure{Got: "this endpoint speaks HTTPS: use an https:// URL (" + what(resp) + ")", Consequence: testConnectionFails(code), stops: true}
	case resp.Object() == nil:
		ct := resp.Header.Get("Content-Type")
		if ct == "" {
			ct = "no content type"
		}
		return &Failure{Got: fmt.Sprintf("the Tenant URL does not answer SCIM: %s, in %s, not a JSON object; is it the SCIM base URL (such as https://app.example/scim/v2)?", what(resp), ct),
			Consequence: testConnectionFails(entra.CodeServiceIncompatible), stops: true}
	case resp.Status == http.StatusNotFound && !isSCIMError(resp.Object()):
		// A 404 that is not a SCIM error (RFC 7644 Section 3.12) comes from a URL that serves no
		// SCIM users at all; a SCIM error is an endpoint that answers 404 to a query that
		// matches nothing (empty-query).
		return &Failure{Got: fmt.Sprintf("the Tenant URL does not serve SCIM users: %s, which is not a SCIM error; is it the SCIM base URL (such as https://app.example/scim/v2)?", what(resp)),
			Consequence: testConnectionFails(code), stops: true}
	case resp.Status == http.StatusNotFound:
		return &Failure{Got: what(resp) + ", to a query for a user nobody has (see empty-query)", Consequence: testConnectionFails(code)}
	}
	if _, err := readList(resp); err != nil {
		return &Failure{Got: err.Error(), Consequence: testConnectionFails(code)}
	}
	return nil
}

// isSCIMError reports whether a body is a SCIM error (RFC 7644 Section 3.12): the Error schema, or
// at least a status.
func isSCIMError(m map[string]any) bool {
	schemas, _ := wire.Field(m, "schemas").([]any)
	for _, s := range schemas {
		if str, _ := s.(string); strings.EqualFold(str, wire.ErrorSchema) {
			return true
		}
	}
	return wire.Field(m, "status") != nil
}

// testConnectionFails is what Entra does when Test Connection ends with code.
func testConnectionFails(code entra.Code) string {
	return fmt.Sprintf("Test Connection fails with %s (%s) and provisioning cannot start; with consistently failing calls Entra quarantines the job (%s).",
		code, strings.TrimSuffix(entra.Lookup(code).Meaning, "."), srcQuarantine)
}

func checkBadToken(ctx context.Context, t *Target) error {
	wrong := "Bearer scimsim-wrong-token-" + t.RunID()
	none := ""
	for _, auth := range []*string{&wrong, &none} {
		req := t.testConnectionRequest()
		req.Auth, req.By = auth, wire.ByScimsim
		resp, err := t.send(ctx, req)
		if err != nil {
			return err
		}
		how := "with a wrong token"
		if *auth == "" {
			how = "without a token"
		}
		if err := t.expect(resp.Status == http.StatusUnauthorized, "%s, %s (want 401, whatever the body)", how, what(resp)); err != nil {
			return err
		}
	}
	return nil
}

func checkEmptyQuery(ctx context.Context, t *Target) error {
	req := t.testConnectionRequest()
	resp, err := t.send(ctx, req)
	if err != nil {
		return err
	}
	if t.cfg.DryRun {
		return nil
	}
	lr, err := readList(resp)
	if err != nil {
		return &Failure{Got: err.Error() + " (want 200 with a ListResponse)"}
	}
	return t.expect(lr.TotalResults == 0 && len(lr.Resources) == 0,
		"%s with totalResults %d and %d resources for a value nobody has; want totalResults 0 and no resources", what(resp), lr.TotalResults, len(lr.Resources))
}

// isSCIMJSON reports whether a Content-Type header names application/scim+json (parameters such as
// charset allowed).
func isSCIMJSON(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	return strings.EqualFold(strings.TrimSpace(mt), wire.MediaType)
}

func checkContentType(ctx context.Context, t *Target) error {
	var rs []*entra.Response
	r, err := t.send(ctx, t.testConnectionRequest())
	if err != nil {
		return err
	}
	rs = append(rs, r)
	cr, id, err := t.createUser(ctx, t.person("content-type"), nil)
	if err != nil {
		return err
	}
	rs = append(rs, cr)
	if id != "" {
		if r, err = t.send(ctx, entra.ReadBackRequest(wire.Users, id)); err != nil {
			return err
		}
		rs = append(rs, r)
	}
	// An error answer (404), which must be SCIM too (RFC 7644 Section 3.12).
	if r, err = t.send(ctx, entra.ReadBackRequest(wire.Users, randomGUID())); err != nil {
		return err
	}
	rs = append(rs, r)
	var bad []string
	for _, r := range rs {
		if len(strings.TrimSpace(string(r.Body))) > 0 && !isSCIMJSON(r.Header.Get("Content-Type")) {
			bad = append(bad, fmt.Sprintf("%s %s (%d): %q", r.Method, shortPath(r.URL), r.Status, r.Header.Get("Content-Type")))
		}
	}
	return t.expect(len(bad) == 0, "Content-Type is not %s on %s", wire.MediaType, strings.Join(bad, "; "))
}

// discovery is a GET of a discovery endpoint (RFC 7644 Section 4), scimsim's own request.
func discovery(path string) entra.Request {
	return entra.Request{Method: http.MethodGet, Path: path, By: wire.ByScimsim}
}

// getDiscovery GETs a discovery endpoint and fails unless it answers 200.
func (t *Target) getDiscovery(ctx context.Context, path string) (*entra.Response, error) {
	resp, err := t.send(ctx, discovery(path))
	if err != nil {
		return nil, err
	}
	return resp, t.expectStatus(resp, http.StatusOK)
}

func checkServiceProviderConfig(ctx context.Context, t *Target) error {
	resp, err := t.getDiscovery(ctx, "/ServiceProviderConfig")
	if err != nil {
		return err
	}
	m := resp.Object()
	if err := t.expect(m != nil, "%s with a body that is not a JSON object", what(resp)); err != nil {
		return err
	}
	supported := wire.Get(m, "patch.supported")
	return t.expect(supported == true, "%s with patch.supported %s; want true", what(resp), show(supported))
}

func checkSchemas(ctx context.Context, t *Target) error {
	resp, err := t.getDiscovery(ctx, "/Schemas")
	if err != nil {
		return err
	}
	m := resp.Object()
	list, _ := wire.Field(m, "Resources").([]any)
	var ids []string
	for _, s := range list {
		sm, _ := s.(map[string]any)
		id := wire.ID(sm)
		ids = append(ids, id)
		if strings.EqualFold(id, wire.UserSchema) {
			return nil
		}
	}
	return t.expect(false, "%s with %d schemas, none with id %q: %v", what(resp), len(list), wire.UserSchema, ids)
}

// checkDiscoveryItemsPerPage reads /Schemas and /ResourceTypes and holds itemsPerPage, when
// present, to the number of resources returned (RFC 7644 Section 3.4.2). It needs the schemas
// check: an endpoint without /Schemas fails that check, not this one; a /ResourceTypes it does not
// serve as a ListResponse is passed over.
func checkDiscoveryItemsPerPage(ctx context.Context, t *Target) error {
	for _, path := range []string{"/Schemas", "/ResourceTypes"} {
		resp, err := t.send(ctx, discovery(path))
		if err != nil {
			return err
		}
		m := resp.Object()
		list, isList := wire.Field(m, "Resources").([]any)
		if resp.Status != http.StatusOK || !isList {
			continue
		}
		if perPage, ok := intField(m, "itemsPerPage"); ok {
			if err := t.expect(perPage == len(list), "GET %s answered itemsPerPage %d but %d resources", path, perPage, len(list)); err != nil {
				return err
			}
		}
	}
	return nil
}
