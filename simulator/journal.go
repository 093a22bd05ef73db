package simulator

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// JournalEntry is one request as the journal keeps it (GET /admin/requests), WireMock's request
// journal in miniature. The Authorization header is never recorded, the body only of a request
// that carried the tenant's token, and secret values (passwords, tokens) are redacted from it.
type JournalEntry struct {
	ID          int64     `json:"id"` // the X-Request-Id the response carried
	Time        time.Time `json:"time"`
	Method      string    `json:"method"`
	Path        string    `json:"path"`
	Query       string    `json:"query,omitempty"`
	Status      int       `json:"status"`
	RequestBody string    `json:"requestBody,omitempty"`
	Truncated   bool      `json:"truncated,omitempty"` // RequestBody was cut at 64 KiB
	Fault       string    `json:"fault,omitempty"`     // name of the fault that hit the request
	DurationMs  float64   `json:"durationMs"`
}

// entryOverhead approximates what an entry costs beyond its strings: the struct, its pointers in
// the two queues, and its JSON keys when listed.
const entryOverhead = 200

// size is what an entry counts against the journal's byte bounds.
func (e JournalEntry) size() int64 {
	return int64(entryOverhead + len(e.Method) + len(e.Path) + len(e.Query) + len(e.RequestBody) + len(e.Fault))
}

// journalRecord is an entry with its body as the request read it: the journal keeps those bytes
// (the request is done with them) and makes the string only when the journal is listed.
type journalRecord struct {
	entry JournalEntry
	body  []byte
}

// journalBook holds the journals of every tenant under one lock, so that they are bounded
// together: each in entries (WithJournalSize) and bytes (WithJournalBytes' per-tenant bound), and
// all of them in bytes (its total bound), evicting the oldest entries of the server first. A busy
// tenant therefore pushes out old entries, its own or others', but never grows the journals
// beyond the total.
type journalBook struct {
	size        int   // entries per tenant
	tenantBytes int64 // bytes per tenant
	totalBytes  int64 // bytes of every tenant together

	mu    sync.Mutex
	bytes int64
	live  int
	order ring[*bookEntry] // every tenant's entries in the order they were added; gone ones too
}

type bookEntry struct {
	e    JournalEntry
	body []byte
	size int64
	j    *journal
	gone bool
}

func newJournalBook(size int, tenantBytes, totalBytes int64) *journalBook {
	return &journalBook{size: size, tenantBytes: tenantBytes, totalBytes: totalBytes}
}

// journal is one tenant's requests, newest last, in its book.
type journal struct {
	ids     atomic.Int64 // request ids of the tenant, from 1, never reused (not even by reset)
	book    *journalBook
	entries ring[*bookEntry] // guarded by book.mu
	bytes   int64            // guarded by book.mu
}

func (b *journalBook) newJournal() *journal { return &journal{book: b} }

func (j *journal) add(r journalRecord) {
	b := j.book
	n := r.entry.size() + int64(len(r.body))
	if b.size == 0 || n > b.tenantBytes || n > b.totalBytes {
		return
	}
	be := &bookEntry{e: r.entry, body: r.body, size: n, j: j}
	b.mu.Lock()
	defer b.mu.Unlock()
	for j.entries.len() > 0 && (j.entries.len() >= b.size || j.bytes+n > b.tenantBytes) {
		b.dropOldest(j)
	}
	for b.bytes+n > b.totalBytes && b.order.len() > 0 {
		if old := b.order.popFront(); !old.gone {
			b.dropOldest(old.j)
		}
	}
	j.entries.push(be)
	j.bytes += n
	b.order.push(be)
	b.bytes += n
	b.live++
	// Entries that a tenant bound or a reset removed stay in order until the total bound
	// reaches them; compact when they outnumber the live ones.
	if dead := b.order.len() - b.live; dead > 1024 && dead > b.live {
		b.order.filter(func(be *bookEntry) bool { return !be.gone })
	}
}

// dropOldest removes j's oldest entry; b.mu is held.
func (b *journalBook) dropOldest(j *journal) {
	be := j.entries.popFront()
	be.gone = true
	j.bytes -= be.size
	b.bytes -= be.size
	b.live--
}

// list returns the entries, oldest first.
func (j *journal) list() []JournalEntry {
	j.book.mu.Lock()
	defer j.book.mu.Unlock()
	out := make([]JournalEntry, 0, j.entries.len())
	j.entries.each(func(be *bookEntry) {
		e := be.e
		if be.body != nil {
			e.RequestBody = string(be.body)
		}
		out = append(out, e)
	})
	return out
}

func (j *journal) reset() {
	b := j.book
	b.mu.Lock()
	for j.entries.len() > 0 {
		b.dropOldest(j)
	}
	b.mu.Unlock()
}

// ring is a FIFO queue on a growing ring buffer.
type ring[T any] struct {
	buf        []T
	head, size int
}

func (r *ring[T]) len() int { return r.size }

func (r *ring[T]) push(v T) {
	if r.size == len(r.buf) {
		grown := make([]T, max(16, 2*len(r.buf)))
		for i := range r.size {
			grown[i] = r.buf[(r.head+i)%len(r.buf)]
		}
		r.buf, r.head = grown, 0
	}
	r.buf[(r.head+r.size)%len(r.buf)] = v
	r.size++
}

func (r *ring[T]) popFront() T {
	var zero T
	v := r.buf[r.head]
	r.buf[r.head] = zero
	r.head = (r.head + 1) % len(r.buf)
	r.size--
	return v
}

