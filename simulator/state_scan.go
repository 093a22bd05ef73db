package simulator

import (
	"encoding/json"
)

// Scanning stored documents: the few top-level members a record needs, read off compact JSON
// without encoding/json, which is what loading a large state would otherwise spend its time on.

// storedDoc is what a record is built from, read off a stored document by scan.
type storedDoc struct {
	id, userName, displayName, externalID string
	values                                []string // emails[].value of a user, members[].value of a group
	created, modified, version            string
	hasMeta                               bool
	locAt                                 int  // where meta.location goes: at "resourceType" in meta
	other                                 bool // something encodeRecord never writes: password, meta.location
}

// scan reads the top-level members a record needs from b, valid JSON, and reports whether b is
// compact (no whitespace outside strings), as encodeRecord writes it. It is several times faster
// than encoding/json into a struct, which is what loading a large state spends its time on. One
// member function reads the document's members and, one level down, its meta's.
func (d *storedDoc) scan(k *kind, b []byte) (compact bool) {
	// The string members kept, each beside its field: the document's, and its meta's.
	docStrings := [...]stringMember{{"id", &d.id}, {"userName", &d.userName}, {"displayName", &d.displayName}, {"externalId", &d.externalID}}
	metaStrings := [...]stringMember{{"created", &d.created}, {"lastModified", &d.modified}, {"version", &d.version}}
	sc := jsonScan{b: b}
	inMeta := false
	var member func(key string, start int) bool
	member = func(key string, start int) bool {
		strs := docStrings[:]
		if inMeta {
			strs = metaStrings[:]
		}
		for _, s := range strs {
			if s.key == key {
				*s.dst, _ = sc.str()
				return sc.ok
			}
		}
		switch {
		case inMeta && key == "resourceType":
			d.locAt = start
		case inMeta && key == "location", !inMeta && key == "password":
			d.other = true
		case !inMeta && key == "meta":
			if d.hasMeta = sc.peek() == '{'; d.hasMeta {
				inMeta = true
				sc.object(member)
				inMeta = false
				return sc.ok
			}
		case !inMeta && (key == "emails" && k == userKind || key == "members" && k == groupKind):
			d.values = sc.subValues()
			return sc.ok
		}
		sc.skip()
		return sc.ok
	}
	return sc.object(member) && sc.ok && sc.i == len(b)
}

// stringMember is a member whose string value scan keeps, and where it keeps it.
type stringMember struct {
	key string
	dst *string
}

// jsonScan walks compact, valid JSON; ok turns false at whitespace or anything unexpected.
type jsonScan struct {
	b  []byte
	i  int
	ok bool
}

func (s *jsonScan) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

// object calls member for each member of the object at i, positioned at its value; start is
// where the member's key begins.
func (s *jsonScan) object(member func(key string, start int) bool) bool {
	s.ok = s.peek() == '{'
	if !s.ok {
		return false
	}
	s.i++
	if s.peek() == '}' {
		s.i++
		return true
	}
	for {
		start := s.i
		key, ok := s.str()
		if !ok || s.peek() != ':' {
			s.ok = false
			return false
		}
		s.i++
		if !member(key, start) {
			return false
		}
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return true
		default:
			s.ok = false
			return false
		}
	}
}

// str reads a string; ok is false (and the value skipped) when it is not one.
func (s *jsonScan) str() (string, bool) {
	if s.peek() != '"' {
		s.skip()
		return "", false
	}
	start := s.i
	s.i++
	escaped := false
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '\\':
			escaped = true
			s.i += 2
			continue
		case '"':
			s.i++
			raw := s.b[start:s.i]
			if !escaped {
				return string(raw[1 : len(raw)-1]), true
			}
			var v string
			if json.Unmarshal(raw, &v) != nil {
				s.ok = false
				return "", false
			}
			return v, true
		}
		s.i++
	}
	s.ok = false
	return "", false
}

// skipString passes over a string, without decoding it.
func (s *jsonScan) skipString() bool {
	s.i++
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '\\':
			s.i += 2
			continue
		case '"':
			s.i++
			return true
		}
		s.i++
	}
	s.ok = false
	return false
}

// skip passes over one value.
func (s *jsonScan) skip() {
	depth := 0
	for s.i < len(s.b) {
		switch c := s.b[s.i]; c {
		case '"':
			if !s.skipString() {
				return
			}
			if depth == 0 {
				return
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return
			}
			depth--
			if depth == 0 {
				s.i++
				return
			}
		case ',', ':':
			if depth == 0 {
				return
			}
		case ' ', '\n', '\t', '\r':
			s.ok = false
			return
		}
		s.i++
	}
}

// subValues reads the string "value" members of a list of objects (or of one object).
func (s *jsonScan) subValues() []string {
	var out []string
	one := func() {
		if s.peek() != '{' {
			s.skip()
			return
		}
		s.object(func(key string, _ int) bool {
			if key == "value" {
				if v, ok := s.str(); ok && v != "" {
					out = append(out, v)
				}
				return true
			}
			s.skip()
			return s.ok
		})
	}
	switch s.peek() {
	case '[':
		s.i++
		if s.peek() == ']' {
			s.i++
			return out
		}
		for s.ok {
			one()
			switch s.peek() {
			case ',':
				s.i++
			case ']':
				s.i++
				return out
			default:
				s.ok = false
			}
		}
	case '{':
		one()
	default:
		s.skip()
	}
	return out
}
