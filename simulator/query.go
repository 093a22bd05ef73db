package simulator

import (
	"cmp"
	"container/list"
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/hashicorp/go-memdb"
	"github.com/labstack/echo/v4"

	"github.com/scimsim/scimsim/simulator/faults"
	"github.com/scimsim/scimsim/simulator/filter"
	"github.com/scimsim/scimsim/simulator/resource"
	"github.com/scimsim/scimsim/wire"
)

// Paging limits: a query without count returns defaultCount resources, and no page is larger
// than maxCount (advertised as filter.maxResults in /ServiceProviderConfig).
const (
	defaultCount = 100
	maxCount     = 1000
)

// parsedFilter is a filter parsed and checked for one resource type and profile. It is
// immutable and shared through filterCache.
type parsedFilter struct {
	expr  filter.Expr
	err   error
	attrs []string // for faults.RequestInfo
}

type kindFilter struct {
	k *kind
	f *parsedFilter
}

type filterKey struct {
	k     *kind
	entra bool
	src   string
}

// filterCache is a small LRU of parsed filters keyed by filter string: clients repeat the same
// few filter shapes, and a parsed filter is immutable, so every request after the first skips
// the parser.
type filterCache struct {
	mu  sync.Mutex
	max int
	ll  *list.List
	m   map[filterKey]*list.Element
}

type cacheEntry struct {
	key filterKey
	pf  *parsedFilter
}

func newFilterCache(max int) *filterCache {
	return &filterCache{max: max, ll: list.New(), m: map[filterKey]*list.Element{}}
}

func (fc *filterCache) get(k *kind, entra bool, src string) *parsedFilter {
	key := filterKey{k: k, entra: entra, src: src}
	fc.mu.Lock()
	if el, ok := fc.m[key]; ok {
		fc.ll.MoveToFront(el)
		pf := el.Value.(*cacheEntry).pf
		fc.mu.Unlock()
		return pf
	}
	fc.mu.Unlock()
	pf := parseFilter(k, entra, src)
	fc.mu.Lock()
	if _, ok := fc.m[key]; !ok {
		fc.m[key] = fc.ll.PushFront(&cacheEntry{key: key, pf: pf})
		if fc.ll.Len() > fc.max {
			old := fc.ll.Back()
			fc.ll.Remove(old)
			delete(fc.m, old.Value.(*cacheEntry).key)
		}
	}
	fc.mu.Unlock()
	return pf
}

func parseFilter(k *kind, entra bool, src string) *parsedFilter {
	// A filter's string literals are JSON strings (RFC 7644 §3.4.2.2), which are UTF-8 (RFC 8259
	// §8.1); the parser keeps other bytes as they are, which would match nothing.
	if !utf8.ValidString(src) {
		return &parsedFilter{err: invalidFilter("filter %q: not valid UTF-8", src)}
	}
	var opts []filter.Option
	if entra {
		opts = append(opts, filter.AllowValuePathSubAttribute())
	}
	e, err := filter.Parse(src, opts...)
	if err == nil {
		err = filter.Check(e, k.fs)
	}
	if err != nil {
		return &parsedFilter{err: invalidFilter("filter %q: %v", src, err)}
	}
	pf := &parsedFilter{expr: e}
	for _, a := range filter.Attributes(e) {
		pf.attrs = append(pf.attrs, a.String())
	}
	return pf
}

// searchRequest is the body of POST .search (RFC 7644 §3.4.3).
type searchRequest struct {
	Schemas            []string `json:"schemas"`
	Filter             string   `json:"filter"`
	StartIndex         *int     `json:"startIndex"`
	Count              *int     `json:"count"`
	SortBy             string   `json:"sortBy"`
	SortOrder          string   `json:"sortOrder"`
	Attributes         []string `json:"attributes"`
	ExcludedAttributes []string `json:"excludedAttributes"`
	Cursor             *string  `json:"cursor"` // RFC 9865 §3
}

// queried returns the resource types a query route reads: its own, or all at the root.
func (st *reqState) queried() []*kind {
	if st.kind != nil {
		return st.kind.only
	}
	return st.tenant.kinds()
}

// query is a list or search request (RFC 7644 §3.4.2).
type query struct {
	startIndex, count int
	sortBy            string
	descending        bool
	attributes        []string
	excluded          []string
	filter            string         // as sent, for a cursor's query hash
	startGiven        bool           // startIndex was in the request
	cursor            *cursorRequest // RFC 9865 cursor paging; nil for index paging
}

