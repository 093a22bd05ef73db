package engine

import (
	"fmt"
	"time"

	"github.com/scimsim/scimsim/internal/decode"
	"go.yaml.in/yaml/v3"
)

// Changes is what happens in the source directory between provisioning cycles, and what the
// administrator does to the job: a changes file. Each set is applied before the cycle it names.
//
//	cycles:
//	  - cycle: 2                       # applied before cycle 2, the first incremental cycle
//	    add: {users: [...], groups: [...]}       # new objects, written as in the source file
//	    change: {users: [{objectId: u-alice, jobTitle: Director, department: null}]}
//	    assign: [{principal: u-zoe, role: User}]
//	    unassign: [u-carol, g-sales]   # every assignment of these principals
//	    softDelete: [u-bob]            # to the recycle bin (users and groups)
//	    restore: [u-bob]
//	    members:
//	      add: [{group: g-sales, users: [u-zoe]}]
//	      remove: [{group: g-sales, users: [u-alice]}]
//	    admin: {token: new-secret, restart: true, start: true, allowDeletes: true}
//
// Every entry names the object it touches; one the source (as changed by the sets before it) does
// not have is an error naming the file, line and field.
type Changes struct {
	Pos  Pos
	Sets []ChangeSet
}

// ChangeSet is the changes applied before one cycle.
type ChangeSet struct {
	Pos Pos
	// Cycle is the cycle the set is applied before (2 or more: cycle 1 reads the source as given).
	Cycle         int
	AddUsers      []*User
	AddGroups     []*Group
	ChangeUsers   []AttrChange
	ChangeGroups  []AttrChange
	Assign        []Assignment
	Unassign      []Ref
	SoftDelete    []Ref
	Restore       []Ref
	AddMembers    []Membership
	RemoveMembers []Membership
	Admin         AdminActions
}

// AttrChange sets attributes of an existing object; a nil value removes the attribute.
type AttrChange struct {
	Pos      Pos
	ObjectID string
	Attrs    map[string]any
}

// Ref names an existing object by objectId.
type Ref struct {
	Pos Pos
	ID  string
}

// Membership is users joining or leaving a group.
type Membership struct {
	Pos   Pos
	Group string
	Users []string
}

// AdminActions are what the administrator does to the job before the cycle (the provisioning
// page's buttons, Graph's synchronizationJob actions).
type AdminActions struct {
	// Token, when set, is the new Secret Token ("authorize access again with valid credentials",
	// application-provisioning-quarantine-status.md).
	Token *string
	// Restart is "Restart provisioning": "A full initial cycle will run again, which clears
	// escrows, removes the app from quarantine, and clears any watermarks" (same page).
	Restart bool
	// Start is Graph's Start synchronizationJob: "If the job is in a paused state, it continues
	// processing changes from the point where it was paused. If the job is in quarantine, the
	// quarantine status is cleared."
	Start bool
	// AllowDeletes is "Allow deletes": "deletes the objects that triggered the accidental delete
	// threshold" (accidental-deletions.md).
	AllowDeletes bool
}

// Empty reports whether the set changes nothing.
func (a AdminActions) Empty() bool {
	return a.Token == nil && !a.Restart && !a.Start && !a.AllowDeletes
}

// LoadChanges reads a changes file and checks it against src: every object it names must exist
// when its set is applied. Errors read "file:line: field: message".
func LoadChanges(path string, src *Source) (*Changes, error) {
	return loadFile(path, func(root *yaml.Node, d *decode.Decoder) (*Changes, error) { return decodeChanges(root, d, src) })
}

// ParseChanges reads a changes file from b; name is used in error messages.
func ParseChanges(name string, b []byte, src *Source) (*Changes, error) {
	return parse(name, b, func(root *yaml.Node, d *decode.Decoder) (*Changes, error) { return decodeChanges(root, d, src) })
}

// DecodeChangeSet reads one set of changes from a YAML node of the file name (the changes of one
// cycle of a scenario file), for cycle; Check validates it against a source.
func DecodeChangeSet(name string, n *yaml.Node, cycle int) (ChangeSet, error) {
	d := decode.New(name)
	cs, err := decodeChangeSet(d, n, "changes", false)
	if err != nil {
		d.Add(err)
	}
	cs.Cycle = cycle
	return cs, d.Err()
}

