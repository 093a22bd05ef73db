package simulator

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-memdb"
)

// StateVersion is the version of the state file format that this simulator writes and reads.
const StateVersion = 1

// stateFormat names the format in every state file, so that another JSON file given to --state
// is refused by name rather than read as an empty state.
const stateFormat = "scimsim-state"

// stateFile is a state file as it is on disk: every tenant's store and configuration. Faults and
// journals are not kept: they describe a test run, not the target's data.
type stateFile struct {
	Format  string        `json:"format"`
	Version int           `json:"version"`
	SavedAt string        `json:"savedAt"`
	Tenants []stateTenant `json:"tenants"`
}

// stateTenant is one tenant in a state file.
//
// The bearer token is kept, and the file is therefore written with mode 0600: a named tenant
// gets its token through the admin API only, so a restart that forgot it would leave a tenant
// that required a token open to every client. The default tenant's profile and token come from
// the command line at every start (LoadState leaves them alone), so that a changed --token takes
// effect.
type stateTenant struct {
	Name    string `json:"name"`
	Profile string `json:"profile"`
	Token   string `json:"token,omitempty"`
	// IDs is the state of the tenant's id generator, so that ids generated after a restart
	// continue the sequence instead of repeating ids that are already stored.
	IDs    []byte          `json:"ids"`
	Seq    uint64          `json:"seq"`
	Users  []stateResource `json:"users"`
	Groups []stateResource `json:"groups"`
}

// stateResource is one stored resource: its insertion order and its SCIM JSON (with id and meta,
// without meta.location, which depends on the request's host).
type stateResource struct {
	Seq      uint64          `json:"seq"`
	Resource json.RawMessage `json:"resource"`
}

// StateFile keeps a server's tenants in a file across restarts: Load at start, Save at an
// interval and on shutdown. A save writes a temporary file in the file's directory, syncs it,
// renames it over the file and syncs the directory, so that a crash at any point leaves either
// the previous state or the new one, never a mix. Its methods are safe for concurrent use; a
// save runs while the server keeps serving, from a consistent snapshot of each tenant's store.
type StateFile struct {
	path string
	srv  *Server

	mu    sync.Mutex
	marks map[*Tenant]tenantMark // what the last Load or Save wrote or read, per tenant
}

// tenantMark is enough to tell whether a tenant changed after a snapshot: memdb closes the watch
// channels of the snapshot's tables on the next commit that changes them, Reset swaps the
// database, and Configure swaps the configuration.
type tenantMark struct {
	db      *memdb.MemDB
	watches []<-chan struct{}
	cfg     *tenantConfig
}

func (m tenantMark) changed(t *Tenant) bool {
	if t.store.db.Load() != m.db || t.cfg.Load() != m.cfg {
		return true
	}
	for _, ch := range m.watches {
		select {
		case <-ch:
			return true
		default:
		}
	}
	return false
}

// NewStateFile returns the state file at path for srv. Nothing is read or written until Load or
// Save.
func NewStateFile(srv *Server, path string) *StateFile {
	return &StateFile{path: path, srv: srv, marks: map[*Tenant]tenantMark{}}
}

// Path returns the file's path.
func (f *StateFile) Path() string { return f.path }

