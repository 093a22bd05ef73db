package ui_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/harness"
	"github.com/scimsim/scimsim/simulator"
	"github.com/scimsim/scimsim/simulator/faults"
	"github.com/scimsim/scimsim/ui"
)

func mustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s does not contain %q\n%s", what, w, excerpt(body))
		}
	}
}

var userLink = regexp.MustCompile(`href="(/target/Users/[^"]+)"`)

// A stored user opens as its JSON; the store is read without spending a fault's count.
func TestTargetResource(t *testing.T) {
	p := startPage(t, nil)
	p.do(t, http.MethodGet, "/provision?user=bob@contoso.com", nil, nil)
	if _, err := p.Sim.Tenant("").Faults().Add(faultOnce()); err != nil {
		t.Fatal(err)
	}
	_, _, body := p.do(t, http.MethodGet, "/target", nil, nil)
	m := userLink.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("/target links no user:\n%s", excerpt(body))
	}
	link := strings.ReplaceAll(m[1], "&amp;", "&")
	status, _, js := p.do(t, http.MethodGet, link, nil, nil)
	if status != http.StatusOK {
		t.Fatalf("%s = %d\n%s", link, status, excerpt(js))
	}
	mustContain(t, link, js, `&#34;userName&#34;: &#34;bob@contoso.com&#34;`, `&#34;meta&#34;`)
	// Without the list's position the page finds it by scanning.
	status, _, _ = p.do(t, http.MethodGet, strings.Split(link, "?")[0], nil, nil)
	if status != http.StatusOK {
		t.Errorf("%s without ?at= = %d", link, status)
	}
	if hits, _ := p.Sim.Tenant("").Faults().Hits("once"); hits != 0 {
		t.Errorf("looking at the target spent %d hits of a fault", hits)
	}
	for path, want := range map[string]int{"/target/Users/nobody": 404, "/target/Widgets/x": 404, "/target/Groups/none?at=0": 404} {
		if status, _, body := p.do(t, http.MethodGet, path, nil, nil); status != want {
			t.Errorf("%s = %d, want %d\n%s", path, status, want, excerpt(body))
		}
	}
}

func faultOnce() faults.Spec { return faults.Spec{Name: "once", Type: "server_error", Count: 1} }

// Provisioning into an external SCIM endpoint: the page reads its users by SCIM, leaves its faults
// alone, and says the journal is the simulator's.
func TestExternalTarget(t *testing.T) {
	ext := simulator.NewTestServer(t, simulator.WithToken(testToken))
	p := startPage(t, func(o *ui.Options) { o.TargetURL = ext.SCIMURL("app") })
	_, _, body := p.do(t, http.MethodGet, "/provision?user=alice@contoso.com", nil, nil)
	mustContain(t, "the run", body, "Action</dt><dd>create</dd>", ext.SCIMURL("app"))
	if n := ext.Tenant("app").Users(); n != 1 {
		t.Errorf("the external tenant holds %d users, want 1", n)
	}
	if n := p.Sim.Tenant("").Users(); n != 0 {
		t.Errorf("the demo tenant holds %d users, want none: the run went to --target", n)
	}
	_, _, body = p.do(t, http.MethodGet, "/target", nil, nil)
	mustContain(t, "/target", body, "The external SCIM endpoint", ">alice@contoso.com</a>", "leaves the rest alone")
	if m := userLink.FindStringSubmatch(body); m == nil {
		t.Error("/target links no user")
	} else if status, _, js := p.do(t, http.MethodGet, strings.ReplaceAll(m[1], "&amp;", "&"), nil, nil); status != http.StatusOK || !strings.Contains(js, "alice@contoso.com") {
		t.Errorf("%s = %d", m[1], status)
	}
	status, _, body := p.do(t, http.MethodPost, "/target/faults", url.Values{"type": {"duplicate_match"}}, nil)
	if status != http.StatusConflict || !strings.Contains(body, "not the page&#39;s to change") {
		t.Errorf("a fault on an external target: %d\n%s", status, excerpt(body))
	}
	_, _, body = p.do(t, http.MethodGet, "/requests", nil, nil)
	mustContain(t, "/requests", body, "The request journal is the simulator's.")
}

// The live journal: a request the target receives arrives as an event carrying its entry's HTML,
// and a reset as "reset".
func TestRequestEvents(t *testing.T) {
	p := startPage(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.URL+"/requests/events?after=0", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	events := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		var ev strings.Builder
		for sc.Scan() {
			if sc.Text() == "" {
				events <- ev.String()
				ev.Reset()
				continue
			}
			ev.WriteString(sc.Text() + "\n")
		}
		close(events)
	}()
	next := func(want string) string {
		t.Helper()
		for {
			select {
			case ev, ok := <-events:
				if !ok {
					t.Fatalf("the stream ended before %q", want)
				}
				if strings.Contains(ev, want) {
					return ev
				}
			case <-ctx.Done():
				t.Fatalf("no event %q", want)
			}
		}
	}
	p.do(t, http.MethodGet, "/provision?user=carol@contoso.com", nil, nil)
	ev := next("event: entry")
	mustContain(t, "the first event", ev, "id: 1\n", `data: <li class="entry`, "/scim/v2/Users")
	p.do(t, http.MethodPost, "/target/reset", url.Values{}, nil)
	next("event: reset")
}

