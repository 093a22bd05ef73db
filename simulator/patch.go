// The simulator's side of PATCH: applying operations is the resource model's
// (resource.ApplyPatch); validating a request's operations, paths and values before they are
// applied is the simulator's (patchvalidate.go, patchvalue.go), since it reproduces elimity's
// answers. The names below are the simulator's short names for the model's, used by the
// handlers and the profile normalisation.

package simulator

import "github.com/scimsim/scimsim/simulator/resource"

// patchOp is one PATCH operation in canonical form (resource.PatchOp).
type patchOp = resource.PatchOp

// patchRules are the profile's rules that depend on the resource's state (resource.PatchRules).
type patchRules = resource.PatchRules

// applyPatch applies ops to doc for kind k (resource.ApplyPatch); the caller validates the
// result against the schema again.
func applyPatch(k *kind, doc map[string]any, ops []patchOp, rules patchRules) error {
	return resource.ApplyPatch(k.typ, doc, ops, rules)
}

// applyOp applies one operation (resource.ApplyOp).
func applyOp(k *kind, doc map[string]any, op patchOp, rules patchRules) error {
	return resource.ApplyOp(k.typ, doc, op, rules)
}

func asList(v any) []any { return resource.AsList(v) }

func cloneMap(m map[string]any) map[string]any { return resource.CloneMap(m) }
