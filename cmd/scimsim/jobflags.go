package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"

	"github.com/scimsim/scimsim"
	"github.com/scimsim/scimsim/engine"
)

// targetFlags are the flags of every command that talks to a SCIM endpoint: --target (its base
// URL), --token (its bearer token) and the TLS flags. Whether a flag was given at all matters (an
// empty --token given on purpose overrides the config's), so they keep the flag set they were
// registered on to ask it.
type targetFlags struct {
	target, token string
	tls           tlsFlags
	set           *pflag.FlagSet
}

// register adds --target, --token, --ca-cert and --insecure to fl; the usages say what --target
// and --token are to the command.
func (f *targetFlags) register(fl *pflag.FlagSet, targetUsage, tokenUsage string) {
	fl.StringVar(&f.target, "target", "", targetUsage)
	fl.StringVar(&f.token, "token", "", tokenUsage)
	f.tls.register(fl)
	f.set = fl
}

// given says whether the command line gave the flag name, one of these or any other of the
// command's.
func (f *targetFlags) given(name string) bool { return f.set.Changed(name) }

// tokenOrEnv is --token, or without it $SCIMSIM_TOKEN, which keeps the token out of the process
// list.
func (f *targetFlags) tokenOrEnv() string {
	if f.given("token") {
		return f.token
	}
	return os.Getenv("SCIMSIM_TOKEN")
}

// client returns the HTTP client the TLS flags ask for; a mistake in them is bad input of the
// command name.
func (f *targetFlags) client(name string) (*http.Client, error) {
	hc, err := f.tls.client()
	if err != nil {
		return nil, usageError("%s: %v", name, err)
	}
	return hc, nil
}

// jobFlags are the flags shared by the commands that run a provisioning job against a target,
// provision and sync: the source, the job, the target that overrides the job's, and the
// provisioning log written.
type jobFlags struct {
	source, config string
	targetFlags
	log, logFormat string
}

// register adds the flags to fl; logUsage says what --provisioning-log writes.
func (f *jobFlags) register(fl *pflag.FlagSet, logUsage string) {
	fl.StringVar(&f.source, "source", "", "source directory file (YAML)")
	fl.StringVar(&f.config, "config", "", "job configuration file (YAML); default: Entra's default job for a non-gallery SCIM application")
	f.targetFlags.register(fl, "SCIM base URL (tenant URL); overrides target.url", "secret token; overrides target.token")
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

// readInput reads a source or job config named on the command line. A relative path that names no
// file here but one of the example files the binary carries (testdata/sources/contoso.yaml and the
// other files of scimsim.Files, as the README's examples name them) reads the carried copy, and says
// so once on stderr, so that the examples work from any directory after `go install`.
func readInput(path string, stderr io.Writer) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) || filepath.IsAbs(path) {
		return b, err
	}
	name := filepath.ToSlash(filepath.Clean(path))
	carried, cerr := fs.ReadFile(scimsim.Files, name)
	if cerr != nil {
		return nil, err
	}
	fmt.Fprintf(stderr, "scimsim: no file %s here: using the copy built into scimsim\n", path)
	return carried, nil
}

// loadSource reads a source file with readInput.
func loadSource(path string, stderr io.Writer) (*engine.Source, error) {
	b, err := readInput(path, stderr)
	if err != nil {
		return nil, err
	}
	return engine.ParseSource(path, b)
}

// loadConfig reads a job config file with readInput.
func loadConfig(path string, stderr io.Writer) (*engine.Config, error) {
	b, err := readInput(path, stderr)
	if err != nil {
		return nil, err
	}
	return engine.ParseConfig(path, b)
}
