// Package resource provides the simulator's model of a SCIM resource, apart from any tenant,
// store or request: a resource type's schemas with their attribute lookups (Type), attribute
// references resolved against them (Ref), projection of attributes and excludedAttributes
// (RFC 7644 §3.4.2.5), the values sortBy orders by (§3.4.2.3), and applying PATCH operations
// (§3.5.2). Validating a PATCH request before it is applied stays with the simulator, which
// answers it as elimity-com/scim would.
//
// Documents are decoded JSON objects (map[string]any) holding a resource's attributes under
// their canonical names, extension attributes under the extension's URN. The package answers
// errors as elimity-com/scim's ScimError values, with a detail naming what failed and with
// which input, so that the simulator returns them on the wire unchanged.
package resource
