package engine

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/scimsim/scimsim/internal/decode"
	"go.yaml.in/yaml/v3"
)

// Source kinds: where the subject comes from.
const (
	// KindEntra is a Microsoft Entra ID tenant: the subject is searched by name, UPN or email.
	KindEntra = "entra"
	// KindWorkday is a Workday tenant (Cloud HR): the subject is found by WorkerID or WID only.
	KindWorkday = "workday"
	// KindSuccessFactors is an SAP SuccessFactors tenant (Cloud HR): found by personIdExternal only.
	KindSuccessFactors = "successfactors"
)

// DefaultRole is the app role of an assignment that names none.
const DefaultRole = "User"

// Source is the directory the provisioning service reads: users, groups, app assignments.
type Source struct {
	Pos  Pos
	Kind string
	// DefaultDomain is the default verified domain of the Microsoft Entra tenant, which the
	// DefaultDomain() function returns ("Returns the name of the default verified domain for the
	// current Microsoft Entra tenant", Microsoft's expression reference, DefaultDomain). Empty
	// means the tenant has none, and DefaultDomain() fails.
	DefaultDomain string
	// TenantID and CrossTenantAccess are what cross-tenant synchronization needs of the source
	// tenant: its id, and its outbound automatic redemption setting per target tenant.
	TenantID          string
	CrossTenantAccess CrossTenantAccess
	Users             []*User
	Groups            []*Group
	Assignments       []Assignment
	// index, when set (a Session's source, cycle.go), answers user and assignmentsOf.
	index *sourceIndex
}

// User is a source user. Attrs holds every attribute as written, objectId, accountEnabled and
// softDeleted included, so that mappings and scoping filters can read any of them.
type User struct {
	Pos      Pos
	ObjectID string
	// Attrs: string, bool, int64, float64 or []string; a missing key is null.
	Attrs map[string]any
}

// Group is a source group; Members are user objectIds.
type Group struct {
	Pos         Pos
	ObjectID    string
	DisplayName string
	Members     []string
	Attrs       map[string]any
}

// Assignment assigns a user or a group (Principal, an objectId) to the application with a role.
type Assignment struct {
	Pos        Pos
	Principal  string
	Role       string
	AssignedAt time.Time // zero: long ago
}

// String attribute helper: the attribute as a string, "" when null or not a string.
func (u *User) String(name string) string {
	s, _ := u.Attrs[name].(string)
	return s
}

// Enabled reports accountEnabled (default true).
func (u *User) Enabled() bool {
	b, ok := u.Attrs["accountEnabled"].(bool)
	return !ok || b
}

// SoftDeleted reports softDeleted (default false): the user is in the recycle bin.
func (u *User) SoftDeleted() bool {
	b, _ := u.Attrs["softDeleted"].(bool)
	return b
}

// Display is how reports name the user: the UPN, else the display name, else the objectId.
func (u *User) Display() string {
	for _, k := range []string{"userPrincipalName", "displayName"} {
		if s := u.String(k); s != "" {
			return s
		}
	}
	return u.ObjectID
}

// LoadSource reads and validates a source file. Errors read "file:line: field: message".
func LoadSource(path string) (*Source, error) {
	return loadFile(path, decodeSource)
}

// ParseSource reads a source from b; name is used in error messages.
func ParseSource(name string, b []byte) (*Source, error) {
	return parse(name, b, decodeSource)
}

func decodeSource(root *yaml.Node, d *decode.Decoder) (*Source, error) {
	s := &Source{Pos: d.Pos(root), Kind: KindEntra}
	err := d.Keys(root, "", &s.Pos,
		decode.StrKey("kind", &s.Kind),
		decode.StrKey("defaultDomain", &s.DefaultDomain),
		decode.StrKey("tenantId", &s.TenantID),
		decode.Key{Name: "crossTenantAccess", Set: func(d *decode.Decoder, v *yaml.Node, _ string) error {
			return decodeCrossTenantAccess(d, v, &s.CrossTenantAccess)
		}},
		decode.ListKey("users", &s.Users, decodeUser),
		decode.ListKey("groups", &s.Groups, decodeGroup),
		decode.ListKey("assignments", &s.Assignments, decodeAssignment),
	)
	if err != nil {
		d.Add(err)
	}
	if err := d.Err(); err != nil {
		return nil, err
	}
	return s, s.Validate()
}

