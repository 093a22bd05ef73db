package simulator

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/elimity-com/scim/schema"
	"go.yaml.in/yaml/v3"

	"github.com/scimsim/scimsim/internal/decode"
	"github.com/scimsim/scimsim/wire"
)

// Custom schemas: the attributes a real application has beyond the core User and Group and the
// enterprise extension, as RFC 7643 Section 7 schema resources (what GET /Schemas returns: one
// object, or a list of them; a ListResponse's Resources is accepted too). They are read here into
// elimity's schema.Schema, the attribute model the built-in schemas use, so that validation,
// filters, sorting, projection and PATCH treat a custom attribute as a built-in one.
//
// A mistake is reported as "file:line:col: field: message" naming the attribute (internal/decode),
// every mistake of the file at once.

// attrName is ATTRNAME of RFC 7643 Section 2.1 (ALPHA *(nameChar), nameChar = "-" / "_" / DIGIT
// / ALPHA); "$ref" is also a sub-attribute's name (Section 2.4).
var attrName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)

// The values RFC 7643 Section 7 allows for an attribute's characteristics.
var (
	attrTypes   = []string{"string", "boolean", "decimal", "integer", "dateTime", "reference", "complex", "binary"}
	mutabilitys = []string{"readOnly", "readWrite", "immutable", "writeOnly"}
	returneds   = []string{"always", "never", "default", "request"}
	uniquenesss = []string{"none", "server", "global"}
	schemaKeys  = []string{"id", "name", "description", "attributes", "schemas", "meta"}
	attrKeys    = []string{"name", "type", "subAttributes", "multiValued", "description", "required",
		"canonicalValues", "caseExact", "mutability", "returned", "uniqueness", "referenceTypes"}
)

// builtinSchemas are the schemas a file may not define again.
var builtinSchemas = []string{wire.UserSchema, wire.GroupSchema, wire.EnterpriseSchema}

// LoadSchemas reads RFC 7643 Section 7 schema resources from b, the file name: one schema object,
// a list of them, or a ListResponse holding them (JSON, or YAML of the same shape).
func LoadSchemas(name string, b []byte) ([]schema.Schema, error) {
	root, err := decode.Document(name, b, "schema file")
	if err != nil {
		return nil, err
	}
	d := &schemaDecoderT{decode.New(name)}
	var nodes []*yaml.Node
	switch root.Kind {
	case yaml.SequenceNode:
		nodes = root.Content
	case yaml.MappingNode:
		nodes = []*yaml.Node{root}
		if res := decode.Find(root, "Resources"); res != nil && res.Kind == yaml.SequenceNode {
			nodes = res.Content
		}
	default:
		return nil, d.Errorf(root, "", "want a schema (a mapping) or a list of schemas, got %s", decode.Describe(root))
	}
	var out []schema.Schema
	seen := map[string]bool{}
	for i, n := range nodes {
		field := ""
		if len(nodes) > 1 || root.Kind == yaml.SequenceNode {
			field = decode.Index("", i)
		}
		doc, id, ok := d.schemaDoc(n, field)
		if !ok {
			continue
		}
		if seen[strings.ToLower(id)] {
			d.Add(d.Errorf(n, field, "schema %q is defined twice", id))
			continue
		}
		seen[strings.ToLower(id)] = true
		raw, err := json.Marshal(doc)
		if err != nil {
			d.Add(d.Errorf(n, field, "schema %q: %v", id, err))
			continue
		}
		var s schema.Schema
		if err := s.UnmarshalJSON(raw); err != nil {
			d.Add(d.Errorf(n, field, "schema %q: %v", id, err))
			continue
		}
		out = append(out, s)
	}
	if err := d.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, decode.Errorf(decode.Pos{File: name, Line: root.Line}, "", "no schema in the file")
	}
	return out, nil
}

// schemaDecoderT is decode.Decoder with the schema checks.
type schemaDecoderT struct{ *decode.Decoder }

// fields reads the members of mapping n (decode.Decoder.Fields), passing fn each one's field path;
// it adds an error to d and reports false when the members cannot be read.
func (d *schemaDecoderT) fields(n *yaml.Node, field string, keys []string, fn func(key, f string, v *yaml.Node) error) bool {
	err := d.Fields(n, field, nil, keys, func(key string, _, v *yaml.Node) error {
		return fn(key, decode.Field(field, key), v)
	})
	if err != nil {
		d.Add(err)
		return false
	}
	return true
}

// schemaDoc checks one schema resource and returns it as the JSON object elimity's
// Schema.UnmarshalJSON reads, with every characteristic written out.
func (d *schemaDecoderT) schemaDoc(n *yaml.Node, field string) (map[string]any, string, bool) {
	before := d.Len()
	doc := map[string]any{}
	var id string
	var attrs *yaml.Node
	if !d.fields(n, field, schemaKeys, func(key, f string, v *yaml.Node) error {
		switch key {
		case "id":
			var err error
			id, err = d.Str(v, f)
			return err
		case "name", "description":
			return into[string](doc, key)(d.Str(v, f))
		case "attributes":
			attrs = v
		}
		return nil
	}) {
		return nil, "", false
	}
	switch {
	case id == "":
		d.Add(d.Errorf(n, field, "a schema needs an id, its URN (RFC 7643 Section 7)"))
	case !strings.HasPrefix(strings.ToLower(id), "urn:"):
		d.Add(d.Errorf(n, decode.Field(field, "id"), "schema id %q is not a URN (urn:...)", id))
	case containsFold(builtinSchemas, id):
		d.Add(d.Errorf(n, decode.Field(field, "id"), "schema %q is built in; a custom schema needs a URN of its own", id))
	}
	if attrs == nil {
		d.Add(d.Errorf(n, field, "schema %q has no attributes", id))
		return nil, "", false
	}
	list := d.attributes(attrs, decode.Field(field, "attributes"), id, false)
	if d.Len() > before {
		return nil, "", false
	}
	doc["id"] = id
	doc["attributes"] = list
	return doc, id, true
}

