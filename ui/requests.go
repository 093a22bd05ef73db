package ui

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scimsim/scimsim/simulator"
)

// maxEntries bounds the journal entries the page renders; the count says how many there are.
const maxEntries = 500

// pollEvery is how often the live journal looks for new entries.
const pollEvery = 400 * time.Millisecond

type requestsData struct {
	Tenant   string // "" is the demo tenant
	External bool
	Entries  []simulator.JournalEntry
	Total    int
	Last     int64 // the newest entry's id: the live updates start after it
	Hits     int   // entries a fault hit
}

// tenantParam reads ?tenant=NAME: a scenario's tenant, or "" for the demo tenant.
func tenantParam(r *http.Request) (string, error) {
	t := r.URL.Query().Get("tenant")
	if t != "" && !simulator.ValidTenantName(t) {
		return "", fmt.Errorf("%q is not a tenant name", t)
	}
	return t, nil
}

// journal returns the tenant's journal newest first, through the simulator's admin API.
func (s *Server) journal(r *http.Request, tenant string) ([]simulator.JournalEntry, error) {
	ctx, cancel := requestContext(r)
	defer cancel()
	list, err := s.admin.Requests(ctx, tenant)
	if err != nil {
		return nil, fmt.Errorf("read the request journal: %w", err)
	}
	slices.Reverse(list)
	return list, nil
}

// requests is the target's request journal, newest first, rendered here and then kept up to date
// by the script from /requests/events.
func (s *Server) requests(w http.ResponseWriter, r *http.Request) {
	tenant, err := tenantParam(r)
	d := requestsData{Tenant: tenant, External: s.o.Simulator == nil || (tenant == "" && s.o.TargetURL != "")}
	p := page{Title: "Requests", Nav: "requests", Data: &d}
	if err != nil {
		p.Error = err.Error()
		s.render(w, r, http.StatusBadRequest, "requests", p)
		return
	}
	if d.External {
		s.render(w, r, http.StatusOK, "requests", p)
		return
	}
	list, err := s.journal(r, tenant)
	if err != nil {
		p.Error = err.Error()
		s.render(w, r, http.StatusBadGateway, "requests", p)
		return
	}
	d.Total = len(list)
	for _, e := range list {
		if e.Fault != "" {
			d.Hits++
		}
	}
	if len(list) > 0 {
		d.Last = list[0].ID
	}
	d.Entries = list[:min(len(list), maxEntries)]
	s.render(w, r, http.StatusOK, "requests", p)
}

// requestEvents streams the journal's new entries as server-sent events, each the entry's HTML as
// the page renders it ("entry"), and "reset" when the journal was emptied (ids are never reused,
// so a journal whose newest id is below the last one sent, or an empty one, was reset). The journal has no
// notification, so the stream looks every pollEvery; EventSource reconnects with Last-Event-ID.
func (s *Server) requestEvents(w http.ResponseWriter, r *http.Request) {
	tenant, err := tenantParam(r)
	if err != nil || s.o.Simulator == nil {
		http.Error(w, "no journal to follow", http.StatusBadRequest)
		return
	}
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	if id, err := strconv.ParseInt(r.Header.Get("Last-Event-ID"), 10, 64); err == nil {
		after = id
	}
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // the stream outlives the server's write timeout
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	if _, err := fmt.Fprint(w, "retry: 2000\n\n"); err != nil || rc.Flush() != nil {
		return
	}
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	idle := 0
	for {
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
		}
		list, err := s.journal(r, tenant)
		if err != nil {
			continue
		}
		var out bytes.Buffer
		if len(list) > 0 && list[0].ID < after || len(list) == 0 && after > 0 {
			out.WriteString("event: reset\ndata: \n\n")
			after = 0
			if len(list) > 0 {
				after = list[0].ID
			}
		}
		for i := len(list) - 1; i >= 0; i-- {
			e := list[i]
			if e.ID <= after {
				continue
			}
			var b bytes.Buffer
			if err := pages["requests"].ExecuteTemplate(&b, "entry", e); err != nil {
				return
			}
			fmt.Fprintf(&out, "event: entry\nid: %d\n", e.ID)
			for _, line := range strings.Split(b.String(), "\n") {
				fmt.Fprintf(&out, "data: %s\n", line)
			}
			out.WriteString("\n")
			after = e.ID
		}
		if out.Len() == 0 {
			if idle++; idle*int(pollEvery/time.Millisecond) < 15000 {
				continue
			}
			out.WriteString(": keep-alive\n\n")
		}
		idle = 0
		if _, err := w.Write(out.Bytes()); err != nil || rc.Flush() != nil {
			return
		}
	}
}
