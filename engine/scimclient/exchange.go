package scimclient

import (
	"strings"
)

// Redacted replaces the secret token in recorded exchanges.
const Redacted = "REDACTED"

// Reasons an attempt was retried, recorded on the retry's exchange.
const (
	// RetryThrottled: the previous attempt was answered 429 Too Many Requests.
	RetryThrottled = "throttled"
	// RetryTimeout: the previous attempt got no answer in time; a write may have been applied.
	RetryTimeout = "timeout"
)

// Exchange is one HTTP request and its answer, as the report shows it. The secret token never
// appears: Authorization reads "Bearer REDACTED".
type Exchange struct {
	Method        string `json:"method"`
	URL           string `json:"url"`
	Authorization string `json:"authorization,omitempty"`
	RequestBody   string `json:"requestBody,omitempty"`
	Status        int    `json:"status,omitempty"`
	ContentType   string `json:"contentType,omitempty"`
	ResponseBody  string `json:"responseBody,omitempty"`
	// Error is the transport failure when there was no answer.
	Error string `json:"error,omitempty"`
	// Attempt counts from 1; Retry says why an attempt after the first was made.
	Attempt int    `json:"attempt,omitempty"`
	Retry   string `json:"retry,omitempty"`
}

// IsWrite reports whether the request changes the target.
func (e Exchange) IsWrite() bool {
	switch e.Method {
	case "POST", "PATCH", "PUT", "DELETE":
		return true
	}
	return false
}

// Curl renders the request as a curl command line, so that it can be replayed by hand (the
// source document's tip: "you can use a tool like Postman"). The token stays redacted.
func (e Exchange) Curl() string {
	var b strings.Builder
	b.WriteString("curl -sS")
	if e.Method != "GET" {
		b.WriteString(" -X ")
		b.WriteString(e.Method)
	}
	b.WriteString(" ")
	b.WriteString(shellQuote(e.URL))
	if e.Authorization != "" {
		b.WriteString(" -H ")
		b.WriteString(shellQuote("Authorization: " + e.Authorization))
	}
	if e.RequestBody != "" {
		b.WriteString(" -H ")
		b.WriteString(shellQuote("Content-Type: " + ContentType))
		b.WriteString(" --data ")
		b.WriteString(shellQuote(e.RequestBody))
	}
	return b.String()
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
