package simulator

import (
	"net/http"
	"time"

	"github.com/scimsim/scimsim/simulator/faults"
)

// recordRequest journals the request r that sc served, answered with status, and counts it in the
// metrics: the epilogue of a request to a tenant, SCIM or Entra, whose journal issued it id when it
// began at start.
func (s *Server) recordRequest(sc *scimContext, r *http.Request, id int64, start time.Time, status int) {
	t, st := sc.st.tenant, &sc.st
	body, cut := journalBody(st.body, st.authorized(r), st.plainBody)
	e := JournalEntry{
		ID:         id,
		Time:       start.UTC(),
		Method:     r.Method,
		Path:       r.URL.Path,
		Query:      journalQuery(r.URL.RawQuery),
		Status:     status,
		Truncated:  cut,
		Fault:      faults.HitBy(sc),
		DurationMs: float64(time.Since(start).Microseconds()) / 1000,
	}
	t.journal.add(journalRecord{body: body, entry: e})
	s.metrics.observe(t, st.rel, e)
}

// recordPanic, deferred, journals a request whose handler panicked and panics on. A handler that
// aborts the connection (http.ErrAbortHandler) answered nothing: status 0; any other panic is a 500
// (recoverPanic answers it). sc is not released: whatever recovers may still hold it.
func (s *Server) recordPanic(sc *scimContext, r *http.Request, id int64, start time.Time) {
	if p := recover(); p != nil {
		status := http.StatusInternalServerError
		if p == http.ErrAbortHandler {
			status = 0
		}
		s.recordRequest(sc, r, id, start, status)
		panic(p)
	}
}