func decodeUser(d *decode.Decoder, n *yaml.Node, field string) (*User, error) {
	u := &User{Pos: d.Pos(n), Attrs: map[string]any{}}
	err := d.Fields(n, field, nil, nil, func(key string, k, v *yaml.Node) error {
		f := decode.Field(field, key)
		switch key {
		case "accountEnabled", "softDeleted":
			b, err := d.Bool(v, f)
			u.Attrs[key] = b
			return err
		case "objectId":
			var err error
			u.ObjectID, err = d.Str(v, f)
			u.Attrs[key] = u.ObjectID
			return err
		}
		val, err := d.Scalar(v, f)
		if val != nil {
			u.Attrs[key] = val
		}
		return err
	})
	return u, err
}

func decodeGroup(d *decode.Decoder, n *yaml.Node, field string) (*Group, error) {
	g := &Group{Pos: d.Pos(n), Attrs: map[string]any{}}
	err := d.Fields(n, field, &g.Pos, nil, func(key string, k, v *yaml.Node) error {
		f := decode.Field(field, key)
		var err error
		switch key {
		case "objectId":
			g.ObjectID, err = d.Str(v, f)
			g.Attrs[key] = g.ObjectID
		case "displayName":
			g.DisplayName, err = d.Str(v, f)
			g.Attrs[key] = g.DisplayName
		case "members":
			g.Members, err = d.Strings(v, f)
		default:
			var val any
			val, err = d.Scalar(v, f)
			if val != nil {
				g.Attrs[key] = val
			}
		}
		return err
	})
	return g, err
}

func decodeAssignment(d *decode.Decoder, n *yaml.Node, field string) (Assignment, error) {
	a := Assignment{Pos: d.Pos(n)}
	err := d.Keys(n, field, &a.Pos,
		decode.StrKey("principal", &a.Principal),
		decode.StrKey("role", &a.Role),
		decode.TimeKey("assignedAt", &a.AssignedAt),
	)
	return a, err
}

// Validate checks the source: a known kind, objectIds present and unique across users and groups,
// group members and assignment principals that exist.
func (s *Source) Validate() error {
	switch s.Kind {
	case KindEntra, KindWorkday, KindSuccessFactors:
	default:
		return &FieldError{Pos: s.Pos.At("kind"), Field: "kind", Msg: fmt.Sprintf("unknown kind %q (want entra, workday or successfactors)", s.Kind)}
	}
	if s.DefaultDomain != "" {
		if err := ValidateDomainName(s.DefaultDomain); err != nil {
			return &FieldError{Pos: s.Pos.At("defaultDomain"), Field: "defaultDomain", Msg: err.Error()}
		}
	}
	ids := map[string]Pos{}
	users := map[string]bool{}
	for i, u := range s.Users {
		field := fmt.Sprintf("users[%d].objectId", i)
		if u.ObjectID == "" {
			return &FieldError{Pos: u.Pos, Field: field, Msg: "required"}
		}
		if p, dup := ids[u.ObjectID]; dup {
			return &FieldError{Pos: u.Pos, Field: field, Msg: fmt.Sprintf("%q is already used at %s", u.ObjectID, p)}
		}
		ids[u.ObjectID] = u.Pos
		users[u.ObjectID] = true
	}
	groups := map[string]bool{}
	for i, g := range s.Groups {
		field := fmt.Sprintf("groups[%d]", i)
		if g.ObjectID == "" {
			return &FieldError{Pos: g.Pos, Field: field + ".objectId", Msg: "required"}
		}
		if g.DisplayName == "" {
			return &FieldError{Pos: g.Pos, Field: field + ".displayName", Msg: "required"}
		}
		if p, dup := ids[g.ObjectID]; dup {
			return &FieldError{Pos: g.Pos, Field: field + ".objectId", Msg: fmt.Sprintf("%q is already used at %s", g.ObjectID, p)}
		}
		ids[g.ObjectID] = g.Pos
		groups[g.ObjectID] = true
	}
	// A member is a user or, nested, another group.
	for i, g := range s.Groups {
		for j, m := range g.Members {
			if !users[m] && (!groups[m] || m == g.ObjectID) {
				return &FieldError{Pos: g.Pos.At("members"), Field: fmt.Sprintf("groups[%d].members[%d]", i, j), Msg: fmt.Sprintf("no user or other group has objectId %q", m)}
			}
		}
	}
	for i, a := range s.Assignments {
		field := fmt.Sprintf("assignments[%d].principal", i)
		if a.Principal == "" {
			return &FieldError{Pos: a.Pos, Field: field, Msg: "required"}
		}
		if _, ok := ids[a.Principal]; !ok {
			return &FieldError{Pos: a.Pos.At("principal"), Field: field, Msg: fmt.Sprintf("no user or group has objectId %q", a.Principal)}
		}
	}
	return nil
}

