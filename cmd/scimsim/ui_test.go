package main

import (
	"context"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// With no flags, from a directory without the repository: the embedded example source, Entra's
// default job and the demo tenant; curl and the page act on the same tenant; the catalog's absence
// is the sentence `scimsim scenarios` prints.
func TestUI_NoFlags(t *testing.T) {
	t.Chdir(t.TempDir())
	root := startUI(t)
	if code, body := getPage(t, root+"/provision?user=alice@contoso.com"); code != http.StatusOK || !strings.Contains(body, "Action</dt><dd>create</dd>") {
		t.Fatalf("provision alice: %d\n%s", code, body)
	}
	req, _ := http.NewRequest(http.MethodGet, root+"/scim/v2/Users?filter=userName%20eq%20%22alice@contoso.com%22", nil)
	req.Header.Set("Authorization", "Bearer "+demoToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"totalResults":1`) {
		t.Errorf("curl on the same address does not find the user the page created: %s", b)
	}
	// The catalog is the one the binary carries: /scenarios lists it from any directory.
	if code, body := getPage(t, root+"/scenarios"); code != http.StatusOK || !strings.Contains(body, "action-create") {
		t.Errorf("/scenarios from a directory without a catalog: %d, want the built-in catalog listed\n%s", code, body)
	}
}

// An invalid config shows, on the page, the sentence `scimsim provision` prints for it. The file
// is read at every run, so the page sees the edit without a restart.
func TestUI_InvalidConfigSentence(t *testing.T) {
	good, err := os.ReadFile(provisionConfig)
	if err != nil {
		t.Fatal(err)
	}
	cfg := writeTemp(t, "job.yaml", string(good))
	root := startUI(t, "--config", cfg, "--source", provisionSource)
	if err := os.WriteFile(cfg, []byte("job:\n  scope: everyone\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCmd(t, "provision", "--source", provisionSource, "--config", cfg, "--user", "alice@contoso.com", "--target", root+"/scim/v2")
	sentence := strings.TrimSpace(strings.TrimPrefix(stderr, "scimsim: "))
	if code != 2 || !strings.Contains(sentence, "job.yaml:2") {
		t.Fatalf("scimsim provision with the broken config: exit %d, %q", code, stderr)
	}
	status, body := getPage(t, root+"/provision?user=alice@contoso.com")
	if status != http.StatusInternalServerError || !strings.Contains(html.UnescapeString(body), sentence) {
		t.Errorf("the page answers %d without the CLI's sentence %q:\n%s", status, sentence, body)
	}
	if strings.Contains(body, "goroutine ") {
		t.Errorf("a stack trace on the page:\n%s", body)
	}
}

var guid = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// An unreachable target: step 1 fails on the page with the reason the CLI prints.
func TestUI_UnreachableTargetSentence(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	target := closed.URL + "/scim/v2"
	closed.Close()
	root := startUI(t, "--target", target, "--token", "secret")
	_, stdout, _ := runCmd(t, "provision", "--source", provisionSource, "--user", "alice@contoso.com", "--target", target, "--token", "secret")
	m := regexp.MustCompile(`ConnectionFailed: (.+)`).FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("the CLI does not report ConnectionFailed:\n%s", stdout)
	}
	status, body := getPage(t, root+"/provision?user=alice@contoso.com")
	want := guid.ReplaceAllString(m[1], "GUID")
	if status != http.StatusOK || !strings.Contains(guid.ReplaceAllString(html.UnescapeString(body), "GUID"), want) || !strings.Contains(body, "1.</span> Test connection") {
		t.Errorf("the page answers %d without step 1's reason %q:\n%s", status, want, body)
	}
	// The target page says it cannot read the endpoint, in words.
	if status, body := getPage(t, root+"/target"); status != http.StatusOK || !strings.Contains(body, "read the target&#39;s users") {
		t.Errorf("/target on an unreachable endpoint: %d\n%s", status, body)
	}
}

func TestUI_RefusesBadFlags(t *testing.T) {
	bad := writeTemp(t, "bad.yaml", "job:\n  scope: everyone\n")
	for _, tt := range []struct {
		args   []string
		phrase string
	}{
		{[]string{"--addr", "0.0.0.0:0"}, "is not a loopback address: set --admin-token"},
		{[]string{"--addr", "127.0.0.1:0", "--config", bad}, "bad.yaml:2"},
		{[]string{"--addr", "127.0.0.1:0", "--source", filepath.Join(t.TempDir(), "none.yaml")}, "none.yaml"},
		{[]string{"--addr", "127.0.0.1:0", "--ca-cert", "x.pem", "--insecure"}, "--ca-cert and --insecure cannot be used together"},
		{[]string{"--addr", "127.0.0.1:0", "--target", ""}, "--target needs a SCIM base URL"},
	} {
		err := run(context.Background(), append([]string{"ui"}, tt.args...), io.Discard, io.Discard)
		if !isUsageError(err) || !strings.Contains(err.Error(), tt.phrase) {
			t.Errorf("scimsim ui %q = %v, want exit 2 saying %q", tt.args, err, tt.phrase)
		}
	}
}

// Off loopback the page asks for the admin token, as the admin API does.
func TestUI_AdminToken(t *testing.T) {
	root := startUI(t, "--admin-token", "adm1n-t0ken")
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(root + "/target")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
		t.Errorf("/target without the token: %d %s, want a redirect to /login", resp.StatusCode, resp.Header.Get("Location"))
	}
	req, _ := http.NewRequest(http.MethodGet, root+"/target", nil)
	req.Header.Set("Authorization", "Bearer adm1n-t0ken")
	resp, err = hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/target with the token: %d", resp.StatusCode)
	}
	if resp, err := hc.Get(root + "/admin/faults"); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the admin API without its token: %v %v, want 401", resp.StatusCode, err)
	}
}

func TestReachable(t *testing.T) {
	for in, want := range map[string]string{"0.0.0.0:8090": "127.0.0.1:8090", "[::]:8090": "127.0.0.1:8090", "127.0.0.1:8090": "127.0.0.1:8090", "[::1]:8090": "[::1]:8090", "10.1.2.3:80": "10.1.2.3:80"} {
		addr, err := net.ResolveTCPAddr("tcp", in)
		if err != nil {
			t.Fatal(err)
		}
		if got := reachable(addr); got != want {
			t.Errorf("reachable(%s) = %s, want %s", in, got, want)
		}
	}
}
