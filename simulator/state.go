package simulator

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-memdb"
)

// StateVersion is the version of the state file format that this simulator writes. It reads this
// one and version 1, which had no log.
const StateVersion = 2

// stateFormat names the format in every state file, so that another JSON file given to --state
// is refused by name rather than read as an empty state.
const stateFormat = "scimsim-state"

// stateFile is a snapshot as it is on disk: every tenant's store and configuration, up to batch
// LogSeq of the log. Faults and journals are not kept: they describe a test run, not the
// target's data.
type stateFile struct {
	Format  string        `json:"format"`
	Version int           `json:"version"`
	SavedAt string        `json:"savedAt"`
	LogSeq  uint64        `json:"logSeq,omitempty"`
	Tenants []stateTenant `json:"tenants"`
}

// stateTenant is one tenant in a state file.
//
// The bearer token is kept, and the file is therefore written with mode 0600: a named tenant
// gets its token through the admin API only, so a restart that forgot it would leave a tenant
// with the wrong token. The default tenant's profile and token come from the command line at
// every start (Load leaves them alone), so that a changed --token takes effect.
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
	doc      string          // a snapshot's: the record's document, written as Resource
}

// SyncMode says when the state log reaches the disk.
type SyncMode string

const (
	// SyncAlways fsyncs the log before a write is answered: an acknowledged write survives a
	// crash of the process and of the machine. Writes that arrive together share one fsync.
	SyncAlways SyncMode = "always"
	// SyncInterval writes the log before a write is answered and fsyncs it every second: an
	// acknowledged write survives a crash of the process (kill -9), and a crash of the machine
	// loses at most the last second.
	SyncInterval SyncMode = "interval"
)

// ParseSyncMode returns the mode named s; "" is SyncAlways.
func ParseSyncMode(s string) (SyncMode, error) {
	switch SyncMode(s) {
	case "", SyncAlways:
		return SyncAlways, nil
	case SyncInterval:
		return SyncInterval, nil
	}
	return "", fmt.Errorf("unknown sync mode %q (want %q or %q)", s, SyncAlways, SyncInterval)
}

// StateOption configures a StateFile.
type StateOption func(*StateFile)

// WithSync sets when the log reaches the disk (default SyncAlways).
func WithSync(m SyncMode) StateOption { return func(f *StateFile) { f.sync = m } }

// WithCompactionSize sets the size of the log beyond which it is compacted into the snapshot in
// the background (default 64 MiB).
func WithCompactionSize(n int64) StateOption { return func(f *StateFile) { f.compactAt = n } }

// Defaults of a StateFile.
const (
	defaultCompactAt = 64 << 20
	syncEvery        = time.Second     // SyncInterval's fsync period
	repairEvery      = 2 * time.Second // how often a failed state tries to save itself again
)

