package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/scimsim/scimsim/simulator"
)

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
	b, err := os.ReadFile("../../docs/conformance.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
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
