package simulator

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// timeFormat is meta.created/lastModified: xsd:dateTime (RFC 7643 §2.3.5) with milliseconds.
const timeFormat = "2006-01-02T15:04:05.000Z07:00"

// etag renders a version as the weak entity tag of RFC 7644 §3.14.
func etag(v uint64) string {
	if v < uint64(len(smallETags)) {
		return smallETags[v]
	}
	return formatETag(v)
}

func formatETag(v uint64) string { return `W/"` + strconv.FormatUint(v, 10) + `"` }

// smallETags are the entity tags of the first versions, made once: every create writes version
// 1 twice (meta.version and the ETag header), and few resources change often.
var smallETags = func() (out [64]string) {
	for v := range out {
		out[v] = formatETag(uint64(v))
	}
	return out
}()

// metaInfo is what a write knows about a resource's meta.
type metaInfo struct {
	created, modified time.Time
	version           uint64
}

// encodeRecord builds the record of a validated resource. attrs holds the attributes as
// elimity's schema validation returns them (canonical names, extension data nested under its
// URN); it is not modified. Attributes returned "never" (password, RFC 7643 §4.1.1) are not
// kept: the simulator never authenticates users, and so can never leak one.
func encodeRecord(k *kind, id string, seq uint64, attrs map[string]any, m metaInfo) (*record, error) {
	// RFC 7643 §2.5, for every stored document (represent.go): an unassigned value at the top
	// (Entra sends "roles":[]) is left out by the loop below, and attrs is copied without its
	// unassigned values only when one is nested deeper.
	if hasUnassignedBelow(attrs) {
		attrs = assignedAttrs(attrs)
	}
	// The document is written as json.Marshal would write it for a map holding attrs, "id",
	// "schemas" and "meta" (keys sorted, strings escaped alike), straight from attrs: no map is
	// built for it. TestEncodeRecord_AsJSONMarshal holds it to that.
	var keyBuf [24]string
	keys := keyBuf[:0]
	schemas := []string{k.core.ID}
	for name, v := range attrs {
		if name == "id" || name == "meta" || name == "schemas" || unassigned(v) {
			continue
		}
		if k.returnedNever(name) {
			continue
		}
		if _, isExt := k.ext(name); isExt {
			ext, ok := v.(map[string]any)
			if ok && len(ext) == 0 {
				continue
			}
			if ok {
				schemas = append(schemas, name)
			}
		}
		keys = append(keys, name)
	}
	if len(schemas) > 2 {
		// In the order of k.exts, as the map-based encoding listed them.
		slices.SortStableFunc(schemas[1:], func(a, b string) int { return extIndex(k, a) - extIndex(k, b) })
	}
	d, ok := writeDoc(k, id, keys, schemas, m, attrMembers(attrs))
	if !ok {
		// A value appendJSON does not write (float64, json.Number): json.Marshal of the map.
		return encodeRecordMarshal(k, id, seq, attrs, m)
	}
	name, members := recordFields(k, attrs)
	return newRecord(k, d, id, seq, name, members, m), nil
}

// docMembers are the members of a resource's document besides id, schemas and meta, for
// writeDoc: a validated resource's attributes (attrMembers) or a body prepareCreate has already
// encoded (preparedDoc).
type docMembers interface {
	// appendMember appends the value of member name; false: it is not one the writer encodes.
	appendMember(b []byte, name string) ([]byte, bool)
}

// attrMembers are the members of a validated resource, encoded by appendJSON.
type attrMembers map[string]any

func (a attrMembers) appendMember(b []byte, name string) ([]byte, bool) {
	return appendJSON(b, a[name])
}

// docLayout is a stored document as writeDoc wrote it: the JSON and where its parts are.
type docLayout struct {
	s                   string
	locAt, idAt, nameAt int
}

