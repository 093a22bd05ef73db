package engine

import (
	"github.com/scimsim/scimsim/wire"
)

// getCI looks a resource's attribute up case-insensitively (RFC 7643 Section 2.1).
func getCI(m map[string]any, key string) any { return wire.Field(m, key) }
