package ui

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/scimsim/scimsim/harness"
	"github.com/scimsim/scimsim/scenarios"
)

// scenarioRow is one line of the catalog's table: the scenario and, once it ran, its summary row.
type scenarioRow struct {
	Scenario *scenarios.Scenario
	Row      harness.Row
	Ran      bool
	// Result is ok, FAIL or pending, as the CLI's summary table says; "not run" before a run.
	Result string
}

type scenariosData struct {
	Rows      []scenarioRow
	Labels    []string
	Label, Q  string
	Total     int
	Passed    int
	Failed    int
	Pending   int
	NotRun    int
	FilterURL string
}

// catalog loads the catalog once; the error is the CLI's sentence for the same catalog.
func (s *Server) catalog() ([]harness.Case, error) {
	s.catalogOnce.Do(func() {
		if s.o.Catalog == nil {
			s.catalogErr = errors.New("this page has no scenario catalog")
			return
		}
		s.cases, s.catalogErr = s.o.Catalog()
	})
	return s.cases, s.catalogErr
}

func (s *Server) result(id string) (*harness.Result, bool) {
	s.resMu.Lock()
	defer s.resMu.Unlock()
	r, ok := s.results[id]
	return r, ok
}

// runCase runs one scenario on its own tenant of the in-process simulator, as `scimsim scenarios
// run` does, and keeps the result.
func (s *Server) runCase(ctx context.Context, c harness.Case) *harness.Result {
	s.runMu.Lock()
	defer s.runMu.Unlock()
	res := harness.Run(ctx, harness.NewSimulator(s.o.Simulator, s.o.Root), c, harness.Options{HTTPClient: s.hc})
	s.resMu.Lock()
	s.results[c.Scenario.ID] = &res
	s.resMu.Unlock()
	return &res
}

// filterCases keeps the cases with the label (any when "") whose id or title contains q.
func filterCases(cases []harness.Case, label, q string) []harness.Case {
	q = strings.ToLower(strings.TrimSpace(q))
	var out []harness.Case
	for _, c := range cases {
		if label != "" && !c.Scenario.HasLabel(label) {
			continue
		}
		if q != "" && !strings.Contains(strings.ToLower(c.Scenario.ID+" "+c.Scenario.Title), q) {
			continue
		}
		out = append(out, c)
	}
	return out
}

func (s *Server) scenarios(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := scenariosData{Label: q.Get("label"), Q: q.Get("q")}
	p := page{Title: "Scenarios", Nav: "scenarios", Data: &d}
	cases, err := s.catalog()
	if err != nil {
		p.Error = err.Error()
		s.render(w, r, http.StatusInternalServerError, "scenarios", p)
		return
	}
	seen := map[string]bool{}
	for _, c := range cases {
		for _, l := range c.Scenario.Labels {
			if !seen[l] {
				seen[l] = true
				d.Labels = append(d.Labels, l)
			}
		}
	}
	slices.Sort(d.Labels)
	d.FilterURL = pageURL("/scenarios", filterQuery(d.Label, d.Q))
	for _, c := range filterCases(cases, d.Label, d.Q) {
		sc := c.Scenario
		// Before a run the row has the expectation alone (PendingRow's shape, not pending).
		row := scenarioRow{Scenario: &sc, Row: harness.PendingRow(&sc), Result: "not run"}
		row.Row.Pending = false
		if res, ok := s.result(sc.ID); ok {
			row.Row, row.Ran = res.Row(), true
			switch {
			case row.Row.Pending:
				row.Result = "pending"
			case row.Row.Passed:
				row.Result = "ok"
			default:
				row.Result = "FAIL"
			}
		}
		switch row.Result {
		case "ok":
			d.Passed++
		case "FAIL":
			d.Failed++
		case "pending":
			d.Pending++
		default:
			d.NotRun++
		}
		d.Rows = append(d.Rows, row)
	}
	d.Total = len(d.Rows)
	s.render(w, r, http.StatusOK, "scenarios", p)
}

// runScenarios runs the scenarios the table shows (the whole catalog without a filter), one after
// the other, then shows the table.
func (s *Server) runScenarios(w http.ResponseWriter, r *http.Request) {
	cases, err := s.catalog()
	if err != nil {
		s.render(w, r, http.StatusInternalServerError, "scenarios", page{Title: "Scenarios", Nav: "scenarios", Error: err.Error(), Data: &scenariosData{}})
		return
	}
	label, q := r.FormValue("label"), r.FormValue("q")
	for _, c := range filterCases(cases, label, q) {
		if r.Context().Err() != nil {
			return
		}
		s.runCase(r.Context(), c)
	}
	http.Redirect(w, r, pageURL("/scenarios", filterQuery(label, q))+"#summary", http.StatusSeeOther)
}

// filterQuery is the query of the scenarios table's filter: the label and the search, those given.
func filterQuery(label, q string) url.Values {
	v := url.Values{}
	if label != "" {
		v.Set("label", label)
	}
	if q != "" {
		v.Set("q", q)
	}
	return v
}

type scenarioData struct {
	Scenario *scenarios.Scenario
	Result   *harness.Result
	Row      harness.Row
	Expected string
	// Failure is the harness's sentence for a run that did not meet its expectation.
	Failure string
	// Provision is the report in the /provision layout.
	Provision provisionData
	Tenant    string
}

func (s *Server) findCase(id string) (*harness.Case, error) {
	cases, err := s.catalog()
	if err != nil {
		return nil, err
	}
	for i := range cases {
		if cases[i].Scenario.ID == id {
			return &cases[i], nil
		}
	}
	return nil, nil
}

// scenario shows one scenario's report in the /provision layout, running it first if it has not
// run yet.
func (s *Server) scenario(w http.ResponseWriter, r *http.Request) {
	c, err := s.findCase(r.PathValue("id"))
	p := page{Title: "Scenario", Nav: "scenarios"}
	switch {
	case err != nil:
		p.Error = err.Error()
		p.Data = &scenarioData{}
		s.render(w, r, http.StatusInternalServerError, "scenario", p)
		return
	case c == nil:
		p.Error = scenarios.UnknownID(r.PathValue("id")).Error()
		p.Data = &scenarioData{}
		s.render(w, r, http.StatusNotFound, "scenario", p)
		return
	}
	res, ok := s.result(c.Scenario.ID)
	if !ok {
		res = s.runCase(r.Context(), *c)
	}
	sc := c.Scenario
	d := &scenarioData{Scenario: &sc, Result: res, Row: res.Row(), Expected: harness.PendingRow(&sc).Expected, Failure: res.Failure(), Tenant: sc.ID}
	d.Provision = provisionData{Report: res.Report, ShowRequests: r.URL.Query().Get("requests") == "1", User: sc.Subject.User, Group: sc.Subject.Group, Members: sc.Subject.Members}
	d.Provision.RequestsURL = requestsToggle("/scenarios/"+url.PathEscape(sc.ID), nil, d.Provision.ShowRequests)
	p.Title = "Scenario " + sc.ID
	p.Data = d
	s.render(w, r, http.StatusOK, "scenario", p)
}

func (s *Server) runScenario(w http.ResponseWriter, r *http.Request) {
	c, err := s.findCase(r.PathValue("id"))
	if err != nil || c == nil {
		s.scenario(w, r)
		return
	}
	s.runCase(r.Context(), *c)
	http.Redirect(w, r, "/scenarios/"+url.PathEscape(c.Scenario.ID), http.StatusSeeOther)
}
