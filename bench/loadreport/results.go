package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Phase names as ../shared/peers/load.sh prints them in its RESULT lines, plus "seed", which
// bench/load.sh prints when it fills a server through POST /admin/seed instead.
const (
	PhaseGetFilter  = "get-filter"
	PhasePostCreate = "post-create"
	PhaseBulkLoad   = "bulk-load"
	PhaseSeed       = "seed"
)

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
	Values map[string]float64
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
	default:
		return int(r.Values["http_ge_400"] + r.Values["sock_errors"])
	}
}

// Timed reports whether the phase is one of load.sh's timed wrk phases (it has latencies).
func (r Result) Timed() bool { return r.Phase == PhaseGetFilter || r.Phase == PhasePostCreate }

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
