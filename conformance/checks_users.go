package conformance

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/wire"
)

func checkCreateUser(ctx context.Context, t *Target) error {
	resp, id, err := t.createUser(ctx, t.person("create"), nil)
	if err != nil {
		return err
	}
	if t.cfg.DryRun {
		return nil
	}
	if err := t.expectStatus(resp, http.StatusCreated, http.StatusOK); err != nil {
		return err
	}
	if _, rerr := resp.Resource(true); rerr != nil {
		return &Failure{Got: fmt.Sprintf("%s, which Entra cannot read: %v", what(resp), rerr)}
	}
	return t.expect(id != "", "%s without an id", what(resp))
}

func checkGetUser(ctx context.Context, t *Target) error {
	u, id, err := t.newPerson(ctx, "get")
	if err != nil {
		return err
	}
	resp, err := t.send(ctx, entra.GetRequest(wire.Users, id))
	if err != nil {
		return err
	}
	if err := t.expectStatus(resp, http.StatusOK); err != nil {
		return err
	}
	m, rerr := resp.Resource(true)
	if err := t.expect(rerr == nil, "%s: %v", what(resp), rerr); err != nil {
		return err
	}
	if err := t.expect(wire.ID(m) == id, "GET /Users/%s returned id %s", id, show(wire.Field(m, "id"))); err != nil {
		return err
	}
	un, _ := wire.Get(m, t.matchAttr).(string)
	return t.expect(strings.EqualFold(un, t.matchValue(u)), "GET /Users/%s returned %s %s; want %q", id, t.matchAttr, show(wire.Get(m, t.matchAttr)), t.matchValue(u))
}

// expectOne fails unless the query answer holds exactly the resource id.
func (t *Target) expectOne(resp *entra.Response, id string) error {
	if t.cfg.DryRun {
		return nil
	}
	lr, err := readList(resp)
	if err != nil {
		return &Failure{Got: err.Error()}
	}
	ids := make([]string, len(lr.Resources))
	for i, r := range lr.Resources {
		ids[i] = wire.ID(r)
	}
	return t.expect(len(ids) == 1 && ids[0] == id && lr.TotalResults == 1,
		"%s with totalResults %d and ids %v; want exactly the run's resource %s", what(resp), lr.TotalResults, ids, id)
}

func checkQueryUserName(ctx context.Context, t *Target) error {
	return t.queryFinds(ctx, "by-username", func(u *engine.User) entra.Request {
		return entra.QueryRequest(wire.Users, entra.Filter(t.matchAttr, t.matchValue(u)))
	})
}

func checkQueryUserNameCase(ctx context.Context, t *Target) error {
	return t.queryFinds(ctx, "by-username-case", func(u *engine.User) entra.Request {
		return entra.QueryRequest(wire.Users, entra.Filter(t.matchAttr, strings.ToUpper(t.matchValue(u))))
	})
}

func checkQueryExternalID(ctx context.Context, t *Target) error {
	return t.queryFinds(ctx, "by-externalid", func(u *engine.User) entra.Request {
		ext, _ := wire.Get(t.createBody(u, nil), "externalId").(string)
		req := entra.QueryRequest(wire.Users, entra.Filter("externalId", ext))
		req.By = wire.ByScimsim // Entra's default job does not match on externalId
		return req
	})
}

// queryFinds creates the run's user local and checks that the query query makes for it finds
// exactly that user.
func (t *Target) queryFinds(ctx context.Context, local string, query func(u *engine.User) entra.Request) error {
	u, id, err := t.newPerson(ctx, local)
	if err != nil {
		return err
	}
	resp, err := t.send(ctx, query(u))
	if err != nil {
		return err
	}
	return t.expectOne(resp, id)
}

func checkDuplicateUserName(ctx context.Context, t *Target) error {
	u := t.person("duplicate")
	if _, err := t.newUser(ctx, u); err != nil {
		return err
	}
	// Other source users with the same UPN, and with it in upper case: another objectId and mail
	// nickname each.
	again := changed(u, map[string]any{"objectId": t.Name("duplicate-2"), "mailNickname": t.Name("duplicate-2")})
	upper := changed(u, map[string]any{"objectId": t.Name("duplicate-3"), "mailNickname": t.Name("duplicate-3"),
		"userPrincipalName": strings.ToUpper(u.String("userPrincipalName"))})
	for _, dup := range []*engine.User{again, upper} {
		resp, _, err := t.createUser(ctx, dup, nil)
		if err != nil {
			return err
		}
		if err := t.expectStatus(resp, http.StatusConflict); err != nil {
			return err
		}
		st, _ := wire.Field(resp.Object(), "scimType").(string)
		if err := t.expect(st == "uniqueness", `%s with scimType %s; want "uniqueness" (RFC 7644 Section 3.12)`, what(resp), show(wire.Field(resp.Object(), "scimType"))); err != nil {
			return err
		}
	}
	return nil
}

