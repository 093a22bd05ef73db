package engine

import "slices"

// compile returns the config a run reads: a copy of c, checked, with its defaults filled (auth,
// scope, kind, actions, timeout, apply), its tenant URL parsed and its mappings' expressions and
// target paths parsed. c itself is not changed, so that concurrent runs may share it and a caller
// may edit it between runs; Run and NewSession compile once, and Validate is compile's checks.
func (c *Config) compile() (*Config, error) {
	cc := *c
	cc.Users, cc.Groups = c.Users.clone(), c.Groups.clone()
	if err := cc.fill(); err != nil {
		return nil, err
	}
	return &cc, nil
}

// clone copies the mappings, which fill writes to; scoping filters are only read.
func (m ObjectMapping) clone() ObjectMapping {
	m.Mappings = slices.Clone(m.Mappings)
	for i, mp := range m.Mappings {
		cp := *mp
		m.Mappings[i] = &cp
	}
	return m
}
