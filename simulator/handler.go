package simulator

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/elimity-com/scim"
	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/hashicorp/go-memdb"
	"github.com/labstack/echo/v4"

	"github.com/scimsim/scimsim/simulator/filter"
)

// resources is the store of one kind in one tenant, as the SCIM routes write it. Successful
// responses are rendered from the stored canonical JSON, so a resource reads the same on every
// route; the scim.Resource returned carries only what decides the status line: the id and
// version (no attributes: the body is st.out's).
type resources struct {
	t *Tenant
	k *kind
}

// newResource is the body of a create, checked: validated attributes (validatedAttrs) or a body
// prepareCreate read (preparedDoc). encode makes the record of resource id.
type newResource interface {
	encode(k *kind, id string, seq uint64, m metaInfo) (*record, error)
}

// validatedAttrs are a resource's attributes as validation returns them, for encodeRecord.
type validatedAttrs map[string]any

func (a validatedAttrs) encode(k *kind, id string, seq uint64, m metaInfo) (*record, error) {
	return encodeRecord(k, id, seq, a, m)
}

// create stores a new resource (RFC 7644 §3.3).
func (h resources) create(st *reqState, attrs map[string]any) (scim.Resource, error) {
	if err := checkUserName(h.k, attrs); err != nil {
		return scim.Resource{}, err
	}
	return h.createResource(st, validatedAttrs(attrs))
}

// createResource is create of a checked body.
func (h resources) createResource(st *reqState, res newResource) (scim.Resource, error) {
	now := h.t.srv.opts.now()
	// Encoded before it queues: the change only numbers and stores it.
	rec, err := res.encode(h.k, h.t.ids.next(), 0, metaInfo{created: now, modified: now, version: 1})
	if err != nil {
		return scim.Resource{}, err
	}
	if err := checkMemberCount(h.k, rec); err != nil {
		return scim.Resource{}, err
	}
	entra := h.t.entra()
	err = h.t.commit(func(w *writer) error {
		if h.k.is(groupKind) {
			if err := w.checkMembers(rec, nil); err != nil {
				return err
			}
		}
		rec.Seq = w.nextSeq()
		return w.put(h.k, rec, entra)
	})
	if err != nil {
		return scim.Resource{}, h.storeError(err, "")
	}
	return h.rendered(st, http.StatusCreated, rec), nil
}

// optimisticAttempts is how often an update prepares its change against the current version
// before it gives up preparing outside the batch (see update).
const optimisticAttempts = 4

// update replaces resource id with what next computes from the current record, honouring
// If-Match. next runs before the change queues, against the version the request read; the
// change stores the result only if that version is still current, and the request computes
// again otherwise. After optimisticAttempts such races (a resource written without pause), next
// runs inside the change. next returns old itself when nothing changes.
func (h resources) update(r *http.Request, id string, next func(old *record) (*record, error)) (*record, error) {
	entra := h.t.entra()
	store := func(w *writer, old, rec *record) error {
		if rec == old {
			return nil
		}
		if err := checkImmutable(h.k, old, rec); err != nil { // customunique.go
			return err
		}
		if h.k.is(groupKind) {
			if err := w.checkMembers(rec, old); err != nil {
				return err
			}
		}
		return w.put(h.k, rec, entra)
	}
	for range optimisticAttempts {
		old, ok := h.t.store.get(h.k, id)
		if !ok {
			return nil, errNotFound
		}
		if err := checkIfMatch(r, old); err != nil {
			return nil, err
		}
		rec, err := next(old)
		if err != nil {
			return nil, err
		}
		err = h.t.commit(func(w *writer) error {
			cur, ok := w.get(h.k, id)
			switch {
			case !ok:
				return errNotFound
			case cur != old:
				return errStale
			}
			return store(w, old, rec)
		})
		if !errors.Is(err, errStale) {
			return rec, err
		}
	}
	var rec *record
	err := h.t.commit(func(w *writer) error {
		old, err := w.matching(h.k, id, r)
		if err != nil {
			return err
		}
		if rec, err = next(old); err != nil {
			return err
		}
		return store(w, old, rec)
	})
	return rec, err
}

