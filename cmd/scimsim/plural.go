package main

import "strconv"

// count writes n and the noun: "1 scenario", "2 scenarios". A noun whose plural is not the singular
// with an s gives its plural too: count(n, "other needs", "others need").
func count(n int, noun string, pluralNoun ...string) string {
	return strconv.Itoa(n) + " " + plural(n, noun, append(pluralNoun, noun+"s")[0])
}

// plural picks the singular for 1 and the plural for any other count.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
