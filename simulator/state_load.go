package simulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Loading: a snapshot and its logs are read into stores of their own (loading) and installed
// into the server only once all of them have been read; decodeRecord rebuilds a stored record
// from its document, decodeAll on the other cores.

// restore replaces the server's tenants with those of st (without a log).
func (f *StateFile) restore(st stateFile) error {
	ld, err := newLoading(f.srv, st)
	if err != nil {
		return err
	}
	if err := ld.install(); err != nil {
		return err
	}
	f.marks = map[*Tenant]tenantMark{}
	for _, t := range f.srv.Tenants() {
		f.marks[t] = markOf(t)
	}
	return nil
}

// loading is a state being read: every tenant is filled into a store of its own and installed
// only once the snapshot and every log have been read, so that a conflict or a corrupt file
// leaves the server as it was.
type loading struct {
	srv     *Server
	tenants map[string]*loadedTenant
	order   []string   // names in the order they appeared
	seq     uint64     // the last batch read
	server  *schemaSet // the server's schemas (serve --schema), which a tenant has unless it has its own
}

type loadedTenant struct {
	name    string
	profile Profile
	token   string
	hasCfg  bool
	ids     []byte
	store   *store
	w       *writer // the open write transaction on store
	dropped bool
	// schemas are the tenant's resource types (customstore.go): the server's, or its own when
	// hasSchemas.
	schemas    *schemaSet
	hasSchemas bool
}

func newLoading(srv *Server, st stateFile) (*loading, error) {
	server, err := newSchemaSet(srv.opts.schemas, false)
	if err != nil {
		return nil, err
	}
	ld := &loading{srv: srv, tenants: map[string]*loadedTenant{}, seq: st.LogSeq, server: server}
	for _, in := range st.Tenants {
		if in.Name != "" && !ValidTenantName(in.Name) {
			return nil, fmt.Errorf("tenant %q: names are letters, digits, '.', '_' and '-'", in.Name)
		}
		if _, dup := ld.tenants[in.Name]; dup {
			return nil, fmt.Errorf("tenant %q appears twice", in.Name)
		}
		p, err := ParseProfile(in.Profile)
		if err != nil {
			return nil, fmt.Errorf("tenant %q: %w", in.Name, err)
		}
		if err := newIDGenerator(0, "").unmarshal(in.IDs); err != nil {
			return nil, fmt.Errorf("tenant %q: ids: %w", in.Name, err)
		}
		lt := ld.add(in.Name)
		lt.profile, lt.token, lt.hasCfg, lt.ids = p, in.Token, true, in.IDs
		if err := lt.useSchemas(in.Schemas); err != nil {
			return nil, fmt.Errorf("tenant %q: schemas: %w", in.Name, err)
		}
		lists := [][]stateResource{in.Users, in.Groups}
		ks := kinds[:2:2]
		for _, ep := range slices.Sorted(maps.Keys(in.Resources)) {
			k := lt.kindByEndpoint(ep)
			if k == nil || !k.custom {
				return nil, fmt.Errorf("tenant %q: resources of %q: the tenant has no resource type of its own at that endpoint", in.Name, ep)
			}
			ks, lists = append(ks, k), append(lists, in.Resources[ep])
		}
		for i, list := range lists {
			k := ks[i]
			ins := lt.inserter(k, len(list))
			bad, err := decodeAll(k, list, func(recs []*record, from int) error {
				for j, rec := range recs {
					if rec.Seq > in.Seq {
						return fmt.Errorf("%s %d: seq %d is beyond the tenant's seq %d", k.endpoint, from+j+1, rec.Seq, in.Seq)
					}
					if err := ins(rec); err != nil {
						return err
					}
				}
				return nil
			})
			switch {
			case bad >= 0:
				return nil, fmt.Errorf("tenant %q: %s %d: %w", in.Name, k.endpoint, bad+1, err)
			case err != nil:
				return nil, fmt.Errorf("tenant %q: %w", in.Name, err)
			}
		}
		lt.store.seq.Store(in.Seq)
	}
	return ld, nil
}

