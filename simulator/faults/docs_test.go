package faults_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/scimsim/scimsim/internal/golden"
	"github.com/scimsim/scimsim/simulator/faults"
)

// docsPath is the fault reference the README is built from.
var docsPath = filepath.Join("..", "..", "docs", "faults.md")

// TestTypes_documented keeps docs/faults.md in step with the registry: one section per type, in
// the registry's order, with an attribute table that lists every attribute and its default, and
// curl examples the admin API accepts.
func TestTypes_documented(t *testing.T) {
	doc, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatal(err)
	}
	sections := docSections(string(doc))
	var documented []string
	for _, s := range sections {
		documented = append(documented, s.name)
	}
	var types []string
	for _, ti := range faults.Types() {
		types = append(types, ti.Name)
	}
	if !slices.Equal(documented, types) {
		t.Fatalf("docs/faults.md sections = %q\nregistry types = %q", documented, types)
	}
	for i, ti := range faults.Types() {
		s := sections[i]
		t.Run(ti.Name, func(t *testing.T) {
			rows := attributeRows(s.body)
			if len(ti.Attributes) == 0 && !strings.Contains(s.body, "No attributes.") {
				t.Errorf("section has no \"No attributes.\" line")
			}
			if len(rows) != len(ti.Attributes) {
				t.Errorf("attribute table has %d rows, the type has %d attributes", len(rows), len(ti.Attributes))
			}
			for _, a := range ti.Attributes {
				row, ok := rows[a.Name]
				if !ok {
					t.Errorf("attribute %q is not in the table", a.Name)
					continue
				}
				if want := docDefault(a); !strings.HasPrefix(row.def, want) {
					t.Errorf("attribute %q: documented default %q, want %q", a.Name, row.def, want)
				}
			}
			examples := curlExamples(s.body)
			if len(examples) == 0 {
				t.Fatalf("no curl example")
			}
			for _, spec := range examples {
				if spec.Type != ti.Name {
					t.Errorf("example of type %q in the %s section", spec.Type, ti.Name)
				}
			}
		})
	}
}

// TestDocs_examples checks that every curl example is accepted as the admin API would accept it
// (strict JSON, Validate, Add), that the fault file example loads, and that the error after it is
// the one the file gives with "probability" misspelt.
func TestDocs_examples(t *testing.T) {
	doc, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatal(err)
	}
	set := faults.NewSet(1)
	for _, spec := range curlExamples(string(doc)) {
		if _, err := set.Add(spec); err != nil {
			t.Errorf("curl example %+v: %v", spec, err)
		}
	}
	yamlBlock := regexp.MustCompile("(?s)```yaml\n(.*?)```\n\n```\n(.*?)\n```").FindStringSubmatch(string(doc))
	if yamlBlock == nil {
		t.Fatal("no fault file example followed by its error")
	}
	file := filepath.Join(t.TempDir(), "faults.yaml")
	if err := os.WriteFile(file, []byte(yamlBlock[1]), 0o600); err != nil {
		t.Fatal(err)
	}
	specs, err := faults.LoadFile(file)
	if err != nil || len(specs) == 0 {
		t.Fatalf("LoadFile(example)=%v, %v", specs, err)
	}
	typo := strings.Replace(yamlBlock[1], "probability:", "probabilty:", 1)
	if err := os.WriteFile(file, []byte(typo), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = faults.LoadFile(file)
	if err == nil {
		t.Fatal("LoadFile(example with a typo)=nil error")
	}
	if got := strings.ReplaceAll(err.Error(), file, "faults.yaml"); got != yamlBlock[2] {
		t.Errorf("docs/faults.md gives the error of the misspelt example as\n%s\nLoadFile gives\n%s", yamlBlock[2], got)
	}
}

// TestREADME_faultTable generates the README's table of fault types from the registry: each
// type's description and example, the example a body the admin API accepts.
func TestREADME_faultTable(t *testing.T) {
	var b strings.Builder
	b.WriteString("| type | what the client sees | example |\n|---|---|---|\n")
	for _, ti := range faults.Types() {
		var spec faults.Spec
		if err := faults.DecodeSpec([]byte(ti.Example), &spec); err != nil || spec.Type != ti.Name {
			t.Errorf("%s: example %s: %v (type %q)", ti.Name, ti.Example, err, spec.Type)
		} else if err := spec.Validate(); err != nil {
			t.Errorf("%s: example %s: %v", ti.Name, ti.Example, err)
		}
		fmt.Fprintf(&b, "| `%s` | %s | `%s` |\n", ti.Name, ti.Description, ti.Example)
	}
	golden.Section(t, filepath.Join("..", "..", "README.md"), "<!-- fault types:", "<!-- end of fault types -->", b.String())
}

type docSection struct{ name, body string }

// docSections splits the document at its "## `type`" headings.
func docSections(doc string) []docSection {
	var out []docSection
	heading := regexp.MustCompile("(?m)^## `([a-z0-9_]+)`$")
	idx := heading.FindAllStringSubmatchIndex(doc, -1)
	for i, m := range idx {
		end := len(doc)
		if i+1 < len(idx) {
			end = idx[i+1][0]
		}
		out = append(out, docSection{name: doc[m[2]:m[3]], body: doc[m[1]:end]})
	}
	return out
}

type attrRow struct{ typ, def string }

// attributeRows reads the "| `name` | type | default | meaning |" rows of a section.
func attributeRows(body string) map[string]attrRow {
	rows := map[string]attrRow{}
	row := regexp.MustCompile("(?m)^\\| `([A-Za-z]+)` \\| ([^|]+) \\| ([^|]+) \\|")
	for _, m := range row.FindAllStringSubmatch(body, -1) {
		rows[m[1]] = attrRow{typ: strings.TrimSpace(m[2]), def: strings.TrimSpace(m[3])}
	}
	return rows
}

func docDefault(a faults.AttrInfo) string {
	switch {
	case a.Required:
		return "required"
	case a.Default == nil:
		return "the " // described in words, e.g. "the match's filterAttribute"
	}
	return fmt.Sprint(a.Default)
}

// curlExamples decodes the JSON of every `curl -X POST .../admin/faults ... -d '...'` strictly,
// as a fault spec.
func curlExamples(text string) []faults.Spec {
	re := regexp.MustCompile(`(?s)curl -X POST http://127\.0\.0\.1:8080/admin/faults[^\n]*\\\n\s*-d '([^']*)'`)
	var out []faults.Spec
	for _, m := range re.FindAllStringSubmatch(text, -1) {
		dec := json.NewDecoder(bytes.NewReader([]byte(m[1])))
		dec.DisallowUnknownFields()
		var spec faults.Spec
		if err := dec.Decode(&spec); err != nil {
			spec = faults.Spec{Name: "invalid JSON: " + err.Error() + ": " + m[1]}
		}
		out = append(out, spec)
	}
	return out
}
