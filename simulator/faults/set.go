package faults

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/labstack/echo/v4"
)

// Set is one tenant's faults: an ordered list of specs, each with its own hit counters and its
// own random generator. A Set is safe for concurrent use; the middleware reads the list without
// locking (copy on write), so a Set with no faults costs a request one atomic load.
//
// How a request meets the faults: the middleware walks the list in the order the faults were
// added. For each fault it checks Match and the type's own conditions (Selector); a request
// that passes is a matching request. The fault lets the first After matching requests through;
// once Count hits are used up it lets everything through; otherwise, when Probability is below 1,
// it draws once from its generator and hits the request when the draw is below Probability. A
// fault that hits wraps the rest of the walk, so stacked faults apply outermost first (a latency
// then a server_error); a fault that answers by itself ends the walk, and the faults after it do
// not see the request at all (no draw, no count).
//
// Replay: every fault has its own generator, seeded from the Set's seed and the fault's name
// (PCG, math/rand/v2), and draws only for its own matching requests past After: one draw for
// Probability when it is below 1, then, for latency with jitterMs, one draw for the jitter. The
// same seed, faults and request sequence therefore hit the same requests, whatever other faults
// or tenants do. Concurrent requests to the same fault draw in arrival order.
type Set struct {
	seed    int64
	mu      sync.Mutex // serialises writers; readers use entries
	entries atomic.Pointer[[]*entry]
	counter int // for generated names
}

type entry struct {
	spec  Spec
	fault Fault
	sel   Selector // nil when the type has no conditions of its own
	rnd   *lockedRand

	mu   sync.Mutex
	seen int // matching requests so far
	hits int // requests hit so far (misses given back)
}

// NewSet returns an empty set whose probability draws are seeded by seed.
func NewSet(seed int64) *Set {
	s := &Set{seed: seed}
	s.entries.Store(&[]*entry{})
	return s
}

// Add validates spec, names it when it has no name (type and a counter: "throttle-1"), and
// appends it. It returns the stored spec. A name already in the set is ErrExists.
func (s *Set) Add(spec Spec) (Spec, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := *s.entries.Load()
	if spec.Name == "" {
		spec.Name = s.generateName(list, spec.Type)
	} else if indexOf(list, spec.Name) >= 0 {
		return Spec{}, fmt.Errorf("add fault %q: %w", spec.Name, ErrExists)
	}
	e, err := s.newEntry(spec)
	if err != nil {
		return Spec{}, err
	}
	next := append(slices.Clip(list), e)
	s.entries.Store(&next)
	return cloneSpec(e.spec), nil
}

// List returns the faults in the order they apply.
func (s *Set) List() []Spec {
	list := *s.entries.Load()
	out := make([]Spec, len(list))
	for i, e := range list {
		out[i] = cloneSpec(e.spec)
	}
	return out
}

// Get returns the fault called name.
func (s *Set) Get(name string) (Spec, bool) {
	list := *s.entries.Load()
	if i := indexOf(list, name); i >= 0 {
		return cloneSpec(list[i].spec), true
	}
	return Spec{}, false
}

// Hits returns how many requests the fault called name has hit.
func (s *Set) Hits(name string) (int, bool) {
	list := *s.entries.Load()
	i := indexOf(list, name)
	if i < 0 {
		return 0, false
	}
	e := list[i]
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.hits, true
}

// Update replaces the fault called name by spec, in the same place in the order. An empty
// spec.Name keeps the name; another name renames the fault (ErrExists when taken). The fault
// starts afresh: its counters are zero and its generator is reseeded, so a replay that updates a
// fault is still exact.
func (s *Set) Update(name string, spec Spec) (Spec, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := *s.entries.Load()
	i := indexOf(list, name)
	if i < 0 {
		return Spec{}, fmt.Errorf("update fault %q: %w", name, ErrNotFound)
	}
	if spec.Name == "" {
		spec.Name = name
	} else if spec.Name != name && indexOf(list, spec.Name) >= 0 {
		return Spec{}, fmt.Errorf("rename fault %q to %q: %w", name, spec.Name, ErrExists)
	}
	e, err := s.newEntry(spec)
	if err != nil {
		return Spec{}, err
	}
	next := slices.Clone(list)
	next[i] = e
	s.entries.Store(&next)
	return cloneSpec(e.spec), nil
}

