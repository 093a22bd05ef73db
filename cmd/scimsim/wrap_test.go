package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestWrapLine(t *testing.T) {
	for _, tc := range []struct {
		name, line string
		width      int
		want       string
	}{
		{"short", "  fits", 10, "  fits"},
		{"indented", "   one two three four", 12, "   one two\n   three\n   four"},
		{"under a bullet", "       - Make sure that the attribute is unique.", 30, "       - Make sure that the\n         attribute is unique."},
		{"colour takes no columns", "\x1b[31mred\x1b[0m words here", 9, "\x1b[31mred\x1b[0m words\nhere"},
		{"a long word stays whole", "  see https://learn.microsoft.com/entra/identity/app-provisioning/provision-on-demand", 20, "  see\n  https://learn.microsoft.com/entra/identity/app-provisioning/provision-on-demand"},
		{"wide characters take two columns", "日本語 日本語", 8, "日本語\n日本語"},
	} {
		if got := wrapLine(tc.line, tc.width); got != tc.want {
			t.Errorf("%s: wrapLine(%q, %d) =\n%q\nwant\n%q", tc.name, tc.line, tc.width, got, tc.want)
		}
	}
}

func TestWrapWriter(t *testing.T) {
	var b bytes.Buffer
	w := newWrapWriter(&b, 10)
	for _, chunk := range []string{"aaa bbb ", "ccc ddd\nshort\n", "tail without newline"} {
		if _, err := w.Write([]byte(chunk)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if want := "aaa bbb\nccc ddd\nshort\ntail\nwithout\nnewline"; b.String() != want {
		t.Errorf("wrapped %q, want %q", b.String(), want)
	}
	b.Reset()
	long := strings.Repeat("word ", 40)
	w = newWrapWriter(&b, 0) // not a terminal: written as it is
	w.Write([]byte(long + "\n"))
	if b.String() != long+"\n" {
		t.Errorf("width 0 changed the output: %q", b.String())
	}
	if got := terminalWidth(&b); got != 0 {
		t.Errorf("terminalWidth(a buffer) = %d, want 0", got)
	}
}
