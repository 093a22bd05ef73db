//go:build !unix

package simulator_test

import "time"

// processCPU is unknown off Unix: benchmarks report 0.
func processCPU() time.Duration { return 0 }