// writeDoc writes the stored document of resource id: the members names (each written by
// members; "id", "meta" and "schemas" are added here), with keys sorted and strings escaped as
// json.Marshal writes a map (TestEncodeRecord_AsJSONMarshal holds it to that), schemas listing
// the core schema and the extensions present, and meta without its location (see record.LocAt).
// ok is false when members cannot write one of its values.
func writeDoc(k *kind, id string, names, schemas []string, m metaInfo, members docMembers) (docLayout, bool) {
	var keyBuf [24]string
	keys := append(append(keyBuf[:0], names...), "id", "meta", "schemas")
	slices.Sort(keys)
	nameKey := k.nameKey()
	scratch := encodeBuffers.Get().(*[]byte)
	b := append((*scratch)[:0], '{')
	d, ok := docLayout{idAt: -1, nameAt: -1}, true // -1: where the id and the name are is not known
	for i, name := range keys {
		b = appendJSONKey(b, i, name)
		switch name {
		case "id":
			b = append(b, '"')
			d.idAt = len(b)
			b = appendJSONEscaped(b, id)
			b = append(b, '"')
		case "schemas":
			b, _ = appendJSON(b, schemas)
		case "meta":
			b = append(b, `{"created":"`...)
			at := len(b)
			b = m.created.UTC().AppendFormat(b, timeFormat)
			created := b[at:]
			b = append(b, `","lastModified":"`...)
			if m.modified.Equal(m.created) { // a create: the time is written once
				b = append(b, created...)
			} else {
				b = m.modified.UTC().AppendFormat(b, timeFormat)
			}
			b = append(b, `",`...)
			d.locAt = len(b)
			b = append(b, `"resourceType":"`...)
			b = appendJSONEscaped(b, k.name)
			b = append(b, `","version":"`...)
			b = appendJSONEscaped(b, etag(m.version))
			b = append(b, `"}`...)
		default:
			if name == nameKey {
				d.nameAt = len(b) + 1 // after the quote, if it is a string
			}
			b, ok = members.appendMember(b, name)
		}
		if !ok {
			break
		}
	}
	b = append(b, '}')
	// The stored document is a string of exactly its length: a store holds one per resource.
	if ok {
		d.s = string(b)
	}
	*scratch = b[:0]
	encodeBuffers.Put(scratch)
	return d, ok
}

// extIndex is the position of extension urn in k.exts.
func extIndex(k *kind, urn string) int {
	for i, e := range k.exts {
		if e.ID == urn {
			return i
		}
	}
	return len(k.exts)
}

// encodeRecordMarshal is encodeRecord through json.Marshal of a map, for the values appendJSON
// leaves to it.
func encodeRecordMarshal(k *kind, id string, seq uint64, attrs map[string]any, m metaInfo) (*record, error) {
	attrs = assignedAttrs(attrs)
	doc := make(map[string]any, len(attrs)+3)
	for name, v := range attrs {
		if name == "id" || name == "meta" || name == "schemas" {
			continue
		}
		if k.returnedNever(name) {
			continue
		}
		doc[name] = v
	}
	schemas := []string{k.core.ID}
	for _, e := range k.exts {
		if ext, ok := doc[e.ID].(map[string]any); ok {
			if len(ext) == 0 {
				delete(doc, e.ID)
				continue
			}
			schemas = append(schemas, e.ID)
		}
	}
	doc["id"] = id
	doc["schemas"] = schemas
	doc["meta"] = map[string]any{
		"created":      m.created.UTC().Format(timeFormat),
		"lastModified": m.modified.UTC().Format(timeFormat),
		"resourceType": k.name,
		"version":      etag(m.version),
	}
	enc, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("encode %s %q: %w", k.name, id, err)
	}
	s := string(enc)
	// json.Marshal sorts keys, so inside meta "location" belongs right before "resourceType".
	// No other object holds a "meta" key: only schema attributes are stored.
	at := strings.Index(s, `"meta":{`)
	rt := -1
	if at >= 0 {
		rt = strings.Index(s[at:], `"resourceType":`)
	}
	if at < 0 || rt < 0 {
		return nil, fmt.Errorf("encode %s %q: meta not found in %s", k.name, id, s)
	}
	name, members := recordFields(k, attrs)
	return newRecord(k, docLayout{s: s, locAt: at + rt, idAt: -1, nameAt: -1}, id, seq, name, members, m), nil
}

