package simulator

import (
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"sync"

	"github.com/hashicorp/go-memdb"
)

// Writes and group commit.
//
// Every change to any tenant's store goes through the server's committer, one batch at a time:
// the writers that arrive while a batch is being committed queue up, and the first of them leads
// the next batch, which commits all of them together (the leader-and-followers scheme of
// LevelDB's write queue). A batch applies each tenant's changes in one memdb write transaction,
// hands what they did to the state log when there is one (one append and one fsync for the
// whole batch), and commits. Batching is what makes writes cheap: memdb copies the nodes on the
// path of an insert once per transaction, not once per insert, and a durable log pays one fsync
// per batch, not per write.
//
// A change is a function of the writer that only checks and stores: the request decodes,
// validates and encodes its resource before it queues, against the version it read, and its
// change verifies that the version is still the current one (errStale otherwise, and the request
// does its work again). No request therefore holds the other writers up for longer than its own
// validated change takes to store.

// errStale is a change that was prepared against a version that another write has replaced.
var errStale = errors.New("the resource changed while the request prepared its change")

// errTenantGone is a change to a tenant deleted since the request found it.
var errTenantGone = errors.New("the tenant was deleted")

// committer serialises the writes of every tenant of a server into batches.
type committer struct {
	mu      sync.Mutex
	queue   []*change
	spare   []*change // the previous batch's slice, reused
	leading bool
	// log, when set, makes every batch durable before its writers are answered (state.go).
	log batchLog
}

// batchLog records a batch's changes before they are committed; an error aborts the batch.
type batchLog interface {
	append(batch []*change) error
}

// change is one writer's validated change and, once committed, what it did; or a barrier.
type change struct {
	t       *Tenant
	fn      func(w *writer) error
	barrier func() error // runs alone, with every change queued before it committed
	err     error
	ops     []writeOp // what fn stored, for the log
	wake    chan bool // true: lead the next batch; false: committed (or failed), see err
}

// commit runs fn, in a batch with the writes that arrive meanwhile, and returns its error.
func (c *committer) commit(t *Tenant, fn func(w *writer) error) error {
	ch := newChange()
	ch.t, ch.fn = t, fn
	err := c.run(ch)
	ch.release()
	return err
}

// barrier runs fn while no change is being applied: the changes queued before it are committed,
// those after it wait. The state file takes its snapshots and rotates its log there.
func (c *committer) barrier(fn func() error) error {
	ch := newChange()
	ch.barrier = fn
	err := c.run(ch)
	ch.release()
	return err
}

// changes are the changes run has returned, each with its wake channel, for the next writers:
// a change and a channel per write were a tenth of what a create allocated in the committer.
// run returns once nothing refers to its change any more: the leader wakes each of its batch
// last, under c.mu, and a change receives one wake at most, so that its channel is empty again.
var changes = sync.Pool{New: func() any { return &change{wake: make(chan bool, 1)} }}

func newChange() *change { return changes.Get().(*change) }

func (ch *change) release() {
	*ch = change{wake: ch.wake}
	changes.Put(ch)
}

func (c *committer) run(ch *change) error {
	c.mu.Lock()
	c.queue = append(c.queue, ch)
	if c.leading {
		c.mu.Unlock()
		if lead := <-ch.wake; !lead {
			return ch.err
		}
		c.mu.Lock()
	} else {
		c.leading = true
	}
	// Before it takes the queue, the leader lets the writers that are ready to run prepare
	// their changes and queue them: they join this batch instead of the next. On a machine with
	// few cores and many connections, this makes batches of about 18 creates instead of 3
	// (BenchmarkServer_CreateParallel), and a batch's creates share the radix nodes memdb copies.
	// With nobody else runnable it returns at once.
	c.mu.Unlock()
	runtime.Gosched()
	c.mu.Lock()
	batch := c.queue
	c.queue = c.spare[:0]
	c.mu.Unlock()

	c.commitBatch(batch)

	c.mu.Lock()
	if len(c.queue) > 0 {
		c.queue[0].wake <- true // it leads the next batch, which it is part of
	} else {
		c.leading = false
	}
	for _, o := range batch {
		if o != ch {
			o.wake <- false
		}
	}
	clear(batch)
	c.spare = batch[:0]
	c.mu.Unlock()
	return ch.err
}

