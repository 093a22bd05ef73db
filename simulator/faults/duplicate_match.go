package faults

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"strings"

	"github.com/labstack/echo/v4"
)

// duplicateMatch makes a query that finds one resource find two: the ListResponse carries the
// resource and a clone of it under another id, with totalResults and itemsPerPage counting both.
// That is a target holding two users with the same matching attribute value; Entra's match step
// fails with DuplicateTargetEntries (provision-on-demand.md, step 4: "ensuring that the matching
// attribute is unique").
type duplicateMatch struct{ queriesOnly }

// The type's row of the fault registry (registry.go).
var _ = register(TypeInfo{Name: "duplicate_match", Description: "a query that finds one resource returns two: the real one and a clone with another id",
	Example: `{"type": "duplicate_match", "match": {"resource": "Users", "filterAttribute": "userName"}}`}, stateless[duplicateMatch])

func (duplicateMatch) Apply(c echo.Context, next echo.HandlerFunc) error {
	rec := record(c, next)
	l, ok := rec.parseList()
	if !ok || len(l.resources) != 1 {
		miss(c)
		return rec.send(c)
	}
	clone, ok := cloneResource(l.resources[0])
	if !ok {
		miss(c)
		return rec.send(c)
	}
	l.resources = append(l.resources, clone)
	rec.setList(l, 1)
	return rec.send(c)
}

// cloneResource copies a resource under a new id, derived from the old one so that a replay
// produces the same clone; meta.location follows the id.
func cloneResource(raw json.RawMessage) (json.RawMessage, bool) {
	var fields map[string]json.RawMessage
	var id string
	if json.Unmarshal(raw, &fields) != nil || json.Unmarshal(fields["id"], &id) != nil || id == "" {
		return nil, false
	}
	cloneID := derivedID(id)
	fields["id"] = mustJSON(cloneID)
	var meta map[string]json.RawMessage
	if json.Unmarshal(fields["meta"], &meta) == nil && meta != nil {
		var loc string
		if json.Unmarshal(meta["location"], &loc) == nil && strings.HasSuffix(loc, id) {
			meta["location"] = mustJSON(strings.TrimSuffix(loc, id) + cloneID)
			fields["meta"] = mustJSON(meta)
		}
	}
	return mustJSON(fields), true
}

// derivedID returns a UUID (version 5 layout, RFC 9562 Section 5.5) computed from id, so the
// clone looks like any other resource and is the same in every run.
func derivedID(id string) string {
	sum := sha1.Sum([]byte("scimsim duplicate of " + id))
	u := sum[:16]
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	h := hex.EncodeToString(u)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