// StateFile keeps a server's tenants across restarts, in a snapshot and an append-only log.
//
// Load reads the snapshot (the file at the path) and replays the log files next to it
// (PATH.00000001.log, ...), then attaches a new log to the server: from then on, every batch of
// writes (commit.go) is appended to it, one line per batch, and fsynced before any write of the
// batch is answered (SyncAlways; SyncInterval fsyncs every second). Writes that arrive while a
// batch is being written wait and share the next fsync: group commit. Save compacts: it takes a
// snapshot of every tenant between two batches, starts a new log, writes the snapshot (temporary
// file, fsync, rename, fsync of the directory) and removes the logs the snapshot holds. It runs
// at an interval, when the log has grown past its compaction size, and in Close.
//
// A line of the log is a CRC-32C of the batch, a space and the batch as JSON; a line that a
// crash cut short is the last of its file and was never acknowledged, and Load drops it. When an
// append or an fsync fails, the batch is not committed and its writes answer 503 with the
// reason, every later write too, Err (and /admin/health) reports it and the server logs it;
// every repairEvery the StateFile tries to save a snapshot, which when it succeeds puts
// everything in memory on disk again and ends the failure.
//
// Its methods are safe for concurrent use.
type StateFile struct {
	path      string
	srv       *Server
	sync      SyncMode
	compactAt int64

	saveMu sync.Mutex // one Save at a time
	marks  map[*Tenant]tenantMark

	mu       sync.Mutex // the log, below
	attached bool
	log      *os.File
	gen      uint64 // number of the log file being written
	seq      uint64 // the last batch appended
	size     int64  // bytes of the log file being written
	dirty    bool   // written since the last fsync (SyncInterval)
	failed   error  // why the state cannot be kept; nil when it can
	buf      []byte

	compacting sync.WaitGroup
	compactOn  bool // guarded by mu: a background compaction runs
	stop       chan struct{}
	stopped    chan struct{}
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
func NewStateFile(srv *Server, path string, opts ...StateOption) *StateFile {
	f := &StateFile{path: path, srv: srv, sync: SyncAlways, compactAt: defaultCompactAt, marks: map[*Tenant]tenantMark{}}
	for _, o := range opts {
		o(f)
	}
	return f
}

// Path returns the file's path.
func (f *StateFile) Path() string { return f.path }

// Err reports why the state cannot be kept (a failed append, fsync or save), nil when it can.
func (f *StateFile) Err() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed
}

// Load reads the snapshot and the log into the server: every tenant in them gets the stored
// users and groups (its store is replaced), and named tenants their profile and token. Then it
// attaches the log, so that every later write is kept. loaded is false, with a nil error, when
// there is neither a snapshot nor a log yet. A file that is not a state file, of another
// version, or corrupt is an error that names the file and what is wrong, and leaves the server
// unchanged (and nothing attached).
func (f *StateFile) Load() (loaded bool, err error) {
	f.removeStale()
	st, haveSnapshot, err := f.readSnapshot()
	if err != nil {
		return false, err
	}
	logs, err := f.logFiles()
	if err != nil {
		return false, fmt.Errorf("state file %s: %w", f.path, err)
	}
	f.saveMu.Lock()
	defer f.saveMu.Unlock()
	ld, err := newLoading(f.srv, st)
	if err != nil {
		return false, fmt.Errorf("state file %s: %w", f.path, err)
	}
	var lastGen uint64
	for _, l := range logs {
		if err := ld.replayFile(l.path); err != nil {
			return false, fmt.Errorf("state log %s: %w", l.path, err)
		}
		lastGen = l.gen
	}
	if err := ld.install(); err != nil {
		return false, fmt.Errorf("state file %s: %w", f.path, err)
	}
	f.marks = map[*Tenant]tenantMark{}
	for _, t := range f.srv.Tenants() {
		f.marks[t] = markOf(t)
	}
	if err := f.attach(lastGen+1, ld.seq); err != nil {
		return false, fmt.Errorf("state file %s: start the log: %w", f.path, err)
	}
	return haveSnapshot || len(logs) > 0, nil
}

// readSnapshot reads and checks the snapshot; ok is false when there is none.
func (f *StateFile) readSnapshot() (stateFile, bool, error) {
	b, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return stateFile{}, false, nil
	}
	if err != nil {
		return stateFile{}, false, fmt.Errorf("state file: %w", err)
	}
	st, err := decodeState(b)
	if err != nil {
		return stateFile{}, false, fmt.Errorf("state file %s: %w", f.path, err)
	}
	return st, true, nil
}

// attach starts log file gen and hands the server's batches to the state file.
func (f *StateFile) attach(gen, seq uint64) error {
	f.mu.Lock()
	if err := f.openLog(gen); err != nil {
		f.mu.Unlock()
		return err
	}
	f.seq = seq
	f.attached = true
	f.stop, f.stopped = make(chan struct{}), make(chan struct{})
	f.mu.Unlock()
	go f.background(f.stop, f.stopped)
	return f.srv.commits.barrier(func() error {
		f.srv.commits.log = f
		f.srv.state.Store(f)
		return nil
	})
}

