package engine

import (
	_ "embed"
)

// The default jobs scimsim carries, with the comments that cite their sources.
var (
	// defaultJob is Entra's default job for a non-gallery SCIM application.
	//
	//go:embed defaultjob.yaml
	defaultJob []byte
	// defaultCrossTenantJob is Microsoft's default cross-tenant synchronization configuration.
	//
	//go:embed defaultcrosstenant.yaml
	defaultCrossTenantJob []byte
)

// Names of the default jobs in messages, as a file name would be.
const (
	DefaultConfigName            = "default job"
	DefaultCrossTenantConfigName = "default cross-tenant job"
)

// DefaultConfigYAML returns the default job as YAML, with the comments that cite its sources.
func DefaultConfigYAML() []byte { return append([]byte(nil), defaultJob...) }

// DefaultCrossTenantConfigYAML returns the default cross-tenant job as YAML, with the comments that
// cite its sources.
func DefaultCrossTenantConfigYAML() []byte { return append([]byte(nil), defaultCrossTenantJob...) }

// DefaultConfig returns Entra's default provisioning job for a new non-gallery SCIM application: its
// user and group attribute mappings, matching precedence, scope and target object actions. It has
// no tenant URL or token: a run takes them from WithTarget. Each call returns a new Config.
func DefaultConfig() *Config { return embeddedConfig(DefaultConfigName, defaultJob) }

// DefaultCrossTenantConfig returns the default job of a new cross-tenant synchronization
// configuration: its user attribute mappings, matching attribute, scope and actions. It has no
// target URL or token: a run takes them from WithTarget. Each call returns a new Config.
func DefaultCrossTenantConfig() *Config {
	return embeddedConfig(DefaultCrossTenantConfigName, defaultCrossTenantJob)
}

func embeddedConfig(name string, b []byte) *Config {
	cfg, err := ParseConfig(name, b)
	if err != nil {
		panic("engine: the embedded " + name + " does not load: " + err.Error())
	}
	return cfg
}
