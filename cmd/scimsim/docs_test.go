package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/scimsim/scimsim"
	"github.com/scimsim/scimsim/harness"
	"github.com/scimsim/scimsim/scenarios"
	"github.com/scimsim/scimsim/simulator"
	"github.com/scimsim/scimsim/simulator/faults"
)

// The sample outputs in docs/ are checked against what the commands print today, so that they
// cannot drift: a sample is an excerpt, each of its lines a line of the real output, in order, with
// "..." standing for any text (a whole line of "..." for any lines).

// docBlock returns the fenced block that follows the first line containing after in doc.
func docBlock(t *testing.T, doc, file, after string) []string {
	t.Helper()
	i := strings.Index(doc, after)
	if i < 0 {
		t.Fatalf("%s has no %q", file, after)
	}
	rest := doc[i:]
	start := strings.Index(rest, "```")
	if start < 0 {
		t.Fatalf("%s: no code block after %q", file, after)
	}
	rest = rest[start:]
	rest = rest[strings.Index(rest, "\n")+1:]
	end := strings.Index(rest, "\n```")
	return strings.Split(rest[:end], "\n")
}

var durationMs = regexp.MustCompile(`\b\d+ ms\b`)

// sampleLine turns a sample line into a pattern: "..." is any text, durations any duration.
func sampleLine(line string) *regexp.Regexp {
	parts := strings.Split(durationMs.ReplaceAllString(strings.TrimRight(line, " "), "\x00"), "...")
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(regexp.QuoteMeta(p), "\x00", `\d+ ms`)
	}
	return regexp.MustCompile("^" + strings.Join(parts, ".*") + "$")
}

// checkExcerpt reports the first sample line that is not the next matching line of the output.
func checkExcerpt(t *testing.T, what string, sample, output []string) {
	t.Helper()
	j := 0
	for _, line := range sample {
		if strings.TrimSpace(line) == "..." || strings.TrimSpace(line) == "" {
			continue
		}
		re := sampleLine(line)
		for j < len(output) && !re.MatchString(strings.TrimRight(output[j], " ")) {
			j++
		}
		if j == len(output) {
			t.Errorf("%s: the sample line\n  %s\nis not in the output (after what matched before it):\n%s", what, line, strings.Join(output, "\n"))
			return
		}
		j++
	}
}