// Load reads the file into the server: every tenant in it gets the stored users and groups (its
// store is replaced), and named tenants their profile and token. loaded is false, with a nil
// error, when the file does not exist yet. A file that is not a state file, of another version,
// or corrupt is an error that names the file and what is wrong, and leaves the server unchanged.
func (f *StateFile) Load() (loaded bool, err error) {
	f.removeStale()
	b, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("state file: %w", err)
	}
	st, err := decodeState(b)
	if err != nil {
		return false, fmt.Errorf("state file %s: %w", f.path, err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.restore(st); err != nil {
		return false, fmt.Errorf("state file %s: %w", f.path, err)
	}
	return true, nil
}

// removeStale removes the temporary files of saves that a crash interrupted: they were never
// renamed, so nothing refers to them.
func (f *StateFile) removeStale() {
	dir, base := filepath.Split(f.path)
	if dir == "" {
		dir = "."
	}
	entries, _ := os.ReadDir(dir) // not Glob: the file's name may hold glob characters
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tempPrefix(base)) && e.Type().IsRegular() {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

func tempPrefix(base string) string { return "." + base + ".tmp-" }

// Save writes the state of every tenant when something changed since the last Load or Save (or
// when the file does not exist), and reports whether it wrote.
func (f *StateFile) Save() (saved bool, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.changed() {
		return false, nil
	}
	st, marks, err := f.snapshot()
	if err != nil {
		return false, fmt.Errorf("state file %s: %w", f.path, err)
	}
	if err := writeFileAtomic(f.path, func(w io.Writer) error { return encodeState(w, st) }); err != nil {
		return false, fmt.Errorf("state file %s: %w", f.path, err)
	}
	f.marks = marks
	return true, nil
}

// changed reports whether a tenant changed, appeared or disappeared since the last mark, or the
// file is missing.
func (f *StateFile) changed() bool {
	if _, err := os.Stat(f.path); err != nil {
		return true
	}
	tenants := f.srv.Tenants()
	if len(tenants) != len(f.marks) {
		return true
	}
	for _, t := range tenants {
		m, ok := f.marks[t]
		if !ok || m.changed(t) {
			return true
		}
	}
	return false
}

// snapshot reads every tenant once, each from one read transaction.
func (f *StateFile) snapshot() (stateFile, map[*Tenant]tenantMark, error) {
	st := stateFile{Format: stateFormat, Version: StateVersion, SavedAt: time.Now().UTC().Format(time.RFC3339Nano)}
	marks := map[*Tenant]tenantMark{}
	for _, t := range f.srv.Tenants() {
		cfg := t.cfg.Load()
		db := t.store.db.Load()
		tx := db.Txn(false)
		mark := tenantMark{db: db, cfg: cfg}
		out := stateTenant{Name: t.name, Profile: string(cfg.profile), Token: cfg.token}
		for i, k := range kinds {
			watch, err := tableWatch(tx, k)
			if err != nil {
				return st, nil, fmt.Errorf("tenant %q: read %s: %w", t.name, k.endpoint, err)
			}
			mark.watches = append(mark.watches, watch)
			it, err := tx.LowerBound(k.endpoint, "seq", uint64(0))
			if err != nil {
				return st, nil, fmt.Errorf("tenant %q: read %s: %w", t.name, k.endpoint, err)
			}
			var list []stateResource
			for raw := it.Next(); raw != nil; raw = it.Next() {
				rec := raw.(*record)
				list = append(list, stateResource{Seq: rec.Seq, Resource: rec.Doc})
			}
			if i == 0 {
				out.Users = list
			} else {
				out.Groups = list
			}
		}
		// The id generator and the sequence are read after the snapshot: an id drawn in
		// between is then skipped after a restart, never drawn twice.
		ids, err := t.ids.marshal()
		if err != nil {
			return st, nil, fmt.Errorf("tenant %q: id generator: %w", t.name, err)
		}
		out.IDs = ids
		out.Seq = t.store.seq.Load()
		st.Tenants = append(st.Tenants, out)
		marks[t] = mark
	}
	return st, marks, nil
}

// restore checks every tenant of st before it changes any, then replaces their stores.
func (f *StateFile) restore(st stateFile) error {
	type loaded struct {
		profile Profile
		ids     []byte
		store   *store
	}
	var all []loaded
	seen := map[string]bool{}
	for _, in := range st.Tenants {
		if in.Name != "" && !ValidTenantName(in.Name) {
			return fmt.Errorf("tenant %q: names are letters, digits, '.', '_' and '-'", in.Name)
		}
		if seen[in.Name] {
			return fmt.Errorf("tenant %q appears twice", in.Name)
		}
		seen[in.Name] = true
		p, err := ParseProfile(in.Profile)
		if err != nil {
			return fmt.Errorf("tenant %q: %w", in.Name, err)
		}
		if err := newIDGenerator(0, "").unmarshal(in.IDs); err != nil {
			return fmt.Errorf("tenant %q: ids: %w", in.Name, err)
		}
		var recs [2][]*record
		for i, list := range [][]stateResource{in.Users, in.Groups} {
			k := kinds[i]
			for j, res := range list {
				rec, err := decodeRecord(k, res)
				if err != nil {
					return fmt.Errorf("tenant %q: %s %d: %w", in.Name, k.endpoint, j+1, err)
				}
				if rec.Seq > in.Seq {
					return fmt.Errorf("tenant %q: %s %d: seq %d is beyond the tenant's seq %d", in.Name, k.endpoint, j+1, rec.Seq, in.Seq)
				}
				recs[i] = append(recs[i], rec)
			}
		}
		// Each tenant is filled into a store of its own and swapped in only once every tenant
		// has loaded, so that a conflict (two users with one userName, a repeated id or seq)
		// leaves the server as it was.
		l := loaded{profile: p, ids: in.IDs, store: newStore()}
		if err := fillStore(l.store, recs); err != nil {
			return fmt.Errorf("tenant %q: %w", in.Name, err)
		}
		l.store.seq.Store(in.Seq)
		all = append(all, l)
	}
	for i, l := range all {
		in := st.Tenants[i]
		t := f.srv.Tenant(in.Name)
		t.store.adopt(l.store)
		if err := t.ids.unmarshal(l.ids); err != nil {
			return fmt.Errorf("tenant %q: ids: %w", in.Name, err)
		}
		if in.Name != "" {
			t.Configure(l.profile, in.Token)
		}
	}
	f.marks = map[*Tenant]tenantMark{}
	for _, t := range f.srv.Tenants() {
		f.marks[t] = markOf(t)
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

// markOf marks a tenant's current state.
func markOf(t *Tenant) tenantMark {
	db := t.store.db.Load()
	m := tenantMark{db: db, cfg: t.cfg.Load()}
	tx := db.Txn(false)
	for _, k := range kinds {
		if ch, err := tableWatch(tx, k); err == nil {
			m.watches = append(m.watches, ch)
		}
	}
	return m
}

// tableWatch returns a channel that memdb closes on the next commit that changes the table: the
// watch channel of the root of its id index (an empty prefix).
func tableWatch(tx *memdb.Txn, k *kind) (<-chan struct{}, error) {
	it, err := tx.Get(k.endpoint, "id_prefix", "")
	if err != nil {
		return nil, err
	}
	return it.WatchCh(), nil
}

// fillStore stores recs (users, then groups) in one write transaction. The uniqueness of ids,
// seqs and userNames is checked as for any write; group displayNames are not, since a tenant may
// have stored equal names under the strict profile.
func fillStore(s *store, recs [2][]*record) error {
	return s.writeDirect(func(w *writer) error {
		for i, list := range recs {
			k := kinds[i]
			for _, rec := range list {
				if _, taken := w.get(k, rec.ID); taken {
					return fmt.Errorf("%s %q appears twice", k.name, rec.ID)
				}
				if raw, err := w.tx.First(k.endpoint, "seq", rec.Seq); err != nil || raw != nil {
					return fmt.Errorf("%s %q: seq %d appears twice", k.name, rec.ID, rec.Seq)
				}
				if err := w.put(k, rec, false); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// decodeRecord rebuilds a stored record from its SCIM JSON: the id, meta.created,
// meta.lastModified and meta.version (the ETag) are read back, and the document is encoded
// again, so that the indexes and the meta.location splice point never come from the file.
func decodeRecord(k *kind, res stateResource) (*record, error) {
	d := json.NewDecoder(bytes.NewReader(res.Resource))
	d.UseNumber() // numbers encode again as they were written
	var doc map[string]any
	if err := d.Decode(&doc); err != nil {
		return nil, fmt.Errorf("resource: %w", err)
	}
	id, _ := doc["id"].(string)
	if id == "" {
		return nil, errors.New("resource has no id")
	}
	meta, _ := doc["meta"].(map[string]any)
	if meta == nil {
		return nil, fmt.Errorf("%s %q: no meta", k.name, id)
	}
	var m metaInfo
	var err error
	if m.created, err = stateTime(meta, "created"); err != nil {
		return nil, fmt.Errorf("%s %q: %w", k.name, id, err)
	}
	if m.modified, err = stateTime(meta, "lastModified"); err != nil {
		return nil, fmt.Errorf("%s %q: %w", k.name, id, err)
	}
	v, _ := meta["version"].(string)
	n, ok := strings.CutPrefix(v, `W/"`)
	if n, ok = strings.CutSuffix(n, `"`); ok {
		m.version, err = strconv.ParseUint(n, 10, 64)
	}
	if !ok || err != nil || m.version == 0 {
		return nil, fmt.Errorf("%s %q: meta.version %q: want W/\"N\" with N > 0", k.name, id, v)
	}
	if res.Seq == 0 {
		return nil, fmt.Errorf("%s %q: no seq", k.name, id)
	}
	delete(doc, "id")
	delete(doc, "meta")
	delete(doc, "schemas")
	return encodeRecord(k, id, res.Seq, doc, m)
}

func stateTime(meta map[string]any, name string) (time.Time, error) {
	s, _ := meta[name].(string)
	t, err := time.Parse(timeFormat, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("meta.%s %q: want %s", name, s, timeFormat)
	}
	return t, nil
}

// decodeState reads a state file's bytes and checks its format and version.
func decodeState(b []byte) (stateFile, error) {
	var head struct {
		Format  string `json:"format"`
		Version int    `json:"version"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return stateFile{}, fmt.Errorf("not a scimsim state file: %w", jsonErr(b, err))
	}
	if head.Format != stateFormat {
		return stateFile{}, fmt.Errorf("not a scimsim state file: format %q, want %q", head.Format, stateFormat)
	}
	if head.Version != StateVersion {
		return stateFile{}, fmt.Errorf("version %d: this scimsim reads version %d", head.Version, StateVersion)
	}
	var st stateFile
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&st); err != nil {
		return stateFile{}, jsonErr(b, err)
	}
	return st, nil
}

// jsonErr adds the line of a syntax error.
func jsonErr(b []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) && se.Offset <= int64(len(b)) {
		return fmt.Errorf("line %d: %w", 1+bytes.Count(b[:se.Offset], []byte("\n")), err)
	}
	return err
}

// encodeState writes st with one tenant header and one resource per line: readable, and
// streamed, so a save allocates no more than one resource at a time beyond the snapshot.
func encodeState(w io.Writer, st stateFile) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	fmt.Fprintf(bw, "{\"format\":%q,\"version\":%d,\"savedAt\":%q,\"tenants\":[", st.Format, st.Version, st.SavedAt)
	for i, t := range st.Tenants {
		if i > 0 {
			bw.WriteString(",")
		}
		head, err := json.Marshal(struct {
			Name    string `json:"name"`
			Profile string `json:"profile"`
			Token   string `json:"token,omitempty"`
			IDs     []byte `json:"ids"`
			Seq     uint64 `json:"seq"`
		}{t.Name, t.Profile, t.Token, t.IDs, t.Seq})
		if err != nil {
			return err
		}
		bw.WriteString("\n")
		bw.Write(head[:len(head)-1])
		for j, list := range [][]stateResource{t.Users, t.Groups} {
			fmt.Fprintf(bw, ",\n%q:[", [...]string{"users", "groups"}[j])
			for n, r := range list {
				if n > 0 {
					bw.WriteString(",")
				}
				fmt.Fprintf(bw, "\n{\"seq\":%d,\"resource\":", r.Seq)
				bw.Write(r.Resource)
				bw.WriteString("}")
			}
			bw.WriteString("]")
		}
		bw.WriteString("}")
	}
	bw.WriteString("]}\n")
	return bw.Flush()
}

// writeFileAtomic replaces path with what write produces: a temporary file in the same
// directory (so the rename cannot cross file systems), created with mode 0600, synced, renamed
// over path, and the directory synced so that the rename itself survives a power loss (the
// sequence of rename(2) and fsync(2) that litestream and SQLite rely on).
func writeFileAtomic(path string, write func(io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, tempPrefix(base)+"*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = write(tmp); err != nil {
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err = d.Sync(); err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}

// marshal returns the generator's state.
func (g *idGenerator) marshal() ([]byte, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.src.MarshalBinary()
}

// unmarshal continues the sequence whose state marshal returned.
func (g *idGenerator) unmarshal(b []byte) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.src.UnmarshalBinary(b)
}
