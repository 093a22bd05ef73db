package ui

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/report"
	"github.com/scimsim/scimsim/simulator"
	"github.com/scimsim/scimsim/simulator/faults"
	"github.com/scimsim/scimsim/wire"
)

// maxRows bounds the users and groups the target page lists; the count says how many there are.
const maxRows = 200

// resourceRow is one stored user or group in the target's tables.
type resourceRow struct {
	ID, Name, Display, ExternalID, Active string
	Members                               int
	Href                                  string
}

// faultRow is one of the tenant's faults.
type faultRow struct {
	faults.Spec
	Hits       int
	Match      string
	Attributes string
}

// faultForm is one fault type's form, generated from the registry.
type faultForm struct {
	faults.TypeInfo
	// Open: this form was refused and is shown again, open, with what was typed.
	Open bool
}

type targetData struct {
	URL string
	// External: the page provisions into --target, whose faults, profile and journal it cannot see.
	External              bool
	Users, Groups         []resourceRow
	UserTotal, GroupTotal int
	ReadError             string
	Faults                []faultRow
	Types                 []faultForm
	Profile               string
	Profiles              []string
	HasToken              bool
	// Form echoes a fault form that was refused, so that nothing typed is lost.
	Form url.Values
}

func (s *Server) target(w http.ResponseWriter, r *http.Request) {
	s.renderTarget(w, r, http.StatusOK, "", nil)
}

// renderTarget renders /target; errMsg and form are a refused fault form's sentence and values.
func (s *Server) renderTarget(w http.ResponseWriter, r *http.Request, status int, errMsg string, form url.Values) {
	d := targetData{URL: s.scimURL(), External: s.demo() == nil, HasToken: s.o.Token != "", Form: form}
	if form == nil {
		d.Form = url.Values{}
	}
	var err error
	d.Users, d.UserTotal, err = s.list(r, "Users")
	if err == nil {
		d.Groups, d.GroupTotal, err = s.list(r, "Groups")
	}
	if err != nil {
		d.ReadError = err.Error()
	}
	if t := s.demo(); t != nil {
		d.Profile = string(t.Profile())
		d.Profiles = []string{string(simulator.ProfileEntra), string(simulator.ProfileStrict)}
		for _, sp := range t.Faults().List() {
			hits, _ := t.Faults().Hits(sp.Name)
			d.Faults = append(d.Faults, faultRow{Spec: sp, Hits: hits, Match: matchSummary(sp.Match), Attributes: attrSummary(sp.Attributes)})
		}
		for _, ti := range faults.Types() {
			d.Types = append(d.Types, faultForm{TypeInfo: ti, Open: form != nil && form.Get("type") == ti.Name})
		}
	}
	s.render(w, r, status, "target", page{Title: "Target", Nav: "target", Error: errMsg, Notice: notice(r.URL.Query()), Data: d})
}

// notice is the sentence about what the last form did, carried by the redirect's query.
func notice(q url.Values) string {
	switch {
	case q.Get("added") != "":
		return fmt.Sprintf("Fault %s added: the next requests that match it get it.", q.Get("added"))
	case q.Get("removed") != "":
		return fmt.Sprintf("Fault %s removed.", q.Get("removed"))
	case q.Get("cleared") != "":
		return "Every fault removed."
	case q.Get("profile") != "":
		return fmt.Sprintf("Profile set to %s.", q.Get("profile"))
	case q.Get("reset") != "":
		return "The tenant was reset: no users, no groups, no faults, an empty journal."
	}
	return ""
}

// list reads the target's users or groups: the demo tenant's store directly (no fault applies and
// nothing is journaled, so looking does not change what the engine sees), an external target by
// SCIM queries.
func (s *Server) list(r *http.Request, resource string) ([]resourceRow, int, error) {
	var (
		raws  []json.RawMessage
		total int
	)
	if t := s.demo(); t != nil {
		var err error
		if raws, total, err = t.Resources(resource, s.scimURL(), 0, maxRows); err != nil {
			return nil, 0, err
		}
	} else {
		c, err := s.scimClient()
		if err != nil {
			return nil, 0, err
		}
		ctx, cancel := requestContext(r)
		defer cancel()
		lr, err := c.List(ctx, entra.PageRequest(resource, 1, maxRows))
		if err != nil {
			return nil, 0, fmt.Errorf("read the target's %s: %w", strings.ToLower(resource), err)
		}
		total = lr.TotalResults
		for _, res := range lr.Resources {
			b, _ := json.Marshal(res)
			raws = append(raws, b)
		}
	}
	rows := make([]resourceRow, 0, len(raws))
	for i, raw := range raws {
		var m map[string]any
		if json.Unmarshal(raw, &m) != nil {
			continue
		}
		row := resourceRow{ID: wire.ID(m), Display: str(m["displayName"]), ExternalID: str(m["externalId"])}
		if resource == wire.Users {
			row.Name = str(m["userName"])
			row.Active = str(m["active"])
		} else {
			row.Name = row.Display
			if ms, ok := m["members"].([]any); ok {
				row.Members = len(ms)
			}
		}
		row.Href = "/target/" + resource + "/" + url.PathEscape(row.ID) + "?at=" + strconv.Itoa(i)
		rows = append(rows, row)
	}
	return rows, total, nil
}

