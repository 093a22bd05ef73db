package conformance_test

import (
	"context"
	"flag"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"

	"github.com/scimsim/scimsim/conformance"
)

// Flags of TestExternal, the entry point of `make conformance` until the harness runs the checks
// itself (go tool ginkgo ./harness -- --target URL --token T).
var (
	target = flag.String("target", "", "SCIM base URL (Entra's Tenant URL) of the endpoint to check; TestExternal is skipped without it")
	token  = flag.String("token", "", "bearer token (Entra's Secret Token); default $SCIMSIM_TOKEN, which keeps it off the command line")
	prefix = flag.String("prefix", conformance.DefaultPrefix, "start of the name of every resource the run creates")
	dryRun = flag.Bool("dry-run", false, "list the requests without sending any")
)

// TestExternal runs every check against -target and prints the report; it fails when a check fails.
// Interrupting it (Ctrl-C) still deletes what the run created. Like the harness, it is an entry
// point: it reads its flags and SCIMSIM_TOKEN.
func TestExternal(t *testing.T) {
	if *target == "" {
		t.Skip("no -target: run `make conformance TARGET=URL TOKEN=T` to check an endpoint")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	tok := *token
	if tok == "" {
		tok = os.Getenv("SCIMSIM_TOKEN")
	}
	cfg := conformance.Config{BaseURL: *target, Token: tok, Prefix: strings.TrimSpace(*prefix), DryRun: *dryRun, Log: os.Stdout}
	results, err := conformance.RunAll(ctx, cfg)
	os.Stdout.WriteString("\n")
	if werr := conformance.WriteReport(os.Stdout, results); werr != nil {
		t.Fatalf("writing the report: %v", werr)
	}
	if err != nil {
		t.Fatal(err)
	}
	if failed := conformance.Failed(results); len(failed) > 0 {
		t.Fatalf("%d checks failed: %s", len(failed), strings.Join(failed, ", "))
	}
}
