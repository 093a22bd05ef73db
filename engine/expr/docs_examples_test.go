package expr

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// functionsPage is testdata/functions-page.yaml: the list of functions and every example of
// Microsoft's expression reference (functions-for-customizing-application-data, ms.date
// 2026-04-10). The file's header says what each field means.
type functionsPage struct {
	Page struct {
		Title  string `yaml:"title"`
		URL    string `yaml:"url"`
		MsDate string `yaml:"msDate"`
	} `yaml:"page"`
	Functions []string      `yaml:"functions"`
	Examples  []pageExample `yaml:"examples"`
}

type pageExample struct {
	Section        string         `yaml:"section"`
	Name           string         `yaml:"name"`
	Expr           string         `yaml:"expr"`
	Attrs          map[string]any `yaml:"attrs"`
	Now            string         `yaml:"now"`
	DefaultDomain  string         `yaml:"defaultDomain"`
	Taken          []string       `yaml:"taken"`
	Want           yaml.Node      `yaml:"want"`
	Ignored        bool           `yaml:"ignored"`
	Error          string         `yaml:"error"`
	Like           string         `yaml:"like"`
	Sample         string         `yaml:"sample"`
	Counts         *randomCounts  `yaml:"counts"`
	Redacted       bool           `yaml:"redacted"`
	Documented     string         `yaml:"documented"`
	DocumentedWith map[string]any `yaml:"documentedWith"`
	Reason         string         `yaml:"reason"`
	Note           string         `yaml:"note"`
}

// randomCounts is what RandomString's documented examples promise: the length, and at least so
// many characters of each class.
type randomCounts struct {
	Length  int `yaml:"length"`
	Digits  int `yaml:"digits"`
	Special int `yaml:"special"`
	Upper   int `yaml:"upper"`
	Lower   int `yaml:"lower"`
}

func (rc *randomCounts) check(s string) error {
	count := func(set string) int {
		n := 0
		for _, r := range s {
			if strings.ContainsRune(set, r) {
				n++
			}
		}
		return n
	}
	switch {
	case len([]rune(s)) != rc.Length:
		return fmt.Errorf("%q has %d characters, want %d", s, len([]rune(s)), rc.Length)
	case count(randDigits) < rc.Digits, count(randSpecial) < rc.Special, count(randUpper) < rc.Upper, count(randLower) < rc.Lower:
		return fmt.Errorf("%q has fewer than %d digits, %d special characters, %d capitals or %d lower-case letters", s, rc.Digits, rc.Special, rc.Upper, rc.Lower)
	}
	return nil
}

func (ex *pageExample) title() string {
	if ex.Name == "" {
		return ex.Section
	}
	return ex.Section + "/" + ex.Name
}

func (ex *pageExample) env() (Env, error) {
	env := Env{Attrs: ex.Attrs, DefaultDomain: ex.DefaultDomain}
	if ex.Now != "" {
		now, err := time.Parse(time.RFC3339, ex.Now)
		if err != nil {
			return env, err
		}
		env.Now = func() time.Time { return now }
	}
	if ex.Taken != nil {
		env.Exists = func(v string) (bool, error) { return slices.Contains(ex.Taken, v), nil }
	}
	return env, nil
}

// want returns the expected result; ok is false when the example has no want.
func (ex *pageExample) want() (any, bool, error) {
	if ex.Want.Kind == 0 {
		return nil, false, nil
	}
	var v any
	if err := ex.Want.Decode(&v); err != nil {
		return nil, false, err
	}
	if list, ok := v.([]any); ok {
		out := make([]string, len(list))
		for i, e := range list {
			s, ok := e.(string)
			if !ok {
				return nil, false, fmt.Errorf("want: value %d is not a string", i+1)
			}
			out[i] = s
		}
		return out, true, nil
	}
	return v, true, nil
}