// add starts an empty tenant called name, replacing one of that name (a tenant dropped and
// created again).
func (ld *loading) add(name string) *loadedTenant {
	if old, ok := ld.tenants[name]; ok && !old.dropped {
		return old
	}
	lt := &loadedTenant{name: name, store: newStore(), schemas: ld.server}
	lt.store.db.Store(newDB(lt.kinds()))
	lt.w = newWriter(nil, lt.store)
	if _, seen := ld.tenants[name]; !seen {
		ld.order = append(ld.order, name)
	}
	ld.tenants[name] = lt
	return lt
}

// insert stores a record of the log. The uniqueness of ids and userNames is checked as for any
// write (a put of a new version keeps the id's seq); group displayNames are not, since a tenant
// may have stored equal names under the strict profile.
func (lt *loadedTenant) insert(k *kind, rec *record) error {
	w := lt.w
	if old, taken := w.get(k, rec.ID); taken && old.Seq != rec.Seq {
		return fmt.Errorf("%s %q appears twice", k.name, rec.ID)
	}
	if err := w.put(k, rec, false); err != nil {
		return err
	}
	w.ops = w.ops[:0] // nothing to undo while loading
	return nil
}

// inserter returns a function that stores the records of a snapshot into the empty store, with
// insert's checks made against maps rather than the indexes: a snapshot holds each resource once,
// and a map lookup costs a fraction of a lookup in memdb's trees.
func (lt *loadedTenant) inserter(k *kind, n int) func(rec *record) error {
	ids := make(map[string]struct{}, n)
	seqs := make(map[uint64]struct{}, n)
	var names map[string]string
	if k == userKind {
		names = make(map[string]string, n)
	}
	w := lt.w
	return func(rec *record) error {
		if _, dup := ids[rec.ID]; dup {
			return fmt.Errorf("%s %q appears twice", k.name, rec.ID)
		}
		ids[rec.ID] = struct{}{}
		if _, dup := seqs[rec.Seq]; dup {
			return fmt.Errorf("%s %q: seq %d appears twice", k.name, rec.ID, rec.Seq)
		}
		seqs[rec.Seq] = struct{}{}
		if names != nil && rec.Name != "" {
			key := foldKey(rec.Name)
			if _, dup := names[key]; dup {
				return fmt.Errorf("%s %q: %w: userName %q is already taken", k.name, rec.ID, errConflict, rec.Name)
			}
			names[key] = rec.ID
		}
		if err := w.tx.Insert(k.endpoint, rec); err != nil {
			return fmt.Errorf("insert %s %q: %w", k.name, rec.ID, err)
		}
		w.delta[k.index]++
		return nil
	}
}

// install swaps every loaded tenant into the server: its store, id generator and (for named
// tenants) configuration; tenants dropped in the log are deleted.
func (ld *loading) install() error {
	for _, name := range ld.order {
		lt := ld.tenants[name]
		if lt.dropped {
			continue
		}
		if err := newIDGenerator(0, "").unmarshal(lt.ids); lt.ids != nil && err != nil {
			return fmt.Errorf("tenant %q: ids: %w", name, err)
		}
	}
	for _, name := range ld.order {
		lt := ld.tenants[name]
		if lt.dropped {
			if t, ok := ld.srv.lookup(name); ok && name != "" {
				ld.srv.removeTenant(t)
			}
			continue
		}
		lt.w.commit()
		t := ld.srv.Tenant(name)
		t.store.adopt(lt.store)
		t.schemas.Store(lt.schemas)
		if lt.ids != nil {
			if err := t.ids.unmarshal(lt.ids); err != nil {
				return fmt.Errorf("tenant %q: ids: %w", name, err)
			}
		}
		if name != "" && lt.hasCfg {
			t.cfg.Store(&tenantConfig{profile: lt.profile, token: lt.token})
		}
	}
	return nil
}

// adopt makes o's database, counts and sequence s's own; o is not used afterwards.
func (s *store) adopt(o *store) {
	s.seq.Store(o.seq.Load())
	for i := range o.counts {
		s.counts[i].Store(o.counts[i].Load())
	}
	s.db.Store(o.db.Load())
}

