package faults

import (
	"bytes"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// latency delays the request before the target handles it, like toxiproxy's latency toxic
// (latency ± jitter). A client that gives up while waiting ends the wait at once: the handler
// never runs, so a write the client abandoned is not stored behind its back.
type latency struct {
	delay, jitter time.Duration
	rnd           *lockedRand
}

func newLatency(_ Spec, a attrs, rnd *lockedRand) Fault {
	return latency{
		delay:  time.Duration(a.int("delayMs")) * time.Millisecond,
		jitter: time.Duration(a.int("jitterMs")) * time.Millisecond,
		rnd:    rnd,
	}
}

// The type's row of the fault registry (registry.go).
var _ = register(TypeInfo{Name: "latency", Description: "delays the request before the target answers it (fixed or jittered)",
	Attributes: []AttrInfo{
		{Name: "delayMs", Type: Integer, Default: 1000, Description: "delay in milliseconds"},
		{Name: "jitterMs", Type: Integer, Default: 0, Description: "up to this many milliseconds more or less, drawn from the seeded generator"},
	},
	Example: `{"type": "latency", "attributes": {"delayMs": 2000, "jitterMs": 500}}`}, newLatency)

func (f latency) Apply(c echo.Context, next echo.HandlerFunc) error {
	d := f.delay
	if f.jitter > 0 {
		// One draw from the fault's generator, uniform in [-jitter, +jitter).
		d += time.Duration((f.rnd.Float64()*2 - 1) * float64(f.jitter))
	}
	if !wait(c, max(d, 0)) {
		return nil
	}
	return next(c)
}

// statusClientClosed is what the journal records for a request whose client gave up before any
// answer: nginx's 499 "client closed request". It is never sent.
const statusClientClosed = 499

// wait blocks for d or until the request's context is done (the client went away, or the server
// is shutting down). It reports whether the full time passed.
//
// net/http notices a client hanging up only once the request body has been read to its end (it
// then watches the connection in the background), so wait reads the body first and hands the
// handler a copy. The body limit middleware in front of the faults bounds what this holds.
func wait(c echo.Context, d time.Duration) bool {
	if r := c.Request(); r.Body != nil && r.Body != http.NoBody {
		body, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{err}))
		} else {
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-c.Request().Context().Done():
		c.Response().Status = statusClientClosed
		return false
	}
}
