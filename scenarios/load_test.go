package scenarios

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/scimsim/scimsim/internal/golden"
)

// sections are the headings of the source document ("On-demand provisioning in Azure Active
// Directory"); every catalog scenario names one of them in doc.
var sections = []string{
	"How to use on-demand provisioning",
	"Understand the provisioning steps",
	"Step 1: Test connection",
	"Step 2: Import user",
	"Step 3: Determine if user is in scope",
	"Step 4: Match user between source and target",
	"Step 5: Perform action",
	"Frequently asked questions",
	"Known limitations",
}

// crossTenantSections are the other pages a cross-tenant scenario may cite: Microsoft Learn's
// cross-tenant synchronization configure page and overview (its FAQ), and the provisioning logs'
// error tables.
var crossTenantSections = []string{
	"Configure cross-tenant synchronization",
	"What is cross-tenant synchronization?",
	"Provisioning logs",
}

// cyclePages are the Microsoft Learn pages (docs/identity/app-provisioning/ in MicrosoftDocs/entra-docs)
// the cycle scenarios come from; their doc names the page, then its section.
var cyclePages = []string{
	"how-provisioning-works.md",
	"application-provisioning-quarantine-status.md",
	"application-provisioning-when-will-provisioning-finish-specific-user.md",
	"accidental-deletions.md",
}

func TestLoad_Catalog(t *testing.T) {
	all, err := LoadDir(".")
	if err != nil {
		t.Fatalf("LoadDir(catalog): %v", err)
	}
	if len(all) < 60 {
		t.Fatalf("LoadDir(catalog) = %d scenarios, want one per documented case (at least 60)", len(all))
	}
	faultTypes := map[string]bool{}
	failing := map[string]bool{}
	labels := map[string]bool{}
	for _, s := range all {
		section, _, _ := strings.Cut(s.Doc, " > ")
		if !slices.Contains(sections, section) && !(s.HasLabel(LabelCrossTenant) && slices.Contains(crossTenantSections, section)) && !(s.IsCycles() && slices.Contains(cyclePages, section)) {
			t.Errorf("%s: doc %q names no section of the source document", s.File, s.Doc)
		}
		if s.Quote == "" {
			t.Errorf("%s: no quote from the source document", s.File)
		}
		if len(s.Labels) == 0 {
			t.Errorf("%s: no labels", s.File)
		}
		for _, f := range s.Target.Faults {
			faultTypes[f.Type] = true
		}
		failing[s.Expect.FailedStep] = true
		for _, l := range s.Labels {
			labels[l] = true
		}
		if _, err := os.Stat(s.SourcePath); err != nil {
			t.Errorf("%s: source %s: %v", s.File, s.SourcePath, err)
		}
	}
	for _, ft := range FaultTypes {
		// bad_cursor tests a client's RFC 9865 cursor paging; the engine, like Entra, queries
		// by filter and never pages by cursor, so no scenario can reach it (the simulator's own
		// specs cover it).
		if !faultTypes[ft] && ft != "bad_cursor" {
			t.Errorf("no scenario injects the fault type %s", ft)
		}
	}
	for _, st := range Steps {
		if !failing[st.Type] {
			t.Errorf("no scenario ends at step %s", st.Type)
		}
	}
	for _, l := range []string{"faults", "groups", "limitations", "dialects", LabelConformance} {
		if !labels[l] {
			t.Errorf("no scenario carries the label %q", l)
		}
	}
}

func TestLoad_Broken(t *testing.T) {
	dir := filepath.Join("..", "testdata", "scenarios-broken")
	all, err := LoadDir(dir)
	if err == nil {
		t.Fatalf("LoadDir(%s) accepted a broken catalog: %d scenarios", dir, len(all))
	}
	if len(all) != 0 {
		t.Errorf("LoadDir(%s) returned %d valid scenarios, want none (every file there is broken)", dir, len(all))
	}
	for _, e := range unwrapAll(err) {
		var se *Error
		if !errors.As(e, &se) {
			t.Errorf("error %q is not an *Error", e)
		}
	}
	got := err.Error() + "\n"
	golden.File(t, filepath.Join(dir, "want.txt"), got)
}

