package simulator

import (
	"net/http"
	"slices"
	"strconv"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/scimsim/scimsim/wire"
)

// page collects what a query returns without keeping what it does not: it counts every match
// (totalResults) and keeps only those on the requested page, so that a scan that matches every
// resource with count=1 holds one decoded resource, not all of them. A cursor query (cursor.go)
// keeps its page in cur instead.
type page struct {
	skip, want int
	total      int
	hits       []hit
	cur        *cursorPage
}

func (p *page) offer(h hit) { p.offerSorted(h, nil, false) }

// offerSorted offers a match with the value it sorts by (nil when the query does not sort).
func (p *page) offerSorted(h hit, v any, caseExact bool) {
	p.total++
	if p.cur != nil {
		p.cur.offer(h, resultKey{Sort: v, Kind: h.k.index, ID: h.rec.ID}, caseExact)
		return
	}
	if p.total > p.skip && len(p.hits) < p.want {
		p.hits = append(p.hits, h)
	}
}

// listPrefix opens every ListResponse (RFC 7644 §3.4.2).
const listPrefix = `{"schemas":["` + wire.ListResponseSchema + `"],"totalResults":`

// listLinks are the RFC 9865 §2 members of a cursor page's ListResponse; a cursor page has no
// startIndex, which belongs to index paging (RFC 7644 §3.4.2.4).
type listLinks struct {
	cursor               bool
	next, previous       string
	misbehaved           bool // a fault changed nextCursor (faults.CursorMisbehaved)
	startIndex, returned int
}

// writeList renders a ListResponse; itemsPerPage is the number of resources returned.
func (s *Server) writeList(c echo.Context, hits []hit, total int, links listLinks, proj *projection) error {
	st := state(c)
	size := len(listPrefix) + 64 + len(links.next) + len(links.previous)
	for _, h := range hits {
		size += len(h.rec.Doc) + len(st.base.escaped) + 64
	}
	bp := listBuffers.Get().(*[]byte)
	defer func() { *bp = (*bp)[:0]; listBuffers.Put(bp) }()
	buf := slices.Grow((*bp)[:0], size)
	buf = append(buf, listPrefix...)
	buf = strconv.AppendInt(buf, int64(total), 10)
	buf = append(buf, `,"itemsPerPage":`...)
	buf = strconv.AppendInt(buf, int64(len(hits)), 10)
	if !links.cursor {
		buf = append(buf, `,"startIndex":`...)
		buf = strconv.AppendInt(buf, int64(links.startIndex), 10)
	}
	// Cursors are base64url and ".", which JSON writes as they are.
	if links.previous != "" {
		buf = append(buf, `,"previousCursor":"`...)
		buf = append(buf, links.previous...)
		buf = append(buf, '"')
	}
	if links.next != "" {
		buf = append(buf, `,"nextCursor":"`...)
		buf = append(buf, links.next...)
		buf = append(buf, '"')
	}
	buf = append(buf, `,"Resources":[`...)
	for i, h := range hits {
		if i > 0 {
			buf = append(buf, ',')
		}
		var err error
		if buf, err = appendProjected(buf, h, st.base, proj); err != nil {
			return err
		}
	}
	buf = append(buf, "]}"...)
	if cap(buf) <= 1<<20 {
		*bp = buf
	}
	// Blob writes buf to the connection before returning, so the buffer can be reused.
	return c.Blob(http.StatusOK, scimContentType, buf)
}

// listBuffers recycles ListResponse buffers; very large ones are left to the collector.
var listBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}
