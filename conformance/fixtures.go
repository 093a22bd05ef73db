package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/wire"
)

// The fixtures of the checks are synthetic users and groups of an Entra tenant, run through Entra's
// default job (engine.DefaultConfig) by engine.Export, so that a check sends for a user exactly what
// a provisioning run sends: the create body of the default mappings, and for a change, the PATCH
// operations the job computes against what the endpoint holds, in Entra's words (entra.Dialect).
// Only attributes the default job maps ever reach the endpoint.

// person returns the source user of the run called local: a user of an Entra tenant with the
// attributes every account has (UPN, mail, mail nickname, names). Its names carry the run's prefix
// and id; example.com is reserved for documentation (RFC 2606), so no mail can reach anyone.
func (t *Target) person(local string) *engine.User {
	id := t.Name(local)
	upn := id + "@example.com"
	family := strings.ToUpper(local[:1]) + local[1:]
	return &engine.User{ObjectID: id, Attrs: map[string]any{
		"objectId":          id,
		"userPrincipalName": upn,
		"mail":              upn,
		"mailNickname":      id,
		"givenName":         "Conformance",
		"surname":           family,
		"displayName":       "Conformance " + family,
		"accountEnabled":    true,
	}}
}

// changed returns a copy of u with attrs set (a nil value removes the attribute): the same user
// after a change in the source.
func changed(u *engine.User, attrs map[string]any) *engine.User {
	c := &engine.User{ObjectID: u.ObjectID, Attrs: maps.Clone(u.Attrs)}
	for k, v := range attrs {
		if v == nil {
			delete(c.Attrs, k)
			continue
		}
		c.Attrs[k] = v
	}
	return c
}

// createBody is the body Entra's default job POSTs for u, with the manager reference resolved
// through refs (the manager's objectId to its id in the endpoint).
func (t *Target) createBody(u *engine.User, refs map[string]string) map[string]any {
	body, err := t.x.CreateBody(u, refs)
	if err != nil {
		panic(fmt.Sprintf("conformance: the default job cannot map fixture %s: %v", u.ObjectID, err))
	}
	return body
}

// matchValue is the value of u's matching attribute (its userName) in the create body.
func (t *Target) matchValue(u *engine.User) string {
	s, _ := wire.MustPath(t.matchAttr).Get(t.createBody(u, nil)).(string)
	return s
}

// createUser POSTs Entra's create body of u; the resource is entered in the ledger first.
func (t *Target) createUser(ctx context.Context, u *engine.User, refs map[string]string) (*entra.Response, string, error) {
	body := t.createBody(u, refs)
	resp, id, err := t.l.Create(ctx, entra.CreateRequest(wire.Users, body))
	if err != nil {
		return nil, "", &Failure{Got: noAnswer(err)}
	}
	if t.cfg.DryRun {
		t.dryBodies[id] = body
	}
	return resp, id, nil
}

// newUser creates u for a check that needs it; failing that, the check is skipped (create-user
// reports why). Any 2xx with an id will do.
func (t *Target) newUser(ctx context.Context, u *engine.User) (string, error) {
	resp, id, err := t.createUser(ctx, u, nil)
	if err != nil {
		return "", &SkipError{Reason: "could not create the user it needs: " + err.Error()}
	}
	if (!ok2xx(resp) || id == "") && !t.cfg.DryRun {
		return "", &SkipError{Reason: "could not create the user it needs: " + what(resp)}
	}
	return id, nil
}

// newPerson creates the run's user called local (person) for a check that needs it, as newUser does.
func (t *Target) newPerson(ctx context.Context, local string) (*engine.User, string, error) {
	u := t.person(local)
	id, err := t.newUser(ctx, u)
	return u, id, err
}

// setUp turns the failure of a request a check needs (a transport error) into a skip.
func setUp(err error, doing string) error {
	var f *Failure
	if errors.As(err, &f) {
		return &SkipError{Reason: "could not " + doing + ": " + f.Got}
	}
	return err
}

