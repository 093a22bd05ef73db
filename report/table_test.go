package report

import (
	"fmt"
	"strings"
	"testing"
	"text/tabwriter"
)

// TestTable_asTabwriter: a table reads as text/tabwriter lays the same cells out (two spaces of
// padding, the last column as written), whatever the runes, and with continuation rows of empty
// cells.
func TestTable_asTabwriter(t *testing.T) {
	rows := [][]string{
		{"filter-eq", "breaks-entra", "fail", "Entra’s match fails — the user is created twice"},
		{"", "", "", "to pass: answer 200 with the résumé"},
		{"patch-op-case", "degrades", "skip", ""},
		{"x", "y", "z", "w"},
	}
	head := []string{"CHECK", "IMPACT", "RESULT", "WHAT ENTRA WOULD DO / TO PASS"}
	var want strings.Builder
	tw := tabwriter.NewWriter(&want, 0, 0, 2, ' ', 0)
	for _, r := range append([][]string{head}, rows...) {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	if err := tw.Flush(); err != nil {
		t.Fatal(err)
	}
	tb := Table{Head: head, Rows: rows}
	var got strings.Builder
	if err := tb.Write(&got); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Errorf("Table:\n%s\ntabwriter:\n%s", got.String(), want.String())
	}
}

// TestTable_paint colours the last cell of the rows Paint names, never the header.
func TestTable_paint(t *testing.T) {
	tb := Table{Head: []string{"A", "RESULT"}, Paint: func(r []string) string {
		if r[1] == "ok" {
			return "32"
		}
		return ""
	}}
	tb.Add("one", "ok")
	tb.Add("two", "FAIL")
	var b strings.Builder
	if err := tb.Write(&b); err != nil {
		t.Fatal(err)
	}
	if want := "A    RESULT\none  \x1b[32mok\x1b[0m\ntwo  FAIL\n"; b.String() != want {
		t.Errorf("Write() = %q, want %q", b.String(), want)
	}
}