// openLog creates log file gen and syncs the directory, so that the file itself survives a
// crash; f.mu is held.
func (f *StateFile) openLog(gen uint64) error {
	name := f.logName(gen)
	lf, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	if err := syncDir(filepath.Dir(name)); err != nil {
		lf.Close()
		return err
	}
	f.log, f.gen, f.size, f.dirty = lf, gen, 0, false
	return nil
}

// Close saves a last snapshot, closes the log and detaches it from the server. It returns the
// save's error; the server then keeps no state.
func (f *StateFile) Close() error {
	f.mu.Lock()
	attached := f.attached
	f.mu.Unlock()
	if !attached {
		return nil
	}
	close(f.stop)
	<-f.stopped
	f.compacting.Wait()
	_, saveErr := f.Save()
	err := f.srv.commits.barrier(func() error {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.srv.commits.log = nil
		f.srv.state.CompareAndSwap(f, nil)
		f.attached = false
		err := f.log.Sync()
		if cerr := f.log.Close(); err == nil {
			err = cerr
		}
		return err
	})
	if saveErr != nil {
		return saveErr
	}
	return err
}

// background fsyncs the log every syncEvery (SyncInterval), and tries to save a snapshot every
// repairEvery while the state is failed.
func (f *StateFile) background(stop <-chan struct{}, stopped chan<- struct{}) {
	defer close(stopped)
	tick := time.NewTicker(min(syncEvery, repairEvery))
	defer tick.Stop()
	lastRepair := time.Now()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		f.mu.Lock()
		if f.dirty && f.failed == nil {
			if err := f.log.Sync(); err != nil {
				f.fail(fmt.Errorf("fsync %s: %w", f.log.Name(), err))
			}
			f.dirty = false
		}
		failed := f.failed != nil
		f.mu.Unlock()
		if failed && time.Since(lastRepair) >= repairEvery {
			lastRepair = time.Now()
			if _, err := f.Save(); err != nil {
				f.srv.opts.logger.Error("state still not saved", "file", f.path, "err", err)
			}
		}
	}
}

// fail records why the state cannot be kept; f.mu is held.
func (f *StateFile) fail(err error) {
	if f.failed == nil {
		f.srv.opts.logger.Error("state cannot be saved: writes answer 503 until a snapshot succeeds", "file", f.path, "err", err)
	}
	f.failed = err
}

// refusal is the error every write of a failed state answers.
func (f *StateFile) refusal() error {
	return unavailable("the state file %s cannot be written (%v): the write was not stored; retry once the disk accepts writes", f.path, f.failed)
}

// append writes a batch to the log (the committer's batchLog): one line for every change that
// stored something, fsynced unless SyncInterval. An error leaves the batch uncommitted.
func (f *StateFile) append(batch []*change) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failed != nil {
		return f.refusal()
	}
	line, ok := f.encodeBatch(batch, f.seq+1)
	if !ok {
		return nil
	}
	if _, err := f.log.Write(line); err != nil {
		f.fail(fmt.Errorf("append to %s: %w", f.log.Name(), err))
		return f.refusal()
	}
	if f.sync == SyncAlways {
		if err := f.log.Sync(); err != nil {
			f.fail(fmt.Errorf("fsync %s: %w", f.log.Name(), err))
			return f.refusal()
		}
	} else {
		f.dirty = true
	}
	f.seq++
	f.size += int64(len(line))
	if f.size > f.compactAt && !f.compactOn {
		f.compactOn = true
		f.compacting.Add(1)
		go func() {
			defer f.compacting.Done()
			if _, err := f.Save(); err != nil {
				f.srv.opts.logger.Error("state log not compacted", "file", f.path, "err", err)
			}
			f.mu.Lock()
			f.compactOn = false
			f.mu.Unlock()
		}()
	}
	return nil
}

