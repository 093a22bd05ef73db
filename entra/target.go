package entra

import (
	"context"
	"fmt"
)

// Finding is a check the provisioning service makes that fails without a failed request: a test
// connection whose answer shows the target does not filter, a cross-tenant policy the target or
// the source has not enabled. Classify reads it as its code, with the code's tips at the step.
type Finding struct {
	Code   Code
	Reason string
}

func (f *Finding) Error() string { return f.Reason }

// Check is one line of a test connection's View details.
type Check struct{ Name, Result string }

// The methods below are what the provisioning steps ask of a SCIM application; Graph answers the
// same questions for a target tenant in cross-tenant synchronization.

// TestConnection is step 1 against a SCIM application: a query for a random GUID (probe) on the
// highest-precedence matching attribute attr of resource, which must answer 200 with an empty
// ListResponse (TestConnectionRequest).
func (c *Client) TestConnection(ctx context.Context, resource, attr, probe string) ([]Check, error) {
	req := TestConnectionRequest(resource, attr, probe)
	checks := []Check{{"Query", fmt.Sprintf("GET /%s?filter=%s", resource, req.Query.Get("filter"))}}
	lr, err := c.List(ctx, req)
	if err != nil {
		return checks, err
	}
	if lr.TotalResults > 0 || len(lr.Resources) > 0 {
		return checks, &Finding{Code: CodeUnsupportedFilter, Reason: fmt.Sprintf("The query for a random GUID on %s returned %s: the target does not apply the filter.", attr, plural(max(lr.TotalResults, len(lr.Resources)), "resource"))}
	}
	return append(checks, Check{"Result", "200, empty ListResponse"}), nil
}

// Match is the matching query of step 4: resources whose attr equals value (Filter). It returns the
// filter as View details shows it.
func (c *Client) Match(ctx context.Context, resource, attr, value string) (string, []Resource, error) {
	filter := Filter(attr, value)
	lr, err := c.Query(ctx, resource, filter)
	if err != nil {
		return filter, nil, err
	}
	return filter, lr.Resources, nil
}

// Update sends a user's changes as one PATCH in the client's dialect (Dialect.UserPatch).
func (c *Client) Update(ctx context.Context, resource, id string, changes []Change) error {
	_, err := c.Patch(ctx, resource, id, c.dialect.UserPatch(changes))
	return err
}
