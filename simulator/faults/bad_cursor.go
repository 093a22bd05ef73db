package faults

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// badCursor makes RFC 9865 cursor paging misbehave, as a target whose cursors are not stable
// does: with mode repeat, a page's nextCursor leads back to that same page, so a client that does
// not notice pages forever; with mode skip, it leads past the page that follows, so the client
// misses a page of resources and believes it has them all. The target computes the cursor (only it
// knows what one holds): the fault asks for the misbehaviour (CursorMisbehaviour), and the target
// reports whether there was a nextCursor to change (CursorMisbehaved); a query answered without
// one (the last page, an index-paged query) is not a hit.
type badCursor struct{ mode string }

var _ = register(TypeInfo{Name: "bad_cursor", Description: "RFC 9865 cursor paging that misbehaves: a nextCursor that repeats the page or skips the next one",
	Attributes: []AttrInfo{{Name: "mode", Type: String, Default: "repeat", Values: []string{"repeat", "skip"},
		Description: "repeat: nextCursor leads back to the same page; skip: it leads past the page that follows"}},
	Example: `{"type": "bad_cursor", "attributes": {"mode": "skip"}}`}, newBadCursor)

func newBadCursor(_ Spec, a attrs, _ *lockedRand) Fault { return badCursor{mode: a.str("mode")} }

const (
	cursorModeKey    = "faults.cursorMode"
	cursorAppliedKey = "faults.cursorApplied"
)

// Selects queries: GET /Resource and POST .search, at a resource endpoint or the root.
func (badCursor) Selects(c echo.Context) bool {
	kind, _ := kindOf(c.Request())
	return kind == kindQuery || isRootQuery(c)
}

func (f badCursor) Apply(c echo.Context, next echo.HandlerFunc) error {
	c.Set(cursorModeKey, f.mode)
	c.Set(cursorAppliedKey, false)
	err := next(c)
	c.Set(cursorModeKey, "")
	if applied, _ := c.Get(cursorAppliedKey).(bool); !applied {
		miss(c)
	}
	return err
}

// CursorMisbehaviour returns the cursor misbehaviour a bad_cursor fault asks of this request:
// "repeat", "skip", or "" for none. The target calls it while it answers a query.
func CursorMisbehaviour(c echo.Context) string {
	m, _ := c.Get(cursorModeKey).(string)
	return m
}

// CursorMisbehaved tells the fault that the target changed the answer's nextCursor as it asked.
func CursorMisbehaved(c echo.Context) { c.Set(cursorAppliedKey, true) }

// isRootQuery reports a query of the service provider's root: GET / and POST /.search (RFC 7644
// Section 3.4.2 and 3.4.3).
func isRootQuery(c echo.Context) bool {
	r := c.Request()
	switch p := scimPath(r.URL.Path); {
	case p == "/" || p == "":
		return r.Method == http.MethodGet
	case p == "/.search":
		return r.Method == http.MethodPost
	}
	return false
}
