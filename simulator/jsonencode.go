package simulator

import (
	"slices"
	"strconv"
	"unicode/utf8"
)

// Encoding a stored resource: JSON written as json.Marshal writes it, byte for byte, without its
// reflection over maps (encodeRecord, the state log).

// appendJSON appends v as json.Marshal encodes it (object keys sorted, strings escaped alike),
// for the values a validated resource holds: objects, lists, strings, booleans, null, integers
// and json.Number. It reports false for anything else, for which the caller uses json.Marshal:
// encoding a stored resource this way costs a fraction of json.Marshal's reflection over maps.
func appendJSON(dst []byte, v any) ([]byte, bool) {
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...), true
	case string:
		return appendJSONString(dst, v)
	case bool:
		return strconv.AppendBool(dst, v), true
	case int:
		return strconv.AppendInt(dst, int64(v), 10), true
	case int64:
		return strconv.AppendInt(dst, v, 10), true
	case map[string]any:
		var keyBuf [16]string
		keys := keyBuf[:0]
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		dst = append(dst, '{')
		for i, k := range keys {
			dst = appendJSONKey(dst, i, k)
			var ok bool
			if dst, ok = appendJSON(dst, v[k]); !ok {
				return dst, false
			}
		}
		return append(dst, '}'), true
	case []any:
		return appendJSONArray(dst, v, appendJSON)
	case []string:
		return appendJSONArray(dst, v, appendJSONString)
	}
	// float64 (json.Marshal's exponent rules), json.Number (validated by json.Marshal) and
	// any other type.
	return dst, false
}

// appendJSONArray appends v as a JSON array, each element by appendElem; a nil slice is null, as
// json.Marshal writes it.
func appendJSONArray[E any](dst []byte, v []E, appendElem func([]byte, E) ([]byte, bool)) ([]byte, bool) {
	if v == nil {
		return append(dst, "null"...), true
	}
	dst = append(dst, '[')
	for i, e := range v {
		if i > 0 {
			dst = append(dst, ',')
		}
		var ok bool
		if dst, ok = appendElem(dst, e); !ok {
			return dst, false
		}
	}
	return append(dst, ']'), true
}

// appendJSONKey begins an object's i-th member (from 0): the comma before all but the first, the
// key and its colon.
func appendJSONKey(dst []byte, i int, key string) []byte {
	if i > 0 {
		dst = append(dst, ',')
	}
	dst, _ = appendJSONString(dst, key)
	return append(dst, ':')
}

// appendJSONString appends s as a JSON string.
func appendJSONString(dst []byte, s string) ([]byte, bool) {
	dst = append(dst, '"')
	dst = appendJSONEscaped(dst, s)
	return append(dst, '"'), true
}

// appendJSONEscaped appends s as the inside of a JSON string, as json.Marshal escapes it (HTML
// characters included; encoding/json's appendString, which TestAppendJSON holds it to).
// jsonPlain holds the ASCII bytes a JSON string carries as they are: not a control character, a
// quote, a backslash, or one of the HTML characters encoding/json escapes (its htmlSafeSet); one
// load per byte where six comparisons were.
var jsonPlain = func() (t [utf8.RuneSelf]bool) {
	for c := byte(0x20); c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

func appendJSONEscaped(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if jsonPlain[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '\\', '"':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(dst, s[start:]...)
}
