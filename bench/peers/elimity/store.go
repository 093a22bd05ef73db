package main

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/elimity-com/scim"
	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/elimity-com/scim/optional"
	"github.com/elimity-com/scim/schema"
)

// store is an in-memory scim.ResourceHandler for one resource type. The library hands it bodies it has
// validated against the schemas and PATCH operations it has parsed and validated; the store keeps
// resources in creation order (so that paging is stable), checks uniqueness and applies the operations.
type store struct {
	core schema.Schema
	exts []schema.Schema

	mu    sync.Mutex
	items map[string]*record
	order []string // ids in creation order
}

type record struct {
	attrs             scim.ResourceAttributes
	created, modified time.Time
	version           int
}

func newStore(core schema.Schema, exts ...schema.Schema) *store {
	return &store{core: core, exts: exts, items: map[string]*record{}}
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func (s *store) resource(id string, rec *record) scim.Resource {
	res := scim.Resource{
		ID:         id,
		Attributes: deepCopy(rec.attrs).(map[string]any),
		Meta:       scim.Meta{Created: &rec.created, LastModified: &rec.modified, Version: fmt.Sprintf(`W/"%d"`, rec.version)},
	}
	if ext, ok := rec.attrs[schema.CommonAttributeExternalID].(string); ok {
		res.ExternalID = optional.NewString(ext)
	}
	return res
}

// conflict reports whether attrs holds a value of an attribute that the library's schema marks unique
// ("server" or "global", RFC 7643 §2.4) and that another resource already has. userName is the one
// such attribute of the core schemas; it is not caseExact, so it is compared case-insensitively.
func (s *store) conflict(attrs scim.ResourceAttributes, self string) bool {
	for _, a := range s.core.Attributes {
		if a.Uniqueness() == "none" || a.MultiValued() {
			continue
		}
		v, ok := attrs[a.Name()].(string)
		if !ok {
			continue
		}
		for id, rec := range s.items {
			other, _ := rec.attrs[a.Name()].(string)
			if id != self && (other == v || !a.CaseExact() && strings.EqualFold(other, v)) {
				return true
			}
		}
	}
	return false
}

func (s *store) Create(_ *http.Request, attrs scim.ResourceAttributes) (scim.Resource, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conflict(attrs, "") {
		return scim.Resource{}, scimerrors.ScimErrorUniqueness
	}
	now := time.Now().UTC()
	id := newID()
	rec := &record{attrs: deepCopy(attrs).(map[string]any), created: now, modified: now, version: 1}
	s.items[id] = rec
	s.order = append(s.order, id)
	return s.resource(id, rec), nil
}

func (s *store) Get(_ *http.Request, id string) (scim.Resource, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.items[id]
	if !ok {
		return scim.Resource{}, scimerrors.ScimErrorResourceNotFound(id)
	}
	return s.resource(id, rec), nil
}

// GetAll filters with the library's filter.Validator and pages in creation order.
func (s *store) GetAll(_ *http.Request, params scim.ListRequestParams) (scim.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var hits []string
	for _, id := range s.order {
		if params.FilterValidator != nil {
			m := deepCopy(s.items[id].attrs).(map[string]any)
			m[schema.CommonAttributeID] = id
			if params.FilterValidator.PassesFilter(m) != nil {
				continue
			}
		}
		hits = append(hits, id)
	}
	page := scim.Page{TotalResults: len(hits), Resources: []scim.Resource{}}
	start := max(params.StartIndex, 1) - 1
	for i := start; i < len(hits) && i < start+params.Count; i++ {
		page.Resources = append(page.Resources, s.resource(hits[i], s.items[hits[i]]))
	}
	return page, nil
}

func (s *store) Replace(_ *http.Request, id string, attrs scim.ResourceAttributes) (scim.Resource, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.items[id]
	if !ok {
		return scim.Resource{}, scimerrors.ScimErrorResourceNotFound(id)
	}
	if s.conflict(attrs, id) {
		return scim.Resource{}, scimerrors.ScimErrorUniqueness
	}
	rec.attrs = deepCopy(attrs).(map[string]any)
	rec.modified, rec.version = time.Now().UTC(), rec.version+1
	return s.resource(id, rec), nil
}

func (s *store) Delete(_ *http.Request, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.items[id]; !ok {
		return scimerrors.ScimErrorResourceNotFound(id)
	}
	delete(s.items, id)
	for i, o := range s.order {
		if o == id {
			s.order = append(s.order[:i], s.order[i+1:]...)
			break
		}
	}
	return nil
}

// Patch applies the operations the library has validated (patch.go), all or none, and answers 200 with
// the resource.
func (s *store) Patch(_ *http.Request, id string, ops []scim.PatchOperation) (scim.Resource, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.items[id]
	if !ok {
		return scim.Resource{}, scimerrors.ScimErrorResourceNotFound(id)
	}
	attrs := deepCopy(rec.attrs).(map[string]any)
	for _, op := range ops {
		if err := applyOp(attrs, op, s.core, s.exts); err != nil {
			return scim.Resource{}, err
		}
	}
	if s.conflict(attrs, id) {
		return scim.Resource{}, scimerrors.ScimErrorUniqueness
	}
	rec.attrs = attrs
	rec.modified, rec.version = time.Now().UTC(), rec.version+1
	return s.resource(id, rec), nil
}

func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = deepCopy(e)
		}
		return m
	case scim.ResourceAttributes:
		return deepCopy(map[string]any(v))
	case []any:
		l := make([]any, len(v))
		for i, e := range v {
			l[i] = deepCopy(e)
		}
		return l
	default:
		return v
	}
}
