package conformance_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/scimsim/scimsim/wire"
)

// fakeSCIM is a small in-memory SCIM endpoint for the tests of the checks: in its default form it
// accepts everything Entra sends; strict reads PATCH as RFC 7644 is written; each quirk breaks one
// documented requirement the way real endpoints do, so that a test can show that exactly the check
// of that requirement fails.
type fakeSCIM struct {
	token  string
	strict bool
	quirks map[string]bool

	mu       sync.Mutex
	nextID   int
	users    map[string]map[string]any
	groups   map[string]map[string]any
	order    []string // ids in creation order: paging is stable
	requests []string // "METHOD /path", every request
}

// The quirks, each named after what it breaks.
const (
	quirkAnyToken        = "accepts-any-token"
	quirkEmptyQuery404   = "empty-query-404"
	quirkJSONContentType = "application-json"
	quirkNoSPC           = "no-service-provider-config"
	quirkNoSchemas       = "no-schemas"
	quirkNoExternalID    = "no-externalid-filter"
	quirkCaseUnique      = "case-sensitive-username"
	quirkHideInactive    = "hide-inactive"
	quirkNoPaging        = "ignores-paging"
	quirkMembersAnyway   = "members-despite-exclusion"
	quirkNoEnterprise    = "no-enterprise-extension"
	quirkCaseOp          = "case-sensitive-op"
	quirkDelete200       = "delete-answers-200"
	quirkRefuseCreate    = "refuses-user-create"
	quirkCreate200       = "create-answers-200"
	quirkNoTarget        = "no-target-on-absent-value"
	quirkManagerString   = "refuses-manager-string"
	quirkDupGroup        = "duplicate-group-names"
	quirkDeleteGone500   = "delete-gone-answers-500"
	quirkADSCIM          = "refuses-adscim-schema"
	quirkPlain401        = "plain-text-401"
	quirkCaseFilter      = "case-sensitive-username-filter"
	quirkSchemasPerPage  = "schemas-items-per-page-1000"
)

func newFakeSCIM(token string, strict bool, quirks ...string) *fakeSCIM {
	f := &fakeSCIM{token: token, strict: strict, quirks: map[string]bool{},
		users: map[string]map[string]any{}, groups: map[string]map[string]any{}}
	for _, q := range quirks {
		f.quirks[q] = true
	}
	return f
}

// seedUser stores a user that the run did not create, to show the run leaves it alone.
func (f *fakeSCIM) seedUser(userName string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := f.newID()
	f.users[id] = map[string]any{"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:User"}, "id": id, "userName": userName, "active": true}
	return id
}

func (f *fakeSCIM) newID() string {
	f.nextID++
	id := fmt.Sprintf("id-%04d", f.nextID)
	f.order = append(f.order, id)
	return id
}

func (f *fakeSCIM) count() (users, groups int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.users), len(f.groups)
}

func (f *fakeSCIM) log() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests)
}

type scimErr struct {
	status   int
	scimType string
	detail   string
}

func (f *fakeSCIM) write(w http.ResponseWriter, status int, v any) {
	ct := "application/scim+json; charset=utf-8"
	if f.quirks[quirkJSONContentType] {
		ct = "application/json"
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(status)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}

func (f *fakeSCIM) fail(w http.ResponseWriter, e scimErr) {
	body := map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:Error"}, "status": strconv.Itoa(e.status), "detail": e.detail}
	if e.scimType != "" {
		body["scimType"] = e.scimType
	}
	f.write(w, e.status, body)
}

func (f *fakeSCIM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	path := strings.TrimPrefix(r.URL.Path, "/scim/v2")
	f.requests = append(f.requests, r.Method+" "+path)
	if r.Header.Get("Authorization") != "Bearer "+f.token && !f.quirks[quirkAnyToken] {
		if f.quirks[quirkPlain401] {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte("Unauthorized"))
			return
		}
		f.fail(w, scimErr{status: 401, detail: "bad token"})
		return
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	var store map[string]map[string]any
	switch parts[0] {
	case "Users":
		store = f.users
	case "Groups":
		store = f.groups
	case "ServiceProviderConfig":
		if f.quirks[quirkNoSPC] {
			f.fail(w, scimErr{status: 404, detail: "no such endpoint"})
			return
		}
		f.write(w, 200, map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"},
			"patch": map[string]any{"supported": true}, "filter": map[string]any{"supported": true, "maxResults": 200}})
		return
	case "Schemas":
		if f.quirks[quirkNoSchemas] {
			f.fail(w, scimErr{status: 404, detail: "no such endpoint"})
			return
		}
		l := list([]map[string]any{{"id": "urn:ietf:params:scim:schemas:core:2.0:User"}, {"id": "urn:ietf:params:scim:schemas:core:2.0:Group"}}, 1, 2)
		if f.quirks[quirkSchemasPerPage] {
			l["itemsPerPage"] = 1000 // the page size, as elimity's server answered
		}
		f.write(w, 200, l)
		return
	default:
		f.fail(w, scimErr{status: 404, detail: "no such endpoint"})
		return
	}
	var err *scimErr
	switch {
	case len(parts) == 1 && r.Method == http.MethodGet:
		err = f.query(w, r, store, parts[0])
	case len(parts) == 1 && r.Method == http.MethodPost:
		err = f.create(w, r, store, parts[0])
	case len(parts) == 2:
		res, ok := store[parts[1]]
		if !ok && r.Method == http.MethodDelete && f.quirks[quirkDeleteGone500] {
			err = &scimErr{status: 500, detail: "internal error"}
			break
		}
		if !ok {
			err = &scimErr{status: 404, detail: "resource " + parts[1] + " not found"}
			break
		}
		switch r.Method {
		case http.MethodGet:
			f.write(w, 200, f.project(res, r.URL.Query().Get("excludedAttributes")))
		case http.MethodPatch:
			err = f.patch(w, r, res)
		case http.MethodDelete:
			delete(store, parts[1])
			if f.quirks[quirkDelete200] {
				f.write(w, 200, map[string]any{})
			} else {
				w.WriteHeader(http.StatusNoContent)
			}
		default:
			err = &scimErr{status: 405, detail: r.Method}
		}
	default:
		err = &scimErr{status: 404, detail: "no such endpoint"}
	}
	if err != nil {
		f.fail(w, *err)
	}
}

