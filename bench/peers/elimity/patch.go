package main

import (
	"reflect"
	"strings"

	"github.com/elimity-com/scim"
	scimerrors "github.com/elimity-com/scim/errors"
	scimfilter "github.com/elimity-com/scim/filter"
	"github.com/elimity-com/scim/schema"
	"github.com/scim2/filter-parser/v2"
)

// The library parses each PATCH operation, lower-cases op, resolves and validates the path against the
// schemas and sanitises the value (server.go validatePatch, internal/patch); applying it is left to the
// ResourceHandler. applyOp does that as RFC 7644 §3.5.2 reads, and matches value-path filters with the
// library's own filter.Validator. Two readings are this handler's:
//   - a value-path filter that matches nothing is 400 noTarget for add as for replace (§3.5.2.3 names
//     noTarget for replace; §3.5.2.1 does not define value filters for add);
//   - remove on a multi-valued attribute with a value (which the library validates and passes on) removes
//     the listed values; without a value it removes them all (§3.5.2.2).

// externalIDAttr is the common attribute the library adds to every resource type (schemaWithCommon).
var externalIDAttr = schema.SimpleCoreAttribute(schema.SimpleStringParams(schema.StringParams{
	CaseExact: true, Name: schema.CommonAttributeExternalID,
}))

// target is where a path points: the map that holds the attribute, and the attribute.
type target struct {
	holder map[string]any
	attr   schema.CoreAttribute
	ext    string // extension URN when the attribute belongs to an extension
}

func applyOp(attrs map[string]any, op scim.PatchOperation, core schema.Schema, exts []schema.Schema) error {
	if op.Path == nil {
		value, ok := op.Value.(map[string]any)
		if !ok {
			return scimerrors.ScimErrorInvalidValue
		}
		for key, v := range value {
			if ext := findSchema(exts, key); ext != nil { // {"urn:…:enterprise:2.0:User": {...}}
				sub, _ := v.(map[string]any)
				for k, e := range sub {
					if err := applyKey(attrs, op.Op, ext.ID+":"+k, e, core, exts); err != nil {
						return err
					}
				}
				continue
			}
			if err := applyKey(attrs, op.Op, key, v, core, exts); err != nil {
				return err
			}
		}
		return nil
	}
	return applyPath(attrs, op.Op, *op.Path, op.Value, core, exts)
}

func applyKey(attrs map[string]any, op, key string, v any, core schema.Schema, exts []schema.Schema) error {
	p, err := filter.ParsePath([]byte(key))
	if err != nil {
		return scimerrors.ScimErrorInvalidPath
	}
	return applyPath(attrs, op, p, v, core, exts)
}

func findSchema(exts []schema.Schema, id string) *schema.Schema {
	for i := range exts {
		if strings.EqualFold(exts[i].ID, id) {
			return &exts[i]
		}
	}
	return nil
}

func resolve(attrs map[string]any, p filter.Path, core schema.Schema, exts []schema.Schema, create bool) (target, error) {
	sch, holder, extID := core, attrs, ""
	if uri := p.AttributePath.URI(); uri != "" && !strings.EqualFold(uri, core.ID) {
		ext := findSchema(exts, uri)
		if ext == nil {
			return target{}, scimerrors.ScimErrorInvalidPath
		}
		sch, extID = *ext, ext.ID
		m, ok := attrs[ext.ID].(map[string]any)
		if !ok {
			m = map[string]any{}
			if create {
				attrs[ext.ID] = m
			}
		}
		holder = m
	}
	name := p.AttributePath.AttributeName
	if strings.EqualFold(name, externalIDAttr.Name()) && extID == "" {
		return target{holder: holder, attr: externalIDAttr}, nil
	}
	for _, a := range sch.Attributes {
		if strings.EqualFold(a.Name(), name) {
			return target{holder: holder, attr: a, ext: extID}, nil
		}
	}
	return target{}, scimerrors.ScimErrorInvalidPath
}

func subName(p filter.Path) string {
	if s := p.SubAttributeName(); s != "" {
		return s
	}
	return p.AttributePath.SubAttributeName()
}

// canonical returns the sub-attribute's name as the schema spells it (the library stores it so).
func canonical(a schema.CoreAttribute, sub string) string {
	for _, s := range a.SubAttributes() {
		if strings.EqualFold(s.Name(), sub) {
			return s.Name()
		}
	}
	return sub
}

