package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Attacks on durability: a kill -9 under load, and a disk that is full.

// killUnderLoad is the attack "kill -9 under load" of docs/reliability.md.
var killUnderLoad = attack{
	name:   "kill -9 under load",
	attack: "20 rounds: a server with `--state` (`--state-sync always`, the default) takes creates from 8 clients for 0.5 s and is killed with SIGKILL; the next round starts from the state it left",
	run: func(r *report) (result, error) {
		dir, err := os.MkdirTemp("", "attack-state-")
		if err != nil {
			return result{}, err
		}
		defer os.RemoveAll(dir)
		path := filepath.Join(dir, "state.json")
		var acked []string
		var mu sync.Mutex
		for round := range 20 {
			s, err := r.start("--state", path, "--state-interval", "100ms")
			if err != nil {
				return result{}, err
			}
			stopClients := clients(8, func(c, i int) bool {
				name := fmt.Sprintf("r%d-c%d-%d@contoso.com", round, c, i)
				code, _, err := s.do("POST", "/scim/v2/Users", token, user(name))
				if err != nil {
					return false
				}
				if code == 201 {
					mu.Lock()
					acked = append(acked, name)
					mu.Unlock()
				}
				return true
			})
			time.Sleep(500 * time.Millisecond)
			s.kill()
			stopClients()
		}
		s, err := r.start("--state", path)
		if err != nil {
			return result{}, err
		}
		defer s.stop()
		stored := map[string]bool{}
		for start := 1; ; start += 1000 {
			_, body, err := s.do("GET", fmt.Sprintf("/scim/v2/Users?attributes=userName&count=1000&startIndex=%d", start), token, nil)
			if err != nil {
				return result{}, err
			}
			var page struct {
				TotalResults int
				Resources    []struct{ UserName string }
			}
			_ = json.Unmarshal(body, &page)
			for _, u := range page.Resources {
				stored[u.UserName] = true
			}
			if start+1000 > page.TotalResults {
				break
			}
		}
		lost := 0
		for _, n := range acked {
			if !stored[n] {
				lost++
			}
		}
		return result{
			did:     "appends every batch of writes to the state log and fsyncs it before any of its writes is answered, so a write that got its 201 is in the state the next start loads",
			figures: []string{fmt.Sprintf("%d acknowledged creates, %d lost", len(acked), lost), fmt.Sprintf("%d users restored", len(stored))},
		}, nil
	},
}

// fullDisk is the attack "full disk" of docs/reliability.md.
var fullDisk = attack{
	name:   "full disk",
	attack: "a server whose state log cannot be written (its file is `/dev/full`: every write fails with ENOSPC) takes a create and `GET /admin/health`; then the disk recovers",
	run: func(r *report) (result, error) {
		if _, err := os.Stat("/dev/full"); err != nil {
			return result{did: "not run: no /dev/full"}, nil
		}
		dir, err := os.MkdirTemp("", "attack-full-")
		if err != nil {
			return result{}, err
		}
		defer os.RemoveAll(dir)
		path := filepath.Join(dir, "state.json")
		// The logs the server will open (its first save at start-up starts the second) are
		// links to /dev/full.
		for gen := 1; gen <= 3; gen++ {
			if err := os.Symlink("/dev/full", fmt.Sprintf("%s.%08d.log", path, gen)); err != nil {
				return result{}, err
			}
		}
		s, err := r.start("--state", path, "--state-interval", "0")
		if err != nil {
			return result{}, err
		}
		defer s.stop()
		code, body, err := s.do("POST", "/scim/v2/Users", token, user("ada@contoso.com"))
		if err != nil {
			return result{}, err
		}
		var scimErr struct{ Detail string }
		_ = json.Unmarshal(body, &scimErr)
		health, _, _ := s.do("GET", "/admin/health", "", nil)
		// The disk recovers: the next log the server opens is a regular file. It tries a
		// snapshot every 2 s, each with a new log.
		for gen := 1; gen <= 3; gen++ {
			_ = os.Remove(fmt.Sprintf("%s.%08d.log", path, gen))
		}
		deadline := time.Now().Add(15 * time.Second)
		healed := 0
		for time.Now().Before(deadline) {
			if healed, _, _ = s.do("GET", "/admin/health", "", nil); healed == 200 {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		after, _, _ := s.do("POST", "/scim/v2/Users", token, user("ada@contoso.com"))
		logged := strings.Contains(s.logs.String(), "state cannot be saved")
		return result{
			did: "refuses the write with 503 and a SCIM error saying why, answers `/admin/health` 503 unhealthy, logs the failure, and recovers once a snapshot can be written",
			figures: []string{fmt.Sprintf("create: %d %q", code, trim(strings.ReplaceAll(scimErr.Detail, dir, "DIR"), 160)), fmt.Sprintf("health: %d", health),
				fmt.Sprintf("logged: %v", logged), fmt.Sprintf("after the repair: health %d, create %d", healed, after)},
		}, nil
	},
}

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
