package wire

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Redacted replaces the secret token wherever an exchange would show it.
const Redacted = "REDACTED"

// BearerRedacted is the Authorization header of a request sent with the configured token, as
// recorded.
const BearerRedacted = "Bearer " + Redacted

// Who sends a recorded request.
const (
	// ByEntra: a request Microsoft Entra ID's provisioning service sends (the default).
	ByEntra = ""
	// ByScimsim: a request Entra does not send, made by scimsim to check a result (reading a resource
	// back after a write) or to clean up.
	ByScimsim = "scimsim"
)

// Exchange is one HTTP request and its answer, as reports show them. The secret token never appears:
// Authorization reads "Bearer REDACTED", and Redact removes the token from the bodies too.
type Exchange struct {
	Method string `json:"method"`
	URL    string `json:"url"`
	// Authorization is the header sent: BearerRedacted for the configured token, a deliberately
	// wrong value as sent, or "" when none was sent.
	Authorization string `json:"authorization,omitempty"`
	RequestBody   string `json:"requestBody,omitempty"`
	// Status is the answer's HTTP status; 0 when there was none (Error) or nothing was sent (a dry run).
	Status       int    `json:"status,omitempty"`
	ContentType  string `json:"contentType,omitempty"`
	ResponseBody string `json:"responseBody,omitempty"`
	// Error is the transport failure when there was no answer.
	Error string `json:"error,omitempty"`
	// Attempt counts from 1; Retry says why an attempt after the first was made.
	Attempt int    `json:"attempt,omitempty"`
	Retry   string `json:"retry,omitempty"`
	// By is ByScimsim for a request Entra does not send.
	By string `json:"by,omitempty"`
}

// IsWrite reports whether the request changes the target.
func (e Exchange) IsWrite() bool {
	switch e.Method {
	case "POST", "PATCH", "PUT", "DELETE":
		return true
	}
	return false
}

// Curl renders the request as a curl command line that reproduces it, so that it can be replayed by
// hand (Microsoft's tip for a failing step: reproduce the request with a REST tool such as cURL). The
// token is read from $TOKEN, never written.
func (e Exchange) Curl() string {
	var b strings.Builder
	b.WriteString("curl -sS")
	if e.Method != "GET" {
		b.WriteString(" -X ")
		b.WriteString(e.Method)
	}
	b.WriteString(" ")
	b.WriteString(ShellQuote(e.URL))
	switch e.Authorization {
	case "":
	case BearerRedacted:
		b.WriteString(` -H "Authorization: Bearer $TOKEN"`)
	default:
		b.WriteString(" -H ")
		b.WriteString(ShellQuote("Authorization: " + e.Authorization))
	}
	if e.RequestBody != "" {
		b.WriteString(" -H ")
		b.WriteString(ShellQuote("Content-Type: " + MediaType))
		b.WriteString(" --data ")
		b.WriteString(ShellQuote(e.RequestBody))
	}
	return b.String()
}

// Answer summarises the answer in one line: the status, with the scimType and detail of a SCIM error
// or the start of any other error body.
func (e Exchange) Answer() string {
	if e.Error != "" {
		return "no answer: " + e.Error
	}
	if e.Status == 0 {
		return "not sent (dry run)"
	}
	s := fmt.Sprintf("%d", e.Status)
	var se struct {
		ScimType string `json:"scimType"`
		Detail   string `json:"detail"`
	}
	if json.Unmarshal([]byte(e.ResponseBody), &se) == nil && (se.ScimType != "" || se.Detail != "") {
		if se.ScimType != "" {
			s += " " + se.ScimType
		}
		if se.Detail != "" {
			s += ": " + OneLine(se.Detail, 200)
		}
		return s
	}
	if e.Status >= 300 && e.ResponseBody != "" {
		s += ": " + OneLine(e.ResponseBody, 200)
	}
	return s
}

// ShellQuote quotes s for a POSIX shell.
func ShellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// minRedactLen is the shortest token redacted wherever it appears. A shorter one (a test token such
// as "t") is no secret worth the name, and replacing it everywhere would garble the bodies; it is
// still redacted after "Bearer ".
const minRedactLen = 8

// Redact removes token from s: after "Bearer " always, anywhere else when the token is at least 8
// characters long. It is the one rule for everything recorded (bodies an endpoint echoes, error
// messages), so that a report can be shared.
func Redact(s, token string) string {
	if token == "" || s == "" {
		return s
	}
	s = strings.ReplaceAll(s, "Bearer "+token, BearerRedacted)
	if len(token) >= minRedactLen {
		s = strings.ReplaceAll(s, token, Redacted)
	}
	return s
}

// Cap cuts b to at most n bytes at a rune boundary for a recorded body, saying how long it was.
func Cap(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(b[cut]) {
		cut--
	}
	return string(b[:cut]) + fmt.Sprintf("… (%d bytes in all)", len(b))
}

// OneLine collapses whitespace and cuts s to about n bytes at a rune boundary, for one-line messages.
func OneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
