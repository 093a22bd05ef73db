package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/scimsim/scimsim"
	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/harness"
	"github.com/scimsim/scimsim/simulator"
	"github.com/scimsim/scimsim/ui"
)

func init() { subcommands = append(subcommands, uiCommand) }

// demoSource is the example source the page provisions from without --source, embedded in the
// binary so that `scimsim ui` works from any directory.
const demoSource = "testdata/sources/contoso.yaml"

// demoToken is the demo tenant's secret token without --token: the catalog's default token.
const demoToken = "secret"

// uiFlags are the flags of `scimsim ui`.
type uiFlags struct {
	addr, source, config string
	targetFlags
	adminToken string
}

func uiCommand() *cobra.Command {
	var f uiFlags
	cmd := &cobra.Command{
		Use:   "ui",
		Short: `Serve the portal's "Provision on demand" page, with the simulator's SCIM and admin API beside it`,
		Long: `Serve Microsoft Entra ID's "Provision on demand" page on this machine: search for a user or a group,
press Provision and read the five steps with their details, error codes and tips; look at the
target's users, groups and faults and add faults from a form; follow the request journal live; run
the scenario catalog and read each report.

Without flags the page provisions from the built-in example source (Contoso) with Entra's default
job into the demo tenant of a simulator running in this process, whose SCIM API (/scim/v2,
/tenants/NAME/scim/v2) and admin API (/admin) are served at the same address, so that curl and the
page act on the same tenant. --source and --config are read again at every run, so an edited file
takes effect at the next Provision. With --target the page provisions into any SCIM endpoint.`,
		Example: `  scimsim ui                                   # then open http://127.0.0.1:8090/
  scimsim ui --source my-tenant.yaml --config my-job.yaml
  scimsim ui --target https://app.example/scim/v2 --token "$TOKEN"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return serveUI(cmd.Context(), f, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", "127.0.0.1:8090", "listen address (host:port; port 0 picks a free one)")
	fl.StringVar(&f.source, "source", "", "source directory file (YAML), read at every run; default: the built-in example source "+demoSource)
	fl.StringVar(&f.config, "config", "", "job configuration file (YAML), read at every run; default: Entra's default job for a non-gallery SCIM application")
	f.targetFlags.register(fl, "provision into this SCIM base URL instead of the in-process demo tenant",
		"secret token of --target (default: the config's target.token), or of the demo tenant (default "+demoToken+")")
	fl.StringVar(&f.adminToken, "admin-token", "", "token of the admin API and of the page itself (required when --addr is not loopback)")
	return cmd
}

// loaders returns the source and config loaders of the page. Each reads its file again at every
// call; both are read once here first, so that a mistake is reported before the page starts, with
// the sentence `scimsim provision` prints (exit status 2).
func (f uiFlags) loaders() (func() (*engine.Source, error), func() (*engine.Config, error), *engine.Config, error) {
	var source func() (*engine.Source, error)
	if f.source != "" {
		source = func() (*engine.Source, error) { return engine.LoadSource(f.source) }
	} else {
		data, err := fs.ReadFile(scimsim.Files, demoSource)
		if err != nil {
			return nil, nil, nil, err
		}
		src, err := engine.ParseSource(demoSource, data)
		if err != nil {
			return nil, nil, nil, err
		}
		source = func() (*engine.Source, error) { return src, nil }
	}
	// The default job is parsed once: engine.Run does not change a validated config, so runs
	// share it.
	def := engine.DefaultConfig()
	config := func() (*engine.Config, error) { return def, nil }
	if f.config != "" {
		config = func() (*engine.Config, error) { return engine.LoadConfig(f.config) }
	}
	if _, err := source(); err != nil {
		return nil, nil, nil, usageError("%v", err)
	}
	cfg, err := config()
	if err != nil {
		return nil, nil, nil, usageError("%v", err)
	}
	return source, config, cfg, nil
}

// uiCatalog loads the scenario catalog for /scenarios the way `scimsim scenarios` does: the one
// built into the binary.
func uiCatalog() ([]harness.Case, error) {
	list, err := (&catalogFlags{}).load(nil)
	if err != nil {
		return nil, err
	}
	return harness.Prepare(list)
}

func serveUI(ctx context.Context, f uiFlags, stdout, stderr io.Writer) error {
	if err := checkAdminExposure(f.addr, f.adminToken); err != nil {
		return err
	}
	if f.given("target") && f.target == "" {
		return usageError("ui: --target needs a SCIM base URL")
	}
	source, config, cfg, err := f.loaders()
	if err != nil {
		return err
	}
	hc, err := f.client("ui")
	if err != nil {
		return err
	}
	if hc == http.DefaultClient {
		// A client of the page's own: a fault-injected connection must not leak elsewhere.
		hc = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	token := f.token
	switch {
	case f.target != "" && !f.given("token"):
		token = cfg.Target.Token
	case f.target == "" && !f.given("token"):
		token = demoToken
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	demoTenantToken := token
	if f.target != "" {
		demoTenantToken = demoToken // the simulator still serves the scenarios and curl
	}
	sim, err := simulator.New(simulator.WithToken(demoTenantToken), simulator.WithAdminToken(f.adminToken),
		simulator.WithLogger(logger), simulator.WithSeed(1))
	if err != nil {
		return usageError("%v", err)
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", f.addr, err)
	}
	root := "http://" + reachable(ln.Addr())
	page, err := ui.New(ui.Options{
		Source: source, Config: config, Simulator: sim, Root: root,
		TargetURL: f.target, Token: token, AdminToken: f.adminToken,
		HTTPClient: hc, Catalog: uiCatalog, Logger: logger,
	})
	if err != nil {
		ln.Close()
		return err
	}
	fmt.Fprintf(stdout, "scimsim ui: Provision on demand at %s/\n", root)
	if f.target != "" {
		fmt.Fprintf(stdout, "  provisioning into %s\n", f.target)
	} else {
		fmt.Fprintf(stdout, "  demo tenant: SCIM 2.0 at %s/scim/v2 (token %q), admin API at %s/admin\n", root, token, root)
	}

	srv := newHTTPServer(page, logger, nil)
	// Request contexts end when the page shuts down, so that the live journal's streams close.
	base, cancelBase := context.WithCancel(context.Background())
	defer cancelBase()
	srv.BaseContext = func(net.Listener) context.Context { return base }
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	cancelBase()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// reachable is the address to reach a listener at: a wildcard listen address (0.0.0.0, ::) is
// reached at 127.0.0.1, which is also what the page's links and curl commands then show.
func reachable(addr net.Addr) string {
	if tcp, ok := addr.(*net.TCPAddr); ok && tcp.IP.IsUnspecified() {
		return net.JoinHostPort("127.0.0.1", strconv.Itoa(tcp.Port))
	}
	return addr.String()
}
