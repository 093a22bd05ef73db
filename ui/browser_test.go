package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/scimsim/scimsim/internal/golden"
)

// skipBrowser is the variable that skips the browser tests; without it a missing Chromium fails
// them, so that `make test` never passes without having driven a real browser by accident.
const skipBrowser = "SCIMSIM_SKIP_BROWSER"

// browser starts headless Chromium (Debian's chromium package) on a fresh profile, with the
// network features a closed machine refuses turned off, and returns a tab's context.
func browser(t *testing.T) context.Context {
	t.Helper()
	if v := os.Getenv(skipBrowser); v != "" && v != "0" {
		t.Skipf("%s=%s: the browser tests of the page are skipped", skipBrowser, v)
	}
	exe := os.Getenv("CHROMIUM")
	if exe == "" {
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if p, err := exec.LookPath(name); err == nil {
				exe = p
				break
			}
		}
	}
	if exe == "" {
		t.Fatalf("no Chromium to drive: install Debian's chromium (`apt-get install -y chromium`; `make test` does it) or set %s=1 to skip the browser tests", skipBrowser)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 960),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("hide-scrollbars", true),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(cancelTab)
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start %s: %v", exe, err)
	}
	return ctx
}

// do runs steps, each group of them within 20 seconds, and on failure shows what the page holds.
func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, steps...); err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		main, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
		t.Fatalf("%s: %v\nat %s:\n%s", what, err, loc, main)
	}
}

// search types q into the search box of the page at root and waits for the results of q.
func search(t *testing.T, ctx context.Context, root, q string) {
	t.Helper()
	do(t, ctx, "search "+q,
		chromedp.Navigate(root+"/"),
		chromedp.WaitVisible(chromedp.ID("q")),
		chromedp.SendKeys(chromedp.ID("q"), q),
		chromedp.Poll[chromedp.Void](`document.querySelector("#results legend q")?.textContent === `+strconv.Quote(q)),
	)
}

func text(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		t.Fatalf("text of %s: %v", css, err)
	}
	// innerText breaks lines between the flex items of a heading: read it as one line.
	return strings.Join(strings.Fields(s), " ")
}

func wantText(t *testing.T, ctx context.Context, css string, wants ...string) {
	t.Helper()
	got := text(t, ctx, css)
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s does not show %q; it shows:\n%s", css, w, got)
		}
	}
}

// shot writes a screenshot of the viewport to docs/img/NAME.png with -update, scrolled to the
// element css names ("" for the top of the page).
func shot(t *testing.T, ctx context.Context, name, css string) {
	t.Helper()
	if !golden.Update() {
		return
	}
	scroll := `window.scrollTo(0, 0)`
	if css != "" {
		scroll = `window.scrollTo(0, document.querySelector(` + strconv.Quote(css) + `).getBoundingClientRect().top + window.scrollY - 16)`
	}
	// After the arrival highlight of a new journal entry has faded.
	do(t, ctx, "scroll", chromedp.Evaluate[chromedp.Void](scroll), chromedp.Sleep(1300*time.Millisecond))
	b, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join("..", "docs", "img", name+".png"), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func colorScheme(t *testing.T, ctx context.Context, scheme string) {
	t.Helper()
	_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
	})
	if err != nil {
		t.Fatalf("prefers-color-scheme %s: %v", scheme, err)
	}
}

