package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
)

// Attacks by clients without the token: tenants they would create, bodies they would have the
// server keep.

// anonymousTenants is the attack "anonymous tenants" of docs/reliability.md.
var anonymousTenants = attack{
	name:   "anonymous tenants",
	attack: "2,000 requests without a token, each for a new tenant name (`GET` and `POST /tenants/anon-N/scim/v2/Users`), with `--token` set and `--max-tenants 50`",
	serve:  []string{"--max-tenants", "50"},
	on: func(s *server) (result, error) {
		statuses := map[int]int{}
		var mu sync.Mutex
		err := spread(16, 2000, func(i int) error {
			method, body := "GET", any(nil)
			if i%2 == 1 {
				method, body = "POST", user("x@contoso.com")
			}
			code, _, err := s.do(method, fmt.Sprintf("/tenants/anon-%d/scim/v2/Users", i), "", body)
			if err != nil {
				return err
			}
			mu.Lock()
			statuses[code]++
			mu.Unlock()
			return nil
		})
		if err != nil {
			return result{}, err
		}
		_, list, err := s.do("GET", "/admin/tenants", "", nil)
		if err != nil {
			return result{}, err
		}
		var tenants []struct{ Name string }
		_ = json.Unmarshal(list, &tenants)
		code, _, err := s.do("POST", "/tenants/real/scim/v2/Users", token, user("ada@contoso.com"))
		if err != nil {
			return result{}, err
		}
		return result{
			did: "answers every one 401 with `WWW-Authenticate: Bearer`, creates no tenant and journals nothing (there is no tenant to journal it in); a request with the token still creates its tenant",
			figures: []string{fmt.Sprintf("%d × 401 of 2,000", statuses[401]), fmt.Sprintf("%d tenants created", len(tenants)-1),
				fmt.Sprintf("then a request with the token: %d", code)},
		}, nil
	},
}

// anonymousBodies is the attack "anonymous bodies" of docs/reliability.md.
var anonymousBodies = attack{
	name:   "anonymous bodies",
	attack: "10,000 `POST /scim/v2/Users` without a token, each with a 64 KiB body",
	on: func(s *server) (result, error) {
		before := s.rssMB()
		big := user(strings.Repeat("a", 64<<10-100))
		raw, _ := json.Marshal(big)
		var n401 atomic.Int64
		err := spread(16, 10000, func(i int) error {
			code, _, err := s.do("POST", "/scim/v2/Users", "", raw)
			if err != nil {
				return err
			}
			if code == 401 {
				n401.Add(1)
			}
			return nil
		})
		if err != nil {
			return result{}, err
		}
		_, journal, err := s.do("GET", "/admin/requests", "", nil)
		if err != nil {
			return result{}, err
		}
		return result{
			did: "answers 401 and journals each request without its body, so the journal and the heap stay small",
			figures: []string{fmt.Sprintf("%d × 401", n401.Load()), fmt.Sprintf("RSS %s before, %s after (peak %s)", mb(before), mb(s.rssMB()), mb(s.hwmMB())),
				fmt.Sprintf("GET /admin/requests: %s", bytesText(len(journal)))},
		}, nil
	},
}
