package entra

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/scimsim/scimsim/wire"
)

// Request is one request, as a value: everything that talks to a SCIM endpoint in scimsim builds its
// requests with the functions below and sends them with Client.Send, so that what the engine sends
// and what a conformance check sends for the same change cannot drift apart.
type Request struct {
	Method string
	// Path is below the tenant URL: "/Users", "/Groups/42".
	Path  string
	Query url.Values
	// Body is JSON-encoded when not nil.
	Body any
	// Auth overrides the Authorization header: nil sends the client's token, a pointer to "" sends
	// none, anything else is sent as the header's value (a check of how an endpoint refuses a
	// wrong token).
	Auth *string
	// By is wire.ByScimsim for a request Entra does not send.
	By string
}

// URL returns the request's URL below base. The query is encoded as Entra encodes it: spaces as
// '+', keys in order (the recorded Azure AD exchanges in elimity-com/scim's
// internal/idp_test/testdata/azuread: `/Users?filter=userName+eq+%22Test_User_...%22`).
func (r Request) URL(base string) string {
	u := base + r.Path
	if len(r.Query) > 0 {
		u += "?" + r.Query.Encode()
	}
	return u
}

// ExcludeMembers is what Entra asks to leave out of every group it reads: "Requests to retrieve
// groups specify that the members attribute is to be excluded from any resource provided in response
// to the request" (use-scim-to-provision-users-and-groups.md, "Group provisioning and
// deprovisioning"; the tutorial's "Get Group" and "Get Group by displayName" requests carry
// excludedAttributes=members).
const ExcludeMembers = "members"

// QueryRequest is Entra's query of a resource type by filter, GET /Users?filter=... or, for groups,
// GET /Groups?excludedAttributes=members&filter=... Entra filters with eq only, one attribute at a
// time (Filter builds them).
func QueryRequest(resource, filter string) Request {
	q := url.Values{"filter": {filter}}
	if resource == wire.Groups {
		q.Set("excludedAttributes", ExcludeMembers)
	}
	return Request{Method: http.MethodGet, Path: "/" + resource, Query: q}
}

// Filter is the only filter Entra writes: `attr eq "value"`, the value a SCIM string literal
// (use-scim-to-provision-users-and-groups.md: "filters: only eq and and" for matching attributes).
func Filter(attr, value string) string { return wire.EqFilter(attr, value) }

// TestConnectionRequest is step 1: a query for a random GUID on the highest-precedence matching
// attribute, which must answer 200 with an empty ListResponse (provision-on-demand.md, Step 1: "The
// provisioning service attempts to authorize access to the target system by making a request for a
// test user"; use-scim-to-provision-users-and-groups.md, "Get User by query - zero results").
func TestConnectionRequest(resource, attr, guid string) Request {
	return QueryRequest(resource, Filter(attr, guid))
}

// GetRequest is Entra's read of one resource by id; a group is read without its members.
func GetRequest(resource, id string) Request {
	r := Request{Method: http.MethodGet, Path: "/" + resource + "/" + url.PathEscape(id)}
	if resource == wire.Groups {
		r.Query = url.Values{"excludedAttributes": {ExcludeMembers}}
	}
	return r
}

// ReadBackRequest is scimsim's own read of a resource after a write, to compare what the target
// stores with what was sent. Entra does not send it, and it is marked so. A group's members are asked
// for explicitly (attributes=members), since every read Entra makes leaves them out.
func ReadBackRequest(resource, id string) Request {
	r := Request{Method: http.MethodGet, Path: "/" + resource + "/" + url.PathEscape(id), By: wire.ByScimsim}
	if resource == wire.Groups {
		r.Query = url.Values{"attributes": {"members"}}
	}
	return r
}

// PageRequest is GET /{resource}?startIndex=N&count=M, one page of the resource type's list (RFC 7644
// Section 3.4.2.4). Entra's job never pages (it queries by filter), so it is scimsim's own request:
// a conformance check of paging, a page listing what the target holds.
func PageRequest(resource string, start, count int) Request {
	return Request{Method: http.MethodGet, Path: "/" + resource, By: wire.ByScimsim,
		Query: url.Values{"startIndex": {strconv.Itoa(start)}, "count": {strconv.Itoa(count)}}}
}

// CreateRequest is POST /{resource} with body (UserCreateBody, GroupCreateBody).
func CreateRequest(resource string, body map[string]any) Request {
	return Request{Method: http.MethodPost, Path: "/" + resource, Body: body}
}

// PatchRequestTo is PATCH /{resource}/{id} with body (Dialect.UserPatch, Dialect.GroupPatch).
func PatchRequestTo(resource, id string, body PatchRequest) Request {
	return Request{Method: http.MethodPatch, Path: "/" + resource + "/" + url.PathEscape(id), Body: body}
}

// DeleteRequest is DELETE /{resource}/{id}, which Entra expects to answer 204 No Content.
func DeleteRequest(resource, id string) Request {
	return Request{Method: http.MethodDelete, Path: "/" + resource + "/" + url.PathEscape(id)}
}

// UserCreateBody completes the attributes of a new user into the body Entra POSTs: the core User
// schema and the enterprise extension, whether or not an enterprise attribute is mapped, and
// meta.resourceType (use-scim-to-provision-users-and-groups.md, "Create User", ms.date 2026-09-15).
// Nulls are never sent ("By default, the Microsoft Entra provisioning service doesn't send null
// values to target systems", customize-application-attributes.md). A custom extension's URN is never
// named in schemas: "The custom extension schema header is omitted in the example because it isn't
// sent in requests from the Microsoft Entra SCIM client" (same page).
func UserCreateBody(attrs map[string]any) map[string]any {
	attrs["schemas"] = []string{wire.UserSchema, wire.EnterpriseSchema}
	attrs["meta"] = map[string]any{"resourceType": "User"}
	return attrs
}

// ADSCIMGroupSchema is the second schema URI of Entra's group create body. It names no attribute.
const ADSCIMGroupSchema = "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"

// GroupCreateBody completes the attributes of a new group into the body Entra POSTs: created empty
// ("Groups are created with an empty members list"; members are added by PATCH afterwards), with the
// core Group schema and Microsoft's ADSCIM group schema URI, and meta.resourceType, as the tutorial's
// "Create Group" request shows it (use-scim-to-provision-users-and-groups.md, ms.date 2026-09-15).
// No capture of a current request confirms or refutes the ADSCIM URI; the tutorial is the newest
// evidence, so scimsim sends it, and a target must accept a schema URI that names no attribute.
func GroupCreateBody(attrs map[string]any) map[string]any {
	delete(attrs, "members")
	attrs["schemas"] = []string{wire.GroupSchema, ADSCIMGroupSchema}
	attrs["meta"] = map[string]any{"resourceType": "Group"}
	return attrs
}

// CoreGroupBody is GroupCreateBody with the core Group schema alone, without the ADSCIM URI: not
// what Entra sends, but what a target that refuses the ADSCIM URI accepts, so that checks about
// something else can still have a group.
func CoreGroupBody(attrs map[string]any) map[string]any {
	body := GroupCreateBody(attrs)
	body["schemas"] = []string{wire.GroupSchema}
	return body
}
