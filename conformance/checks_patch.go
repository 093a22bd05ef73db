package conformance

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/wire"
)

// opCaseChange is the change of patch-op-case: displayName replaced, title added.
func (t *Target) opCaseChange(u *engine.User) *engine.User {
	return changed(u, map[string]any{"displayName": "Conformance Op-Case Renamed", "jobTitle": "Engineer"})
}

func checkPatchOpCase(ctx context.Context, t *Target) error {
	try := func(local string, d entra.Dialect) (ok bool, got string, err error) {
		u, id, err := t.newPerson(ctx, local)
		if err != nil {
			return false, "", err
		}
		resp, ch, err := t.update(ctx, id, t.opCaseChange(u), nil, d)
		if err != nil {
			return false, "", err
		}
		if !ok2xx(resp) {
			return false, what(resp), nil
		}
		res, err := t.readBack(ctx, wire.Users, id)
		if err != nil {
			return false, "", err
		}
		if p := stored(res, ch); p != "" {
			return false, fmt.Sprintf("%s, but GET /Users/%s %s", what(resp), id, p), nil
		}
		return true, "", nil
	}
	ok, got, err := try("op-case", entra.DialectEntra)
	if err != nil || ok || t.cfg.DryRun {
		if t.cfg.DryRun {
			_, _, _ = try("op-case-lower", entra.DialectEntraCompliant)
		}
		return err
	}
	lowerOK, lowerGot, err := try("op-case-lower", entra.DialectEntraCompliant)
	if err != nil {
		return err
	}
	if !lowerOK {
		return &SkipError{Reason: "the endpoint refuses or ignores this change with lower-case ops too, so the case of op is not the cause (capitalised: " + got + "; lower case: " + lowerGot + ")"}
	}
	return &Failure{Got: got + `; the same change with lower-case ops ("replace", "add") works`}
}

// expectStored checks that a user's PATCH answered 200 or 204 and reads the user back: it fails
// naming what of the changes ch the endpoint does not store.
func (t *Target) expectStored(ctx context.Context, resp *entra.Response, id string, ch []entra.Change) error {
	if err := t.expectStatus(resp, http.StatusOK, http.StatusNoContent); err != nil {
		return err
	}
	res, err := t.readBack(ctx, wire.Users, id)
	if err != nil {
		return err
	}
	p := stored(res, ch)
	return t.expect(p == "", "%s, but GET /Users/%s %s", what(resp), id, p)
}

// userPatchCheck creates the run's user u, changes it to after in dialect d and reads it back: the
// shape of most PATCH checks. It fails unless the PATCH answers 200 or 204 and the endpoint
// stores every change.
func (t *Target) userPatchCheck(ctx context.Context, u, after *engine.User, refs map[string]string, d entra.Dialect) error {
	id, err := t.newUser(ctx, u)
	if err != nil {
		return err
	}
	resp, ch, err := t.update(ctx, id, after, refs, d)
	if err != nil {
		return err
	}
	return t.expectStored(ctx, resp, id, ch)
}

func checkEntraReplace(ctx context.Context, t *Target) error {
	u := t.person("entra-replace")
	after := changed(u, map[string]any{"mail": t.Name("entra-replace-new") + "@example.com", "surname": "Replaced"})
	return t.userPatchCheck(ctx, u, after, nil, entra.DialectEntra)
}

func checkEntraAddAbsent(ctx context.Context, t *Target) error {
	u := changed(t.person("add-absent"), map[string]any{"mail": nil})
	after := changed(u, map[string]any{"mail": t.Name("add-absent") + "@example.com", "mobile": "+1 425 555 0100", "city": "Redmond"})
	err := t.userPatchCheck(ctx, u, after, nil, entra.DialectEntra)
	return withConsequence(err, func(f *Failure) bool { return strings.Contains(f.Got, "noTarget") },
		`Entra cannot provision a mail, phone or address a user gains after creation: the endpoint answers `+
			`400 noTarget to Add on a value-path filter that matches nothing, which RFC 7644 Section 3.5.2.1 allows but `+
			`Entra does not expect (it is not SchemaAttributeNotFound: the attribute exists).`)
}

func checkEntraManager(ctx context.Context, t *Target) error {
	mgr, mid, err := t.newPerson(ctx, "entra-manager-boss")
	if err != nil {
		return err
	}
	u := t.person("entra-manager")
	after := changed(u, map[string]any{"manager": mgr.ObjectID})
	return t.userPatchCheck(ctx, u, after, map[string]string{mgr.ObjectID: mid}, entra.DialectEntra)
}

