package conformance

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// listResp is a SCIM ListResponse (RFC 7644 §3.4.2). Paging fields are pointers to tell a missing
// field from a zero.
type listResp struct {
	Schemas      []string         `json:"schemas"`
	TotalResults *int             `json:"totalResults"`
	StartIndex   *int             `json:"startIndex"`
	ItemsPerPage *int             `json:"itemsPerPage"`
	Resources    []map[string]any `json:"Resources"`
}

func (l listResp) ids() []string {
	ids := make([]string, 0, len(l.Resources))
	for _, r := range l.Resources {
		id, _ := attr(r, "id").(string)
		ids = append(ids, id)
	}
	return ids
}

func (l listResp) total() string {
	if l.TotalResults == nil {
		return "no totalResults"
	}
	return fmt.Sprintf("totalResults %d", *l.TotalResults)
}

// attr returns a resource's attribute, matching names case-insensitively as RFC 7643 §2.1 requires.
// A dotted name ("name.familyName") descends into a complex attribute; a name starting with a schema
// URN ("urn:…:enterprise:2.0:User:employeeNumber") looks in that extension (RFC 7644 §3.10).
func attr(m map[string]any, name string) any {
	if m == nil {
		return nil
	}
	if strings.HasPrefix(strings.ToLower(name), "urn:") {
		i := strings.LastIndex(name, ":")
		ext, _ := field(m, name[:i]).(map[string]any)
		return attr(ext, name[i+1:])
	}
	head, rest, dotted := strings.Cut(name, ".")
	v := field(m, head)
	if !dotted {
		return v
	}
	sub, _ := v.(map[string]any)
	return attr(sub, rest)
}

