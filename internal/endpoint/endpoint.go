// Package endpoint is a run against a user's own SCIM endpoint, shared by the conformance checks and
// the harness's external target: what base URL is acceptable, how the resources a run creates are
// named (Session), how every request goes out (once, through Entra's client, recorded with the token
// redacted), and how what the run created is tracked and deleted afterwards (Ledger).
package endpoint

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
)

// DefaultPrefix starts the name of every resource a run creates on a real endpoint, unless the user
// sets another: one --prefix names everything a conformance run creates.
const DefaultPrefix = "scimsim-"

var prefixPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{0,32}$`)

// CheckPrefix reports a prefix that cannot start a userName or an email address.
func CheckPrefix(prefix string) error {
	if !prefixPattern.MatchString(prefix) {
		return fmt.Errorf("prefix %q: want at most 32 letters, digits, '.', '_' or '-' (it starts userName and email addresses)", prefix)
	}
	return nil
}

// CheckBaseURL reports a SCIM base URL a run cannot use: not absolute http(s), or carrying a query
// string. Feature flags such as ?aadOptscim062020 belong to Entra's Tenant URL, not to the
// endpoint: they would be sent with every request.
func CheckBaseURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("want an absolute http or https URL")
	}
	if u.RawQuery != "" {
		return fmt.Errorf("remove the query string (%q); it would be sent to the endpoint", u.RawQuery)
	}
	return nil
}
