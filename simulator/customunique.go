package simulator

import (
	"fmt"
	"net/http"
	"reflect"

	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/elimity-com/scim/schema"

	"github.com/scimsim/scimsim/simulator/filter"
)

// uniqueAttr is an extension attribute whose uniqueness is "server" or "global" (RFC 7643
// Section 7: "the value SHOULD be unique within the context of the current SCIM endpoint";
// global is at least that): no two resources of the type may hold the same value.
type uniqueAttr struct {
	urn, name string
	caseExact bool
}

// uniqueAttrs returns the extension attributes of k that must be unique. The built-in
// extension has none (RFC 7643 Section 4.3).
func uniqueAttrs(exts []schema.Schema) []uniqueAttr {
	var out []uniqueAttr
	for _, e := range exts {
		for _, a := range e.Attributes {
			if a.Uniqueness() != "none" && !a.HasSubAttributes() {
				out = append(out, uniqueAttr{urn: e.ID, name: a.Name(), caseExact: a.CaseExact()})
			}
		}
	}
	return out
}

// uniqueCustom refuses rec when another resource of k holds the value of one of k's unique
// extension attributes (errConflict, answered 409 uniqueness as RFC 7644 Section 3.3 says). It
// runs inside the write transaction, after the writes before it in the batch, so that two
// concurrent creates of one value cannot both succeed. It reads every stored resource of the
// type: a custom unique attribute has no index of its own, which keeps the store's memory what
// it is for tenants without one.
func (w *writer) uniqueCustom(k *kind, rec *record) error {
	if len(k.unique) == 0 {
		return nil
	}
	doc, err := rec.decode()
	if err != nil {
		return err
	}
	want := make([][]any, len(k.unique))
	any := false
	for i, u := range k.unique {
		want[i] = uniqueValues(doc, u)
		any = any || len(want[i]) > 0
	}
	if !any {
		return nil
	}
	it, err := w.tx.Get(k.endpoint, "id")
	if err != nil {
		return fmt.Errorf("scan %s: %w", k.name, err)
	}
	for raw := it.Next(); raw != nil; raw = it.Next() {
		other := raw.(*record)
		if other.ID == rec.ID {
			continue
		}
		od, err := other.decode()
		if err != nil {
			return err
		}
		for i, u := range k.unique {
			for _, v := range uniqueValues(od, u) {
				for _, mine := range want[i] {
					if sameValue(mine, v, u.caseExact) {
						return fmt.Errorf("%w: %s %v is already taken by %s %q", errConflict, u.path(), mine, k.name, other.ID)
					}
				}
			}
		}
	}
	return nil
}

// path is the attribute's full name: URN:name, or the name alone in a core schema.
func (u uniqueAttr) path() string {
	if u.urn == "" {
		return u.name
	}
	return u.urn + ":" + u.name
}

// uniqueValues returns the values of u in a decoded resource: one, each of a multi-valued
// attribute's, or none.
func uniqueValues(doc map[string]any, u uniqueAttr) []any {
	ext, ok := doc, true
	if u.urn != "" { // "": an attribute of a custom core schema (customtypes.go)
		ext, ok = doc[u.urn].(map[string]any)
	}
	if !ok {
		return nil
	}
	switch v := ext[u.name].(type) {
	case nil:
		return nil
	case []any:
		return v
	default:
		return []any{v}
	}
}

// sameValue compares two values of a unique attribute: strings by caseExact, as the rest of the
// simulator compares them (filter.EqualFold), others as decoded.
func sameValue(a, b any, caseExact bool) bool {
	as, aok := a.(string)
	bs, bok := b.(string)
	if aok && bok {
		if caseExact {
			return as == bs
		}
		return filter.EqualFold(as, bs)
	}
	return a == b
}

// immutableAttrs returns the extension attributes whose mutability is "immutable".
func immutableAttrs(exts []schema.Schema) []uniqueAttr {
	var out []uniqueAttr
	for _, e := range exts {
		for _, a := range e.Attributes {
			if a.Mutability() == "immutable" {
				out = append(out, uniqueAttr{urn: e.ID, name: a.Name(), caseExact: a.CaseExact()})
			}
		}
	}
	return out
}

// checkImmutable refuses a replacement or PATCH that changes an immutable extension attribute
// already set: RFC 7644 Section 3.5.1, "If one or more values are already set for the
// attribute, the input value(s) MUST match, or HTTP status code 400 SHOULD be returned with a
// "scimType" error code of "mutability"". A value may be set where there was none.
func checkImmutable(k *kind, old, rec *record) error {
	if len(k.immutable) == 0 || old == nil || rec == old {
		return nil
	}
	before, err := old.decode()
	if err != nil {
		return err
	}
	after, err := rec.decode()
	if err != nil {
		return err
	}
	for _, u := range k.immutable {
		was := uniqueValues(before, u)
		if len(was) == 0 {
			continue
		}
		if !reflect.DeepEqual(was, uniqueValues(after, u)) {
			return scimErr(http.StatusBadRequest, scimerrors.ScimTypeMutability, "%s is immutable: it is %v and cannot change", u.path(), was)
		}
	}
	return nil
}