func field(m map[string]any, name string) any {
	if v, ok := m[name]; ok {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

// typedValue returns the "value" of the element of the multi-valued attribute name whose type is typ,
// e.g. the work email.
func typedValue(m map[string]any, name, typ string) any {
	list, _ := attr(m, name).([]any)
	for _, e := range list {
		em, _ := e.(map[string]any)
		if t, _ := attr(em, "type").(string); strings.EqualFold(t, typ) {
			return attr(em, "value")
		}
	}
	return nil
}

// memberIDs returns the values of a group's members.
func memberIDs(m map[string]any) []string {
	list, _ := attr(m, "members").([]any)
	ids := make([]string, 0, len(list))
	for _, e := range list {
		em, _ := e.(map[string]any)
		if v, ok := attr(em, "value").(string); ok {
			ids = append(ids, v)
		}
	}
	return ids
}

// show renders a decoded JSON value for a message: strings quoted, so "False" and false differ.
func show(v any) string {
	if v == nil {
		return "(missing)"
	}
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q (a string)", s)
	}
	return fmt.Sprintf("%v", v)
}

// userName is the userName (and email address) of the run's user named local. example.com is
// reserved for documentation (RFC 2606), so no mail can reach a real person.
func (t *Target) userName(local string) string { return t.Name(local) + "@example.com" }

// userBody is the body Entra's default mappings POST for a new user ([scim-tutorial], "Create User").
func (t *Target) userBody(local string) map[string]any {
	un := t.userName(local)
	return map[string]any{
		"schemas":    []string{userSchema, enterpriseURN},
		"externalId": t.Name(local),
		"userName":   un,
		"active":     true,
		"emails":     []any{map[string]any{"primary": true, "type": "work", "value": un}},
		"meta":       map[string]any{"resourceType": "User"},
		"name": map[string]any{
			"formatted":  "Conformance " + strings.ToUpper(local[:1]) + local[1:],
			"familyName": strings.ToUpper(local[:1]) + local[1:],
			"givenName":  "Conformance",
		},
		"roles": []any{},
	}
}

// groupBody is the body Entra POSTs for a new group: created empty, members are added by PATCH
// ([scim-tutorial], "Create Group").
func (t *Target) groupBody(local string) map[string]any {
	return map[string]any{
		"schemas":     []string{groupSchema, adscimGroup},
		"externalId":  t.Name(local),
		"displayName": t.Name(local),
		"meta":        map[string]any{"resourceType": "Group"},
	}
}

// create POSTs body to /resource, tracking the resource for Cleanup before the request goes out. It
// returns the answer and the new id ("" when the endpoint answered without one).
func (t *Target) create(ctx context.Context, resource string, body map[string]any) (*response, string, error) {
	nameAttr := "userName"
	if resource == "Groups" {
		nameAttr = "displayName"
	}
	name, _ := body[nameAttr].(string)
	c := t.track(resource, nameAttr, name)
	r, err := t.send(ctx, request{method: http.MethodPost, path: "/" + resource, body: body})
	if err != nil {
		return nil, "", err // the id stays unknown: Cleanup looks the name up
	}
	id := ""
	if m := r.object(); m != nil {
		id, _ = attr(m, "id").(string)
	}
	switch {
	case r.status/100 == 2 && id != "":
		t.setID(c, id, false)
	case r.status/100 == 4:
		t.setID(c, "", true) // refused: nothing was created
	}
	return r, id, nil
}

// newUser creates the run's user named local for a check that needs one; failing that, the check is
// skipped (the create-user check reports why). Any 2xx with an id will do here: a 200 instead of 201
// is create-user's finding, not a reason to skip the others.
func (t *Target) newUser(ctx context.Context, local string) (string, error) {
	r, id, err := t.create(ctx, "Users", t.userBody(local))
	if err != nil {
		return "", &SkipError{Reason: "could not create the user it needs: " + err.Error()}
	}
	if (r.status/100 != 2 || id == "") && !t.cfg.DryRun {
		return "", &SkipError{Reason: "could not create the user it needs: " + r.what()}
	}
	return id, nil
}

// newGroup creates the run's empty group named local, or skips the check.
func (t *Target) newGroup(ctx context.Context, local string) (string, error) {
	r, id, err := t.create(ctx, "Groups", t.groupBody(local))
	if err != nil {
		return "", &SkipError{Reason: "could not create the group it needs: " + err.Error()}
	}
	if (r.status/100 != 2 || id == "") && !t.cfg.DryRun {
		return "", &SkipError{Reason: "could not create the group it needs: " + r.what()}
	}
	return id, nil
}

// get sends GET /resource/id.
func (t *Target) get(ctx context.Context, resource, id string, q url.Values) (*response, error) {
	return t.send(ctx, request{method: http.MethodGet, path: "/" + resource + "/" + url.PathEscape(id), query: q})
}

// read GETs /resource/id and decodes it, failing the check unless the answer is 200 with a JSON object.
func (t *Target) read(ctx context.Context, resource, id string, q url.Values) (map[string]any, error) {
	r, err := t.get(ctx, resource, id, q)
	if err != nil {
		return nil, err
	}
	if err := t.expectStatus(r, http.StatusOK); err != nil {
		return nil, err
	}
	m := r.object()
	if err := t.expect(m != nil, "%s: the body is not a JSON object: %s", r.what(), clip(string(r.body), 200)); err != nil {
		return nil, err
	}
	return m, nil
}

// query sends GET /resource?filter=… (plus extra parameters) and decodes the ListResponse, failing
// the check unless the answer is 200 with one.
func (t *Target) query(ctx context.Context, resource, filter string, extra url.Values) (*response, listResp, error) {
	q := url.Values{}
	for k, v := range extra {
		q[k] = v
	}
	if filter != "" {
		q.Set("filter", filter)
	}
	var l listResp
	r, err := t.send(ctx, request{method: http.MethodGet, path: "/" + resource, query: q})
	if err != nil {
		return nil, l, err
	}
	if err := t.expectStatus(r, http.StatusOK); err != nil {
		return r, l, err
	}
	if err := r.json(&l); err != nil && !t.cfg.DryRun {
		return r, l, &Failure{Got: err.Error()}
	}
	return r, l, nil
}

// patch sends a PatchOp with ops to /resource/id, which must be a resource this run created: the
// checks never modify anything else.
func (t *Target) patch(ctx context.Context, resource, id string, ops ...map[string]any) (*response, error) {
	if !t.cfg.DryRun && !t.owns(resource, id) {
		return nil, fmt.Errorf("refusing to modify %s/%s: this run did not create it", resource, id)
	}
	body := map[string]any{"schemas": []string{patchOp}, "Operations": ops}
	return t.send(ctx, request{method: http.MethodPatch, path: "/" + resource + "/" + url.PathEscape(id), body: body})
}

// patchOK sends the PATCH and fails the check unless it answers 200 or 204, which Entra accepts
// ([scim-tutorial]: the PATCH response need not contain the resource).
func (t *Target) patchOK(ctx context.Context, resource, id string, ops ...map[string]any) error {
	r, err := t.patch(ctx, resource, id, ops...)
	if err != nil {
		return err
	}
	return t.expectStatus(r, http.StatusOK, http.StatusNoContent)
}

// del sends DELETE /resource/id for a resource this run created.
func (t *Target) del(ctx context.Context, resource, id string) (*response, error) {
	if !t.cfg.DryRun && !t.owns(resource, id) {
		return nil, fmt.Errorf("refusing to delete %s/%s: this run did not create it", resource, id)
	}
	r, err := t.send(ctx, request{method: http.MethodDelete, path: "/" + resource + "/" + url.PathEscape(id)})
	if err == nil && (r.status/100 == 2 || r.status == http.StatusNotFound) {
		t.markDeleted(resource, id)
	}
	return r, err
}

// addMembers puts users into a group for a check about something else: first in the RFC's shape
// (lower-case op), then, if the endpoint refuses that, in the shape of Entra's default job. Failing
// both, the check is skipped; the PATCH checks report why.
func (t *Target) addMembers(ctx context.Context, gid string, uids ...string) error {
	var vals []any
	for _, u := range uids {
		vals = append(vals, map[string]any{"value": u})
	}
	r, err := t.patch(ctx, "Groups", gid, map[string]any{"op": "add", "path": "members", "value": vals})
	if err != nil {
		return err
	}
	if r.status == http.StatusOK || r.status == http.StatusNoContent || t.cfg.DryRun {
		return nil
	}
	r2, err := t.patch(ctx, "Groups", gid, map[string]any{"op": "Add", "path": "members", "value": vals})
	if err != nil {
		return err
	}
	if r2.status != http.StatusOK && r2.status != http.StatusNoContent {
		return &SkipError{Reason: "could not add members to the group it needs: " + r.what()}
	}
	return nil
}

// disable sets a user's active to false for a check about inactive users: in the RFC's shape first,
// then in Entra's default shape.
func (t *Target) disable(ctx context.Context, uid string) error {
	r, err := t.patch(ctx, "Users", uid, map[string]any{"op": "replace", "path": "active", "value": false})
	if err != nil {
		return err
	}
	if r.status == http.StatusOK || r.status == http.StatusNoContent || t.cfg.DryRun {
		return nil
	}
	r2, err := t.patch(ctx, "Users", uid, map[string]any{"op": "Replace", "path": "active", "value": "False"})
	if err != nil {
		return err
	}
	if r2.status != http.StatusOK && r2.status != http.StatusNoContent {
		return &SkipError{Reason: "could not disable the user it needs: " + r.what()}
	}
	return nil
}