// decodeRecord rebuilds a stored record from its SCIM JSON: the id, the indexed attributes,
// meta.created, meta.lastModified and meta.version (the ETag) are read back from the document
// itself, so that the indexes and the meta.location splice point never come from anywhere else.
// A document in the form encodeRecord writes (compact, meta with a resourceType) is kept as it
// is, which is what makes a state of 100,000 users load in well under a second; any other is
// decoded and encoded again.
func decodeRecord(k *kind, res stateResource) (*record, error) {
	b := res.Resource
	if !json.Valid(b) {
		var v any
		return nil, fmt.Errorf("resource: %w", json.Unmarshal(b, &v))
	}
	var doc storedDoc
	compact := doc.scan(k, b)
	if doc.id == "" {
		return nil, errors.New("resource has no id")
	}
	if !doc.hasMeta {
		return nil, fmt.Errorf("%s %q: no meta", k.name, doc.id)
	}
	var m metaInfo
	var err error
	if m.created, err = stateTime(doc.created, "created"); err != nil {
		return nil, fmt.Errorf("%s %q: %w", k.name, doc.id, err)
	}
	if m.modified, err = stateTime(doc.modified, "lastModified"); err != nil {
		return nil, fmt.Errorf("%s %q: %w", k.name, doc.id, err)
	}
	v := doc.version
	n, ok := strings.CutPrefix(v, `W/"`)
	if n, ok = strings.CutSuffix(n, `"`); ok {
		m.version, err = strconv.ParseUint(n, 10, 64)
	}
	if !ok || err != nil || m.version == 0 {
		return nil, fmt.Errorf("%s %q: meta.version %q: want W/\"N\" with N > 0", k.name, doc.id, v)
	}
	if res.Seq == 0 {
		return nil, fmt.Errorf("%s %q: no seq", k.name, doc.id)
	}
	if compact && !doc.other && doc.locAt > 0 && !mayHoldUnassigned(b) {
		s := string(b)
		rec := &record{ID: inDoc(s, "id", doc.id), Seq: res.Seq, Version: m.version, Doc: s, LocAt: doc.locAt,
			Created: m.created.UnixMilli(), Modified: m.modified.UnixMilli()}
		switch k {
		case userKind:
			rec.Name = inDoc(s, "userName", doc.userName)
		case groupKind:
			rec.Name, rec.Members = inDoc(s, "displayName", doc.displayName), doc.values
		}
		return rec, nil
	}
	// Not in encodeRecord's form: decode and encode again.
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber() // numbers encode again as they were written
	var attrs map[string]any
	if err := d.Decode(&attrs); err != nil {
		return nil, fmt.Errorf("resource: %w", err)
	}
	delete(attrs, "id")
	delete(attrs, "meta")
	delete(attrs, "schemas")
	return encodeRecord(k, doc.id, res.Seq, attrs, m)
}

// decodeAll decodes a list of stored resources on the other cores while the caller stores them:
// use gets the records in order, a chunk at a time, as soon as a chunk is decoded. Decoding and
// storing are most of what loading a large state costs, and they overlap. bad is the index of the
// first resource that did not decode (-1 when all did); an error of use stops the decoding.
func decodeAll(k *kind, list []stateResource, use func(recs []*record, from int) error) (bad int, err error) {
	const chunk = 2048
	n := (len(list) + chunk - 1) / chunk
	recs := make([]*record, len(list))
	errs := make([]error, len(list))
	ready := make([]chan struct{}, n)
	for i := range ready {
		ready[i] = make(chan struct{})
	}
	var next atomic.Int64
	var stop atomic.Bool
	workers := max(1, min(runtime.GOMAXPROCS(0)-1, 8))
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				c := int(next.Add(1) - 1)
				if c >= n {
					return
				}
				if !stop.Load() {
					for i := c * chunk; i < min(len(list), (c+1)*chunk); i++ {
						recs[i], errs[i] = decodeRecord(k, list[i])
					}
				}
				close(ready[c])
			}
		}()
	}
	defer func() {
		stop.Store(true)
		wg.Wait()
	}()
	for c := range n {
		<-ready[c]
		from, to := c*chunk, min(len(list), (c+1)*chunk)
		for i := from; i < to; i++ {
			if errs[i] != nil {
				return i, errs[i]
			}
		}
		if err := use(recs[from:to], from); err != nil {
			return -1, err
		}
	}
	return -1, nil
}

func stateTime(s, name string) (time.Time, error) {
	t, err := time.Parse(timeFormat, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("meta.%s %q: want %s", name, s, timeFormat)
	}
	return t, nil
}
