package job

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/simulator"
	"github.com/scimsim/scimsim/simulator/faults"
)

var start = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func contoso(t *testing.T) *engine.Source {
	t.Helper()
	src, err := engine.LoadSource("../testdata/sources/contoso.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// newJob starts a job on a tenant of its own with Entra's default job.
func newJob(t *testing.T, ts *simulator.TestServer, tenant string, src *engine.Source, o Options) *Job {
	t.Helper()
	if err := ts.Admin.PutTenant(context.Background(), tenant, simulator.TenantConfig{Token: "secret"}); err != nil {
		t.Fatal(err)
	}
	o.Target, o.Start = ts.SCIMURL(tenant), start
	if o.Token == "" {
		o.Token = "secret"
	}
	j, err := New(src, engine.DefaultConfig(), o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return j
}

func addFault(t *testing.T, ts *simulator.TestServer, tenant string, f faults.Spec) {
	t.Helper()
	if _, err := ts.Admin.AddFault(context.Background(), tenant, f); err != nil {
		t.Fatal(err)
	}
}

// TestJob_quarantineSchedule: a target that refuses the token from the start quarantines the
// initial cycle, is retried 6 h, 12 h, 24 h after, then daily, and the job is disabled when four
// weeks have passed.
func TestJob_quarantineSchedule(t *testing.T) {
	ts := simulator.NewTestServer(t, simulator.WithToken("secret"))
	j := newJob(t, ts, "schedule", contoso(t), Options{Token: "expired"})
	if err := j.Run(context.Background(), Limit{Until: start.Add(40 * 24 * time.Hour)}, nil); err != nil {
		t.Fatal(err)
	}
	cycles := j.Cycles()
	// The initial cycle and 30 retries: 6 h, 12 h, 24 h, then 2, 3, ... 28 days after.
	if got, want := len(cycles), 31; got != want {
		t.Fatalf("%d cycles ran, want %d", got, want)
	}
	began := cycles[0].Ended
	for i, want := range map[int]time.Duration{1: 6 * time.Hour, 2: 12 * time.Hour, 3: 24 * time.Hour, 4: 48 * time.Hour, 30: 28 * 24 * time.Hour} {
		if got := cycles[i].Began.Sub(began); got != want {
			t.Errorf("cycle %d began %s after the quarantine, want %s", i+1, got, want)
		}
	}
	st := j.Status()
	if st.Code != CodePaused || st.Quarantine == nil || st.Quarantine.Reason != ReasonQuarantineException || st.Quarantine.SeriesCount != 30 {
		t.Fatalf("status after four weeks = %s %+v, want Paused with the quarantine of 30 re-evaluations", st.Code, st.Quarantine)
	}
	if st.CountSuccessiveCompleteFailures != 31 {
		t.Errorf("countSuccessiveCompleteFailures = %d, want 31", st.CountSuccessiveCompleteFailures)
	}
	if errs := j.Errors(); len(errs) != 1 || errs[0].Code != "Unauthorized" || !strings.Contains(errs[0].Request, "-> 401") {
		t.Errorf("errors = %+v, want Unauthorized with its request", errs)
	}
}

// TestJob_tokenFixed: the administrator fixes the Secret Token (admin.token in the changes) and the
// next retry takes the job out of quarantine.
func TestJob_tokenFixed(t *testing.T) {
	ts := simulator.NewTestServer(t, simulator.WithToken("secret"))
	src := contoso(t)
	fixed := "secret"
	ch := &engine.Changes{Sets: []engine.ChangeSet{{Cycle: 3, Admin: engine.AdminActions{Token: &fixed}}}}
	j := newJob(t, ts, "token", src, Options{Token: "expired", Changes: ch})
	if err := j.Run(context.Background(), Limit{Cycles: 3}, nil); err != nil {
		t.Fatal(err)
	}
	c := j.Cycles()
	// Six users: Dave's assignment, two minutes old at the start, is honoured by then.
	if c[0].Code != CodeQuarantine || c[1].Code != CodeQuarantine || c[2].Code != CodeActive || c[2].Created != 6 {
		t.Fatalf("cycles = %+v\nwant quarantine twice, then Active with the six users created", c)
	}
	if st := j.Status(); st.Quarantine != nil || st.LastExecution.State != StateSucceeded {
		t.Errorf("status = %+v", st)
	}
}

// TestJob_escrowsPruned: the initial cycle reaches 5,000 failures; instead of quarantine the
// escrows are pruned, the cycle completes and the job pauses; it does not run again until started.
func TestJob_escrowsPruned(t *testing.T) {
	if testing.Short() {
		t.Skip("5,100 users")
	}
	ts := simulator.NewTestServer(t, simulator.WithToken("secret"))
	addFault(t, ts, "pruned", faults.Spec{Type: "server_error", Match: faults.Match{Method: "POST", Resource: "Users"}})
	j := newJob(t, ts, "pruned", bigSource(5100), Options{Concurrency: 2})
	if err := j.Run(context.Background(), Limit{Cycles: 3}, nil); err != nil {
		t.Fatal(err)
	}
	c := j.Cycles()
	if len(c) != 1 || c[0].Processed != 5100 || c[0].Escrows != 100 {
		t.Fatalf("cycles = %+v\nwant one cycle over all 5,100 users, the escrows of the first 5,000 pruned", c)
	}
	if st := j.Status(); st.Code != CodePaused || !st.EscrowsPruned || st.Quarantine != nil {
		t.Fatalf("status = %s, escrowsPruned %v, quarantine %+v; want Paused with escrows pruned", st.Code, st.EscrowsPruned, st.Quarantine)
	}
}

// TestJob_logs writes the provisioning logs in both formats and reads them back: one entry per
// object per cycle, the CSV's three files joined by the change id.
func TestJob_logs(t *testing.T) {
	ts := simulator.NewTestServer(t, simulator.WithToken("secret"))
	dir := t.TempDir()
	for _, format := range []string{FormatJSON, FormatCSV} {
		t.Run(format, func(t *testing.T) {
			path := filepath.Join(dir, "log."+format)
			lw, err := CreateLog(path, format)
			if err != nil {
				t.Fatal(err)
			}
			addFault(t, ts, "logs-"+format, faults.Spec{Type: "conflict", Match: faults.Match{Method: "POST", Path: "*/Users"}, Count: 1})
			j := newJob(t, ts, "logs-"+format, contoso(t), Options{Log: lw})
			if err := j.Run(context.Background(), Limit{Cycles: 2}, nil); err != nil {
				t.Fatal(err)
			}
			if err := lw.Close(); err != nil {
				t.Fatal(err)
			}
			want := j.Cycles()[0].Processed + j.Cycles()[1].Processed
			if format == FormatJSON {
				checkJSONLog(t, path, want, j)
				return
			}
			checkCSVLog(t, path, want)
		})
	}
}

func checkJSONLog(t *testing.T, path string, want int, j *Job) {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var entries []Entry
	if err := json.Unmarshal(b, &entries); err != nil {
		t.Fatalf("the JSON log is not one array of entries: %v", err)
	}
	if len(entries) != want {
		t.Fatalf("%d entries, want %d", len(entries), want)
	}
	var failed *Entry
	for i, e := range entries {
		if e.JobID != j.ID || e.CycleID == "" || e.ChangeID == "" || e.ActivityDateTime.Before(start) {
			t.Errorf("entry %d: ids and time not set: %+v", i, e)
		}
		if e.ProvisioningStatusInfo.Status == "failure" && failed == nil {
			failed = &entries[i]
		}
	}
	if failed == nil {
		t.Fatal("no failed entry: the conflict fault did not hit")
	}
	ei := failed.ProvisioningStatusInfo.ErrorInformation
	if failed.Action != "Create" || failed.ProvisioningAction != "create" || ei == nil || ei.ErrorCode != "EntryConflict" ||
		ei.ErrorCategory != "nonServiceFailure" || !strings.Contains(ei.AdditionalDetails, "POST ") || ei.RecommendedAction == "" {
		t.Errorf("failed entry = %+v %+v", failed, ei)
	}
	if entries[0].Action != "Create" || len(entries[0].ProvisioningSteps) != 4 || entries[0].ProvisioningSteps[3].Name != "EntryExportAdd" {
		t.Errorf("first entry's steps = %+v", entries[0].ProvisioningSteps)
	}
}

func checkCSVLog(t *testing.T, path string, want int) {
	paths := CSVPaths(path)
	read := func(p string) [][]string {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		return rows
	}
	logs, steps, mods := read(paths[0]), read(paths[1]), read(paths[2])
	if len(logs) != want+1 {
		t.Fatalf("%s has %d rows, want a header and %d entries", paths[0], len(logs), want)
	}
	changes := map[string]bool{}
	for _, r := range logs[1:] {
		changes[r[4]] = true
	}
	for _, rows := range [][][]string{steps[1:], mods[1:]} {
		if len(rows) == 0 {
			t.Fatal("no steps or modified properties")
		}
		for _, r := range rows {
			if !changes[r[0]] {
				t.Fatalf("row %v joins no entry by its change id", r)
			}
		}
	}
}

// TestJob_restart: Restart provisioning runs a new initial cycle, which reads every user again by
// its anchor, and clears the quarantine and the escrows.
func TestJob_restart(t *testing.T) {
	ts := simulator.NewTestServer(t, simulator.WithToken("secret"))
	fixed := "secret"
	ch := &engine.Changes{Sets: []engine.ChangeSet{
		{Cycle: 2, ChangeUsers: []engine.AttrChange{{ObjectID: "u-bob", Attrs: map[string]any{"jobTitle": "VP"}}}, Admin: engine.AdminActions{Token: new(string)}},
		{Cycle: 3, Admin: engine.AdminActions{Token: &fixed, Restart: true}},
	}}
	*ch.Sets[0].Admin.Token = "revoked"
	j := newJob(t, ts, "restart", contoso(t), Options{Changes: ch})
	if err := j.Run(context.Background(), Limit{Cycles: 3}, nil); err != nil {
		t.Fatal(err)
	}
	c := j.Cycles()
	if c[1].Code != CodeQuarantine || c[1].Escrows != 1 {
		t.Fatalf("cycle 2 = %+v, want quarantine with Bob escrowed", c[1])
	}
	if !c[2].Initial || c[2].Code != CodeActive || c[2].Processed < 6 || c[2].Escrows != 0 || c[2].Updated < 1 {
		t.Fatalf("cycle 3 = %+v, want an initial cycle over every user, Bob updated, nothing escrowed", c[2])
	}
	if !c[2].Began.Equal(c[1].Ended.Add(6 * time.Hour)) {
		t.Errorf("cycle 3 began %s, want the quarantine's first retry, 6 hours after %s", c[2].Began, c[1].Ended)
	}
}
