package simulator

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"
	"unsafe"
)

// decodeFast decodes a JSON document into the tree encoding/json builds (map[string]any,
// []any, string, bool, nil, and json.Number or float64 for numbers), for the documents it
// knows, which are almost all: it reports false for any other (an escape it does not decode
// itself, invalid UTF-8, a syntax error, nesting deeper than encoding/json allows), and the
// caller decodes those with encoding/json, so that every answer stays encoding/json's
// (TestDecodeFast_AgreesWithEncodingJSON, FuzzDecodeFast). Decoding stored documents and request
// bodies with encoding/json's reflection was a fifth of what a create cost and most of what a
// scan costs. With whole, b must hold one value and nothing but white space after it, as
// json.Unmarshal requires; without, what follows the first value is ignored, as json.Decoder
// does.
func decodeFast(b []byte, numbers, whole bool) (any, bool) {
	d := fastDecoder{b: b, numbers: numbers}
	return d.decode(whole)
}

func (d *fastDecoder) decode(whole bool) (any, bool) {
	st := d.takeStacks()
	v, ok := d.value(0)
	if ok && whole {
		d.space()
		ok = d.i == len(d.b)
	}
	d.putStacks(st, ok)
	return v, ok
}

// takeStacks gives d stacks from decodeStacks, for putStacks to return.
func (d *fastDecoder) takeStacks() *stacks {
	st := decodeStacks.Get().(*stacks)
	d.members, d.elems = st.members, st.elems
	return st
}

// putStacks returns d's stacks to decodeStacks; ok false: the read that used them failed.
func (d *fastDecoder) putStacks(st *stacks, ok bool) {
	if !ok { // what a failed decode left on them is cleared before they are reused
		clear(d.members[:cap(d.members)])
		clear(d.elems[:cap(d.elems)])
	}
	if cap(d.members) <= maxStackReuse && cap(d.elems) <= maxStackReuse {
		st.members, st.elems = d.members[:0], d.elems[:0]
		decodeStacks.Put(st)
	}
}

// decodeDoc decodes a stored document for reading, as decodeObject(doc, false) does, without
// copying it: the strings of the tree it returns are substrings of doc where doc holds them
// as they are. A scan decodes every document it evaluates, and copying each document and each
// of its strings was most of what it allocated. The tree must not outlive a request: a
// substring keeps the whole document alive (record.decodeForUpdate, whose strings a PATCH may
// store, copies).
func decodeDoc(doc string) (map[string]any, error) {
	b := unsafe.Slice(unsafe.StringData(doc), len(doc)) // read only: nothing here writes to b
	d := fastDecoder{b: b, src: doc}
	if v, ok := d.decode(true); ok {
		if m, isMap := v.(map[string]any); isMap {
			return m, nil
		}
	}
	var m map[string]any
	return m, json.Unmarshal(b, &m)
}

// decodeObject decodes b, which must hold a JSON object, as decodeNumbers (numbers true: a
// json.Decoder with UseNumber) or json.Unmarshal into a map (numbers false) do.
func decodeObject(b []byte, numbers bool) (map[string]any, error) {
	if v, ok := decodeFast(b, numbers, !numbers); ok {
		if m, isMap := v.(map[string]any); isMap {
			return m, nil
		}
	}
	var m map[string]any
	if numbers {
		return m, decodeNumbers(b, &m)
	}
	return m, json.Unmarshal(b, &m)
}

// decodeBody is decodeObject(b, true) for a request body whose tree is garbage once the request
// is answered: the strings of the tree are cut from one copy of b, as decodeDoc cuts them from a
// stored document, instead of one allocation per string. A string of the tree therefore keeps
// the whole copy alive, which is why a group's body (whose members' values the record keeps,
// newRecord) is decoded by decodeObject.
//
// plain reports that b is one JSON object, and nothing after it but white space, none of whose
// keys is journalSensitive: the journal then keeps b as it is, without looking for secrets in it
// again (journalBody).
func decodeBody(b []byte) (doc map[string]any, plain bool, err error) {
	src := string(b)
	d := fastDecoder{b: unsafe.Slice(unsafe.StringData(src), len(src)), src: src, numbers: true, watchKeys: true}
	if v, ok := d.decode(false); ok {
		if m, isMap := v.(map[string]any); isMap {
			d.space()
			return m, !d.sensitiveKey && d.i == len(d.b), nil
		}
	}
	var m map[string]any
	return m, false, decodeNumbers(b, &m)
}

