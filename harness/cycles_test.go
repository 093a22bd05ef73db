package harness_test

import (
	"context"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/scimsim/scimsim/harness"
	"github.com/scimsim/scimsim/simulator"
)

// TestLoad_cycleChangesUnknownObject: a cycle's changes are read against the scenario's source
// before anything runs, and an unknown object is an error naming the scenario file's line.
func TestLoad_cycleChangesUnknownObject(t *testing.T) {
	_, err := harness.LoadDir("testdata/cycles-unknown-object")
	want := `testdata/cycles-unknown-object/cycle-unknown-user.yaml:10:18: change.users[0].objectId: cycle 2: no user has objectId "u-nobody"`
	if err == nil || err.Error() != want {
		t.Fatalf("Load() error = %v\nwant %s", err, want)
	}
}

// TestRun_cycleMismatch: a cycle that does not end as expected is reported with its number and
// every difference, and the summary row shows the job's status.
func TestRun_cycleMismatch(t *testing.T) {
	cases, err := harness.LoadDir("testdata/cycles-wrong")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := simulator.New(simulator.WithSeed(7))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	res := harness.Run(context.Background(), harness.NewSimulator(srv, ts.URL), cases[0], harness.Options{})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	want := []string{
		"cycle 2: expected the job Active after the cycle, it is Quarantine (EncounteredQuarantineException)",
		"cycle 2: expected 1 updated, got 0",
	}
	if !slices.Equal(res.Mismatches, want) {
		t.Errorf("mismatches:\n%s\nwant:\n%s", strings.Join(res.Mismatches, "\n"), strings.Join(want, "\n"))
	}
	if len(res.Cycles) != 2 || res.Cycles[0].Created != 5 {
		t.Errorf("cycles = %+v", res.Cycles)
	}
	row := res.Row()
	if row.Passed || row.Expected != "job Active" || row.Actual != "job Quarantine (EncounteredQuarantineException)" || row.ErrorCode != "Unauthorized" {
		t.Errorf("row = %+v", row)
	}
	if f := res.Failure(); !strings.Contains(f, "cycle 2: expected the job Active") || !strings.Contains(f, "cycle-wrong-status.yaml") {
		t.Errorf("Failure() = %s", f)
	}
}
