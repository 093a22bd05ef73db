package simulator

import (
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/hashicorp/go-memdb"

	"github.com/scimsim/scimsim/simulator/filter"
)

// Errors the store returns; handlers map them to SCIM errors.
var (
	errNotFound     = errors.New("resource not found")
	errConflict     = errors.New("uniqueness conflict")
	errPrecondition = errors.New("version mismatch")
)

// record is one stored resource. It is immutable once inserted: memdb stores pointers and shares
// them with every reader, so a change always builds a new record (copy, change, insert).
//
// The attributes live as canonical JSON (encoded once on write, served as it is when no
// projection is asked), which keeps the heap small and the GET path free of encoding. The fields
// the indexes read are substrings of it where the JSON needs no escaping (encodeRecord), so that
// they cost no memory of their own: a stored user is its document, this struct and its entries
// in two indexes (TestStore_HeapPerUser, BenchmarkServer_HeapPerUser).
type record struct {
	ID      string
	Name    string   // the indexed name: a user's userName, a group's displayName
	Members []string // a group's members[].value
	// Doc is the resource as JSON with no meta.location, which depends on the request's base
	// URL: it is spliced in at LocAt.
	Doc      string
	LocAt    int
	Seq      uint64 // creation number, unique in the tenant: tells a create from a replace
	Version  uint64 // meta.version is W/"Version"
	Created  int64  // meta.created, Unix milliseconds
	Modified int64  // meta.lastModified, Unix milliseconds
}

// storeSchema is the memdb schema of a tenant's store. memdb does not enforce Unique on
// secondary indexes (see the library notes): the write paths check userName and displayName
// themselves inside the write transaction.
//
// Every index costs about 400 bytes per resource (a leaf, a node and two watch channels of memdb's
// radix tree) and a share of every write, so only those that earn it are kept: the id (the
// primary index, whose order is the stable order of queries: generated ids count up, see
// idGenerator), userName (its uniqueness, and Entra's matching query), and for groups
// displayName (uniqueness in the entra profile, Entra's matching query) and members (a deleted
// user leaves its groups, commit.go). Filters on other attributes, externalId and emails.value
// among them, scan the documents with a prefilter (prefilter.go).
//
// The indexers are the simulator's own (stringIndex, stringsIndex): they build the keys memdb's
// StringFieldIndex and StringSliceFieldIndex would, without reflection.
func storeSchema(ks []*kind) *memdb.DBSchema {
	id := &memdb.IndexSchema{Name: "id", Unique: true, Indexer: stringIndex{field: func(r *record) string { return r.ID }}}
	// userName is unique in every profile (RFC 7643 §4.1.1), which put checks before every
	// insert: the index can then be Unique, so that its keys do not carry the record's id as a
	// suffix (memdb appends the primary key to every key of a non-unique index), which saves a
	// key of ~40 bytes per user. It is **essential** that nothing inserts a user without put's
	// check: memdb would silently point the index at the later of two users with one userName.
	users := map[string]*memdb.IndexSchema{
		"id": id,
		"userName": {Name: "userName", AllowMissing: true, Unique: true,
			Indexer: stringIndex{field: func(r *record) string { return r.Name }, lower: true}},
	}
	groups := map[string]*memdb.IndexSchema{
		"id": id,
		"displayName": {Name: "displayName", AllowMissing: true,
			Indexer: stringIndex{field: func(r *record) string { return r.Name }, lower: true}},
		"members": {Name: "members", AllowMissing: true,
			Indexer: stringsIndex{field: func(r *record) []string { return r.Members }, lower: true}},
	}
	tables := map[string]*memdb.TableSchema{
		userKind.endpoint:  {Name: userKind.endpoint, Indexes: users},
		groupKind.endpoint: {Name: groupKind.endpoint, Indexes: groups},
	}
	// A tenant's own resource types (customtypes.go) are read through the id index alone.
	for _, k := range ks {
		if k.custom {
			tables[k.endpoint] = &memdb.TableSchema{Name: k.endpoint, Indexes: map[string]*memdb.IndexSchema{"id": id}}
		}
	}
	return &memdb.DBSchema{Tables: tables}
}

// stringIndex indexes a string field of a record as memdb.StringFieldIndex does: an empty value
// is not indexed, lower folds the case, and a NUL ends every key so that no key is a prefix of
// another. It is also a memdb.PrefixIndexer ("id_prefix").
type stringIndex struct {
	field func(*record) string
	lower bool
}