func splitList(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// list serves GET /Users, GET /Groups and GET / (RFC 7644 §3.4.2).
func (s *Server) list(c echo.Context) error {
	q := query{startIndex: 1, count: defaultCount}
	var err error
	if q.startIndex, err = intParam(c.QueryParam("startIndex"), "startIndex", 1); err != nil {
		return err
	}
	if q.count, err = intParam(c.QueryParam("count"), "count", defaultCount); err != nil {
		return err
	}
	q.sortBy = c.QueryParam("sortBy")
	if q.descending, err = sortOrder(c.QueryParam("sortOrder")); err != nil {
		return err
	}
	q.attributes = splitList(c.QueryParam("attributes"))
	q.excluded = splitList(c.QueryParam("excludedAttributes"))
	q.filter, q.startGiven = c.QueryParam("filter"), queryHas(c, "startIndex")
	if queryHas(c, "cursor") {
		q.cursor = &cursorRequest{raw: c.QueryParam("cursor"), countGiven: queryHas(c, "count")}
	}
	return s.run(c, q)
}

// search serves POST .search (RFC 7644 §3.4.3).
func (s *Server) search(c echo.Context) error {
	st := state(c)
	sr := st.search
	if sr == nil {
		return invalidSyntax("search request: empty body")
	}
	if len(sr.Schemas) != 1 || sr.Schemas[0] != wire.SearchRequestSchema {
		return invalidValue("search request: schemas must be [%q]", wire.SearchRequestSchema)
	}
	q := query{startIndex: 1, count: defaultCount, sortBy: sr.SortBy, attributes: sr.Attributes, excluded: sr.ExcludedAttributes,
		filter: sr.Filter, startGiven: sr.StartIndex != nil}
	if sr.StartIndex != nil {
		q.startIndex = *sr.StartIndex
	}
	if sr.Cursor != nil {
		q.cursor = &cursorRequest{raw: *sr.Cursor, countGiven: sr.Count != nil}
	}
	if sr.Count != nil {
		q.count = *sr.Count
	}
	var err error
	if q.descending, err = sortOrder(sr.SortOrder); err != nil {
		return err
	}
	return s.run(c, q)
}

func intParam(v, name string, def int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, invalidValue("%s %q is not an integer", name, v)
	}
	return n, nil
}

func sortOrder(v string) (descending bool, err error) {
	switch strings.ToLower(v) {
	case "", "ascending":
		return false, nil
	case "descending":
		return true, nil
	}
	return false, invalidValue("sortOrder %q: want ascending or descending", v)
}

// hit is one query result.
type hit struct {
	k   *kind
	rec *record
	doc map[string]any // decoded, when a filter, sort or projection needed it
}

// errClientGone ends a request whose client has closed the connection: nobody reads the
// answer, so the work stops (499, as nginx records it, in the journal).
var errClientGone = scimErr(499, "", "the client closed the connection before the answer")

// checkEvery is how many stored resources a scan reads between two looks at the request's
// context.
const checkEvery = 256

