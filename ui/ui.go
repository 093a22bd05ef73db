// Package ui is the web page of `scimsim ui`: Microsoft Entra ID's "Provision on demand" page, offline.
//
// It serves, at one address, the portal's search-and-provision page (/), the step-by-step result of
// an on-demand run (/provision), the target's users, groups, faults and profile (/target), the
// target's request journal, live (/requests), and the scenario catalog (/scenarios), next to the
// in-process simulator's SCIM and admin API (/scim/v2, /tenants/NAME/scim/v2, /admin/), so that a
// curl command and the page act on the same tenant.
//
// Everything is rendered on the server with html/template from the engine's own report model
// (engine.Report): the page shows the steps, codes, reasons and tips the CLI prints, not a copy of
// them. The templates, the style sheet and a little script are embedded with go:embed and parsed
// once; the page needs no network and no build step, and every flow works without JavaScript
// (plain links and form GETs; state-changing forms POST and redirect).
package ui

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/harness"
	"github.com/scimsim/scimsim/simulator"
)

// Options configure the page.
type Options struct {
	// Source returns the directory to provision from. It is called for every search and run, so
	// that an edited file takes effect at the next Provision; its error is shown on the page.
	Source func() (*engine.Source, error)
	// Config returns the provisioning job, called for every run like Source.
	Config func() (*engine.Config, error)
	// Simulator is the in-process simulator, served under /scim/v2, /tenants/ and /admin/ at the
	// page's own address. Its default tenant is the demo tenant the page provisions into unless
	// TargetURL is set; scenarios run on its named tenants.
	Simulator *simulator.Server
	// Root is the absolute URL the handler is served at, e.g. http://127.0.0.1:8090. The engine
	// reaches the simulator through it over real HTTP, so that faults and the journal see every
	// request exactly as they see Entra's.
	Root string
	// TargetURL, when set, is an external SCIM endpoint to provision into instead of the demo
	// tenant; Token is its secret token (or the demo tenant's).
	TargetURL string
	Token     string
	// AdminToken is the simulator's admin token; when set, the page itself asks for it too (a
	// sign-in form that keeps it in a cookie), since the page can change every tenant.
	AdminToken string
	// HTTPClient reaches the target; nil means a client of the page's own.
	HTTPClient *http.Client
	// Catalog loads the scenario catalog; nil leaves /scenarios empty with a sentence saying so.
	Catalog func() ([]harness.Case, error)
	// Logger receives what the page cannot show (a failed write to a closed connection).
	Logger *slog.Logger
	// Now is the clock of on-demand runs; nil is time.Now.
	Now func() time.Time
}

// Server is the page's http.Handler.
type Server struct {
	o       Options
	hc      *http.Client
	mux     *http.ServeMux
	handler http.Handler
	admin   *simulator.AdminClient

	catalogOnce sync.Once
	cases       []harness.Case
	catalogErr  error

	runMu   sync.Mutex // one scenario run at a time: a run resets the scenario's tenant
	resMu   sync.Mutex
	results map[string]*harness.Result
}

// New returns the page's handler.
func New(o Options) (*Server, error) {
	switch {
	case o.Source == nil || o.Config == nil:
		return nil, errors.New("ui: a source and a config are required")
	case o.Simulator == nil && o.TargetURL == "":
		return nil, errors.New("ui: an in-process simulator or a target URL is required")
	case o.Simulator != nil && o.Root == "":
		return nil, errors.New("ui: the root URL the simulator is served at is required")
	}
	o.Root = strings.TrimRight(o.Root, "/")
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Server{o: o, hc: o.HTTPClient, results: map[string]*harness.Result{}}
	if s.hc == nil {
		// Not http.DefaultClient: a fault-injected connection must not leak into other users of
		// the process.
		s.hc = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	if o.Simulator != nil {
		s.admin = simulator.NewAdminClient(o.Root, o.AdminToken, s.hc)
	}
	s.routes()
	return s, nil
}

func (s *Server) routes() {
	m := http.NewServeMux()
	m.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(staticFS)))
	m.HandleFunc("GET /{$}", s.index)
	m.HandleFunc("GET /search", s.search)
	m.HandleFunc("GET /provision", s.provision)
	m.HandleFunc("GET /target", s.target)
	m.HandleFunc("GET /target/{resource}/{id}", s.targetResource)
	m.HandleFunc("POST /target/faults", s.addFault)
	m.HandleFunc("POST /target/faults/clear", s.clearFaults)
	m.HandleFunc("POST /target/faults/{name}/delete", s.deleteFault)
	m.HandleFunc("POST /target/profile", s.setProfile)
	m.HandleFunc("POST /target/reset", s.reset)
	m.HandleFunc("GET /requests", s.requests)
	m.HandleFunc("GET /requests/events", s.requestEvents)
	m.HandleFunc("GET /scenarios", s.scenarios)
	m.HandleFunc("POST /scenarios/run", s.runScenarios)
	m.HandleFunc("GET /scenarios/{id}", s.scenario)
	m.HandleFunc("POST /scenarios/{id}/run", s.runScenario)
	m.HandleFunc("GET /login", s.loginForm)
	m.HandleFunc("POST /login", s.login)
	m.HandleFunc("/", s.notFound)
	s.mux = m
	// State-changing forms are refused from other origins (Sec-Fetch-Site / Origin): the page
	// has no session to steal, but a page elsewhere must not reset the tenant.
	s.handler = http.NewCrossOriginProtection().Handler(s.guard(m))
}

