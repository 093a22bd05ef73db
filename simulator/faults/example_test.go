package faults_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"

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
	var out strings.Builder
	if err := faults.WriteTable(&out); err != nil {
		fmt.Println(err)
	}
	// The header and two of the rows (every type has one, sorted by name), the columns' padding
	// squeezed to "|".
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(line, "TYPE ") || strings.HasPrefix(line, "latency ") || strings.HasPrefix(line, "server_error ") {
			fmt.Println(regexp.MustCompile(`  +`).ReplaceAllString(line, " | "))
		}
	}
	// Output:
	// TYPE | ATTRIBUTES | WHAT THE CLIENT SEES
	// latency | delayMs=1000 jitterMs=0 | delays the request before the target answers it (fixed or jittered)
	// server_error | status=500(500|502|503) retryAfter=0 | 500, 502 or 503 with a SCIM error body
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
	// testdata/load-errors/unknown_key.yaml:4:3: unknown key "probabilty" (did you mean "probability"?)
}