// match finds u in the endpoint as Entra's step 4 does, with a query on the matching attribute,
// and returns the resource the endpoint answered: what Entra compares the source with. A query
// that does not find exactly u skips the check (query-username, inactive-user report why).
func (t *Target) match(ctx context.Context, u *engine.User, id string) (map[string]any, error) {
	q := entra.QueryRequest(wire.Users, entra.Filter(t.matchAttr, t.matchValue(u)))
	resp, err := t.send(ctx, q)
	if err != nil {
		return nil, setUp(err, "match the user")
	}
	if t.cfg.DryRun {
		cur := maps.Clone(t.dryBodies[id])
		if cur == nil {
			cur = map[string]any{}
		}
		cur["id"] = id
		return cur, nil
	}
	lr, lerr := readList(resp)
	switch {
	case lerr != nil:
		return nil, &SkipError{Reason: "Entra's query for the user it needs failed: " + lerr.Error()}
	case len(lr.Resources) != 1 || wire.ID(lr.Resources[0]) != id:
		return nil, &SkipError{Reason: fmt.Sprintf("Entra's query for the user it needs (%s) does not find exactly that user: %d resources", shortPath(resp.URL), len(lr.Resources))}
	}
	return lr.Resources[0], nil
}

// readList reads a query answer as Entra does (entra.Response.List): 200 with a ListResponse. The
// error says what the endpoint answered.
func readList(resp *entra.Response) (*entra.ListResponse, error) {
	lr, err := resp.List()
	if err == nil {
		return lr, nil
	}
	var ce *entra.Error
	if errors.As(err, &ce) && ce.Kind == entra.KindIncompatible {
		return nil, fmt.Errorf("%s, which Entra cannot read: %s", what(resp), ce.Detail)
	}
	return nil, errors.New(what(resp))
}

// changes returns what Entra's default job PATCHes when the source user becomes after while the
// endpoint holds cur.
func (t *Target) changes(after *engine.User, cur map[string]any, refs map[string]string) []entra.Change {
	ch, err := t.x.Changes(after, cur, refs)
	if err != nil {
		panic(fmt.Sprintf("conformance: the default job cannot map fixture %s: %v", after.ObjectID, err))
	}
	return ch
}

// patch sends a PATCH of resource id, which must be a resource this run created: the checks never
// modify anything else.
func (t *Target) patch(ctx context.Context, resource, id string, body entra.PatchRequest) (*entra.Response, error) {
	if !t.cfg.DryRun && !t.l.Owns(resource, id) {
		return nil, fmt.Errorf("refusing to modify %s/%s: this run did not create it", resource, id)
	}
	return t.send(ctx, entra.PatchRequestTo(resource, id, body))
}

// update matches u and sends, in dialect d, what Entra's default job PATCHes when the source user
// becomes after. It returns the answer and the changes sent.
func (t *Target) update(ctx context.Context, id string, after *engine.User, refs map[string]string, d entra.Dialect) (*entra.Response, []entra.Change, error) {
	cur, err := t.match(ctx, after, id)
	if err != nil {
		return nil, nil, err
	}
	ch := t.changes(after, cur, refs)
	if len(ch) == 0 && !t.cfg.DryRun {
		return nil, nil, &SkipError{Reason: "the endpoint already holds what the change sets, so Entra would send nothing"}
	}
	resp, err := t.patch(ctx, wire.Users, id, d.UserPatch(ch))
	return resp, ch, err
}

// readBack reads a resource after a write (scimsim's own request, entra.ReadBackRequest); an
// endpoint that cannot answer it skips the check (get-user reports why).
func (t *Target) readBack(ctx context.Context, resource, id string) (map[string]any, error) {
	resp, err := t.send(ctx, entra.ReadBackRequest(resource, id))
	if err != nil {
		return nil, setUp(err, "read the resource back")
	}
	if t.cfg.DryRun {
		return map[string]any{}, nil
	}
	res, rerr := resp.Resource(false)
	if resp.Status != http.StatusOK || rerr != nil {
		return nil, &SkipError{Reason: "could not read the resource back to see what it stores: " + what(resp)}
	}
	return res, nil
}

