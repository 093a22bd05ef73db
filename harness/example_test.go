package harness_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"

	"github.com/scimsim/scimsim/harness"
	"github.com/scimsim/scimsim/simulator"
)

// A conformance scenario run against an endpoint reached only through SCIM, as a real one is: the
// scenario's seeded user and the user it creates carry names unique to the run, and both are deleted
// when the scenario ends.
func ExampleExternal() {
	srv, err := simulator.New(simulator.WithToken("s3cret"))
	if err != nil {
		panic(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()

	ext := &harness.External{URL: ts.URL + "/scim/v2", Token: "s3cret", Prefix: "example-"}
	if err := ext.Validate(); err != nil {
		panic(err)
	}
	cases, err := harness.LoadDir(filepath.Join("testdata", "external"), "create-after-seed")
	if err != nil {
		panic(err)
	}
	res := harness.Run(context.Background(), ext, cases[0], harness.Options{})
	fmt.Println("passed:", res.Passed(), "action:", res.Outcome.Action)
	fmt.Println("created:", res.Report.Target.Display == "example-"+ext.RunID()+"-1-alice@contoso.com")
	fmt.Println("users left:", srv.Tenant("").Users())
	// Output:
	// passed: true action: create
	// created: true
	// users left: 0
}
