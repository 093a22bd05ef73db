package ui_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/ui"
)

// benchPage serves the page as startPage does, its job parsed once as `scimsim ui` does, with
// alice already provisioned, so that every run is the same: all five steps, an update that finds
// nothing to change.
func benchPage(b *testing.B) *testPage {
	b.Helper()
	cfg := engine.DefaultConfig()
	p := startPage(b, func(o *ui.Options) { o.Config = func() (*engine.Config, error) { return cfg, nil } })
	p.provisionAlice(b, engine.DefaultConfig())
	return p
}

// provisionAlice runs alice on demand with cfg into the page's demo tenant, as `scimsim provision`
// does.
func (p *testPage) provisionAlice(b *testing.B, cfg *engine.Config) *engine.Report {
	b.Helper()
	rep, err := engine.Run(context.Background(), p.Source, cfg, engine.Subject{User: "alice@contoso.com"},
		engine.WithTarget(p.URL+"/scim/v2", testToken), engine.WithHTTPClient(p.hc))
	if err != nil {
		b.Fatal(err)
	}
	return rep
}

// BenchmarkEngineRun is the on-demand run alone, as `scimsim provision` makes it.
func BenchmarkEngineRun(b *testing.B) {
	p := benchPage(b)
	cfg := engine.DefaultConfig()
	for b.Loop() {
		p.provisionAlice(b, cfg)
	}
}

// BenchmarkProvisionPage is GET /provision: the same run, then the page rendered from its report,
// every step's requests open (the largest page).
func BenchmarkProvisionPage(b *testing.B) {
	p := benchPage(b)
	req := httptest.NewRequest(http.MethodGet, "/provision?user=alice%40contoso.com&requests=1", nil)
	req.Host = "127.0.0.1"
	for b.Loop() {
		w := httptest.NewRecorder()
		p.Page.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("%d: %s", w.Code, w.Body)
		}
	}
}

// BenchmarkRenderProvision is what the page adds to the run: executing the already parsed
// templates over one report, every step's requests open.
func BenchmarkRenderProvision(b *testing.B) {
	p := benchPage(b)
	rep := p.provisionAlice(b, engine.DefaultConfig())
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := ui.RenderProvision(&buf, rep, "alice@contoso.com"); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
	_, _ = io.Discard.Write(buf.Bytes())
}
