package job

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/simulator"
)

func TestSmoke(t *testing.T) {
	ts := simulator.NewTestServer(t, simulator.WithToken("secret"))
	src, err := engine.LoadSource("../testdata/sources/contoso.yaml")
	if err != nil {
		t.Fatal(err)
	}
	j, err := New(src, engine.DefaultConfig(), Options{Target: ts.SCIMURL("smoke"), Token: "secret", Start: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	err = j.Run(context.Background(), Limit{Cycles: 3}, func(c CycleSummary) { fmt.Printf("%+v\n", c) })
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("%+v\n", j.Errors())
}
