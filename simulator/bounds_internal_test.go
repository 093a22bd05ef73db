package simulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/scimsim/scimsim/simulator/filter"
	"github.com/scimsim/scimsim/wire"
)

// seededTenant returns a tenant holding n users, user0..user(n-1).
func seededTenant(t testing.TB, n int) *Tenant {
	t.Helper()
	s, err := New()
	if err != nil {
		t.Fatal(err)
	}
	users := make([]map[string]any, n)
	for i := range users {
		users[i] = map[string]any{"userName": fmt.Sprintf("user%d", i), "title": "Engineer"}
	}
	ten := s.Tenant("")
	if _, _, err := ten.Seed(users, nil); err != nil {
		t.Fatal(err)
	}
	return ten
}

// TestMatches_StopsWhenTheClientLeaves: a scan whose request context is done stops within
// checkEvery resources instead of reading the whole store.
func TestMatches_StopsWhenTheClientLeaves(t *testing.T) {
	ten := seededTenant(t, 2000)
	e, err := filter.Parse(`title eq "Engineer"`)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	visited := 0
	err = matches(ctx, ten.store.read(), userKind, e, func(*record, map[string]any) error { visited++; return nil })
	if !errors.Is(err, errClientGone) {
		t.Fatalf("matches with a done context = %v, want errClientGone", err)
	}
	if visited >= checkEvery {
		t.Fatalf("visited %d resources after the client left, want fewer than %d", visited, checkEvery)
	}
	visited = 0
	if err := matches(context.Background(), ten.store.read(), userKind, e, func(*record, map[string]any) error { visited++; return nil }); err != nil || visited != 2000 {
		t.Fatalf("matches = %v after %d visits, want nil after 2000", err, visited)
	}
}

// TestPage_KeepsOnlyThePage: totalResults counts every match, the page keeps count of them.
func TestPage_KeepsOnlyThePage(t *testing.T) {
	p := &page{skip: 3, want: 2}
	for i := range 1000 {
		p.offer(hit{rec: &record{ID: fmt.Sprint(i)}})
	}
	if p.total != 1000 || len(p.hits) != 2 || p.hits[0].rec.ID != "3" || p.hits[1].rec.ID != "4" {
		t.Fatalf("page: total %d, hits %v", p.total, p.hits)
	}
	if cap(p.hits) > 4 {
		t.Fatalf("the page grew to %d places for 2 hits", cap(p.hits))
	}
}

func TestNewProjection(t *testing.T) {
	p, err := newProjection(strings.Split(strings.Repeat("emails.value,", 8000)+"userName,USERNAME", ","), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(p.include, ","); got != "emails.value,userName" {
		t.Fatalf("distinct attributes = %q", got)
	}
	var many []string
	for i := range maxProjectedNames + 1 {
		many = append(many, fmt.Sprintf("a%d", i))
	}
	if _, err := newProjection(nil, many); err == nil || !strings.Contains(err.Error(), "excludedAttributes names more than 200 distinct attributes") {
		t.Fatalf("newProjection(%d names) = %v", len(many), err)
	}
	if p, err := newProjection(nil, nil); p != nil || err != nil {
		t.Fatalf("no names: %v, %v", p, err)
	}
}

// TestUpdate_PreparesOutsideTheBatch: while one request prepares its change (decodes, patches,
// validates, encodes), other writes to the same tenant commit: nothing waits for it.
func TestUpdate_PreparesOutsideTheBatch(t *testing.T) {
	ten := seededTenant(t, 1)
	id := ""
	it, _ := ten.store.read().Get(userKind.endpoint, "id_prefix", "")
	id = it.Next().(*record).ID
	h := resources{t: ten, k: userKind}
	preparing, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := h.update(httptest.NewRequest("PATCH", "/", nil), id, func(old *record) (*record, error) {
			close(preparing)
			<-release
			return old, nil
		})
		done <- err
	}()
	<-preparing
	for i := range 10 {
		attrs := map[string]any{"userName": fmt.Sprintf("other%d", i), "schemas": []any{wire.UserSchema}}
		if _, err := h.create(&reqState{}, attrs); err != nil {
			t.Fatalf("create while another request prepares: %v", err)
		}
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("update: %v", err)
	}
	if got := ten.Users(); got != 11 {
		t.Fatalf("users = %d, want 11", got)
	}
}

