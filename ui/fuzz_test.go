package ui

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/scimsim/scimsim/simulator/faults"
)

// FuzzFaultSpec feeds the fault form's reader any form body: it never panics, and what it returns
// either is refused with a sentence that names the field or is a spec the registry can judge.
func FuzzFaultSpec(f *testing.F) {
	for _, seed := range []string{
		"type=duplicate_match&match.resource=Users&match.filterAttribute=userName",
		"type=throttle&count=2&attr.retryAfter=5",
		"type=server_error&probability=0.3&attr.status=503&after=1",
		"type=drop_attribute&attr.attribute=title,+name.givenName",
		"type=latency&attr.delayMs=-1&attr.jitterMs=x",
		"type=auth_failure&attr.status=402",
		"type=unsupported_filter&attr.attribute=",
		"type=nope",
		"type=timeout&after=-3",
		"type=conflict&probability=NaN",
		"%zz",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		sp, err := faultSpec(form)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a sentence")
			}
			return
		}
		if err := sp.Validate(); err != nil && !errors.Is(err, faults.ErrInvalidSpec) && !strings.Contains(err.Error(), sp.Type) {
			t.Fatalf("Validate(%+v) = %v: neither a spec error nor naming the type", sp, err)
		}
	})
}