func readDoc(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDocs_ProvisioningSamples: docs/provisioning.md's text report is what `scimsim provision
// --show-requests` prints for a duplicate match, and its JSON sample names only fields the JSON
// report has.
func TestDocs_ProvisioningSamples(t *testing.T) {
	doc := readDoc(t, "provisioning.md")
	ts := simulator.NewTestServer(t, simulator.WithToken("secret"))
	ctx := context.Background()
	if _, _, err := ts.Tenant("").Seed([]map[string]any{{"userName": "alice@contoso.com", "displayName": "Alice Smith", "active": true}}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Admin.AddFault(ctx, "", faults.Spec{Type: "duplicate_match", Match: faults.Match{Resource: "Users", FilterAttribute: "userName"}}); err != nil {
		t.Fatal(err)
	}
	src, cfg := "../../testdata/sources/contoso.yaml", "../../testdata/configs/contoso.yaml"
	_, out, errOut := runCLI(t, "provision", "--source", src, "--config", cfg, "--user", "alice@contoso.com",
		"--target", ts.SCIMURL(""), "--token", "secret", "--show-requests", "--color", "never")
	out = strings.ReplaceAll(out, strings.TrimPrefix(ts.URL, "http://"), "127.0.0.1:8080")
	if !strings.Contains(out, "DuplicateTargetEntries") {
		t.Fatalf("the run did not end in a duplicate match:\n%s%s", out, errOut)
	}
	checkExcerpt(t, "docs/provisioning.md, the text report", docBlock(t, doc, "provisioning.md", "A failure with `--show-requests`"), strings.Split(out, "\n"))

	ts.Tenant("").Reset()
	_, out, errOut = runCLI(t, "provision", "--source", src, "--config", cfg, "--user", "alice@contoso.com",
		"--target", ts.SCIMURL(""), "--token", "secret", "--json")
	var rep any
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--json: %v\n%s%s", err, out, errOut)
	}
	keys := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				keys[k] = true
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(rep)
	sample := strings.Join(docBlock(t, doc, "provisioning.md", "JSON (`--json`)"), "\n")
	for _, m := range regexp.MustCompile(`"([A-Za-z]+)":`).FindAllStringSubmatch(sample, -1) {
		if !keys[m[1]] {
			t.Errorf("docs/provisioning.md's JSON sample has %q, which the JSON report of a create does not", m[1])
		}
	}
}

// TestDocs_ScenarioSamples: docs/scenarios.md's summary table and failure message are what the
// harness prints.
func TestDocs_ScenarioSamples(t *testing.T) {
	doc := readDoc(t, "scenarios.md")
	all, err := scenarios.Load(scimsim.Files, "scenarios")
	if err != nil {
		t.Fatal(err)
	}
	table := docBlock(t, doc, "scenarios.md", "Every run ends with the summary table")
	var ids []string
	for _, line := range table[1:] {
		if f := strings.Fields(line); len(f) > 0 && f[0] != "..." && !strings.Contains(line, " passed, ") {
			ids = append(ids, f[0])
		}
	}
	cases, err := harness.Load(scimsim.Files, "scenarios", ids...)
	if err != nil {
		t.Fatal(err)
	}
	ts := simulator.NewTestServer(t, simulator.WithSeed(7))
	target := harness.NewSimulator(ts.Server, ts.URL)
	var rows []harness.Row
	for _, c := range cases {
		r := harness.Run(context.Background(), target, c, harness.Options{})
		rows = append(rows, r.Row())
	}
	var b strings.Builder
	if err := harness.WriteSummary(&b, rows, false); err != nil {
		t.Fatal(err)
	}
	got := strings.Split(b.String(), "\n")
	norm := func(lines []string) []string {
		out := make([]string, 0, len(lines))
		for _, l := range lines {
			out = append(out, strings.Join(strings.Fields(l), " "))
		}
		return out
	}
	// The closing line of the whole catalog is N passed; the excerpt's rows are real rows.
	var sampleRows []string
	for _, l := range table {
		if m := regexp.MustCompile(`^(\d+) passed, 0 failed$`).FindStringSubmatch(l); m != nil {
			if m[1] != fmt.Sprint(len(all)) {
				t.Errorf("docs/scenarios.md's summary ends %q; the catalog has %d scenarios", l, len(all))
			}
			continue
		}
		sampleRows = append(sampleRows, l)
	}
	checkExcerpt(t, "docs/scenarios.md, the summary table", norm(sampleRows), norm(got))

	failure := docBlock(t, doc, "scenarios.md", "so the report names the step")
	wrong, err := harness.LoadDir(filepath.Join("..", "..", "harness", "testdata", "wrong-expectation"), "expects-duplicate")
	if err != nil {
		t.Fatal(err)
	}
	r := harness.Run(context.Background(), target, wrong[0], harness.Options{})
	msg := strings.Split("[FAILED] "+strings.ReplaceAll(r.Failure(), filepath.Join("..", "..", "harness")+string(filepath.Separator), ""), "\n")
	checkExcerpt(t, "docs/scenarios.md, the failure message", failure, msg)
}

// What changes from run to run: the run id, the port, the ids the target gives.
var (
	runID  = regexp.MustCompile(`(run |doc-)[0-9a-f]{8}`)
	port   = regexp.MustCompile(`127\.0\.0\.1:[0-9]+`)
	uuidRe = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
)

func normalise(s string) string {
	s = runID.ReplaceAllString(s, "${1}RUN")
	s = port.ReplaceAllString(s, "127.0.0.1:PORT")
	return uuidRe.ReplaceAllString(s, "ID")
}

// TestConformanceDocs_sample checks the sample output of docs/conformance.md against a real run
// against `scimsim serve --profile strict`: every line of the sample is a line of the output, in
// order, after run ids, ports and resource ids are set aside. A sample line "..." stands for any
// number of lines; a line ending in "…" is a line cut short.
func TestConformanceDocs_sample(t *testing.T) {
	doc := readDoc(t, "conformance.md")
	start := strings.Index(doc, "<!-- sample: strict -->\n```\n")
	end := strings.Index(doc, "```\n<!-- end sample -->")
	if start < 0 || end < start {
		t.Fatal("docs/conformance.md has no <!-- sample: strict --> block")
	}
	sample := strings.Split(strings.TrimSuffix(doc[start+len("<!-- sample: strict -->\n```\n"):end], "\n"), "\n")

	sim := simulator.NewTestServer(t, simulator.WithToken("doc-token"), simulator.WithProfile(simulator.ProfileStrict))
	code, stdout, stderr := runCmd(t, "conformance", "--target", sim.SCIMURL(""), "--token", "doc-token", "--prefix", "doc-", "--scenarios", "../../scenarios")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, stderr)
	}
	out := strings.Split(normalise(stdout), "\n")
	pos, anywhere := 0, false
	for _, want := range sample {
		if want == "..." {
			anywhere = true
			continue
		}
		want = normalise(want)
		match := func(line string) bool {
			if cut, ok := strings.CutSuffix(want, "…"); ok {
				return strings.HasPrefix(line, strings.TrimRight(cut, " "))
			}
			return line == want
		}
		found := -1
		for i := pos; i < len(out); i++ {
			if match(out[i]) {
				found = i
				break
			}
			if !anywhere {
				break
			}
		}
		if found < 0 {
			got := "(end of output)"
			if pos < len(out) {
				got = out[pos]
			}
			t.Fatalf("the sample's line\n  %s\nis not the next line of the output (at line %d:\n  %s)\nwhole output:\n%s", want, pos+1, got, stdout)
		}
		pos, anywhere = found+1, false
	}
}