// Save compacts the log into the snapshot when something changed since the last Load or Save
// (or the file does not exist, or the state failed), and reports whether it wrote. Without Load
// (nothing attached), it writes a snapshot of the server as it is.
func (f *StateFile) Save() (saved bool, err error) {
	f.saveMu.Lock()
	defer f.saveMu.Unlock()
	var (
		st      stateFile
		marks   map[*Tenant]tenantMark
		oldGens uint64 // the logs below this number are in the snapshot
		rotated bool
	)
	unchanged := errors.New("unchanged")
	err = f.srv.commits.barrier(func() error {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.failed == nil && !f.changed() {
			return unchanged
		}
		var err error
		if st, marks, err = f.snapshot(); err != nil {
			return err
		}
		if !f.attached {
			return nil
		}
		st.LogSeq = f.seq
		// Later batches go to a new log, which the snapshot does not hold.
		old := f.log
		if err := f.openLog(f.gen + 1); err != nil {
			return fmt.Errorf("start a new log: %w", err)
		}
		rotated = true
		oldGens = f.gen
		_ = old.Sync()
		_ = old.Close()
		return nil
	})
	if errors.Is(err, unchanged) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("state file %s: %w", f.path, err)
	}
	if err := writeFileAtomic(f.path, func(w io.Writer) error { return encodeState(w, st) }); err != nil {
		return false, fmt.Errorf("state file %s: %w", f.path, err)
	}
	f.marks = marks
	if rotated {
		f.removeLogsBelow(oldGens)
		f.mu.Lock()
		if f.failed != nil {
			f.srv.opts.logger.Info("state saved again: writes are accepted", "file", f.path)
			f.failed = nil
		}
		f.mu.Unlock()
	}
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
			it, err := tx.Get(k.endpoint, "id_prefix", "")
			if err != nil {
				return st, nil, fmt.Errorf("tenant %q: read %s: %w", t.name, k.endpoint, err)
			}
			var list []stateResource
			for raw := it.Next(); raw != nil; raw = it.Next() {
				rec := raw.(*record)
				list = append(list, stateResource{Seq: rec.Seq, doc: rec.Doc})
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

// logName is the path of log file gen: PATH.00000001.log.
func (f *StateFile) logName(gen uint64) string { return fmt.Sprintf("%s.%08d.log", f.path, gen) }

type logFile struct {
	gen  uint64
	path string
}

// logFiles lists the log files next to the snapshot, oldest first.
func (f *StateFile) logFiles() ([]logFile, error) {
	dir, base := filepath.Split(f.path)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	var out []logFile
	for _, e := range entries {
		mid, ok := strings.CutPrefix(e.Name(), base+".")
		if !ok {
			continue
		}
		if mid, ok = strings.CutSuffix(mid, ".log"); !ok || len(mid) != 8 {
			continue
		}
		gen, err := strconv.ParseUint(mid, 10, 64)
		if err != nil || !e.Type().IsRegular() {
			continue
		}
		out = append(out, logFile{gen: gen, path: filepath.Join(dir, e.Name())})
	}
	// ReadDir sorts by name, and the numbers have a fixed width.
	return out, nil
}

// removeLogsBelow removes the log files older than gen: a snapshot holds their batches.
func (f *StateFile) removeLogsBelow(gen uint64) {
	logs, err := f.logFiles()
	if err != nil {
		return
	}
	for _, l := range logs {
		if l.gen < gen {
			if err := os.Remove(l.path); err != nil {
				f.srv.opts.logger.Warn("state log not removed", "file", l.path, "err", err)
			}
		}
	}
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
	order   []string // names in the order they appeared
	seq     uint64   // the last batch read
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
}

func newLoading(srv *Server, st stateFile) (*loading, error) {
	ld := &loading{srv: srv, tenants: map[string]*loadedTenant{}, seq: st.LogSeq}
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
		for i, list := range [][]stateResource{in.Users, in.Groups} {
			k := kinds[i]
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
	lt := &loadedTenant{name: name, store: newStore()}
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

// storedDoc is what a record is built from, read off a stored document by scan.
type storedDoc struct {
	id, userName, displayName, externalID string
	values                                []string // emails[].value of a user, members[].value of a group
	created, modified, version            string
	hasMeta                               bool
	locAt                                 int  // where meta.location goes: at "resourceType" in meta
	other                                 bool // something encodeRecord never writes: password, meta.location
}

// scan reads the top-level members a record needs from b, valid JSON, and reports whether b is
// compact (no whitespace outside strings), as encodeRecord writes it. It is several times faster
// than encoding/json into a struct, which is what loading a large state spends its time on.
func (d *storedDoc) scan(k *kind, b []byte) (compact bool) {
	sc := jsonScan{b: b}
	if !sc.object(func(key string, start int) bool {
		switch key {
		case "id":
			d.id, _ = sc.str()
		case "userName":
			d.userName, _ = sc.str()
		case "displayName":
			d.displayName, _ = sc.str()
		case "externalId":
			d.externalID, _ = sc.str()
		case "emails", "members":
			if key == "emails" && k == userKind || key == "members" && k == groupKind {
				d.values = sc.subValues()
				return sc.ok
			}
			sc.skip()
		case "password":
			d.other = true
			sc.skip()
		case "meta":
			d.hasMeta = sc.peek() == '{'
			if !d.hasMeta {
				sc.skip()
				break
			}
			sc.object(func(key string, start int) bool {
				switch key {
				case "created":
					d.created, _ = sc.str()
				case "lastModified":
					d.modified, _ = sc.str()
				case "version":
					d.version, _ = sc.str()
				case "resourceType":
					d.locAt = start
					sc.skip()
				case "location":
					d.other = true
					sc.skip()
				default:
					sc.skip()
				}
				return sc.ok
			})
		default:
			sc.skip()
		}
		return sc.ok
	}) {
		return false
	}
	return sc.ok && sc.i == len(b)
}

// jsonScan walks compact, valid JSON; ok turns false at whitespace or anything unexpected.
type jsonScan struct {
	b  []byte
	i  int
	ok bool
}

func (s *jsonScan) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

// object calls member for each member of the object at i, positioned at its value; start is
// where the member's key begins.
func (s *jsonScan) object(member func(key string, start int) bool) bool {
	s.ok = s.peek() == '{'
	if !s.ok {
		return false
	}
	s.i++
	if s.peek() == '}' {
		s.i++
		return true
	}
	for {
		start := s.i
		key, ok := s.str()
		if !ok || s.peek() != ':' {
			s.ok = false
			return false
		}
		s.i++
		if !member(key, start) {
			return false
		}
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return true
		default:
			s.ok = false
			return false
		}
	}
}

// str reads a string; ok is false (and the value skipped) when it is not one.
func (s *jsonScan) str() (string, bool) {
	if s.peek() != '"' {
		s.skip()
		return "", false
	}
	start := s.i
	s.i++
	escaped := false
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '\\':
			escaped = true
			s.i += 2
			continue
		case '"':
			s.i++
			raw := s.b[start:s.i]
			if !escaped {
				return string(raw[1 : len(raw)-1]), true
			}
			var v string
			if json.Unmarshal(raw, &v) != nil {
				s.ok = false
				return "", false
			}
			return v, true
		}
		s.i++
	}
	s.ok = false
	return "", false
}

