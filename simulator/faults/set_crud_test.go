package faults_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimsim/scimsim/simulator/faults"
)

func TestSet_Add(t *testing.T) {
	set := faults.NewSet(1)
	got, err := set.Add(faults.Spec{Type: "throttle"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := got.Name, "throttle-1"; got != want {
		t.Fatalf("generated name %q, want %q", got, want)
	}
	if _, err := set.Add(faults.Spec{Name: "latency-2", Type: "latency"}); err != nil {
		t.Fatal(err)
	}
	got, err = set.Add(faults.Spec{Type: "latency"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := got.Name, "latency-3"; got != want {
		t.Fatalf("generated name %q, want %q (latency-2 is taken)", got, want)
	}
	if _, err := set.Add(faults.Spec{Name: "throttle-1", Type: "conflict"}); !errors.Is(err, faults.ErrExists) {
		t.Fatalf("Add(duplicate name)=%v, want ErrExists", err)
	}
	if _, err := set.Add(faults.Spec{Name: "bad", Type: "nope"}); !errors.Is(err, faults.ErrInvalidSpec) {
		t.Fatalf("Add(unknown type)=%v, want ErrInvalidSpec", err)
	}
	if diff := cmp.Diff([]string{"throttle-1", "latency-2", "latency-3"}, names(set)); diff != "" {
		t.Errorf("List() names (-want +got):\n%s", diff)
	}
}

func TestSet_Add_copiesAttributes(t *testing.T) {
	set := faults.NewSet(1)
	attrs := map[string]any{"attribute": []any{"title"}}
	if _, err := set.Add(faults.Spec{Name: "d", Type: "drop_attribute", Attributes: attrs}); err != nil {
		t.Fatal(err)
	}
	attrs["attribute"].([]any)[0] = "changed"
	got, _ := set.Get("d")
	got.Attributes["attribute"].([]any)[0] = "changed too"
	again, _ := set.Get("d")
	if diff := cmp.Diff(map[string]any{"attribute": []any{"title"}}, again.Attributes); diff != "" {
		t.Errorf("stored attributes changed through a caller's map (-want +got):\n%s", diff)
	}
}

func TestSet_Update(t *testing.T) {
	set := setOf(t, faults.Spec{Name: "a", Type: "throttle"}, faults.Spec{Name: "b", Type: "latency"}, faults.Spec{Name: "c", Type: "conflict"})
	got, err := set.Update("b", faults.Spec{Type: "server_error", Attributes: map[string]any{"status": 503}})
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "b" || got.Type != "server_error" {
		t.Fatalf("Update kept name %q type %q, want b server_error", got.Name, got.Type)
	}
	if _, err := set.Update("b", faults.Spec{Name: "c", Type: "throttle"}); !errors.Is(err, faults.ErrExists) {
		t.Fatalf("rename onto c = %v, want ErrExists", err)
	}
	if _, err := set.Update("nope", faults.Spec{Type: "throttle"}); !errors.Is(err, faults.ErrNotFound) {
		t.Fatalf("Update(missing)=%v, want ErrNotFound", err)
	}
	if _, err := set.Update("b", faults.Spec{Type: "server_error", Attributes: map[string]any{"status": 404}}); !errors.Is(err, faults.ErrInvalidSpec) {
		t.Fatalf("Update(invalid)=%v, want ErrInvalidSpec", err)
	}
	if _, err := set.Update("b", faults.Spec{Name: "b2", Type: "throttle"}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a", "b2", "c"}, names(set)); diff != "" {
		t.Errorf("order after rename (-want +got):\n%s", diff)
	}
}

func TestSet_DeleteClear(t *testing.T) {
	set := setOf(t, faults.Spec{Name: "a", Type: "throttle"}, faults.Spec{Name: "b", Type: "latency"})
	if !set.Delete("a") || set.Delete("a") {
		t.Fatal("Delete(a) twice: want true then false")
	}
	if _, ok := set.Get("a"); ok {
		t.Fatal("Get(a) after Delete: found")
	}
	if _, ok := set.Hits("a"); ok {
		t.Fatal("Hits(a) after Delete: found")
	}
	set.Clear()
	if got := set.List(); len(got) != 0 {
		t.Fatalf("List() after Clear = %v", got)
	}
	s, err := set.Add(faults.Spec{Type: "throttle"})
	if err != nil || s.Name != "throttle-1" {
		t.Fatalf("Add after Clear = %v, %v; want throttle-1", s, err)
	}
}

// setOf is a fault set (seed 1) holding specs, in order.
func setOf(tb testing.TB, specs ...faults.Spec) *faults.Set {
	tb.Helper()
	set := faults.NewSet(1)
	for _, s := range specs {
		if _, err := set.Add(s); err != nil {
			tb.Fatalf("Add(%+v): %v", s, err)
		}
	}
	return set
}

// names lists the names of set's faults, in its order.
func names(set *faults.Set) []string {
	var out []string
	for _, s := range set.List() {
		out = append(out, s.Name)
	}
	return out
}
