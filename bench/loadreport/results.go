package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Phase names as bench/peers/load.sh prints them in its RESULT lines (POST_LABEL names the POST
// phase of the Entra-shaped and of the --state runs), plus "seed", which bench/load.sh prints
// when it fills a server through POST /admin/seed instead, "rss", the server's resident
// memory after that seed, and "heap", the Go heap per stored user that
// BenchmarkServer_HeapPerUser measures in-process.
const (
	PhaseGetFilter       = "get-filter"
	PhasePostCreate      = "post-create"
	PhasePostCreateEntra = "post-create-entra"
	PhasePostCreateState = "post-create-state"
	PhaseBulkLoad        = "bulk-load"
	PhaseSeed            = "seed"
	PhaseRSS             = "rss"
	PhaseHeap            = "heap"
)

// timedPhases are load.sh's wrk phases, which have latencies.
var timedPhases = []string{PhaseGetFilter, PhasePostCreate, PhasePostCreateEntra, PhasePostCreateState}

// A Result is one RESULT line of load.sh, tagged with the server and the number of users it held.
//
// Lines look like
//
//	server=scimsim users=100000 RESULT get-filter requests=812345 duration_s=10.00 rps=81234.5 p50_ms=0.35 ... sock_errors=0
//
// where everything before RESULT is a tag added by bench/load.sh and everything after the phase is
// load.sh's own key=value list.
type Result struct {
	Server string
	Users  int // users the server held; 0 when it stores none (the bare handler)
	Phase  string
	Round  int // 1, 2, ... when the run repeats every measurement; 0 when not tagged
	Values map[string]float64

	// Rounds and MinRate, MaxRate are set by Aggregate: how many measurements the values are
	// the medians of, and the spread of their rates.
	Rounds           int
	MinRate, MaxRate float64
}

// Rate is the phase's throughput: requests per second for a timed phase, users per second for a
// loading phase.
func (r Result) Rate() float64 {
	if v, ok := r.Values["rps"]; ok {
		return v
	}
	return r.Values["rate_per_s"]
}

// Errors counts the requests that did not do what the phase asked: HTTP statuses of 400 and above
// and socket errors for a timed phase, users not created for a bulk load.
func (r Result) Errors() int {
	switch r.Phase {
	case PhaseBulkLoad:
		return int(r.Values["users"] - r.Values["created_201"])
	case PhaseSeed, PhaseRSS, PhaseHeap:
		return 0
	default:
		return int(r.Values["http_ge_400"] + r.Values["sock_errors"])
	}
}

// Timed reports whether the phase is one of load.sh's timed wrk phases (it has latencies).
func (r Result) Timed() bool { return slices.Contains(timedPhases, r.Phase) }

// ParseResults reads tagged RESULT lines. Blank lines and lines starting with # are skipped; any
// other line that is not a well-formed RESULT line is an error naming the line, so a changed
// load.sh output format fails loudly instead of producing an empty table.
func ParseResults(r io.Reader) ([]Result, error) {
	var out []Result
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		res, err := parseLine(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w: %q", n, err, line)
		}
		out = append(out, res)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read results: %w", err)
	}
	return out, nil
}

func parseLine(line string) (Result, error) {
	fields := strings.Fields(line)
	at := -1
	for i, f := range fields {
		if f == "RESULT" {
			at = i
			break
		}
	}
	if at < 0 {
		return Result{}, fmt.Errorf("no RESULT field")
	}
	if at+1 >= len(fields) || strings.Contains(fields[at+1], "=") {
		return Result{}, fmt.Errorf("RESULT without a phase name")
	}
	res := Result{Phase: fields[at+1], Values: make(map[string]float64, len(fields)-at-2)}
	haveServer, haveUsers := false, false
	for _, f := range fields[:at] {
		key, val, ok := strings.Cut(f, "=")
		if !ok {
			return Result{}, fmt.Errorf("tag %q is not key=value", f)
		}
		switch key {
		case "server":
			if val == "" {
				return Result{}, fmt.Errorf("empty server tag")
			}
			res.Server, haveServer = val, true
		case "users":
			n, err := strconv.Atoi(val)
			if err != nil || n < 0 {
				return Result{}, fmt.Errorf("users tag %q is not a count", val)
			}
			res.Users, haveUsers = n, true
		case "round":
			n, err := strconv.Atoi(val)
			if err != nil || n < 1 {
				return Result{}, fmt.Errorf("round tag %q is not a positive number", val)
			}
			res.Round = n
		default:
			return Result{}, fmt.Errorf("unknown tag %q", key)
		}
	}
	if !haveServer || !haveUsers {
		return Result{}, fmt.Errorf("missing server= or users= tag")
	}
	for _, f := range fields[at+2:] {
		key, val, ok := strings.Cut(f, "=")
		if !ok || key == "" {
			return Result{}, fmt.Errorf("value %q is not key=value", f)
		}
		v, err := strconv.ParseFloat(val, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return Result{}, fmt.Errorf("value %s=%q is not a finite number", key, val)
		}
		if _, dup := res.Values[key]; dup {
			return Result{}, fmt.Errorf("value %q given twice", key)
		}
		res.Values[key] = v
	}
	if res.Timed() {
		for _, key := range []string{"rps", "p50_ms", "p99_ms"} {
			if _, ok := res.Values[key]; !ok {
				return Result{}, fmt.Errorf("phase %s without %s", res.Phase, key)
			}
		}
	}
	return res, nil
}

// summed are the values that Aggregate adds up across rounds instead of taking their median: an
// error in any round must show.
var summed = map[string]bool{"requests": true, "http_ge_400": true, "sock_errors": true}

// Aggregate merges the results of repeated rounds: one result per server, users and phase, in
// the order of first appearance, whose values are the medians over the rounds (each value on its
// own, so p99 is the median of the rounds' p99s), except counts of requests and errors, which are
// summed. A value missing from some round is left out.
func Aggregate(results []Result) []Result {
	type key struct {
		server, phase string
		users         int
	}
	var order []key
	groups := map[key][]Result{}
	for _, r := range results {
		k := key{r.Server, r.Phase, r.Users}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], r)
	}
	out := make([]Result, 0, len(order))
	for _, k := range order {
		g := groups[k]
		agg := Result{Server: k.server, Users: k.users, Phase: k.phase, Rounds: len(g),
			Values: map[string]float64{}, MinRate: g[0].Rate(), MaxRate: g[0].Rate()}
		for name := range g[0].Values {
			var vs []float64
			for _, r := range g {
				if v, ok := r.Values[name]; ok {
					vs = append(vs, v)
				}
			}
			if len(vs) != len(g) {
				continue
			}
			if summed[name] {
				agg.Values[name] = sum(vs)
			} else {
				agg.Values[name] = median(vs)
			}
		}
		for _, r := range g[1:] {
			agg.MinRate = min(agg.MinRate, r.Rate())
			agg.MaxRate = max(agg.MaxRate, r.Rate())
		}
		out = append(out, agg)
	}
	return out
}

func sum(vs []float64) float64 {
	var t float64
	for _, v := range vs {
		t += v
	}
	return t
}

// median of vs (not empty); the mean of the middle two for an even count.
func median(vs []float64) float64 {
	s := slices.Clone(vs)
	slices.Sort(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
