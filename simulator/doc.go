// Package simulator provides scimsim's SCIM 2.0 target: an in-memory service provider that behaves
// like a careful real application (RFC 7643/7644, or Microsoft Entra ID's traffic as it is shipped
// today), fast enough to sit under a load test, and able to misbehave on purpose through the
// faults sub-package.
//
// The stack follows the project's library notes: echo/v4 serves every route; elimity-com/scim
// provides the resource types, schemas, discovery endpoints and POST/PUT/PATCH validation; a
// go-memdb database per tenant stores the resources. Where the library falls short the package
// owns the code: filter evaluation (through simulator/filter), PATCH application, paging,
// sorting, projection, ETags, uniqueness and an honest /ServiceProviderConfig.
//
// Each tenant (the default one under /scim/v2, named ones under /tenants/{name}/scim/v2) has its
// own store, profile, bearer token, fault set and request journal, so parallel test suites never
// see each other. The admin API under /admin configures them; AdminClient speaks it from Go.
package simulator