// ServeHTTP serves the page, and the simulator's SCIM and admin API beside it: every path that is
// not the page's goes to the simulator, which answers it as `scimsim serve` would (a SCIM 404 for a
// wrong tenant URL such as /scim/v1, as the connection-wrong-tenant-url scenario expects).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.o.Simulator != nil && !pagePath(r.URL.Path) {
		s.o.Simulator.ServeHTTP(w, r)
		return
	}
	s.handler.ServeHTTP(w, r)
}

// pagePath reports whether a path is the page's own.
func pagePath(p string) bool {
	if p == "/" {
		return true
	}
	first, _, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	switch first {
	case "search", "provision", "target", "requests", "scenarios", "static", "login":
		return true
	}
	return false
}

const adminCookie = "scimsim_admin"

// guard asks for the admin token when one is set (the page can change every tenant, like the
// admin API), and refuses a Host that is not the loopback address when none is set, so that a
// web page elsewhere cannot reach the page through a DNS name rebound to 127.0.0.1.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		open := r.URL.Path == "/login" || strings.HasPrefix(r.URL.Path, "/static/")
		if s.o.AdminToken == "" {
			if !loopbackHost(r.Host) {
				http.Error(w, "scimsim ui: this page answers only at a loopback address (127.0.0.1, ::1, localhost); start it with --admin-token to serve other hosts", http.StatusMisdirectedRequest)
				return
			}
		} else if !open && !s.signedIn(r) {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			http.Error(w, "scimsim ui: sign in with the admin token first", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) signedIn(r *http.Request) bool {
	got := ""
	if c, err := r.Cookie(adminCookie); err == nil {
		got = c.Value
	} else if h, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		got = h
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(s.o.AdminToken)) == 1
}

func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// scimURL is where on-demand runs provision: the external target, or the demo tenant.
func (s *Server) scimURL() string {
	if s.o.TargetURL != "" {
		return s.o.TargetURL
	}
	return s.o.Root + "/scim/v2"
}

// demo returns the in-process demo tenant, or nil when the page provisions into an external target.
func (s *Server) demo() *simulator.Tenant {
	if s.o.TargetURL != "" || s.o.Simulator == nil {
		return nil
	}
	return s.o.Simulator.Tenant("")
}

// scimClient returns a client of the target for the page's own reads (one attempt each).
func (s *Server) scimClient() (*entra.Client, error) {
	return entra.New(s.scimURL(), s.o.Token, entra.WithHTTPClient(s.hc), entra.WithMaxAttempts(1))
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusNotFound, "error", page{Title: "Not found", Error: fmt.Sprintf("There is no page at %s.", r.URL.Path)})
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "login", page{Title: "Sign in", Data: safeNext(r.URL.Query().Get("next"))})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.FormValue("next"))
	if s.o.AdminToken == "" {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	tok := r.FormValue("token")
	if subtle.ConstantTimeCompare([]byte(tok), []byte(s.o.AdminToken)) != 1 {
		s.render(w, r, http.StatusUnauthorized, "login", page{Title: "Sign in", Data: next, Error: "That is not the admin token (--admin-token)."})
		return
	}
	http.SetCookie(w, &http.Cookie{Name: adminCookie, Value: tok, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// safeNext keeps a redirect target on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/"
	}
	return next
}

// requestContext bounds the page's own reads of the target.
func requestContext(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), 15*time.Second)
}
