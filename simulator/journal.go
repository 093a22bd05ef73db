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

// journal is a fixed-size ring buffer of requests, newest last.
type journal struct {
	ids     atomic.Int64 // request ids of the tenant, from 1, never reused (not even by reset)
	mu      sync.Mutex
	entries []JournalEntry
	next    int
	full    bool
}

func newJournal(size int) *journal { return &journal{entries: make([]JournalEntry, size)} }

func (j *journal) add(e JournalEntry) {
	if len(j.entries) == 0 {
		return
	}
	j.mu.Lock()
	j.entries[j.next] = e
	j.next++
	if j.next == len(j.entries) {
		j.next, j.full = 0, true
	}
	j.mu.Unlock()
}

// list returns the entries, oldest first.
func (j *journal) list() []JournalEntry {
	j.mu.Lock()
	defer j.mu.Unlock()
	if !j.full {
		return append([]JournalEntry(nil), j.entries[:j.next]...)
	}
	out := make([]JournalEntry, 0, len(j.entries))
	out = append(out, j.entries[j.next:]...)
	return append(out, j.entries[:j.next]...)
}

func (j *journal) reset() {
	j.mu.Lock()
	clear(j.entries)
	j.next, j.full = 0, false
	j.mu.Unlock()
}

// journalBody returns the body as the journal keeps it: cut at 64 KiB.
func journalBody(b []byte) (string, bool) {
	if len(b) > journalBodyLimit {
		return string(b[:journalBodyLimit]), true
	}
	return string(b), false
}
