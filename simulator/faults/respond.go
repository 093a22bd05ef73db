package faults

import (
	"bufio"
	"bytes"
	"encoding/json"
	"maps"
	"net"
	"net/http"
	"slices"
	"strconv"

	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/labstack/echo/v4"

	"github.com/scimsim/scimsim/wire"
)

// scimContentType is the media type of every SCIM response (RFC 7644 Section 3.1).
const scimContentType = wire.MediaType

// writeSCIMError answers with a SCIM error body (RFC 7644 Section 3.12): status as a JSON string,
// scimType when there is one. It is rendered by elimity's ScimError so the shape is the same as
// the errors the SCIM server itself returns.
func writeSCIMError(c echo.Context, status int, scimType scimerrors.ScimType, detail string) error {
	body, err := json.Marshal(scimerrors.ScimError{ScimType: scimType, Detail: detail, Status: status})
	if err != nil {
		return err
	}
	return c.Blob(status, scimContentType, body)
}

// recorder is the downstream response held back so a fault can rewrite it. It shares the real
// response's header map: nothing reaches the client until the fault writes the final answer,
// and headers set by the handler (Location, ETag) survive unless the fault changes them.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
	under  http.ResponseWriter // the real response
	// hijacked is set when a fault further down the chain took the connection over.
	hijacked bool
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// Flush is a no-op: the body is held until the fault has seen all of it.
func (r *recorder) Flush() {}

// Unwrap gives http.ResponseController the real response.
func (r *recorder) Unwrap() http.ResponseWriter { return r.under }

// Hijack lets a fault further down the chain (connection_reset, timeout) take over the real
// connection; there is nothing left to rewrite then.
func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(r.under).Hijack()
	if err == nil {
		r.hijacked = true
	}
	return conn, rw, err
}

// record runs next with the response captured. An error from next is rendered by the app's
// HTTPErrorHandler into the capture, as echo would have rendered it after the middleware chain,
// so the fault sees what the client would have seen.
func record(c echo.Context, next echo.HandlerFunc) *recorder {
	orig := c.Response()
	rec := &recorder{header: orig.Header(), under: orig}
	captured := echo.NewResponse(rec, c.Echo())
	c.SetResponse(captured)
	if err := next(c); err != nil {
		c.Error(err)
	}
	c.SetResponse(orig)
	switch {
	case rec.hijacked:
		orig.Status = 0 // nothing was answered; see abortConnection
	case rec.status == 0 && captured.Status == statusClientClosed:
		orig.Status = statusClientClosed // a latency or timeout further down saw the client go
	}
	return rec
}

// send writes the (possibly rewritten) captured response to the client.
func (r *recorder) send(c echo.Context) error {
	if r.status == 0 || r.hijacked {
		return nil // the handler answered nothing; neither do we
	}
	resp := c.Response()
	if resp.Header().Get(echo.HeaderContentLength) != "" {
		resp.Header().Set(echo.HeaderContentLength, strconv.Itoa(r.body.Len()))
	}
	resp.WriteHeader(r.status)
	_, err := resp.Write(r.body.Bytes())
	return err
}

// replace sets a new status, content type and body on the captured response.
func (r *recorder) replace(status int, contentType string, body []byte) {
	r.status = status
	r.header.Set(echo.HeaderContentType, contentType)
	r.header.Del(echo.HeaderContentLength)
	r.body.Reset()
	r.body.Write(body)
}

// replaceWithSCIMError turns the captured response into a SCIM error.
func (r *recorder) replaceWithSCIMError(status int, detail string) {
	body, _ := json.Marshal(scimerrors.ScimError{Detail: detail, Status: status})
	r.header.Del("ETag")
	r.header.Del(echo.HeaderLocation)
	r.replace(status, scimContentType, body)
}

// listResponse is a SCIM ListResponse (RFC 7644 Section 3.4.2) with the resources left raw, so
// that a rewrite changes only what it means to.
type listResponse struct {
	fields    map[string]json.RawMessage
	order     []string // the keys as the target wrote them, so a rewrite keeps their order
	resources []json.RawMessage
	total     int
}

// parseList reads a 200 ListResponse from the captured body; ok is false for anything else.
func (r *recorder) parseList() (l listResponse, ok bool) {
	if r.status != http.StatusOK {
		return l, false
	}
	if err := json.Unmarshal(r.body.Bytes(), &l.fields); err != nil {
		return l, false
	}
	l.order = objectKeys(r.body.Bytes())
	rawTotal, ok := l.fields["totalResults"]
	if !ok || json.Unmarshal(rawTotal, &l.total) != nil {
		return l, false
	}
	if raw, ok := l.fields["Resources"]; ok {
		if json.Unmarshal(raw, &l.resources) != nil {
			return l, false
		}
	}
	return l, true
}

// setList replaces the captured body by l with its counts adjusted: totalResults by delta,
// itemsPerPage (when present) to the number of resources on the page.
func (r *recorder) setList(l listResponse, delta int) {
	l.fields["totalResults"] = mustJSON(max(l.total+delta, 0))
	l.fields["Resources"] = mustJSON(l.resources)
	if _, ok := l.fields["itemsPerPage"]; ok {
		l.fields["itemsPerPage"] = mustJSON(len(l.resources))
	}
	ct := r.header.Get(echo.HeaderContentType)
	if ct == "" {
		ct = scimContentType
	}
	r.replace(r.status, ct, l.marshal())
}

// marshal writes the fields in the target's order (schemas first, as RFC 7644 Section 3.4.2 shows
// them), then any the target did not write.
func (l listResponse) marshal() []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	written := make(map[string]bool, len(l.fields))
	write := func(k string) {
		v, ok := l.fields[k]
		if !ok || written[k] {
			return
		}
		if len(written) > 0 {
			b.WriteByte(',')
		}
		written[k] = true
		b.Write(mustJSON(k))
		b.WriteByte(':')
		b.Write(v)
	}
	for _, k := range l.order {
		write(k)
	}
	for _, k := range slices.Sorted(maps.Keys(l.fields)) {
		write(k)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// objectKeys lists the keys of a JSON object in the order they appear; nil if data is not one.
func objectKeys(data []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return keys
		}
		k, ok := t.(string)
		if !ok {
			return keys
		}
		keys = append(keys, k)
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return keys
		}
	}
	return keys
}

// mustJSON marshals values that cannot fail to marshal (ints, raw messages, maps of them).
func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage("null")
	}
	return b
}
