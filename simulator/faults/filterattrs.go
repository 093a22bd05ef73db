package faults

import "strings"

// filterKeywords are the operators and literals of the filter grammar (RFC 7644 Section 3.4.2.2);
// every other bare word in a filter is an attribute path.
var filterKeywords = map[string]bool{
	"eq": true, "ne": true, "co": true, "sw": true, "ew": true, "gt": true, "ge": true,
	"lt": true, "le": true, "pr": true, "and": true, "or": true, "not": true,
	"true": true, "false": true, "null": true,
}

// filterAttributes lists the attribute paths a SCIM filter references, in order and without
// duplicates, sub-attributes joined with a dot: `emails[type eq "work"].value eq "x"` gives
// [emails.type emails.value].
//
// It is a scanner, not a parser: it never fails, and it accepts what the RFC's ABNF does not but
// Entra sends (a value path followed by a sub-attribute, as above). The faults only need to know
// which attributes a filter touches; whether the filter is valid is the SCIM server's business.
func filterAttributes(filter string) []string {
	var (
		out     []string
		parents []string // value-path attributes we are inside of: emails in emails[...]
		closed  string   // the value-path attribute just closed by ']', for a following ".sub"
	)
	add := func(a string) {
		for _, seen := range out {
			if strings.EqualFold(seen, a) {
				return
			}
		}
		out = append(out, a)
	}
	for i := 0; i < len(filter); {
		switch c := filter[i]; {
		case c == '"':
			// Skip a string literal, honouring backslash escapes.
			for i++; i < len(filter) && filter[i] != '"'; i++ {
				if filter[i] == '\\' {
					i++
				}
			}
			i++
			closed = ""
		case c == '[':
			i++
		case c == ']':
			if n := len(parents); n > 0 {
				closed = parents[n-1]
				parents = parents[:n-1]
			}
			i++
			if i < len(filter) && filter[i] == '.' {
				i++
				j := i
				for j < len(filter) && isAttrChar(filter[j]) {
					j++
				}
				if j > i && closed != "" {
					add(closed + "." + filter[i:j])
				}
				i = j
			}
			closed = ""
		case '0' <= c && c <= '9' || c == '-':
			// A number (RFC 7159 Section 6): skip it whole, so "1e3" is not an attribute "e3".
			for i++; i < len(filter) && strings.IndexByte("0123456789.eE+-", filter[i]) >= 0; i++ {
			}
			closed = ""
		case isAttrStart(c):
			j := i
			for j < len(filter) && isAttrChar(filter[j]) {
				j++
			}
			word := filter[i:j]
			i = j
			closed = ""
			if filterKeywords[strings.ToLower(word)] {
				continue
			}
			if i < len(filter) && filter[i] == '[' {
				parents = append(parents, word)
				continue
			}
			if n := len(parents); n > 0 {
				word = parents[n-1] + "." + word
			}
			add(word)
		default:
			i++
			closed = ""
		}
	}
	return out
}

// isAttrStart reports whether c can start an attribute path (ATTRNAME or a schema URN, RFC 7643
// Section 2.1); digits and '-' start numbers, which are values.
func isAttrStart(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '$' || c == '_'
}

func isAttrChar(c byte) bool {
	return isAttrStart(c) || '0' <= c && c <= '9' || c == '-' || c == '.' || c == ':'
}