// str is an attribute's value as the table shows it: as fmt prints it, and "" when it is absent.
func str(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

type resourceData struct {
	Resource, ID, JSON string
}

// targetResource shows one stored user or group as JSON.
func (s *Server) targetResource(w http.ResponseWriter, r *http.Request) {
	resource, id := r.PathValue("resource"), r.PathValue("id")
	if resource != wire.Users && resource != wire.Groups {
		s.notFound(w, r)
		return
	}
	d := resourceData{Resource: resource, ID: id}
	title := strings.TrimSuffix(resource, "s") + " " + id
	raw, err := s.one(r, resource, id)
	switch {
	case err != nil:
		s.render(w, r, http.StatusBadGateway, "resource", page{Title: title, Nav: "target", Error: err.Error(), Data: d})
	case raw == nil:
		s.render(w, r, http.StatusNotFound, "resource", page{Title: title, Nav: "target", Error: fmt.Sprintf("The target holds no %s with id %q.", strings.ToLower(strings.TrimSuffix(resource, "s")), id), Data: d})
	default:
		d.JSON = prettyJSON(string(raw))
		s.render(w, r, http.StatusOK, "resource", page{Title: title, Nav: "target", Data: d})
	}
}

// one returns the stored resource, nil when there is none. The list's ?at= position finds it in
// the demo tenant's store without a scan; a stale position falls back to one.
func (s *Server) one(r *http.Request, resource, id string) (json.RawMessage, error) {
	if t := s.demo(); t != nil {
		if at, err := strconv.Atoi(r.URL.Query().Get("at")); err == nil && at >= 0 {
			if got, _, err := t.Resources(resource, s.scimURL(), at, 1); err == nil && len(got) == 1 && idOf(got[0]) == id {
				return got[0], nil
			}
		}
		const chunk = 1000
		for off := 0; ; off += chunk {
			got, total, err := t.Resources(resource, s.scimURL(), off, chunk)
			if err != nil {
				return nil, err
			}
			for _, raw := range got {
				if idOf(raw) == id {
					return raw, nil
				}
			}
			if off+chunk >= total {
				return nil, nil
			}
		}
	}
	c, err := s.scimClient()
	if err != nil {
		return nil, err
	}
	ctx, cancel := requestContext(r)
	defer cancel()
	resp, err := c.Send(ctx, entra.Request{Method: http.MethodGet, Path: "/" + resource + "/" + url.PathEscape(id), By: wire.ByScimsim})
	if err != nil {
		return nil, err
	}
	if resp.Status == http.StatusNotFound {
		return nil, nil
	}
	if resp.Status != http.StatusOK {
		return nil, resp.StatusError()
	}
	return resp.Body, nil
}

func idOf(raw json.RawMessage) string {
	var v struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(raw, &v)
	return v.ID
}

func matchSummary(m faults.Match) string {
	var parts []string
	for _, f := range [][2]string{{"method", m.Method}, {"path", m.Path}, {"resource", m.Resource}, {"filterAttribute", m.FilterAttribute}} {
		if f[1] != "" {
			parts = append(parts, f[0]+"="+f[1])
		}
	}
	if len(parts) == 0 {
		return "every request"
	}
	return strings.Join(parts, " ")
}

func attrSummary(a map[string]any) string {
	keys := make([]string, 0, len(a))
	for k := range a {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + report.ShowValue(a[k])
	}
	return strings.Join(parts, " ")
}

// demoTenant returns the demo tenant for a form that changes it, or answers that there is none.
func (s *Server) demoTenant(w http.ResponseWriter, r *http.Request) *simulator.Tenant {
	t := s.demo()
	if t == nil {
		s.renderTarget(w, r, http.StatusConflict, "The page provisions into an external target (--target): its faults, profile and store are not the page's to change.", nil)
	}
	return t
}

// faultSpec reads a fault form: the fields every fault has, and the attributes of its type as
// the registry describes them (an integer, a string, a comma-separated list). An empty field
// leaves the registry's default.
func faultSpec(form url.Values) (faults.Spec, error) {
	sp := faults.Spec{
		Name: strings.TrimSpace(form.Get("name")),
		Type: form.Get("type"),
		Match: faults.Match{
			Method:          strings.TrimSpace(form.Get("match.method")),
			Path:            strings.TrimSpace(form.Get("match.path")),
			Resource:        strings.TrimSpace(form.Get("match.resource")),
			FilterAttribute: strings.TrimSpace(form.Get("match.filterAttribute")),
		},
	}
	var err error
	if sp.After, err = intField(form, "after"); err != nil {
		return sp, err
	}
	if sp.Count, err = intField(form, "count"); err != nil {
		return sp, err
	}
	if v := strings.TrimSpace(form.Get("probability")); v != "" {
		if sp.Probability, err = strconv.ParseFloat(v, 64); err != nil {
			return sp, fmt.Errorf("probability %q: want a number in (0, 1]", v)
		}
	}
	var info *faults.TypeInfo
	for _, ti := range faults.Types() {
		if ti.Name == sp.Type {
			info = &ti
		}
	}
	if info == nil {
		return sp, fmt.Errorf("unknown fault type %q", sp.Type)
	}
	for _, a := range info.Attributes {
		v := strings.TrimSpace(form.Get("attr." + a.Name))
		if v == "" {
			continue
		}
		if sp.Attributes == nil {
			sp.Attributes = map[string]any{}
		}
		switch a.Type {
		case faults.Integer:
			n, err := strconv.Atoi(v)
			if err != nil {
				return sp, fmt.Errorf("%s %q: want a whole number", a.Name, v)
			}
			sp.Attributes[a.Name] = n
		case faults.StringList:
			var list []any
			for _, x := range strings.Split(v, ",") {
				if x = strings.TrimSpace(x); x != "" {
					list = append(list, x)
				}
			}
			sp.Attributes[a.Name] = list
		default:
			sp.Attributes[a.Name] = v
		}
	}
	return sp, nil
}

func intField(form url.Values, name string) (int, error) {
	v := strings.TrimSpace(form.Get(name))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s %q: want a whole number, 0 or more", name, v)
	}
	return n, nil
}

