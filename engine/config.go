package engine

import (
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/scimsim/scimsim/engine/expr"
	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/internal/decode"
	"github.com/scimsim/scimsim/wire"
)

// Defaults of a job config.
const (
	DefaultScope = ScopeAssigned
	// DefaultTimeout bounds a whole run. It is scimsim's own guard, so that a run against a target
	// that never answers ends: Microsoft documents no time limit for on-demand provisioning, only
	// that it "typically takes less than 30 seconds" (provision-on-demand.md, Frequently asked
	// questions), which is where the value comes from.
	DefaultTimeout = 30 * time.Second
	// DefaultReplicationDelay is how long an assignment takes to be honoured by on-demand
	// provisioning ("a replicate delay of up to a few minutes").
	DefaultReplicationDelay = 2 * time.Minute
)

// Scopes: "Sync only assigned users and groups" or "Sync all users and groups".
const (
	ScopeAssigned = "assigned"
	ScopeAll      = "all"
)

// Target object actions.
const (
	ActionCreate = "create"
	ActionUpdate = "update"
	ActionDelete = "delete"
)

// Authorization methods of the target.
const (
	AuthBearer = "bearer"
	AuthOAuth  = "oauth"
)

// Mapping apply modes ("Apply this mapping": Always or Only during object creation).
const (
	ApplyAlways   = "always"
	ApplyCreation = "creation"
)

// Config is a provisioning job's configuration: where the target is, how the job behaves, and
// the attribute mappings for users and groups.
type Config struct {
	Pos    Pos
	Target Target
	Job    Job
	Users  ObjectMapping
	Groups ObjectMapping
}

// Target is the application's SCIM endpoint and credentials.
type Target struct {
	Pos   Pos
	URL   string // the Tenant URL; a query string may carry feature flags such as aadOptscim062020
	Token string // the Secret Token
	Auth  string // bearer (default) or oauth
	App   string // the application's name, for messages

	tenant entra.TenantURL // URL parsed, by compile
}

// Job is the provisioning job's settings.
type Job struct {
	Pos     Pos
	Running bool
	Scope   string
	// Kind is what the job provisions into: scim (default) or crossTenant (another Microsoft Entra
	// tenant, through Microsoft Graph).
	Kind string
	// Dialect is the request dialect; empty means entra, whatever the tenant URL says.
	Dialect string
	Actions []string
	// ReplicationDelay: an assignment younger than this is not honoured yet. A config file that
	// does not set it gets DefaultReplicationDelay; a Config built in Go gets what it says.
	ReplicationDelay time.Duration
	RequiredRoles    []string
	Timeout          time.Duration
	// RequestTimeout bounds one HTTP attempt; 0 means a third of Timeout, so that an attempt
	// that timed out can be retried within the budget.
	RequestTimeout time.Duration
	// PreventAccidentalDeletions and AccidentalDeletionThreshold are the job's "Prevent accidental
	// deletions" setting, which provisioning cycles apply (cycle.go); 0 with prevention on means
	// DefaultAccidentalDeletionThreshold.
	PreventAccidentalDeletions  bool
	AccidentalDeletionThreshold int
}

// ObjectMapping is the mapping of one object type (users or groups).
type ObjectMapping struct {
	Pos            Pos
	Enabled        bool
	Mappings       []*Mapping
	ScopingFilters []ScopingFilter
}

// Mapping is one attribute mapping: a source attribute, a constant or an expression flowing into
// a target attribute.
type Mapping struct {
	Pos        Pos
	Source     string
	Expression string
	Constant   string
	// Default is the "Default value if null", applied on create only.
	Default  string
	Target   string
	Matching int    // matching precedence; 0 = not a matching attribute
	Apply    string // always (default) or creation

	// expr and path are Expression and Target parsed, by compile.
	expr *expr.Expr
	path wire.Path
}

// ScopingFilter is a named group of clauses that are AND-ed; the filters of a mapping are OR-ed.
type ScopingFilter struct {
	Pos     Pos
	Name    string
	Clauses []Clause
}

// Clause is one scoping condition.
type Clause struct {
	Pos       Pos
	Attribute string
	Operator  string
	Value     string
}