// commitBatch commits the batch's changes, and runs its barriers between them.
func (c *committer) commitBatch(batch []*change) {
	from := 0
	for i, ch := range batch {
		if ch.barrier == nil {
			continue
		}
		c.commitChanges(batch[from:i])
		ch.err = runBarrier(ch.barrier)
		from = i + 1
	}
	c.commitChanges(batch[from:])
}

func runBarrier(fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("internal error in a barrier: %v", p)
		}
	}()
	return fn()
}

// commitChanges applies every change, logs them and commits them.
func (c *committer) commitChanges(batch []*change) {
	if len(batch) == 0 {
		return
	}
	var writers []*writer
	writerOf := func(t *Tenant) *writer {
		for _, w := range writers {
			if w.t == t {
				return w
			}
		}
		w := newBatchWriter(t, t.store)
		writers = append(writers, w)
		return w
	}
	for _, ch := range batch {
		if ch.t.deleted.Load() {
			ch.err = errTenantGone
			continue
		}
		w := writerOf(ch.t)
		if w.dropped {
			ch.err = errTenantGone
			continue
		}
		mark := len(w.ops)
		if err := apply(ch.fn, w); err != nil {
			w.undo(mark)
			ch.err = err
			continue
		}
		ch.ops = w.ops[mark:len(w.ops):len(w.ops)]
	}
	if c.log != nil {
		if err := c.log.append(batch); err != nil {
			for _, w := range writers {
				w.tx.Abort()
			}
			for _, ch := range batch {
				if ch.err == nil {
					ch.err = err
				}
			}
			return
		}
	}
	for _, w := range writers {
		w.commit()
	}
}

// apply runs fn, turning a panic into an error: the leader runs other requests' changes, and a
// panic must neither kill it nor leave the committer without a leader.
func apply(fn func(*writer) error, w *writer) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("internal error in a write: %v", p)
		}
	}()
	return fn(w)
}

// opKind is what a writeOp did.
type opKind uint8

const (
	opPut     opKind = iota // stored rec over old (old nil: a new record)
	opDelete                // deleted old
	opReset                 // emptied the store
	opConfig                // set the tenant's profile and token to cfg
	opDrop                  // deleted the tenant
	opSchemas               // set the tenant's custom schemas (customstore.go)
)

// writeOp is one thing a change did.
type writeOp struct {
	op       opKind
	k        *kind
	old, rec *record
	cfg      *tenantConfig
	schemas  *schemaSet // opSchemas: nil for the built-in schemas
}

// writer is a write transaction on one tenant's store with the simulator's integrity rules,
// shared by the changes of a batch and able to undo the last of them.
type writer struct {
	t       *Tenant // nil for a store being loaded (writeDirect)
	s       *store
	db      *memdb.MemDB // the database tx writes; a new, empty one after emptyStore
	tx      *memdb.Txn
	delta   [maxKinds]int64 // per kind.index
	reset   bool            // emptyStore ran: db replaces the store's database on commit
	cfg     *tenantConfig
	dropped bool
	ops     []writeOp
	// useSchemas ran: schemas become the tenant's on commit, with db.
	schemas    *schemaSet
	newSchemas bool
	// The committer's writers answer get and the userName check from what their own changes
	// stored (own, names) over base, the committed state the batch started from, rather than
	// from tx: memdb reads an index the transaction has written through a clone of it
	// (go-memdb txn.go, readableIndex), and the clone drops the transaction's cache of the
	// radix nodes it has already copied (go-immutable-radix Txn.Clone), so that every insert
	// after a read copied its whole path again and a batch of creates cost as much as as many
	// transactions. base nil: reads go to tx (a store being loaded, or after emptyStore or
	// useSchemas replaced the database).
	base  *memdb.Txn
	own   map[ownKey]*record // by table and id: what this writer's changes left there (nil: deleted)
	names map[ownKey]*record // users by table and folded userName: the last one stored with it
}

// ownKey names a record of a writer's own changes: its table (kind.endpoint, the same for every
// copy of a kind) and its id or folded name.
type ownKey struct{ table, key string }

func newWriter(t *Tenant, s *store) *writer {
	db := s.db.Load()
	return &writer{t: t, s: s, db: db, tx: db.Txn(true)}
}

// newBatchWriter is newWriter for a batch of the committer, with reads over its own changes.
func newBatchWriter(t *Tenant, s *store) *writer {
	w := newWriter(t, s)
	w.base = w.db.Txn(false)
	w.own = make(map[ownKey]*record)
	w.names = make(map[ownKey]*record)
	return w
}

