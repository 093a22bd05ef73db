package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/scimsim/scimsim/internal/golden"
)

func TestParseResults(t *testing.T) {
	got, err := ParseResults(strings.NewReader(golden.Read(t, filepath.Join("testdata", "results.txt"))))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(got), 16; got != want {
		t.Fatalf("len(results)=%d, want %d", got, want)
	}
	want := Result{Server: "scimsim", Users: 100000, Phase: PhaseGetFilter, Values: map[string]float64{
		"requests": 240000, "duration_s": 10, "rps": 24000, "p50_ms": 1.1, "p75_ms": 1.4, "p90_ms": 1.8,
		"p99_ms": 4, "p99.9_ms": 7, "max_ms": 14, "http_ge_400": 0, "sock_errors": 0, "cpu_us_per_req": 37.2,
	}}
	if diff := cmp.Diff(want, got[9]); diff != "" {
		t.Errorf("results[9] (-want +got):\n%s", diff)
	}
}

func TestParseResults_errors(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr string
	}{
		{name: "no RESULT", in: "server=a users=1 get-filter rps=1", wantErr: `line 1: no RESULT field`},
		{name: "no phase", in: "server=a users=1 RESULT rps=1", wantErr: `RESULT without a phase name`},
		{name: "no tags", in: "RESULT get-filter rps=1 p50_ms=1 p99_ms=1", wantErr: `missing server= or users= tag`},
		{name: "bad users", in: "server=a users=many RESULT seed", wantErr: `users tag "many" is not a count`},
		{name: "negative users", in: "server=a users=-1 RESULT seed", wantErr: `users tag "-1" is not a count`},
		{name: "unknown tag", in: "server=a users=1 host=x RESULT seed", wantErr: `unknown tag "host"`},
		{name: "bare tag", in: "scimsim users=1 RESULT seed", wantErr: `tag "scimsim" is not key=value`},
		{name: "not a number", in: "server=a users=1 RESULT seed rate_per_s=fast", wantErr: `value rate_per_s="fast" is not a finite number`},
		{name: "NaN", in: "server=a users=1 RESULT seed rate_per_s=NaN", wantErr: `is not a finite number`},
		{name: "bad round", in: "server=a users=1 round=0 RESULT seed", wantErr: `round tag "0" is not a positive number`},
		{name: "duplicate", in: "server=a users=1 RESULT seed x=1 x=2", wantErr: `value "x" given twice`},
		{name: "timed without p99", in: "server=a users=1 RESULT get-filter rps=1 p50_ms=1", wantErr: `phase get-filter without p99_ms`},
		{name: "line number", in: "# header\n\nserver=a users=1 RESULT seed\nnoise", wantErr: `line 4: no RESULT field: "noise"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseResults(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("ParseResults(%q) error = %v, want it to contain %q", tt.in, err, tt.wantErr)
			}
		})
	}
}

func TestResult_Errors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want int
	}{
		{name: "timed", in: "server=a users=1 RESULT post-create rps=1 p50_ms=1 p99_ms=1 http_ge_400=3 sock_errors=2", want: 5},
		{name: "bulk load", in: "server=a users=1 RESULT bulk-load users=10000 created_201=9990", want: 10},
		{name: "seed", in: "server=a users=1 RESULT seed users=100000 elapsed_s=2", want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ParseResults(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if got := res[0].Errors(); got != tt.want {
				t.Fatalf("Errors()=%d, want %d", got, tt.want)
			}
		})
	}
}

// TestReport_WriteMarkdown compares whole documents with testdata/*.md; run with -update after
// an intended change and review the diff.
func TestReport_WriteMarkdown(t *testing.T) {
	tests := []struct {
		name, results, golden string
	}{
		{name: "one round", results: "results.txt", golden: "report.md"},
		{name: "three rounds", results: "results-rounds.txt", golden: "report-rounds.md"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run([]string{
				"-results", filepath.Join("testdata", tt.results),
				"-date", "2026-11-25T18:00:00Z",
				"-machine", "nproc=2", "-machine", "CPU=AMD EPYC", "-machine", "odd=a|b",
				"-setting", "wrk=2 threads, 32 connections, 10s per phase",
				"-cmd", "bare --addr 127.0.0.1:18090 --token bench-token &",
				"-cmd", "USERS=10000 bench/peers/load.sh http://127.0.0.1:18090/scim/v2 bench-token",
			}, &out, &bytes.Buffer{})
			if err != nil {
				t.Fatal(err)
			}
			golden.File(t, filepath.Join("testdata", tt.golden), out.String())
		})
	}
}

func TestAggregate(t *testing.T) {
	results, err := ParseResults(strings.NewReader(golden.Read(t, filepath.Join("testdata", "results-rounds.txt"))))
	if err != nil {
		t.Fatal(err)
	}
	got := Aggregate(results)
	want := []Result{
		{Server: Bare, Phase: PhaseGetFilter, Rounds: 3, MinRate: 50000, MaxRate: 60000, Values: map[string]float64{
			"requests": 1650000, "duration_s": 10, "rps": 55000, "p50_ms": 0.45, "p99_ms": 2.5, "http_ge_400": 0, "sock_errors": 0}},
		{Server: Subject, Users: 100000, Phase: PhaseSeed, Rounds: 3, MinRate: 20000, MaxRate: 25000, Values: map[string]float64{
			"users": 100000, "elapsed_s": 4.5, "rate_per_s": 22222.2}},
		{Server: Subject, Users: 100000, Phase: PhaseGetFilter, Rounds: 3, MinRate: 26000, MaxRate: 30000, Values: map[string]float64{
			"requests": 840000, "duration_s": 10, "rps": 28000, "p50_ms": 1, "p99_ms": 5,
			"http_ge_400": 1, "sock_errors": 0}, // the error of round 2 is kept: errors are summed
		},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(Result{}, "Round")); diff != "" {
		t.Errorf("Aggregate (-want +got):\n%s", diff)
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []float64
		want float64
	}{
		{[]float64{3}, 3}, {[]float64{3, 1, 2}, 2}, {[]float64{4, 1, 3, 2}, 2.5},
	}
	for _, tt := range tests {
		if got := median(tt.in); got != tt.want {
			t.Errorf("median(%v)=%v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestReport_check(t *testing.T) {
	timed := func(server string, users int, phase string, rps float64, errs int) Result {
		return Result{Server: server, Users: users, Phase: phase, Values: map[string]float64{
			"rps": rps, "p50_ms": 1, "p99_ms": 2, "http_ge_400": float64(errs)}}
	}
	tests := []struct {
		name         string
		results      []Result
		target       Target
		wantMeasured string
		wantVerdict  string
	}{
		{
			name:    "absolute met",
			results: []Result{timed(Subject, 100000, PhaseGetFilter, 30000, 0)},
			target:  Target{Phase: PhaseGetFilter, Users: 100000, Min: 25000},
			// exactly the wanted figures, formatted
			wantMeasured: "30,000 req/s", wantVerdict: "met",
		},
		{
			name:         "absolute missed",
			results:      []Result{timed(Subject, 100000, PhaseGetFilter, 20000, 0)},
			target:       Target{Phase: PhaseGetFilter, Users: 100000, Min: 25000},
			wantMeasured: "20,000 req/s", wantVerdict: "**missed** by 20%",
		},
		{
			name:         "other user count only",
			results:      []Result{timed(Subject, 10000, PhaseGetFilter, 30000, 0)},
			target:       Target{Phase: PhaseGetFilter, Users: 100000, Min: 25000},
			wantMeasured: "—", wantVerdict: "not measured",
		},
		{
			name:         "errors invalidate",
			results:      []Result{timed(Subject, 10000, PhasePostCreate, 90000, 12)},
			target:       Target{Phase: PhasePostCreate, Users: 10000, Min: 20000},
			wantMeasured: "90,000 req/s", wantVerdict: "invalid: 12 errors",
		},
		{
			name: "ratio to bare, which stores no users",
			results: []Result{
				timed(Bare, 0, PhaseGetFilter, 40000, 0),
				timed(Subject, 100000, PhaseGetFilter, 30000, 0),
			},
			target:       Target{Phase: PhaseGetFilter, Users: 100000, Baseline: Bare, Min: 0.5},
			wantMeasured: "0.75×", wantVerdict: "met",
		},
		{
			name: "ratio to SCIMMY at another user count is not a comparison",
			results: []Result{
				timed(SCIMMY, 10000, PhaseGetFilter, 25, 0),
				timed(Subject, 100000, PhaseGetFilter, 30000, 0),
			},
			target:       Target{Phase: PhaseGetFilter, Users: 100000, Baseline: SCIMMY, Min: 100},
			wantMeasured: "—", wantVerdict: "SCIMMY not measured",
		},
		{
			name: "ratio missed",
			results: []Result{
				timed(SCIMMY, 10000, PhaseGetFilter, 500, 0),
				timed(Subject, 10000, PhaseGetFilter, 25000, 0),
			},
			target:       Target{Phase: PhaseGetFilter, Users: 10000, Baseline: SCIMMY, Min: 100},
			wantMeasured: "50×", wantVerdict: "**missed** by 50%",
		},
		{
			name:         "rss met",
			results:      []Result{{Server: Subject, Users: 100000, Phase: PhaseRSS, Values: map[string]float64{"kb_per_user": 2.04}}},
			target:       Target{Phase: PhaseRSS, Users: 100000, MaxPerUser: 3},
			wantMeasured: "2.04 KB/user", wantVerdict: "met",
		},
		{
			name:         "heap missed",
			results:      []Result{{Server: Subject, Users: 100000, Phase: PhaseHeap, Values: map[string]float64{"bytes_per_user": 1800}}},
			target:       Target{Phase: PhaseHeap, Users: 100000, MaxPerUser: 1500},
			wantMeasured: "1,800 B/user", wantVerdict: "**missed** by 20%",
		},
		{
			name: "baseline with errors gives no ratio",
			results: []Result{
				timed(SCIMMY, 10000, PhaseGetFilter, 500, 7),
				timed(Subject, 10000, PhaseGetFilter, 25000, 0),
			},
			target:       Target{Phase: PhaseGetFilter, Users: 10000, Baseline: SCIMMY, Min: 100},
			wantMeasured: "—", wantVerdict: "SCIMMY not measured",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			measured, verdict := Report{Results: tt.results}.check(tt.target)
			if measured != tt.wantMeasured || verdict != tt.wantVerdict {
				t.Fatalf("check()=(%q, %q), want (%q, %q)", measured, verdict, tt.wantMeasured, tt.wantVerdict)
			}
		})
	}
}

func TestThousands(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0"}, {999.4, "999"}, {999.5, "1,000"}, {54321.6, "54,322"}, {1234567, "1,234,567"}, {-1234, "-1,234"},
	}
	for _, tt := range tests {
		if got := thousands(tt.in); got != tt.want {
			t.Errorf("thousands(%v)=%q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRun_errors(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty.txt")
	if err := os.WriteFile(empty, []byte("# nothing measured\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{name: "no results flag", args: nil, wantErr: "-results is required"},
		{name: "missing file", args: []string{"-results", "testdata/nope.txt"}, wantErr: "nope.txt"},
		{name: "no RESULT lines", args: []string{"-results", empty}, wantErr: "no RESULT lines"},
		{name: "bad date", args: []string{"-results", empty, "-date", "yesterday"}, wantErr: `-date "yesterday"`},
		{name: "bad machine row", args: []string{"-results", empty, "-machine", "nproc"}, wantErr: `"nproc" is not key=value`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(tt.args, &bytes.Buffer{}, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("run(%q) error = %v, want it to contain %q", tt.args, err, tt.wantErr)
			}
		})
	}
}

func TestRun_writesOut(t *testing.T) {
	out := filepath.Join(t.TempDir(), "benchmarks.md")
	var stdout bytes.Buffer
	err := run([]string{"-results", filepath.Join("testdata", "results.txt"), "-out", out,
		"-date", time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC).Format(time.RFC3339)}, &stdout, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	written, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(written, stdout.Bytes()) {
		t.Errorf("the -out file and standard output differ")
	}
	entries, err := os.ReadDir(filepath.Dir(out))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only benchmarks.md (no temporary file left)", len(entries))
	}
}

// FuzzParseResults checks that no input makes the parser panic, and that what it accepts is
// well-formed: a server, a phase and finite values.
func FuzzParseResults(f *testing.F) {
	for _, line := range strings.Split(golden.Read(f, filepath.Join("testdata", "results.txt")), "\n") {
		f.Add(line)
	}
	f.Add("server=a users=1 RESULT get-filter rps=1e309 p50_ms=1 p99_ms=1")
	f.Add("server= users=0 RESULT x")
	f.Fuzz(func(t *testing.T, in string) {
		results, err := ParseResults(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, r := range results {
			if r.Server == "" || r.Phase == "" || r.Users < 0 {
				t.Fatalf("accepted %q as %+v", in, r)
			}
			for k, v := range r.Values {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("accepted non-finite %s=%v from %q", k, v, in)
				}
			}
		}
	})
}

func TestReport_WriteMarkdown_withoutSubject(t *testing.T) {
	rep := Report{Results: []Result{{Server: Bare, Phase: PhaseGetFilter,
		Values: map[string]float64{"rps": 50000, "p50_ms": 0.4, "p99_ms": 3}}}}
	var out bytes.Buffer
	if err := rep.WriteMarkdown(&out); err != nil {
		t.Fatal(err)
	}
	golden.Contains(t, "the report", out.String(),
		"**scimsim was not measured in this run**",
		"| bare | — | filtered GET | 50,000 | 0.40 | 3.00 | — | 0 |  |  |",
		"| filtered GET at 100,000 users ≥ 25,000 req/s | — | not measured |")
	if strings.Contains(out.String(), "- SCIMMY") {
		t.Errorf("report lists SCIMMY, which was not measured:\n%s", out.String())
	}
}
