// Package suggest finds the known names closest to a mistyped one, for the "did you mean" hints of
// the scenario loader and the command line.
package suggest

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Distance is the Levenshtein distance between a and b, counted in runes and ignoring case: the
// number of single-character insertions, deletions and substitutions that turn one into the other.
func Distance(a, b string) int {
	ra, rb := []rune(strings.ToLower(a)), []rune(strings.ToLower(b))
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// Close is the largest distance at which a known name counts as the one meant: a third of the
// typed name's length, at least 1 and at most 3, so that "subjcet" finds "subject" while "id" does
// not find "db".
func Close(typed string) int {
	return min(max(utf8.RuneCountInString(typed)/3, 1), 3)
}

// Closest returns the known names within Close(typed) of typed, nearest first (ties in the order
// known lists them), at most n of them; a known name that starts with typed counts as near. Names
// equal to typed are left out: they are not a correction.
func Closest(typed string, known []string, n int) []string {
	type cand struct {
		name string
		d, i int
	}
	var cs []cand
	limit := Close(typed)
	lower := strings.ToLower(typed)
	for i, k := range known {
		if strings.EqualFold(k, typed) || slices.ContainsFunc(cs, func(c cand) bool { return c.name == k }) {
			continue
		}
		d := Distance(typed, k)
		if typed != "" && strings.HasPrefix(strings.ToLower(k), lower) {
			d = min(d, limit)
		}
		if d <= limit {
			cs = append(cs, cand{k, d, i})
		}
	}
	slices.SortStableFunc(cs, func(a, b cand) int { return a.d - b.d })
	out := make([]string, 0, min(n, len(cs)))
	for _, c := range cs[:min(n, len(cs))] {
		out = append(out, c.name)
	}
	return out
}
