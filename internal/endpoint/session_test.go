package endpoint

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/wire"
)

// store is a small SCIM endpoint for the session's tests: it keeps resources by id, answers eq
// queries on the naming attribute case-insensitively (as RFC 7643 makes userName), and logs every
// request. deleteGone is the status it answers to a DELETE of an id it does not hold (404 when 0).
type store struct {
	mu         sync.Mutex
	next       int
	res        map[string]map[string]any // "Users/id" -> resource
	log        []string
	deleteGone int
	// keep, when set, makes DELETE of that id answer 500 without deleting it.
	keep string
}

func newStore() *store { return &store{res: map[string]map[string]any{}} }

func (s *store) put(resource, name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	id := fmt.Sprintf("%s-%d", strings.ToLower(resource[:1]), s.next)
	s.res[resource+"/"+id] = map[string]any{"id": id, NameAttr(resource): name}
	return id
}

func (s *store) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.res)
}

var eq = regexp.MustCompile(`^(\w+) eq "(.*)"$`)

func (s *store) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	path := strings.TrimPrefix(r.URL.Path, "/scim")
	s.log = append(s.log, r.Method+" "+path)
	w.Header().Set("Content-Type", wire.MediaType)
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case len(parts) == 1 && r.Method == http.MethodGet:
		m := eq.FindStringSubmatch(r.URL.Query().Get("filter"))
		var found []map[string]any
		for key, res := range s.res {
			if strings.HasPrefix(key, parts[0]+"/") && m != nil && strings.EqualFold(fmt.Sprint(res[m[1]]), m[2]) {
				found = append(found, res)
			}
		}
		slices.SortFunc(found, func(a, b map[string]any) int { return strings.Compare(wire.ID(a), wire.ID(b)) })
		_ = json.NewEncoder(w).Encode(map[string]any{"schemas": []string{wire.ListResponseSchema}, "totalResults": len(found), "Resources": found})
	case len(parts) == 1 && r.Method == http.MethodPost:
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		s.next++
		id := fmt.Sprintf("%s-%d", strings.ToLower(parts[0][:1]), s.next)
		body["id"] = id
		s.res[parts[0]+"/"+id] = body
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(body)
	case len(parts) == 2:
		res, ok := s.res[path[1:]]
		switch {
		case r.Method == http.MethodDelete && parts[1] == s.keep:
			w.WriteHeader(http.StatusInternalServerError)
		case r.Method == http.MethodDelete && ok:
			delete(s.res, path[1:])
			w.WriteHeader(http.StatusNoContent)
		case r.Method == http.MethodDelete && s.deleteGone != 0:
			w.WriteHeader(s.deleteGone)
			_, _ = w.Write([]byte(`{"detail":"internal error"}`))
		case !ok:
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"detail":"not found"}`))
		default:
			_ = json.NewEncoder(w).Encode(res)
		}
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func newTestSession(t *testing.T, h http.Handler) *Session {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	s, err := NewSession(Config{URL: srv.URL + "/scim", Token: "t0ken-for-tests", Prefix: "ci-"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSession_Names(t *testing.T) {
	s, err := NewSession(Config{URL: "https://app.example/scim/v2/"})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[0-9a-f]{8}$`).MatchString(s.RunID()) {
		t.Errorf("RunID() = %q, want 8 hex digits", s.RunID())
	}
	if got, want := s.Name("alice"), DefaultPrefix+s.RunID()+"-alice"; got != want {
		t.Errorf("Name() = %q, want %q", got, want)
	}
	if a, b := s.Tag(), s.Tag(); a != DefaultPrefix+s.RunID()+"-1-" || b != DefaultPrefix+s.RunID()+"-2-" {
		t.Errorf("Tag() = %q then %q", a, b)
	}
	if s.BaseURL() != "https://app.example/scim/v2" {
		t.Errorf("BaseURL() = %q", s.BaseURL())
	}
	for _, c := range []Config{{}, {URL: "/scim"}, {URL: "https://a.example/scim?aadOptscim062020"}, {URL: "https://a.example", Prefix: "a b"}} {
		if _, err := NewSession(c); err == nil {
			t.Errorf("NewSession(%+v) succeeded", c)
		}
	}
}

// Cleanup deletes groups before users, newest first, one request per id, and forgets what is gone.
func TestLedger_CleanupOrder(t *testing.T) {
	st := newStore()
	s := newTestSession(t, st)
	l := s.NewLedger()
	ctx := context.Background()
	for _, c := range []struct{ resource, name string }{{"Users", "u1"}, {"Groups", "g1"}, {"Users", "u2"}, {"Groups", "g2"}} {
		if _, id, err := l.Create(ctx, entra.CreateRequest(c.resource, map[string]any{NameAttr(c.resource): c.name})); err != nil || id == "" {
			t.Fatalf("Create(%s %s) = %q, %v", c.resource, c.name, id, err)
		}
	}
	l.Add("Users", "u2", "u-3") // the same id again: deleted once
	st.log = nil
	if err := l.Cleanup(ctx); err != nil {
		t.Fatal(err)
	}
	want := []string{"DELETE /Groups/g-4", "DELETE /Groups/g-2", "DELETE /Users/u-3", "DELETE /Users/u-1"}
	if diff := cmp.Diff(want, st.log); diff != "" {
		t.Errorf("cleanup requests (-want +got):\n%s", diff)
	}
	if st.count() != 0 || l.Len() != 0 {
		t.Errorf("after Cleanup the store holds %d, the ledger %d", st.count(), l.Len())
	}
	st.log = nil
	if err := l.Cleanup(ctx); err != nil || len(st.log) != 0 {
		t.Errorf("second Cleanup: %v, sent %v; want nothing", err, st.log)
	}
}

