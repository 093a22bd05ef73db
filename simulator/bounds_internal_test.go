package simulator

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/scimsim/scimsim/simulator/filter"
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