func (s *Server) addFault(w http.ResponseWriter, r *http.Request) {
	t := s.demoTenant(w, r)
	if t == nil {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.renderTarget(w, r, http.StatusBadRequest, err.Error(), nil)
		return
	}
	sp, err := faultSpec(r.PostForm)
	if err == nil {
		sp, err = t.Faults().Add(sp)
	}
	if err != nil {
		// The admin API's sentence for the same spec (POST /admin/faults answers 400 with it).
		s.renderTarget(w, r, http.StatusBadRequest, "The fault was not added: "+err.Error(), r.PostForm)
		return
	}
	http.Redirect(w, r, "/target?added="+url.QueryEscape(sp.Name)+"#faults", http.StatusSeeOther)
}

func (s *Server) deleteFault(w http.ResponseWriter, r *http.Request) {
	t := s.demoTenant(w, r)
	if t == nil {
		return
	}
	name := r.PathValue("name")
	if !t.Faults().Delete(name) {
		s.renderTarget(w, r, http.StatusNotFound, fmt.Sprintf("No fault is named %q.", name), nil)
		return
	}
	http.Redirect(w, r, "/target?removed="+url.QueryEscape(name)+"#faults", http.StatusSeeOther)
}

func (s *Server) clearFaults(w http.ResponseWriter, r *http.Request) {
	if t := s.demoTenant(w, r); t != nil {
		t.Faults().Clear()
		http.Redirect(w, r, "/target?cleared=1#faults", http.StatusSeeOther)
	}
}

func (s *Server) setProfile(w http.ResponseWriter, r *http.Request) {
	t := s.demoTenant(w, r)
	if t == nil {
		return
	}
	p, err := simulator.ParseProfile(r.FormValue("profile"))
	if err != nil {
		s.renderTarget(w, r, http.StatusBadRequest, err.Error(), nil)
		return
	}
	t.Configure(p, s.o.Token)
	http.Redirect(w, r, "/target?profile="+url.QueryEscape(string(p))+"#profile", http.StatusSeeOther)
}

func (s *Server) reset(w http.ResponseWriter, r *http.Request) {
	if t := s.demoTenant(w, r); t != nil {
		t.Reset()
		http.Redirect(w, r, "/target?reset=1", http.StatusSeeOther)
	}
}