func unwrapAll(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func TestLoad_NotADirectory(t *testing.T) {
	if _, err := LoadDir(filepath.Join("testdata", "does-not-exist")); err == nil || !strings.Contains(err.Error(), "does-not-exist") {
		t.Errorf("LoadDir(missing dir) error = %v, want one naming the directory", err)
	}
	empty := t.TempDir()
	if _, err := LoadDir(empty); err == nil || !strings.Contains(err.Error(), "no scenario files") {
		t.Errorf("LoadDir(empty dir) error = %v, want \"no scenario files\"", err)
	}
}

func TestLoad_DuplicateID(t *testing.T) {
	root := t.TempDir()
	mustWrite(t, filepath.Join(root, "s.yaml"), "kind: entra\n")
	mustWrite(t, filepath.Join(root, "c.yaml"), "job: {}\n")
	dir := filepath.Join(root, "catalog")
	mustWrite(t, filepath.Join(dir, "case.yaml"), validScenario)
	mustWrite(t, filepath.Join(dir, "case.yml"), validScenario)
	_, err := LoadDir(dir)
	want := filepath.Join(dir, "case.yml") + `: scenario id "case" is also used by ` + filepath.Join(dir, "case.yaml")
	if err == nil || err.Error() != want {
		t.Errorf("LoadDir(case.yaml + case.yml) error = %v, want %q", err, want)
	}
}

func TestLoad_ResolvesFilesUpwards(t *testing.T) {
	root := t.TempDir()
	mustWrite(t, filepath.Join(root, "testdata", "src.yaml"), "kind: entra\n")
	mustWrite(t, filepath.Join(root, "catalog", "configs", "cfg.yaml"), "job: {}\n")
	mustWrite(t, filepath.Join(root, "catalog", "mine.yaml"), `title: Mine
doc: "Step 5: Perform action"
source: testdata/src.yaml
config: configs/cfg.yaml
subject: {user: alice}
expect: {status: success, action: create}
`)
	all, err := LoadDir(filepath.Join(root, "catalog"))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got, want := all[0].SourcePath, filepath.Join(root, "testdata", "src.yaml"); got != want {
		t.Errorf("SourcePath = %s, want %s (found in a parent directory)", got, want)
	}
	if got, want := all[0].ConfigPath, filepath.Join(root, "catalog", "configs", "cfg.yaml"); got != want {
		t.Errorf("ConfigPath = %s, want %s (beside the scenario)", got, want)
	}
}

func mustWrite(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

const validScenario = `title: Valid
doc: "Step 5: Perform action"
labels: [actions]
source: s.yaml
config: c.yaml
subject: {user: alice@contoso.com}
expect: {status: success, action: create}
`

func TestParse(t *testing.T) {
	tests := []struct {
		name   string
		yaml   string
		want   string // the whole error text; "" means valid
		reason string
	}{
		{name: "valid", yaml: validScenario},
		{
			name: "unknown key with a hint",
			yaml: strings.Replace(validScenario, "labels:", "lables:", 1),
			want: `x.yaml:3:1: unknown key "lables" (did you mean "labels"?)`,
		},
		{
			name: "unknown nested key names its path",
			yaml: validScenario + "target:\n  faults:\n    - {type: throttle, atributes: {retryAfter: 1}}\n",
			want: `x.yaml:10:24: unknown key "atributes" in target.faults[0] (did you mean "attributes"?)`,
		},
		{
			name:   "unknown key far from every known one lists them",
			yaml:   validScenario + "zzzzzzzz: 1\n",
			want:   `x.yaml:8:1: unknown key "zzzzzzzz" (known keys: config, credentials, cycles, doc, expect, labels, now, pending, quote, source, subject, target, title)`,
			reason: "no hint is better than a wrong hint",
		},
		{
			name: "failure without a step",
			yaml: strings.Replace(validScenario, "{status: success, action: create}", "{status: failure, errorCode: Unauthorized}", 1),
			want: `x.yaml:7:9: expect.status failure names no step: add failedStep (one of connection, import, scoping, matching, export)`,
		},
		{
			name: "unknown fault type",
			yaml: validScenario + "target: {faults: [{type: slow}]}\n",
			want: "x.yaml:8:26: unknown fault type \"slow\" (`scimsim serve --list-faults` lists them)",
		},
		{
			name: "a mapping where a list belongs",
			yaml: strings.Replace(validScenario, "labels: [actions]", "labels: {a: b}", 1),
			want: `x.yaml:3:9: labels must be a list, not a mapping`,
		},
		{
			name: "two documents",
			yaml: validScenario + "---\ntitle: again\n",
			want: `x.yaml:8: more than one YAML document; a scenario file holds one`,
		},
		{
			name: "not a mapping",
			yaml: "- a\n- b\n",
			want: `x.yaml:1:1: a scenario is a mapping of keys (title, doc, source, config, subject, expect, ...)`,
		},
		{
			name: "skip expectations need a step or action skip",
			yaml: strings.Replace(validScenario, "{status: success, action: create}", "{status: skipped, errorCode: RedundantExport}", 1),
			want: `x.yaml:7:9: expect.status skipped names no step: add failedStep (import or scoping) or action: skip`,
		},
		{
			name: "a success cannot name a failing step",
			yaml: strings.Replace(validScenario, "{status: success, action: create}", "{status: success, action: create, failedStep: export}", 1),
			want: `x.yaml:7:18: expect.status success cannot have a failedStep or errorCode`,
		},
		{
			name: "pre-seeded users need a userName",
			yaml: validScenario + "target: {users: [{displayName: x}]}\n",
			want: `x.yaml:8:18: target.users[0] has no userName (a SCIM User needs one, RFC 7643 §4.1)`,
		},
		{
			name:   "free-form SCIM resources are not key-checked",
			yaml:   validScenario + "target: {users: [{userName: x, anything: {goes: here}}]}\n",
			reason: "their keys belong to the target's schema, which the target validates",
		},
		{
			name: "members without a group",
			yaml: strings.Replace(validScenario, "{user: alice@contoso.com}", "{user: alice, members: [bob]}", 1),
			want: `x.yaml:6:33: subject members are chosen from a group: add group: NAME or drop members`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(tt.yaml))
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("Parse() error =\n%s\nwant\n%s\n%s", got, tt.want, tt.reason)
			}
		})
	}
}

