package faults

import (
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"
)

// scimBase is the path segment the SCIM endpoints of every tenant live under.
const scimBase = "/scim/v2"

// Core schema URNs: an attribute qualified with one of these is the same as the bare name
// (RFC 7644 Section 3.10, "fully qualified" attribute names).
var coreURNs = []string{
	"urn:ietf:params:scim:schemas:core:2.0:user:",
	"urn:ietf:params:scim:schemas:core:2.0:group:",
}

// matches reports whether the request is one m selects. Only the fields that are set are looked
// at, so a fault that matches on method and path never pays for the request info.
func (m Match) matches(c echo.Context) bool {
	r := c.Request()
	if m.Method != "" && !strings.EqualFold(m.Method, r.Method) {
		return false
	}
	if m.Path != "" {
		p := r.URL.Path
		if !globMatch(m.Path, p) && !globMatch(m.Path, scimPath(p)) {
			return false
		}
	}
	if m.Resource == "" && m.FilterAttribute == "" && m.Tenant == "" {
		return true
	}
	info := requestInfo(c)
	if m.Tenant != "" && !strings.EqualFold(m.Tenant, info.Tenant) &&
		!(info.Tenant == "" && strings.EqualFold(m.Tenant, "default")) {
		return false
	}
	if m.Resource != "" && !strings.EqualFold(strings.Trim(m.Resource, "/"), info.Resource) {
		return false
	}
	if m.FilterAttribute != "" && !filterTouches(info.FilterAttributes, []string{m.FilterAttribute}) {
		return false
	}
	return true
}

// filterTouches reports whether any of the filter's attributes is one of attrs. A name without
// a dot also matches its sub-attributes ("emails" matches "emails.value"), and a core schema URN
// prefix is ignored on both sides.
func filterTouches(filterAttrs, attrs []string) bool {
	for _, f := range filterAttrs {
		f = unqualify(f)
		for _, a := range attrs {
			a = unqualify(a)
			if strings.EqualFold(f, a) {
				return true
			}
			if !strings.Contains(a, ".") && len(f) > len(a) && f[len(a)] == '.' && strings.EqualFold(f[:len(a)], a) {
				return true
			}
		}
	}
	return false
}

// unqualify strips a core schema URN prefix from an attribute path.
func unqualify(attr string) string {
	for _, urn := range coreURNs {
		if len(attr) > len(urn) && strings.EqualFold(attr[:len(urn)], urn) {
			return attr[len(urn):]
		}
	}
	return attr
}

// requestInfo returns what SetRequestInfo recorded, or derives it from the URL once and caches
// it on the context.
func requestInfo(c echo.Context) RequestInfo {
	switch info := c.Get(infoKey).(type) {
	case RequestInfo:
		return info
	case *RequestInfo:
		return *info
	}
	r := c.Request()
	info := RequestInfo{Tenant: tenantOf(r.URL.Path)}
	info.Resource, _ = splitResource(scimPath(r.URL.Path))
	if f := r.URL.Query().Get("filter"); f != "" {
		info.FilterAttributes = filterAttributes(f)
	}
	c.Set(infoKey, info)
	return info
}

// tenantOf returns NAME from a path under "/tenants/NAME/", or "" (the default tenant).
func tenantOf(p string) string {
	rest, ok := strings.CutPrefix(p, "/tenants/")
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, "/")
	return name
}

// scimPath returns the part of p after the SCIM base ("/Users/42" for
// "/tenants/a/scim/v2/Users/42"), or p itself when p is not under a SCIM base.
func scimPath(p string) string {
	i := strings.Index(p, scimBase)
	if i < 0 {
		return p
	}
	rest := p[i+len(scimBase):]
	switch {
	case rest == "":
		return "/"
	case rest[0] == '/':
		return rest
	default:
		return p // e.g. /scim/v2x: not the base
	}
}

// splitResource splits a SCIM-relative path "/Users/42" into ("Users", "42"). The id of
// "/Users/.search" is ".search"; deeper paths keep their slashes ("42/x").
func splitResource(rel string) (resource, id string) {
	resource, id, _ = strings.Cut(strings.Trim(rel, "/"), "/")
	return resource, id
}

