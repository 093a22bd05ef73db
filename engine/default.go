package engine

import (
	_ "embed"
)

// defaultJob is Entra's default job for a non-gallery SCIM application, with its sources.
//
//go:embed defaultjob.yaml
var defaultJob []byte

// DefaultConfigName names the default job in messages, as a file name would.
const DefaultConfigName = "default job"

// DefaultConfigYAML returns the default job as YAML, with the comments that cite its sources.
func DefaultConfigYAML() []byte { return append([]byte(nil), defaultJob...) }

// DefaultConfig returns Entra's default provisioning job for a new non-gallery SCIM application: its
// user and group attribute mappings, matching precedence, scope and target object actions. It has
// no tenant URL or token: a run takes them from WithTarget. Each call returns a new Config.
func DefaultConfig() *Config {
	cfg, err := ParseConfig(DefaultConfigName, defaultJob)
	if err != nil {
		panic("engine: the embedded default job does not load: " + err.Error())
	}
	return cfg
}