func TestParse_Defaults(t *testing.T) {
	s, err := Parse(filepath.Join("dir", "my-case.yaml"), []byte(validScenario))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.ID, "my-case"; got != want {
		t.Errorf("ID = %q, want %q", got, want)
	}
	if got := s.Clock(); !got.Equal(DefaultNow) {
		t.Errorf("Clock() = %v, want DefaultNow %v", got, DefaultNow)
	}
	if got, want := s.Target.ProfileOrDefault(), ProfileEntra; got != want {
		t.Errorf("ProfileOrDefault() = %q, want %q", got, want)
	}
	if got, want := s.Target.TokenOrDefault(), DefaultToken; got != want {
		t.Errorf("TokenOrDefault() = %q, want %q", got, want)
	}
	withNow, err := Parse("x.yaml", []byte(validScenario+"now: 2026-01-02T03:04:05Z\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := withNow.Clock().Format("2006-01-02T15:04:05Z07:00"), "2026-01-02T03:04:05Z"; got != want {
		t.Errorf("Clock() with now: = %s, want %s", got, want)
	}
}

func TestSelect(t *testing.T) {
	all := []Scenario{{ID: "a"}, {ID: "b"}, {ID: "c"}}
	got, err := Select(all, "c", "a")
	if err != nil {
		t.Fatal(err)
	}
	if ids := []string{got[0].ID, got[1].ID}; !slices.Equal(ids, []string{"c", "a"}) {
		t.Errorf("Select(c, a) = %v, want [c a] in the order asked", ids)
	}
	if got, _ := Select(all); len(got) != 3 {
		t.Errorf("Select() = %d scenarios, want all 3", len(got))
	}
	if _, err := Select(all, "zz"); err == nil || !strings.Contains(err.Error(), `"zz"`) {
		t.Errorf("Select(zz) error = %v, want one naming zz", err)
	}
}

// FuzzParse feeds the loader arbitrary bytes: it must never panic, and every problem it reports must
// be an *Error that names the file.
func FuzzParse(f *testing.F) {
	golden.Seed(f, "*.yaml", filepath.Join("..", "testdata", "scenarios-broken", "*.yaml"))
	f.Add([]byte("a: &x [*x]\n"))
	f.Add([]byte("title: !!binary zz\n"))
	f.Add([]byte("target: {users: [~]}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := Parse("fuzz.yaml", data)
		if err == nil {
			return
		}
		for _, e := range unwrapAll(err) {
			var se *Error
			if !errors.As(e, &se) {
				t.Fatalf("Parse error %q is not an *Error", e)
			}
			if !strings.HasPrefix(e.Error(), "fuzz.yaml") {
				t.Fatalf("Parse error %q does not name the file", e)
			}
		}
	})
}

func BenchmarkLoad_Catalog(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := LoadDir("."); err != nil {
			b.Fatal(err)
		}
	}
}

