package simulator

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"hash/fnv"
	"net/http"
	"strconv"
	"strings"
	"time"

	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/scimsim/scimsim/simulator/resource"
)

// Cursor-based pagination, RFC 9865.
//
// A query that carries the cursor parameter (§2: "The cursor value MUST be empty or omitted for
// the first request of a cursor-paginated query"; the simulator's default method is index,
// §2.4, so it is the parameter's presence, empty or not, that asks for cursors) is answered in
// the order of index paging, and a cursor is a position in that order: the sort key of the last
// resource of a page (nextCursor), or of the first (previousCursor). The order is the sortBy
// value when the query sorts (RFC 7644 §3.4.2.3), then the resource type, then the id, which no
// two resources share; a page is the count resources that follow the position. So a walk whose
// writes interleave with other writes neither repeats nor skips a resource that existed
// throughout the walk with the same sort value: such a resource has one position, on exactly one
// page. (Index paging, which counts from the start of the result set, shifts by one for every
// resource created or deleted before the page.)
//
// A cursor is opaque (§2: "URL-safe strings that are opaque to the client") and made of RFC 3986
// §2.3 unreserved characters only: base64url (RFC 4648 §5) of a small JSON document, a ".", and a
// MAC over it that binds it to the tenant, so that a cursor edited by hand or taken to another
// tenant is an invalidCursor. It holds the query it belongs to (a hash of the route, filter,
// sortBy and sortOrder: §2, the client "MUST query the same service provider endpoint with all
// query parameters and values being identical to the initial query"), its count (§2.1
// invalidCount: "must value identical count of the initial query") and the time it was issued:
// a cursor older than cursorTimeout seconds (advertised in /ServiceProviderConfig, §4) is an
// expiredCursor.

// The error types of RFC 9865 §2.1, Table 3, each with status 400.
const (
	scimTypeInvalidCursor scimerrors.ScimType = "invalidCursor"
	scimTypeExpiredCursor scimerrors.ScimType = "expiredCursor"
	scimTypeInvalidCount  scimerrors.ScimType = "invalidCount"
)

// maxCursorLen bounds a cursor: the ones the simulator issues are a few hundred bytes at most.
const maxCursorLen = 2048

// resultKey is a result's position in the order of a query.
type resultKey struct {
	Sort any    `json:"s,omitempty"` // the sortBy value (string, number, boolean; nil sorts last)
	Kind int    `json:"k"`           // kind.index
	ID   string `json:"i"`
}

// cursorToken is what a cursor encodes.
type cursorToken struct {
	Before bool       `json:"b,omitempty"` // a previousCursor: the page ends before Key
	Key    *resultKey `json:"p,omitempty"` // nil: the start of the result set
	Count  int        `json:"c"`
	Query  uint64     `json:"q"`
	Issued int64      `json:"t"` // Unix seconds
}

// cursorCodec encodes and decodes the cursors of one tenant.
type cursorCodec struct{ key []byte }

func newCursorCodec(seed int64, tenant string) cursorCodec {
	h := sha256.New()
	h.Write([]byte("scimsim RFC 9865 cursor\x00"))
	_ = binary.Write(h, binary.BigEndian, seed)
	h.Write([]byte(tenant))
	return cursorCodec{key: h.Sum(nil)}
}

func (cc cursorCodec) mac(payload []byte) []byte {
	m := hmac.New(sha256.New, cc.key)
	m.Write(payload)
	return m.Sum(nil)[:12]
}

