package ui

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"maps"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/report"
	"github.com/scimsim/scimsim/scenarios"
	"github.com/scimsim/scimsim/wire"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticRoot embed.FS

var staticFS = mustSub(staticRoot, "static")

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return sub
}

// page is what every page template gets: the layout's title and navigation, an error sentence to
// show instead of (or above) the content, and the page's own data.
type page struct {
	Title string
	Nav   string // the navigation entry to mark as the current page
	Error string
	// Notice is a sentence about what just happened (a fault added, the tenant reset).
	Notice string
	Data   any
}

// pages holds one template set per page, each the layout plus the page, parsed once when the
// package is initialised: a request only executes a template.
var pages = parsePages()

func parsePages() map[string]*template.Template {
	base := template.Must(template.New("layout").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/report.html"))
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".html")
		if name == "layout" || name == "report" {
			continue
		}
		out[name] = template.Must(template.Must(base.Clone()).ParseFS(templateFS, n))
	}
	return out
}

// render executes a page into a buffer first, so that a template error is a clean 500 rather than
// half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	var b bytes.Buffer
	if err := pages[name].ExecuteTemplate(&b, "layout", p); err != nil {
		s.o.Logger.Error("render", "page", name, "err", err)
		http.Error(w, "scimsim ui: the page could not be rendered: "+err.Error(), http.StatusInternalServerError)
		return
	}
	writeHTML(w, status, b.Bytes())
}

// fragment executes one named template of a page alone, for the script's partial updates.
func (s *Server) fragment(w http.ResponseWriter, pageName, tmpl string, data any) {
	var b bytes.Buffer
	if err := pages[pageName].ExecuteTemplate(&b, tmpl, data); err != nil {
		http.Error(w, "scimsim ui: "+err.Error(), http.StatusInternalServerError)
		return
	}
	writeHTML(w, http.StatusOK, b.Bytes())
}

func writeHTML(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	// Everything the page loads is its own; nothing inline runs.
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

var funcs = template.FuncMap{
	"stepNumber": stepNumber,
	"shown":      stepShown,
	"mark":       statusMark,
	"label":      statusLabel,
	"value":      report.ShowValue,
	"byScimsim":  func(ex engine.Exchange) bool { return ex.By == wire.ByScimsim },
	"pretty":     prettyJSON,
	"join":       strings.Join,
	"lower":      strings.ToLower,
	"failed":     func(s string) bool { return s == report.StatusFailure },
	"view":       func(r *engine.Report, show bool) reportView { return reportView{R: r, ShowRequests: show} },
	"list":       func(xs ...string) []string { return xs },
	"dflt": func(v any) string {
		if v == nil {
			return ""
		}
		return fmt.Sprint(v)
	},
	"unquery": func(q string) string {
		if u, err := url.QueryUnescape(q); err == nil {
			return u
		}
		return q
	},
}

// pageURL is the address of the page at path with the query q: path alone when q is empty.
func pageURL(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// requestsToggle is the address of the page at path with the query q that turns Show requests
// over: with requests=1 when the requests are hidden, without it when they are shown.
func requestsToggle(path string, q url.Values, shown bool) string {
	t := maps.Clone(q)
	if !shown {
		if t == nil {
			t = url.Values{}
		}
		t.Set("requests", "1")
	}
	return pageURL(path, t)
}

// reportView is what the "report" template renders: a report (a member's, for a group run) and
// whether every step's requests are open.
type reportView struct {
	R            *engine.Report
	ShowRequests bool
}

// stepNumber is the step's number as the document numbers the five steps.
func stepNumber(typ string) int { return scenarios.StepIndex(typ) + 1 }

// stepShown is the portal's rule, which Report.WriteText follows too: step 1 is shown only when it
// fails (Microsoft Learn, provision-on-demand.md, "Step 1: Test connection": the step appears in
// the on-demand experience only when it fails); the JSON report always carries it.
func stepShown(s engine.Step) bool {
	return s.Type != report.StepConnection || (s.Status != report.StatusSuccess && s.Status != report.StatusNotRun)
}

// statusMark is the icon of a status, the same marks the CLI prints.
func statusMark(status string) string {
	switch status {
	case report.StatusSuccess:
		return "✓"
	case report.StatusFailure:
		return "✗"
	case report.StatusWarning:
		return "!"
	case report.StatusSkipped:
		return "↷"
	}
	return "·"
}

func statusLabel(status string) string {
	switch status {
	case report.StatusNotRun:
		return "Not run"
	case "":
		return ""
	}
	return strings.ToUpper(status[:1]) + status[1:]
}

// prettyJSON indents a JSON body for reading; anything else is returned as it is.
func prettyJSON(s string) string {
	var b bytes.Buffer
	if err := json.Indent(&b, []byte(s), "", "  "); err != nil {
		return s
	}
	return b.String()
}
