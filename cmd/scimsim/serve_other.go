//go:build !unix

package main

// fileLimit is unknown off Unix: --max-conns keeps its default.
func fileLimit() int { return 0 }