// docs/scenarios.md lists every scenario and every label with its count: this keeps it in step with
// the catalog.
func TestCatalog_Documented(t *testing.T) {
	doc := golden.Read(t, filepath.Join("..", "docs", "scenarios.md"))
	all, err := LoadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, s := range all {
		if !strings.Contains(doc, "| `"+s.ID+"` |") {
			t.Errorf("docs/scenarios.md does not list scenario %s", s.ID)
		}
		for _, l := range s.Labels {
			counts[l]++
		}
	}
	for l, n := range counts {
		if row := fmt.Sprintf("| `%s` | %d |", l, n); !strings.Contains(doc, row) {
			t.Errorf("docs/scenarios.md lacks the label row %q", row)
		}
	}
	for _, m := range regexp.MustCompile(`(\d+) scenarios`).FindAllStringSubmatch(doc, -1) {
		if m[1] != strconv.Itoa(len(all)) {
			t.Errorf("docs/scenarios.md says %q; the catalog has %d scenarios", m[0], len(all))
		}
	}
}

// A catalog folder may keep its sources and configs beside its scenarios: only the scenario files
// are read as scenarios, on disk and in an fs.FS alike.
func TestLoad_FilesBesideScenarios(t *testing.T) {
	files := map[string]string{
		"mine.yaml":  strings.NewReplacer("source: s.yaml", "source: src.yaml", "config: c.yaml", "config: cfg.yaml").Replace(validScenario),
		"src.yaml":   "kind: entra\nusers:\n  - {objectId: u-alice, userPrincipalName: alice@contoso.com}\n",
		"cfg.yaml":   "target: {url: http://127.0.0.1:8080/scim/v2}\njob: {scope: assigned}\n",
		"groups.yml": "groups: []\nassignments: []\n",
	}
	dir := t.TempDir()
	mapFS := fstest.MapFS{}
	for name, data := range files {
		mustWrite(t, filepath.Join(dir, name), data)
		mapFS["catalog/"+name] = &fstest.MapFile{Data: []byte(data)}
	}
	for _, tc := range []struct {
		name string
		load func() ([]Scenario, error)
		file string
		src  string
	}{
		{"LoadDir", func() ([]Scenario, error) { return LoadDir(dir) }, filepath.Join(dir, "mine.yaml"), filepath.Join(dir, "src.yaml")},
		{"Load", func() ([]Scenario, error) { return Load(mapFS, "catalog") }, "catalog/mine.yaml", "catalog/src.yaml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			all, err := tc.load()
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			if len(all) != 1 || all[0].ID != "mine" {
				t.Fatalf("loaded %d scenarios (%v), want only mine (src.yaml, cfg.yaml and groups.yml are not scenarios)", len(all), ids(all))
			}
			s := all[0]
			if s.File != tc.file || s.SourcePath != tc.src {
				t.Errorf("File, SourcePath = %s, %s, want %s, %s", s.File, s.SourcePath, tc.file, tc.src)
			}
			if b, err := s.ReadSource(); err != nil || string(b) != files["src.yaml"] {
				t.Errorf("ReadSource() = %q, %v, want src.yaml's contents", b, err)
			}
			if b, err := s.ReadConfig(); err != nil || string(b) != files["cfg.yaml"] {
				t.Errorf("ReadConfig() = %q, %v, want cfg.yaml's contents", b, err)
			}
		})
	}
}

