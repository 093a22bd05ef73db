package simulator

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"
)

// The request journal as an HTTP Archive (GET /admin/requests?format=har): HAR 1.2, the format
// browser devtools (Network panel, "Import HAR file") and Postman import. The journal keeps a
// request's method, URL, body, status and duration, not headers or the response body, so those are
// empty lists and sizes of -1, which the format allows for what was not recorded; what scimsim adds
// is in underscore fields, the format's way for custom data (HAR 1.2, "Custom Fields").

type harFile struct {
	Log harLog `json:"log"`
}

type harLog struct {
	Version string     `json:"version"`
	Creator harCreator `json:"creator"`
	Pages   []struct{} `json:"pages"`
	Entries []harEntry `json:"entries"`
	Comment string     `json:"comment,omitempty"`
}

type harCreator struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type harEntry struct {
	StartedDateTime string      `json:"startedDateTime"` // ISO 8601 with milliseconds
	Time            float64     `json:"time"`            // ms: the sum of the timings
	Request         harRequest  `json:"request"`
	Response        harResponse `json:"response"`
	Cache           struct{}    `json:"cache"`
	Timings         harTimings  `json:"timings"`
	Comment         string      `json:"comment,omitempty"`
	RequestID       int64       `json:"_requestId"`       // the X-Request-Id the response carried
	Fault           string      `json:"_fault,omitempty"` // the fault that hit the request
	Truncated       bool        `json:"_requestBodyTruncated,omitempty"`
}

type harNameValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// harMessage is what HAR 1.2 gives a request and a response alike, after the first line's own
// members (method and url, or status and statusText).
type harMessage struct {
	HTTPVersion string         `json:"httpVersion"`
	Cookies     []harNameValue `json:"cookies"`
	Headers     []harNameValue `json:"headers"`
}

// http11 is the message part of every entry: the journal keeps no cookies or headers.
func http11() harMessage {
	return harMessage{HTTPVersion: "HTTP/1.1", Cookies: []harNameValue{}, Headers: []harNameValue{}}
}

type harRequest struct {
	Method string `json:"method"`
	URL    string `json:"url"`
	harMessage
	QueryString []harNameValue `json:"queryString"`
	PostData    *harPostData   `json:"postData,omitempty"`
	HeadersSize int            `json:"headersSize"`
	BodySize    int            `json:"bodySize"`
}

type harPostData struct {
	MimeType string         `json:"mimeType"`
	Params   []harNameValue `json:"params"`
	Text     string         `json:"text"`
}

type harResponse struct {
	Status     int    `json:"status"`
	StatusText string `json:"statusText"`
	harMessage
	Content     harContent `json:"content"`
	RedirectURL string     `json:"redirectURL"`
	HeadersSize int        `json:"headersSize"`
	BodySize    int        `json:"bodySize"`
}

type harContent struct {
	Size     int    `json:"size"`
	MimeType string `json:"mimeType"`
	Comment  string `json:"comment,omitempty"`
}

// harTimings: send, wait and receive are required; the journal times the whole answer, which is
// wait, the others are 0 (blocked, dns, connect and ssl -1: not applicable).
type harTimings struct {
	Blocked float64 `json:"blocked"`
	DNS     float64 `json:"dns"`
	Connect float64 `json:"connect"`
	SSL     float64 `json:"ssl"`
	Send    float64 `json:"send"`
	Wait    float64 `json:"wait"`
	Receive float64 `json:"receive"`
}

// writeHAR answers GET /admin/requests?format=har for tenant t. URLs are absolute, on the scheme and
// host the admin request came in on.
func writeHAR(c echo.Context, t *Tenant) error {
	origin := c.Scheme() + "://" + c.Request().Host
	h := harFor(t.journal.list(), origin, scimsimVersion())
	name := cmp.Or(t.name, "default")
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="scimsim-%s.har"`, name))
	return c.JSONPretty(http.StatusOK, h, "  ")
}

// harFor turns journal entries into a HAR log.
func harFor(entries []JournalEntry, origin, version string) harFile {
	h := harFile{Log: harLog{
		Version: "1.2",
		Creator: harCreator{Name: "scimsim", Version: version},
		Pages:   []struct{}{},
		Entries: make([]harEntry, 0, len(entries)),
		Comment: "The request journal of a scimsim tenant: headers and response bodies are not recorded.",
	}}
	for _, e := range entries {
		u := origin + e.Path
		query := []harNameValue{}
		if e.Query != "" {
			u += "?" + e.Query
			if vs, err := url.ParseQuery(e.Query); err == nil {
				for name, values := range vs {
					for _, v := range values {
						query = append(query, harNameValue{Name: name, Value: v})
					}
				}
			}
		}
		slices.SortStableFunc(query, func(a, b harNameValue) int { return strings.Compare(a.Name, b.Name) })
		req := harRequest{
			Method: e.Method, URL: u, harMessage: http11(), QueryString: query,
			HeadersSize: -1, BodySize: 0,
		}
		if e.RequestBody != "" {
			req.PostData = &harPostData{MimeType: scimContentType, Params: []harNameValue{}, Text: e.RequestBody}
			req.BodySize = len(e.RequestBody)
			if e.Truncated {
				req.BodySize = -1
			}
		}
		resp := harResponse{
			Status: e.Status, StatusText: http.StatusText(e.Status), harMessage: http11(),
			Content:     harContent{Size: -1, MimeType: scimContentType, Comment: "not recorded"},
			HeadersSize: -1, BodySize: -1,
		}
		entry := harEntry{
			StartedDateTime: e.Time.UTC().Format("2006-01-02T15:04:05.000Z07:00"),
			Time:            e.DurationMs,
			Request:         req,
			Response:        resp,
			Timings:         harTimings{Blocked: -1, DNS: -1, Connect: -1, SSL: -1, Wait: e.DurationMs},
			RequestID:       e.ID,
			Fault:           e.Fault,
			Truncated:       e.Truncated,
		}
		var notes []string
		if e.Status == 0 {
			entry.Response.HTTPVersion = ""
			notes = append(notes, "the connection was closed without an answer")
		}
		if e.Fault != "" {
			notes = append(notes, "hit by fault "+e.Fault)
		}
		entry.Comment = strings.Join(notes, "; ")
		h.Log.Entries = append(h.Log.Entries, entry)
	}
	return h
}

// scimsimVersion is the module version the binary was built as, "(devel)" in a checkout.
func scimsimVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}
