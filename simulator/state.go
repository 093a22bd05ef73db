package simulator

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

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