// TestApplyPatch_ManyMembers: adding and removing many members is one pass (valueSet,
// removeValuesRun) and gives what one operation at a time gives.
func TestApplyPatch_ManyMembers(t *testing.T) {
	members := func(ids ...int) []any {
		out := []any{}
		for _, i := range ids {
			out = append(out, map[string]any{"value": fmt.Sprintf("u%d", i)})
		}
		return out
	}
	seq := func(from, to int) []int {
		var out []int
		for i := from; i < to; i++ {
			out = append(out, i)
		}
		return out
	}
	doc := map[string]any{"displayName": "g", "members": members(seq(0, 100)...)}
	add := patchOp{Op: "add", Path: "members", Value: members(seq(50, 1000)...)}
	if err := applyPatch(groupKind, doc, []patchOp{add}, patchRules{}); err != nil {
		t.Fatal(err)
	}
	if got := len(doc["members"].([]any)); got != 1000 {
		t.Fatalf("after add: %d members, want 1000 (no duplicates)", got)
	}
	var rm []patchOp
	for i := 0; i < 1000; i += 2 {
		rm = append(rm, patchOp{Op: "remove", Path: fmt.Sprintf(`members[value eq "U%d"]`, i)})
	}
	rm = append(rm, patchOp{Op: "replace", Path: "displayName", Value: "h"})
	one := cloneMap(doc)
	if err := applyPatch(groupKind, doc, rm, patchRules{}); err != nil {
		t.Fatal(err)
	}
	for _, op := range rm { // the same operations one at a time
		if err := applyOp(groupKind, one, op, patchRules{}); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff(one, doc); diff != "" {
		t.Fatalf("one pass and one operation at a time differ (-one +pass):\n%.2000s", diff)
	}
	if got := len(doc["members"].([]any)); got != 500 || doc["displayName"] != "h" {
		t.Fatalf("after remove: %d members, displayName %v", got, doc["displayName"])
	}
}

// TestDecodeStateLines_AgreesWithJSON: the line reader of encodeState's layout reads what a JSON
// decoder reads, and gives way to it for any other layout.
func TestDecodeStateLines_AgreesWithJSON(t *testing.T) {
	srv, err := New()
	if err != nil {
		t.Fatal(err)
	}
	users := []map[string]any{{"userName": "a"}, {"userName": "b\"\\n}],", "displayName": "x\n]},"}}
	groups := []map[string]any{{"displayName": "g"}}
	for _, name := range []string{"", "acme", "empty"} {
		if name != "empty" {
			if _, _, err := srv.Tenant(name).Seed(users, groups); err != nil {
				t.Fatal(err)
			}
		}
		srv.Tenant(name)
	}
	st, _, err := NewStateFile(srv, "").snapshot()
	if err != nil {
		t.Fatal(err)
	}
	st.LogSeq = 42
	var b bytes.Buffer
	if err := encodeState(&b, st); err != nil {
		t.Fatal(err)
	}
	fast, ok := decodeStateLines(b.Bytes())
	if !ok {
		t.Fatalf("the line reader refused what encodeState wrote:\n%s", b.Bytes())
	}
	var slow stateFile
	if err := json.Unmarshal(b.Bytes(), &slow); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(slow, fast, cmpopts.EquateEmpty(), cmpopts.IgnoreUnexported(stateResource{})); diff != "" {
		t.Fatalf("line reader and JSON differ (-json +lines):\n%s", diff)
	}
	var indented bytes.Buffer
	if err := json.Indent(&indented, b.Bytes(), "", "  "); err != nil {
		t.Fatal(err)
	}
	if _, ok := decodeStateLines(indented.Bytes()); ok {
		t.Fatal("the line reader took another layout")
	}
	if again, err := decodeState(indented.Bytes()); err != nil || len(again.Tenants) != 3 {
		t.Fatalf("decodeState of the indented file: %v, %d tenants", err, len(again.Tenants))
	}
}