func (r *ring[T]) each(fn func(T)) {
	for i := range r.size {
		fn(r.buf[(r.head+i)%len(r.buf)])
	}
}

// filter keeps the elements for which keep holds, in order.
func (r *ring[T]) filter(keep func(T) bool) {
	out := make([]T, 0, max(16, r.size))
	r.each(func(e T) {
		if keep(e) {
			out = append(out, e)
		}
	})
	r.buf, r.head, r.size = out[:cap(out)], 0, len(out)
}

// journalBody returns the body as the journal keeps it: nothing when the request did not carry
// the tenant's token (an anonymous client must not be able to fill the journal), secrets
// redacted, cut at 64 KiB. plain is a body known to name no secret (decodeBody).
func journalBody(b []byte, authorized, plain bool) ([]byte, bool) {
	if !authorized || len(b) == 0 {
		return nil, false
	}
	if !plain {
		b = redactSecrets(b)
	}
	if len(b) > journalBodyLimit {
		return b[:journalBodyLimit:journalBodyLimit], true
	}
	return b, false
}

// secretWords are the parts of names whose values the journal never keeps: SCIM's password
// (RFC 7643 §4.1.1, returned "never") and anything that names a secret, token or credential.
var secretWords = []string{"password", "secret", "token", "credential", "apikey"}

// redacted replaces a secret value.
const redacted = "[redacted]"

func isSecretName(name string) bool {
	var buf [64]byte
	lower := buf[:0]
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= utf8.RuneSelf { // Unicode's lower case (K, the Kelvin sign, is k)
			lower = []byte(strings.ToLower(name))
			break
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower = append(lower, c)
	}
	for _, w := range secretWordBytes {
		if bytes.Contains(lower, w) {
			return true
		}
	}
	return false
}

// journalSensitive reports whether the journal redacts (redactValue) the member named name, or
// may redact the one beside it: a secret's name, or "path", whose value may name a secret.
func journalSensitive(name string) bool {
	return isSecretName(name) || strings.EqualFold(name, "path")
}

// mentionsSecret reports whether b names a secret anywhere, ASCII case-insensitively: the cheap
// test that lets almost every body through unchanged. It lower-cases b once (into a pooled
// buffer, eight bytes at a time) and searches each word with bytes.Contains, which is
// vectorised.
func mentionsSecret[T string | []byte](b T) bool {
	lp := lowerBuffers.Get().(*[]byte)
	lower := slices.Grow((*lp)[:0], len(b))[:len(b)]
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := uint64(b[i]) | uint64(b[i+1])<<8 | uint64(b[i+2])<<16 | uint64(b[i+3])<<24 |
			uint64(b[i+4])<<32 | uint64(b[i+5])<<40 | uint64(b[i+6])<<48 | uint64(b[i+7])<<56
		binary.LittleEndian.PutUint64(lower[i:], lowerASCII8(x))
	}
	for ; i < len(b); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	found := false
	for _, w := range secretWordBytes {
		if bytes.Contains(lower, w) {
			found = true
			break
		}
	}
	if cap(lower) <= 1<<20 {
		*lp = lower
	}
	lowerBuffers.Put(lp)
	return found
}

// lowerASCII8 lower-cases the bytes 'A' to 'Z' among the eight of x and leaves every other
// byte as it is: for each byte's low seven bits h, h+0x3f has its top bit set when h >= 'A' and
// h+0x25 when h > 'Z' (neither sum carries into the next byte), and a byte whose own top bit is
// set is no letter.
func lowerASCII8(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	h := x &^ highs
	upper := ((h + (0x80-'A')*ones) ^ (h + (0x80-'Z'-1)*ones)) &^ x & highs
	return x | upper>>2
}

var (
	secretWordBytes = func() [][]byte {
		out := make([][]byte, len(secretWords))
		for i, w := range secretWords {
			out[i] = []byte(w)
		}
		return out
	}()
	lowerBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}
)

// redactSecrets returns b with the value of every secret replaced by "[redacted]": a member
// whose name is secret, and the value of a PATCH operation whose path names a secret. A body that
// names a secret but is not JSON is replaced whole, since its secrets cannot be found.
func redactSecrets(b []byte) []byte {
	if !mentionsSecret(b) {
		return b
	}
	var doc any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&doc); err != nil || d.More() {
		return []byte(redacted + ": the body names a secret and is not JSON")
	}
	out, err := json.Marshal(redactValue(doc))
	if err != nil {
		return []byte(redacted)
	}
	return out
}

func redactValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		secretPath := false
		for k, e := range v {
			if strings.EqualFold(k, "path") {
				if p, ok := e.(string); ok && isSecretName(p) {
					secretPath = true
				}
			}
		}
		for k, e := range v {
			switch {
			case isSecretName(k), secretPath && strings.EqualFold(k, "value"):
				v[k] = redacted
			default:
				v[k] = redactValue(e)
			}
		}
	case []any:
		for i, e := range v {
			v[i] = redactValue(e)
		}
	}
	return v
}

// journalQuery returns the raw query with the values of secret parameters redacted: those that
// carry a bearer token (RFC 6750 §2.3, access_token) or another secret.
func journalQuery(raw string) string {
	if raw == "" || !mentionsSecret(raw) {
		return raw
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return redacted
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if isSecretName(k) {
			q[k] = []string{redacted}
		}
	}
	return q.Encode()
}
