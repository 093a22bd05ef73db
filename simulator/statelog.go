package simulator

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"strconv"
)

// The state log: one line per batch of writes, "CRC32C JSON\n", where CRC32C is the Castagnoli
// checksum of the JSON in 8 hexadecimal digits and the JSON is
//
//	{"seq":N,"tenants":[{"name":"acme","ids":"...","next":M,"ops":[OP,...]},...]}
//
// N numbers the batches from the first (a snapshot holds the batches up to its logSeq), ids is
// the tenant's id generator after the batch, next its insertion sequence, and an OP is one of
//
//	{"put":"Users","seq":12,"resource":{...}}   a resource stored, as a snapshot holds it
//	{"delete":"Users","id":"..."}               a resource deleted
//	{"reset":true}                              the tenant's store emptied
//	{"config":{"profile":"strict","token":"t"}} the tenant's profile and token
//	{"drop":true}                               the tenant deleted
//	{"schemas":{"schemas":[...],...}}           the tenant's custom schemas (customstore.go)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

type logBatch struct {
	Seq     uint64      `json:"seq"`
	Tenants []logTenant `json:"tenants"`
}

type logTenant struct {
	Name string  `json:"name"`
	IDs  []byte  `json:"ids"`
	Next uint64  `json:"next"`
	Ops  []logOp `json:"ops"`
}

type logOp struct {
	Put      string          `json:"put,omitempty"`
	Seq      uint64          `json:"seq,omitempty"`
	Resource json.RawMessage `json:"resource,omitempty"`
	Delete   string          `json:"delete,omitempty"`
	ID       string          `json:"id,omitempty"`
	Reset    bool            `json:"reset,omitempty"`
	Config   *logConfig      `json:"config,omitempty"`
	Drop     bool            `json:"drop,omitempty"`
	Schemas  *CustomSchemas  `json:"schemas,omitempty"`
}

type logConfig struct {
	Profile string `json:"profile"`
	Token   string `json:"token,omitempty"`
}

// encodeBatch returns the log line of the batch's changes that stored something, numbered seq;
// ok is false when none did. f.mu is held.
func (f *StateFile) encodeBatch(batch []*change, seq uint64) (line []byte, ok bool) {
	var tenants []*Tenant
	for _, ch := range batch {
		if ch.err != nil || len(ch.ops) == 0 {
			continue
		}
		found := false
		for _, t := range tenants {
			found = found || t == ch.t
		}
		if !found {
			tenants = append(tenants, ch.t)
		}
	}
	if len(tenants) == 0 {
		return nil, false
	}
	b := append(f.buf[:0], "00000000 {\"seq\":"...)
	b = strconv.AppendUint(b, seq, 10)
	b = append(b, `,"tenants":[`...)
	for i, t := range tenants {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"name":"`...)
		b = appendJSONEscaped(b, t.name)
		b = append(b, `","ids":"`...)
		ids, _ := t.ids.marshal()
		b = base64.StdEncoding.AppendEncode(b, ids)
		b = append(b, `","next":`...)
		b = strconv.AppendUint(b, t.store.seq.Load(), 10)
		b = append(b, `,"ops":[`...)
		first := true
		for _, ch := range batch {
			if ch.t != t || ch.err != nil {
				continue
			}
			for _, op := range ch.ops {
				if !first {
					b = append(b, ',')
				}
				first = false
				b = appendOp(b, op)
			}
		}
		b = append(b, "]}"...)
	}
	b = append(b, "]}\n"...)
	sum := crc32.Checksum(b[9:len(b)-1], castagnoli)
	const hex = "0123456789abcdef"
	for i := 7; i >= 0; i-- {
		b[i] = hex[sum&0xf]
		sum >>= 4
	}
	if cap(b) <= 1<<20 {
		f.buf = b
	}
	return b, true
}

func appendOp(b []byte, op writeOp) []byte {
	switch op.op {
	case opPut:
		b = append(b, `{"put":"`...)
		b = append(b, op.k.endpoint...)
		b = append(b, `","seq":`...)
		b = strconv.AppendUint(b, op.rec.Seq, 10)
		b = append(b, `,"resource":`...)
		b = append(b, op.rec.Doc...)
		return append(b, '}')
	case opDelete:
		b = append(b, `{"delete":"`...)
		b = append(b, op.k.endpoint...)
		b = append(b, `","id":"`...)
		b = appendJSONEscaped(b, op.old.ID)
		return append(b, `"}`...)
	case opReset:
		return append(b, `{"reset":true}`...)
	case opSchemas:
		return appendSchemasOp(b, op.schemas)
	case opConfig:
		b = append(b, `{"config":{"profile":"`...)
		b = appendJSONEscaped(b, string(op.cfg.profile))
		b = append(b, `","token":"`...)
		b = appendJSONEscaped(b, op.cfg.token)
		return append(b, `"}}`...)
	}
	return append(b, `{"drop":true}`...)
}

