package engine

import (
	"fmt"
	"math/rand"
	"time"

	"github.com/scimsim/scimsim/engine/expr"
	"github.com/scimsim/scimsim/entra"
)

// Export computes, without a target, what the job sends for a user that is in scope: the create body
// and the update changes, exactly as a run builds them. The conformance checks use it so that a
// check sends, for the same change, what the engine sends.
type Export struct {
	cfg  *Config
	now  func() time.Time
	rand *rand.Rand
}

// NewExport returns an Export for cfg; an invalid cfg is an error, as for Run.
func NewExport(cfg *Config) (*Export, error) {
	cc, err := cfg.compile()
	if err != nil {
		return nil, err
	}
	return &Export{cfg: cc, now: time.Now, rand: rand.New(rand.NewSource(1))}, nil
}

// flow evaluates the user mappings for u in scope, with references resolved through refs (the
// source objectId of a referenced user to its target id; a user missing from refs leaves the
// reference out, as a run does when the manager is not in the target).
func (x *Export) flow(u *User, refs map[string]string) ([]flowValue, error) {
	attrs := make(map[string]any, len(u.Attrs)+1)
	for k, v := range u.Attrs {
		attrs[k] = v
	}
	attrs["IsSoftDeleted"] = false
	flow, _, err := evaluateMappings(x.cfg.Users.Mappings, expr.Env{Attrs: attrs, Now: x.now, Rand: x.rand})
	if err != nil {
		return nil, fmt.Errorf("user %s: %w", u.ObjectID, err)
	}
	for i := range flow {
		if flow[i].m.isReference() && flow[i].value != nil {
			id, ok := refs[scalarString(flow[i].value)]
			if !ok {
				flow[i].value = nil
				continue
			}
			flow[i].value = id
		}
	}
	return flow, nil
}

// CreateBody returns the body a run POSTs to create u.
func (x *Export) CreateBody(u *User, refs map[string]string) (map[string]any, error) {
	flow, err := x.flow(u, refs)
	if err != nil {
		return nil, err
	}
	body, _ := createBody(flow)
	return body, nil
}

// Changes returns the changes a run PATCHes for u against the target's resource cur, in the order
// of the mappings; entra.Dialect.UserPatch makes the body.
func (x *Export) Changes(u *User, cur map[string]any, refs map[string]string) ([]entra.Change, error) {
	flow, err := x.flow(u, refs)
	if err != nil {
		return nil, err
	}
	changes, _, _ := updateChanges(flow, cur)
	return changes, nil
}

// Mapped reports whether the job's user mappings write the target attribute path (the top-level
// attribute, its sub-attributes or value-filtered elements): a conformance check only sends what
// the job maps.
func (x *Export) Mapped(target string) bool {
	for _, m := range x.cfg.Users.Mappings {
		if m.path.Is(target) || m.Target == target {
			return true
		}
	}
	return false
}