// newRecord is the record of document d, whose name (userName or displayName) is name.
// members are a group's members' values: they stay the decoder's strings, since finding each
// in the document would cost a search of the whole document per member.
func newRecord(k *kind, d docLayout, id string, seq uint64, name string, members []string, m metaInfo) *record {
	rec := &record{ID: inDocAt(d.s, d.idAt, "id", id), Seq: seq, Version: m.version, Doc: d.s, LocAt: d.locAt,
		Members: members, Created: m.created.UnixMilli(), Modified: m.modified.UnixMilli()}
	if key := k.nameKey(); key != "" {
		rec.Name = inDocAt(d.s, d.nameAt, key, name)
	}
	return rec
}

// recordFields are what a record keeps of a validated resource's attributes besides its
// document: its name, and a group's members' values.
func recordFields(k *kind, attrs map[string]any) (name string, members []string) {
	if key := k.nameKey(); key != "" {
		name, _ = attrs[key].(string)
	}
	if k.index == groupKind.index {
		members = subValues(attrs["members"], "value")
	}
	return name, members
}

// nameKey is the attribute whose value is a record's Name: a user's userName, a group's
// displayName; "" for other kinds.
func (k *kind) nameKey() string {
	switch k.index {
	case userKind.index:
		return "userName"
	case groupKind.index:
		return "displayName"
	}
	return ""
}

// inDoc returns v as a substring of doc, the record's JSON, when doc holds the member
// "key":"v" with v written as it is (no escapes): then v costs no memory beyond the document's.
// Any occurrence will do, since its bytes are v's. Otherwise it returns a copy of v, which may
// be cut from a whole request body (decodeBody).
func inDoc(doc, key, v string) string {
	if v == "" {
		return ""
	}
	i := strings.Index(doc, `"`+key+`":"`+v+`"`)
	if i < 0 {
		return strings.Clone(v)
	}
	i += len(key) + 4
	return doc[i : i+len(v)]
}

// inDocAt is inDoc for a v that doc may hold at at: then without a search.
func inDocAt(doc string, at int, key, v string) string {
	if at >= 0 && at+len(v) <= len(doc) && doc[at:at+len(v)] == v {
		return doc[at : at+len(v)]
	}
	return inDoc(doc, key, v)
}

// subValues returns the string values of sub-attribute sub over the elements of a multi-valued
// complex attribute.
func subValues(v any, sub string) []string {
	var out []string
	each := func(e any) {
		if m, ok := e.(map[string]any); ok {
			if s, ok := m[sub].(string); ok && s != "" {
				out = append(out, s)
			}
		}
	}
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			each(e)
		}
	case map[string]any: // elimity accepts a single object for a multi-valued attribute
		each(v)
	}
	return out
}

// meta returns what the record's next version keeps.
func (r *record) meta() metaInfo {
	return metaInfo{created: time.UnixMilli(r.Created), modified: time.UnixMilli(r.Modified), version: r.Version}
}

// decode returns the record's JSON as a tree for filters, sorting and projection. Numbers are
// float64, as encoding/json decodes them.
func (r *record) decode() (map[string]any, error) {
	m, err := decodeDoc(r.Doc)
	if err != nil {
		return nil, fmt.Errorf("decode %q: %w", r.ID, err)
	}
	return m, nil
}

