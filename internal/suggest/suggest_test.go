package suggest

import (
	"slices"
	"testing"
)

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"subjcet", "subject", 2}, {"Kitten", "sitting", 3}, {"USER", "user", 0}, {"café", "cafe", 1},
	} {
		if got := Distance(tc.a, tc.b); got != tc.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := Distance(tc.b, tc.a); got != tc.want {
			t.Errorf("Distance(%q, %q) = %d, want %d (symmetric)", tc.b, tc.a, got, tc.want)
		}
	}
}

func TestClosest(t *testing.T) {
	known := []string{"user", "group", "member", "target", "token", "json", "show-requests"}
	for _, tc := range []struct {
		typed string
		want  []string
	}{
		{"usr", []string{"user"}},
		{"tokn", []string{"token"}},
		{"taget", []string{"target"}},
		{"show", []string{"show-requests"}},
		{"xyz", nil},
		{"user", nil},
		{"tken", []string{"token"}},
	} {
		if got := Closest(tc.typed, known, 3); !slices.Equal(got, tc.want) {
			t.Errorf("Closest(%q) = %q, want %q", tc.typed, got, tc.want)
		}
	}
	if got := Closest("alce", []string{"Bob", "Alice", "alice@contoso.com", "Alex"}, 2); !slices.Equal(got, []string{"Alice"}) {
		t.Errorf("Closest(alce) = %q, want the one name one edit away", got)
	}
	if got := Closest("ali", []string{"Bob", "alice@contoso.com", "Alice", "Ali"}, 3); !slices.Equal(got, []string{"alice@contoso.com", "Alice"}) {
		t.Errorf("Closest(ali) = %q, want the names it starts, in order", got)
	}
}