// A resource without an id is looked up by its exact name: another user whose name differs only in
// case is never deleted.
func TestLedger_LookupExactName(t *testing.T) {
	st := newStore()
	s := newTestSession(t, st)
	l := s.NewLedger()
	mine := st.put("Users", "ci-run-Alice@example.com")
	theirs := st.put("Users", "ci-run-alice@example.com")
	l.Add("Users", "ci-run-Alice@example.com", "")
	if err := l.Cleanup(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(st.log, "DELETE /Users/"+mine) || slices.Contains(st.log, "DELETE /Users/"+theirs) {
		t.Errorf("requests %v; want only %s deleted", st.log, mine)
	}
	// A store that lower-cases names still finds the one resource.
	st2 := newStore()
	l2 := newTestSession(t, st2).NewLedger()
	lower := st2.put("Users", "ci-run-bob@example.com")
	l2.Add("Users", "ci-run-Bob@example.com", "")
	if err := l2.Cleanup(context.Background()); err != nil || st2.count() != 0 {
		t.Errorf("Cleanup = %v, store holds %d (%s); want the lower-cased user found and deleted", err, st2.count(), lower)
	}
}

// A DELETE answered 500 is checked with a GET: 404 means gone, anything else is left behind.
func TestLedger_CleanupConfirmsWithGET(t *testing.T) {
	st := newStore()
	st.deleteGone = http.StatusInternalServerError
	s := newTestSession(t, st)
	l := s.NewLedger()
	id := st.put("Users", "gone-already")
	l.Add("Users", "gone-already", id)
	st.mu.Lock()
	delete(st.res, "Users/"+id) // deleted behind the ledger's back; the endpoint answers 500 to a second DELETE
	st.mu.Unlock()
	if err := l.Cleanup(context.Background()); err != nil {
		t.Errorf("Cleanup() = %v; want the 500 on an id already gone (GET 404) not to count as left behind", err)
	}
	kept := st.put("Users", "kept")
	st.keep = kept
	l.Add("Users", "kept", kept)
	err := l.Cleanup(context.Background())
	if err == nil || !strings.Contains(err.Error(), `cleanup: Users "kept" (id `+kept+`) left behind: DELETE answered 500, and GET still answers 200`) {
		t.Errorf("Cleanup() = %v; want it to name the user left behind", err)
	}
	if l.Len() != 1 {
		t.Errorf("ledger holds %d, want the user left behind kept for a retry", l.Len())
	}
}

// Cleanup runs on a context of its own: a cancelled run still deletes what it created.
func TestLedger_CleanupAfterCancel(t *testing.T) {
	st := newStore()
	l := newTestSession(t, st).NewLedger()
	l.Add("Users", "u", st.put("Users", "u"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Cleanup(ctx); err != nil || st.count() != 0 {
		t.Errorf("Cleanup(cancelled) = %v, store holds %d; want everything deleted", err, st.count())
	}
}

// A create is entered before it is sent: when its answer is lost, Cleanup finds it by name; a 4xx
// created nothing.
func TestLedger_CreateTracksFirst(t *testing.T) {
	st := newStore()
	// The handler runs on one goroutine per connection and the lost answer
	// makes the client open a new one, so the flag is shared between them.
	var lose atomic.Bool
	lose.Store(true)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && lose.CompareAndSwap(true, false) {
			st.ServeHTTP(httptest.NewRecorder(), r)
			panic(http.ErrAbortHandler) // the client gets no answer
		}
		if r.Method == http.MethodPost && strings.Contains(r.URL.Path, "Groups") {
			w.WriteHeader(http.StatusConflict)
			return
		}
		st.ServeHTTP(w, r)
	})
	s := newTestSession(t, h)
	l := s.NewLedger()
	ctx := context.Background()
	if _, _, err := l.Create(ctx, entra.CreateRequest("Users", map[string]any{"userName": "lost"})); err == nil {
		t.Fatal("Create with a lost answer returned no error")
	}
	r, id, err := l.Create(ctx, entra.CreateRequest("Groups", map[string]any{"displayName": "refused"}))
	if err != nil || r.Status != http.StatusConflict || id != "" {
		t.Fatalf("Create(refused) = %v, %q, %v", r, id, err)
	}
	if l.Len() != 1 {
		t.Errorf("ledger holds %d, want the lost create only", l.Len())
	}
	if err := l.Cleanup(ctx); err != nil || st.count() != 0 {
		t.Errorf("Cleanup = %v, store holds %d; want the lost create found by name and deleted", err, st.count())
	}
	for _, ex := range s.Since(0) {
		if strings.Contains(ex.RequestBody, "t0ken-for-tests") || ex.Authorization != wire.BearerRedacted {
			t.Errorf("exchange %+v shows the token", ex)
		}
		if u, _ := url.Parse(ex.URL); ex.Method != http.MethodPost && ex.By != wire.ByScimsim {
			t.Errorf("%s %s is not marked as scimsim's own request", ex.Method, u.Path)
		}
	}
}