// TestBrowser drives the page in headless Chromium as a solutions engineer would in a demo: search
// "alice" and provision her with the keyboard; add a duplicate_match fault on /target and see step 4
// fail with DuplicateTargetEntries and its tip; see the hit in /requests, and a new request arrive
// live; run a scenario from /scenarios. With -update it writes one screenshot per page to docs/img.
func TestBrowser(t *testing.T) {
	ctx := browser(t)
	p := startPage(t, nil)
	colorScheme(t, ctx, "light")

	// Search as you type, then Provision with the keyboard only: Tab past Search to the first
	// result, Space picks it, Tab to Provision, Enter.
	search(t, ctx, p.URL, "alice")
	do(t, ctx, "see alice", chromedp.WaitVisible(chromedp.CSS(`input[value="user:alice@contoso.com"]`)))
	wantText(t, ctx, "#results", "Alice Smith", "alice@contoso.com")
	shot(t, ctx, "search", "")
	do(t, ctx, "provision with the keyboard",
		chromedp.Focus(chromedp.ID("q")),
		chromedp.KeyEvent(kb.Tab+kb.Tab+" "+kb.Tab+kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`ol.steps`)),
	)
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasSuffix(loc, "/provision?user=alice%40contoso.com") {
		t.Errorf("Provision went to %s, want the page's own URL /provision?user=alice%%40contoso.com", loc)
	}
	wantText(t, ctx, "ol.steps", "Import user", "Determine if user is in scope", "Match user between source and target", "Perform action")
	wantText(t, ctx, "section.result", "Success", "create")
	if s := text(t, ctx, "ol.steps"); strings.Contains(s, "Test connection") {
		t.Errorf("step 1 is shown although it succeeded:\n%s", s)
	}
	// Show requests opens every step's exchanges, with the curl commands, without a reload.
	do(t, ctx, "show requests", chromedp.Click(chromedp.CSS(`[data-toggle-requests]`)),
		chromedp.WaitVisible(chromedp.CSS(`details.requests[open] .curl`)))
	wantText(t, ctx, "ol.steps", `Authorization: Bearer $TOKEN`, "Sent by scimsim to check the result, not by Entra")
	do(t, ctx, "hide requests", chromedp.Click(chromedp.CSS(`[data-toggle-requests]`)))
	do(t, ctx, "open step 5's details", chromedp.Click(chromedp.CSS(`li.t-export details.view > summary`)))
	shot(t, ctx, "provision", "")
	colorScheme(t, ctx, "dark")
	shot(t, ctx, "provision-dark", "")
	colorScheme(t, ctx, "light")

	// A duplicate_match fault from its generated form.
	do(t, ctx, "add a duplicate_match fault",
		chromedp.Navigate(p.URL+"/target"),
		chromedp.Click(chromedp.CSS(`#type-duplicate_match > summary`)),
		chromedp.WaitVisible(chromedp.CSS(`#type-duplicate_match select[name="match.resource"]`)),
		chromedp.SetValue(chromedp.CSS(`#type-duplicate_match select[name="match.resource"]`), "Users"),
		chromedp.SendKeys(chromedp.CSS(`#type-duplicate_match input[name="match.filterAttribute"]`), "userName"),
		chromedp.Click(chromedp.CSS(`#type-duplicate_match button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`p.notice`)),
	)
	wantText(t, ctx, "p.notice", "Fault duplicate_match-1 added")
	wantText(t, ctx, "#faults table", "duplicate_match-1", "resource=Users filterAttribute=userName")
	wantText(t, ctx, "main", "alice@contoso.com")
	shot(t, ctx, "target", "")

	// Provision again: step 4 fails with Entra's code and the document's tip.
	search(t, ctx, p.URL, "Alice")
	do(t, ctx, "provision again",
		chromedp.Click(chromedp.CSS(`input[value="user:alice@contoso.com"]`)),
		chromedp.Click(chromedp.CSS(`button[data-provision]`)),
		chromedp.WaitVisible(chromedp.CSS(`li.step.s-failure`)),
	)
	wantText(t, ctx, "li.step.s-failure", "4. Match user between source and target", "DuplicateTargetEntries",
		"Resolve this problem by ensuring that the matching attribute is unique.")
	wantText(t, ctx, "section.result", "Failure", "DuplicateTargetEntries")
	shot(t, ctx, "provision-failure", "li.step.s-failure")

	// The journal shows the hit; a request sent now arrives without a reload.
	do(t, ctx, "open the journal",
		chromedp.Navigate(p.URL+"/requests"),
		chromedp.WaitVisible(chromedp.CSS(`li.entry.hit`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-live]`)),
	)
	wantText(t, ctx, "li.entry.hit", "fault duplicate_match-1", "/scim/v2/Users")
	req, _ := http.NewRequest(http.MethodGet, p.URL+"/scim/v2/Users?filter="+url.QueryEscape(`userName eq "live@contoso.com"`), nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	do(t, ctx, "see the new request arrive", chromedp.WaitVisible(chromedp.CSS(`li.entry.new`)))
	wantText(t, ctx, "ol.journal > li:first-child", `userName eq "live@contoso.com"`)
	do(t, ctx, "expand the hit", chromedp.Click(chromedp.CSS(`li.entry.hit > details > summary`)))
	shot(t, ctx, "requests", "")

	// Run one scenario from the catalog, read its report, then the table.
	do(t, ctx, "run a scenario",
		chromedp.Navigate(p.URL+"/scenarios?label=matching"),
		chromedp.Click(chromedp.CSS(`button[aria-label="Run match-duplicate-target-entries"]`)),
		chromedp.WaitVisible(chromedp.CSS(`ol.steps`)),
	)
	wantText(t, ctx, "main", "as documented", "DuplicateTargetEntries")
	shot(t, ctx, "scenario", "")
	do(t, ctx, "run the matching scenarios",
		chromedp.Navigate(p.URL+"/scenarios?label=matching"),
		// The run answers with a redirect back to the table: wait for that page's load.
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(`form[data-run-all] button`)))(ctx, tg)
			return err
		}),
		chromedp.WaitVisible(chromedp.ID("summary")),
	)
	wantText(t, ctx, "#summary", "passed, 0 failed")
	wantText(t, ctx, "table.scenarios", "match-duplicate-target-entries", "ok")
	shot(t, ctx, "scenarios", "")

	// A group picked in the results loads its members in place; one of them is provisioned with it.
	search(t, ctx, p.URL, "Sal")
	do(t, ctx, "pick a group and a member",
		chromedp.Click(chromedp.CSS(`input[value="group:Sales"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-member-slot] input[name=member][value="carol@contoso.com"]`)),
		chromedp.Click(chromedp.CSS(`[data-member-slot] input[name=member][value="carol@contoso.com"]`)),
		chromedp.Click(chromedp.CSS(`button[data-provision]`)),
		chromedp.WaitVisible(chromedp.CSS(`section.result`)),
	)
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasSuffix(loc, "/provision?group=Sales&member=carol%40contoso.com") {
		t.Errorf("the group run went to %s", loc)
	}
	wantText(t, ctx, "main", "Member carol@contoso.com", "Group Sales")
}