// replayFile applies the batches of one log file that the snapshot does not hold. A last line
// that a crash cut short (its batch was never acknowledged) is cut off the file; a damaged line
// followed by others is an error naming it.
func (ld *loading) replayFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	for off, n := 0, 1; off < len(data); n++ {
		end := bytes.IndexByte(data[off:], '\n')
		last := end < 0 || off+end+1 == len(data)
		var line []byte
		if end < 0 {
			line = data[off:]
		} else {
			line = data[off : off+end]
		}
		b, err := parseLogLine(line, end >= 0)
		if err != nil {
			if last {
				ld.srv.opts.logger.Warn("state log: dropped a batch that a crash cut short (never acknowledged)", "file", path, "line", n, "err", err)
				return os.Truncate(path, int64(off))
			}
			return fmt.Errorf("line %d: %w", n, err)
		}
		if err := ld.apply(b); err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
		if end < 0 {
			break
		}
		off += end + 1
	}
	return nil
}

func parseLogLine(line []byte, complete bool) (logBatch, error) {
	if !complete {
		return logBatch{}, errors.New("the line has no end")
	}
	if len(line) < 10 || line[8] != ' ' {
		return logBatch{}, errors.New("not a log line")
	}
	want, err := strconv.ParseUint(string(line[:8]), 16, 32)
	if err != nil {
		return logBatch{}, fmt.Errorf("checksum %q: %w", line[:8], err)
	}
	if got := crc32.Checksum(line[9:], castagnoli); uint64(got) != want {
		return logBatch{}, fmt.Errorf("checksum %08x, the line's is %08x", got, want)
	}
	var b logBatch
	d := json.NewDecoder(bytes.NewReader(line[9:]))
	d.DisallowUnknownFields()
	if err := d.Decode(&b); err != nil {
		return logBatch{}, err
	}
	return b, nil
}

// apply applies one batch of the log, unless the snapshot already holds it.
func (ld *loading) apply(b logBatch) error {
	if b.Seq <= ld.seq {
		return nil
	}
	if b.Seq != ld.seq+1 {
		return fmt.Errorf("batch %d follows batch %d: a log file is missing", b.Seq, ld.seq)
	}
	for _, lt := range b.Tenants {
		if lt.Name != "" && !ValidTenantName(lt.Name) {
			return fmt.Errorf("tenant %q: names are letters, digits, '.', '_' and '-'", lt.Name)
		}
		if err := newIDGenerator(0, "").unmarshal(lt.IDs); err != nil {
			return fmt.Errorf("tenant %q: ids: %w", lt.Name, err)
		}
		t := ld.add(lt.Name)
		for i, op := range lt.Ops {
			if t.dropped {
				t = ld.add(lt.Name) // what follows a drop makes the tenant anew
			}
			if err := ld.applyOp(t, op); err != nil {
				return fmt.Errorf("tenant %q: operation %d: %w", lt.Name, i+1, err)
			}
		}
		if !t.dropped {
			t.ids = lt.IDs
			if lt.Next > t.store.seq.Load() {
				t.store.seq.Store(lt.Next)
			}
		}
	}
	ld.seq = b.Seq
	return nil
}

func (ld *loading) applyOp(t *loadedTenant, op logOp) error {
	switch {
	case op.Put != "":
		k := t.kindByEndpoint(op.Put)
		if k == nil {
			return fmt.Errorf("put of unknown resource type %q", op.Put)
		}
		rec, err := decodeRecord(k, stateResource{Seq: op.Seq, Resource: op.Resource})
		if err != nil {
			return err
		}
		return t.insert(k, rec)
	case op.Delete != "":
		k := t.kindByEndpoint(op.Delete)
		if k == nil {
			return fmt.Errorf("delete of unknown resource type %q", op.Delete)
		}
		rec, ok := t.w.get(k, op.ID)
		if !ok {
			return fmt.Errorf("delete of %s %q, which is not stored", k.name, op.ID)
		}
		if err := t.w.delete(k, rec); err != nil {
			return err
		}
	case op.Reset:
		t.w.emptyStore()
	case op.Config != nil:
		p, err := ParseProfile(op.Config.Profile)
		if err != nil {
			return err
		}
		t.profile, t.token, t.hasCfg = p, op.Config.Token, true
	case op.Schemas != nil:
		if err := t.useSchemas(op.Schemas); err != nil {
			return err
		}
	case op.Drop:
		t.dropped = true
	default:
		return errors.New("an operation of no known kind")
	}
	t.w.ops = t.w.ops[:0]
	return nil
}