func checkEnterpriseExtension(ctx context.Context, t *Target) error {
	u := changed(t.person("enterprise-update"), map[string]any{"department": "Sales"})
	after := changed(u, map[string]any{"department": "Marketing"})
	return t.userPatchCheck(ctx, u, after, nil, entra.DialectEntra)
}

// activeCheck disables the run's user and restores it in dialect d, reading it back after each.
func (t *Target) activeCheck(ctx context.Context, local string, d entra.Dialect) error {
	u, id, err := t.newPerson(ctx, local)
	if err != nil {
		return err
	}
	cur, err := t.match(ctx, u, id)
	if err != nil {
		return err
	}
	disable := []entra.Change{t.disableChange(cur)}
	resp, err := t.patch(ctx, wire.Users, id, d.UserPatch(disable))
	if err != nil {
		return err
	}
	// A dry run stops after the disable: as nothing was disabled, the restore it would compute is empty.
	if err := t.expectStored(ctx, resp, id, disable); err != nil || t.cfg.DryRun {
		return err
	}
	// Restore: the user is back in scope, and Entra's update sets active to true again.
	cur, err = t.match(ctx, u, id)
	if err != nil {
		var skip *SkipError
		if errors.As(err, &skip) {
			skip.Reason = "after the disable, " + skip.Reason + " (see inactive-user)"
		}
		return err
	}
	restore := t.changes(u, cur, nil)
	resp, err = t.patch(ctx, wire.Users, id, d.UserPatch(restore))
	if err != nil {
		return err
	}
	return t.expectStored(ctx, resp, id, restore)
}

func checkEntraActive(ctx context.Context, t *Target) error {
	return t.activeCheck(ctx, "entra-active", entra.DialectEntra)
}

func checkCompliantActive(ctx context.Context, t *Target) error {
	return t.activeCheck(ctx, "compliant-active", entra.DialectEntraCompliant)
}

func checkEntraMemberAdd(ctx context.Context, t *Target) error {
	gid, uids, err := t.groupWithUsers(ctx, "entra-add", 2)
	if err != nil {
		return err
	}
	resp, err := t.patch(ctx, wire.Groups, gid, entra.DialectEntra.GroupPatch("", uids, nil))
	if err != nil {
		return err
	}
	if err := t.expectStatus(resp, http.StatusOK, http.StatusNoContent); err != nil {
		return err
	}
	return t.expectMembers(ctx, gid, uids, "Add members")
}

// memberRemoveCheck puts two users in a group and removes the first in dialect d.
func (t *Target) memberRemoveCheck(ctx context.Context, local string, d entra.Dialect) ([]string, error) {
	gid, uids, err := t.groupWithUsers(ctx, local, 2)
	if err != nil {
		return nil, err
	}
	if err := t.addMembers(ctx, gid, uids...); err != nil {
		return nil, err
	}
	resp, err := t.patch(ctx, wire.Groups, gid, d.GroupPatch("", nil, uids[:1]))
	if err != nil {
		return nil, err
	}
	if err := t.expectStatus(resp, http.StatusOK, http.StatusNoContent); err != nil {
		return nil, err
	}
	return uids, t.expectMembers(ctx, gid, uids[1:], "removing member "+uids[0])
}

func checkEntraMemberRemove(ctx context.Context, t *Target) error {
	uids, err := t.memberRemoveCheck(ctx, "entra-remove", entra.DialectEntra)
	return withConsequence(err, func(f *Failure) bool {
		return len(uids) == 2 && strings.Contains(f.Got, "has members []; want ["+uids[1]+"]")
	}, `Data loss: each time Entra removes one member, the endpoint removes them all (it reads Remove `+
		`without a filter as RFC 7644 Section 3.5.2.2 "remove all values").`)
}

func checkCompliantMemberRemove(ctx context.Context, t *Target) error {
	_, err := t.memberRemoveCheck(ctx, "compliant-remove", entra.DialectEntraCompliant)
	return err
}

func checkCompliantReplace(ctx context.Context, t *Target) error {
	u := t.person("compliant-replace")
	after := changed(u, map[string]any{"mail": t.Name("compliant-replace-new") + "@example.com",
		"givenName": "Kim", "surname": "Berg", "displayName": "Kim Berg"})
	return t.userPatchCheck(ctx, u, after, nil, entra.DialectEntraCompliant)
}