// matching returns the current record of resource id, if the request's If-Match allows changing
// it (errNotFound and errPrecondition otherwise): what a change made inside the write
// transaction starts from.
func (w *writer) matching(k *kind, id string, r *http.Request) (*record, error) {
	old, ok := w.get(k, id)
	if !ok {
		return nil, errNotFound
	}
	return old, checkIfMatch(r, old)
}

// replace replaces a resource (RFC 7644 §3.5.1), honouring If-Match (§3.14).
func (h resources) replace(st *reqState, r *http.Request, id string, attrs map[string]any) (scim.Resource, error) {
	if err := checkUserName(h.k, attrs); err != nil {
		return scim.Resource{}, err
	}
	now := h.t.srv.opts.now()
	rec, err := h.update(r, id, func(old *record) (*record, error) {
		m := old.meta()
		rec, err := encodeRecord(h.k, id, old.Seq, attrs, metaInfo{created: m.created, modified: now, version: old.Version + 1})
		if err != nil {
			return nil, err
		}
		return rec, checkMemberCount(h.k, rec)
	})
	if err != nil {
		return scim.Resource{}, h.storeError(err, id)
	}
	return h.rendered(st, http.StatusOK, rec), nil
}

// Delete removes a resource (RFC 7644 §3.6), honouring If-Match. A deleted resource also leaves
// the groups it was a member of, in the same change, as a careful application keeps its
// references valid. The groups without it are prepared before the change queues, as update does.
func (h resources) Delete(r *http.Request, id string) error {
	now := h.t.srv.opts.now()
	prepare := func(tx *memdb.Txn, old *record) ([]*record, []*record, error) {
		groups, err := groupsWithMember(tx, id)
		if err != nil {
			return nil, nil, err
		}
		out := make([]*record, len(groups))
		for i, g := range groups {
			if out[i], err = withoutMember(h.t.kindOf(groupKind), g, id, now); err != nil {
				return nil, nil, err
			}
		}
		return groups, out, nil
	}
	remove := func(w *writer, old *record, groups []*record) error {
		if err := w.delete(h.k, old); err != nil {
			return err
		}
		for _, g := range groups {
			if err := w.put(groupKind, g, false); err != nil {
				return err
			}
		}
		return nil
	}
	for range optimisticAttempts {
		tx := h.t.store.read()
		raw, err := tx.First(h.k.endpoint, "id", id)
		if err != nil || raw == nil {
			return h.storeError(errNotFound, id)
		}
		old := raw.(*record)
		if err := checkIfMatch(r, old); err != nil {
			return h.storeError(err, id)
		}
		before, after, err := prepare(tx, old)
		if err != nil {
			return err
		}
		err = h.t.commit(func(w *writer) error {
			cur, ok := w.get(h.k, id)
			if !ok {
				return errNotFound
			}
			now, err := w.groupsWithMember(id)
			if err != nil {
				return err
			}
			if cur != old || !slices.Equal(now, before) {
				return errStale
			}
			return remove(w, old, after)
		})
		if !errors.Is(err, errStale) {
			return h.storeError(err, id)
		}
	}
	err := h.t.commit(func(w *writer) error {
		old, err := w.matching(h.k, id, r)
		if err != nil {
			return err
		}
		_, after, err := prepare(w.tx, old)
		if err != nil {
			return err
		}
		return remove(w, old, after)
	})
	return h.storeError(err, id)
}

// withoutMember returns group g without member id, as its next version.
func withoutMember(k *kind, g *record, id string, now time.Time) (*record, error) {
	doc, err := g.decodeForUpdate()
	if err != nil {
		return nil, err
	}
	var kept []any
	for _, m := range asList(doc["members"]) {
		if mm, ok := m.(map[string]any); ok && filter.EqualFold(fmt.Sprint(mm["value"]), id) {
			continue
		}
		kept = append(kept, m)
	}
	if kept == nil {
		delete(doc, "members")
	} else {
		doc["members"] = kept
	}
	m := g.meta()
	return encodeRecord(k, g.ID, g.Seq, doc, metaInfo{created: m.created, modified: now, version: g.Version + 1})
}

