package simulator_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/scimsim/scimsim/simulator"
	"github.com/scimsim/scimsim/simulator/faults"
)

// A simulator is an http.Handler: serve it with httptest (or simulator.NewTestServer in a test)
// and talk SCIM to it.
func Example() {
	sim, err := simulator.New(simulator.WithToken("secret"))
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(sim)
	defer srv.Close()

	send := func(method, path, body string) *http.Response {
		req, _ := http.NewRequest(method, srv.URL+"/scim/v2"+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer secret")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		return resp
	}
	created := send("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"alice@contoso.com"}`)
	fmt.Println(created.Status, created.Header.Get("Content-Type"), created.Header.Get("ETag"))

	found := send("GET", "/Users?filter="+url.QueryEscape(`userName eq "ALICE@contoso.com"`), "")
	var list struct{ TotalResults int }
	_ = json.NewDecoder(found.Body).Decode(&list)
	fmt.Println("totalResults:", list.TotalResults)
	// Output:
	// 201 Created application/scim+json W/"1"
	// totalResults: 1
}

// The admin client makes a tenant misbehave and reads back what its clients sent.
func ExampleAdminClient() {
	sim, _ := simulator.New()
	srv := httptest.NewServer(sim)
	defer srv.Close()
	admin := simulator.NewAdminClient(srv.URL, "", srv.Client())
	ctx := context.Background()

	_, _ = admin.AddFault(ctx, "suite-1", faults.Spec{Name: "busy", Type: "throttle", Count: 1})
	for range 2 {
		resp, _ := http.Get(srv.URL + "/tenants/suite-1/scim/v2/Users")
		resp.Body.Close()
	}
	entries, _ := admin.Requests(ctx, "suite-1")
	for _, e := range entries {
		fmt.Println(e.Method, e.Path, e.Status, e.Fault)
	}
	// Output:
	// GET /tenants/suite-1/scim/v2/Users 429 busy
	// GET /tenants/suite-1/scim/v2/Users 200
}