// attributes checks a list of attribute definitions: of a schema, or a complex attribute's
// sub-attributes (sub). owner names where they are, for messages.
func (d *schemaDecoderT) attributes(n *yaml.Node, field, owner string, sub bool) []any {
	var out []any
	names := map[string]string{}
	before := d.Len()
	d.Add(d.Sequence(n, field, func(i int, item *yaml.Node) error {
		f := decode.Index(field, i)
		a, name, ok := d.attribute(item, f, owner, sub)
		if !ok {
			return nil
		}
		if prev, dup := names[strings.ToLower(name)]; dup {
			return d.Errorf(item, f, "attribute %q of %s is defined twice (as %q before; names are case-insensitive)", name, owner, prev)
		}
		names[strings.ToLower(name)] = name
		out = append(out, a)
		return nil
	}))
	if len(out) == 0 && d.Len() == before {
		d.Add(d.Errorf(n, field, "%s has no attributes", owner))
	}
	return out
}

// attribute checks one attribute definition (RFC 7643 Section 7, "attributes") and returns it
// with its characteristics written out: the defaults of Section 2.2 for those not given.
func (d *schemaDecoderT) attribute(n *yaml.Node, field, owner string, sub bool) (map[string]any, string, bool) {
	before := d.Len()
	a := map[string]any{"multiValued": false, "required": false, "caseExact": false,
		"mutability": "readWrite", "returned": "default", "uniqueness": "none"}
	name := ""
	if nn := decode.Find(n, "name"); nn != nil && nn.Kind == yaml.ScalarNode {
		name = nn.Value
	}
	what := fmt.Sprintf("attribute %q of %s", name, owner)
	var subs *yaml.Node
	oneOf := func(v *yaml.Node, f, key string, allowed []string) error {
		s, err := d.Str(v, f)
		if err != nil {
			return err
		}
		if !slices.Contains(allowed, s) {
			return d.Errorf(v, f, "%s: %s %q is not one of %s", what, key, s, strings.Join(allowed, ", "))
		}
		a[key] = s
		return nil
	}
	if !d.fields(n, field, attrKeys, func(key, f string, v *yaml.Node) error {
		switch key {
		case "name":
			s, err := d.Str(v, f)
			if err != nil {
				return err
			}
			if !attrName.MatchString(s) && !(sub && s == "$ref") {
				return d.Errorf(v, f, "%q is not an attribute name: a letter, then letters, digits, '-' and '_' (RFC 7643 Section 2.1)", s)
			}
			a[key] = s
		case "type":
			return oneOf(v, f, key, attrTypes)
		case "mutability":
			return oneOf(v, f, key, mutabilitys)
		case "returned":
			return oneOf(v, f, key, returneds)
		case "uniqueness":
			return oneOf(v, f, key, uniquenesss)
		case "multiValued", "required", "caseExact":
			return into[bool](a, key)(d.Bool(v, f))
		case "description":
			return into[string](a, key)(d.Str(v, f))
		case "canonicalValues", "referenceTypes":
			return into[[]string](a, key)(d.Strings(v, f))
		case "subAttributes":
			subs = v
		}
		return nil
	}) {
		return nil, "", false
	}
	if name == "" {
		d.Add(d.Errorf(n, field, "an attribute of %s needs a name", owner))
	}
	typ, _ := a["type"].(string)
	switch {
	case typ == "" && d.Len() == before:
		d.Add(d.Errorf(n, field, "%s needs a type (%s)", what, strings.Join(attrTypes, ", ")))
	case typ == "complex" && sub:
		d.Add(d.Errorf(n, decode.Field(field, "type"), "%s is complex inside a complex attribute, which RFC 7643 Section 2.3.8 does not allow", what))
	case typ == "complex" && subs == nil:
		d.Add(d.Errorf(n, field, "%s is complex and needs subAttributes", what))
	case typ == "complex":
		a["subAttributes"] = d.attributes(subs, decode.Field(field, "subAttributes"), what, true)
	case subs != nil:
		d.Add(d.Errorf(subs, decode.Field(field, "subAttributes"), "%s has subAttributes but is of type %q, not complex", what, typ))
	}
	if d.Len() > before {
		return nil, "", false
	}
	return a, name, true
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// into returns a function that stores a decoded value under key in m, or returns the error that
// decoding it gave: `return into[string](doc, key)(d.Str(v, f))`.
func into[T any](m map[string]any, key string) func(T, error) error {
	return func(v T, err error) error {
		if err != nil {
			return err
		}
		m[key] = v
		return nil
	}
}