// encode renders a token as a cursor.
func (cc cursorCodec) encode(t cursorToken) string {
	payload, err := json.Marshal(t)
	if err != nil {
		// Not reached: a token holds strings, numbers, booleans and nil.
		panic(err)
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString(payload) + "." + enc.EncodeToString(cc.mac(payload))
}

// decode reads a cursor the codec issued; any other string is an invalidCursor.
func (cc cursorCodec) decode(s string) (cursorToken, error) {
	var t cursorToken
	bad := func(why string) (cursorToken, error) {
		return cursorToken{}, scimErr(http.StatusBadRequest, scimTypeInvalidCursor,
			"cursor %s: %s; send an empty cursor for the first page, then the nextCursor or previousCursor of a previous answer (RFC 9865 §2)", quoteCursor(s), why)
	}
	if len(s) > maxCursorLen {
		return bad("longer than " + strconv.Itoa(maxCursorLen) + " characters")
	}
	body, sig, ok := strings.Cut(s, ".")
	if !ok {
		return bad("not a cursor this server issued")
	}
	enc := base64.RawURLEncoding
	payload, err1 := enc.DecodeString(body)
	mac, err2 := enc.DecodeString(sig)
	if err1 != nil || err2 != nil || !hmac.Equal(mac, cc.mac(payload)) {
		return bad("not a cursor this server issued for this tenant")
	}
	d := json.NewDecoder(bytes.NewReader(payload))
	d.DisallowUnknownFields()
	if err := d.Decode(&t); err != nil || t.Count < 0 {
		return bad("not a cursor this server issued")
	}
	return t, nil
}

// quoteCursor quotes a cursor for an error message, cut to a readable length.
func quoteCursor(s string) string {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return strconv.Quote(s)
}

// queryHash identifies the query a cursor belongs to: the route and every parameter that decides
// the result set and its order.
func queryHash(route, filter, sortBy string, descending bool) uint64 {
	h := fnv.New64a()
	for _, s := range []string{route, filter, sortBy, strconv.FormatBool(descending)} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

// cursorRequest is the cursor part of a query: the parameter as sent ("" for the first page),
// and what run needs to check and answer it.
type cursorRequest struct {
	raw        string
	countGiven bool // count was in the request; else the default applies
}

// cursorPage is the page of a cursor query, collected as run offers the matches in order.
type cursorPage struct {
	tok       cursorToken // the request's cursor, or the first page's
	sorted    bool
	desc      bool
	want      int
	extra     int // matches kept past the page (the skip fault: one more page)
	hits      []hit
	keys      []resultKey
	ahead     []resultKey // keys of the matches past the page, up to extra
	more      bool        // a match follows the page (and the ahead ones)
	prev      bool        // a match precedes the page
	beforeCnt int         // before mode: matches before the key, so far
}

// cmpKey orders two positions as run orders results.
func (p *cursorPage) cmpKey(a, b resultKey, caseExact bool) int {
	if p.sorted {
		c := resource.Compare(a.Sort, b.Sort, caseExact)
		if p.desc && a.Sort != nil && b.Sort != nil {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	switch {
	case a.Kind != b.Kind:
		return a.Kind - b.Kind
	case a.ID < b.ID:
		return -1
	case a.ID > b.ID:
		return 1
	}
	return 0
}

// offer takes the next match of the query, in order.
func (p *cursorPage) offer(h hit, key resultKey, caseExact bool) {
	k := p.tok.Key
	if p.tok.Before {
		// The last want matches before the key.
		if p.cmpKey(key, *k, caseExact) >= 0 {
			p.more = true
			return
		}
		p.beforeCnt++
		if p.want == 0 {
			return
		}
		if len(p.hits) == p.want {
			copy(p.hits, p.hits[1:])
			copy(p.keys, p.keys[1:])
			p.hits, p.keys = p.hits[:p.want-1], p.keys[:p.want-1]
		}
		p.hits, p.keys = append(p.hits, h), append(p.keys, key)
		return
	}
	if k != nil && p.cmpKey(key, *k, caseExact) <= 0 {
		p.prev = true
		return
	}
	switch {
	case len(p.hits) < p.want:
		p.hits, p.keys = append(p.hits, h), append(p.keys, key)
	case len(p.ahead) < p.extra:
		p.ahead = append(p.ahead, key)
	default:
		p.more = true
	}
}

// links returns the nextCursor and previousCursor of the page ("" for none), with the cursor
// misbehaviour a fault asks for (faults.CursorMisbehaviour): "repeat" sends the client back to
// the page it just read, "skip" past the page that follows. applied reports whether the fault
// changed the nextCursor.
func (p *cursorPage) links(cc cursorCodec, now time.Time, misbehave string) (next, prev string, applied bool) {
	mk := func(before bool, key *resultKey) string {
		return cc.encode(cursorToken{Before: before, Key: key, Count: p.want, Query: p.tok.Query, Issued: now.Unix()})
	}
	if p.want == 0 {
		// §2: count 0 returns totalResults alone; there is no page to move from.
		return "", "", false
	}
	last := func() *resultKey {
		if len(p.keys) == 0 {
			return p.tok.Key
		}
		return &p.keys[len(p.keys)-1]
	}
	if p.tok.Before {
		if p.more || len(p.hits) > 0 {
			next = mk(false, last())
		}
		if p.beforeCnt > len(p.hits) && len(p.keys) > 0 {
			prev = mk(true, &p.keys[0])
		}
	} else {
		hasMore := p.more || len(p.ahead) > 0
		if hasMore {
			next = mk(false, last())
		}
		if p.prev {
			first := p.tok.Key
			if len(p.keys) > 0 {
				first = &p.keys[0]
			}
			prev = mk(true, first)
		}
	}
	switch {
	case misbehave == "repeat" && next != "":
		// The cursor this page was read with: the same page again.
		return mk(p.tok.Before, p.tok.Key), prev, true
	case misbehave == "skip" && next != "" && len(p.ahead) > 0:
		if len(p.ahead) == p.extra && p.more {
			return mk(false, &p.ahead[len(p.ahead)-1]), prev, true
		}
		return "", prev, true // the page after next was the last one: the walk ends early
	}
	return next, prev, false
}

// newCursorPage checks a cursor query's parameters and returns its page. count is the effective
// count (the request's, else the default); route, filter, sortBy and descending identify the query.
func newCursorPage(cc cursorCodec, now time.Time, cr cursorRequest, count int, route, filter, sortBy string, descending bool, extra bool) (*cursorPage, error) {
	// RFC 9865 §2: a negative count is 0; §2.1: invalidCount above maxPageSize.
	count = max(count, 0)
	if count > maxCount {
		return nil, scimErr(http.StatusBadRequest, scimTypeInvalidCount,
			"count %d: a cursor page holds 0 to %d resources (maxPageSize in /ServiceProviderConfig)", count, maxCount)
	}
	qh := queryHash(route, filter, sortBy, descending)
	p := &cursorPage{sorted: sortBy != "", desc: descending, want: count}
	if extra {
		p.extra = count
	}
	if cr.raw == "" {
		p.tok = cursorToken{Count: count, Query: qh}
		return p, nil
	}
	tok, err := cc.decode(cr.raw)
	if err != nil {
		return nil, err
	}
	if tok.Query != qh {
		return nil, scimErr(http.StatusBadRequest, scimTypeInvalidCursor,
			"cursor %s belongs to another query: send the filter, sortBy and sortOrder of the query that returned it (RFC 9865 §2)", quoteCursor(cr.raw))
	}
	if now.Unix()-tok.Issued > cursorTimeoutSeconds {
		return nil, scimErr(http.StatusBadRequest, scimTypeExpiredCursor,
			"cursor %s was issued %s ago; a cursor is valid for %d seconds (cursorTimeout in /ServiceProviderConfig)",
			quoteCursor(cr.raw), now.Sub(time.Unix(tok.Issued, 0)).Round(time.Second), cursorTimeoutSeconds)
	}
	if tok.Count != count {
		return nil, scimErr(http.StatusBadRequest, scimTypeInvalidCount,
			"count %d: the query that returned this cursor had count %d, and every page of a cursor walk has the same (RFC 9865 §2.1)", count, tok.Count)
	}
	if tok.Key == nil && tok.Before {
		return nil, scimErr(http.StatusBadRequest, scimTypeInvalidCursor, "cursor %s: not a cursor this server issued", quoteCursor(cr.raw))
	}
	p.tok = tok
	return p, nil
}