// skipString passes over a string, without decoding it.
func (s *jsonScan) skipString() bool {
	s.i++
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '\\':
			s.i += 2
			continue
		case '"':
			s.i++
			return true
		}
		s.i++
	}
	s.ok = false
	return false
}

// skip passes over one value.
func (s *jsonScan) skip() {
	depth := 0
	for s.i < len(s.b) {
		switch c := s.b[s.i]; c {
		case '"':
			if !s.skipString() {
				return
			}
			if depth == 0 {
				return
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return
			}
			depth--
			if depth == 0 {
				s.i++
				return
			}
		case ',', ':':
			if depth == 0 {
				return
			}
		case ' ', '\n', '\t', '\r':
			s.ok = false
			return
		}
		s.i++
	}
}

// subValues reads the string "value" members of a list of objects (or of one object).
func (s *jsonScan) subValues() []string {
	var out []string
	one := func() {
		if s.peek() != '{' {
			s.skip()
			return
		}
		s.object(func(key string, _ int) bool {
			if key == "value" {
				if v, ok := s.str(); ok && v != "" {
					out = append(out, v)
				}
				return true
			}
			s.skip()
			return s.ok
		})
	}
	switch s.peek() {
	case '[':
		s.i++
		if s.peek() == ']' {
			s.i++
			return out
		}
		for s.ok {
			one()
			switch s.peek() {
			case ',':
				s.i++
			case ']':
				s.i++
				return out
			default:
				s.ok = false
			}
		}
	case '{':
		one()
	default:
		s.skip()
	}
	return out
}

