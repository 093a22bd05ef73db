package faults_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/labstack/echo/v4"

	"github.com/scimsim/scimsim/simulator/faults"
)

// A throttle that lets the first request through and hits the next one only.
func ExampleSet_Middleware() {
	set := faults.NewSet(7)
	spec, err := set.Add(faults.Spec{Type: "throttle", After: 1, Count: 1, Attributes: map[string]any{"retryAfter": 2}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("added", spec.Name)

	e := echo.New()
	journal := func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			err := next(c)
			fmt.Printf("%d %s hit by %q\n", c.Response().Status, c.Request().URL.Path, faults.HitBy(c))
			return err
		}
	}
	e.Group("/scim/v2", journal, set.Middleware()).GET("/Users", func(c echo.Context) error {
		return c.Blob(http.StatusOK, "application/scim+json", []byte(`{"totalResults":0,"Resources":[]}`))
	})
	for range 3 {
		e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/scim/v2/Users", nil))
	}
	// Output:
	// added throttle-1
	// 200 /scim/v2/Users hit by ""
	// 429 /scim/v2/Users hit by "throttle-1"
	// 200 /scim/v2/Users hit by ""
}

func ExampleSpec_Validate() {
	err := faults.Spec{Name: "slow", Type: "latency", Attributes: map[string]any{"delay": 100}}.Validate()
	fmt.Println(err)
	fmt.Println(errors.Is(err, faults.ErrInvalidSpec))
	// Output:
	// fault "slow": unknown attribute "delay" for type latency (known: delayMs, jitterMs)
	// true
}

func ExampleWriteTable() {
	if err := faults.WriteTable(os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output:
	// TYPE                       ATTRIBUTES                            WHAT THE CLIENT SEES
	// auth_failure               status=401(401|403)                   401 (or 403) with a SCIM error and WWW-Authenticate, as for a wrong or expired secret token
	// unsupported_filter         attribute                             400 invalidFilter for filters on the named attribute(s)
	// duplicate_match            -                                     a query that finds one resource returns two: the real one and a clone with another id
	// throttle                   retryAfter=1                          429 Too Many Requests with Retry-After
	// server_error               status=500(500|502|503) retryAfter=0  500, 502 or 503 with a SCIM error body
	// latency                    delayMs=1000 jitterMs=0               delays the request before the target answers it (fixed or jittered)
	// timeout                    holdMs=60000                          never answers: holds the request until the client gives up, then closes the connection
	// conflict                   -                                     409 uniqueness on create or update (POST, PUT, PATCH)
	// not_found                  -                                     404 for a resource that exists (GET, PUT, PATCH, DELETE by id)
	// malformed_response         keepBytes=0                           the target's answer cut short: invalid JSON labelled application/scim+json
	// drop_attribute             attribute=(required)                  accepts a write but silently does not store the named attribute(s)
	// empty_query_404            -                                     a query with zero results answers 404 instead of an empty ListResponse
	// members_despite_exclusion  -                                     returns group members even when excludedAttributes=members was asked
	// hide_inactive              -                                     users whose active is false are missing from queries, and 404 by id
	// connection_reset           -                                     closes the connection without an answer (TCP RST where possible)
	// wrong_content_type         -                                     200 with Content-Type: text/html and an HTML page instead of SCIM JSON
	// bad_cursor                 mode=repeat(repeat|skip)              RFC 9865 cursor paging that misbehaves: a nextCursor that repeats the page or skips the next one
}

func ExampleLoadFile() {
	specs, err := faults.LoadFile("testdata/load/good.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	set := faults.NewSet(7)
	for _, s := range specs {
		stored, err := set.Add(s)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(stored.Name, stored.Type)
	}
	_, err = faults.LoadFile("testdata/load-errors/unknown_key.yaml")
	fmt.Println(err)
	// Output:
	// dup duplicate_match
	// flaky server_error
	// drop_attribute-1 drop_attribute
	// testdata/load-errors/unknown_key.yaml:4: unknown key "probabilty" (known: name, type, match, after, count, probability, attributes)
}