// readTx drops the reads over own changes: the database tx writes is no longer base's.
func (w *writer) readTx() { w.base, w.own, w.names = nil, nil, nil }

// stored records that rec (nil: none) is now the record of k with id.
func (w *writer) stored(k *kind, id string, rec *record) {
	if w.base == nil {
		return
	}
	w.own[ownKey{k.endpoint, id}] = rec
	if rec != nil && rec.Name != "" && k.is(userKind) {
		w.names[ownKey{k.endpoint, foldKey(rec.Name)}] = rec
	}
}

func (w *writer) commit() {
	w.tx.Commit()
	if w.cfg != nil {
		w.t.cfg.Store(w.cfg)
	}
	if w.dropped {
		w.t.srv.removeTenant(w.t)
	}
	if w.reset {
		w.s.db.Store(w.db)
		for i := range w.delta {
			w.s.counts[i].Store(w.delta[i])
		}
	} else {
		for i := range w.delta {
			w.s.counts[i].Add(w.delta[i])
		}
	}
	if w.newSchemas && w.t != nil {
		w.t.schemas.Store(w.schemas) // after the database that has their tables
	}
}

// undo reverts the ops from mark on, newest first.
func (w *writer) undo(mark int) {
	for i := len(w.ops) - 1; i >= mark; i-- {
		op := w.ops[i]
		switch {
		case op.op != opPut && op.op != opDelete:
			panic("simulator: a change of the tenant itself cannot fail")
		case op.op == opDelete:
			w.mustInsert(op.k, op.old)
			w.delta[op.k.index]++
			w.stored(op.k, op.old.ID, op.old)
		case op.old == nil:
			if err := w.tx.Delete(op.k.endpoint, op.rec); err != nil {
				panic(fmt.Sprintf("simulator: undo insert of %s %q: %v", op.k.name, op.rec.ID, err))
			}
			w.delta[op.k.index]--
			w.stored(op.k, op.rec.ID, nil)
		default:
			w.mustInsert(op.k, op.old)
			w.stored(op.k, op.old.ID, op.old)
		}
	}
	w.ops = w.ops[:mark]
}

func (w *writer) mustInsert(k *kind, rec *record) {
	if err := w.tx.Insert(k.endpoint, rec); err != nil {
		panic(fmt.Sprintf("simulator: undo of %s %q: %v", k.name, rec.ID, err))
	}
}

// emptyStore replaces everything the store holds with nothing (Tenant.Reset).
func (w *writer) emptyStore() {
	w.tx.Abort()
	w.readTx()
	w.db = newDBOf(w.db.DBSchema()) // the same tables (customtypes.go)
	w.tx = w.db.Txn(true)
	w.delta = [maxKinds]int64{}
	w.reset = true
	w.ops = append(w.ops, writeOp{op: opReset})
}

// configure sets the tenant's profile and token when the batch commits (Tenant.Configure).
func (w *writer) configure(cfg *tenantConfig) {
	w.cfg = cfg
	w.ops = append(w.ops, writeOp{op: opConfig, cfg: cfg})
}

// drop deletes the tenant when the batch commits; its later changes in the batch are refused.
func (w *writer) drop() {
	w.dropped = true
	w.ops = append(w.ops, writeOp{op: opDrop})
}

func (w *writer) get(k *kind, id string) (*record, bool) {
	tx := w.tx
	if w.base != nil {
		if rec, ok := w.own[ownKey{k.endpoint, id}]; ok {
			return rec, rec != nil
		}
		tx = w.base
	}
	raw, err := tx.First(k.endpoint, "id", id)
	if err != nil || raw == nil {
		return nil, false
	}
	return raw.(*record), true
}

func (w *writer) nextSeq() uint64 { return w.s.seq.Add(1) }