func applyPath(attrs map[string]any, op string, p filter.Path, value any, core schema.Schema, exts []schema.Schema) error {
	t, err := resolve(attrs, p, core, exts, op != scim.PatchOperationRemove)
	if err != nil {
		return err
	}
	name, sub := t.attr.Name(), subName(p)
	if sub != "" {
		sub = canonical(t.attr, sub)
	}
	defer func() { // an extension left empty is dropped, as it would be on a POST without it
		if m, ok := attrs[t.ext].(map[string]any); ok && t.ext != "" && len(m) == 0 {
			delete(attrs, t.ext)
		}
	}()

	if p.ValueExpression != nil {
		return applyFiltered(t, op, p.ValueExpression, sub, value)
	}
	cur := t.holder[name]
	switch op {
	case scim.PatchOperationAdd, scim.PatchOperationReplace:
		switch {
		case sub != "": // name.givenName: set one sub-attribute
			if t.attr.MultiValued() {
				list, _ := cur.([]any)
				for _, e := range list {
					if m, ok := e.(map[string]any); ok {
						m[sub] = value
					}
				}
				return nil
			}
			m, _ := cur.(map[string]any)
			if m == nil {
				m = map[string]any{}
			}
			m[sub] = value
			t.holder[name] = m
		case t.attr.MultiValued() && op == scim.PatchOperationAdd: // add appends new values
			list, _ := cur.([]any)
			add, _ := value.([]any)
			for _, v := range add {
				if !containsValue(list, v) {
					list = append(list, v)
				}
			}
			t.holder[name] = list
		case !t.attr.MultiValued() && t.attr.AttributeType() == "complex": // sub-attributes not given are kept
			m, _ := cur.(map[string]any)
			if m == nil {
				m = map[string]any{}
			}
			if v, ok := value.(map[string]any); ok {
				for k, e := range v {
					m[k] = e
				}
			}
			t.holder[name] = m
		default:
			t.holder[name] = value
		}
	case scim.PatchOperationRemove:
		switch {
		case sub != "":
			if m, ok := cur.(map[string]any); ok {
				delete(m, sub)
				if len(m) == 0 {
					delete(t.holder, name)
				}
			}
			if list, ok := cur.([]any); ok {
				for _, e := range list {
					if m, ok := e.(map[string]any); ok {
						delete(m, sub)
					}
				}
			}
		case t.attr.MultiValued() && value != nil:
			list, _ := cur.([]any)
			rm, _ := value.([]any)
			var keep []any
			for _, e := range list {
				if !containsValue(rm, e) {
					keep = append(keep, e)
				}
			}
			setList(t.holder, name, keep)
		default:
			delete(t.holder, name)
		}
	}
	return nil
}

// applyFiltered applies an operation whose path has a value filter, e.g. emails[type eq "work"].value.
func applyFiltered(t target, op string, expr filter.Expression, sub string, value any) error {
	name := t.attr.Name()
	match := scimfilter.NewFilterValidator(expr, schema.Schema{Attributes: scimfilter.MultiValuedFilterAttributes(t.attr)})
	list, _ := t.holder[name].([]any)
	var keep []any
	hit := false
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok || match.PassesFilter(m) != nil {
			keep = append(keep, e)
			continue
		}
		hit = true
		switch {
		case op == scim.PatchOperationRemove && sub == "":
			continue // the element goes
		case op == scim.PatchOperationRemove:
			delete(m, sub)
		case sub != "":
			m[sub] = value
		case op == scim.PatchOperationReplace: // §3.5.2.3: matching values are replaced
			if v, ok := value.(map[string]any); ok {
				m = v
			}
		default: // add merges the given sub-attributes into the matching values
			if v, ok := value.(map[string]any); ok {
				for k, x := range v {
					m[k] = x
				}
			}
		}
		keep = append(keep, m)
	}
	if !hit && op != scim.PatchOperationRemove {
		return scimerrors.ScimErrorNoTarget
	}
	setList(t.holder, name, keep)
	return nil
}

func setList(holder map[string]any, name string, list []any) {
	if len(list) == 0 {
		delete(holder, name)
		return
	}
	holder[name] = list
}

// containsValue reports whether list holds v: for complex values, one with the same "value"
// sub-attribute (members, emails), else an equal one.
func containsValue(list []any, v any) bool {
	vm, _ := v.(map[string]any)
	for _, e := range list {
		if em, ok := e.(map[string]any); ok && vm != nil && vm["value"] != nil {
			if reflect.DeepEqual(em["value"], vm["value"]) {
				return true
			}
			continue
		}
		if reflect.DeepEqual(e, v) {
			return true
		}
	}
	return false
}