// requestKind classifies a request the way the SCIM protocol does (RFC 7644 Section 3.4):
// byID for /Resource/{id}, query for GET /Resource and POST /Resource/.search.
type requestKind int

const (
	kindOther requestKind = iota
	kindQuery
	kindByID
)

// discovery are the service provider's configuration endpoints (RFC 7644 Section 4): they are
// neither resources nor queries, and no fault that works on those touches them.
var discovery = []string{"ServiceProviderConfig", "ResourceTypes", "Schemas"}

func kindOf(r *http.Request) (requestKind, string) {
	resource, id := splitResource(scimPath(r.URL.Path))
	switch {
	case resource == "" || strings.Contains(id, "/") ||
		slices.ContainsFunc(discovery, func(d string) bool { return strings.EqualFold(d, resource) }):
		return kindOther, ""
	case id == "" && r.Method == http.MethodGet:
		return kindQuery, ""
	case id == ".search" && r.Method == http.MethodPost:
		return kindQuery, ""
	case id != "" && id != ".search":
		return kindByID, id
	}
	return kindOther, ""
}

// globMatch matches name against pattern case-insensitively: "*" matches any run of characters
// other than '/', "**" any run including '/', "?" any one character other than '/'. Every
// pattern is valid, so matching never fails.
func globMatch(pattern, name string) bool {
	// The literal part before the first wildcard decides most misses at once.
	lit := pattern
	if i := strings.IndexAny(pattern, "*?"); i >= 0 {
		lit = pattern[:i]
	}
	if !hasPrefixFold(name, lit) {
		return false
	}
	if strings.Contains(pattern, "**") {
		return globMatchDeep(pattern, name)
	}
	// Segment by segment, as path.Match does: a star never crosses '/'.
	for {
		pseg, prest, pmore := strings.Cut(pattern, "/")
		nseg, nrest, nmore := strings.Cut(name, "/")
		if !wildcardMatch(pseg, nseg) || pmore != nmore {
			return false
		}
		if !pmore {
			return true
		}
		pattern, name = prest, nrest
	}
}

// wildcardMatch matches one path segment: the classic greedy matcher that backtracks to the last
// star, which is exact when there is one kind of star and no separator.
func wildcardMatch(pattern, name string) bool {
	px, nx := 0, 0
	starPx, starNx := -1, 0
	for nx < len(name) || px < len(pattern) {
		if px < len(pattern) {
			switch c := pattern[px]; {
			case c == '*':
				starPx, starNx = px, nx
				px++
				continue
			case nx < len(name) && (c == '?' || lower(c) == lower(name[nx])):
				px++
				nx++
				continue
			}
		}
		if starPx >= 0 && starNx < len(name) {
			starNx++
			px, nx = starPx+1, starNx
			continue
		}
		return false
	}
	return true
}

// globMatchDeep handles patterns with "**" by dynamic programming over (pattern, name)
// positions: linear in their product, whatever the pattern.
func globMatchDeep(pattern, name string) bool {
	// ok[j] reports whether pattern[:i] matches name[:j] for the current i.
	ok := make([]bool, len(name)+1)
	next := make([]bool, len(name)+1)
	ok[0] = true
	for i := 0; i < len(pattern); {
		c := pattern[i]
		step := 1
		deep := c == '*' && i+1 < len(pattern) && pattern[i+1] == '*'
		if deep {
			step = 2
		}
		clear(next)
		for j := 0; j <= len(name); j++ {
			switch {
			case c == '*':
				// A star matches the empty run, or extends the run that ended at j-1.
				next[j] = ok[j] || (j > 0 && next[j-1] && (deep || name[j-1] != '/'))
			case j > 0 && ok[j-1]:
				next[j] = (c == '?' && name[j-1] != '/') || (c != '?' && lower(c) == lower(name[j-1]))
			}
		}
		ok, next = next, ok
		i += step
	}
	return ok[len(name)]
}

func lower(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}
