package ui_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/harness"
	"github.com/scimsim/scimsim/simulator"
	"github.com/scimsim/scimsim/ui"
)

// testToken is the demo tenant's token in these tests: long enough that wire.Redact removes it
// wherever it appears, so that a test can check that no page shows it.
const testToken = "t0ken-0f-the-dem0-tenant"

// testNow is the clock of the page's runs: the catalog's default time, so that contoso's
// assignments are as old as the scenarios expect.
var testNow = time.Date(2026, time.November, 25, 10, 0, 0, 0, time.UTC)

type testPage struct {
	URL    string
	Sim    *simulator.Server
	Page   *ui.Server
	Source *engine.Source // the directory the page provisions from
	hc     *http.Client
}

// startPage serves the page over an in-process simulator on a loopback port, as `scimsim ui`
// does, with the contoso source, Entra's default job and the repository's catalog.
func startPage(t testing.TB, modify func(*ui.Options)) *testPage {
	t.Helper()
	sim, err := simulator.New(simulator.WithToken(testToken), simulator.WithSeed(1))
	if err != nil {
		t.Fatal(err)
	}
	src, err := engine.LoadSource("../testdata/sources/contoso.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(nil)
	root := "http://" + ts.Listener.Addr().String()
	o := ui.Options{
		Source:    func() (*engine.Source, error) { return src, nil },
		Config:    func() (*engine.Config, error) { return engine.DefaultConfig(), nil },
		Simulator: sim,
		Root:      root,
		Token:     testToken,
		Catalog:   func() ([]harness.Case, error) { return harness.LoadDir("../scenarios") },
		Now:       func() time.Time { return testNow },
	}
	if modify != nil {
		modify(&o)
	}
	page, err := ui.New(o)
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = page
	// The live journal's streams end with the test, so that Close does not wait for them.
	ctx, cancel := context.WithCancel(context.Background())
	ts.Config.BaseContext = func(net.Listener) context.Context { return ctx }
	ts.Start()
	t.Cleanup(ts.Close)
	t.Cleanup(cancel)
	return &testPage{URL: root, Sim: sim, Page: page, Source: src, hc: &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       30 * time.Second,
	}}
}

// do sends one request as a browser would (same-origin for a form) and returns the status, the
// redirect's location and the body.
func (p *testPage) do(t testing.TB, method, path string, form url.Values, header map[string]string) (int, string, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, p.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if method == http.MethodPost {
		req.Header.Set("Origin", p.URL)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	for k, v := range header {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := p.hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

type pageCase struct {
	Name     string            `yaml:"name"`
	Method   string            `yaml:"method"`
	Path     string            `yaml:"path"`
	Form     map[string]string `yaml:"form"`
	Header   map[string]string `yaml:"header"`
	Status   int               `yaml:"status"`
	Location string            `yaml:"location"`
	Contains []string          `yaml:"contains"`
	Absent   []string          `yaml:"absent"`
}

// TestPages walks the page through testdata/pages.yaml: search, provision, the no-results state,
// the CLI's sentences for bad input, the fault forms, the journal, the catalog.
func TestPages(t *testing.T) {
	data, err := os.ReadFile("testdata/pages.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cases []pageCase
	if err := yaml.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	p := startPage(t, nil)
	tok := strings.NewReplacer("{token}", testToken)
	for _, c := range cases {
		method := c.Method
		if method == "" {
			method = http.MethodGet
		}
		var form url.Values
		if c.Form != nil {
			form = url.Values{}
			for k, v := range c.Form {
				form.Set(k, v)
			}
		} else if method == http.MethodPost {
			form = url.Values{}
		}
		header := map[string]string{}
		for k, v := range c.Header {
			header[k] = tok.Replace(v)
		}
		status, loc, body := p.do(t, method, c.Path, form, header)
		if status != c.Status {
			t.Errorf("%s: %s %s = %d, want %d\n%s", c.Name, method, c.Path, status, c.Status, excerpt(body))
			continue
		}
		if c.Location != "" && loc != c.Location {
			t.Errorf("%s: %s %s redirects to %q, want %q", c.Name, method, c.Path, loc, c.Location)
		}
		for _, want := range c.Contains {
			if want = tok.Replace(want); !strings.Contains(body, want) {
				t.Errorf("%s: %s %s does not contain %q\n%s", c.Name, method, c.Path, want, excerpt(body))
			}
		}
		for _, bad := range c.Absent {
			if bad = tok.Replace(bad); strings.Contains(body, bad) {
				t.Errorf("%s: %s %s contains %q", c.Name, method, c.Path, bad)
			}
		}
		if strings.Contains(body, testToken) {
			t.Errorf("%s: %s %s shows the secret token", c.Name, method, c.Path)
		}
		if strings.Contains(body, "goroutine ") || strings.Contains(body, "panic") {
			t.Errorf("%s: %s %s shows a stack trace", c.Name, method, c.Path)
		}
	}
}

// excerpt is the main part of a page, for failure messages.
func excerpt(body string) string {
	if i := strings.Index(body, "<main"); i >= 0 {
		body = body[i:]
	}
	if len(body) > 3000 {
		body = body[:3000] + "…"
	}
	return body
}
