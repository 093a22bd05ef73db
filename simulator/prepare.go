package simulator

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"unsafe"
)

// prepareCreate reads a user's POST body straight into the members of its stored document, in
// one pass over the bytes, for the bodies whose every part it knows how to read: what
// prepareResource (decode, the entra profile's string booleans and plain manager id),
// validateBody (the schemas' checks) and encodeRecord (sorted keys, no unassigned value)
// together make of them, without the tree of maps those three build, walk and rewrite. With
// Entra's create body, that takes a sixth off the server's CPU per create (44.8 µs instead of
// 53.9 under wrk, in bench/load.sh's entra phase; BenchmarkServer_CreateParallel/entra, 26 cpu-µs
// instead of 32).
//
// It reports false for anything else, and the caller then takes that path, which stays the
// only one that answers errors: a body that is not JSON or not an object, that fails a check or
// names an attribute in another case than the schema's, a number (json.Number conversions), an
// attribute returned "never", a member given twice, a single object for a multi-valued
// attribute, a required extension. So that the two can never disagree, prepareCreate is held to
// the other path's record, byte for byte, for every body where it answers
// (TestPrepareCreate_AgreesWithValidation, FuzzPrepareCreate).
//
// It serves the entra profile only: the strict profile refuses unknown attributes, which this
// pass drops.
func prepareCreate(k *kind, body []byte) (*preparedDoc, bool) {
	if !k.is(userKind) || len(body) == 0 {
		return nil, false
	}
	p := preparedDocs.Get().(*preparedDoc)
	p.reset()
	// The strings read are views of body, which outlives the request's use of them: they are
	// copied into p.buf, and the record's name is cut from the document (newRecord).
	d := fastDecoder{b: body, src: unsafe.String(unsafe.SliceData(body), len(body)), numbers: true, watchKeys: true}
	st := d.takeStacks()
	ok := p.top(&d, k)
	d.putStacks(st, ok)
	if !ok {
		p.release()
		return nil, false
	}
	d.space()
	p.plain = !d.sensitiveKey && d.i == len(d.b)
	return p, true
}

// preparedDoc is a body prepareCreate read: the encoded values of its members, and what a
// record keeps besides its document.
type preparedDoc struct {
	buf      []byte    // the members' values, each encoded, and scratch of nested ones
	spans    []docSpan // the members being read, innermost object last
	members  []docSpan // the document's members, sorted by key
	names    []string  // members' keys, in that order
	schemas  []string  // the core schema's URN, then the extensions present, in k.exts order
	userName string    // a view of the body: only for checkUserName and newRecord's search
	plain    bool      // decodeBody's plain: no journalSensitive key, nothing after the object
	seen     []bool    // attributes read, per validator position, of the objects being read
	extSeen  uint64    // the extensions read, by position in k.exts
	// lastString is the plain string value read last, as the body holds it (a view of it).
	lastString string
}

// docSpan is a member whose value is buf[start:end].
type docSpan struct {
	key        string
	start, end int
}

var preparedDocs = sync.Pool{New: func() any { return &preparedDoc{buf: make([]byte, 0, 1024)} }}

func (p *preparedDoc) reset() {
	p.buf, p.spans, p.members, p.names, p.schemas = p.buf[:0], p.spans[:0], p.members[:0], p.names[:0], p.schemas[:0]
	p.seen = p.seen[:0]
	p.userName, p.lastString, p.plain = "", "", false
	p.extSeen = 0
}

// release returns p for the next body; it must not be used after.
func (p *preparedDoc) release() {
	if cap(p.buf) > maxStackReuse*16 {
		return
	}
	p.reset()
	preparedDocs.Put(p)
}

// appendMember is docMembers' for writeDoc.
func (p *preparedDoc) appendMember(b []byte, name string) ([]byte, bool) {
	i, found := slices.BinarySearch(p.names, name)
	if !found {
		return b, false
	}
	m := p.members[i]
	return append(b, p.buf[m.start:m.end]...), true
}

// encode is the record of resource id, as encodeRecord would make it of the validated body.
func (p *preparedDoc) encode(k *kind, id string, seq uint64, m metaInfo) (*record, error) {
	d, ok := writeDoc(k, id, p.names, p.schemas, m, p)
	if !ok {
		return nil, fmt.Errorf("encode %s %q: a member of the prepared body is missing", k.name, id)
	}
	return newRecord(k, d, id, seq, p.userName, nil, m), nil
}

