package ui

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/report"
)

// maxHits bounds each list of search results, as the portal's picker shows a screenful.
const maxHits = 20

// userHit is one user in the search results. Query is what the page provisions it by: what the
// engine's search finds it by (the user principal name, else the objectId; the worker id of a
// Cloud HR source).
type userHit struct {
	Query, Display, Detail, ObjectID string
	// Hidden: the search does not show this user (disabled or soft-deleted), listed only among a
	// group's members, where it cannot be picked.
	Hidden bool
}

type groupHit struct {
	Query, Display, ObjectID string
	Members                  int
}

// searchData is the search box and its results: the page's own state, so that the same template
// renders the results on the server and for the script as the user types.
type searchData struct {
	Q      string
	Kind   string
	Users  []userHit
	Groups []groupHit
	More   int // matches beyond maxHits
	// Group is the group whose members are being picked (/?group=NAME).
	Group      *groupHit
	Members    []userHit
	Selected   map[string]bool
	MaxMembers int
	Error      string
}

func (d searchData) Empty() bool { return d.Q != "" && len(d.Users) == 0 && len(d.Groups) == 0 }

// suggest runs the portal's search as the user types: every user and group whose searchable
// attributes start with q (case-insensitively), disabled and soft-deleted users left out as the
// portal leaves them out. Microsoft Learn, provision-on-demand.md, "How to use on-demand
// provisioning": "Search for a user by first name, last name, display name, user principal name,
// or email address. Alternatively, you can search for a group and pick up to five users."
func suggest(src *engine.Source, q string) searchData {
	d := searchData{Q: q, Kind: src.Kind, MaxMembers: engine.MaxGroupMembers}
	q = strings.TrimSpace(q)
	if q == "" {
		return d
	}
	attrs := src.SearchAttributes()
	for _, u := range src.Users {
		if src.Hidden(u) || !userMatches(u, attrs, q) {
			continue
		}
		if len(d.Users) == maxHits {
			d.More++
			continue
		}
		d.Users = append(d.Users, hitOf(src, u))
	}
	if src.Kind == engine.KindEntra {
		for _, g := range src.Groups {
			if !hasPrefixFold(g.DisplayName, q) && g.ObjectID != q {
				continue
			}
			if len(d.Groups) == maxHits {
				d.More++
				continue
			}
			d.Groups = append(d.Groups, groupHitOf(src, g))
		}
	}
	return d
}

func userMatches(u *engine.User, attrs []string, q string) bool {
	if u.ObjectID == q {
		return true
	}
	for _, a := range attrs {
		if v, ok := u.Attrs[a]; ok && v != nil && hasPrefixFold(fmt.Sprint(v), q) {
			return true
		}
	}
	return false
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func hitOf(src *engine.Source, u *engine.User) userHit {
	h := userHit{ObjectID: u.ObjectID, Display: u.String("displayName"), Hidden: src.Hidden(u)}
	if src.Kind == engine.KindEntra {
		h.Query = u.String("userPrincipalName")
		h.Detail = h.Query
		if mail := u.String("mail"); mail != "" && !strings.EqualFold(mail, h.Query) {
			h.Detail += " · " + mail
		}
	} else {
		for _, a := range src.SearchAttributes() {
			if v, ok := u.Attrs[a]; ok && v != nil {
				h.Query = fmt.Sprint(v)
				h.Detail = a + " " + h.Query
				break
			}
		}
	}
	if h.Query == "" {
		h.Query = u.ObjectID
	}
	if h.Display == "" {
		h.Display = u.Display()
	}
	return h
}

func groupHitOf(src *engine.Source, g *engine.Group) groupHit {
	h := groupHit{Query: g.DisplayName, Display: g.DisplayName, ObjectID: g.ObjectID, Members: len(g.Members)}
	for _, o := range src.Groups {
		if o != g && strings.EqualFold(o.DisplayName, g.DisplayName) {
			h.Query = g.ObjectID // the name alone would be ambiguous
		}
	}
	return h
}

// pickGroup fills in the members of the group named name for the member picker.
func pickGroup(src *engine.Source, d *searchData, name string, selected []string) {
	g, err := src.FindGroup(name)
	if err != nil {
		d.Error = err.Error()
		return
	}
	if g == nil {
		d.Error = fmt.Sprintf("No group in the source has the name %q.", name)
		return
	}
	h := groupHitOf(src, g)
	d.Group = &h
	d.Selected = map[string]bool{}
	for _, m := range selected {
		d.Selected[m] = true
	}
	for _, id := range g.Members {
		for _, u := range src.Users {
			if u.ObjectID == id {
				d.Members = append(d.Members, hitOf(src, u))
			}
		}
	}
}

type indexData struct {
	Search searchData
	// Target is where Provision sends the user: the demo tenant or the --target URL.
	Target string
}

// index is the portal's "Provision on demand" page: a search box, its results, and Provision.
func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := indexData{Target: s.scimURL()}
	src, err := s.o.Source()
	if err != nil {
		s.render(w, r, http.StatusInternalServerError, "index", page{Title: "Provision on demand", Nav: "provision", Error: err.Error(), Data: d})
		return
	}
	d.Search = suggest(src, q.Get("q"))
	if g := q.Get("group"); g != "" {
		pickGroup(src, &d.Search, g, q["member"])
	}
	s.render(w, r, http.StatusOK, "index", page{Title: "Provision on demand", Nav: "provision", Data: d})
}

