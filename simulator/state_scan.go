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
// than encoding/json into a struct, which is what loading a large state spends its time on.
func (d *storedDoc) scan(k *kind, b []byte) (compact bool) {
	sc := jsonScan{b: b}
	if !sc.object(func(key string, start int) bool {
		switch key {
		case "id":
			d.id, _ = sc.str()
		case "userName":
			d.userName, _ = sc.str()
		case "displayName":
			d.displayName, _ = sc.str()
		case "externalId":
			d.externalID, _ = sc.str()
		case "emails", "members":
			if key == "emails" && k == userKind || key == "members" && k == groupKind {
				d.values = sc.subValues()
				return sc.ok
			}
			sc.skip()
		case "password":
			d.other = true
			sc.skip()
		case "meta":
			d.hasMeta = sc.peek() == '{'
			if !d.hasMeta {
				sc.skip()
				break
			}
			sc.object(func(key string, start int) bool {
				switch key {
				case "created":
					d.created, _ = sc.str()
				case "lastModified":
					d.modified, _ = sc.str()
				case "version":
					d.version, _ = sc.str()
				case "resourceType":
					d.locAt = start
					sc.skip()
				case "location":
					d.other = true
					sc.skip()
				default:
					sc.skip()
				}
				return sc.ok
			})
		default:
			sc.skip()
		}
		return sc.ok
	}) {
		return false
	}
	return sc.ok && sc.i == len(b)
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
