// Command loadreport turns the RESULT lines that `make bench-load` collects into docs/benchmarks.md:
// a table of req/s, p50 and p99 per server, users and phase, the ratios of scimsim to the bare
// handler and to the SCIMMY peer, the load targets with how far each is met or
// missed, and the machine and the commands that produced the figures.
//
// Usage:
//
//	loadreport -results results.txt -out docs/benchmarks.md \
//	    -machine "nproc=2" -setting "duration=10s" -cmd "scimsim serve --addr ..."
//
// It prints the same Markdown to standard output. bench/load.sh is its only caller.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "loadreport:", err)
		os.Exit(1)
	}
}

// kvFlag collects repeated key=value flags in order.
type kvFlag []KV

func (f *kvFlag) String() string { return fmt.Sprint(*f) }

func (f *kvFlag) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(k) == "" {
		return fmt.Errorf("%q is not key=value", s)
	}
	*f = append(*f, KV{Key: k, Value: v})
	return nil
}

// listFlag collects a repeated flag in order.
type listFlag []string

func (f *listFlag) String() string     { return strings.Join(*f, "\n") }
func (f *listFlag) Set(s string) error { *f = append(*f, s); return nil }

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("loadreport", flag.ContinueOnError)
	fs.SetOutput(stderr)
	resultsPath := fs.String("results", "", "`file` of tagged RESULT lines (required)")
	outPath := fs.String("out", "", "Markdown `file` to write (besides standard output)")
	date := fs.String("date", "", "date of the run, RFC 3339 (default now)")
	var machine, settings kvFlag
	var commands listFlag
	fs.Var(&machine, "machine", "a `key=value` row of the Machine table (repeatable)")
	fs.Var(&settings, "setting", "a `key=value` row of the Settings table (repeatable)")
	fs.Var(&commands, "cmd", "a `command` that the run executed (repeatable, in order)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *resultsPath == "" {
		return fmt.Errorf("-results is required")
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	when := time.Now()
	if *date != "" {
		t, err := time.Parse(time.RFC3339, *date)
		if err != nil {
			return fmt.Errorf("-date %q: %w", *date, err)
		}
		when = t
	}

	f, err := os.Open(*resultsPath)
	if err != nil {
		return err
	}
	results, err := ParseResults(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", *resultsPath, err)
	}
	if len(results) == 0 {
		return fmt.Errorf("%s: no RESULT lines", *resultsPath)
	}

	var buf bytes.Buffer
	rep := Report{Date: when, Machine: machine, Settings: settings, Commands: commands, Results: Aggregate(results)}
	if err := rep.WriteMarkdown(&buf); err != nil {
		return err
	}
	if *outPath != "" {
		if err := writeFileAtomic(*outPath, buf.Bytes()); err != nil {
			return err
		}
	}
	_, err = stdout.Write(buf.Bytes())
	return err
}

// writeFileAtomic replaces path with data through a temporary file and a rename, so an
// interrupted run never leaves half a docs/benchmarks.md.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