func decodeChanges(root *yaml.Node, d *decode.Decoder, src *Source) (*Changes, error) {
	c := &Changes{Pos: d.Pos(root)}
	err := d.Fields(root, "", &c.Pos, []string{"cycles"}, func(key string, k, v *yaml.Node) error {
		if key != "cycles" {
			return decode.ErrUnknownKey
		}
		return d.Sequence(v, "cycles", func(i int, item *yaml.Node) error {
			cs, err := decodeChangeSet(d, item, fmt.Sprintf("cycles[%d]", i), true)
			c.Sets = append(c.Sets, cs)
			return err
		})
	})
	if err != nil {
		d.Add(err)
	}
	if err := d.Err(); err != nil {
		return nil, err
	}
	for i, cs := range c.Sets {
		field := fmt.Sprintf("cycles[%d].cycle", i)
		switch {
		case cs.Cycle < 2 && cs.Cycle != 0:
			return nil, &FieldError{Pos: cs.Pos.At("cycle"), Field: field, Msg: fmt.Sprintf("want the number of the cycle the changes come before, 2 or more (cycle 1 reads the source file), got %d", cs.Cycle)}
		case i > 0 && cs.Cycle <= c.Sets[i-1].Cycle:
			return nil, &FieldError{Pos: cs.Pos.At("cycle"), Field: field, Msg: fmt.Sprintf("cycle %d comes after cycle %d: list the cycles in increasing order, each once", cs.Cycle, c.Sets[i-1].Cycle)}
		}
	}
	if src != nil {
		if err := c.Check(src); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Check applies every set, in order, to a copy of src, and returns the first entry that names an
// object the source does not have at that point.
func (c *Changes) Check(src *Source) error {
	cp := src.Clone()
	for _, cs := range c.Sets {
		if _, err := cp.Apply(cs, time.Time{}); err != nil {
			return err
		}
	}
	return nil
}

// Set returns the set applied before cycle n, and whether there is one.
func (c *Changes) Set(n int) (ChangeSet, bool) {
	if c == nil {
		return ChangeSet{}, false
	}
	for _, cs := range c.Sets {
		if cs.Cycle == n {
			return cs, true
		}
	}
	return ChangeSet{}, false
}

// Last returns the highest cycle a set names, 0 when there is none.
func (c *Changes) Last() int {
	if c == nil || len(c.Sets) == 0 {
		return 0
	}
	return c.Sets[len(c.Sets)-1].Cycle
}

func decodeChangeSet(d *decode.Decoder, n *yaml.Node, field string, numbered bool) (ChangeSet, error) {
	cs := ChangeSet{Pos: d.Pos(n)}
	refs := func(name string, p *[]Ref) decode.Key {
		return decode.ListKey(name, p, func(d *decode.Decoder, item *yaml.Node, f string) (Ref, error) {
			s, err := d.Str(item, f)
			return Ref{Pos: d.Pos(item), ID: s}, err
		})
	}
	cycle := decode.IntKey("cycle", &cs.Cycle)
	err := d.Keys(n, field, &cs.Pos,
		decode.Key{Name: "cycle", Set: func(d *decode.Decoder, v *yaml.Node, f string) error {
			if !numbered {
				return decode.ErrUnknownKey
			}
			return cycle.Set(d, v, f)
		}},
		decode.MappingKey("add", nil,
			decode.ListKey("users", &cs.AddUsers, decodeUser),
			decode.ListKey("groups", &cs.AddGroups, decodeGroup),
		),
		decode.MappingKey("change", nil,
			decode.ListKey("users", &cs.ChangeUsers, decodeAttrChange),
			decode.ListKey("groups", &cs.ChangeGroups, decodeAttrChange),
		),
		decode.ListKey("assign", &cs.Assign, decodeAssignment),
		refs("unassign", &cs.Unassign),
		refs("softDelete", &cs.SoftDelete),
		refs("restore", &cs.Restore),
		decode.MappingKey("members", nil,
			decode.ListKey("add", &cs.AddMembers, decodeMembership),
			decode.ListKey("remove", &cs.RemoveMembers, decodeMembership),
		),
		decode.MappingKey("admin", nil,
			decode.Key{Name: "token", Set: func(d *decode.Decoder, v *yaml.Node, f string) error {
				cs.Admin.Token = new(string)
				return decode.StrKey("token", cs.Admin.Token).Set(d, v, f)
			}},
			decode.BoolKey("restart", &cs.Admin.Restart),
			decode.BoolKey("start", &cs.Admin.Start),
			decode.BoolKey("allowDeletes", &cs.Admin.AllowDeletes),
		),
	)
	if err == nil && numbered && cs.Cycle == 0 {
		err = &FieldError{Pos: cs.Pos, Field: decode.Field(field, "cycle"), Msg: "required: the number of the cycle the changes come before"}
	}
	return cs, err
}

func decodeAttrChange(d *decode.Decoder, n *yaml.Node, field string) (AttrChange, error) {
	ac := AttrChange{Pos: d.Pos(n), Attrs: map[string]any{}}
	err := d.Fields(n, field, &ac.Pos, nil, func(key string, k, v *yaml.Node) error {
		f := decode.Field(field, key)
		if key == "objectId" {
			var err error
			ac.ObjectID, err = d.Str(v, f)
			return err
		}
		if key == "members" {
			return d.Errorf(k, f, "a group's members change with members.add and members.remove")
		}
		val, err := d.Scalar(v, f)
		ac.Attrs[key] = val
		return err
	})
	if err == nil && ac.ObjectID == "" {
		err = &FieldError{Pos: ac.Pos, Field: decode.Field(field, "objectId"), Msg: "required: the object whose attributes change"}
	}
	return ac, err
}

func decodeMembership(d *decode.Decoder, n *yaml.Node, field string) (Membership, error) {
	m := Membership{Pos: d.Pos(n)}
	err := d.Keys(n, field, &m.Pos,
		decode.StrKey("group", &m.Group),
		decode.StringsKey("users", &m.Users),
	)
	if err == nil && (m.Group == "" || len(m.Users) == 0) {
		err = &FieldError{Pos: m.Pos, Field: field, Msg: "want {group: GROUP-OBJECTID, users: [USER-OBJECTID, ...]}"}
	}
	return m, err
}
