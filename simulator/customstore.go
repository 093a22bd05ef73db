package simulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hashicorp/go-memdb"
)

// A tenant's custom schemas and its store: the store's database has a table for each of the
// tenant's resource types (storeSchema), so a change of the schemas (SetSchemas) is a change of
// the store, made by the committer in order with the tenant's writes, logged by the state file
// ({"schemas":{...}}) and kept in its snapshot. Resources of a resource type the new schemas keep
// stay as they are; those of a resource type they drop are deleted with it.

// initSchemas gives a tenant that serves no request yet the server's schemas (serve --schema,
// --resource-types): they are the server's configuration, which a state file does not keep.
func (t *Tenant) initSchemas(cs CustomSchemas) error {
	ks, err := customKinds(cs)
	if err != nil {
		return fmt.Errorf("tenant %q: %w", t.name, err)
	}
	t.schemas.Store(&schemaSet{custom: cs, kinds: ks})
	t.store.db.Store(newDB(ks))
	return nil
}

// newSchemaSet returns the resource types of cs; nil for none (the built-in ones). own marks a
// set given to the tenant itself (SetSchemas), which the state file keeps.
func newSchemaSet(cs CustomSchemas, own bool) (*schemaSet, error) {
	if len(cs.Schemas) == 0 {
		return nil, nil
	}
	ks, err := customKinds(cs)
	if err != nil {
		return nil, err
	}
	return &schemaSet{custom: cs, kinds: ks, own: own}, nil
}

// useSchemas makes set the tenant's schemas when the batch commits, its store a database with a
// table for each of set's resource types holding what the current one holds of them.
func (w *writer) useSchemas(set *schemaSet) error {
	ks := kinds
	if set != nil {
		ks = set.kinds
	}
	db := newDB(ks)
	tx := db.Txn(true)
	var delta [maxKinds]int64
	had := w.db.DBSchema().Tables
	for _, k := range ks {
		if had[k.endpoint] == nil {
			continue
		}
		it, err := w.tx.Get(k.endpoint, "id")
		if err != nil {
			tx.Abort()
			return fmt.Errorf("copy %s: %w", k.name, err)
		}
		for raw := it.Next(); raw != nil; raw = it.Next() {
			if err := tx.Insert(k.endpoint, raw); err != nil {
				tx.Abort()
				return fmt.Errorf("copy %s %q: %w", k.name, raw.(*record).ID, err)
			}
			delta[k.index]++
		}
	}
	w.tx.Abort()
	w.readTx()
	w.db, w.tx, w.delta, w.reset = db, tx, delta, true
	w.schemas, w.newSchemas = set, true
	w.ops = append(w.ops, writeOp{op: opSchemas, schemas: set})
	return nil
}

// appendSchemasOp appends the log's {"schemas":{...}} operation; {"schemas":{"schemas":[]}}
// returns the tenant to the built-in schemas.
func appendSchemasOp(b []byte, set *schemaSet) []byte {
	var cs CustomSchemas
	if set != nil {
		cs = set.custom
	}
	enc, err := json.Marshal(cs)
	if err != nil {
		// Schemas that were read from JSON marshal again; this cannot happen.
		panic(fmt.Sprintf("simulator: encode the schemas of a log: %v", err))
	}
	b = append(b, `{"schemas":`...)
	b = append(b, enc...)
	return append(b, '}')
}

// UnmarshalJSON reads what MarshalJSON writes, {"schemas": [...], "resourceTypes": [...]}: the
// body of PUT /admin/tenants/{name}/schemas that gives resource types, and a state file's.
func (cs *CustomSchemas) UnmarshalJSON(b []byte) error {
	out, err := decodeCustomSchemas("schemas", b)
	if err != nil {
		return err
	}
	*cs = out
	return nil
}

func decodeCustomSchemas(name string, b []byte) (CustomSchemas, error) {
	var raw struct {
		Schemas       json.RawMessage `json:"schemas"`
		ResourceTypes json.RawMessage `json:"resourceTypes"`
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	var cs CustomSchemas
	if err := d.Decode(&raw); err != nil {
		return cs, fmt.Errorf("%s: want {\"schemas\": [...], \"resourceTypes\": [...]}: %w", name, err)
	}
	var err error
	if !emptyJSON(raw.Schemas) {
		if cs.Schemas, err = LoadSchemas(name, raw.Schemas); err != nil {
			return cs, err
		}
	}
	if !emptyJSON(raw.ResourceTypes) {
		if cs.ResourceTypes, err = LoadResourceTypes(name, raw.ResourceTypes); err != nil {
			return cs, err
		}
	}
	return cs, nil
}

func emptyJSON(b json.RawMessage) bool {
	s := strings.TrimSpace(string(b))
	return s == "" || s == "null" || s == "[]"
}

// isSchemasBody reports whether an admin body is {"schemas": [{...}, ...], "resourceTypes": ...}
// rather than a schema file: a schema resource's and a ListResponse's "schemas" hold URNs.
func isSchemasBody(b []byte) bool {
	var probe struct {
		Schemas       []json.RawMessage `json:"schemas"`
		ResourceTypes json.RawMessage   `json:"resourceTypes"`
	}
	if json.Unmarshal(b, &probe) != nil {
		return false
	}
	return probe.ResourceTypes != nil || len(probe.Schemas) > 0 && bytes.HasPrefix(bytes.TrimSpace(probe.Schemas[0]), []byte("{"))
}

// tablesOf returns the kinds of ks that db has a table for: a snapshot reads the database and
// the tenant's schemas one after the other, and a change of the schemas may come between.
func tablesOf(db *memdb.MemDB, ks []*kind) []*kind {
	tables := db.DBSchema().Tables
	out := make([]*kind, 0, len(ks))
	for _, k := range ks {
		if tables[k.endpoint] != nil {
			out = append(out, k)
		}
	}
	return out
}

// kinds returns the resource types of a tenant being loaded.
func (lt *loadedTenant) kinds() []*kind {
	if lt.schemas != nil {
		return lt.schemas.kinds
	}
	return kinds
}

// kindByEndpoint returns the loaded tenant's resource type at endpoint ep, or nil.
func (lt *loadedTenant) kindByEndpoint(ep string) *kind {
	for _, k := range lt.kinds() {
		if k.endpoint == ep {
			return k
		}
	}
	return nil
}

// useSchemas gives a tenant being loaded the schemas of a snapshot or a log line; nil keeps the
// server's.
func (lt *loadedTenant) useSchemas(cs *CustomSchemas) error {
	if cs == nil {
		return nil
	}
	set, err := newSchemaSet(*cs, true)
	if err != nil {
		return err
	}
	lt.schemas, lt.hasSchemas = set, true
	return lt.w.useSchemas(set)
}

// withResource returns the resources of a snapshot with their documents as Resource, which
// json.Marshal writes: the tenant's first line holds them (encodeState).
func withResource(m map[string][]stateResource) map[string][]stateResource {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string][]stateResource, len(m))
	for ep, list := range m {
		l := make([]stateResource, len(list))
		for i, r := range list {
			if r.Resource == nil {
				r.Resource = json.RawMessage(r.doc)
			}
			l[i] = r
		}
		out[ep] = l
	}
	return out
}