func (s *Server) run(c echo.Context, q query) error {
	st := state(c)
	t := st.tenant
	pg := &page{}
	misbehave := ""
	if q.cursor != nil {
		if q.startGiven {
			return invalidValue("startIndex and cursor are two ways to page (RFC 9865 §2.4); send one")
		}
		misbehave = faults.CursorMisbehaviour(c)
		var err error
		pg.cur, err = newCursorPage(newCursorCodec(s.opts.seed, t.name), s.opts.now(), *q.cursor, q.count,
			st.rel, q.filter, q.sortBy, q.descending, misbehave == "skip")
		if err != nil {
			return err
		}
	}
	// RFC 7644 §3.4.2.4: startIndex below 1 is 1; a negative count is 0.
	if q.startIndex < 1 {
		q.startIndex = 1
	}
	q.count = min(max(q.count, 0), maxCount)
	proj, err := newProjection(q.attributes, q.excluded)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	pg.skip, pg.want = q.startIndex-1, q.count
	tx := t.store.read()
	write := func() error {
		links := listLinks{startIndex: q.startIndex}
		hits := pg.hits
		if pg.cur != nil {
			links.cursor, hits = true, pg.cur.hits
			links.next, links.previous, links.misbehaved = pg.cur.links(newCursorCodec(s.opts.seed, t.name), s.opts.now(), misbehave)
			if links.misbehaved {
				faults.CursorMisbehaved(c)
			}
		}
		return s.writeList(c, hits, pg.total, links, proj)
	}

	var sortBy *filter.AttrPath
	if q.sortBy != "" {
		p, err := filter.ParsePath(q.sortBy)
		if err != nil || p.Filter != nil {
			return invalidValue("sortBy %q is not an attribute path", q.sortBy)
		}
		sortBy = &filter.AttrPath{URN: p.URN, Attr: p.Attr, Sub: p.Sub}
	}
	var sorted []sortHit
	visit := func(k *kind) func(rec *record, doc map[string]any) error {
		if sortBy == nil {
			return func(rec *record, doc map[string]any) error {
				pg.offer(hit{k: k, rec: rec, doc: doc})
				return nil
			}
		}
		ref, known := resource.Resolve(k.typ, sortBy.URN, sortBy.Attr, sortBy.Sub)
		info, _ := k.fs.Lookup(ref.URN, ref.Attr, ref.Sub)
		return func(rec *record, doc map[string]any) error {
			sh := sortHit{h: hit{k: k, rec: rec}}
			if known {
				if doc == nil {
					var err error
					if doc, err = rec.decode(); err != nil {
						return err
					}
				}
				sh.v, sh.caseExact = resource.SortValue(doc, ref), info.CaseExact
			}
			sorted = append(sorted, sh)
			return nil
		}
	}

	switch {
	case len(st.filters) > 0:
		var firstErr error
		checked := 0
		for _, kf := range st.filters {
			if kf.f.err != nil {
				if firstErr == nil {
					firstErr = kf.f.err
				}
				continue
			}
			checked++
			if err := matches(ctx, tx, kf.k, kf.f.expr, visit(kf.k)); err != nil {
				return err
			}
		}
		if checked == 0 {
			return firstErr
		}
	case sortBy != nil || pg.cur != nil:
		// A cursor page is found by position in the whole result set (cursor.go).
		for _, k := range st.queried() {
			if err := matches(ctx, tx, k, nil, visit(k)); err != nil {
				return err
			}
		}
	default:
		// No filter and no sort: page straight off the id index, whose order is the stable
		// order of queries.
		skip, want := pg.skip, pg.want
		for _, k := range st.queried() {
			pg.total += t.store.count(k)
			if want == 0 {
				continue
			}
			it, err := tx.Get(k.endpoint, "id_prefix", "")
			if err != nil {
				return err
			}
			for raw := it.Next(); raw != nil && want > 0; raw = it.Next() {
				if skip > 0 {
					skip--
					continue
				}
				pg.hits = append(pg.hits, hit{k: k, rec: raw.(*record)})
				want--
			}
		}
		return write()
	}
	if sortBy != nil {
		sortHits(sorted, q.descending)
		for _, sh := range sorted {
			pg.offerSorted(sh.h, sh.v, sh.caseExact)
		}
	}
	return write()
}

// matches calls visit for each resource of kind k matching e (every one when e is nil), in id
// order, with its decoded document when evaluating e needed it. An equality on an
// indexed attribute reads the index; anything else scans, and stops when ctx is done.
func matches(ctx context.Context, tx *memdb.Txn, k *kind, e filter.Expr, visit func(*record, map[string]any) error) error {
	if e != nil {
		if attr, value, ok := filter.EqualityOn(e); ok {
			if idx := indexFor(k, attr); idx != "" {
				it, err := tx.Get(k.endpoint, idx, value)
				if err != nil {
					return err
				}
				var recs []*record
				for raw := it.Next(); raw != nil; raw = it.Next() {
					recs = append(recs, raw.(*record))
				}
				if len(recs) > 1 {
					slices.SortFunc(recs, func(a, b *record) int { return cmp.Compare(a.ID, b.ID) })
				}
				// A lone `attr eq "value"` on an index whose case rule is the attribute's
				// caseExact needs no evaluation; see indexFor.
				_, exact := e.(*filter.Compare)
				for i, rec := range recs {
					if i%checkEvery == checkEvery-1 && ctx.Err() != nil {
						return errClientGone
					}
					if exact {
						if err := visit(rec, nil); err != nil {
							return err
						}
						continue
					}
					if err := evalVisit(k, rec, e, visit); err != nil {
						return err
					}
				}
				return nil
			}
		}
	}
	it, err := tx.Get(k.endpoint, "id_prefix", "")
	if err != nil {
		return err
	}
	var pre prefilter
	if e != nil {
		pre = prefilterOf(k, e)
	}
	n := 0
	for raw := it.Next(); raw != nil; raw = it.Next() {
		if n++; n%checkEvery == 0 && ctx.Err() != nil {
			return errClientGone
		}
		rec := raw.(*record)
		if e == nil {
			if err := visit(rec, nil); err != nil {
				return err
			}
			continue
		}
		if pre != nil && !pre(rec.Doc) {
			continue
		}
		if err := evalVisit(k, rec, e, visit); err != nil {
			return err
		}
	}
	return nil
}

