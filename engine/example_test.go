package engine_test

import (
	"context"
	"fmt"
	"math/rand"
	"net/http/httptest"
	"time"

	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/simulator"
)

// ExampleRun provisions Alice on demand into an in-process simulator and prints the five steps.
func ExampleRun() {
	sim, err := simulator.New(simulator.WithToken("secret"))
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(sim)
	defer srv.Close()

	src, err := engine.LoadSource("../testdata/sources/contoso.yaml")
	if err != nil {
		panic(err)
	}
	cfg, err := engine.LoadConfig("../testdata/configs/contoso.yaml")
	if err != nil {
		panic(err)
	}
	rep, err := engine.Run(context.Background(), src, cfg, engine.Subject{User: "alice@contoso.com"},
		engine.WithTarget(srv.URL+"/scim/v2", "secret"),
		engine.WithClock(func() time.Time { return time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) }),
		engine.WithRand(rand.New(rand.NewSource(1))))
	if err != nil {
		panic(err)
	}
	fmt.Println(rep.Status, rep.Action)
	for _, s := range rep.Steps {
		fmt.Printf("%s: %s\n", s.Name, s.Status)
	}
	for _, p := range rep.ModifiedProperties[:3] {
		fmt.Printf("%s = %v\n", p.Name, p.NewValue)
	}
	// Output:
	// success create
	// Test connection: success
	// Import user: success
	// Determine if user is in scope: success
	// Match user between source and target: success
	// Perform action: success
	// userName = alice@contoso.com
	// externalId = alice
	// emails[type eq "work"].value = alice@contoso.com
}
