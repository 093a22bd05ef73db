package expr

import (
	"math/rand"
	"time"
)

// Env is what an expression is evaluated against.
type Env struct {
	// Attrs holds the source object's attributes: string, bool, int, int64, float64, time.Time,
	// []string or []any of those. A missing key, or a nil value, is null.
	Attrs map[string]any
	// Now is the clock read by Now(); nil means time.Now.
	Now func() time.Time
	// Rand is the random source of Guid() and RandomString(); nil means a source with a fixed
	// seed, so evaluation is reproducible unless the caller asks otherwise. A *rand.Rand is not
	// safe for concurrent use: give each goroutine its own.
	Rand *rand.Rand
	// Exists reports whether a value is already taken in the target; SelectUniqueValue returns
	// its first rule whose value does not exist. Nil means no value is taken.
	Exists func(value string) bool
}

type ignore struct{}

func (ignore) String() string { return "(ignored: IgnoreFlowIfNullOrEmpty)" }

// Ignore is the result of IgnoreFlowIfNullOrEmpty on a null or empty value: the provisioning
// service drops the target attribute from the flow instead of sending an empty value.
var Ignore any = ignore{}
