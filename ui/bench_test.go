package ui

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/simulator"
)

// benchPage serves the page over an in-process simulator, with alice already provisioned, so that
// every run is the same: all five steps, an update that finds nothing to change.
func benchPage(b *testing.B) (*Server, *engine.Source, string) {
	b.Helper()
	sim, err := simulator.New(simulator.WithToken("bench-token-0123"))
	if err != nil {
		b.Fatal(err)
	}
	src, err := engine.LoadSource("../testdata/sources/contoso.yaml")
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(nil)
	root := "http://" + ts.Listener.Addr().String()
	cfg := engine.DefaultConfig() // parsed once, as `scimsim ui` does
	s, err := New(Options{
		Source:    func() (*engine.Source, error) { return src, nil },
		Config:    func() (*engine.Config, error) { return cfg, nil },
		Simulator: sim, Root: root, Token: "bench-token-0123",
	})
	if err != nil {
		b.Fatal(err)
	}
	ts.Config.Handler = s
	ts.Start()
	b.Cleanup(ts.Close)
	if _, err := engine.Run(context.Background(), src, engine.DefaultConfig(), engine.Subject{User: "alice@contoso.com"},
		engine.WithTarget(root+"/scim/v2", "bench-token-0123"), engine.WithHTTPClient(s.hc)); err != nil {
		b.Fatal(err)
	}
	return s, src, root
}

// BenchmarkEngineRun is the on-demand run alone, as `scimsim provision` makes it.
func BenchmarkEngineRun(b *testing.B) {
	s, src, root := benchPage(b)
	cfg := engine.DefaultConfig()
	for b.Loop() {
		if _, err := engine.Run(context.Background(), src, cfg, engine.Subject{User: "alice@contoso.com"},
			engine.WithTarget(root+"/scim/v2", "bench-token-0123"), engine.WithHTTPClient(s.hc)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkProvisionPage is GET /provision: the same run, then the page rendered from its report,
// every step's requests open (the largest page).
func BenchmarkProvisionPage(b *testing.B) {
	s, _, _ := benchPage(b)
	req := httptest.NewRequest(http.MethodGet, "/provision?user=alice%40contoso.com&requests=1", nil)
	req.Host = "127.0.0.1"
	for b.Loop() {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("%d: %s", w.Code, w.Body)
		}
	}
}

// BenchmarkRenderProvision is what the page adds to the run: executing the already parsed
// templates over one report, every step's requests open.
func BenchmarkRenderProvision(b *testing.B) {
	s, src, root := benchPage(b)
	rep, err := engine.Run(context.Background(), src, engine.DefaultConfig(), engine.Subject{User: "alice@contoso.com"},
		engine.WithTarget(root+"/scim/v2", "bench-token-0123"), engine.WithHTTPClient(s.hc))
	if err != nil {
		b.Fatal(err)
	}
	p := page{Title: "Provision on demand", Nav: "provision", Data: provisionData{Report: rep, ShowRequests: true, User: "alice@contoso.com"}}
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := pages["provision"].ExecuteTemplate(&buf, "layout", p); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
	_, _ = io.Discard.Write(buf.Bytes())
}