// evalVisit decodes rec, and visits it when it matches e.
func evalVisit(k *kind, rec *record, e filter.Expr, visit func(*record, map[string]any) error) error {
	doc, err := rec.decode()
	if err != nil {
		return err
	}
	if !filter.Eval(e, doc, k.fs) {
		return nil
	}
	return visit(rec, doc)
}

// indexFor names the index that answers `attr eq "value"` exactly as the schema's caseExact
// asks: id is caseExact (RFC 7643 §3.1) and indexed as it is; userName, group displayName and
// members.value are not, and their indexes fold case (foldKey). Other attributes have no index
// (storeSchema says why).
func indexFor(k *kind, a filter.AttrPath) string {
	if a.URN != "" && !strings.EqualFold(a.URN, k.core.ID) {
		return ""
	}
	attr, sub := strings.ToLower(a.Attr), strings.ToLower(a.Sub)
	switch {
	case attr == "id" && sub == "":
		return "id"
	case k.is(userKind) && attr == "username" && sub == "":
		return "userName"
	case k.is(groupKind) && attr == "displayname" && sub == "":
		return "displayName"
	case k.is(groupKind) && attr == "members" && sub == "value":
		return "members"
	}
	return ""
}

// sortHit is a match with the value it sorts by; only the page's matches keep their document.
type sortHit struct {
	h         hit
	v         any
	caseExact bool
}

// sortHits orders matches by their sortBy values (RFC 7644 §3.4.2.3); resources without a value
// sort last, ties keep the order of queries (by id).
func sortHits(hits []sortHit, descending bool) {
	slices.SortStableFunc(hits, func(a, b sortHit) int {
		c := resource.Compare(a.v, b.v, a.caseExact)
		if descending && a.v != nil && b.v != nil {
			c = -c
		}
		return c
	})
}

// maxProjectedNames caps the distinct names of attributes and of excludedAttributes: a User has
// fewer than 100 attributes and sub-attributes, and each name costs a pass over every resource of
// the page.
const maxProjectedNames = 200

// projection is attributes and excludedAttributes (RFC 7644 §3.4.2.5), de-duplicated and
// resolved once per request and resource type, not once per resource.
type projection struct {
	include, exclude []string
	mu               sync.Mutex
	refs             map[*kind][2][]resource.Ref
}

// newProjection de-duplicates the names (case-insensitively, as attribute names compare) and
// refuses more than maxProjectedNames of either; nil means no projection.
func newProjection(include, exclude []string) (*projection, error) {
	if len(include) == 0 && len(exclude) == 0 {
		return nil, nil
	}
	p := &projection{refs: map[*kind][2][]resource.Ref{}}
	var err error
	if p.include, err = distinctNames("attributes", include); err != nil {
		return nil, err
	}
	if p.exclude, err = distinctNames("excludedAttributes", exclude); err != nil {
		return nil, err
	}
	return p, nil
}

func distinctNames(param string, names []string) ([]string, error) {
	if len(names) == 0 {
		return nil, nil
	}
	seen := make(map[string]bool, min(len(names), maxProjectedNames+1))
	out := make([]string, 0, min(len(names), maxProjectedNames))
	for _, n := range names {
		key := strings.ToLower(n)
		if seen[key] {
			continue
		}
		if len(out) == maxProjectedNames {
			return nil, invalidValue("%s names more than %d distinct attributes", param, maxProjectedNames)
		}
		seen[key] = true
		out = append(out, n)
	}
	return out, nil
}

// of returns the resolved include and exclude paths for kind k.
func (p *projection) of(k *kind) (include, exclude []resource.Ref) {
	p.mu.Lock()
	defer p.mu.Unlock()
	r, ok := p.refs[k]
	if !ok {
		r = [2][]resource.Ref{resource.ResolvePaths(k.typ, p.include), resource.ResolvePaths(k.typ, p.exclude)}
		p.refs[k] = r
	}
	return r[0], r[1]
}

// appendProjected appends a resource, projected when attributes or excludedAttributes ask.
func appendProjected(dst []byte, h hit, b base, p *projection) ([]byte, error) {
	if p == nil && len(h.k.requested) == 0 {
		return appendResource(dst, h.k, h.rec, b), nil
	}
	doc := h.doc
	if doc == nil {
		var err error
		if doc, err = h.rec.decode(); err != nil {
			return nil, err
		}
	} else {
		doc = cloneMap(doc)
	}
	if m, ok := doc["meta"].(map[string]any); ok {
		m = cloneMap(m)
		m["location"] = b.location(h.k, h.rec.ID)
		doc["meta"] = m
	}
	include, exclude := p.refsOf(h.k)
	out := withoutRequested(h.k, resource.Project(h.k.typ, doc, include, exclude), include) // customtypes.go
	enc, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	return append(dst, enc...), nil
}