func list(rs []map[string]any, start, total int) map[string]any {
	if rs == nil {
		rs = []map[string]any{}
	}
	return map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:ListResponse"},
		"totalResults": total, "startIndex": start, "itemsPerPage": len(rs), "Resources": rs}
}

func (f *fakeSCIM) project(res map[string]any, excluded string) map[string]any {
	out := maps.Clone(res)
	if strings.EqualFold(excluded, "members") && !f.quirks[quirkMembersAnyway] {
		delete(out, "members")
	}
	return out
}

var eqPattern = regexp.MustCompile(`^(\w+) eq "(.*)"$`)

func (f *fakeSCIM) query(w http.ResponseWriter, r *http.Request, store map[string]map[string]any, kind string) *scimErr {
	q := r.URL.Query()
	var matches []map[string]any
	filter := q.Get("filter")
	m := eqPattern.FindStringSubmatch(filter)
	if filter != "" && (m == nil || (f.quirks[quirkNoExternalID] && m[1] == "externalId")) {
		return &scimErr{status: 400, scimType: "invalidFilter", detail: "unsupported filter " + filter}
	}
	for _, id := range f.order {
		res, ok := store[id]
		if !ok {
			continue
		}
		if f.quirks[quirkHideInactive] && res["active"] == false {
			continue
		}
		if m != nil {
			v, _ := res[m[1]].(string)
			exact := m[1] == "externalId" || f.quirks[quirkCaseFilter]
			if exact && v != m[2] || !exact && !strings.EqualFold(v, m[2]) {
				continue
			}
		}
		matches = append(matches, f.project(res, q.Get("excludedAttributes")))
	}
	if len(matches) == 0 && f.quirks[quirkEmptyQuery404] {
		return &scimErr{status: 404, detail: "no " + kind + " found"}
	}
	start, count := 1, len(matches)
	if s, err := strconv.Atoi(q.Get("startIndex")); err == nil && s > 1 && !f.quirks[quirkNoPaging] {
		start = s
	}
	if c, err := strconv.Atoi(q.Get("count")); err == nil && c >= 0 && !f.quirks[quirkNoPaging] {
		count = c
	}
	page := matches[min(start-1, len(matches)):min(start-1+count, len(matches))]
	f.write(w, 200, list(page, start, len(matches)))
	return nil
}

