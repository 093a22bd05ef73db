package conformance

import (
	"context"
	"fmt"
	"net/http"

	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/wire"
)

// del sends DELETE of a resource this run created and records it as deleted when the endpoint
// confirms it.
func (t *Target) del(ctx context.Context, resource, id string) (*entra.Response, error) {
	if !t.cfg.DryRun && !t.l.Owns(resource, id) {
		return nil, fmt.Errorf("refusing to delete %s/%s: this run did not create it", resource, id)
	}
	resp, err := t.send(ctx, entra.DeleteRequest(resource, id))
	if err == nil && (ok2xx(resp) || resp.Status == http.StatusNotFound) {
		t.l.Deleted(resource, id)
	}
	return resp, err
}

// expectDeleted deletes the run's resource and fails unless DELETE answers 204 (or 200) and GET
// then answers 404.
func (t *Target) expectDeleted(ctx context.Context, resource, id string) error {
	resp, err := t.del(ctx, resource, id)
	if err != nil {
		return err
	}
	if err := t.expectStatus(resp, http.StatusNoContent, http.StatusOK); err != nil {
		return err
	}
	g, err := t.send(ctx, entra.ReadBackRequest(resource, id))
	if err != nil {
		return err
	}
	return t.expect(g.Status == http.StatusNotFound, "%s, but then %s (want 404: the resource is still there)", what(resp), what(g))
}

func checkDeleteUser(ctx context.Context, t *Target) error {
	id, err := t.newUser(ctx, t.person("delete"))
	if err != nil {
		return err
	}
	return t.expectDeleted(ctx, wire.Users, id)
}

func checkDeleteGroup(ctx context.Context, t *Target) error {
	id, err := t.newGroup(ctx, "delete")
	if err != nil {
		return err
	}
	return t.expectDeleted(ctx, wire.Groups, id)
}

func checkDeleteMissing(ctx context.Context, t *Target) error {
	id, err := t.newUser(ctx, t.person("delete-twice"))
	if err != nil {
		return err
	}
	resp, err := t.del(ctx, wire.Users, id)
	if err != nil {
		return setUp(err, "delete the user it needs")
	}
	if !ok2xx(resp) && !t.cfg.DryRun {
		return &SkipError{Reason: "could not delete the user it needs (see delete-user): " + what(resp)}
	}
	again, err := t.send(ctx, entra.DeleteRequest(wire.Users, id))
	if err != nil {
		return err
	}
	return t.expectStatus(again, http.StatusNotFound)
}
