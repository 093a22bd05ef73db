package main

import (
	"errors"
	"io"
	"os"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/job"
	"github.com/scimsim/scimsim/report"
)

func init() { subcommands = append(subcommands, provisionCommand) }

// provisionFlags are the flags of `scimsim provision`.
type provisionFlags struct {
	jobFlags
	user, group        string
	members            []string
	json, showRequests bool
	color, now         string
	printDefault       bool
	crossTenant        bool
}

func provisionCommand() *cobra.Command {
	var f provisionFlags
	cmd := &cobra.Command{
		Use:   "provision --source FILE [--config FILE] (--user QUERY | --group NAME [--member QUERY]...)",
		Short: "Provision one user or group on demand and print the five-step report",
		Long: `Provision one user (or one group with up to 5 members) on demand, the way "Provision on demand"
does in the Microsoft Entra admin center, against any SCIM 2.0 endpoint, and print the report:
test connection, import, scope, match, action, with the failing step's error code and tips.

Without --config the job is Entra's default job for a non-gallery SCIM application (its attribute
mappings, matching precedence, scope and actions), or with --cross-tenant the default cross-tenant
synchronization job, whose target is another Microsoft Entra tenant (--target its Graph base URL,
such as http://127.0.0.1:8080/tenants/fabrikam/graph/v1.0); --print-default-config prints it as
YAML to start a config of your own from.

Exit status: 0 when the run succeeded or was skipped, 1 when a step failed, 2 on bad input.`,
		Example: `  scimsim provision --source testdata/sources/contoso.yaml --config testdata/configs/contoso.yaml \
      --user alice@contoso.com --target http://127.0.0.1:8080/scim/v2 --token secret
  scimsim provision --source contoso.yaml --config default.yaml --group Sales --member alice@contoso.com --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runProvision(cmd, f)
		},
	}
	fl := cmd.Flags()
	f.jobFlags.register(fl, "also write the run as provisioning log entries to this file (see scimsim sync)")
	fl.BoolVar(&f.printDefault, "print-default-config", false, "print Entra's default job as YAML and exit")
	fl.BoolVar(&f.crossTenant, "cross-tenant", false, "without --config, run (or with --print-default-config, print) the default cross-tenant synchronization job: the target is a Microsoft Entra tenant's Graph base URL")
	fl.StringVar(&f.user, "user", "", "the user to provision: first name, last name, display name, UPN or email (WorkerID/WID or personIdExternal for Cloud HR sources)")
	fl.StringVar(&f.group, "group", "", "the group to provision, by display name")
	fl.StringArrayVar(&f.members, "member", nil, "a member of --group to provision with it (repeatable, up to 5; default: all members when there are at most 5)")
	fl.BoolVar(&f.json, "json", false, "print the report as JSON")
	fl.BoolVar(&f.showRequests, "show-requests", false, "print each step's HTTP exchanges as curl commands (token redacted)")
	fl.StringVar(&f.color, "color", "auto", "colour the text report: auto, always or never")
	fl.StringVar(&f.now, "now", "", "the time the run happens at (RFC 3339), for assignment ages and Now(); default: the clock")
	return cmd
}

func runProvision(cmd *cobra.Command, f provisionFlags) error {
	if f.printDefault {
		def := engine.DefaultConfigYAML()
		if f.crossTenant {
			def = engine.DefaultCrossTenantConfigYAML()
		}
		_, err := cmd.OutOrStdout().Write(def)
		return err
	}
	if f.source == "" {
		return usageError("provision: --source is required")
	}
	subj := engine.Subject{User: f.user, Group: f.group, Members: f.members}
	var se *engine.SubjectError
	if errors.As(subj.Validate(), &se) {
		return usageError("provision: %s", subjectFlags[se.Problem])
	}
	color, err := useColor(f.color, cmd.OutOrStdout())
	if err != nil {
		return err
	}
	var opts []engine.Option
	now, nowSet, err := parseNow("provision", f.now)
	if err != nil {
		return err
	}
	if nowSet {
		opts = append(opts, engine.WithClock(func() time.Time { return now }))
	}
	src, err := loadSource(f.source, cmd.ErrOrStderr())
	if err != nil {
		return usageError("%v", err)
	}
	cfg := engine.DefaultConfig()
	if f.crossTenant {
		cfg = engine.DefaultCrossTenantConfig()
	}
	if f.config != "" {
		if cfg, err = loadConfig(f.config, cmd.ErrOrStderr()); err != nil {
			return usageError("%v", err)
		}
	}
	hc, err := f.client("provision")
	if err != nil {
		return err
	}
	opts = append(opts, engine.WithHTTPClient(hc))
	if f.given("target") {
		opts = append(opts, engine.WithTargetURL(f.target))
	}
	if f.given("token") {
		opts = append(opts, engine.WithToken(f.token))
	}
	rep, err := engine.Run(cmd.Context(), src, cfg, subj, opts...)
	if err != nil {
		return usageIf[*engine.InputError](err)
	}
	if f.log != "" {
		if err := job.WriteRunLog(f.log, f.logFormat, rep, cfg.Target.App, provisionTime(f.now), 1); err != nil {
			return usageError("provision: --provisioning-log: %v", err)
		}
	}
	out := cmd.OutOrStdout()
	if f.json {
		if err := writeJSON(out, rep); err != nil {
			return err
		}
	} else {
		// On a terminal, long lines such as tips wrap to its width.
		ww := newWrapWriter(out, terminalWidth(out))
		if err := errors.Join(rep.WriteText(ww, engine.TextOptions{Color: color, ShowRequests: f.showRequests}), ww.Flush()); err != nil {
			return err
		}
	}
	if rep.ErrorCode == string(entra.CodeSubjectNotFound) {
		hintSubject(cmd.ErrOrStderr(), src, f)
	}
	if rep.Status == report.StatusFailure {
		return failedAsReported()
	}
	return nil
}

// subjectFlags says each broken rule of engine.Subject with the flags that name a subject.
var subjectFlags = map[engine.SubjectProblem]string{
	engine.NoSubject:           "name a subject with --user or --group",
	engine.UserAndGroup:        "--user and --group cannot be used together",
	engine.MembersWithoutGroup: "--member needs --group",
}

// useColor decides --color: auto colours only a terminal, and never when NO_COLOR is set
// (no-color.org).
func useColor(mode string, w io.Writer) (bool, error) {
	switch mode {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "auto":
		if os.Getenv("NO_COLOR") != "" {
			return false, nil
		}
		if fd, ok := w.(interface{ Fd() uintptr }); ok {
			return isatty.IsTerminal(fd.Fd()), nil
		}
		return false, nil
	}
	return false, usageError("provision: --color %q: want auto, always or never", mode)
}
