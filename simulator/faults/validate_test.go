package faults_test

import (
	"errors"
	"testing"

	"github.com/scimsim/scimsim/simulator/faults"
)

func TestSpec_Validate(t *testing.T) {
	// Every type, in the registry's order (by name): the list the messages give.
	known := knownTypes()
	tests := []struct {
		name   string
		spec   faults.Spec
		want   string // "" for a valid spec
		reason string
	}{
		{name: "minimal", spec: faults.Spec{Type: "throttle"}},
		{name: "JSON numbers", spec: faults.Spec{Type: "server_error", Attributes: map[string]any{"status": 503.0, "retryAfter": 5.0}},
			reason: "encoding/json decodes numbers as float64"},
		{name: "YAML numbers", spec: faults.Spec{Type: "server_error", Attributes: map[string]any{"status": 502}},
			reason: "the YAML library decodes integers as int"},
		{name: "string list as one string", spec: faults.Spec{Type: "drop_attribute", Attributes: map[string]any{"attribute": "title"}}},
		{name: "string list", spec: faults.Spec{Type: "drop_attribute", Attributes: map[string]any{"attribute": []any{"title", "name.givenName"}}}},
		{name: "full match", spec: faults.Spec{Name: "m.1_x", Type: "conflict", Probability: 1, Match: faults.Match{
			Method: "post", Path: "/Users/*", Resource: "Users", FilterAttribute: "userName", Tenant: "a"}}},
		{name: "unknown type", spec: faults.Spec{Name: "x", Type: "throtle"},
			want: `fault "x": unknown type "throtle" (known: ` + known + `)`},
		{name: "no type", spec: faults.Spec{},
			want: `fault: type is required (one of ` + known + `)`},
		{name: "unknown attribute", spec: faults.Spec{Name: "t", Type: "throttle", Attributes: map[string]any{"retry": 5}},
			want: `fault "t": unknown attribute "retry" for type throttle (known: retryAfter)`},
		{name: "attribute for a type without any", spec: faults.Spec{Type: "conflict", Attributes: map[string]any{"status": 409}},
			want: `fault: unknown attribute "status" for type conflict (it takes none)`},
		{name: "string for integer", spec: faults.Spec{Name: "t", Type: "throttle", Attributes: map[string]any{"retryAfter": "5"}},
			want: `fault "t": attribute "retryAfter": want a whole number, got string "5"`},
		{name: "fraction for integer", spec: faults.Spec{Name: "t", Type: "throttle", Attributes: map[string]any{"retryAfter": 1.5}},
			want: `fault "t": attribute "retryAfter": want a whole number, got 1.5`},
		{name: "huge integer", spec: faults.Spec{Name: "t", Type: "throttle", Attributes: map[string]any{"retryAfter": 1e20}},
			want: `fault "t": attribute "retryAfter": 1e+20 is out of range`},
		{name: "status not allowed", spec: faults.Spec{Name: "e", Type: "server_error", Attributes: map[string]any{"status": 418.0}},
			want: `fault "e": attribute "status": 418 is not one of 500, 502, 503`},
		{name: "negative delay", spec: faults.Spec{Name: "l", Type: "latency", Attributes: map[string]any{"delayMs": -1}},
			want: `fault "l": attribute "delayMs": must not be negative, got -1`},
		{name: "required attribute", spec: faults.Spec{Name: "d", Type: "drop_attribute"},
			want: `fault "d": attribute "attribute" is required for type drop_attribute`},
		{name: "bad list element", spec: faults.Spec{Name: "d", Type: "drop_attribute", Attributes: map[string]any{"attribute": []any{"title", 3.0}}},
			want: `fault "d": attribute "attribute": element 1: want a string, got 3`},
		{name: "empty list", spec: faults.Spec{Name: "d", Type: "drop_attribute", Attributes: map[string]any{"attribute": []any{}}},
			want: `fault "d": attribute "attribute": must name at least one attribute`},
		{name: "object for list", spec: faults.Spec{Name: "d", Type: "drop_attribute", Attributes: map[string]any{"attribute": map[string]any{}}},
			want: `fault "d": attribute "attribute": want a string or a list of strings, got an object`},
		{name: "everything wrong at once", spec: faults.Spec{Name: "a b", Type: "latency", After: -1, Count: -2, Probability: 1.5,
			Match: faults.Match{Method: "FETCH", Path: "Users"}, Attributes: map[string]any{"delayMs": true, "jitter": 5}},
			want: `fault "a b": name "a b" may only contain letters, digits, '.', '_' and '-'; after must not be negative, got -1; ` +
				`count must not be negative, got -2; probability must be between 0 and 1, got 1.5; ` +
				`match.method "FETCH" is not one of GET, POST, PUT, PATCH, DELETE; match.path "Users" must start with '/' or '*'; ` +
				`attribute "delayMs": want a whole number, got boolean true; unknown attribute "jitter" for type latency (known: delayMs, jitterMs)`,
			reason: "a user fixes a fault file in one pass"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.spec.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate()=%v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate()=nil, want %q", tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Fatalf("Validate()=\n%s\nwant\n%s", got, tt.want)
			}
			if !errors.Is(err, faults.ErrInvalidSpec) {
				t.Errorf("errors.Is(%v, ErrInvalidSpec)=false", err)
			}
		})
	}
}