// ValidateDomainName checks that name can be a verified domain of a Microsoft Entra tenant: a DNS
// name of at least two labels (contoso.com, contoso.onmicrosoft.com), each of 1 to 63 letters,
// digits and hyphens that neither starts nor ends with a hyphen, 253 characters at most (RFC 1035
// Section 2.3.4, RFC 1123 Section 2.1). An internationalized domain is written in its xn-- form.
func ValidateDomainName(name string) error {
	if len(name) > 253 {
		return fmt.Errorf("domain name %q is %d characters long; a domain name has at most 253", name, len(name))
	}
	labels := strings.Split(name, ".")
	if len(labels) < 2 {
		return fmt.Errorf("%q is not a domain name such as contoso.com: a verified domain has at least two labels", name)
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 {
			return fmt.Errorf("domain name %q has a label of %d characters; labels have 1 to 63", name, len(l))
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return fmt.Errorf("domain name %q has a label %q that starts or ends with a hyphen", name, l)
		}
		for _, c := range l {
			if !(c == '-' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
				return fmt.Errorf("domain name %q holds %q: labels are letters, digits and hyphens (write an internationalized domain in its xn-- form)", name, c)
			}
		}
	}
	return nil
}

// assignmentsOf returns the assignments that reach principal id: its own and those of the groups
// it is a direct member of (nested groups are not expanded, as Entra documents).
func (s *Source) assignmentsOf(id string) []Assignment {
	if s.index != nil {
		return s.index.assignmentsOf(id)
	}
	var out []Assignment
	via := map[string]bool{id: true}
	for _, g := range s.Groups {
		if slices.Contains(g.Members, id) {
			via[g.ObjectID] = true
		}
	}
	for _, a := range s.Assignments {
		if via[a.Principal] {
			out = append(out, a)
		}
	}
	return out
}

// nestedUnderAssigned reports whether id reaches an assigned group only through a nested group: a
// group that is a member of an assigned group, or a user who is a member of such a group, which
// on-demand provisioning does not expand ("On-demand provisioning doesn't support nested groups that
// aren't directly assigned to the application", provision-on-demand.md, Known limitations).
func (s *Source) nestedUnderAssigned(id string) bool {
	minDepth := 1 // a user's own groups are direct membership
	if s.isGroup(id) {
		minDepth = 0
	}
	assigned := map[string]bool{}
	for _, a := range s.Assignments {
		assigned[a.Principal] = true
	}
	seen := map[string]bool{id: true}
	frontier := []string{id}
	for depth := 0; len(frontier) > 0; depth++ {
		var next []string
		for _, g := range s.Groups {
			if seen[g.ObjectID] || !slices.ContainsFunc(frontier, func(m string) bool { return slices.Contains(g.Members, m) }) {
				continue
			}
			if depth >= minDepth && assigned[g.ObjectID] {
				return true
			}
			seen[g.ObjectID] = true
			next = append(next, g.ObjectID)
		}
		frontier = next
	}
	return false
}

// isGroup reports whether id is a group of the source.
func (s *Source) isGroup(id string) bool {
	for _, g := range s.Groups {
		if g.ObjectID == id {
			return true
		}
	}
	return false
}

func (a Assignment) role() string {
	if a.Role == "" {
		return DefaultRole
	}
	return a.Role
}