// search answers the script's search-as-you-type with the results fragment alone.
func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	src, err := s.o.Source()
	if err != nil {
		s.fragment(w, "index", "results", searchData{Error: err.Error()})
		return
	}
	q := r.URL.Query()
	d := suggest(src, q.Get("q"))
	if g := q.Get("group"); g != "" {
		pickGroup(src, &d, g, q["member"])
	}
	s.fragment(w, "index", "results", d)
}

// provisionData is the result page.
type provisionData struct {
	Report *engine.Report
	// NoResults is the portal's "no results" state: the search found no such user or group.
	NoResults bool
	// ShowRequests opens every step's requests (?requests=1, --show-requests on the CLI).
	ShowRequests bool
	// Subject as asked, for the heading, the search box and the "Provision again" link.
	User, Group string
	Members     []string
	Target      string
	// Again is this run's own URL, to run it again.
	Again string
	// RequestsURL toggles Show requests without JavaScript.
	RequestsURL string
}

// provision runs the subject on demand and shows the result as the portal does.
func (s *Server) provision(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if pick := q.Get("pick"); pick != "" {
		// The picker's radio buttons name user:QUERY or group:NAME; the page's own URL names the
		// subject plainly, so that it can be bookmarked and shared.
		kind, val, _ := strings.Cut(pick, ":")
		nq := url.Values{}
		switch kind {
		case "group":
			nq.Set("group", val)
			nq["member"] = q["member"]
		default:
			nq.Set("user", val)
		}
		http.Redirect(w, r, pageURL("/provision", nq), http.StatusSeeOther)
		return
	}
	d := provisionData{User: q.Get("user"), Group: q.Get("group"), Members: q["member"], Target: s.scimURL(),
		ShowRequests: q.Get("requests") == "1"}
	d.Again = pageURL("/provision", subjectQuery(d.User, d.Group, d.Members))
	d.RequestsURL = requestsToggle("/provision", subjectQuery(d.User, d.Group, d.Members), d.ShowRequests)
	title := "Provision on demand"
	if d.User == "" && d.Group == "" {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	fail := func(status int, err error) {
		s.render(w, r, status, "provision", page{Title: title, Nav: "provision", Error: err.Error(), Data: d})
	}
	src, err := s.o.Source()
	if err != nil {
		fail(http.StatusInternalServerError, err)
		return
	}
	cfg, err := s.o.Config()
	if err != nil {
		fail(http.StatusInternalServerError, err)
		return
	}
	rep, err := engine.Run(r.Context(), src, cfg, engine.Subject{User: d.User, Group: d.Group, Members: d.Members},
		engine.WithHTTPClient(s.hc), engine.WithTarget(s.scimURL(), s.o.Token), engine.WithClock(s.o.Now))
	if err != nil {
		// The CLI's sentence for the same input (`scimsim provision` exits 2 with it).
		status := http.StatusInternalServerError
		var ie *engine.InputError
		if errors.As(err, &ie) {
			status = http.StatusBadRequest
		}
		fail(status, err)
		return
	}
	d.Report = rep
	d.NoResults = rep.FailedStep == report.StepImport && rep.ErrorCode == string(entra.CodeSubjectNotFound)
	s.render(w, r, http.StatusOK, "provision", page{Title: title + ": " + rep.Subject.Display, Nav: "provision", Data: d})
}

func subjectQuery(user, group string, members []string) url.Values {
	q := url.Values{}
	if user != "" {
		q.Set("user", user)
	}
	if group != "" {
		q.Set("group", group)
	}
	if len(members) > 0 {
		q["member"] = slices.Clone(members)
	}
	return q
}
