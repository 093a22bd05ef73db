package simulator

import (
	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/elimity-com/scim/schema"

	"github.com/scimsim/scimsim/simulator/filter"
)

// validator is elimity's schema validation of a resource (schema.Schema.Validate and
// ValidateExtension, with CoreAttribute's validate and ValidateSingular for complex values): the
// same checks, in the same order, with the same results and the same errors
// (TestValidator_AgreesWithElimity, FuzzValidator). elimity finds the value of each attribute by
// comparing its name with every key of the resource (strings.EqualFold), attribute by attribute,
// which made validation a fifth of the cost of a create; a validator looks each key up once in a
// map of folded names. Simple values are still checked by elimity's own ValidateSingular.
type validator struct {
	id    string // the schema's URN, checked in "schemas" when checkID
	attrs []attrRule
	exact map[string]int // attribute name → position; -1 for a member known to be none (notAttributes)
	fold  map[string]int // filter.Fold(name) → position, for keys in another case
}

// attrRule is one attribute with what validation reads of it.
type attrRule struct {
	a                    schema.CoreAttribute
	name                 string
	required, readOnly   bool
	multiValued, complex bool
	never                bool       // a custom attribute returned "never": checked, not kept (dropNever)
	returnedNever        bool       // returned "never", whatever the schema (encodeRecord leaves it out)
	sub                  *validator // the sub-attributes of a complex attribute
	subNames             []string   // their names, for a multi-valued attribute given as one object
	// plain is a string or reference attribute, and boolean a boolean one: for a value of that
	// Go type ValidateSingular returns the value itself, which singular then returns without
	// the call, whose result boxes the string again (an allocation per attribute).
	plain, boolean bool
}

func newValidator(id string, attrs []schema.CoreAttribute) *validator {
	v := &validator{id: id, exact: map[string]int{}, fold: map[string]int{}}
	for i, a := range attrs {
		r := attrRule{a: a, name: a.Name(), required: a.Required(), multiValued: a.MultiValued(),
			readOnly: a.Mutability() == "readOnly", complex: a.AttributeType() == "complex",
			returnedNever: a.Returned() == "never"}
		switch a.AttributeType() {
		case "string", "reference":
			// "string" is also what AttributeType names a type it does not know: the probe
			// keeps plain to the types ValidateSingular passes a string through unchanged.
			got, se := a.ValidateSingular("x")
			r.plain = se == nil && got == any("x")
		case "boolean":
			r.boolean = true
		}
		if r.complex {
			r.sub = newValidator("", a.SubAttributes())
			for _, s := range a.SubAttributes() {
				r.subNames = append(r.subNames, s.Name())
			}
		}
		v.attrs = append(v.attrs, r)
		if _, dup := v.exact[r.name]; !dup {
			v.exact[r.name] = i
		}
		if _, dup := v.fold[filter.Fold(r.name)]; !dup {
			v.fold[filter.Fold(r.name)] = i
		}
	}
	return v
}

// notAttributes records names that are members of a resource but none of v's attributes
// ("schemas", "meta", the extensions' URNs), so that position answers for them with one lookup
// instead of folding them first.
func (v *validator) notAttributes(names ...string) {
	for _, name := range names {
		if v.position(name) < 0 {
			v.exact[name] = -1
		}
	}
}

// position returns the attribute a key names, -1 for none: strings.EqualFold, as elimity
// compares, is filter.Fold equality.
func (v *validator) position(key string) int {
	if i, ok := v.exact[key]; ok {
		return i
	}
	var buf [128]byte
	if i, ok := v.fold[string(filter.AppendFold(buf[:0], key))]; ok {
		return i
	}
	return -1
}

// resource is Schema.Validate (checkID) or Schema.ValidateExtension. res is not modified.
func (v *validator) resource(res any, checkID bool) (map[string]any, *scimerrors.ScimError) {
	return v.object(res, checkID, false)
}

// take is resource for a document nothing reads afterwards, such as the body a POST or PUT
// decoded: its objects become the result where they can (validator.members), which spares a
// create building each of its maps and lists a second time.
func (v *validator) take(res any, checkID bool) (map[string]any, *scimerrors.ScimError) {
	return v.object(res, checkID, true)
}

func (v *validator) object(res any, checkID, reuse bool) (map[string]any, *scimerrors.ScimError) {
	obj, ok := res.(map[string]any)
	if !ok {
		return nil, &scimerrors.ScimErrorInvalidSyntax
	}
	if checkID {
		list, ok := obj["schemas"].([]any)
		if !ok {
			return nil, &scimerrors.ScimErrorInvalidSyntax
		}
		found := false
		for _, s := range list {
			if s == any(v.id) {
				found = true
				break
			}
		}
		if !found {
			return nil, &scimerrors.ScimErrorInvalidSyntax
		}
	}
	return v.members(obj, reuse)
}