func ids(all []Scenario) []string {
	var out []string
	for _, s := range all {
		out = append(out, s.ID)
	}
	return out
}

// In an fs.FS, files are looked for up to its root, and an absolute path, which names a file of
// the machine rather than of the catalog, is refused with a hint.
func TestLoad_FS(t *testing.T) {
	fsys := fstest.MapFS{
		"testdata/s.yaml":   {Data: []byte("kind: entra\n")},
		"catalog/c.yaml":    {Data: []byte("job: {}\n")},
		"catalog/case.yaml": {Data: []byte(strings.Replace(validScenario, "source: s.yaml", "source: testdata/s.yaml", 1))},
		"catalog/abs.yaml":  {Data: []byte(strings.NewReplacer("source: s.yaml", "source: testdata/s.yaml", "config: c.yaml", "config: /etc/c.yaml").Replace(validScenario))},
	}
	all, err := Load(fsys, "catalog")
	want := `catalog/abs.yaml:5:9: config "/etc/c.yaml": an absolute path names a file of this machine, and this catalog is not read from its disk: write the path relative to the scenario file`
	if err == nil || err.Error() != want {
		t.Errorf("Load error = %v, want %q", err, want)
	}
	delete(fsys, "catalog/abs.yaml")
	if all, err = Load(fsys, "catalog"); err != nil || len(all) != 1 || all[0].SourcePath != "testdata/s.yaml" || all[0].ConfigPath != "catalog/c.yaml" {
		t.Errorf("Load = %+v, %v, want case with testdata/s.yaml (above the catalog) and catalog/c.yaml (beside it)", all, err)
	}
	if _, err := Load(fsys, "nowhere"); err == nil || !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "read catalog nowhere") {
		t.Errorf("Load(nowhere) error = %v, want a not-exist error naming the directory", err)
	}
}

func TestIsScenarioFile(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       bool
	}{
		{"scenario", validScenario, true},
		{"scenario with a misspelt expect", strings.Replace(validScenario, "expect:", "expcet:", 1), true},
		{"source", "kind: workday\nusers: []\n", false},
		{"source without kind", "users: []\ngroups: []\nassignments: []\n", false},
		{"config", "target: {url: https://x}\njob: {}\nusers: {mappings: []}\n", false},
		{"a mistyped config key", "target: {}\njbo: {}\n", true},
		{"empty", "", true},
		{"not YAML", "title: [\n", true},
		{"a list", "- a\n", true},
	} {
		if got := IsScenarioFile([]byte(tc.yaml)); got != tc.want {
			t.Errorf("%s: IsScenarioFile = %v, want %v", tc.name, got, tc.want)
		}
	}
}
