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
	// DefaultDomain is the name of the tenant's default verified domain, which DefaultDomain()
	// returns. Empty means the tenant has none, and DefaultDomain() fails with
	// ErrNoDefaultDomain, as Microsoft documents ("If no default verified domain is found, the
	// function returns an error").
	DefaultDomain string
	// Exists reports whether value is already taken in the target, in the attribute the
	// expression is mapped to: SelectUniqueValue returns the first of its rules whose value it
	// reports as free. It is a lookup the target answers (the engine sends it a SCIM query), so
	// it can fail; its error ends the evaluation and is wrapped in the returned *Error. The
	// attribute is not a parameter because the expression does not know it: the mapping that
	// holds the expression does, and binds it. Nil means no value is taken.
	Exists func(value string) (bool, error)
}

type ignore struct{}

func (ignore) String() string { return "(ignored: IgnoreFlowIfNullOrEmpty)" }

// Ignore is the result of IgnoreFlowIfNullOrEmpty on a null or empty value: the provisioning
// service drops the target attribute from the flow instead of sending an empty value.
var Ignore any = ignore{}
