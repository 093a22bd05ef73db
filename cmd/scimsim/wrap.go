package main

import (
	"bytes"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/term"
	"golang.org/x/text/width"
)

// terminalWidth is the width of w in columns when w is a terminal, 0 otherwise: piped and
// redirected output is never wrapped, so that it stays greppable and diffable. COLUMNS, when set to
// a number, wins, as for other command-line tools.
func terminalWidth(w io.Writer) int {
	f, ok := w.(interface{ Fd() uintptr })
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0
	}
	cols, _, err := term.GetSize(int(f.Fd()))
	if c := os.Getenv("COLUMNS"); c != "" {
		if n, cerr := strconv.Atoi(c); cerr == nil && n > 0 {
			cols, err = n, nil
		}
	}
	if err != nil || cols < minWrapWidth {
		return 0
	}
	return cols
}

// minWrapWidth is the narrowest terminal worth wrapping for: narrower, the terminal's own wrapping
// is no worse.
const minWrapWidth = 40

// wrapWriter breaks the lines written through it that are wider than width at spaces. A
// continuation keeps the line's indentation, and goes two columns further under a "- " bullet, so a
// long tip reads as one block under its dash. Colour escapes take no columns; a word wider than the
// line (a URL) is left whole. Width 0 writes through unchanged. Flush writes a last line that has no
// newline yet.
type wrapWriter struct {
	w     io.Writer
	width int
	buf   []byte
}

func newWrapWriter(w io.Writer, width int) *wrapWriter { return &wrapWriter{w: w, width: width} }

func (ww *wrapWriter) Write(p []byte) (int, error) {
	if ww.width <= 0 {
		return ww.w.Write(p)
	}
	ww.buf = append(ww.buf, p...)
	var out bytes.Buffer
	for {
		i := bytes.IndexByte(ww.buf, '\n')
		if i < 0 {
			break
		}
		out.WriteString(wrapLine(string(ww.buf[:i]), ww.width))
		out.WriteByte('\n')
		ww.buf = ww.buf[i+1:]
	}
	if out.Len() > 0 {
		if _, err := ww.w.Write(out.Bytes()); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// Flush writes what is left of an unfinished line.
func (ww *wrapWriter) Flush() error {
	if len(ww.buf) == 0 {
		return nil
	}
	_, err := io.WriteString(ww.w, wrapLine(string(ww.buf), ww.width))
	ww.buf = ww.buf[:0]
	return err
}

// wrapLine breaks one line (no newline in it) to width columns.
func wrapLine(line string, width int) string {
	if columns(line) <= width {
		return line
	}
	body := strings.TrimLeft(line, " ")
	indent := line[:len(line)-len(body)]
	cont := indent
	if plain := stripANSI(body); strings.HasPrefix(plain, "- ") || strings.HasPrefix(plain, "• ") {
		cont += "  "
	}
	var b strings.Builder
	cur, curCols := indent, len(indent)
	empty := true // no word on the current line yet
	for _, word := range strings.Split(body, " ") {
		wc := columns(word)
		switch {
		case empty:
			cur += word
			curCols += wc
			empty = false
		case curCols+1+wc > width:
			b.WriteString(cur)
			b.WriteByte('\n')
			cur, curCols = cont+word, len(cont)+wc
		default:
			cur += " " + word
			curCols += 1 + wc
		}
	}
	b.WriteString(cur)
	return b.String()
}

// columns is how many terminal columns s takes: colour escapes none, East Asian wide and full-width
// characters two (Unicode Standard Annex #11), every other rune one.
func columns(s string) int {
	n := 0
	for _, r := range stripANSI(s) {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

// stripANSI removes the SGR escapes ("\x1b[...m") the reports colour with.
func stripANSI(s string) string {
	if !strings.Contains(s, "\x1b[") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
				j++
			}
			i = j + 1
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		b.WriteRune(r)
		i += size
	}
	return b.String()
}