func (x stringIndex) FromObject(obj any) (bool, []byte, error) {
	r, ok := obj.(*record)
	if !ok {
		return false, nil, fmt.Errorf("index a %T: not a record", obj)
	}
	v := x.field(r)
	if v == "" {
		return false, nil, nil
	}
	return true, x.key(v), nil
}

func (x stringIndex) FromArgs(args ...any) ([]byte, error) {
	v, err := stringArg(args)
	if err != nil {
		return nil, err
	}
	return x.key(v), nil
}

func (x stringIndex) PrefixFromArgs(args ...any) ([]byte, error) {
	key, err := x.FromArgs(args...)
	if err != nil {
		return nil, err
	}
	return key[:len(key)-1], nil
}

func (x stringIndex) key(v string) []byte { return indexKey(v, x.lower) }

// stringsIndex indexes every non-empty value of a string slice field, as
// memdb.StringSliceFieldIndex does.
type stringsIndex struct {
	field func(*record) []string
	lower bool
}

func (x stringsIndex) FromObject(obj any) (bool, [][]byte, error) {
	r, ok := obj.(*record)
	if !ok {
		return false, nil, fmt.Errorf("index a %T: not a record", obj)
	}
	var keys [][]byte
	for _, v := range x.field(r) {
		if v != "" {
			keys = append(keys, indexKey(v, x.lower))
		}
	}
	return len(keys) > 0, keys, nil
}

func (x stringsIndex) FromArgs(args ...any) ([]byte, error) {
	v, err := stringArg(args)
	if err != nil {
		return nil, err
	}
	return indexKey(v, x.lower), nil
}

func stringArg(args []any) (string, error) {
	if len(args) != 1 {
		return "", fmt.Errorf("index lookup: want one argument, got %d", len(args))
	}
	v, ok := args[0].(string)
	if !ok {
		return "", fmt.Errorf("index lookup: argument %#v is not a string", args[0])
	}
	return v, nil
}

// foldKey is the form under which the indexes that fold case compare a value: filter.Fold, the one
// rule of the simulator's case-insensitive comparisons, so that an index lookup and a filter
// evaluated on the documents always agree.
func foldKey(v string) string { return filter.Fold(v) }

// indexKey is v (case-folded when lower) and a NUL.
func indexKey(v string, lower bool) []byte {
	if lower {
		v = foldKey(v)
	}
	key := make([]byte, 0, len(v)+1)
	key = append(key, v...)
	return append(key, 0)
}

// store is one tenant's database. Tenant.Reset swaps in an empty database, so every operation
// loads the current one once and works on it. Only the server's committer writes to a store that
// serves requests (commit.go); writeDirect fills one that does not serve yet.
type store struct {
	db     atomic.Pointer[memdb.MemDB]
	seq    atomic.Uint64
	counts [maxKinds]atomic.Int64 // current totals of each resource type (kind.index): memdb has no count
}

func newStore() *store {
	s := &store{}
	s.db.Store(newDB(kinds))
	return s
}

// newDB returns an empty database with a table for each of ks.
func newDB(ks []*kind) *memdb.MemDB { return newDBOf(storeSchema(ks)) }

func newDBOf(schema *memdb.DBSchema) *memdb.MemDB {
	db, err := memdb.NewMemDB(schema)
	if err != nil {
		// The schema is a constant validated by TestStoreSchema: this cannot happen at run time.
		panic(fmt.Sprintf("simulator: invalid memdb schema: %v", err))
	}
	return db
}

func (s *store) count(k *kind) int { return int(s.counts[k.index].Load()) }

func (s *store) read() *memdb.Txn { return s.db.Load().Txn(false) }

// writeDirect runs fn in one write transaction of its own and commits it when fn succeeds: for
// a store no request reaches yet (a state being loaded).
func (s *store) writeDirect(fn func(w *writer) error) error {
	w := newWriter(nil, s)
	defer w.tx.Abort()
	if err := fn(w); err != nil {
		return err
	}
	w.commit()
	return nil
}

func (s *store) get(k *kind, id string) (*record, bool) {
	raw, err := s.read().First(k.endpoint, "id", id)
	if err != nil || raw == nil {
		return nil, false
	}
	return raw.(*record), true
}
