package main

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Attacks on the request journal: filling it, and reading secrets back out of it.

// journalFlood is the attack "journal flood with the token" of docs/reliability.md.
var journalFlood = attack{
	name:   "journal flood with the token",
	attack: "4,000 `POST /scim/v2/Users` with the token and a 60 KiB body each (rejected: `active` is not a boolean), to fill the journal",
	on: func(s *server) (result, error) {
		before := s.rssMB()
		body := user("x@contoso.com")
		body["nickName"] = strings.Repeat("j", 60<<10)
		body["active"] = "not a boolean"
		raw, _ := json.Marshal(body)
		err := spread(16, 4000, func(i int) error {
			_, _, err := s.do("POST", "/scim/v2/Users", token, raw)
			return err
		})
		if err != nil {
			return result{}, err
		}
		_, journal, err := s.do("GET", "/admin/requests", "", nil)
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
		_, journal, err := s.do("GET", "/admin/requests", "", nil)
		if err != nil {
			return result{}, err
		}
		return result{
			did:     "stores the requests with the values redacted: the journal never holds the password or the token",
			figures: []string{fmt.Sprintf("%q in the journal: %d times", secret, strings.Count(string(journal), secret)), fmt.Sprintf("`[redacted]`: %d times", strings.Count(string(journal), "[redacted]"))},
		}, nil
	},
}