// With an admin token the page asks for it, keeps it in a cookie, and sends the user back.
func TestSignIn(t *testing.T) {
	p := startPage(t, func(o *ui.Options) { o.AdminToken = "adm1n-t0ken" })
	status, loc, _ := p.do(t, http.MethodGet, "/target?x=1", nil, nil)
	if status != http.StatusSeeOther || loc != "/login?next=%2Ftarget%3Fx%3D1" {
		t.Fatalf("/target signed out: %d %q", status, loc)
	}
	if status, _, _ := p.do(t, http.MethodPost, "/target/reset", url.Values{}, nil); status != http.StatusUnauthorized {
		t.Errorf("a form signed out: %d, want 401", status)
	}
	status, _, body := p.do(t, http.MethodPost, "/login", url.Values{"token": {"guess"}, "next": {"/target"}}, nil)
	if status != http.StatusUnauthorized || !strings.Contains(body, "That is not the admin token") {
		t.Errorf("a wrong token: %d", status)
	}
	req, _ := http.NewRequest(http.MethodPost, p.URL+"/login", strings.NewReader(url.Values{"token": {"adm1n-t0ken"}, "next": {"//elsewhere.example/"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := p.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Errorf("sign in with next=//elsewhere: %d %q, want a redirect to / only", resp.StatusCode, resp.Header.Get("Location"))
	}
	var cookie string
	for _, c := range resp.Cookies() {
		if c.Name == "scimsim_admin" && c.HttpOnly && c.SameSite == http.SameSiteStrictMode {
			cookie = c.Name + "=" + c.Value
		}
	}
	if cookie == "" {
		t.Fatal("no HttpOnly, SameSite=Strict cookie after signing in")
	}
	if status, _, _ := p.do(t, http.MethodGet, "/target", nil, map[string]string{"Cookie": cookie}); status != http.StatusOK {
		t.Errorf("/target signed in: %d", status)
	}
}

// A group and one picked member: the member's report comes first, then the group's.
func TestGroupRun(t *testing.T) {
	p := startPage(t, nil)
	status, _, body := p.do(t, http.MethodGet, "/provision?group=Sales&member=alice@contoso.com", nil, nil)
	if status != http.StatusOK {
		t.Fatalf("%d\n%s", status, excerpt(body))
	}
	mustContain(t, "the group run", body, "Member alice@contoso.com", "Group Sales", "4.</span> Match group between source and target")
	if strings.Index(body, "Member alice@contoso.com") > strings.Index(body, "Group Sales") {
		t.Error("the member's report is not before the group's")
	}
}

// A Cloud HR source is searched by worker id only, as the portal documents.
func TestCloudHRSearch(t *testing.T) {
	src, err := engine.LoadSource("../testdata/sources/workday.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p := startPage(t, func(o *ui.Options) { o.Source = func() (*engine.Source, error) { return src, nil } })
	_, _, body := p.do(t, http.MethodGet, "/search?q=2100", nil, nil)
	mustContain(t, "a worker id prefix", body, `value="user:21001"`, `value="user:21002"`, "Wanda Maximoff")
	_, _, body = p.do(t, http.MethodGet, "/search?q=Wanda", nil, nil)
	mustContain(t, "a name", body, "No results")
	_, _, body = p.do(t, http.MethodGet, "/?q=21", nil, nil)
	mustContain(t, "the hint", body, "for this workday source: the worker id")
}

// A source that does not load shows its sentence wherever the page needs it.
func TestSourceError(t *testing.T) {
	p := startPage(t, func(o *ui.Options) {
		o.Source = func() (*engine.Source, error) { return nil, errors.New("tenant.yaml:3: users[0].objectId: missing") }
	})
	for _, path := range []string{"/?q=a", "/search?q=a", "/provision?user=a"} {
		_, _, body := p.do(t, http.MethodGet, path, nil, nil)
		mustContain(t, path, body, "tenant.yaml:3: users[0].objectId: missing")
	}
}

// Run all from /scenarios: every scenario of the catalog meets its expectation on the page, as it
// does under `scimsim scenarios run`, the wrong-tenant-URL one included (the page's address
// answers a path that is not the page's as the simulator does).
func TestScenariosRunAll(t *testing.T) {
	cases, err := harness.LoadDir("../scenarios")
	if err != nil {
		t.Fatal(err)
	}
	pending := 0
	for _, c := range cases {
		if c.Scenario.Pending != "" {
			pending++
		}
	}
	p := startPage(t, nil)
	if status, _, body := p.do(t, http.MethodPost, "/scenarios/run", url.Values{}, nil); status != http.StatusSeeOther {
		t.Fatalf("run all: %d\n%s", status, excerpt(body))
	}
	_, _, body := p.do(t, http.MethodGet, "/scenarios", nil, nil)
	want := fmt.Sprintf("%d passed, 0 failed", len(cases)-pending)
	if pending > 0 {
		want += fmt.Sprintf(", %d pending", pending)
	}
	mustContain(t, "/scenarios after Run all", body, want)
	_, _, body = p.do(t, http.MethodGet, "/scenarios/connection-wrong-tenant-url", nil, nil)
	if strings.Contains(body, "&lt;html") {
		t.Error("the wrong tenant URL was answered by the page's HTML, not by the simulator")
	}
}
