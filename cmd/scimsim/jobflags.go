package main

import (
	"time"

	"github.com/spf13/pflag"
)

// jobFlags are the flags shared by the commands that run a provisioning job against a target,
// provision and sync: the source, the job, the target that overrides the job's, and the
// provisioning log written.
type jobFlags struct {
	source, config string
	target, token  string
	log, logFormat string
}

// register adds the flags to fl; logUsage says what --provisioning-log writes.
func (f *jobFlags) register(fl *pflag.FlagSet, logUsage string) {
	fl.StringVar(&f.source, "source", "", "source directory file (YAML)")
	fl.StringVar(&f.config, "config", "", "job configuration file (YAML); default: Entra's default job for a non-gallery SCIM application")
	fl.StringVar(&f.target, "target", "", "SCIM base URL (tenant URL); overrides target.url")
	fl.StringVar(&f.token, "token", "", "secret token; overrides target.token")
	fl.StringVar(&f.log, "provisioning-log", "", logUsage)
	fl.StringVar(&f.logFormat, "provisioning-log-format", "json", "provisioning log format: json, or csv (three files)")
}

// parseNow reads the --now of the command name, an RFC 3339 time; set is false when it is empty.
func parseNow(name, now string) (t time.Time, set bool, err error) {
	if now == "" {
		return time.Time{}, false, nil
	}
	t, err = time.Parse(time.RFC3339, now)
	if err != nil {
		return time.Time{}, false, usageError("%s: --now %q: want an RFC 3339 time such as 2026-11-25T10:00:00Z", name, now)
	}
	return t, true, nil
}