// LoadConfig reads and validates a job config file. Errors read "file:line: field: message".
func LoadConfig(path string) (*Config, error) {
	root, d, err := readDocument(path)
	if err != nil {
		return nil, err
	}
	return decodeConfig(root, d)
}

// ParseConfig reads a job config from b; name is used in error messages.
func ParseConfig(name string, b []byte) (*Config, error) {
	root, d, err := decode.Mapping(name, b)
	if err != nil {
		return nil, err
	}
	return decodeConfig(root, d)
}

func decodeConfig(root *yaml.Node, d *decode.Decoder) (*Config, error) {
	c := &Config{Pos: d.Pos(root)}
	// Sections left out are reported at the top of the file.
	c.Target.Pos, c.Job.Pos, c.Users.Pos, c.Groups.Pos = c.Pos, c.Pos, c.Pos, c.Pos
	c.Job.ReplicationDelay = DefaultReplicationDelay
	c.Users.Enabled = true
	err := d.Fields(root, "", nil, []string{"target", "job", "users", "groups"}, func(key string, k, v *yaml.Node) error {
		switch key {
		case "target":
			return decodeTarget(d, v, &c.Target)
		case "job":
			return decodeJob(d, v, &c.Job)
		case "users":
			return decodeObjectMapping(d, v, "users", &c.Users)
		case "groups":
			return decodeObjectMapping(d, v, "groups", &c.Groups)
		}
		return decode.ErrUnknownKey
	})
	if err != nil {
		d.Add(err)
	}
	// Values of the wrong shape leave fields unset: validating them would only add noise.
	if err := d.Err(); err != nil {
		return nil, err
	}
	return c, c.Validate()
}

func decodeTarget(d *decode.Decoder, n *yaml.Node, t *Target) error {
	t.Pos = d.Pos(n)
	return d.Fields(n, "target", &t.Pos, []string{"url", "token", "auth", "app"}, func(key string, k, v *yaml.Node) error {
		f := "target." + key
		var err error
		switch key {
		case "url":
			t.URL, err = d.Str(v, f)
		case "token":
			t.Token, err = d.Str(v, f)
		case "auth":
			t.Auth, err = d.Str(v, f)
		case "app":
			t.App, err = d.Str(v, f)
		default:
			return decode.ErrUnknownKey
		}
		return err
	})
}

func decodeJob(d *decode.Decoder, n *yaml.Node, j *Job) error {
	j.Pos = d.Pos(n)
	j.ReplicationDelay = DefaultReplicationDelay
	return d.Fields(n, "job", &j.Pos, []string{"running", "scope", "kind", "dialect", "actions", "replicationDelay", "requiredRoles", "timeout", "requestTimeout", "preventAccidentalDeletions", "accidentalDeletionThreshold"}, func(key string, k, v *yaml.Node) error {
		f := "job." + key
		var err error
		switch key {
		case "running":
			j.Running, err = d.Bool(v, f)
		case "scope":
			j.Scope, err = d.Str(v, f)
		case "kind":
			j.Kind, err = d.Str(v, f)
		case "dialect":
			j.Dialect, err = d.Str(v, f)
		case "actions":
			j.Actions, err = d.Strings(v, f)
			if err == nil && j.Actions == nil {
				j.Actions = []string{}
			}
		case "replicationDelay":
			j.ReplicationDelay, err = d.Duration(v, f)
		case "requiredRoles":
			j.RequiredRoles, err = d.Strings(v, f)
		case "timeout":
			j.Timeout, err = d.Duration(v, f)
		case "requestTimeout":
			j.RequestTimeout, err = d.Duration(v, f)
		case "preventAccidentalDeletions":
			j.PreventAccidentalDeletions, err = d.Bool(v, f)
		case "accidentalDeletionThreshold":
			j.AccidentalDeletionThreshold, err = d.Int(v, f)
		default:
			return decode.ErrUnknownKey
		}
		return err
	})
}

