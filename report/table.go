package report

import (
	"io"
	"strings"
	"unicode/utf8"
)

// Table is a summary table, as the scenario and conformance runs print one: a header and rows of
// cells in columns two spaces apart, the last column unpadded (it may run long, or be painted).
type Table struct {
	Head []string
	Rows [][]string
	// Paint, when set, returns the ANSI colour (an SGR code such as "32") of a row's last cell, ""
	// for none; the header is not painted.
	Paint func(row []string) string
}

// Add appends a row.
func (t *Table) Add(cells ...string) { t.Rows = append(t.Rows, cells) }

// Write writes the header and the rows.
func (t *Table) Write(w io.Writer) error {
	widths := make([]int, len(t.Head))
	for _, r := range append([][]string{t.Head}, t.Rows...) {
		for i, c := range r[:len(r)-1] {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	line := func(r []string, paint string) {
		for i, c := range r {
			if i < len(r)-1 {
				b.WriteString(c)
				b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+2))
				continue
			}
			if paint != "" {
				c = "\x1b[" + paint + "m" + c + "\x1b[0m"
			}
			b.WriteString(c)
		}
		b.WriteString("\n")
	}
	line(t.Head, "")
	for _, r := range t.Rows {
		paint := ""
		if t.Paint != nil {
			paint = t.Paint(r)
		}
		line(r, paint)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
