package engine

import (
	"fmt"
	"slices"
	"strings"

	"github.com/scimsim/scimsim/engine/expr"
	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/internal/decode"
	"github.com/scimsim/scimsim/wire"
)

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

// fill checks the target (an http(s) URL when given, since --target may supply it; a known
// auth), fills the default auth and keeps the parsed tenant URL.
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
	case AuthBasic:
		if t.Username == "" {
			m.Add(&FieldError{Pos: t.Pos.At("auth"), Field: "target.username", Msg: "target.auth basic needs a user name (and target.password)"})
		}
	default:
		m.Add(&FieldError{Pos: t.Pos.At("auth"), Field: "target.auth", Msg: fmt.Sprintf("unknown auth %q (want bearer, oauth or basic)", t.Auth)})
	}
	if t.Auth != AuthBasic && (t.Username != "" || t.Password != "") {
		field := "target.username"
		if t.Username == "" {
			field = "target.password"
		}
		m.Add(&FieldError{Pos: t.Pos.At(field[len("target."):]), Field: field, Msg: fmt.Sprintf("a user name and password go with target.auth basic, not %s", t.Auth)})
	}
	return m.ErrIn(t.Pos.File)
}

// fill checks the job settings and fills their defaults.
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