// Delete removes the fault called name and reports whether it was there.
func (s *Set) Delete(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := *s.entries.Load()
	i := indexOf(list, name)
	if i < 0 {
		return false
	}
	next := slices.Delete(slices.Clone(list), i, i+1)
	s.entries.Store(&next)
	return true
}

// Clear removes every fault. Generated names keep counting, so a name is never reused for a
// different fault within a run.
func (s *Set) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries.Store(&[]*entry{})
}

// Middleware applies the set's faults to the requests they match. Install it after the
// middleware that calls SetRequestInfo and before authentication, so that an auth_failure or a
// throttle answers whatever the token (the order is in docs/architecture.md).
func (s *Set) Middleware() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			list := *s.entries.Load()
			if len(list) == 0 {
				return next(c)
			}
			return walk(c, list, next)
		}
	}
}

// walk applies the first fault in list that hits the request, handing it the rest of the list
// as its next handler.
func walk(c echo.Context, list []*entry, next echo.HandlerFunc) error {
	for i, e := range list {
		if !e.hit(c) {
			continue
		}
		rest := list[i+1:]
		markHit(c, e.spec.Name)
		err := e.fault.Apply(c, func(c echo.Context) error { return walk(c, rest, next) })
		if takeMiss(c, e.spec.Name) {
			e.giveBack()
		}
		return err
	}
	return next(c)
}

// hit decides whether the fault applies to this request, and counts it when it does.
func (e *entry) hit(c echo.Context) bool {
	if !e.spec.Match.matches(c) {
		return false
	}
	if e.sel != nil && !e.sel.Selects(c) {
		return false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.seen++
	if e.seen <= e.spec.After {
		return false
	}
	if e.spec.Count > 0 && e.hits >= e.spec.Count {
		return false
	}
	if p := e.spec.Probability; p > 0 && p < 1 && e.rnd.Float64() >= p {
		return false
	}
	e.hits++
	return true
}

// giveBack undoes the hit of a request the fault left unchanged (see miss).
func (e *entry) giveBack() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.hits--
}

func (s *Set) newEntry(spec Spec) (*entry, error) {
	reg, a, err := spec.check()
	if err != nil {
		return nil, err
	}
	spec = cloneSpec(spec)
	rnd := newLockedRand(s.seed, spec.Name)
	f := reg.build(spec, a, rnd)
	sel, _ := f.(Selector)
	return &entry{spec: spec, fault: f, sel: sel, rnd: rnd}, nil
}

func (s *Set) generateName(list []*entry, typ string) string {
	base := typ
	if base == "" || !validName(base) {
		base = "fault"
	}
	for {
		s.counter++
		name := base + "-" + strconv.Itoa(s.counter)
		if indexOf(list, name) < 0 {
			return name
		}
	}
}

func indexOf(list []*entry, name string) int {
	return slices.IndexFunc(list, func(e *entry) bool { return e.spec.Name == name })
}

// cloneSpec copies the attributes deeply, so neither the caller nor the Set can change the
// other's spec.
func cloneSpec(s Spec) Spec {
	if s.Attributes != nil {
		attrs := make(map[string]any, len(s.Attributes))
		for k, v := range s.Attributes {
			attrs[k] = cloneValue(v)
		}
		s.Attributes = attrs
	}
	return s
}

func cloneValue(v any) any {
	switch t := v.(type) {
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = cloneValue(e)
		}
		return out
	case []string:
		return slices.Clone(t)
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = cloneValue(e)
		}
		return out
	}
	return v
}

// lockedRand is a fault's own generator: PCG seeded from the Set's seed and the fault's name, so
// that the fault's draws do not depend on any other fault's traffic.
type lockedRand struct {
	mu sync.Mutex
	r  *rand.Rand
}

func newLockedRand(seed int64, name string) *lockedRand {
	h := fnv.New64a()
	h.Write([]byte(name))
	return &lockedRand{r: rand.New(rand.NewPCG(uint64(seed), h.Sum64()))}
}

// Float64 returns a draw in [0, 1).
func (l *lockedRand) Float64() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Float64()
}
