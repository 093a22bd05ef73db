package simulator

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

// What a SCIM request's handlers read of its URL and headers, without the work echo does for
// any request: the query parsed into a map on the first QueryParam, and a trust check of the
// client's address on every Scheme. A filtered GET spent 4% of its CPU on the two.

// queryParams are a request's query parameters, parsed on the first read, as url.ParseQuery
// parses them: pairs separated by '&', a pair holding ';' or an escape that does not decode left
// out, the first value of a name its value (url.Values.Get). They are parsed again when the
// request's query is another: a fault may hand the handler a request with a rewritten one
// (members_despite_exclusion).
type queryParams struct {
	parsed bool
	raw    string // the query parsed
	pairs  []queryPair
	buf    [8]queryPair
	all    url.Values // for a query of more than maxQueryPairs pairs: ParseQuery's own
}

type queryPair struct{ key, value string }

// maxQueryPairs is the number of pairs past which a query is left to url.ParseQuery, which also
// applies Go's limit on the number of parameters (GODEBUG urlmaxqueryparams).
const maxQueryPairs = 64

// get returns the value of parameter name, and whether the query has it (url.Values.Has).
func (q *queryParams) get(raw, name string) (string, bool) {
	if !q.parsed || q.raw != raw {
		q.parse(raw)
	}
	if q.all != nil {
		return q.all.Get(name), q.all.Has(name)
	}
	for _, p := range q.pairs {
		if p.key == name {
			return p.value, true
		}
	}
	return "", false
}

func (q *queryParams) parse(raw string) {
	q.parsed, q.raw, q.all = true, raw, nil
	if strings.Count(raw, "&") >= maxQueryPairs {
		q.all, _ = url.ParseQuery(raw)
		if q.all == nil {
			q.all = url.Values{}
		}
		return
	}
	q.pairs = q.buf[:0]
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" || strings.Contains(pair, ";") {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		k, err := url.QueryUnescape(k)
		if err != nil {
			continue
		}
		if v, err = url.QueryUnescape(v); err != nil {
			continue
		}
		q.pairs = append(q.pairs, queryPair{k, v})
	}
}

// QueryParam is echo's Context.QueryParam, from the request's queryParams.
func (c *scimContext) QueryParam(name string) string {
	v, _ := c.st.query.get(c.Request().URL.RawQuery, name)
	return v
}

// queryHas reports whether the request's query has parameter name (url.Values.Has).
func queryHas(c echo.Context, name string) bool {
	_, ok := state(c).query.get(c.Request().URL.RawQuery, name)
	return ok
}

// forwardingHeaders are the headers echo's Scheme reads the scheme from, when a trusted proxy
// sent the request (echo.ExtractSchemeFromHeaders), in canonical form.
var forwardingHeaders = [...]string{echo.HeaderXForwardedProto, echo.HeaderXForwardedProtocol, echo.HeaderXForwardedSsl, echo.HeaderXUrlScheme}

// scheme is c.Scheme(). A request without TLS and without any forwarding header is "http"
// whoever sent it, which spares echo's check of whether the client's address is a trusted
// proxy's (a parse of the address for every request).
func scheme(c echo.Context) string {
	r := c.Request()
	if r.TLS != nil || c.Echo().SchemeExtractor != nil || hasAny(r.Header, forwardingHeaders[:]) {
		return c.Scheme()
	}
	return "http"
}

func hasAny(h http.Header, keys []string) bool {
	for _, k := range keys {
		if _, ok := h[k]; ok {
			return true
		}
	}
	return false
}
