package simulator

import (
	"encoding/json"
	"net/http"
	"strings"

	scimerrors "github.com/elimity-com/scim/errors"

	"github.com/scimsim/scimsim/simulator/filter"
)

// validatePatchAny validates a PATCH body whose operations validatePatchOps leaves aside: paths
// with a filter other than `attr eq "string"` (members[value eq "a" or value eq "b"],
// emails[type eq "work" and primary eq true].value), escaped strings, URNs written in another
// case. It checks what RFC 7644 §3.5.2 asks of the request itself: the PatchOp schema, at least
// one operation, op one of add, remove and replace ("op" values are case-insensitive, §3.5.2),
// a value for add and replace, a path for remove (§3.5.2.2: noTarget), and a path that parses and
// names attributes of the kind (invalidPath). What the value may be is checked where the
// operation is applied (applyPatch) and on the patched resource as a whole (kind.validate), as for
// every PATCH.
func validatePatchAny(k *kind, body []byte) ([]patchOp, error) {
	var req struct {
		Schemas    []string
		Operations []json.RawMessage
	}
	if err := decodeNumbers(body, &req); err != nil {
		return nil, invalidSyntax("PATCH body: %v", err)
	}
	if len(req.Schemas) != 1 || req.Schemas[0] != patchOpURN {
		return nil, invalidValue("PATCH body: schemas must be [%q]", patchOpURN)
	}
	if len(req.Operations) == 0 {
		return nil, invalidValue("PATCH body: no operations")
	}
	ops := make([]patchOp, 0, len(req.Operations))
	for i, raw := range req.Operations {
		var op struct {
			Op    string
			Path  string
			Value any
		}
		if err := decodeNumbers(raw, &op); err != nil {
			return nil, invalidSyntax("operation %d: %v", i+1, err)
		}
		op.Op = strings.ToLower(op.Op)
		switch op.Op {
		case "add", "replace":
			if op.Value == nil {
				return nil, invalidValue("operation %d: %s needs a value", i+1, op.Op)
			}
		case "remove":
			if op.Path == "" {
				return nil, scimErr(http.StatusBadRequest, scimerrors.ScimTypeNoTarget, "operation %d: remove needs a path", i+1)
			}
		default:
			return nil, invalidValue("operation %d: unknown op %q (want add, replace or remove)", i+1, op.Op)
		}
		if op.Path != "" {
			p, err := filter.ParsePath(op.Path)
			if err != nil {
				return nil, invalidPath("operation %d: path %q: %v", i+1, op.Path, err)
			}
			if err := filter.CheckPath(p, k.fs); err != nil {
				return nil, invalidPath("operation %d: path %q: %v", i+1, op.Path, err)
			}
		}
		if m, ok := op.Value.(map[string]any); ok {
			// The resource's id is not the operation's to change (Okta sends it), as
			// validatePatchOp drops it.
			for name := range m {
				if strings.EqualFold(name, "id") {
					delete(m, name)
				}
			}
		}
		ops = append(ops, patchOp{Op: op.Op, Path: op.Path, Value: op.Value})
	}
	return ops, nil
}
