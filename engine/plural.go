package engine

import "strconv"

// count writes n and the noun in the number n calls for: "1 member", "2 members".
func count(n int, one, many string) string { return strconv.Itoa(n) + " " + pluralWord(n, one, many) }

// pluralWord picks the singular for 1 and the plural for any other count.
func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
