package main

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Attacks by size: requests and seeds whose parts are many or large.

// attributesRepeated is the attack "attributes repeated" of docs/reliability.md.
var attributesRepeated = attack{
	name:   "attributes repeated",
	attack: "`GET /Users/ID?attributes=emails.value,…` naming `emails.value` 8,000 times, on a user with 5,000 emails",
	on: func(s *server) (result, error) {
		emails := make([]any, 5000)
		for i := range emails {
			emails[i] = map[string]any{"value": fmt.Sprintf("a%d@contoso.com", i), "type": "other"}
		}
		u := user("many@contoso.com")
		u["id"] = "many"
		u["emails"] = emails
		if err := s.seed("", []map[string]any{u}, nil); err != nil {
			return result{}, err
		}
		q := "/scim/v2/Users/many?attributes=" + strings.TrimSuffix(strings.Repeat("emails.value,", 8000), ",")
		cpu0, t0 := s.cpu(), time.Now()
		code, _, err := s.do("GET", q, token, nil)
		if err != nil {
			return result{}, err
		}
		took, cpu := time.Since(t0), s.cpu()-cpu0
		// 201 distinct names are refused.
		var many []string
		for i := range 201 {
			many = append(many, fmt.Sprintf("x%d", i))
		}
		capCode, _, _ := s.do("GET", "/scim/v2/Users?attributes="+strings.Join(many, ","), token, nil)
		return result{
			did:     "reads the 8,000 names as one, resolves them once per request (not once per resource), and refuses more than 200 distinct names (400 `invalidValue`)",
			figures: []string{fmt.Sprintf("%d in %s, %s of CPU", code, ms(took), cpuTime(cpu)), fmt.Sprintf("201 distinct names: %d", capCode)},
		}, nil
	},
}

// patchManyMembers is the attack "PATCH of many members" of docs/reliability.md.
var patchManyMembers = attack{
	name:   "PATCH of many members",
	attack: "with `--max-body 8MiB`: one PATCH adding 45,000 members; then, on a fresh server, one adding 10,000 (the limit) and one removing 10,000 the Entra way (`Remove` with a value array) while another client creates users in the same tenant",
	run: func(r *report) (result, error) {
		start := func() (*server, error) {
			s, err := r.start("--max-body", "8MiB")
			if err != nil {
				return nil, err
			}
			us := make([]map[string]any, 45000)
			for i := range us {
				us[i] = map[string]any{"id": fmt.Sprintf("m%d", i), "userName": fmt.Sprintf("m%d@contoso.com", i)}
			}
			if err := s.seed("", us, []map[string]any{{"id": "g", "displayName": "Big"}}); err != nil {
				s.stop()
				return nil, err
			}
			return s, nil
		}
		members := func(n int) []any {
			out := make([]any, n)
			for i := range out {
				out[i] = map[string]any{"$ref": nil, "value": fmt.Sprintf("m%d", i)}
			}
			return out
		}
		// patch answers the status, or a figure when no answer came in the client's time.
		patch := func(s *server, op string, n int) (string, time.Duration, error) {
			t0 := time.Now()
			code, _, err := s.do("PATCH", "/scim/v2/Groups/g", token, patchOp(op, "members", members(n)))
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return "no answer", time.Since(t0), nil
			}
			return strconv.Itoa(code), time.Since(t0), err
		}
		s, err := start()
		if err != nil {
			return result{}, err
		}
		over, overTook, err := patch(s, "Add", 45000)
		s.stop()
		if err != nil {
			return result{}, err
		}
		if s, err = start(); err != nil {
			return result{}, err
		}
		defer s.stop()
		stop := make(chan struct{})
		var worst atomic.Int64
		var creates atomic.Int64
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			until(stop, func(i int) bool {
				t0 := time.Now()
				if code, _, err := s.do("POST", "/scim/v2/Users", token, user(fmt.Sprintf("side%d@contoso.com", i))); err == nil && code == 201 {
					creates.Add(1)
				}
				if d := int64(time.Since(t0)); d > worst.Load() {
					worst.Store(d)
				}
				return true
			})
		}()
		add, addTook, err := patch(s, "Add", 10000)
		if err != nil {
			return result{}, err
		}
		rm, rmTook, err := patch(s, "Remove", 10000)
		if err != nil {
			return result{}, err
		}
		close(stop)
		wg.Wait()
		return result{
			did: "refuses a PATCH of more than 10,000 members (or 1,000 operations) at once with 413 naming the limit; adds and removes in one pass over the group, and validates and encodes before it takes its turn to store, so other writes go on",
			figures: []string{fmt.Sprintf("45,000 members: %s in %s", over, ms(overTook)), fmt.Sprintf("add 10,000: %s in %s", add, ms(addTook)),
				fmt.Sprintf("remove 10,000: %s in %s", rm, ms(rmTook)), fmt.Sprintf("meanwhile %d creates, the slowest %s", creates.Load(), ms(time.Duration(worst.Load())))},
		}, nil
	},
}

// seed64MiB is the attack "a 64 MiB seed" of docs/reliability.md.
var seed64MiB = attack{
	name:   "a 64 MiB seed",
	attack: "one `POST /admin/seed` of 64 MiB (about 400,000 users)",
	on: func(s *server) (result, error) {
		var b strings.Builder
		b.WriteString(`{"users":[`)
		n := 0
		for b.Len() < 64<<20-400 {
			if n > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `{"userName":"seed%d@contoso.com","displayName":"Seeded user %d","title":"Engineer","emails":[{"value":"seed%d@contoso.com","type":"work","primary":true}]}`, n, n, n)
			n++
		}
		b.WriteString(`]}`)
		before := s.rssMB()
		t0 := time.Now()
		code, _, err := s.do("POST", "/admin/seed", "", b.String())
		if err != nil {
			return result{}, err
		}
		body := float64(b.Len()) / (1 << 20)
		return result{
			did: "decodes the body one resource at a time into the records it stores, instead of decoding it whole first",
			figures: []string{fmt.Sprintf("%d users: %d in %s", n, code, ms(time.Since(t0))),
				fmt.Sprintf("peak RSS %s (%.1f× the body), %s before", mb(s.hwmMB()), s.hwmMB()/body, mb(before))},
		}, nil
	},
}
