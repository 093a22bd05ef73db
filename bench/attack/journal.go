package main

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Attacks by clients without the token: tenants they would create, bodies they would have the
// server keep.

// anonymousTenants is the attack "anonymous tenants" of docs/reliability.md.
var anonymousTenants = attack{
	name:   "anonymous tenants",
	attack: "2,000 requests without a token, each for a new tenant name (`GET` and `POST /tenants/anon-N/scim/v2/Users`), with `--token` set and `--max-tenants 50`",
	serve:  []string{"--max-tenants", "50"},
	on: func(s *server) (result, error) {
		var answers tally
		err := spread(16, 2000, func(i int) error {
			method, body := "GET", any(nil)
			if i%2 == 1 {
				method, body = "POST", user("x@contoso.com")
			}
			return answers.add(s.do(method, fmt.Sprintf("/tenants/anon-%d/scim/v2/Users", i), "", body))
		})
		if err != nil {
			return result{}, err
		}
		list, err := s.get("/admin/tenants")
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
			figures: []string{fmt.Sprintf("%d × 401 of 2,000", answers.of(401)), fmt.Sprintf("%d tenants created", len(tenants)-1),
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
		answers, journal, err := s.flood(10000, "", big)
		if err != nil {
			return result{}, err
		}
		return result{
			did: "answers 401 and journals each request without its body, so the journal and the heap stay small",
			figures: []string{fmt.Sprintf("%d × 401", answers.of(401)), fmt.Sprintf("RSS %s before, %s after (peak %s)", mb(before), mb(s.rssMB()), mb(s.hwmMB())),
				fmt.Sprintf("GET /admin/requests: %s", bytesText(len(journal)))},
		}, nil
	},
}

// Attacks on the request journal: filling it, and reading secrets back out of it.

// flood sends n creates of body from 16 clients, bearer as the token, and returns their answers
// and then the request journal.
func (s *server) flood(n int, bearer string, body map[string]any) (*tally, []byte, error) {
	raw, err := json.Marshal(body) // once, not once a request
	if err != nil {
		return nil, nil, err
	}
	var answers tally
	err = spread(16, n, func(int) error {
		return answers.add(s.do("POST", "/scim/v2/Users", bearer, raw))
	})
	if err != nil {
		return nil, nil, err
	}
	journal, err := s.get("/admin/requests")
	return &answers, journal, err
}

// journalFlood is the attack "journal flood with the token" of docs/reliability.md.
var journalFlood = attack{
	name:   "journal flood with the token",
	attack: "4,000 `POST /scim/v2/Users` with the token and a 60 KiB body each (rejected: `active` is not a boolean), to fill the journal",
	on: func(s *server) (result, error) {
		before := s.rssMB()
		body := user("x@contoso.com")
		body["nickName"] = strings.Repeat("j", 60<<10)
		body["active"] = "not a boolean"
		_, journal, err := s.flood(4000, token, body)
		if err != nil {
			return result{}, err
		}
		var entries []json.RawMessage
		_ = json.Unmarshal(journal, &entries)
		return result{
			did: "keeps the newest entries within `--journal-tenant-bytes` (16 MiB) and `--journal-bytes` (64 MiB), the oldest going first",
			figures: []string{fmt.Sprintf("%d entries kept of 4,000", len(entries)), fmt.Sprintf("GET /admin/requests: %s", bytesText(len(journal))),
				fmt.Sprintf("RSS %s before, %s after", mb(before), mb(s.rssMB()))},
		}, nil
	},
}

// journalSecrets is the attack "secrets in the journal" of docs/reliability.md.
var journalSecrets = attack{
	name:   "secrets in the journal",
	attack: "a create with `\"password\": \"hunter2…\"`, a PATCH of `password`, a query with `access_token=`, then `GET /admin/requests`",
	on: func(s *server) (result, error) {
		const secret = "hunter2-9f8e7d"
		u := user("ada@contoso.com")
		u["password"] = secret
		code, body, err := s.do("POST", "/scim/v2/Users", token, u)
		if err != nil || code != 201 {
			return result{}, fmt.Errorf("create: %d %v", code, err)
		}
		var created struct{ ID string }
		_ = json.Unmarshal(body, &created)
		if _, _, err := s.do("PATCH", "/scim/v2/Users/"+created.ID, token, patchOp("replace", "password", secret)); err != nil {
			return result{}, err
		}
		if _, _, err := s.do("GET", "/scim/v2/Users?access_token="+secret, token, nil); err != nil {
			return result{}, err
		}
		journal, err := s.get("/admin/requests")
		if err != nil {
			return result{}, err
		}
		return result{
			did:     "stores the requests with the values redacted: the journal never holds the password or the token",
			figures: []string{fmt.Sprintf("%q in the journal: %d times", secret, strings.Count(string(journal), secret)), fmt.Sprintf("`[redacted]`: %d times", strings.Count(string(journal), "[redacted]"))},
		}, nil
	},
}
