package simulator

import (
	"sync"
	"sync/atomic"
	"time"
)

// JournalEntry is one request as the journal keeps it (GET /admin/requests), WireMock's request
// journal in miniature. The Authorization header is never recorded.
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

// journal is a ring buffer of requests, newest last. It grows as requests arrive, up to size
// entries, so that a tenant that serves a few requests costs a few entries, not size.
type journal struct {
	ids     atomic.Int64 // request ids of the tenant, from 1, never reused (not even by reset)
	size    int
	mu      sync.Mutex
	entries []JournalEntry // len(entries) < size, or the full ring whose oldest entry is at next
	next    int
}

func newJournal(size int) *journal { return &journal{size: size} }

func (j *journal) add(e JournalEntry) {
	if j.size == 0 {
		return
	}
	j.mu.Lock()
	if len(j.entries) < j.size {
		j.entries = append(j.entries, e)
	} else {
		j.entries[j.next] = e
		j.next = (j.next + 1) % j.size
	}
	j.mu.Unlock()
}

// list returns the entries, oldest first.
func (j *journal) list() []JournalEntry {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]JournalEntry, 0, len(j.entries))
	out = append(out, j.entries[j.next:]...)
	return append(out, j.entries[:j.next]...)
}

func (j *journal) reset() {
	j.mu.Lock()
	j.entries, j.next = nil, 0
	j.mu.Unlock()
}

// journalBody returns the body as the journal keeps it: cut at 64 KiB.
func journalBody(b []byte) (string, bool) {
	if len(b) > journalBodyLimit {
		return string(b[:journalBodyLimit]), true
	}
	return string(b), false
}
