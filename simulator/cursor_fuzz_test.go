package simulator

import (
	"reflect"
	"strings"
	"testing"
)

// FuzzCursorDecode: any string a client sends as cursor decodes to a token or to an invalidCursor
// error, never a panic; a token the codec issued decodes to itself; and a cursor is made of RFC
// 3986 §2.3 unreserved characters (RFC 9865 §2).
func FuzzCursorDecode(f *testing.F) {
	cc := newCursorCodec(1, "t")
	for _, tok := range []cursorToken{
		{Count: 100, Query: 7, Issued: 1},
		{Key: &resultKey{Kind: 1, ID: "g-1"}, Count: 2, Query: 9, Issued: 2},
		{Before: true, Key: &resultKey{Sort: "Ada", ID: "u-1"}, Count: 3, Query: 1, Issued: 3},
		{Key: &resultKey{Sort: 4.5, ID: "u\x00\"é"}, Count: 0, Query: 1, Issued: 4},
	} {
		f.Add(cc.encode(tok))
	}
	f.Add("")
	f.Add(".")
	f.Add("e30.AAAA")
	f.Add(strings.Repeat("A", maxCursorLen+1))
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := cc.decode(s)
		if err != nil {
			if !strings.Contains(err.Error(), "cursor") {
				t.Fatalf("decode(%q): error %v does not name the cursor", s, err)
			}
			return
		}
		again := cc.encode(tok)
		for _, r := range again {
			if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune("-._~", r)) {
				t.Fatalf("cursor %q holds %q, not an unreserved character", again, r)
			}
		}
		back, err := cc.decode(again)
		if err != nil || !reflect.DeepEqual(back, tok) {
			t.Fatalf("decode(encode(%+v)) = %+v, %v", tok, back, err)
		}
		if _, err := newCursorCodec(1, "other").decode(s); err == nil {
			t.Fatalf("cursor %q of tenant t accepted by tenant other", s)
		}
	})
}