// TestBrowserWithoutScript provisions with script execution off: the search box is a form GET
// that renders the results on the server, and Provision a plain form GET.
func TestBrowserWithoutScript(t *testing.T) {
	ctx := browser(t)
	p := startPage(t, nil)
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, "search without script",
		chromedp.Navigate(p.URL+"/"),
		chromedp.SendKeys(chromedp.ID("q"), "carol"+kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`input[value="user:carol@contoso.com"]`)),
		chromedp.Click(chromedp.CSS(`input[value="user:carol@contoso.com"]`)),
		chromedp.Click(chromedp.CSS(`button[data-provision]`)),
		chromedp.WaitVisible(chromedp.CSS(`ol.steps`)),
	)
	wantText(t, ctx, "section.result", "carol@contoso.com", "Success", "create")
	do(t, ctx, "pick a group's members without script",
		chromedp.Navigate(p.URL+"/?q=Sales"),
		chromedp.Click(chromedp.CSS(`a.choose`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name=member][value="alice@contoso.com"]`)),
		chromedp.Click(chromedp.CSS(`input[name=member][value="alice@contoso.com"]`)),
		chromedp.Click(chromedp.CSS(`button[data-provision]`)),
		chromedp.WaitVisible(chromedp.CSS(`section.result`)),
	)
	wantText(t, ctx, "main", "Member alice@contoso.com", "Group Sales")
}