// decodeForUpdate returns the record's attributes for a PATCH: numbers as json.Number, which
// elimity's schema validation expects, and without the server-owned id, meta and schemas.
func (r *record) decodeForUpdate() (map[string]any, error) {
	m, err := decodeObject([]byte(r.Doc), true)
	if err != nil {
		return nil, fmt.Errorf("decode %q: %w", r.ID, err)
	}
	delete(m, "id")
	delete(m, "meta")
	delete(m, "schemas")
	return m, nil
}

// base is the absolute SCIM base URL of a request, JSON-escaped once for every resource the
// response renders (RFC 7644 §3.1: meta.location is the resource's URI).
type base struct {
	url     string // e.g. http://127.0.0.1:8080/tenants/a/scim/v2
	escaped []byte
}

func newBase(u string) base { return base{url: u, escaped: appendJSONEscaped(nil, u)} }

// location returns the resource URI.
func (b base) location(k *kind, id string) string {
	return b.url + "/" + k.endpoint + "/" + url.PathEscape(id)
}

// appendResource appends the record's JSON with meta.location spliced in.
func appendResource(dst []byte, k *kind, rec *record, b base) []byte {
	dst = append(dst, rec.Doc[:rec.LocAt]...)
	dst = append(dst, `"location":"`...)
	dst = append(dst, b.escaped...)
	dst = append(dst, '/')
	dst = append(dst, k.endpoint...)
	dst = append(dst, '/')
	dst = appendJSONEscaped(dst, url.PathEscape(rec.ID))
	dst = append(dst, `",`...)
	return append(dst, rec.Doc[rec.LocAt:]...)
}

// resourceSize is the length of appendResource's output for an id that needs no escaping, a
// capacity that makes it one allocation where appending to nil made three.
func resourceSize(k *kind, rec *record, b base) int {
	return len(rec.Doc) + len(`"location":"`) + len(b.escaped) + 1 + len(k.endpoint) + 1 + len(rec.ID) + len(`",`)
}

// encodeBuffers are the scratch buffers of encodeRecord.
var encodeBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// idGenerator makes resource ids: UUID-shaped and drawn from a generator seeded by WithSeed and
// the tenant name, so that a replayed run produces the same ids (random UUIDs would make golden
// files impossible).
//
// The first 48 bits count up from a random start, the rest is random: successive ids share a
// long prefix. memdb copies the nodes on the path of every insert, and ids that are all random
// reach a different path each time; with the counter, the inserts of a batch or a load share
// their paths, which makes inserting 100,000 users 2.5 times faster (TestStore_IDLocality,
// BenchmarkState_Load).
type idGenerator struct {
	mu   sync.Mutex
	src  *rand.PCG // kept for its state: a state file continues the sequence (state.go)
	rng  *rand.Rand
	base uint64 // the counter's random start
	n    uint64 // ids drawn
}

func newIDGenerator(seed int64, tenant string) *idGenerator {
	var h uint64 = 14695981039346656037 // FNV-1a of the tenant name
	for i := 0; i < len(tenant); i++ {
		h ^= uint64(tenant[i])
		h *= 1099511628211
	}
	src := rand.NewPCG(uint64(seed), h)
	g := &idGenerator{src: src, rng: rand.New(src)}
	g.base = g.rng.Uint64() >> 16
	return g
}

func (g *idGenerator) next() string {
	g.mu.Lock()
	g.n++
	n := g.n
	a, b := g.rng.Uint64(), g.rng.Uint64()
	g.mu.Unlock()
	a = (g.base+n)<<16 | a&0xffff
	a = a&^(0xf<<12) | 4<<12 // version 4
	b = b&^(3<<62) | 2<<62   // variant 10
	const hex = "0123456789abcdef"
	var out [36]byte
	pos := 0
	for i, v := range [2]uint64{a, b} {
		for j := 15; j >= 0; j-- {
			if n := i*16 + (15 - j); n == 8 || n == 12 || n == 16 || n == 20 {
				out[pos] = '-'
				pos++
			}
			out[pos] = hex[(v>>(uint(j)*4))&0xf]
			pos++
		}
	}
	return string(out[:])
}