// interned are the strings bodies and documents repeat, attribute names above all: decodeFast
// hands out these instead of allocating a copy of each. Filled from the schemas (schema.go).
var interned = map[string]internedString{}

type internedString struct {
	s string
	// sensitive: the journal redacts a member of this name (journalSensitive), worked out once.
	sensitive bool
}

// internedValues are the interned strings as interface values, for the string values decodeFast
// hands out ("schemas" URNs, "work", "User"): putting a string in an interface allocates.
var internedValues = map[string]any{}

func intern(s string) {
	if _, ok := interned[s]; !ok {
		interned[s] = internedString{s: s, sensitive: journalSensitive(s)}
		internedValues[s] = s
	}
}

// maxFastDepth bounds the nesting decodeFast reads itself, well inside encoding/json's limit of
// 10,000: a deeper document is encoding/json's to decode or refuse.
const maxFastDepth = 1000

type fastDecoder struct {
	b       []byte
	src     string // b as a string, when decodeDoc decodes: strings are cut from it
	i       int
	numbers bool
	// isInterned: the string str last read is interned's; isSensitive, that it is a name whose
	// member the journal redacts.
	isInterned, isSensitive bool
	// With watchKeys, sensitiveKey records whether a key of the document is journalSensitive.
	watchKeys, sensitiveKey bool
	// members and elems hold the members of the objects and the elements of the arrays being
	// read, innermost last: each object or array is made once its size is known, at that size,
	// instead of growing as it is read (a user's top level outgrows a small map).
	members []member
	elems   []any
}

// decodeStacks are the decoders' stacks, reused: a decoder holding arrays of its own would live
// on the heap.
var decodeStacks = sync.Pool{New: func() any { return &stacks{members: make([]member, 0, 32), elems: make([]any, 0, 16)} }}

type stacks struct {
	members []member
	elems   []any
}

// maxStackReuse is the capacity of a stack past which it is not kept for the next decoder.
const maxStackReuse = 4096

type member struct {
	key string
	val any
}

func (d *fastDecoder) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *fastDecoder) value(depth int) (any, bool) {
	d.space()
	if d.i >= len(d.b) || depth > maxFastDepth {
		return nil, false
	}
	switch c := d.b[d.i]; {
	case c == '{':
		return d.object(depth + 1)
	case c == '[':
		return d.array(depth + 1)
	case c == '"':
		s, ok := d.str()
		switch {
		case !ok:
			return nil, false
		case d.isInterned:
			return internedValues[s], true
		}
		return s, true
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		return d.number()
	}
	return nil, false
}

func (d *fastDecoder) literal(word string) bool {
	if !bytes.HasPrefix(d.b[d.i:], []byte(word)) {
		return false
	}
	d.i += len(word)
	return true
}

func (d *fastDecoder) object(depth int) (any, bool) {
	d.i++ // {
	d.space()
	if d.i < len(d.b) && d.b[d.i] == '}' {
		d.i++
		return map[string]any{}, true
	}
	from := len(d.members)
	for {
		k, ok := d.key()
		if !ok {
			return nil, false
		}
		v, ok := d.value(depth)
		if !ok {
			return nil, false
		}
		d.members = append(d.members, member{k, v})
		if end, ok := d.separator('}'); !ok {
			return nil, false
		} else if end {
			ms := d.members[from:]
			m := make(map[string]any, len(ms))
			for _, e := range ms {
				m[e.key] = e.val // a key given twice: the last wins, as in encoding/json
			}
			clear(ms)
			d.members = d.members[:from]
			return m, true
		}
	}
}

