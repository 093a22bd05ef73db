package job

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestEscrowCounts_threshold runs the worked examples of Microsoft's quarantine page, and a few
// edges, from testdata/thresholds.txt.
func TestEscrowCounts_threshold(t *testing.T) {
	f, err := os.Open("testdata/thresholds.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.Fields(text)
		if len(fields) < 4 {
			t.Fatalf("thresholds.txt:%d: want failures, reference failures, successes and a reason", line)
		}
		num := func(s string) int64 {
			v, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				t.Fatalf("thresholds.txt:%d: %v", line, err)
			}
			return v
		}
		c := escrowCounts{failures: num(fields[0]), referenceFailures: num(fields[1]), successes: num(fields[2])}
		want := strings.TrimPrefix(fields[3], "-")
		if got := c.threshold(); got != want {
			t.Errorf("thresholds.txt:%d: %+v threshold() = %q, want %q (%s)", line, c, got, want, strings.Join(fields[4:], " "))
		}
		n++
	}
	if n < 6 {
		t.Fatalf("only %d cases in thresholds.txt", n)
	}
}

// TestQuarantineRetry: 6 hours, 12 hours and 24 hours after the first failure, then every 24
// hours, for 28 days.
func TestQuarantineRetry(t *testing.T) {
	began := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		n     int64
		after time.Duration
		ok    bool
	}{
		{1, 6 * time.Hour, true},
		{2, 12 * time.Hour, true},
		{3, 24 * time.Hour, true},
		{4, 48 * time.Hour, true},
		{5, 72 * time.Hour, true},
		{30, 28 * 24 * time.Hour, true},
		{31, 0, false},
	}
	for _, tt := range tests {
		got, ok := quarantineRetry(began, tt.n)
		if ok != tt.ok || ok && !got.Equal(began.Add(tt.after)) {
			t.Errorf("quarantineRetry(%d) = %s, %v; want %s, %v", tt.n, got, ok, began.Add(tt.after), tt.ok)
		}
	}
}
