package conformance

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/wire"
)

func checkCreateGroup(ctx context.Context, t *Target) error {
	resp, id, err := t.createGroup(ctx, t.group("create"))
	if err != nil {
		return err
	}
	if t.cfg.DryRun {
		return nil
	}
	if resp.Status/100 == 4 {
		t.mu.Lock()
		t.coreGroup = true
		t.mu.Unlock()
	}
	if err := t.expectStatus(resp, http.StatusCreated, http.StatusOK); err != nil {
		return err
	}
	if _, rerr := resp.Resource(true); rerr != nil {
		return &Failure{Got: fmt.Sprintf("%s, which Entra cannot read: %v", what(resp), rerr)}
	}
	return t.expect(id != "", "%s without an id", what(resp))
}

func (t *Target) groupQuery(g string) entra.Request {
	return entra.QueryRequest(wire.Groups, entra.Filter(t.groupMatchAttr, g))
}

func checkQueryGroup(ctx context.Context, t *Target) error {
	id, err := t.newGroup(ctx, "by-name")
	if err != nil {
		return err
	}
	resp, err := t.send(ctx, t.groupQuery(t.groupName(t.group("by-name"))))
	if err != nil {
		return err
	}
	return t.expectOne(resp, id)
}

func checkGroupExcludeMembers(ctx context.Context, t *Target) error {
	uid, err := t.newUser(ctx, t.person("member-x"))
	if err != nil {
		return err
	}
	gid, err := t.newGroup(ctx, "exclude")
	if err != nil {
		return err
	}
	if err := t.addMembers(ctx, gid, uid); err != nil {
		return err
	}
	full, err := t.readBack(ctx, wire.Groups, gid)
	if err != nil {
		return err
	}
	if !t.cfg.DryRun && !slices.Contains(memberIDs(full), uid) {
		return &SkipError{Reason: fmt.Sprintf("the group it needs does not list the member it was given (members %v)", memberIDs(full))}
	}
	resp, err := t.send(ctx, entra.GetRequest(wire.Groups, gid))
	if err != nil {
		return err
	}
	if err := t.expectStatus(resp, http.StatusOK); err != nil {
		return err
	}
	if err := t.expect(len(memberIDs(resp.Object())) == 0, "%s with members %v", what(resp), memberIDs(resp.Object())); err != nil {
		return err
	}
	qr, err := t.send(ctx, t.groupQuery(t.groupName(t.group("exclude"))))
	if err != nil {
		return err
	}
	if err := t.expectOne(qr, gid); err != nil {
		return err
	}
	lr, _ := readList(qr)
	return t.expect(lr == nil || len(lr.Resources) == 0 || len(memberIDs(lr.Resources[0])) == 0, "%s with members %v", what(qr), memberIDs(first(lr)))
}

func first(lr *entra.ListResponse) map[string]any {
	if lr == nil || len(lr.Resources) == 0 {
		return nil
	}
	return lr.Resources[0]
}

func checkDuplicateGroupDisplayName(ctx context.Context, t *Target) error {
	if _, err := t.newGroup(ctx, "duplicate-group"); err != nil {
		return err
	}
	// Another source group with the same display name: another objectId.
	dup := t.group("duplicate-group")
	dup.ObjectID = t.Name("duplicate-group-2")
	dup.Attrs["objectId"] = dup.ObjectID
	t.mu.Lock()
	core := t.coreGroup
	t.mu.Unlock()
	body := entra.GroupCreateBody(t.groupAttrs(dup))
	if core {
		body = entra.CoreGroupBody(t.groupAttrs(dup))
	}
	resp, _, err := t.l.Create(ctx, entra.CreateRequest(wire.Groups, body))
	if err != nil {
		return &Failure{Got: noAnswer(err)}
	}
	return t.expectStatus(resp, http.StatusConflict)
}
