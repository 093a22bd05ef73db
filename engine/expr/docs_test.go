package expr

import (
	"fmt"
	"github.com/scimsim/scimsim/internal/golden"
	"os"
	"regexp"
	"strings"
	"testing"
)

const docsPath = "../../docs/expressions.md"

// TestDocs keeps docs/expressions.md in step with the code: its function table, standard date
// formats and CDate input shapes are generated from the tables the parser and evaluator use, so
// the page cannot list a function or a format the code does not have.
func TestDocs(t *testing.T) {
	b, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	sections := map[string]string{
		"functions": functionsMarkdown(),
		"standard":  standardFormatsMarkdown(),
		"cdate":     cdateMarkdown(),
	}
	want := doc
	for name, body := range sections {
		re := regexp.MustCompile(`(?s)(<!-- ` + name + `:begin[^>]*-->\n?).*?(<!-- ` + name + `:end -->)`)
		if !re.MatchString(want) {
			t.Fatalf("%s has no %s:begin/end markers", docsPath, name)
		}
		want = re.ReplaceAllStringFunc(want, func(m string) string {
			sub := re.FindStringSubmatch(m)
			return sub[1] + body + sub[2]
		})
	}
	if want == doc {
		return
	}
	if golden.Update() {
		if err := os.WriteFile(docsPath, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s is out of date with the function table; run go test ./engine/expr -run TestDocs -update", docsPath)
}

func functionsMarkdown() string {
	var b strings.Builder
	b.WriteString("| Function | What it does |\n| --- | --- |\n")
	for _, name := range FunctionNames() {
		f := Functions[name]
		fmt.Fprintf(&b, "| `%s` | %s |\n", f.Signature, strings.ReplaceAll(f.Doc, "|", `\|`))
	}
	return b.String()
}

func standardFormatsMarkdown() string {
	var parts []string
	for _, k := range []string{"d", "D", "f", "F", "g", "G", "m", "M", "o", "O", "r", "R", "s", "t", "T", "u", "y", "Y"} {
		parts = append(parts, fmt.Sprintf("`%s` is `%s`", k, standardFormats[k]))
	}
	return strings.Join(parts, ", ") + ".\n"
}

func cdateMarkdown() string {
	var b strings.Builder
	for _, f := range cdateFormats {
		fmt.Fprintf(&b, "`%s`, ", f.src)
	}
	return strings.TrimSuffix(b.String(), ", ") + ".\n"
}

// TestDocs_Fidelity keeps what docs/expressions.md says about Microsoft's reference true: the
// revision and the number of its functions, and, for each example whose documented output is
// wrong, both the page's output and the right one.
func TestDocs_Fidelity(t *testing.T) {
	b, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatal(err)
	}
	doc := strings.Join(strings.Fields(string(b)), " ")
	if want := fmt.Sprintf("revision of %s: all %d functions of its list", ReferenceDate, DocumentedFunctions); !strings.Contains(doc, want) {
		t.Errorf("%s does not say %q", docsPath, want)
	}
	wrong := 0
	for _, ex := range loadFunctionsPage(t).Examples {
		if ex.Documented == "" {
			continue
		}
		wrong++
		want, _, err := ex.want()
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{fmt.Sprint(want), ex.Documented} {
			if !strings.Contains(doc, "`"+v+"`") {
				t.Errorf("%s does not give %q of the example %s", docsPath, v, ex.title())
			}
		}
	}
	if wrong != 2 {
		t.Errorf("%d examples have a wrong documented output; %s lists two", wrong, docsPath)
	}
}