func stateTime(s, name string) (time.Time, error) {
	t, err := time.Parse(timeFormat, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("meta.%s %q: want %s", name, s, timeFormat)
	}
	return t, nil
}

// decodeState reads a state file's bytes and checks its format and version.
func decodeState(b []byte) (stateFile, error) {
	st, ok := decodeStateLines(b)
	if !ok {
		var head struct {
			Format  string `json:"format"`
			Version int    `json:"version"`
		}
		if err := json.Unmarshal(b, &head); err != nil {
			return stateFile{}, fmt.Errorf("not a scimsim state file: %w", jsonErr(b, err))
		}
		st.Format, st.Version = head.Format, head.Version
	}
	if st.Format != stateFormat {
		return stateFile{}, fmt.Errorf("not a scimsim state file: format %q, want %q", st.Format, stateFormat)
	}
	if st.Version != StateVersion && st.Version != 1 {
		return stateFile{}, fmt.Errorf("version %d: this scimsim reads versions 1 and %d", st.Version, StateVersion)
	}
	if ok {
		return st, nil
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&st); err != nil {
		return stateFile{}, jsonErr(b, err)
	}
	return st, nil
}

// decodeStateLines reads a state file in the layout encodeState writes, one line at a time, and
// reports false for anything else, which decodeState then reads (and explains) as JSON. It
// leaves checking each resource to decodeRecord, which does it anyway: a generic JSON decoder
// would read every resource twice more.
func decodeStateLines(b []byte) (stateFile, bool) {
	var st stateFile
	lines := bytes.Split(b, []byte("\n"))
	if len(lines) < 2 || len(lines[len(lines)-1]) != 0 {
		return st, false
	}
	lines = lines[:len(lines)-1]
	head, ok := bytes.CutSuffix(lines[0], []byte(`"tenants":[`))
	if !ok || !strictJSON(closed(bytes.TrimSuffix(head, []byte(","))), &st) {
		return st, false
	}
	if len(lines) == 1 {
		return st, false
	}
	rest := lines[1:]
	for len(rest) > 0 {
		var t stateTenant
		h, ok := bytes.CutSuffix(rest[0], []byte(","))
		if !ok || !strictJSON(closed(h), &t) {
			return st, false
		}
		rest = rest[1:]
		for j, name := range []string{"users", "groups"} {
			if len(rest) == 0 {
				return st, false
			}
			open := []byte(`"` + name + `":[`)
			var list []stateResource
			line := rest[0]
			rest = rest[1:]
			tail, ok := bytes.CutPrefix(line, open)
			if !ok {
				return st, false
			}
			for len(tail) == 0 {
				// one resource per line follows
				if len(rest) == 0 {
					return st, false
				}
				line, rest = rest[0], rest[1:]
				res, after, ok := resourceLine(line)
				if !ok {
					return st, false
				}
				list = append(list, res)
				tail = after
				if len(tail) > 0 && tail[0] == ',' && len(tail) == 1 {
					tail = nil
				}
			}
			// tail closes the list: "]," before the groups, "]}" + "," or "]}]}" after them.
			switch {
			case j == 0 && bytes.Equal(tail, []byte("],")):
			case j == 1 && bytes.Equal(tail, []byte("]},")) && len(rest) > 0:
			case j == 1 && bytes.Equal(tail, []byte("]}]}")) && len(rest) == 0:
			default:
				return st, false
			}
			if j == 0 {
				t.Users = list
			} else {
				t.Groups = list
			}
		}
		st.Tenants = append(st.Tenants, t)
	}
	return st, true
}

