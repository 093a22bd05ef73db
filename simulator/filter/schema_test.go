package filter

import (
	"testing"

	"github.com/elimity-com/scim/schema"
)

const extraURN = "urn:scimsim:test:2.0:Extra"

// testSchema is the User schema with the enterprise extension and an extension holding one attribute
// of each non-string type.
func testSchema() Schema {
	extra := schema.Schema{
		ID: extraURN,
		Attributes: []schema.CoreAttribute{
			schema.SimpleCoreAttribute(schema.SimpleNumberParams(schema.NumberParams{Name: "age", Type: schema.AttributeTypeInteger()})),
			schema.SimpleCoreAttribute(schema.SimpleNumberParams(schema.NumberParams{Name: "score", Type: schema.AttributeTypeDecimal()})),
			schema.SimpleCoreAttribute(schema.SimpleNumberParams(schema.NumberParams{Name: "badges", Type: schema.AttributeTypeInteger(), MultiValued: true})),
			schema.SimpleCoreAttribute(schema.SimpleDateTimeParams(schema.DateTimeParams{Name: "hired"})),
			schema.SimpleCoreAttribute(schema.SimpleBooleanParams(schema.BooleanParams{Name: "verified"})),
			schema.SimpleCoreAttribute(schema.SimpleBinaryParams(schema.BinaryParams{Name: "photo"})),
		},
	}
	return SchemaOf(schema.CoreUserSchema(), schema.ExtensionEnterpriseUser(), extra)
}

func TestSchemaOf_Lookup(t *testing.T) {
	s := testSchema()
	tests := []struct {
		urn, attr, sub string
		want           AttrInfo
		ok             bool
	}{
		{"", "userName", "", AttrInfo{Type: "string"}, true},
		{"", "USERNAME", "", AttrInfo{Type: "string"}, true},
		{userURN, "userName", "", AttrInfo{Type: "string"}, true},
		{"URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER", "userName", "", AttrInfo{Type: "string"}, true},
		{"", "emails", "", AttrInfo{Type: "complex", MultiValued: true}, true},
		{"", "emails", "Value", AttrInfo{Type: "string"}, true},
		{"", "emails", "nope", AttrInfo{}, false},
		{"", "active", "", AttrInfo{Type: "boolean"}, true},
		{"", "nope", "", AttrInfo{}, false},
		{"", "employeeNumber", "", AttrInfo{}, false},
		{enterpriseURN, "employeeNumber", "", AttrInfo{Type: "string"}, true},
		{enterpriseURN, "manager", "value", AttrInfo{Type: "string"}, true},
		{enterpriseURN, "userName", "", AttrInfo{}, false},
		{extraURN, "badges", "", AttrInfo{Type: "integer", MultiValued: true}, true},
		{"urn:nope", "age", "", AttrInfo{}, false},
	}
	for _, tt := range tests {
		got, ok := s.Lookup(tt.urn, tt.attr, tt.sub)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Lookup(%q, %q, %q)=%+v, %v; want %+v, %v", tt.urn, tt.attr, tt.sub, got, ok, tt.want, tt.ok)
		}
	}
}

func TestLookup_CommonAttributes(t *testing.T) {
	tests := []struct {
		urn, attr, sub string
		want           AttrInfo
		ok             bool
	}{
		{"", "id", "", AttrInfo{Type: "string", CaseExact: true}, true},
		{"", "ID", "", AttrInfo{Type: "string", CaseExact: true}, true},
		{userURN, "externalId", "", AttrInfo{Type: "string", CaseExact: true}, true},
		{"", "schemas", "", AttrInfo{Type: "string", MultiValued: true}, true},
		{"", "meta", "", AttrInfo{Type: "complex"}, true},
		{"", "meta", "lastModified", AttrInfo{Type: "dateTime"}, true},
		{"", "meta", "resourceType", AttrInfo{Type: "string", CaseExact: true}, true},
		{"", "meta", "location", AttrInfo{Type: "reference", CaseExact: true}, true},
		{"", "id", "x", AttrInfo{}, false},
		{enterpriseURN, "id", "", AttrInfo{}, false},
	}
	for _, tt := range tests {
		got, ok := lookup(nil, tt.urn, tt.attr, tt.sub)
		if got != tt.want || ok != tt.ok {
			t.Errorf("lookup(nil, %q, %q, %q)=%+v, %v; want %+v, %v", tt.urn, tt.attr, tt.sub, got, ok, tt.want, tt.ok)
		}
	}
}