// members validates an object's members against the attributes, in the attributes' order, as
// Schema.validate and the complex case of ValidateSingular do: a key that names an attribute
// twice (in two cases) is invalidSyntax, at that attribute's turn.
//
// With reuse, obj itself is the result when every key that names an attribute names it in the
// attribute's own case (as every client writes them): the keys of no attribute and the values not
// kept are deleted from it, the others replaced by their validated values; the same map, with
// the same members, that a new one would be. obj is then changed even when validation fails.
func (v *validator) members(obj map[string]any, reuse bool) (map[string]any, *scimerrors.ScimError) {
	var hitBuf [32]any
	var stateBuf [32]uint8 // 0 absent, 1 found, 2 found twice
	hits, state := hitBuf[:0], stateBuf[:0]
	if n := len(v.attrs); n <= len(hitBuf) {
		hits, state = hitBuf[:n], stateBuf[:n]
	} else {
		hits, state = make([]any, n), make([]uint8, n)
	}
	canonical, unknown := true, false // every key of an attribute is its name; a key of none
	for key, val := range obj {
		if i := v.position(key); i >= 0 {
			state[i] = min(state[i]+1, 2)
			hits[i] = val
			canonical = canonical && key == v.attrs[i].name
		} else {
			unknown = true
		}
	}
	reuse = reuse && canonical
	var out map[string]any
	if reuse {
		out = obj
		for key := range obj {
			if !unknown {
				break
			}
			if v.position(key) < 0 {
				delete(obj, key)
			}
		}
	} else {
		out = make(map[string]any, len(obj))
	}
	for i := range v.attrs {
		r := &v.attrs[i]
		if state[i] == 2 {
			return nil, &scimerrors.ScimErrorInvalidSyntax
		}
		val, se := r.validate(hits[i], reuse)
		if se != nil {
			return nil, se
		}
		switch {
		case val != nil && !r.never:
			out[r.name] = val
		case reuse && state[i] != 0:
			delete(out, r.name)
		}
	}
	return out, nil
}

// validate is CoreAttribute.validate; with reuse, val's objects and lists may become the result
// (validator.members).
func (r *attrRule) validate(val any, reuse bool) (any, *scimerrors.ScimError) {
	if val == nil {
		if !r.required || r.readOnly {
			return nil, nil
		}
		return nil, &scimerrors.ScimErrorInvalidValue
	}
	if r.readOnly {
		return nil, nil
	}
	if !r.multiValued {
		return r.singular(val, reuse)
	}
	switch arr := val.(type) {
	case map[string]any:
		// elimity keeps a single object given for a multi-valued attribute as the object of
		// the sub-attributes it names (values as given), each validated.
		if r.required && len(arr) == 0 {
			return nil, &scimerrors.ScimErrorInvalidValue
		}
		valid := map[string]any{}
		for k, sv := range arr {
			for j, name := range r.subNames {
				if !filter.EqualFold(name, k) {
					continue
				}
				if _, se := r.sub.attrs[j].validate(sv, false); se != nil {
					return nil, se
				}
				valid[name] = sv
			}
		}
		return valid, nil
	case []any:
		if r.required && len(arr) == 0 {
			return nil, &scimerrors.ScimErrorInvalidValue
		}
		if len(arr) == 0 {
			return []any(nil), nil // as elimity's
		}
		out := arr
		if !reuse {
			out = make([]any, len(arr))
		}
		for i, e := range arr {
			v, se := r.singular(e, reuse)
			if se != nil {
				return nil, se
			}
			out[i] = v
		}
		return out, nil
	}
	return nil, &scimerrors.ScimErrorInvalidSyntax
}

// singular is CoreAttribute.ValidateSingular: a complex value through the sub-attributes'
// validator, any other through elimity's.
func (r *attrRule) singular(val any, reuse bool) (any, *scimerrors.ScimError) {
	switch val.(type) {
	case string:
		if r.plain {
			return val, nil
		}
	case bool:
		if r.boolean {
			return val, nil
		}
	}
	if !r.complex {
		return r.a.ValidateSingular(val)
	}
	obj, ok := val.(map[string]any)
	if !ok {
		return nil, &scimerrors.ScimErrorInvalidValue
	}
	return r.sub.members(obj, reuse)
}

// dropNever makes the validator of a custom schema leave out the attributes returned "never"
// (RFC 7643 Section 7: "never returned"), as encodeRecord leaves out the core password: the
// simulator authenticates no one with them, so it keeps none it could leak. Built-in schemas
// keep elimity's behaviour exactly.
func (v *validator) dropNever() *validator {
	for i := range v.attrs {
		r := &v.attrs[i]
		r.never = r.returnedNever
		if r.sub != nil {
			r.sub.dropNever()
		}
	}
	return v
}