func (f *fakeSCIM) create(w http.ResponseWriter, r *http.Request, store map[string]map[string]any, kind string) *scimErr {
	var res map[string]any
	if err := json.NewDecoder(r.Body).Decode(&res); err != nil {
		return &scimErr{status: 400, scimType: "invalidSyntax", detail: err.Error()}
	}
	if kind == "Users" && f.quirks[quirkRefuseCreate] {
		return &scimErr{status: 400, scimType: "invalidValue", detail: "roles: empty list not allowed"}
	}
	if kind == "Groups" && f.quirks[quirkADSCIM] {
		if schemas, _ := res["schemas"].([]any); slices.Contains(schemas, any("http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group")) {
			return &scimErr{status: 400, scimType: "invalidValue", detail: "unknown schema"}
		}
	}
	if e, _ := res[enterpriseURN].(map[string]any); e != nil {
		if _, isString := e["manager"].(string); isString && (f.strict || f.quirks[quirkManagerString]) {
			return &scimErr{status: 400, scimType: "invalidValue", detail: "manager: a string is not a complex value"}
		}
	}
	unique := "userName"
	if kind == "Groups" {
		unique = "displayName"
	}
	name, _ := res[unique].(string)
	for _, other := range store {
		if kind == "Groups" && f.quirks[quirkDupGroup] {
			break
		}
		o, _ := other[unique].(string)
		if o == name || strings.EqualFold(o, name) && !f.quirks[quirkCaseUnique] {
			return &scimErr{status: 409, scimType: "uniqueness", detail: unique + " " + name + " is taken"}
		}
	}
	if f.quirks[quirkNoEnterprise] {
		delete(res, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")
	}
	res["id"] = f.newID()
	store[res["id"].(string)] = res
	if f.quirks[quirkCreate200] {
		f.write(w, 200, res)
		return nil
	}
	f.write(w, 201, res)
	return nil
}

var valuePath = regexp.MustCompile(`^(\w+)\[(\w+) eq "(.*)"\](?:\.(\w+))?$`)

func (f *fakeSCIM) patch(w http.ResponseWriter, r *http.Request, res map[string]any) *scimErr {
	var body struct {
		Operations []struct {
			Op    string `json:"op"`
			Path  string `json:"path"`
			Value any    `json:"value"`
		}
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		return &scimErr{status: 400, scimType: "invalidSyntax", detail: err.Error()}
	}
	next := wire.Clone(res)
	for _, op := range body.Operations {
		name := strings.ToLower(op.Op)
		if f.quirks[quirkCaseOp] {
			name = op.Op
		}
		if name != "add" && name != "replace" && name != "remove" {
			return &scimErr{status: 400, scimType: "invalidSyntax", detail: fmt.Sprintf("unknown op %q", op.Op)}
		}
		if err := f.apply(next, name, op.Path, op.Value); err != nil {
			return err
		}
	}
	clear(res)
	maps.Copy(res, next)
	f.write(w, 200, res)
	return nil
}

const enterpriseURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

func (f *fakeSCIM) apply(res map[string]any, op, path string, value any) *scimErr {
	const ext = enterpriseURN
	switch {
	case path == "":
		vals, ok := value.(map[string]any)
		if !ok {
			return &scimErr{status: 400, scimType: "invalidValue", detail: "no path and no object"}
		}
		for k, v := range vals {
			if f.strict && strings.Contains(k, ".") && !strings.HasPrefix(k, "urn:") {
				return &scimErr{status: 400, scimType: "invalidPath", detail: fmt.Sprintf("%q is not an attribute name", k)}
			}
			if err := f.apply(res, op, k, v); err != nil {
				return err
			}
		}
	case strings.HasPrefix(path, ext+":"):
		if f.quirks[quirkNoEnterprise] {
			return &scimErr{status: 400, scimType: "invalidPath", detail: "unknown path " + path}
		}
		name := strings.TrimPrefix(path, ext+":")
		if _, isString := value.(string); isString && name == "manager" && (f.strict || f.quirks[quirkManagerString]) {
			return &scimErr{status: 400, scimType: "invalidValue", detail: "manager: a string is not a complex value"}
		}
		e, _ := res[ext].(map[string]any)
		if e == nil {
			e = map[string]any{}
			res[ext] = e
		}
		e[name] = value
	case valuePath.MatchString(path):
		m := valuePath.FindStringSubmatch(path)
		items, _ := res[m[1]].([]any)
		var kept []any
		matched := false
		for _, it := range items {
			im, _ := it.(map[string]any)
			if im[m[2]] != m[3] {
				kept = append(kept, it)
				continue
			}
			matched = true
			if op == "remove" && m[4] == "" {
				continue
			}
			im[m[4]] = value
			kept = append(kept, im)
		}
		if !matched && op != "remove" {
			// Entra expects Add (and Replace) on a filter that matches nothing to create the element.
			if f.quirks[quirkNoTarget] {
				return &scimErr{status: 400, scimType: "noTarget", detail: "no value matches " + path}
			}
			kept = append(kept, map[string]any{m[2]: m[3], m[4]: value})
		}
		res[m[1]] = kept
	case path == "active":
		b, ok := value.(bool)
		if s, isString := value.(string); isString && !f.strict {
			b, ok = strings.EqualFold(s, "true"), strings.EqualFold(s, "true") || strings.EqualFold(s, "false")
		}
		if !ok {
			return &scimErr{status: 400, scimType: "invalidValue", detail: fmt.Sprintf("active: %v is not a boolean", value)}
		}
		res["active"] = b
	case path == "members":
		vals, _ := value.([]any)
		current, _ := res["members"].([]any)
		switch {
		case op == "remove" && (f.strict || len(vals) == 0):
			delete(res, "members") // RFC 7644 §3.5.2.2: no filter removes every value
		case op == "remove":
			gone := map[any]bool{}
			for _, v := range vals {
				gone[v.(map[string]any)["value"]] = true
			}
			current = slices.DeleteFunc(current, func(m any) bool { return gone[m.(map[string]any)["value"]] })
			res["members"] = current
		default:
			for _, v := range vals {
				vm, _ := v.(map[string]any)
				current = append(current, map[string]any{"value": vm["value"]})
			}
			res["members"] = current
		}
	case strings.Contains(path, "."):
		head, sub, _ := strings.Cut(path, ".")
		m, _ := res[head].(map[string]any)
		if m == nil {
			m = map[string]any{}
			res[head] = m
		}
		m[sub] = value
	case op == "remove":
		delete(res, path)
	default:
		res[path] = value
	}
	return nil
}
