package simulator

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/hashicorp/go-memdb"
)

// Saving: Save compacts the log into a new snapshot when a tenant changed since the last mark;
// a mark (tenantMark) is what tells a changed tenant from an unchanged one without reading it.

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
		set := t.schemas.Load()
		if set != nil && set.own {
			out.Schemas = &set.custom
		}
		for i, k := range tablesOf(db, t.kinds()) {
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
			switch {
			case i == 0:
				out.Users = list
			case i == 1:
				out.Groups = list
			case len(list) > 0:
				if out.Resources == nil {
					out.Resources = map[string][]stateResource{}
				}
				out.Resources[k.endpoint] = list
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

// markOf marks a tenant's current state.
func markOf(t *Tenant) tenantMark {
	db := t.store.db.Load()
	m := tenantMark{db: db, cfg: t.cfg.Load()}
	tx := db.Txn(false)
	for _, k := range tablesOf(db, t.kinds()) {
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
