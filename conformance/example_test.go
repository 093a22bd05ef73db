package conformance_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/scimsim/scimsim/conformance"
)

// RunAll against an endpoint that reads PATCH as RFC 7644 is written: it refuses Entra's string
// booleans and dotted keys, and empties a group when Entra removes one member.
func ExampleRunAll() {
	srv := httptest.NewServer(newFakeSCIM("secret", true))
	defer srv.Close()

	results, err := conformance.RunAll(context.Background(), conformance.Config{BaseURL: srv.URL + "/scim/v2", Token: "secret"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range results {
		if r.Status == conformance.StatusFail {
			fmt.Printf("%s\n  Entra would: %s\n", r.Check.ID, r.Failure.Consequence)
		}
	}
	// Output:
	// patch-entra-active
	//   Entra would: Entra cannot disable users: it sends "False" as a string, so users unassigned, out of scope or deleted in Entra stay active in the app.
	// patch-entra-member-remove
	//   Entra would: Data loss: each time Entra removes one member, the endpoint removes them all (it reads Remove without a filter as RFC 7644 §3.5.2.2 "remove all values").
	// patch-compliant-replace
	//   Entra would: With the compliance flag set, Entra cannot update users: the changes are refused or silently ignored.
}
