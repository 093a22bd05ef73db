package engine

import (
	"fmt"
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
			err = d.Sequence(v, f, func(i int, item *yaml.Node) error {
				mp, err := decodeMapping(d, item, fmt.Sprintf("%s[%d]", f, i))
				m.Mappings = append(m.Mappings, mp)
				return err
			})
		case "scopingFilters":
			err = d.Sequence(v, f, func(i int, item *yaml.Node) error {
				sf, err := decodeScopingFilter(d, item, fmt.Sprintf("%s[%d]", f, i))
				m.ScopingFilters = append(m.ScopingFilters, sf)
				return err
			})
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
			err = d.Sequence(v, f, func(i int, item *yaml.Node) error {
				c, err := decodeClause(d, item, fmt.Sprintf("%s[%d]", f, i))
				sf.Clauses = append(sf.Clauses, c)
				return err
			})
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

// Validate checks the whole config without changing it; errors name the file, line and field. A
// run compiles the config it is given once (compile), with the same checks.
func (c *Config) Validate() error {
	_, err := c.compile()
	return err
}

// fill checks c, fills its defaults and parses its mappings' expressions and target paths, in
// place: compile calls it on a copy.
func (c *Config) fill() error {
	var m decode.Mistakes
	m.Add(c.Target.fill())
	m.Add(c.Job.fill())
	m.Add(c.Users.fill("users", true))
	if c.Groups.Enabled || len(c.Groups.Mappings) > 0 {
		m.Add(c.Groups.fill("groups", false))
	}
	m.Add(c.validateKind())
	return m.ErrIn(c.Pos.File)
}

// Validate checks the target without changing it: an http(s) URL when given (--target may supply
// it), a known auth.
func (t *Target) Validate() error {
	cp := *t
	return cp.fill()
}

// fill is Validate that fills the default auth and keeps the parsed tenant URL.
func (t *Target) fill() error {
	var m decode.Mistakes
	t.tenant = entra.TenantURL{}
	if t.URL != "" {
		u, err := entra.ParseTenantURL(t.URL)
		if err != nil {
			m.Add(&FieldError{Pos: t.Pos.At("url"), Field: "target.url", Msg: fmt.Sprintf("want an absolute http or https URL, got %q", t.URL)})
		}
		t.tenant = u
	}
	switch t.Auth {
	case "":
		t.Auth = AuthBearer
	case AuthBearer, AuthOAuth:
	default:
		m.Add(&FieldError{Pos: t.Pos.At("auth"), Field: "target.auth", Msg: fmt.Sprintf("unknown auth %q (want bearer or oauth)", t.Auth)})
	}
	return m.ErrIn(t.Pos.File)
}

// Validate checks the job settings without changing them.
func (j *Job) Validate() error {
	cp := *j
	return cp.fill()
}

// fill is Validate that fills the defaults.
func (j *Job) fill() error {
	var m decode.Mistakes
	switch j.Scope {
	case "":
		j.Scope = DefaultScope
	case ScopeAssigned, ScopeAll:
	default:
		m.Add(&FieldError{Pos: j.Pos.At("scope"), Field: "job.scope", Msg: fmt.Sprintf("unknown scope %q (want assigned or all)", j.Scope)})
	}
	if _, err := entra.ParseDialect(j.Dialect); err != nil {
		m.Add(&FieldError{Pos: j.Pos.At("dialect"), Field: "job.dialect", Msg: err.Error()})
	}
	if j.Actions == nil {
		j.Actions = []string{ActionCreate, ActionUpdate, ActionDelete}
	}
	for i, a := range j.Actions {
		if a != ActionCreate && a != ActionUpdate && a != ActionDelete {
			m.Add(&FieldError{Pos: j.Pos.At("actions"), Field: fmt.Sprintf("job.actions[%d]", i), Msg: fmt.Sprintf("unknown action %q (want create, update or delete)", a)})
		}
	}
	switch {
	case j.Timeout < 0:
		m.Add(&FieldError{Pos: j.Pos.At("timeout"), Field: "job.timeout", Msg: "must not be negative"})
	case j.Timeout == 0:
		j.Timeout = DefaultTimeout
	}
	if j.ReplicationDelay < 0 {
		m.Add(&FieldError{Pos: j.Pos.At("replicationDelay"), Field: "job.replicationDelay", Msg: "must not be negative"})
	}
	if j.RequestTimeout < 0 {
		m.Add(&FieldError{Pos: j.Pos.At("requestTimeout"), Field: "job.requestTimeout", Msg: "must not be negative"})
	}
	m.Add(j.validateDeletions())
	for i, r := range j.RequiredRoles {
		if strings.TrimSpace(r) == "" {
			m.Add(&FieldError{Pos: j.Pos.At("requiredRoles"), Field: fmt.Sprintf("job.requiredRoles[%d]", i), Msg: "empty role"})
		}
	}
	return m.ErrIn(j.Pos.File)
}

func (j *Job) allows(action string) bool { return slices.Contains(j.Actions, action) }

func (m *ObjectMapping) fill(field string, users bool) error {
	var errs decode.Mistakes
	if users && !m.Enabled {
		return &FieldError{Pos: m.Pos.At("enabled"), Field: field + ".enabled", Msg: "the users mapping cannot be disabled"}
	}
	if len(m.Mappings) == 0 {
		errs.Add(&FieldError{Pos: m.Pos, Field: field + ".mappings", Msg: "at least one mapping is required"})
		return errs.ErrIn(m.Pos.File)
	}
	targets := map[string]Pos{}
	precedence := map[int]Pos{}
	matching := 0
	for i, mp := range m.Mappings {
		f := fmt.Sprintf("%s.mappings[%d]", field, i)
		if err := mp.fill(f, !users); err != nil {
			errs.Add(err) // one mistake per mapping; the other mappings are still checked
			continue
		}
		key := strings.ToLower(mp.Target)
		if p, dup := targets[key]; dup {
			errs.Add(&FieldError{Pos: mp.Pos, Field: f + ".target", Msg: fmt.Sprintf("%q is already mapped at %s", mp.Target, p)})
			continue
		}
		targets[key] = mp.Pos
		if mp.Matching > 0 {
			if p, dup := precedence[mp.Matching]; dup {
				errs.Add(&FieldError{Pos: mp.Pos, Field: f + ".matching", Msg: fmt.Sprintf("precedence %d is already used at %s", mp.Matching, p)})
				continue
			}
			precedence[mp.Matching] = mp.Pos
			matching++
		}
	}
	if matching == 0 && errs.Len() == 0 {
		errs.Add(&FieldError{Pos: m.Pos, Field: field + ".mappings", Msg: "no mapping has matching set: at least one matching attribute is required"})
	}
	for i, sf := range m.ScopingFilters {
		errs.Add(sf.validate(fmt.Sprintf("%s.scopingFilters[%d]", field, i)))
	}
	return errs.ErrIn(m.Pos.File)
}

func (m *Mapping) fill(field string, group bool) error {
	kinds := 0
	for _, s := range []string{m.Source, m.Expression, m.Constant} {
		if s != "" {
			kinds++
		}
	}
	if kinds != 1 {
		return &FieldError{Pos: m.Pos, Field: field, Msg: "want exactly one of source, expression or constant"}
	}
	if m.Target == "" {
		return &FieldError{Pos: m.Pos.At("target"), Field: field + ".target", Msg: "required"}
	}
	if strings.EqualFold(m.Target, "id") {
		return &FieldError{Pos: m.Pos.At("target"), Field: field + ".target", Msg: `"id" is the target's primary key and cannot be a mapping target`}
	}
	p, err := wire.ParsePath(m.Target)
	if err != nil {
		return &FieldError{Pos: m.Pos.At("target"), Field: field + ".target", Msg: err.Error()}
	}
	m.path = p
	if group && m.Target == "members" && m.Source != "members" {
		return &FieldError{Pos: m.Pos.At("source"), Field: field + ".source", Msg: `the "members" target takes the source attribute "members"`}
	}
	if m.Matching < 0 {
		return &FieldError{Pos: m.Pos.At("matching"), Field: field + ".matching", Msg: "precedence must be 1 or more"}
	}
	switch m.Apply {
	case "":
		m.Apply = ApplyAlways
	case ApplyAlways, ApplyCreation:
	default:
		return &FieldError{Pos: m.Pos.At("apply"), Field: field + ".apply", Msg: fmt.Sprintf("unknown apply %q (want always or creation)", m.Apply)}
	}
	m.expr = nil
	if m.Expression != "" {
		e, err := expr.Parse(m.Expression)
		if err != nil {
			return &FieldError{Pos: m.Pos.At("expression"), Field: field + ".expression", Msg: err.Error()}
		}
		m.expr = e
	}
	if m.selectsUniqueValue() {
		switch {
		case m.Matching > 0:
			// "This function can't be applied to attributes that have a matching precedence."
			return &FieldError{Pos: m.Pos.At("expression"), Field: field + ".expression", Msg: "SelectUniqueValue cannot be used on a matching attribute"}
		case group:
			return &FieldError{Pos: m.Pos.At("expression"), Field: field + ".expression", Msg: selectUniqueValueApps + "; those jobs provision users, not groups"}
		}
	}
	return nil
}

// selectUniqueValueApps is Microsoft's statement of where SelectUniqueValue works (expression
// reference, SelectUniqueValue, ms.date 2026-04-10).
const selectUniqueValueApps = `SelectUniqueValue: "This function is currently supported for use with these applications: ` +
	`Workday to Active Directory User Provisioning, SuccessFactors to Active Directory User Provisioning, ` +
	`API-driven provisioning to on-premises Active Directory. SelectUniqueValue isn't supported for use with ` +
	`other provisioning applications." (Microsoft's expression reference)`

// selectsUniqueValue reports whether the mapping's expression is a SelectUniqueValue, which Parse
// allows only as the whole expression.
func (m *Mapping) selectsUniqueValue() bool {
	if m.expr == nil {
		return false
	}
	c, ok := m.expr.Root().(*expr.Call)
	return ok && c.Name == "SelectUniqueValue"
}

// CheckSource checks the config against the source it provisions from, for what depends on both.
// SelectUniqueValue is refused unless the source is a Cloud HR tenant (kind workday or
// successfactors): from a Microsoft Entra ID tenant the job provisions a SCIM application, which
// Microsoft does not support it for. The error names the config's file, line and field, and the
// source.
func (c *Config) CheckSource(src *Source) error {
	cc, err := c.compile()
	if err != nil {
		return err
	}
	return cc.checkSource(src)
}

// checkSource is CheckSource for a compiled config.
func (c *Config) checkSource(src *Source) error {
	if err := c.checkCrossTenantSource(src); err != nil {
		return err
	}
	if _, hr := cloudHRAttributes[src.Kind]; hr {
		return nil
	}
	name := "the source"
	if src.Pos.File != "" {
		name += " " + src.Pos.File
	}
	for i, m := range c.Users.Mappings {
		if m.selectsUniqueValue() {
			return &FieldError{Pos: m.Pos.At("expression"), Field: fmt.Sprintf("users.mappings[%d].expression", i),
				Msg: fmt.Sprintf("%s; %s is a Microsoft Entra ID tenant (kind: %s), so this job provisions a SCIM application", selectUniqueValueApps, name, src.Kind)}
		}
	}
	return nil
}

// Kind names the mapping type the portal shows: Direct, Constant or Expression.
func (m *Mapping) Kind() string {
	switch {
	case m.Expression != "":
		return "Expression"
	case m.Constant != "":
		return "Constant"
	}
	return "Direct"
}

func (sf ScopingFilter) validate(field string) error {
	var m decode.Mistakes
	if sf.Name == "" {
		m.Add(&FieldError{Pos: sf.Pos.At("name"), Field: field + ".name", Msg: "required"})
	}
	if len(sf.Clauses) == 0 {
		m.Add(&FieldError{Pos: sf.Pos.At("clauses"), Field: field + ".clauses", Msg: "at least one clause is required"})
	}
	for i, c := range sf.Clauses {
		m.Add(c.validate(fmt.Sprintf("%s.clauses[%d]", field, i)))
	}
	return m.ErrIn(sf.Pos.File)
}

// validate checks one clause, reporting its first mistake.
func (c Clause) validate(f string) error {
	if c.Attribute == "" {
		return &FieldError{Pos: c.Pos.At("attribute"), Field: f + ".attribute", Msg: "required"}
	}
	op, ok := operators[c.Operator]
	if !ok {
		return &FieldError{Pos: c.Pos.At("operator"), Field: f + ".operator", Msg: fmt.Sprintf("unknown operator %q (want one of %s)", c.Operator, strings.Join(OperatorNames(), ", "))}
	}
	if !op.unary && c.Value == "" {
		return &FieldError{Pos: c.Pos.At("value"), Field: f + ".value", Msg: fmt.Sprintf("operator %s needs a value", c.Operator)}
	}
	if op.unary && c.Value != "" {
		return &FieldError{Pos: c.Pos.At("value"), Field: f + ".value", Msg: fmt.Sprintf("operator %s takes no value", c.Operator)}
	}
	return nil
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
