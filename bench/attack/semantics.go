package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Attacks on the server's rules: a mistyped fault, names in other cases, and writes that race.

// adminFaultTypo is the attack "a typo in an admin fault" of docs/reliability.md.
var adminFaultTypo = attack{
	name:   "a typo in an admin fault",
	attack: "`POST /admin/faults` with `{\"type\": \"server_error\", \"probabilty\": 0.1}`",
	on: func(s *server) (result, error) {
		code, body, err := s.do("POST", "/admin/faults", "", `{"type": "server_error", "probabilty": 0.1}`)
		if err != nil {
			return result{}, err
		}
		var e struct{ Error string }
		_ = json.Unmarshal(body, &e)
		after, _, _ := s.do("GET", "/scim/v2/Users", token, nil)
		return result{
			did:     "refuses it, naming the key and the known ones, as the `--faults` loader does; no fault is stored",
			figures: []string{fmt.Sprintf("%d %q", code, e.Error), fmt.Sprintf("then GET /Users: %d", after)},
		}, nil
	},
}

// namesInOtherCases is the attack "names in other cases" of docs/reliability.md.
var namesInOtherCases = attack{
	name:   "names in other cases",
	attack: "creates of `sam` then `ſam` (long s), `kim` then `Kim` (Kelvin sign), `info` then `İnfo`, `strasse` then `straße`; each looked up with an indexed and a scanned filter",
	on: func(s *server) (result, error) {
		var figures []string
		for _, p := range [][2]string{{"sam", "ſam"}, {"kim", "\u212aim"}, {"info", "İnfo"}, {"strasse", "straße"}} {
			s.do("POST", "/scim/v2/Users", token, user(p[0]))
			code, _, _ := s.do("POST", "/scim/v2/Users", token, user(p[1]))
			count := func(f string) int {
				_, body, _ := s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(f), token, nil)
				var l struct{ TotalResults int }
				_ = json.Unmarshal(body, &l)
				return l.TotalResults
			}
			q := strconv.Quote(p[1])
			figures = append(figures, fmt.Sprintf("%s after %s: %d; found %d indexed, %d scanned", p[1], p[0], code,
				count("userName eq "+q), count("userName eq "+q+` or title eq "x"`)))
		}
		return result{
			did:     "folds case one way everywhere (Unicode simple folding): ſ, K and ς are the same letters as s, k and σ (409 `uniqueness`), İ and ß stay distinct, and an indexed and a scanned filter find the same users",
			figures: figures,
		}, nil
	},
}

// deleteRacingPatch is the attack "DELETE racing PATCH add-member" of docs/reliability.md.
var deleteRacingPatch = attack{
	name:   "DELETE racing PATCH add-member",
	attack: "100 pairs released together: `DELETE /Users/uN` and a PATCH adding `uN` to group `gN`",
	on: func(s *server) (result, error) {
		var us, gs []map[string]any
		for i := range 100 {
			us = append(us, map[string]any{"id": fmt.Sprintf("u%d", i), "userName": fmt.Sprintf("u%d@contoso.com", i)})
			gs = append(gs, map[string]any{"id": fmt.Sprintf("g%d", i), "displayName": fmt.Sprintf("G%d", i)})
		}
		if err := s.seed("", us, gs); err != nil {
			return result{}, err
		}
		var mu sync.Mutex
		outcomes := map[string]int{}
		start := make(chan struct{})
		time.AfterFunc(100*time.Millisecond, func() { close(start) }) // once every goroutine waits
		err := inParallel(200, func(i int) error {
			<-start
			var code int
			var err error
			if i%2 == 0 {
				code, _, err = s.do("DELETE", fmt.Sprintf("/scim/v2/Users/u%d", i/2), token, nil)
			} else {
				code, _, err = s.do("PATCH", fmt.Sprintf("/scim/v2/Groups/g%d", i/2), token,
					patchOp("Add", "members", []any{map[string]any{"value": fmt.Sprintf("u%d", i/2)}}))
			}
			mu.Lock()
			outcomes[fmt.Sprintf("%s %d", map[bool]string{true: "DELETE", false: "PATCH"}[i%2 == 0], code)]++
			mu.Unlock()
			return err
		})
		if err != nil {
			return result{}, err
		}
		_, body, _ := s.do("GET", "/scim/v2/Groups?count=1000", token, nil)
		stale := strings.Count(string(body), `"members"`)
		var keys []string
		for k, v := range outcomes {
			keys = append(keys, fmt.Sprintf("%d × %s", v, k))
		}
		slices.Sort(keys)
		return result{
			did:     "applies each change whole in the store's order: a DELETE removes the user from its groups in the same change, and a PATCH that adds a member checks, in its change, that the member exists (400 `invalidValue` when it comes after the DELETE)",
			figures: []string{strings.Join(keys, ", "), fmt.Sprintf("groups listing a deleted user: %d", stale)},
		}, nil
	},
}
