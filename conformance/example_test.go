package conformance_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/scimsim/scimsim/conformance"
)

// RunAll against an endpoint that reads PATCH as RFC 7644 is written: it refuses Entra's string
// booleans, its plain-string manager and dotted keys, and empties a group when Entra removes one
// member.
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
			fmt.Printf("%s (%s)\n  Entra would: %s\n", r.Check.ID, r.Check.Impact, r.Failure.Consequence)
		}
	}
	fmt.Println("breaks Entra:", conformance.BreaksEntra(results))
	// Output:
	// enterprise-attributes (breaks-entra)
	//   Entra would: Entra cannot create a user whose employee id, department or manager is set: step 5 fails for each of them, since the endpoint refuses the create body Entra's default job sends.
	// patch-entra-manager (breaks-entra)
	//   Entra would: Entra cannot set managers: step 5 fails for every user whose manager is provisioned, or the manager silently never arrives and is exported again on every cycle.
	// patch-entra-active (breaks-entra)
	//   Entra would: Entra cannot disable users: it sends "False" as a string, so users unassigned, out of scope or deleted in Entra stay active in the app.
	// patch-entra-member-remove (breaks-entra)
	//   Entra would: Data loss: each time Entra removes one member, the endpoint removes them all (it reads Remove without a filter as RFC 7644 Section 3.5.2.2 "remove all values").
	// patch-compliant-replace (flag-only)
	//   Entra would: With the compliance flag set, Entra cannot update users: the changes are refused or silently ignored.
	// breaks Entra: [enterprise-attributes patch-entra-manager patch-entra-active patch-entra-member-remove]
}