// top reads the body's object: the core schema's attributes, "schemas" (which must list the
// core schema, Schema.Validate's check) and the extensions' objects; any other member is
// dropped, as validation drops it.
func (p *preparedDoc) top(d *fastDecoder, k *kind) bool {
	d.space()
	if d.i >= len(d.b) || d.b[d.i] != '{' {
		return false
	}
	d.i++
	v := k.check
	seenAt := p.beginSeen(v)
	haveSchemas, listsCore := false, false
	from := len(p.spans)
	if d.space(); d.i < len(d.b) && d.b[d.i] == '}' {
		d.i++
		return false // no "schemas"
	}
	for {
		key, ok := d.key()
		if !ok {
			return false
		}
		switch i, known := v.exact[key]; {
		case key == "schemas":
			if haveSchemas {
				return false // given twice: the decoder keeps the last
			}
			haveSchemas = true
			list, ok := d.value(1)
			if !ok {
				return false
			}
			l, _ := list.([]any)
			listsCore = slices.Contains(l, any(v.id))
		case known && i >= 0:
			p.lastString = ""
			if !p.member(d, v, seenAt, i, 1) {
				return false
			}
			if v.attrs[i].name == "userName" {
				p.userName = p.lastString // "" unless a plain string: left to the steps
			}
		case known:
			e := extIndex(k, key)
			if e == len(k.exts) {
				if _, ok := d.value(1); !ok { // "meta", dropped
					return false
				}
				break
			}
			if e >= 64 || p.extSeen&(1<<e) != 0 {
				return false // given twice (or more extensions than the mask holds)
			}
			p.extSeen |= 1 << e
			if !p.extension(d, k, e) {
				return false
			}
		case v.position(key) >= 0:
			return false // another case than the schema's
		default:
			if _, ok := d.value(1); !ok { // no attribute: dropped
				return false
			}
		}
		end, ok := d.separator('}')
		if !ok {
			return false
		}
		if end {
			break
		}
	}
	if !listsCore || !p.requiredSeen(v, seenAt) {
		return false
	}
	for e := range k.exts {
		if k.required[e] && !p.extPresent(k, e) {
			return false // checkRequiredExts' error
		}
	}
	if p.userName == "" || checkUserNameValue(p.userName) != nil {
		return false // checkUserName's error
	}
	p.members = append(p.members, p.spans[from:]...)
	slices.SortFunc(p.members, func(a, b docSpan) int { return strings.Compare(a.key, b.key) })
	for _, m := range p.members {
		p.names = append(p.names, m.key)
	}
	p.schemas = append(p.schemas, k.core.ID)
	for e := range k.exts {
		if p.extPresent(k, e) {
			p.schemas = append(p.schemas, k.exts[e].ID)
		}
	}
	return true
}

// extension reads extension e's object, whose members are its schema's attributes; one left
// without any is no member of the document (encodeRecord).
func (p *preparedDoc) extension(d *fastDecoder, k *kind, e int) bool {
	if d.space(); d.i >= len(d.b) || d.b[d.i] != '{' {
		return false // null (no extension) or not an object: validation's to answer
	}
	start, end, assigned, ok := p.object(d, k.extChecks[e], 1)
	if ok && assigned {
		p.spans = append(p.spans, docSpan{key: k.exts[e].ID, start: start, end: end})
	}
	return ok
}

// extPresent reports whether the document has extension e's member.
func (p *preparedDoc) extPresent(k *kind, e int) bool {
	for _, s := range p.spans {
		if s.key == k.exts[e].ID {
			return true
		}
	}
	return false
}

// beginSeen makes room to record which of v's attributes an object names; it returns where.
func (p *preparedDoc) beginSeen(v *validator) int {
	at := len(p.seen)
	p.seen = slices.Grow(p.seen, len(v.attrs))[:at+len(v.attrs)]
	clear(p.seen[at:])
	return at
}

// requiredSeen reports whether the object had every required attribute (validator.members'
// check: a required attribute that is absent or null is invalidValue), and ends its record.
func (p *preparedDoc) requiredSeen(v *validator, at int) bool {
	seen := p.seen[at : at+len(v.attrs)]
	ok := true
	for i := range v.attrs {
		if r := &v.attrs[i]; r.required && !r.readOnly && !seen[i] {
			ok = false
		}
	}
	p.seen = p.seen[:at]
	return ok
}

// member reads the value of v's attribute i, which the key named in the attribute's own case,
// and keeps it as a member of the object being read when it is assigned.
func (p *preparedDoc) member(d *fastDecoder, v *validator, seenAt, i, depth int) bool {
	r := &v.attrs[i]
	if p.seen[seenAt+i] {
		return false // given twice
	}
	p.seen[seenAt+i] = true
	start, end, assigned, ok := p.value(d, r, depth, true)
	if !ok {
		return false
	}
	if assigned {
		p.spans = append(p.spans, docSpan{key: r.name, start: start, end: end})
	}
	return true
}