func checkInactiveUser(ctx context.Context, t *Target) error {
	u, id, err := t.newPerson(ctx, "inactive")
	if err != nil {
		return err
	}
	if err := t.disable(ctx, u, id); err != nil {
		return err
	}
	resp, err := t.send(ctx, entra.QueryRequest(wire.Users, entra.Filter(t.matchAttr, t.matchValue(u))))
	if err != nil {
		return err
	}
	return t.expectOne(resp, id)
}

func checkPaging(ctx context.Context, t *Target) error {
	for _, local := range []string{"page-1", "page-2", "page-3"} {
		if _, err := t.newUser(ctx, t.person(local)); err != nil {
			return err
		}
	}
	const count = 2
	var pages [2][]string
	for i := range pages {
		start := i*count + 1
		resp, err := t.send(ctx, entra.PageRequest(wire.Users, start, count))
		if err != nil {
			return err
		}
		if err := t.expectStatus(resp, http.StatusOK); err != nil {
			return err
		}
		m := resp.Object()
		startIndex, hasStart := intField(m, "startIndex")
		total, hasTotal := intField(m, "totalResults")
		perPage, hasPerPage := intField(m, "itemsPerPage")
		list, _ := wire.Field(m, "Resources").([]any)
		for _, r := range list {
			rm, _ := r.(map[string]any)
			pages[i] = append(pages[i], wire.ID(rm))
		}
		if err := t.expect(hasStart && startIndex == start, "%s with startIndex %s; want %d echoed", what(resp), show(wire.Field(m, "startIndex")), start); err != nil {
			return err
		}
		if err := t.expect(hasTotal && total >= 3, "%s with totalResults %s; the run alone created 3 users", what(resp), show(wire.Field(m, "totalResults"))); err != nil {
			return err
		}
		if err := t.expect(len(list) <= count, "%s with %d resources for count=%d", what(resp), len(list), count); err != nil {
			return err
		}
		if err := t.expect(!hasPerPage || perPage == len(list), "%s with itemsPerPage %d but %d resources", what(resp), perPage, len(list)); err != nil {
			return err
		}
		want := min(count, max(0, total-start+1))
		if err := t.expect(len(list) == want, "%s with %d resources; with totalResults %d, page %d holds %d", what(resp), len(list), total, i+1, want); err != nil {
			return err
		}
	}
	shared := slices.DeleteFunc(slices.Clone(pages[1]), func(id string) bool { return !slices.Contains(pages[0], id) })
	return t.expect(len(shared) == 0, "pages 1 and 2 both hold %v (page 1: %v, page 2: %v); want disjoint pages", shared, pages[0], pages[1])
}

// intField reads an integer member of a JSON object.
func intField(m map[string]any, name string) (int, bool) {
	f, ok := wire.Field(m, name).(float64)
	return int(f), ok && f == float64(int(f))
}

func checkEnterpriseAttributes(ctx context.Context, t *Target) error {
	mgr, mid, err := t.newPerson(ctx, "manager")
	if err != nil {
		return err
	}
	u := changed(t.person("enterprise"), map[string]any{"employeeId": "E-1024", "department": "Sales", "manager": mgr.ObjectID})
	refs := map[string]string{mgr.ObjectID: mid}
	resp, id, err := t.createUser(ctx, u, refs)
	if err != nil {
		return err
	}
	if err := t.expectStatus(resp, http.StatusCreated, http.StatusOK); err != nil {
		return withConsequence(err, nil, `Entra cannot create a user whose employee id, department or manager is set: `+
			`step 5 fails for each of them, since the endpoint refuses the create body Entra's default job sends.`)
	}
	res, err := t.readBack(ctx, wire.Users, id)
	if err != nil {
		return err
	}
	var sent []entra.Change
	for _, a := range []string{"employeeNumber", "department", "manager"} {
		path := wire.EnterpriseSchema + ":" + a
		sent = append(sent, entra.Change{Path: path, Value: wire.MustPath(path).Get(t.createBody(u, refs))})
	}
	problem := stored(res, sent)
	return t.expect(problem == "", "%s, but GET /Users/%s %s", what(resp), id, problem)
}