// patch applies validated PATCH operations (RFC 7644 §3.5.2), then validates the patched
// resource as a whole. Users answer 200 with the resource; groups answer 204, as Entra expects
// ("Develop and plan provisioning for a SCIM endpoint": group PATCH responses should not carry
// the member list).
func (h resources) patch(st *reqState, r *http.Request, id string, pops []patchOp) (scim.Resource, error) {
	rules := patchRules{CreateOnAbsent: h.t.entra()}
	now := h.t.srv.opts.now()
	rec, err := h.update(r, id, func(old *record) (*record, error) {
		doc, err := old.decodeForUpdate()
		if err != nil {
			return nil, err
		}
		if err := applyPatch(h.k, doc, pops, rules); err != nil {
			return nil, err
		}
		attrs, err := h.k.validate(doc)
		if err != nil {
			return nil, err
		}
		if err := checkUserName(h.k, attrs); err != nil {
			return nil, err
		}
		m := old.meta()
		same, err := encodeRecord(h.k, id, old.Seq, attrs, m)
		if err != nil {
			return nil, err
		}
		if same.Doc == old.Doc {
			return old, nil // nothing changed: the version stays
		}
		rec, err := encodeRecord(h.k, id, old.Seq, attrs, metaInfo{created: m.created, modified: now, version: old.Version + 1})
		if err != nil {
			return nil, err
		}
		return rec, nil
	})
	if err != nil {
		return scim.Resource{}, h.storeError(err, id)
	}
	if h.k.is(groupKind) {
		st.out = rendered{status: http.StatusNoContent, version: etag(rec.Version)}
		return scim.Resource{ID: id, Meta: scim.Meta{Version: etag(rec.Version)}}, nil
	}
	return h.rendered(st, http.StatusOK, rec), nil
}

// checkIfMatch checks the request's If-Match against the stored version (RFC 7644 §3.14): a
// mismatch is 412 Precondition Failed (RFC 9110 §13.1.1). RFC 9110 §13.1.1 asks for the strong
// comparison there, under which a weak tag matches nothing; SCIM's versions are weak tags
// (§3.14's own examples send If-Match: W/"..."), so the comparison is the weak one of RFC 9110
// §8.8.3.2, as for If-None-Match (§13.1.2).
func checkIfMatch(r *http.Request, old *record) error {
	if im := r.Header.Get("If-Match"); im != "" && !etagMatches(im, etag(old.Version)) {
		return fmt.Errorf("%w: If-Match %s, current version %s", errPrecondition, im, etag(old.Version))
	}
	return nil
}

// etagMatches reports whether an If-Match or If-None-Match header lists current, or is "*", by
// the weak comparison of RFC 9110 §8.8.3.2: two tags match when their opaque parts are equal,
// whether either is weak or not.
func etagMatches(header, current string) bool {
	opaque := func(s string) string { return strings.TrimPrefix(strings.TrimSpace(s), "W/") }
	for _, tag := range strings.Split(header, ",") {
		if t := strings.TrimSpace(tag); t == "*" || opaque(t) == opaque(current) {
			return true
		}
	}
	return false
}

// storeError maps store errors to SCIM errors (scimErr's values).
func (h resources) storeError(err error, id string) error {
	var se scimerrors.ScimError
	switch {
	case errors.As(err, &se):
		return se
	case errors.Is(err, errNotFound):
		return notFound(h.k, id)
	case errors.Is(err, errConflict):
		return scimErr(http.StatusConflict, scimerrors.ScimTypeUniqueness, "%s", strings.TrimPrefix(err.Error(), errConflict.Error()+": "))
	case errors.Is(err, errPrecondition):
		return scimErr(http.StatusPreconditionFailed, "", "%s", strings.TrimPrefix(err.Error(), errPrecondition.Error()+": "))
	case errors.Is(err, errTenantGone):
		return scimErr(http.StatusNotFound, "", "%s", err)
	}
	return err
}

func (h resources) rendered(st *reqState, status int, rec *record) scim.Resource {
	version := etag(rec.Version)
	st.out = rendered{
		status:   status,
		body:     appendResource(make([]byte, 0, resourceSize(h.k, rec, st.base)), h.k, rec, st.base),
		version:  version,
		location: st.base.location(h.k, rec.ID),
	}
	return scim.Resource{ID: rec.ID, Meta: scim.Meta{Version: version}}
}

