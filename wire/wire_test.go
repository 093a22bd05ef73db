package wire

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestClone: the copy holds what the original holds, and changing the copy's objects and arrays
// leaves the original as it was.
func TestClone(t *testing.T) {
	resource := func() map[string]any {
		return map[string]any{
			"userName": "ada@contoso.com",
			"name":     map[string]any{"givenName": "Ada"},
			"emails":   []any{map[string]any{"value": "ada@contoso.com", "primary": true}},
		}
	}
	orig := resource()
	c := Clone(orig)
	if diff := cmp.Diff(orig, c); diff != "" {
		t.Fatalf("Clone() (-orig +copy):\n%s", diff)
	}
	c["userName"] = "bea@contoso.com"
	c["name"].(map[string]any)["givenName"] = "Bea"
	c["emails"].([]any)[0].(map[string]any)["value"] = "bea@contoso.com"
	c["emails"] = append(c["emails"].([]any), "more")
	if diff := cmp.Diff(resource(), orig); diff != "" {
		t.Errorf("changing the copy changed the original (-want +got):\n%s", diff)
	}
	if got := Clone(map[string]any(nil)); got != nil {
		t.Errorf("Clone(nil map) = %#v, want nil", got)
	}
	if got := Clone[any]("ada"); got != "ada" {
		t.Errorf("Clone(string) = %#v", got)
	}
}

// TestParseName: "" is the first name, every name reads as itself, case counts, and an unknown
// name is an error that quotes it and lists the names.
func TestParseName(t *testing.T) {
	type mode string
	names := []mode{"always", "interval", "never"}
	for in, want := range map[string]mode{"": "always", "always": "always", "interval": "interval", "never": "never"} {
		if got, err := ParseName("sync mode", in, names...); err != nil || got != want {
			t.Errorf("ParseName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for in, want := range map[string]string{
		"Always": `unknown sync mode "Always" (want "always", "interval" or "never")`,
		"x y":    `unknown sync mode "x y" (want "always", "interval" or "never")`,
	} {
		if _, err := ParseName("sync mode", in, names...); err == nil || err.Error() != want {
			t.Errorf("ParseName(%q) error = %v; want %s", in, err, want)
		}
	}
	if _, err := ParseName("profile", "lax", "entra", "strict"); err == nil || err.Error() != `unknown profile "lax" (want "entra" or "strict")` {
		t.Errorf("ParseName(two names) error = %v", err)
	}
}

// TestGUID: the bytes in order, as 8-4-4-4-12 hex digits, with version 4 and the RFC 9562 variant
// whatever the bytes were.
func TestGUID(t *testing.T) {
	for _, tt := range []struct {
		b    [16]byte
		want string
	}{
		{[16]byte{}, "00000000-0000-4000-8000-000000000000"},
		{[16]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, "ffffffff-ffff-4fff-bfff-ffffffffffff"},
		{[16]byte{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0}, "12345678-9abc-4ef0-9234-56789abcdef0"},
	} {
		if got := GUID(tt.b); got != tt.want {
			t.Errorf("GUID(%x) = %s, want %s", tt.b, got, tt.want)
		}
	}
}

// counter is a random source that counts: its n-th draw is n.
type counter struct{ n int }

func (c *counter) Intn(int) int { c.n++; return c.n - 1 }

func TestRandomGUID_drawsSixteenBytesInOrder(t *testing.T) {
	c := &counter{}
	if got, want := RandomGUID(c), "00010203-0405-4607-8809-0a0b0c0d0e0f"; got != want {
		t.Errorf("RandomGUID = %s, want %s", got, want)
	}
	if c.n != 16 {
		t.Errorf("RandomGUID drew %d values, want 16", c.n)
	}
}

func TestMemberValues(t *testing.T) {
	for _, tc := range []struct {
		name  string
		group map[string]any
		want  []string
	}{
		{"in the order listed", map[string]any{"members": []any{map[string]any{"value": "u-2"}, map[string]any{"Value": "u-1", "$ref": nil}}}, []string{"u-2", "u-1"}},
		{"no members attribute", map[string]any{"displayName": "Sales"}, nil},
		{"a member without a string value is left out", map[string]any{"Members": []any{map[string]any{"value": 7}, "u-3", map[string]any{"value": "u-4"}}}, []string{"u-4"}},
	} {
		if got := MemberValues(tc.group); !cmp.Equal(got, tc.want) {
			t.Errorf("%s: MemberValues = %q, want %q", tc.name, got, tc.want)
		}
	}
}