// key reads an object member's key and the colon after it, and with watchKeys records whether
// the key is journalSensitive.
func (d *fastDecoder) key() (string, bool) {
	d.space()
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return "", false
	}
	k, ok := d.str()
	if !ok {
		return "", false
	}
	if d.watchKeys && !d.sensitiveKey {
		d.sensitiveKey = d.isSensitive || (!d.isInterned && journalSensitive(k))
	}
	d.space()
	if d.i >= len(d.b) || d.b[d.i] != ':' {
		return "", false
	}
	d.i++
	return k, true
}

func (d *fastDecoder) array(depth int) (any, bool) {
	d.i++ // [
	d.space()
	if d.i < len(d.b) && d.b[d.i] == ']' {
		d.i++
		return []any{}, true
	}
	from := len(d.elems)
	for {
		v, ok := d.value(depth)
		if !ok {
			return nil, false
		}
		d.elems = append(d.elems, v)
		if end, ok := d.separator(']'); !ok {
			return nil, false
		} else if end {
			es := d.elems[from:]
			out := slices.Clone(es)
			clear(es)
			d.elems = d.elems[:from]
			return out, true
		}
	}
}

// separator reads what follows a member of an object or an element of an array: a comma (end
// false) or the closing byte (end true); anything else is not JSON (ok false).
func (d *fastDecoder) separator(closing byte) (end, ok bool) {
	d.space()
	if d.i >= len(d.b) {
		return false, false
	}
	switch d.b[d.i] {
	case ',':
		d.i++
		return false, true
	case closing:
		d.i++
		return true, true
	}
	return false, false
}

// str reads a string; one with an escape is decoded by encoding/json, a string at a time. It
// sets isInterned when the string is one of interned's.
func (d *fastDecoder) str() (string, bool) {
	d.isInterned = false
	start := d.i
	d.i++ // "
	ascii, escaped := true, false
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			raw := d.b[start+1 : d.i-1]
			switch {
			case escaped:
				var s string
				if json.Unmarshal(d.b[start:d.i], &s) != nil {
					return "", false
				}
				return s, true
			case !ascii && !utf8.Valid(raw):
				return "", false // encoding/json replaces invalid bytes: its to decode
			}
			if e, ok := interned[string(raw)]; ok { // a lookup by bytes allocates nothing
				d.isInterned, d.isSensitive = true, e.sensitive
				return e.s, true
			}
			if d.src != "" {
				return d.src[start+1 : d.i-1], true
			}
			return string(raw), true
		case c == '\\':
			escaped = true
			d.i += 2
			continue
		case c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
		d.i++
	}
	return "", false
}

// number reads a number as JSON writes it: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (d *fastDecoder) number() (any, bool) {
	start := d.i
	digits := func() int {
		n := 0
		for d.i < len(d.b) && '0' <= d.b[d.i] && d.b[d.i] <= '9' {
			d.i++
			n++
		}
		return n
	}
	if d.b[d.i] == '-' {
		d.i++
	}
	if d.i < len(d.b) && d.b[d.i] == '0' {
		d.i++
	} else if digits() == 0 {
		return nil, false
	}
	if d.i < len(d.b) && d.b[d.i] == '.' {
		d.i++
		if digits() == 0 {
			return nil, false
		}
	}
	if d.i < len(d.b) && (d.b[d.i] == 'e' || d.b[d.i] == 'E') {
		d.i++
		if d.i < len(d.b) && (d.b[d.i] == '+' || d.b[d.i] == '-') {
			d.i++
		}
		if digits() == 0 {
			return nil, false
		}
	}
	lit := string(d.b[start:d.i])
	if d.numbers {
		return json.Number(lit), true
	}
	f, err := strconv.ParseFloat(lit, 64) // what encoding/json converts with
	if err != nil {
		return nil, false // out of range: encoding/json's error to give
	}
	return f, true
}