// stored compares what the endpoint stores (res, read back) with the changes sent, and names what it
// does not store or stores otherwise; "" when it stores them all. Values compare as Entra compares
// them: booleans whatever their JSON type, a reference by its value (manager.value or a plain id).
func stored(res map[string]any, changes []entra.Change) string {
	var missing, differ []string
	for _, c := range changes {
		got := wire.MustPath(c.Path).Get(res)
		switch {
		case got == nil:
			missing = append(missing, c.Path)
		case !sameValue(c.Value, got):
			differ = append(differ, fmt.Sprintf("%s as %s, not %s", c.Path, show(got), show(c.Value)))
		}
	}
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, "does not store "+strings.Join(missing, ", "))
	}
	if len(differ) > 0 {
		parts = append(parts, "stores "+strings.Join(differ, "; "))
	}
	return strings.Join(parts, ", and ")
}

// sameValue compares a value sent with the value read back: strings exactly, booleans by value
// ("False" and false are the same value to Entra), a reference by its id (RFC 7643 Section 4.3
// returns the manager as {"value": id}; some endpoints return the plain id Entra sent).
func sameValue(want, got any) bool {
	if m, ok := got.(map[string]any); ok {
		got = wire.Field(m, "value")
	}
	if wb, ok := want.(bool); ok {
		switch g := got.(type) {
		case bool:
			return g == wb
		case string:
			return strings.EqualFold(g, fmt.Sprint(wb))
		}
		return false
	}
	return fmt.Sprint(want) == fmt.Sprint(got)
}

// show renders a decoded JSON value for a message: strings quoted, so "False" and false differ.
func show(v any) string {
	switch x := v.(type) {
	case nil:
		return "(missing)"
	case string:
		return fmt.Sprintf("%q (a string)", x)
	case map[string]any, []any:
		b, _ := json.Marshal(x)
		return string(b)
	}
	return fmt.Sprintf("%v", v)
}

// activePath is the target of the default job's mapping to active.
func (t *Target) activePath() string {
	for _, m := range t.job.Users.Mappings {
		if wire.MustPath(m.Target).Is("active") {
			return m.Target
		}
	}
	panic("conformance: Entra's default job does not map active")
}

// disableChange is what Entra's default job PATCHes when a user the endpoint holds as cur leaves
// its scope (unassigned, soft-deleted, disabled): its active mapping evaluates
// Switch([IsSoftDeleted], , "False", "True", "True", "False") to false, sent as Add when the
// endpoint's user has no active value and Replace otherwise (how-provisioning-works.md,
// "Deprovisioning"; the engine's deprovision does the same, and the parity test compares them).
func (t *Target) disableChange(cur map[string]any) entra.Change {
	op := entra.Replace
	if wire.MustPath(t.activePath()).Get(cur) == nil {
		op = entra.Add
	}
	return entra.Change{Path: t.activePath(), Value: false, Op: op}
}

// disable sets a user's active to false for a check about something else: in Entra's default
// dialect first, then, if the endpoint refuses that, in the entra-compliant dialect. Failing both,
// the check is skipped; patch-entra-active and patch-compliant-active report why.
func (t *Target) disable(ctx context.Context, u *engine.User, id string) error {
	cur, err := t.match(ctx, u, id)
	if err != nil {
		return err
	}
	ch := []entra.Change{t.disableChange(cur)}
	return t.patchEitherDialect(ctx, wire.Users, id, "disable the user it needs", func(d entra.Dialect) entra.PatchRequest { return d.UserPatch(ch) })
}

// patchEitherDialect sends a PATCH for a check about something else, the body of Entra's default
// dialect first, then, if the endpoint refuses it, that of the entra-compliant dialect. Failing
// both, the check is skipped: it "could not " do what it needed.
func (t *Target) patchEitherDialect(ctx context.Context, resource, id, needed string, body func(entra.Dialect) entra.PatchRequest) error {
	var last *entra.Response
	for _, d := range []entra.Dialect{entra.DialectEntra, entra.DialectEntraCompliant} {
		resp, err := t.patch(ctx, resource, id, body(d))
		if err != nil {
			return setUp(err, needed)
		}
		if ok2xx(resp) || t.cfg.DryRun {
			return nil
		}
		last = resp
	}
	return &SkipError{Reason: "could not " + needed + ": " + what(last)}
}

// group returns the source group of the run called local.
func (t *Target) group(local string) *engine.Group {
	id := t.Name(local)
	return &engine.Group{ObjectID: id, DisplayName: id, Attrs: map[string]any{"objectId": id, "displayName": id}}
}

