package conformance_test

import (
	"context"
	"testing"

	"github.com/scimsim/scimsim/conformance"
	"github.com/scimsim/scimsim/simulator"
)

// BenchmarkRunAll is one full run (every check, then cleanup) against the simulator's entra profile
// over loopback HTTP: what `make conformance` costs on the client side plus an in-process target.
func BenchmarkRunAll(b *testing.B) {
	ts := simulator.NewTestServer(b, simulator.WithToken("bench"))
	cfg := conformance.Config{BaseURL: ts.SCIMURL(""), Token: "bench"}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		results, err := conformance.RunAll(ctx, cfg)
		if err != nil {
			b.Fatal(err)
		}
		if failed := conformance.Failed(results); len(failed) > 0 {
			b.Fatalf("failed: %v", failed)
		}
	}
}

// BenchmarkRunAll_DryRun is the cost of the checks themselves: no request is sent.
func BenchmarkRunAll_DryRun(b *testing.B) {
	cfg := conformance.Config{BaseURL: "https://app.example/scim/v2", DryRun: true}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := conformance.RunAll(ctx, cfg); err != nil {
			b.Fatal(err)
		}
	}
}
