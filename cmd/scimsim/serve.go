package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/scimsim/scimsim/simulator"
	"github.com/scimsim/scimsim/simulator/faults"
)

func init() { subcommands = append(subcommands, newServeCommand) }

// serveFlags are the flags of `scimsim serve`.
type serveFlags struct {
	addr, token, adminToken, profile, maxBody string
	basic                                     string
	tenantToken                               string
	tenantTokenSet                            bool
	tenantIdleTTL                             time.Duration
	journalSize                               int
	maxConns                                  int
	journalBytes, journalTenantBytes          string
	maxTenants                                int
	faultsFile, seedFile                      string
	schemaFiles                               []string
	resourceTypesFile                         string
	seed                                      int64
	logLevel                                  string
	logFormat                                 string
	tlsCert, tlsKey, tlsCertOut               string
	tlsSelfSigned, listFaults                 bool
	stateFile, stateSync                      string
	stateInterval                             time.Duration
}

func newServeCommand() *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the SCIM 2.0 target (and its admin API) until interrupted",
		Long: `Run the SCIM 2.0 target. The default tenant is at http://ADDR/scim/v2, isolated tenants at
http://ADDR/tenants/NAME/scim/v2 (created on first use by a request that carries --tenant-token,
by default --token), and the admin API at http://ADDR/admin.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f.tenantTokenSet = cmd.Flags().Changed("tenant-token")
			if f.listFaults {
				return writeFaultTypes(cmd.OutOrStdout())
			}
			return serve(cmd.Context(), f, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", "127.0.0.1:8080", "listen address (host:port; port 0 picks a free one)")
	fl.StringVar(&f.token, "token", "", "bearer token of the default tenant (empty: no authentication)")
	fl.StringVar(&f.basic, "basic", "", "USER:PASSWORD: the default tenant takes these HTTP Basic credentials instead of a bearer token, as apps that authorize with a user name and password do (instead of --token)")
	fl.StringVar(&f.tenantToken, "tenant-token", "", "bearer token of tenants created on first use (default: --token; set to \"\" for open tenants)")
	fl.DurationVar(&f.tenantIdleTTL, "tenant-idle-ttl", 0, "delete a named tenant (its users, groups, faults and journal) after this long without a request (0: never)")
	fl.StringVar(&f.adminToken, "admin-token", "", "bearer token of the admin API (required when --addr is not loopback)")
	fl.StringVar(&f.profile, "profile", "entra", "how the target reads requests: entra (what Entra ID sends today) or strict (RFC 7643/7644)")
	fl.StringVar(&f.maxBody, "max-body", "1MiB", "SCIM request body limit (bytes, or with KiB/MiB/KB/MB)")
	fl.IntVar(&f.journalSize, "journal-size", simulator.DefaultJournalSize, "requests kept per tenant for GET /admin/requests")
	fl.StringVar(&f.journalBytes, "journal-bytes", "64MiB", "bytes the request journals of all tenants keep together (oldest first out)")
	fl.StringVar(&f.journalTenantBytes, "journal-tenant-bytes", "16MiB", "bytes one tenant's request journal keeps")
	fl.IntVar(&f.maxTenants, "max-tenants", simulator.DefaultMaxTenants, "named tenants that requests may create (/tenants/NAME/scim/v2); beyond it a new name is 404")
	fl.IntVar(&f.maxConns, "max-conns", defaultMaxConns(), "connections held at once; past it a new one closes the oldest that has not sent a whole request")
	fl.StringVar(&f.faultsFile, "faults", "", "YAML or JSON file of faults to add at start-up")
	fl.StringVar(&f.seedFile, "seed-data", "", "YAML or JSON file of users and groups to store at start-up")
	fl.StringArrayVar(&f.schemaFiles, "schema", nil, "JSON file of RFC 7643 schema resources (one object or a list, as /Schemas returns them) that every tenant serves: extensions of User or Group, or core schemas of --resource-types (repeatable)")
	fl.StringVar(&f.resourceTypesFile, "resource-types", "", "JSON file of RFC 7643 resource types: which resource type each --schema extends (default: by the id's :User or :Group suffix), and new resource types whose schema is a --schema")
	fl.Int64Var(&f.seed, "seed", 1, "seed of fault probability draws and generated ids (same seed, same run)")
	fl.StringVar(&f.logLevel, "log-level", "info", "debug, info, warn or error (debug logs every request)")
	fl.StringVar(&f.logFormat, "log-format", "text", "the server's own log on stderr: text (key=value) or json (one object a line)")
	fl.StringVar(&f.tlsCert, "tls-cert", "", "serve HTTPS with this certificate file (PEM; needs --tls-key)")
	fl.StringVar(&f.tlsKey, "tls-key", "", "private key file for --tls-cert (PEM)")
	fl.BoolVar(&f.tlsSelfSigned, "tls-self-signed", false, "serve HTTPS with a throwaway ECDSA P-256 certificate made at start-up")
	fl.StringVar(&f.tlsCertOut, "tls-cert-out", "", "with --tls-self-signed, write its certificate (PEM) to this file, for a client's --ca-cert")
	fl.BoolVar(&f.listFaults, "list-faults", false, "print the fault types and their attributes, then exit")
	fl.StringVar(&f.stateFile, "state", "", "keep every tenant's users, groups, profile and token in this file and a log next to it: every write is logged before it is answered (mode 0600: it holds tokens)")
	fl.StringVar(&f.stateSync, "state-sync", "always", "with --state, when the log reaches the disk: always (fsync before the answer) or interval (every second)")
	fl.DurationVar(&f.stateInterval, "state-interval", 30*time.Second, "with --state, compact the log into the snapshot this often when something changed (0: only when the log passes 64 MiB and on shutdown)")
	return cmd
}

// writeFaultTypes prints the fault registry as a table: the registry's own, so that the
// command, the README and the admin API describe the same types.
func writeFaultTypes(w io.Writer) error { return faults.WriteTable(w) }

// defaultCredential is the default tenant's credential: the bearer token, or the HTTP Basic
// credential of --basic USER:PASSWORD (RFC 7617: the user name holds no colon).
func defaultCredential(token, basic string) (string, error) {
	if basic == "" {
		return token, nil
	}
	if token != "" {
		return "", usageError("--basic and --token exclude each other: the default tenant takes one credential")
	}
	user, password, ok := strings.Cut(basic, ":")
	if !ok || user == "" {
		return "", usageError("--basic %q: want USER:PASSWORD", basic)
	}
	return simulator.BasicCredential(user, password), nil
}

// checkAdminExposure refuses an admin API without a token on an address other machines can
// reach: the admin API can rewrite every tenant.
func checkAdminExposure(addr, adminToken string) error {
	if adminToken != "" {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return usageError("--addr %q: %v", addr, err)
	}
	if isLoopback(host) {
		return nil
	}
	return usageError("--addr %q is not a loopback address: set --admin-token, or the admin API would be open to the network", addr)
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// parseSize reads 1048576, 1MiB, 512KiB, 2MB or 10KB.
func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1000}, {"MB", 1000 * 1000}, {"GB", 1000 * 1000 * 1000}, {"B", 1}}
	mult := int64(1)
	num := strings.TrimSpace(s)
	for _, u := range units {
		if strings.HasSuffix(num, u.suffix) {
			num, mult = strings.TrimSpace(strings.TrimSuffix(num, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > (1<<40)/mult {
		return 0, fmt.Errorf("size %q: want a positive number of bytes, optionally with KiB, MiB, KB or MB", s)
	}
	return n * mult, nil
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("--log-level %q: want debug, info, warn or error", s)
	}
	return l, nil
}

func serve(ctx context.Context, f serveFlags, stdout, stderr io.Writer) error {
	if err := checkAdminExposure(f.addr, f.adminToken); err != nil {
		return err
	}
	profile, err := simulator.ParseProfile(f.profile)
	if err != nil {
		return usageError("--profile: %v", err)
	}
	token, err := defaultCredential(f.token, f.basic)
	if err != nil {
		return err
	}
	var maxBody, journalBytes, journalTenantBytes int64
	for _, size := range []struct {
		flag, text string
		n          *int64
	}{{"--max-body", f.maxBody, &maxBody}, {"--journal-bytes", f.journalBytes, &journalBytes}, {"--journal-tenant-bytes", f.journalTenantBytes, &journalTenantBytes}} {
		if *size.n, err = parseSize(size.text); err != nil {
			return usageError("%s: %v", size.flag, err)
		}
	}
	level, err := parseLevel(f.logLevel)
	if err != nil {
		return usageError("%v", err)
	}
	if f.maxTenants < 0 {
		return usageError("--max-tenants %d: must not be negative", f.maxTenants)
	}
	if f.maxConns < 1 {
		return usageError("--max-conns %d: must be at least 1", f.maxConns)
	}
	if f.tenantIdleTTL < 0 {
		return usageError("--tenant-idle-ttl %s: must not be negative", f.tenantIdleTTL)
	}
	if f.journalSize < 0 {
		return usageError("--journal-size %d: must not be negative", f.journalSize)
	}
	if (f.tlsCert == "") != (f.tlsKey == "") {
		return usageError("--tls-cert and --tls-key go together")
	}
	if f.tlsSelfSigned && f.tlsCert != "" {
		return usageError("--tls-self-signed and --tls-cert exclude each other")
	}
	if f.tlsCertOut != "" && !f.tlsSelfSigned {
		return usageError("--tls-cert-out writes the certificate of --tls-self-signed: add --tls-self-signed")
	}
	if f.stateInterval < 0 {
		return usageError("--state-interval %s: must not be negative", f.stateInterval)
	}
	syncMode, err := simulator.ParseSyncMode(f.stateSync)
	if err != nil {
		return usageError("--state-sync: %v", err)
	}
	logger, err := newLogger(stderr, f.logFormat, level)
	if err != nil {
		return usageError("serve: %v", err)
	}
	if os.Getenv("GOGC") == "" {
		// The store is long-lived data that every collection marks again, at a cost in
		// proportion to what requests allocate: collecting half as often takes a sixth off the
		// CPU a create costs at 100,000 users (bench/profile.sh post-create: 81 to 67 µs), for
		// up to three times the live heap between collections instead of two.
		debug.SetGCPercent(serveGCPercent)
	}

	opts := []simulator.Option{
		simulator.WithToken(token),
		simulator.WithAdminToken(f.adminToken),
		simulator.WithProfile(profile),
		simulator.WithLogger(logger),
		simulator.WithMaxBody(maxBody),
		simulator.WithSeed(f.seed),
		simulator.WithJournalSize(f.journalSize),
		simulator.WithJournalBytes(journalTenantBytes, journalBytes),
		simulator.WithMaxTenants(f.maxTenants),
		simulator.WithTenantIdleTTL(f.tenantIdleTTL),
	}
	if f.tenantTokenSet {
		opts = append(opts, simulator.WithTenantToken(f.tenantToken))
	}
	if len(f.schemaFiles) > 0 || f.resourceTypesFile != "" {
		cs, err := simulator.LoadSchemaFiles(f.schemaFiles, f.resourceTypesFile)
		if err != nil {
			return usageError("--schema: %v", err)
		}
		opts = append(opts, simulator.WithSchemas(cs))
	}
	sim, err := simulator.New(opts...)
	if err != nil {
		return usageError("%v", err)
	}
	if f.faultsFile != "" {
		specs, err := faults.LoadFile(f.faultsFile)
		if err != nil {
			return usageError("--faults: %v", err)
		}
		for _, spec := range specs {
			if _, err := sim.Tenant(spec.Match.Tenant).Faults().Add(spec); err != nil {
				return usageError("--faults %s: fault %q: %v", f.faultsFile, spec.Name, err)
			}
		}
		logger.Info("faults loaded", "file", f.faultsFile, "count", len(specs))
	}
	var state *simulator.StateFile
	restored := false
	if f.stateFile != "" {
		state = simulator.NewStateFile(sim, f.stateFile, simulator.WithSync(syncMode))
		if restored, err = state.Load(); err != nil {
			return usageError("--state: %v", err)
		}
		defer func() {
			// Whatever ends serve, the log is closed; on a clean shutdown Close below
			// compacts it first.
			_ = state.Close()
		}()
		if restored {
			logger.Info("state loaded", "file", f.stateFile, "users", sim.Tenant("").Users(), "groups", sim.Tenant("").Groups(), "tenants", len(sim.Tenants()))
		} else if _, err := state.Save(); err != nil {
			// A first save now, rather than a failure at the first interval or at shutdown
			// when the directory is missing or not writable.
			return usageError("--state: %v", err)
		}
	}
	if f.seedFile != "" && restored {
		// The seed data is a starting point: a restored state has already grown from it.
		logger.Info("seed data not loaded: the state file was restored", "file", f.seedFile, "state", f.stateFile)
	} else if f.seedFile != "" {
		data, err := simulator.LoadSeedData(f.seedFile)
		if err != nil {
			return usageError("--seed-data: %v", err)
		}
		nu, ng, err := sim.Tenant("").Seed(data.Users, data.Groups)
		if err != nil {
			return usageError("--seed-data %s: %v", f.seedFile, err)
		}
		logger.Info("seed data loaded", "file", f.seedFile, "users", nu, "groups", ng)
	}

	tlsConfig, err := serverTLS(f, logger)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", f.addr, err)
	}
	limiter := newConnLimiter(ln, f.maxConns)
	ln = limiter
	scheme := "http"
	if tlsConfig != nil {
		scheme = "https"
		ln = tls.NewListener(ln, tlsConfig)
	}
	srv := newHTTPServer(sim, logger, limiter)
	root := scheme + "://" + ln.Addr().String()
	fmt.Fprintf(stdout, "scimsim: SCIM 2.0 target at %s/scim/v2 (profile %s), admin API at %s/admin\n", root, profile, root)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	saverCtx, stopSaver := context.WithCancel(context.Background())
	saverDone := make(chan struct{})
	go func() {
		defer close(saverDone)
		if state != nil && f.stateInterval > 0 {
			saveEvery(saverCtx, state, f.stateInterval, logger)
		}
	}()
	select {
	case err := <-errc:
		stopSaver()
		<-saverDone
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	shutdownErr := srv.Shutdown(shutdownCtx)
	stopSaver()
	<-saverDone
	if state != nil {
		// Compacted after the last request has been answered (or the shutdown timed out):
		// every acknowledged write is already in the log.
		if err := state.Close(); err != nil {
			return fmt.Errorf("--state: %w", err)
		}
		logger.Info("state saved", "file", f.stateFile)
	}
	if shutdownErr != nil {
		return fmt.Errorf("shutdown: %w", shutdownErr)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// newHTTPServer is the http.Server of `scimsim serve`. Its timeouts and the connection limiter
// are its defence against slow clients: a client that never finishes its headers is cut off after
// ReadHeaderTimeout (slowloris), one that trickles a body after ReadTimeout (POST /admin/seed
// gets longer), an idle keep-alive connection after IdleTimeout, and past --max-conns the oldest
// connection without a whole request goes first (connLimiter).
func newHTTPServer(h http.Handler, logger *slog.Logger, limiter *connLimiter) *http.Server {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second, // a 1 MiB SCIM body on a slow link
		WriteTimeout:      2 * time.Minute,  // longer than any latency fault worth injecting
		IdleTimeout:       time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	if limiter != nil {
		srv.Handler = limiter.handler(h)
		srv.ConnContext = connContext
	}
	return srv
}

// serveGCPercent is the collector's GOGC in serve, unless the GOGC variable sets it.
const serveGCPercent = 200

// defaultMaxConns is --max-conns' default: 4,096, or fewer when the process may open fewer
// files (128 are left for everything else it opens).
func defaultMaxConns() int {
	n := 4096
	if lim := fileLimit(); lim > 0 && lim-128 < n {
		n = max(lim-128, 16)
	}
	return n
}

// saveEvery compacts the state's log into its snapshot every interval when something changed,
// until ctx is done. A failed save is logged and tried again at the next tick: every write is in
// the log meanwhile, and the server keeps serving.
func saveEvery(ctx context.Context, state *simulator.StateFile, interval time.Duration, logger *slog.Logger) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if saved, err := state.Save(); err != nil {
			logger.Error("state not saved", "err", err)
		} else if saved {
			logger.Debug("state saved", "file", state.Path())
		}
	}
}

// newLogger is the server's own log: log/slog's text or JSON handler on w.
func newLogger(w io.Writer, format string, level slog.Level) (*slog.Logger, error) {
	o := &slog.HandlerOptions{Level: level}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, o)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, o)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", format)
}
