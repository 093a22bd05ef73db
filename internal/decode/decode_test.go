package decode

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/scimsim/scimsim/internal/golden"
)

// sample is a file Strict reads: its yaml tags are the keys the file may hold.
type sample struct {
	Name  string    `yaml:"name"`
	Count int       `yaml:"count"`
	When  time.Time `yaml:"when"`
	Tags  []string  `yaml:"tags"`
	Match struct {
		Method string `yaml:"method"`
	} `yaml:"match"`
	Attributes map[string]any `yaml:"attributes"`
}

// readStrict is how a loader reads a file with Strict: the document, then the tagged type.
func readStrict(name string, b []byte) (sample, error) {
	var s sample
	root, err := Document(name, b, "sample file")
	if err != nil {
		return s, err
	}
	d := New(name)
	d.Strict(root, &s, "the sample")
	return s, d.Err()
}

// fields is a file a Decoder reads by a table of its keys (Keys), as the engine's loaders do.
type fields struct {
	Pos     Pos
	URL     string
	Timeout time.Duration
	Enabled bool
	Count   int
	When    time.Time
	Roles   []string
	Attr    any
}

func readFields(name string, b []byte) (fields, error) {
	var f fields
	root, d, err := Mapping(name, b)
	if err != nil {
		return f, err
	}
	f.Pos = d.Pos(root)
	d.Add(d.Keys(root, "", &f.Pos,
		StrKey("url", &f.URL),
		DurationKey("timeout", &f.Timeout),
		BoolKey("enabled", &f.Enabled),
		IntKey("count", &f.Count),
		TimeKey("when", &f.When),
		StringsKey("roles", &f.Roles),
		Key{"attr", func(d *Decoder, v *yaml.Node, field string) (err error) { f.Attr, err = d.Scalar(v, field); return err }},
	))
	return f, d.Err()
}

// TestRead: every file under testdata/strict and testdata/fields reads to what its .want file
// says: the value, or every mistake as "file:line:col: field: message" (-update rewrites them).
func TestRead(t *testing.T) {
	for dir, read := range map[string]func(string, []byte) (any, error){
		"strict": func(n string, b []byte) (any, error) { return readStrict(n, b) },
		"fields": func(n string, b []byte) (any, error) { return readFields(n, b) },
	} {
		goldenFiles(t, dir, ".yaml", read)
	}
}

// goldenFiles reads every testdata/DIR/*EXT file with read and compares what it gave, the value
// or every mistake (each an *Error), with the file's .want.
func goldenFiles(t *testing.T, dir, ext string, read func(string, []byte) (any, error)) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("testdata", dir, "*"+ext))
	if len(files) == 0 {
		t.Fatalf("no files in testdata/%s", dir)
	}
	for _, p := range files {
		t.Run(dir+"/"+filepath.Base(p), func(t *testing.T) {
			v, err := read(filepath.Base(p), []byte(golden.Read(t, p)))
			got := fmt.Sprintf("%+v\n", v)
			if err != nil {
				got = err.Error() + "\n"
				for _, e := range unwrap(err) {
					var de *Error
					if !errors.As(e, &de) {
						t.Errorf("%q is not an *Error", e)
					}
				}
			}
			golden.File(t, strings.TrimSuffix(p, ext)+".want", got)
		})
	}
}

func unwrap(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// TestEmpty: an empty document is ErrEmpty, which a loader may take as nothing to read.
func TestEmpty(t *testing.T) {
	for _, b := range []string{"", "# only a comment\n", "\n\n"} {
		if _, err := Document("x.yaml", []byte(b), ""); !errors.Is(err, ErrEmpty) || err.Error() != "x.yaml:1: empty document" {
			t.Errorf("Document(%q) = %v, want x.yaml:1: empty document", b, err)
		}
	}
}

// TestJoin: mistakes come in the order of their lines, the first MaxErrors of them, and a last
// line counts the rest.
func TestJoin(t *testing.T) {
	m := Mistakes{File: "x.yaml"}
	for i := MaxErrors + 2; i > 0; i-- {
		m.Addf(Pos{File: "x.yaml", Line: i, Col: 2}, "k", "mistake %d", i)
	}
	lines := strings.Split(m.Err().Error(), "\n")
	if len(lines) != MaxErrors+1 || lines[0] != "x.yaml:1:2: k: mistake 1" || lines[MaxErrors] != "x.yaml: 2 more mistakes not shown (the first 20 are above)" {
		t.Errorf("Err() = %d lines, first %q, last %q", len(lines), lines[0], lines[len(lines)-1])
	}
	if (&Mistakes{}).Err() != nil {
		t.Error("no mistakes: Err() != nil")
	}
}

// TestPos: a key's position, and how positions print.
func TestPos(t *testing.T) {
	var p Pos
	p.File, p.Line, p.Col = "x.yaml", 3, 1
	p.SetKey("url", Pos{File: "x.yaml", Line: 4, Col: 3})
	for _, tt := range []struct {
		pos  Pos
		want string
	}{
		{p.At("url"), "x.yaml:4:3"},
		{p.At("token"), "x.yaml:3:1"},
		{Pos{File: "x.yaml", Line: 2}, "x.yaml:2"},
		{Pos{File: "x.yaml"}, "x.yaml"},
		{Pos{}, ""},
	} {
		if got := tt.pos.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.pos, got, tt.want)
		}
	}
	if got := (&Error{Msg: "bad"}).Error(); got != "bad" {
		t.Errorf("an error without a position = %q, want the message alone", got)
	}
}

// FuzzRead: no input panics either reader, and every mistake names the file.
func FuzzRead(f *testing.F) {
	golden.Seed(f, filepath.Join("testdata", "*", "*.yaml"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, read := range []func(string, []byte) error{
			func(n string, b []byte) error { _, err := readStrict(n, b); return err },
			func(n string, b []byte) error { _, err := readFields(n, b); return err },
		} {
			if err := read("f.yaml", b); err != nil {
				for _, line := range strings.Split(err.Error(), "\n") {
					if !strings.HasPrefix(line, "f.yaml") && !strings.HasPrefix(line, " ") && line != "" {
						t.Fatalf("a mistake that does not name the file: %q", line)
					}
				}
			}
		}
	})
}
