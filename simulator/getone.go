package simulator

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// getOne serves GET /{Users,Groups}/{id} (RFC 7644 §3.4.1) from the stored bytes. With an
// If-None-Match that matches the resource's current version it answers 304 Not Modified, with the
// ETag and no body (RFC 7644 §3.14; RFC 9110 §13.1.2 and §15.4.5).
func (s *Server) getOne(c echo.Context) error {
	st := state(c)
	k := st.kind
	id := c.Param("id")
	rec, ok := st.tenant.store.get(k, id)
	if !ok {
		return notFound(k, id)
	}
	tag := etag(rec.Version)
	if inm := c.Request().Header.Get("If-None-Match"); inm != "" && etagMatches(inm, tag) {
		c.Response().Header().Set("ETag", tag)
		return c.NoContent(http.StatusNotModified)
	}
	var proj *projection
	if c.Request().URL.RawQuery != "" {
		var err error
		if proj, err = newProjection(splitList(c.QueryParam("attributes")), splitList(c.QueryParam("excludedAttributes"))); err != nil {
			return err
		}
	}
	body, err := appendProjected(nil, hit{k: k, rec: rec}, st.base, proj)
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", tag)
	return c.Blob(http.StatusOK, scimContentType, body)
}
