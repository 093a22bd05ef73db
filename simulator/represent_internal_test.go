package simulator

import (
	"encoding/json"
	"testing"

	"github.com/scimsim/scimsim/wire"
)

// TestDecodeRecord_DropsUnassigned: a state file written with nulls, empty lists or empty objects
// (by an older version, or by hand) loads without them, as encodeRecord would have stored it
// (RFC 7643 §2.5).
func TestDecodeRecord_DropsUnassigned(t *testing.T) {
	meta := `"meta":{"created":"2026-11-25T10:00:00.000Z","lastModified":"2026-11-25T10:00:00.000Z","resourceType":"User","version":"W/\"3\""}`
	for _, tc := range []struct{ in, want string }{
		{`{"id":"u1",` + meta + `,"name":{},"roles":null,"schemas":["` + wire.UserSchema + `"],"userName":"a"}`,
			`{"id":"u1",` + meta + `,"schemas":["` + wire.UserSchema + `"],"userName":"a"}`},
		{`{"emails":[{"type":null,"value":null}],"id":"u1",` + meta + `,"schemas":["` + wire.UserSchema + `"],"userName":"a"}`,
			`{"id":"u1",` + meta + `,"schemas":["` + wire.UserSchema + `"],"userName":"a"}`},
		{`{"emails":[null,{"value":"a@b"}],"id":"u1",` + meta + `,"schemas":["` + wire.UserSchema + `"],"userName":"null"}`,
			`{"emails":[{"value":"a@b"}],"id":"u1",` + meta + `,"schemas":["` + wire.UserSchema + `"],"userName":"null"}`},
		{`{"id":"u1",` + meta + `,"schemas":["` + wire.UserSchema + `"],"userName":"a"}`,
			`{"id":"u1",` + meta + `,"schemas":["` + wire.UserSchema + `"],"userName":"a"}`},
	} {
		rec, err := decodeRecord(userKind, stateResource{Seq: 1, Resource: json.RawMessage(tc.in)})
		if err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if rec.Doc != tc.want {
			t.Errorf("%s\n got %s\nwant %s", tc.in, rec.Doc, tc.want)
		}
	}
}

// TestAssignedAttrs_NoCopyWhenAssigned: the write path pays no copy for a resource without
// unassigned values, and the caller's map is never modified.
func TestAssignedAttrs_NoCopyWhenAssigned(t *testing.T) {
	in := map[string]any{"userName": "a", "name": map[string]any{"givenName": "A"}, "emails": []any{map[string]any{"value": "a@b"}}}
	if got := assignedAttrs(in); len(got) != 3 {
		t.Fatalf("assignedAttrs changed an assigned resource: %v", got)
	}
	if n := testing.AllocsPerRun(100, func() { assignedAttrs(in) }); n != 0 {
		t.Errorf("assignedAttrs allocates %v times for an assigned resource", n)
	}
	with := map[string]any{"userName": "a", "roles": []any{}, "name": map[string]any{"givenName": nil}}
	out := assignedAttrs(with)
	if len(out) != 1 || out["userName"] != "a" {
		t.Errorf("assignedAttrs(%v) = %v, want only userName", with, out)
	}
	if len(with) != 3 || len(with["name"].(map[string]any)) != 1 {
		t.Errorf("assignedAttrs modified its input: %v", with)
	}
}

// TestEncodeRecord_LeavesOutUnassigned: an unassigned value at the top of a resource, which
// encodeRecord skips without copying the attributes, and one nested deeper, for which it copies
// them, are both stored as if never sent; and the caller's map is not modified.
func TestEncodeRecord_LeavesOutUnassigned(t *testing.T) {
	m := metaInfo{version: 1}
	want, err := encodeRecord(userKind, "u1", 1, map[string]any{"userName": "a"}, m)
	if err != nil {
		t.Fatal(err)
	}
	for _, attrs := range []map[string]any{
		{"userName": "a", "roles": []any{}},
		{"userName": "a", "roles": []any(nil), "title": nil, "name": map[string]any{}},
		{"userName": "a", "name": map[string]any{"givenName": nil}, "roles": []any{}},
		{"userName": "a", "emails": []any{map[string]any{"value": nil}}},
	} {
		n := len(attrs)
		got, err := encodeRecord(userKind, "u1", 1, attrs, m)
		if err != nil {
			t.Fatal(err)
		}
		if got.Doc != want.Doc || got.Name != "a" {
			t.Errorf("encodeRecord(%v) = %s (name %q), want %s", attrs, got.Doc, got.Name, want.Doc)
		}
		if len(attrs) != n {
			t.Errorf("encodeRecord modified its input: %v", attrs)
		}
	}
}

// TestResourceSize: resourceSize is the exact length of a rendered resource whose id needs no
// escaping, so that rendering it allocates once.
func TestResourceSize(t *testing.T) {
	rec, err := encodeRecord(userKind, "2819c223-7f76-453a-919d-413861904646", 1, map[string]any{"userName": "a"}, metaInfo{version: 1})
	if err != nil {
		t.Fatal(err)
	}
	b := newBase("https://example.com/tenants/t1/scim/v2")
	if got, want := len(appendResource(nil, userKind, rec, b)), resourceSize(userKind, rec, b); got != want {
		t.Fatalf("appendResource wrote %d bytes, resourceSize says %d", got, want)
	}
	if n := testing.AllocsPerRun(100, func() {
		appendResource(make([]byte, 0, resourceSize(userKind, rec, b)), userKind, rec, b)
	}); n != 1 {
		t.Errorf("rendering allocates %v times, want 1", n)
	}
}
