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
	// AuthBasic is a user name and password (target.username, target.password), which some
	// applications take instead of a token (provision-on-demand.md, Frequently asked questions).
	AuthBasic = "basic"
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
	Auth  string // bearer (default), oauth or basic
	// Username and Password are the credentials of target.auth basic.
	Username, Password string
	App                string // the application's name, for messages

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
	return loadFile(path, decodeConfig)
}

// ParseConfig reads a job config from b; name is used in error messages.
func ParseConfig(name string, b []byte) (*Config, error) {
	return parse(name, b, decodeConfig)
}

func decodeConfig(root *yaml.Node, d *decode.Decoder) (*Config, error) {
	c := &Config{Pos: d.Pos(root)}
	// Sections left out are reported at the top of the file.
	c.Target.Pos, c.Job.Pos, c.Users.Pos, c.Groups.Pos = c.Pos, c.Pos, c.Pos, c.Pos
	c.Job.ReplicationDelay = DefaultReplicationDelay
	c.Users.Enabled = true
	err := d.Keys(root, "", nil,
		decode.Key{Name: "target", Set: func(d *decode.Decoder, v *yaml.Node, _ string) error { return decodeTarget(d, v, &c.Target) }},
		decode.Key{Name: "job", Set: func(d *decode.Decoder, v *yaml.Node, _ string) error { return decodeJob(d, v, &c.Job) }},
		decode.Key{Name: "users", Set: func(d *decode.Decoder, v *yaml.Node, f string) error { return decodeObjectMapping(d, v, f, &c.Users) }},
		decode.Key{Name: "groups", Set: func(d *decode.Decoder, v *yaml.Node, f string) error { return decodeObjectMapping(d, v, f, &c.Groups) }},
	)
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
	return d.Keys(n, "target", &t.Pos,
		decode.StrKey("url", &t.URL),
		decode.StrKey("token", &t.Token),
		decode.StrKey("auth", &t.Auth),
		decode.StrKey("username", &t.Username),
		decode.StrKey("password", &t.Password),
		decode.StrKey("app", &t.App),
	)
}

func decodeJob(d *decode.Decoder, n *yaml.Node, j *Job) error {
	j.Pos = d.Pos(n)
	j.ReplicationDelay = DefaultReplicationDelay
	return d.Keys(n, "job", &j.Pos,
		decode.BoolKey("running", &j.Running),
		decode.StrKey("scope", &j.Scope),
		decode.StrKey("kind", &j.Kind),
		decode.StrKey("dialect", &j.Dialect),
		decode.Key{Name: "actions", Set: func(d *decode.Decoder, v *yaml.Node, f string) error {
			// An empty list is kept apart from a list left out: it allows no action at all.
			err := decode.StringsKey("actions", &j.Actions).Set(d, v, f)
			if err == nil && j.Actions == nil {
				j.Actions = []string{}
			}
			return err
		}},
		decode.DurationKey("replicationDelay", &j.ReplicationDelay),
		decode.StringsKey("requiredRoles", &j.RequiredRoles),
		decode.DurationKey("timeout", &j.Timeout),
		decode.DurationKey("requestTimeout", &j.RequestTimeout),
		decode.BoolKey("preventAccidentalDeletions", &j.PreventAccidentalDeletions),
		decode.IntKey("accidentalDeletionThreshold", &j.AccidentalDeletionThreshold),
	)
}

func decodeObjectMapping(d *decode.Decoder, n *yaml.Node, field string, m *ObjectMapping) error {
	m.Pos = d.Pos(n)
	return d.Keys(n, field, &m.Pos,
		decode.BoolKey("enabled", &m.Enabled),
		decode.ListKey("mappings", &m.Mappings, decodeMapping),
		decode.ListKey("scopingFilters", &m.ScopingFilters, decodeScopingFilter),
	)
}

func decodeMapping(d *decode.Decoder, n *yaml.Node, field string) (*Mapping, error) {
	m := &Mapping{Pos: d.Pos(n)}
	return m, d.Keys(n, field, &m.Pos,
		decode.StrKey("source", &m.Source),
		decode.StrKey("expression", &m.Expression),
		decode.StrKey("constant", &m.Constant),
		decode.StrKey("default", &m.Default),
		decode.StrKey("target", &m.Target),
		decode.IntKey("matching", &m.Matching),
		decode.StrKey("apply", &m.Apply),
	)
}

func decodeScopingFilter(d *decode.Decoder, n *yaml.Node, field string) (ScopingFilter, error) {
	sf := ScopingFilter{Pos: d.Pos(n)}
	err := d.Keys(n, field, &sf.Pos,
		decode.StrKey("name", &sf.Name),
		decode.ListKey("clauses", &sf.Clauses, decodeClause),
	)
	return sf, err
}

func decodeClause(d *decode.Decoder, n *yaml.Node, field string) (Clause, error) {
	c := Clause{Pos: d.Pos(n)}
	err := d.Keys(n, field, &c.Pos,
		decode.StrKey("attribute", &c.Attribute),
		decode.StrKey("operator", &c.Operator),
		decode.StrKey("value", &c.Value),
	)
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