// put inserts rec, or replaces the record with the same id. It enforces the uniqueness memdb
// does not: a case-insensitive userName (RFC 7643 §4.1.1: "unique across the service
// provider's entire set of Users", caseExact false), and, when uniqueDisplayName is set, a
// case-insensitive group displayName (an Entra requirement, "Develop and plan provisioning for a
// SCIM endpoint", which RFC 7643 does not make).
func (w *writer) put(k *kind, rec *record, uniqueDisplayName bool) error {
	switch {
	case k.is(userKind) && rec.Name != "":
		if err := w.uniqueUserName(k, rec.Name, rec.ID); err != nil {
			return err
		}
	case k.is(groupKind) && uniqueDisplayName && rec.Name != "":
		if err := w.unique(k, "displayName", rec.Name, rec.ID); err != nil {
			return err
		}
	}
	if err := w.uniqueCustom(k, rec); err != nil { // customunique.go
		return err
	}
	old, exists := w.get(k, rec.ID)
	if exists && old.Seq != rec.Seq {
		return fmt.Errorf("%w: id %q is already taken", errConflict, rec.ID)
	}
	if err := w.tx.Insert(k.endpoint, rec); err != nil {
		return fmt.Errorf("insert %s %q: %w", k.name, rec.ID, err)
	}
	if !exists {
		old = nil
		w.delta[k.index]++
	}
	w.stored(k, rec.ID, rec)
	w.ops = append(w.ops, writeOp{op: opPut, k: k, old: old, rec: rec})
	return nil
}

// uniqueUserName is unique for userName, over the writer's own changes when it has them. The
// userName index is Unique (storeSchema): a name has at most one holder, in base as after the
// writer's changes.
func (w *writer) uniqueUserName(k *kind, name, id string) error {
	if w.base == nil {
		return w.unique(k, "userName", name, id)
	}
	folded := foldKey(name)
	holder := w.names[ownKey{k.endpoint, folded}]
	if holder != nil && w.own[ownKey{k.endpoint, holder.ID}] != holder {
		holder = nil // replaced or deleted since
	}
	if holder == nil {
		raw, err := w.base.First(k.endpoint, "userName", name)
		if err != nil {
			return fmt.Errorf("lookup %s userName %q: %w", k.name, name, err)
		}
		if raw != nil {
			holder = raw.(*record)
			if _, changed := w.own[ownKey{k.endpoint, holder.ID}]; changed {
				holder = nil // what it holds now, if anything, is in names
			}
		}
	}
	if holder != nil && holder.ID != id {
		return fmt.Errorf("%w: userName %q is already taken", errConflict, name)
	}
	return nil
}

func (w *writer) unique(k *kind, index, value, id string) error {
	raw, err := w.tx.First(k.endpoint, index, value)
	if err != nil {
		return fmt.Errorf("lookup %s %s %q: %w", k.name, index, value, err)
	}
	if raw != nil && raw.(*record).ID != id {
		return fmt.Errorf("%w: %s %q is already taken", errConflict, index, value)
	}
	return nil
}

func (w *writer) delete(k *kind, rec *record) error {
	if err := w.tx.Delete(k.endpoint, rec); err != nil {
		return fmt.Errorf("delete %s %q: %w", k.name, rec.ID, err)
	}
	w.delta[k.index]--
	w.stored(k, rec.ID, nil)
	w.ops = append(w.ops, writeOp{op: opDelete, k: k, old: rec})
	return nil
}

// groupsWithMember returns the groups whose members include id.
func (w *writer) groupsWithMember(id string) ([]*record, error) {
	return groupsWithMember(w.tx, id)
}

func groupsWithMember(tx *memdb.Txn, id string) ([]*record, error) {
	it, err := tx.Get(groupKind.endpoint, "members", id)
	if err != nil {
		return nil, fmt.Errorf("lookup groups with member %q: %w", id, err)
	}
	var out []*record
	for raw := it.Next(); raw != nil; raw = it.Next() {
		out = append(out, raw.(*record))
	}
	return out, nil
}

// checkMembers refuses a group whose members include a value that names no user or group of the
// tenant, among the members old did not have (old nil: all of them): a group never lists a
// resource that does not exist, however the write interleaves with a DELETE of that resource.
// Members already listed are not checked again, so that seeded references (which Seed takes as
// given) do not block other changes to the group.
func (w *writer) checkMembers(rec, old *record) error {
	var had map[string]bool
	if old != nil && len(old.Members) > 0 {
		had = make(map[string]bool, len(old.Members))
		for _, m := range old.Members {
			had[m] = true
		}
	}
	for _, m := range rec.Members {
		if had[m] {
			continue
		}
		if _, ok := w.get(userKind, m); ok {
			continue
		}
		if _, ok := w.get(groupKind, m); ok {
			continue
		}
		return invalidValue("members: no user or group has the id %q", m)
	}
	return nil
}

// unavailable is a write refused because the state cannot be kept (state.go): 503 with the
// reason, so that the client retries instead of taking a lost write for a stored one.
func unavailable(format string, args ...any) error {
	return scimErr(http.StatusServiceUnavailable, "", format, args...)
}