// value reads the value of attribute r: the whole value when whole, else an element of a
// multi-valued one. assigned is false for a value the document does not keep: null, an empty
// list, an object left without members, a read-only attribute's.
func (p *preparedDoc) value(d *fastDecoder, r *attrRule, depth int, whole bool) (start, end int, assigned, ok bool) {
	d.space()
	if d.i >= len(d.b) {
		return 0, 0, false, false
	}
	switch {
	case r.readOnly:
		_, ok := d.value(depth) // dropped, whatever it is
		return 0, 0, false, ok
	case r.never || r.returnedNever:
		return 0, 0, false, false
	case d.b[d.i] == 'n':
		// null is unassigned; required, it is invalidValue. An element may not be null.
		return 0, 0, false, whole && !r.required && d.literal("null")
	case whole && r.multiValued:
		return p.list(d, r, depth)
	}
	start = len(p.buf)
	switch c := d.b[d.i]; {
	case c == '"':
		s, ok := d.str()
		switch {
		case !ok:
			return 0, 0, false, false
		case r.plain:
			p.buf, _ = appendJSONString(p.buf, s)
			p.lastString = s
		case r.boolean && whole && strings.EqualFold(s, "true"): // the entra profile's fix
			p.buf = append(p.buf, "true"...)
		case r.boolean && whole && strings.EqualFold(s, "false"):
			p.buf = append(p.buf, "false"...)
		case r.complex && whole && !r.multiValued && s != "" && p.plainValueOnly(r):
			// The manager as Entra sends it, a plain id: {"value": id} (attrRule.fix).
			p.buf = append(p.buf, `{"value":`...)
			p.buf, _ = appendJSONString(p.buf, s)
			p.buf = append(p.buf, '}')
		default:
			return 0, 0, false, false
		}
		return start, len(p.buf), true, true
	case c == 't' || c == 'f':
		word := "false"
		if c == 't' {
			word = "true"
		}
		if !r.boolean || !d.literal(word) {
			return 0, 0, false, false
		}
		p.buf = append(p.buf, word...)
		return start, len(p.buf), true, true
	case c == '{' && r.complex:
		return p.object(d, r.sub, depth+1)
	}
	return 0, 0, false, false // a number, a list where one value goes, a wrong type
}

// plainValueOnly reports whether {"value": s} validates for complex attribute r with a plain
// string s: its "value" is a plain attribute and no other sub-attribute is required.
func (p *preparedDoc) plainValueOnly(r *attrRule) bool {
	at, ok := r.sub.exact["value"]
	if !ok || at < 0 {
		return false
	}
	if v := &r.sub.attrs[at]; !v.plain || v.readOnly || v.never || v.returnedNever {
		return false
	}
	for i := range r.sub.attrs {
		if s := &r.sub.attrs[i]; i != at && s.required && !s.readOnly {
			return false
		}
	}
	return true
}

// list reads a multi-valued attribute's list. Its elements that are left without members are
// dropped, and a list left without elements is unassigned (assignedAttrs).
func (p *preparedDoc) list(d *fastDecoder, r *attrRule, depth int) (start, end int, assigned, ok bool) {
	if d.b[d.i] != '[' {
		return 0, 0, false, false // a single object or value: validation's to read
	}
	d.i++
	if d.space(); d.i < len(d.b) && d.b[d.i] == ']' {
		d.i++
		return 0, 0, false, !r.required
	}
	from := len(p.spans)
	for {
		s, e, assigned, ok := p.value(d, r, depth+1, false)
		if !ok {
			return 0, 0, false, false
		}
		if assigned {
			p.spans = append(p.spans, docSpan{start: s, end: e})
		}
		end, ok := d.separator(']')
		if !ok {
			return 0, 0, false, false
		}
		if end {
			break
		}
	}
	elems := p.spans[from:]
	p.spans = p.spans[:from]
	if len(elems) == 0 {
		return 0, 0, false, true
	}
	start = len(p.buf)
	p.buf = append(p.buf, '[')
	for i, e := range elems {
		if i > 0 {
			p.buf = append(p.buf, ',')
		}
		p.buf = append(p.buf, p.buf[e.start:e.end]...)
	}
	p.buf = append(p.buf, ']')
	return start, len(p.buf), true, true
}

// object reads a complex value or an extension's object against validator v: its attributes
// named in their own case, members of no attribute dropped, the rest written with sorted keys.
func (p *preparedDoc) object(d *fastDecoder, v *validator, depth int) (start, end int, assigned, ok bool) {
	d.i++ // {
	seenAt := p.beginSeen(v)
	from := len(p.spans)
	if d.space(); d.i < len(d.b) && d.b[d.i] == '}' {
		d.i++
		return 0, 0, false, p.requiredSeen(v, seenAt)
	}
	for {
		key, ok := d.key()
		if !ok {
			return 0, 0, false, false
		}
		switch i, known := v.exact[key]; {
		case known && i >= 0:
			if !p.member(d, v, seenAt, i, depth) {
				return 0, 0, false, false
			}
		case v.position(key) >= 0:
			return 0, 0, false, false // another case than the schema's
		default:
			if _, ok := d.value(depth); !ok { // no attribute: dropped
				return 0, 0, false, false
			}
		}
		end, ok := d.separator('}')
		if !ok {
			return 0, 0, false, false
		}
		if end {
			break
		}
	}
	if !p.requiredSeen(v, seenAt) {
		return 0, 0, false, false
	}
	members := p.spans[from:]
	p.spans = p.spans[:from]
	if len(members) == 0 {
		return 0, 0, false, true
	}
	slices.SortFunc(members, func(a, b docSpan) int { return strings.Compare(a.key, b.key) })
	start = len(p.buf)
	p.buf = append(p.buf, '{')
	for i, m := range members {
		p.buf = appendJSONKey(p.buf, i, m.key)
		p.buf = append(p.buf, p.buf[m.start:m.end]...)
	}
	p.buf = append(p.buf, '}')
	return start, len(p.buf), true, true
}
