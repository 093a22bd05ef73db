package scimsim

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/scimsim/scimsim/internal/golden"
)

// TestREADME_PerformanceMatchesBenchmarks holds the README's performance table and memory
// sentence to docs/benchmarks.md, which `make bench-load` generates: a rerun that changes the
// figures fails this test until the README says the same.
func TestREADME_PerformanceMatchesBenchmarks(t *testing.T) {
	readme := golden.Read(t, "README.md")
	bench := golden.Read(t, "docs/benchmarks.md")

	// docs/benchmarks.md's Results: "| server | users | phase | req/s | ... |", with a spread column
	// after req/s when the run had several rounds; the header names the columns.
	results := map[string][]string{}
	col := map[string]int{}
	for _, line := range strings.Split(bench, "\n") {
		cells := tableCells(line)
		switch {
		case len(cells) > 0 && cells[0] == "server" && len(col) == 0:
			for i, c := range cells {
				col[c] = i
			}
		case len(col) > 0 && len(cells) == len(col) && cells[0] == "scimsim":
			results[cells[1]+" "+cells[2]] = cells
		}
	}
	for _, c := range []string{"req/s", "server CPU µs/req", "scimsim ÷ bare", "scimsim ÷ SCIMMY"} {
		if _, ok := col[c]; !ok {
			t.Fatalf("docs/benchmarks.md: the Results table has no column %q", c)
		}
	}
	// The README's rows, each the Results row it summarises.
	rows := []struct{ label, result string }{
		{"`GET /Users?filter=userName eq \"…\"`, 100,000 users", "100,000 filtered GET"},
		{"the same, 10,000 users", "10,000 filtered GET"},
		{"`POST /Users`, 100,000 users", "100,000 POST create"},
		{"the same with Entra's create body, into a named tenant", "100,000 POST create, Entra's body, named tenant"},
		{"`POST /Users`, 100,000 users, with `--state` (`--state-sync always`)", "100,000 POST create, --state-sync always"},
	}
	readmeRows := map[string][]string{}
	for _, line := range strings.Split(readme, "\n") {
		if cells := tableCells(line); len(cells) == 5 {
			readmeRows[cells[0]] = cells
		}
	}
	for _, row := range rows {
		got, ok := readmeRows[row.label]
		if !ok {
			t.Errorf("README.md: no performance row %q", row.label)
			continue
		}
		res, ok := results[row.result]
		if !ok {
			t.Errorf("docs/benchmarks.md: no scimsim result %q", row.result)
			continue
		}
		cpu, err := strconv.ParseFloat(res[col["server CPU µs/req"]], 64)
		if err != nil {
			t.Errorf("docs/benchmarks.md %q: CPU %q: %v", row.result, res[col["server CPU µs/req"]], err)
			continue
		}
		want := []string{row.label, res[col["req/s"]] + " req/s", orDash(res[col["scimsim ÷ bare"]]),
			orDash(res[col["scimsim ÷ SCIMMY"]]), fmt.Sprintf("%.0f µs", math.Round(cpu))}
		if strings.Join(got, " | ") != strings.Join(want, " | ") {
			t.Errorf("README.md performance row:\n got  %s\n want %s (docs/benchmarks.md)", strings.Join(got, " | "), strings.Join(want, " | "))
		}
	}

	// The README says how many rounds its medians come from, as docs/benchmarks.md does.
	rounds := regexp.MustCompile(`repeated in (\d+) rounds`).FindStringSubmatch(bench)
	said := regexp.MustCompile(`\(medians of (\d+) rounds\)`).FindStringSubmatch(readme)
	switch {
	case rounds == nil && said != nil:
		t.Errorf("README.md speaks of medians of %s rounds; docs/benchmarks.md is one round", said[1])
	case rounds != nil && (said == nil || said[1] != rounds[1]):
		t.Errorf("README.md must say \"(medians of %s rounds)\", as docs/benchmarks.md does", rounds[1])
	}

	// The README's sentences on memory, each the last cell of scimsim's row at 100,000 users in a
	// section of docs/benchmarks.md: "| scimsim | 100,000 | RSS MiB | KB per user |" and
	// "| scimsim | 100,000 | bytes per user |".
	for _, mem := range []struct {
		what, section string
		said          *regexp.Regexp
	}{
		{"the RSS per user after seeding 100,000 users", "## Memory",
			regexp.MustCompile(`After seeding 100,000 users the server holds ([0-9.]+) KB of memory \(RSS\) per user`)},
		{"the Go heap per stored user", "## Heap per stored user",
			regexp.MustCompile(`each stored user\s+takes ([0-9,]+) B of Go heap`)},
	} {
		doc := ""
		in := false
		for _, line := range strings.Split(bench, "\n") {
			if strings.HasPrefix(line, "## ") {
				in = line == mem.section
			}
			if cells := tableCells(line); in && len(cells) >= 3 && cells[0] == "scimsim" && cells[1] == "100,000" {
				doc = cells[len(cells)-1]
			}
		}
		said := mem.said.FindStringSubmatch(readme)
		switch {
		case doc == "":
			t.Errorf("docs/benchmarks.md: no row for scimsim at 100,000 users under %q", mem.section)
		case said == nil:
			t.Errorf("README.md: no sentence on %s", mem.what)
		case said[1] != doc:
			t.Errorf("README.md gives %s as %s, docs/benchmarks.md as %s", mem.what, said[1], doc)
		}
	}
}

// tableCells returns the trimmed cells of a Markdown table row, or nil for any other line.
func tableCells(line string) []string {
	line = strings.TrimSpace(line)
	if !strings.HasPrefix(line, "|") || !strings.HasSuffix(line, "|") {
		return nil
	}
	cells := strings.Split(line[1:len(line)-1], "|")
	for i := range cells {
		cells[i] = strings.TrimSpace(cells[i])
	}
	return cells
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