// TestExprCommand_DocsExamples runs every `$ scimsim expr` line of docs/expressions.md and
// compares what it prints with what the page shows, so the page cannot drift from the program.
func TestExprCommand_DocsExamples(t *testing.T) {
	doc := readDoc(t, "expressions.md")
	type example struct {
		line string
		want []string
	}
	var examples []example
	inConsole := false
	for _, line := range strings.Split(doc, "\n") {
		switch {
		case strings.HasPrefix(line, "```console"):
			inConsole = true
		case strings.HasPrefix(line, "```"):
			inConsole = false
		case inConsole && strings.HasPrefix(line, "$ scimsim expr "):
			examples = append(examples, example{line: strings.TrimPrefix(line, "$ scimsim ")})
		case inConsole && len(examples) > 0:
			examples[len(examples)-1].want = append(examples[len(examples)-1].want, line)
		}
	}
	if len(examples) < 10 {
		t.Fatalf("found %d examples in docs/expressions.md, want at least 10", len(examples))
	}
	for _, ex := range examples {
		t.Run(ex.line, func(t *testing.T) {
			args, err := shellWords(ex.line)
			if err != nil {
				t.Fatal(err)
			}
			for i, a := range args {
				if strings.HasPrefix(a, "testdata/") {
					args[i] = filepath.Join("..", "..", a)
				}
			}
			var out, errOut bytes.Buffer
			code := exitCode(run(context.Background(), append(args, "--seed", "1"), &out, &errOut), &errOut)
			got := out.String()
			if code != 0 {
				got = errOut.String()
			}
			if want := strings.Join(ex.want, "\n") + "\n"; got != want {
				t.Errorf("scimsim %s (exit status %d) printed\n%s\nthe page shows\n%s", ex.line, code, got, want)
			}
		})
	}
}

// shellWords splits a command line the way a POSIX shell does for the quoting the docs use:
// single quotes, double quotes with backslash escapes, and backslash escapes outside quotes.
func shellWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, fmt.Errorf("unterminated ' in %s", s)
			}
			cur.WriteString(s[i+1 : i+1+end])
			i += end + 1
			inWord = true
		case c == '"':
			inWord = true
			for i++; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte(`"\$`+"`", s[i+1]) >= 0 {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, fmt.Errorf("unterminated \" in %s", s)
			}
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			inWord = true
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}
