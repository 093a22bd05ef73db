package faults

import (
	"net/http"
	"strings"

	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/labstack/echo/v4"
)

// unsupportedFilter answers 400 invalidFilter (RFC 7644 Section 3.12) when the request's filter
// references one of the attributes, as a target does that cannot filter on the matching
// attribute. provision-on-demand.md, step 1 and 4 tips: "Make sure that the target system
// supports filtering on the matching attributes".
type unsupportedFilter struct {
	attrs []string // nil: any filter
}

func newUnsupportedFilter(spec Spec, a attrs, _ *lockedRand) Fault {
	f := unsupportedFilter{attrs: a.strings("attribute")}
	if f.attrs == nil && spec.Match.FilterAttribute != "" {
		f.attrs = []string{spec.Match.FilterAttribute}
	}
	return f
}

// The type's row of the fault registry (registry.go).
var _ = register(TypeInfo{Name: "unsupported_filter", Description: "400 invalidFilter for filters on the named attribute(s)",
	Attributes: []AttrInfo{{Name: "attribute", Type: StringList, Description: "attribute(s) the target cannot filter on; default the match's filterAttribute, else any filter"}},
	Example:    `{"type": "unsupported_filter", "attributes": {"attribute": ["externalId"]}}`}, newUnsupportedFilter)

// Selects requests that carry a filter touching the attributes.
func (f unsupportedFilter) Selects(c echo.Context) bool {
	filterAttrs := requestInfo(c).FilterAttributes
	if len(filterAttrs) == 0 {
		return false
	}
	return f.attrs == nil || filterTouches(filterAttrs, f.attrs)
}

func (f unsupportedFilter) Apply(c echo.Context, _ echo.HandlerFunc) error {
	detail := scimerrors.ScimErrorInvalidFilter.Detail
	if f.attrs != nil {
		detail = "Filtering on " + strings.Join(f.attrs, ", ") + " is not supported."
	}
	return writeSCIMError(c, http.StatusBadRequest, scimerrors.ScimTypeInvalidFilter, detail)
}
