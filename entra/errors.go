package entra

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/scimsim/scimsim/wire"
)

// Kind classifies a failed request.
type Kind int

const (
	// KindStatus: the target answered with a status the operation does not expect.
	KindStatus Kind = iota
	// KindConnection: the host could not be reached, or dropped the connection.
	KindConnection
	// KindTLS: the TLS handshake failed (untrusted or invalid certificate, protocol mismatch).
	KindTLS
	// KindTimeout: the target did not answer within the deadline.
	KindTimeout
	// KindIncompatible: the answer is not SCIM (wrong content type, not JSON, no id, no
	// ListResponse).
	KindIncompatible
	// KindCanceled: the caller gave up.
	KindCanceled
)

var kindNames = [...]string{"status", "connection", "tls", "timeout", "incompatible", "canceled"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Error is a failed SCIM request.
type Error struct {
	Kind   Kind
	Method string
	URL    string
	// Status is the HTTP status of the final answer, 0 when there was none.
	Status int
	// ScimType and Detail come from the SCIM error body (RFC 7644 Section 3.12), when present;
	// GraphCode and Detail from a Microsoft Graph error body ({"error": {"code", "message"}}).
	ScimType  string
	GraphCode string
	Detail    string
	// RetryAfter is the Retry-After header of a final 429.
	RetryAfter string
	// Body and ContentType are the answer's, as recorded (token redacted, capped); RequestBody is
	// what was sent.
	Body        string
	ContentType string
	RequestBody string
	// Attempts is how many attempts were made.
	Attempts int
	Err      error
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: ", e.Method, e.URL)
	switch e.Kind {
	case KindStatus:
		fmt.Fprintf(&b, "%d %s", e.Status, http.StatusText(e.Status))
		if e.ScimType != "" {
			fmt.Fprintf(&b, " (scimType %s)", e.ScimType)
		}
		if e.GraphCode != "" {
			fmt.Fprintf(&b, " (%s)", e.GraphCode)
		}
		switch {
		case e.Detail != "":
			fmt.Fprintf(&b, ": %s", e.Detail)
		case strings.TrimSpace(e.Body) != "":
			fmt.Fprintf(&b, ": %s", wire.OneLine(e.Body, 300))
		}
		if e.Status == http.StatusTooManyRequests && e.Attempts > 0 {
			fmt.Fprintf(&b, " (after %s", plural(e.Attempts, "attempt"))
			if e.RetryAfter != "" {
				fmt.Fprintf(&b, ", Retry-After %s", e.RetryAfter)
			}
			b.WriteString(")")
		}
	case KindIncompatible:
		b.WriteString("incompatible answer")
		if e.Status != 0 {
			fmt.Fprintf(&b, " (status %d)", e.Status)
		}
		fmt.Fprintf(&b, ": %s", e.Detail)
	case KindTLS:
		fmt.Fprintf(&b, "TLS failure: %v", e.Err)
		if e.Detail != "" {
			fmt.Fprintf(&b, "; %s", e.Detail)
		}
	case KindTimeout:
		b.WriteString("no answer within the deadline")
		if e.Err != nil {
			fmt.Fprintf(&b, ": %v", e.Err)
		}
	default:
		fmt.Fprintf(&b, "%s failure: %v", e.Kind, e.Err)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// plural writes n and the noun, with an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