// groupAttrs maps g through the default job's group mappings (direct mappings: displayName,
// externalId; members are added by PATCH, as Entra creates groups empty).
func (t *Target) groupAttrs(g *engine.Group) map[string]any {
	attrs := map[string]any{}
	for _, m := range t.job.Groups.Mappings {
		if m.Source == "" || m.Target == "members" {
			continue
		}
		if v, ok := g.Attrs[m.Source]; ok {
			wire.MustPath(m.Target).Set(attrs, v)
		}
	}
	return attrs
}

// groupName is the value of the group's matching attribute (its displayName).
func (t *Target) groupName(g *engine.Group) string {
	s, _ := wire.MustPath(t.groupMatchAttr).Get(t.groupAttrs(g)).(string)
	return s
}

// createGroup POSTs Entra's create body of g (entra.GroupCreateBody).
func (t *Target) createGroup(ctx context.Context, g *engine.Group) (*entra.Response, string, error) {
	resp, id, err := t.l.Create(ctx, entra.CreateRequest(wire.Groups, entra.GroupCreateBody(t.groupAttrs(g))))
	if err != nil {
		return nil, "", &Failure{Got: noAnswer(err)}
	}
	return resp, id, nil
}

// coreGroupNote is the note of a check whose group was created with the core schema alone.
const coreGroupNote = "its group was created with the core Group schema alone, because the endpoint refused Entra's group body (see create-group)"

// newGroup creates the run's empty group called local for a check that needs one, with Entra's
// body; when the endpoint refuses that body, with the core schema alone, and the check says so.
// Failing both, the check is skipped.
func (t *Target) newGroup(ctx context.Context, local string) (string, error) {
	g := t.group(local)
	t.mu.Lock()
	core := t.coreGroup
	t.mu.Unlock()
	if !core {
		resp, id, err := t.createGroup(ctx, g)
		if err != nil {
			return "", setUp(err, "create the group it needs")
		}
		if (ok2xx(resp) && id != "") || t.cfg.DryRun {
			return id, nil
		}
		if resp.Status/100 != 4 {
			return "", &SkipError{Reason: "could not create the group it needs: " + what(resp)}
		}
		t.mu.Lock()
		t.coreGroup = true
		t.mu.Unlock()
	}
	resp, id, err := t.l.Create(ctx, entra.CreateRequest(wire.Groups, entra.CoreGroupBody(t.groupAttrs(g))))
	if err != nil {
		return "", &SkipError{Reason: "could not create the group it needs: " + noAnswer(err)}
	}
	if !ok2xx(resp) || id == "" {
		return "", &SkipError{Reason: "could not create the group it needs, with Entra's body or the core schema alone: " + what(resp)}
	}
	t.setNote(coreGroupNote)
	return id, nil
}

// addMembers puts users into a group for a check about something else: in Entra's default dialect
// first, then in the entra-compliant dialect. Failing both, the check is skipped; the member checks
// report why.
func (t *Target) addMembers(ctx context.Context, gid string, uids ...string) error {
	return t.patchEitherDialect(ctx, wire.Groups, gid, "add members to the group it needs", func(d entra.Dialect) entra.PatchRequest { return d.GroupPatch("", uids, nil) })
}

// groupWithUsers creates the run's group called local and n users to go in it.
func (t *Target) groupWithUsers(ctx context.Context, local string, n int) (gid string, uids []string, err error) {
	for i := range n {
		uid, err := t.newUser(ctx, t.person(fmt.Sprintf("%s-m%d", local, i+1)))
		if err != nil {
			return "", nil, err
		}
		uids = append(uids, uid)
	}
	gid, err = t.newGroup(ctx, local)
	return gid, uids, err
}

// memberIDs returns the values of a group's members, sorted.
func memberIDs(m map[string]any) []string {
	ids := wire.MemberValues(m)
	slices.Sort(ids)
	return ids
}

// expectMembers reads the group back (asking for its members) and fails unless they are exactly
// want.
func (t *Target) expectMembers(ctx context.Context, gid string, want []string, after string) error {
	m, err := t.readBack(ctx, wire.Groups, gid)
	if err != nil {
		return err
	}
	got := memberIDs(m)
	want = slices.Sorted(slices.Values(want))
	return t.expect(slices.Equal(got, want), "after %s, GET /Groups/%s?attributes=members has members %v; want %v", after, gid, got, want)
}
