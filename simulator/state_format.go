package simulator

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// The snapshot's format: what a state file holds, how it is written (encodeState, one resource
// per line) and read back (decodeState, with a fast path for that layout), and the id
// generator's state inside it.

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
	// Schemas are the tenant's own custom schemas (PUT /admin/tenants/{name}/schemas), and
	// Resources the resources of its own resource types by endpoint (customtypes.go); both are on
	// the tenant's first line.
	Schemas   *CustomSchemas             `json:"schemas,omitempty"`
	Resources map[string][]stateResource `json:"resources,omitempty"`
}

// stateResource is one stored resource: its insertion order and its SCIM JSON (with id and meta,
// without meta.location, which depends on the request's host).
type stateResource struct {
	Seq      uint64          `json:"seq"`
	Resource json.RawMessage `json:"resource"`
	doc      string          // a snapshot's: the record's document, written as Resource
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
			Name      string                     `json:"name"`
			Profile   string                     `json:"profile"`
			Token     string                     `json:"token,omitempty"`
			IDs       []byte                     `json:"ids"`
			Seq       uint64                     `json:"seq"`
			Schemas   *CustomSchemas             `json:"schemas,omitempty"`
			Resources map[string][]stateResource `json:"resources,omitempty"`
		}{t.Name, t.Profile, t.Token, t.IDs, t.Seq, t.Schemas, withResource(t.Resources)})
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
