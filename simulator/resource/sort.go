// Sorting: the value sortBy orders a resource by, and the order of two such values
// (RFC 7644 §3.4.2.3).

package resource

import (
	"strings"

	"github.com/scimsim/scimsim/simulator/filter"
)

// SortValue returns the value sortBy orders by (RFC 7644 §3.4.2.3): for a multi-valued
// attribute the primary value, else the first; nil when the resource has none.
func SortValue(doc map[string]any, p Ref) any {
	c, ok := container(doc, p)
	if !ok {
		return nil
	}
	v := c[p.Attr]
	if arr, ok := v.([]any); ok {
		if len(arr) == 0 {
			return nil
		}
		pick := arr[0]
		for _, e := range arr {
			if em, ok := e.(map[string]any); ok && em["primary"] == true {
				pick = e
				break
			}
		}
		v = pick
		if p.Sub == "" {
			if em, ok := v.(map[string]any); ok {
				v = em["value"]
			}
		}
	}
	if p.Sub != "" {
		em, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = em[p.Sub]
	}
	return v
}

// Compare orders two sort values; nil sorts last.
func Compare(a, b any, caseExact bool) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	switch av := a.(type) {
	case string:
		bv, _ := b.(string)
		if !caseExact {
			av, bv = filter.Fold(av), filter.Fold(bv)
		}
		return strings.Compare(av, bv)
	case float64:
		bv, _ := b.(float64)
		switch {
		case av < bv:
			return -1
		case av > bv:
			return 1
		}
		return 0
	case bool:
		bv, _ := b.(bool)
		if av == bv {
			return 0
		}
		if !av {
			return -1
		}
		return 1
	}
	return 0
}