func loadFunctionsPage(tb testing.TB) *functionsPage {
	tb.Helper()
	b, err := os.ReadFile("testdata/functions-page.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var p functionsPage
	if err := dec.Decode(&p); err != nil {
		tb.Fatalf("testdata/functions-page.yaml: %v", err)
	}
	return &p
}

// TestExpr_Eval_FunctionsPage runs every example of Microsoft's expression reference with its
// documented input and output. Where the page's output is wrong, the example says so (documented,
// reason) and asserts the correct result; where the page's output was computed from another input
// that can be found (documentedWith), that input must give the page's output.
func TestExpr_Eval_FunctionsPage(t *testing.T) {
	p := loadFunctionsPage(t)
	if p.Page.MsDate != ReferenceDate || p.Page.URL == "" {
		t.Fatalf("functions-page.yaml: page.url and page.msDate name the page and its date, %s (ReferenceDate)", ReferenceDate)
	}
	sections := append([]string{"Syntax overview"}, append(slices.Clone(p.Functions), "Examples")...)
	last := 0
	seen := map[string]bool{}
	for _, ex := range p.Examples {
		t.Run(ex.title(), func(t *testing.T) {
			if seen[ex.title()] {
				t.Fatalf("two examples are named %q", ex.title())
			}
			seen[ex.title()] = true
			at := slices.Index(sections, ex.Section)
			if at < 0 {
				t.Fatalf("section %q is not a function of the page's list, the Syntax overview or Examples", ex.Section)
			}
			if at < last {
				t.Fatalf("section %q comes after %q: examples are in the page's order", ex.Section, sections[last])
			}
			last = at
			want, hasWant, err := ex.want()
			if err != nil {
				t.Fatal(err)
			}
			outcomes := 0
			for _, set := range []bool{hasWant, ex.Ignored, ex.Error != "", ex.Like != ""} {
				if set {
					outcomes++
				}
			}
			if outcomes != 1 {
				t.Fatalf("want exactly one of want, ignored, error and like; got %d", outcomes)
			}
			if (ex.Documented != "") != (ex.Reason != "") {
				t.Fatal("documented (the page's wrong output) and reason (why) go together")
			}
			env, err := ex.env()
			if err != nil {
				t.Fatal(err)
			}

			e, err := Parse(ex.Expr)
			if err == nil && ex.Redacted != e.Redacted() {
				t.Errorf("Redacted() = %v, want %v", e.Redacted(), ex.Redacted)
			}
			var got any
			if err == nil {
				got, err = e.Eval(env)
			}
			if ex.Error != "" {
				if err == nil || !strings.Contains(err.Error(), ex.Error) {
					t.Fatalf("%s: error = %v, want one containing %q", ex.Expr, err, ex.Error)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s: %v", ex.Expr, err)
			}
			switch {
			case ex.Ignored:
				if got != Ignore {
					t.Errorf("%s = %#v, want the attribute dropped from the flow (Ignore)", ex.Expr, got)
				}
			case ex.Like != "":
				checkRandom(t, &ex, e, env)
			default:
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s mismatch (-want +got):\n%s%s", ex.Expr, diff, ex.Reason)
				}
			}
			if ex.DocumentedWith != nil {
				env.Attrs = ex.DocumentedWith
				if page, err := e.Eval(env); err != nil || page != ex.Documented {
					t.Errorf("%s with %v = %v, %v; want the page's output %s", ex.Expr, ex.DocumentedWith, page, err, ex.Documented)
				}
			}
		})
	}
}

// checkRandom checks a random result against its pattern and counts over many seeds, and the
// page's sample against the same rules, so that both the code and the transcription are checked.
func checkRandom(t *testing.T, ex *pageExample, e *Expr, env Env) {
	t.Helper()
	like, err := regexp.Compile(ex.Like)
	if err != nil {
		t.Fatal(err)
	}
	if ex.Sample != "" {
		if !like.MatchString(ex.Sample) {
			t.Errorf("the page's sample %q does not match %s", ex.Sample, ex.Like)
		}
		if ex.Counts != nil {
			if err := ex.Counts.check(ex.Sample); err != nil {
				t.Errorf("the page's sample: %v", err)
			}
		}
	}
	for seed := range int64(50) {
		env.Rand = rand.New(rand.NewSource(seed))
		v, err := e.Eval(env)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		s, _ := v.(string)
		if !like.MatchString(s) {
			t.Fatalf("seed %d: %s = %q, want a match of %s", seed, ex.Expr, v, ex.Like)
		}
		if ex.Counts != nil {
			if err := ex.Counts.check(s); err != nil {
				t.Fatalf("seed %d: %s: %v", seed, ex.Expr, err)
			}
		}
	}
}

// TestFunctions_MicrosoftsList compares the function table with the page's list of functions:
// every function Microsoft documents is implemented, and the table has no other function than
// AssertiveAppRoleAssignmentsComplex, which the attribute-mapping tutorial documents.
func TestFunctions_MicrosoftsList(t *testing.T) {
	p := loadFunctionsPage(t)
	want := append(slices.Clone(p.Functions), "AssertiveAppRoleAssignmentsComplex")
	slices.Sort(want)
	got := make([]string, 0, len(Functions))
	for name := range Functions {
		got = append(got, name)
	}
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("function table against the page's list of functions (-page +table):\n%s", diff)
	}
	if n := len(p.Functions); n != DocumentedFunctions {
		t.Errorf("the page lists %d functions, DocumentedFunctions is %d", n, DocumentedFunctions)
	}
}

// TestExpr_Eval_RandomSources checks what the page does not say but reproducible runs need: the
// same seed gives the same Guid, and two draws from one source differ.
func TestExpr_Eval_RandomSources(t *testing.T) {
	env := Env{Rand: rand.New(rand.NewSource(42))}
	g1, err := MustParse(`Guid()`).Eval(env)
	if err != nil {
		t.Fatal(err)
	}
	if v4 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`); !v4.MatchString(g1.(string)) {
		t.Errorf("Guid() = %q, want a version 4 GUID", g1)
	}
	g2, _ := MustParse(`Guid()`).Eval(Env{Rand: rand.New(rand.NewSource(42))})
	if g1 != g2 {
		t.Errorf("Guid() with the same seed = %q then %q, want equal", g1, g2)
	}
	g3, _ := MustParse(`Guid()`).Eval(env)
	if g3 == g1 {
		t.Errorf("two Guid() draws from one source are both %q", g1)
	}
}