// resourceLine reads `{"seq":N,"resource":DOC}` and returns what follows it on the line.
func resourceLine(line []byte) (stateResource, []byte, bool) {
	rest, ok := bytes.CutPrefix(line, []byte(`{"seq":`))
	if !ok {
		return stateResource{}, nil, false
	}
	i := 0
	for i < len(rest) && '0' <= rest[i] && rest[i] <= '9' {
		i++
	}
	seq, err := strconv.ParseUint(string(rest[:i]), 10, 64)
	if err != nil {
		return stateResource{}, nil, false
	}
	doc, ok := bytes.CutPrefix(rest[i:], []byte(`,"resource":`))
	if !ok || len(doc) == 0 || doc[0] != '{' {
		return stateResource{}, nil, false
	}
	sc := jsonScan{b: doc, ok: true}
	sc.skip()
	if !sc.ok || sc.i >= len(doc) || doc[sc.i] != '}' {
		return stateResource{}, nil, false
	}
	return stateResource{Seq: seq, Resource: bytes.Clone(doc[:sc.i])}, doc[sc.i+1:], true
}

// closed returns a copy of b with a closing brace: b is part of the file, which the records keep.
func closed(b []byte) []byte { return append(bytes.Clone(b), '}') }

// strictJSON decodes b into v, refusing unknown keys.
func strictJSON(b []byte, v any) bool {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	return d.Decode(v) == nil && !d.More()
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
	fmt.Fprintf(bw, "{\"format\":%q,\"version\":%d,\"savedAt\":%q,", st.Format, st.Version, st.SavedAt)
	if st.LogSeq != 0 {
		fmt.Fprintf(bw, "\"logSeq\":%d,", st.LogSeq)
	}
	bw.WriteString("\"tenants\":[")
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
				if r.Resource != nil {
					bw.Write(r.Resource)
				} else {
					bw.WriteString(r.doc)
				}
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
	return syncDir(dir)
}

func syncDir(dir string) error {
	if dir == "" {
		dir = "."
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}

// idsFormat starts the state of a generator with a counter (marshal); an older state is the
// PCG's alone.
const idsFormat = "ids2"

// marshal returns the generator's state.
func (g *idGenerator) marshal() ([]byte, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	pcg, err := g.src.MarshalBinary()
	if err != nil {
		return nil, err
	}
	b := append([]byte(idsFormat), make([]byte, 16)...)
	binary.BigEndian.PutUint64(b[4:], g.base)
	binary.BigEndian.PutUint64(b[12:], g.n)
	return append(b, pcg...), nil
}

// unmarshal continues the sequence whose state marshal returned. An older state (without the
// counter) continues with a counter from a new random start.
func (g *idGenerator) unmarshal(b []byte) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if rest, ok := bytes.CutPrefix(b, []byte(idsFormat)); ok && len(rest) >= 16 {
		if err := g.src.UnmarshalBinary(rest[16:]); err != nil {
			return err
		}
		g.base, g.n = binary.BigEndian.Uint64(rest), binary.BigEndian.Uint64(rest[8:])
		return nil
	}
	if err := g.src.UnmarshalBinary(b); err != nil {
		return err
	}
	g.base, g.n = g.rng.Uint64()>>16, 0
	return nil
}
