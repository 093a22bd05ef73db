package wire

import "testing"

func TestExchange_Curl(t *testing.T) {
	for _, tt := range []struct {
		name string
		ex   Exchange
		want string
	}{
		{"token from $TOKEN", Exchange{Method: "PATCH", URL: "http://h/scim/v2/Users/1", Authorization: BearerRedacted, RequestBody: `{"op":"it's"}`},
			`curl -sS -X PATCH 'http://h/scim/v2/Users/1' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/scim+json' --data '{"op":"it'\''s"}'`},
		{"deliberately wrong header as sent", Exchange{Method: "GET", URL: "http://h/Users", Authorization: "Bearer wrong"},
			`curl -sS 'http://h/Users' -H 'Authorization: Bearer wrong'`},
		{"no header", Exchange{Method: "DELETE", URL: "http://h/Users/1"}, `curl -sS -X DELETE 'http://h/Users/1'`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.ex.Curl(); got != tt.want {
				t.Errorf("Curl() =\n %s\nwant\n %s", got, tt.want)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	for _, tt := range []struct {
		s, token, want string
	}{
		{"Authorization: Bearer t and t", "t", "Authorization: Bearer REDACTED and t"},
		{`{"echo":"secret-token-1"}`, "secret-token-1", `{"echo":"REDACTED"}`},
		{"nothing", "", "nothing"},
	} {
		if got := Redact(tt.s, tt.token); got != tt.want {
			t.Errorf("Redact(%q, %q) = %q, want %q", tt.s, tt.token, got, tt.want)
		}
	}
}

func TestExchange_Answer(t *testing.T) {
	for _, tt := range []struct {
		ex   Exchange
		want string
	}{
		{Exchange{Status: 400, ResponseBody: `{"scimType":"invalidValue","detail":"bad\n value"}`}, "400 invalidValue: bad value"},
		{Exchange{Status: 401, ResponseBody: "Unauthorized"}, "401: Unauthorized"},
		{Exchange{Status: 204}, "204"},
		{Exchange{Error: "connection refused"}, "no answer: connection refused"},
		{Exchange{}, "not sent (dry run)"},
	} {
		if got := tt.ex.Answer(); got != tt.want {
			t.Errorf("Answer() = %q, want %q", got, tt.want)
		}
	}
}

func TestCap(t *testing.T) {
	if got, want := Cap([]byte("héllo"), 2), "h… (6 bytes in all)"; got != want {
		t.Errorf("Cap = %q, want %q (cut at a rune boundary)", got, want)
	}
	if got := Cap([]byte("abc"), 3); got != "abc" {
		t.Errorf("Cap = %q", got)
	}
}