// create serves POST /Users and /Groups. It validates the body as elimity's handler did
// (validateBody: the same schema validation, on the same schemas), without the costs that
// handler added to every request: it rebuilt the resource type's schema with externalId on each
// call (ResourceType.schemaWithCommon), which compiles a regular expression to check the
// attribute's name.
//
// A body prepareCreate has read (normalise) is stored as it prepared it.
func (s *Server) create(c echo.Context) error {
	st := state(c)
	h := resources{t: st.tenant, k: st.kind}
	if p := st.prepared; p != nil {
		st.prepared = nil
		_, err := h.createResource(st, p)
		p.release()
		if err != nil {
			return err
		}
		return st.out.write(c)
	}
	attrs, err := validateBody(st.kind, st.doc)
	if err != nil {
		return err
	}
	if _, err := h.create(st, attrs); err != nil {
		return err
	}
	return st.out.write(c)
}

// replace serves PUT /Users/{id} and /Groups/{id}, as create does POST.
func (s *Server) replace(c echo.Context) error {
	st := state(c)
	attrs, err := validateBody(st.kind, st.doc)
	if err != nil {
		return err
	}
	h := resources{t: st.tenant, k: st.kind}
	if _, err := h.replace(st, c.Request(), c.Param("id"), attrs); err != nil {
		return err
	}
	return st.out.write(c)
}

// patch serves PATCH /Users/{id} and /Groups/{id}: validatePatchOps validates the operations
// whose shape it knows (Entra's always) as elimity's validation would, validatePatchAny the
// others (patchvalidate.go).
func (s *Server) patch(c echo.Context) error {
	st := state(c)
	r := c.Request()
	body, err := currentBody(r)
	if err != nil {
		return err
	}
	ops, known, err := validatePatchOps(st.kind, body)
	if !known {
		ops, err = validatePatchAny(st.kind, body)
	}
	if err != nil {
		return err
	}
	if _, err := (resources{t: st.tenant, k: st.kind}).patch(st, r, c.Param("id"), ops); err != nil {
		return err
	}
	st.out.body = patchReply(st.kind, st.out.body, ops) // customtypes.go
	return st.out.write(c)
}

// validateBody is kind.validateDoc of the body normalise decoded (with numbers kept exact; nil
// when it is not a JSON object), which nothing reads after it.
func validateBody(k *kind, doc map[string]any) (map[string]any, error) {
	if doc == nil {
		return nil, scimerrors.ScimErrorInvalidSyntax
	}
	return k.validateDoc(doc, true)
}

// write sends the response a resource handler decided on, with the ETag and Location headers of
// RFC 7644 §3.3 and §3.14.
func (out rendered) write(c echo.Context) error {
	h := c.Response().Header()
	// The values share one array, an allocation where Header.Set makes one per header: the
	// request's own (enter made it, with X-Request-Id), or a new one. The keys are in canonical
	// form, as Set would write them.
	vals := state(c).headerVals
	if cap(vals)-len(vals) < 3 {
		vals = make([]string, 0, 3)
	}
	if out.version != "" {
		vals = setHeader(h, "Etag", out.version, vals)
	}
	if out.status == http.StatusCreated {
		vals = setHeader(h, "Location", out.location, vals)
	}
	if out.body == nil {
		setHeader(h, echo.HeaderContentType, scimContentType, vals)
		return c.NoContent(out.status)
	}
	if h.Get(echo.HeaderContentType) == "" { // as Blob would set it
		setHeader(h, echo.HeaderContentType, scimContentType, vals)
	}
	return c.Blob(out.status, scimContentType, out.body)
}

// setHeader is h.Set(key, v) for a canonical key, with v stored in vals' next element.
func setHeader(h http.Header, key, v string, vals []string) []string {
	vals = append(vals, v)
	n := len(vals)
	h[key] = vals[n-1 : n : n]
	return vals
}

// rendered is the response a resource handler decided on, written by write.
type rendered struct {
	status   int
	body     []byte
	version  string
	location string
}

// remove serves DELETE /Users/{id} and /Groups/{id} (RFC 7644 §3.6): 204 without a body.
func (s *Server) remove(c echo.Context) error {
	st := state(c)
	if err := (resources{t: st.tenant, k: st.kind}).Delete(c.Request(), c.Param("id")); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentType, scimContentType)
	return c.NoContent(http.StatusNoContent)
}
