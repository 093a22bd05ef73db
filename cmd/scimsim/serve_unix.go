//go:build unix

package main

import "syscall"

// fileLimit is the number of files the process may open (RLIMIT_NOFILE, which the Go runtime
// raises to the hard limit at start), 0 when unknown.
func fileLimit() int {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil || rl.Cur > 1<<30 {
		return 0
	}
	return int(rl.Cur)
}