func decodeObjectMapping(d *decode.Decoder, n *yaml.Node, field string, m *ObjectMapping) error {
	m.Pos = d.Pos(n)
	return d.Fields(n, field, &m.Pos, []string{"enabled", "mappings", "scopingFilters"}, func(key string, k, v *yaml.Node) error {
		f := field + "." + key
		var err error
		switch key {
		case "enabled":
			m.Enabled, err = d.Bool(v, f)
		case "mappings":
			err = decodeList(d, v, f, &m.Mappings, decodeMapping)
		case "scopingFilters":
			err = decodeList(d, v, f, &m.ScopingFilters, decodeScopingFilter)
		default:
			return decode.ErrUnknownKey
		}
		return err
	})
}

func decodeMapping(d *decode.Decoder, n *yaml.Node, field string) (*Mapping, error) {
	m := &Mapping{Pos: d.Pos(n)}
	err := d.Fields(n, field, &m.Pos, []string{"source", "expression", "constant", "default", "target", "matching", "apply"}, func(key string, k, v *yaml.Node) error {
		f := field + "." + key
		var err error
		switch key {
		case "source":
			m.Source, err = d.Str(v, f)
		case "expression":
			m.Expression, err = d.Str(v, f)
		case "constant":
			m.Constant, err = d.Str(v, f)
		case "default":
			m.Default, err = d.Str(v, f)
		case "target":
			m.Target, err = d.Str(v, f)
		case "matching":
			m.Matching, err = d.Int(v, f)
		case "apply":
			m.Apply, err = d.Str(v, f)
		default:
			return decode.ErrUnknownKey
		}
		return err
	})
	return m, err
}

func decodeScopingFilter(d *decode.Decoder, n *yaml.Node, field string) (ScopingFilter, error) {
	sf := ScopingFilter{Pos: d.Pos(n)}
	err := d.Fields(n, field, &sf.Pos, []string{"name", "clauses"}, func(key string, k, v *yaml.Node) error {
		f := field + "." + key
		var err error
		switch key {
		case "name":
			sf.Name, err = d.Str(v, f)
		case "clauses":
			err = decodeList(d, v, f, &sf.Clauses, decodeClause)
		default:
			return decode.ErrUnknownKey
		}
		return err
	})
	return sf, err
}

func decodeClause(d *decode.Decoder, n *yaml.Node, field string) (Clause, error) {
	c := Clause{Pos: d.Pos(n)}
	err := d.Fields(n, field, &c.Pos, []string{"attribute", "operator", "value"}, func(key string, k, v *yaml.Node) error {
		f := field + "." + key
		var err error
		switch key {
		case "attribute":
			c.Attribute, err = d.Str(v, f)
		case "operator":
			c.Operator, err = d.Str(v, f)
		case "value":
			c.Value, err = d.Str(v, f)
		default:
			return decode.ErrUnknownKey
		}
		return err
	})
	return c, err
}

// matchingMappings returns the matching mappings in precedence order.
func (m *ObjectMapping) matchingMappings() []*Mapping {
	var out []*Mapping
	for _, mp := range m.Mappings {
		if mp.Matching > 0 {
			out = append(out, mp)
		}
	}
	slices.SortFunc(out, func(a, b *Mapping) int { return a.Matching - b.Matching })
	return out
}

// sourceAttributes returns the source attributes the job reads, in mapping order, without
// duplicates: direct sources, the attributes expressions reference, then scoping filter attributes.
func (m *ObjectMapping) sourceAttributes() []string {
	var out []string
	add := func(a string) {
		if a != "" && a != "IsSoftDeleted" && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	for _, mp := range m.Mappings {
		add(mp.Source)
		if mp.expr != nil {
			for _, a := range mp.expr.Attributes() {
				add(a)
			}
		}
	}
	for _, f := range m.ScopingFilters {
		for _, c := range f.Clauses {
			add(c.Attribute)
		}
	}
	return out
}

// mappingFor returns the mapping whose target is name (case-insensitive), or nil.
func (m *ObjectMapping) mappingFor(name string) *Mapping {
	for _, mp := range m.Mappings {
		if strings.EqualFold(mp.Target, name) {
			return mp
		}
	}
	return nil
}
