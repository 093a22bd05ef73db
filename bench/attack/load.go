package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
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
		var worst atomic.Int64
		var creates atomic.Int64
		stopCreates := clients(1, func(_, i int) bool {
			t0 := time.Now()
			if code, _, err := s.do("POST", "/scim/v2/Users", token, user(fmt.Sprintf("side%d@contoso.com", i))); err == nil && code == 201 {
				creates.Add(1)
			}
			if d := int64(time.Since(t0)); d > worst.Load() {
				worst.Store(d)
			}
			return true
		})
		defer stopCreates() // before s.stop, on every return
		add, addTook, err := patch(s, "Add", 10000)
		if err != nil {
			return result{}, err
		}
		rm, rmTook, err := patch(s, "Remove", 10000)
		if err != nil {
			return result{}, err
		}
		stopCreates()
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

// Attacks by slow and impatient clients: scans that read everything, clients that leave early,
// bodies that arrive a byte at a time.

// engineerScan is GET /Users?filter=title eq "Engineer"&count=1 as it is sent, the scan of "scans
// with count=1": every user that users makes has that title, so it matches them all and keeps one.
const engineerScan = "/scim/v2/Users?count=1&filter=title+eq+%22Engineer%22"

// scanFlood seeds s with 100,000 users and has 32 clients scan them all for 10 s.
func scanFlood(s *server) (string, error) {
	if err := s.seed("", users(100000, "u"), nil); err != nil {
		return "", err
	}
	before := s.rssMB()
	deadline := time.Now().Add(10 * time.Second)
	var answers tally
	err := inParallel(32, func(int) error {
		for time.Now().Before(deadline) {
			if err := answers.add(s.do("GET", engineerScan, token, nil)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d answers, RSS %s before, %s after (peak %s)", answers.of(200), mb(before), mb(s.rssMB()), mb(s.hwmMB())), nil
}

// leaveEarly sends 8 scans of every user whose clients give up after 50 ms, and measures the
// server's CPU in the 3 s that follow: the work a server does for clients that have gone.
func leaveEarly(s *server) (string, error) {
	impatient := &http.Client{Timeout: 50 * time.Millisecond, Transport: &http.Transport{}}
	cpu0 := s.cpu()
	err := inParallel(8, func(int) error {
		req, err := http.NewRequest("GET", s.root+engineerScan, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		if resp, err := impatient.Do(req); err == nil {
			resp.Body.Close()
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	time.Sleep(3 * time.Second)
	return fmt.Sprintf("8 clients leaving after 50 ms: %s of CPU in the 3 s after", ms(s.cpu()-cpu0)), nil
}

// scansCountOne is the attack "scans with count=1" of docs/reliability.md.
var scansCountOne = attack{
	name:   "scans with count=1",
	attack: "32 clients for 10 s sending `GET /Users?filter=title eq \"Engineer\"&count=1`, which every one of 100,000 users matches; once with serve's collector setting and once with `GOGC=100`; then 8 such scans whose clients leave after 50 ms",
	run: func(r *report) (result, error) {
		var figures []string
		for _, gc := range []string{"", "GOGC=100"} {
			var env []string
			label := "serve's own setting"
			if gc != "" {
				env, label = []string{gc}, gc
			}
			s, err := r.startEnv(env)
			if err != nil {
				return result{}, err
			}
			f, err := scanFlood(s)
			if err == nil && gc == "" {
				var left string
				left, err = leaveEarly(s)
				f += "; " + left
			}
			s.stop()
			if err != nil {
				return result{}, err
			}
			figures = append(figures, label+": "+f)
		}
		return result{
			did:     "stops a scan when its client goes away; counts every match for totalResults but keeps only the page's resource: what it decodes to evaluate a user is garbage at once, so memory does not grow with the matches or the clients, only to the collector's headroom over the live heap, which `serve`'s GOGC=200 (a sixth less CPU per write) makes about twice what GOGC=100 gives",
			figures: figures,
		}, nil
	},
}

// slowBodies is the attack "slow-body connections" of docs/reliability.md.
var slowBodies = attack{
	name:   "slow-body connections",
	attack: "20,000 connections that each send a POST's headers with `Content-Length: 1000` and one byte of body, held open (the client, under the same limit of file descriptors, closes what the server closed, a thousand at a time); `/admin/health` asked every 100 ms meanwhile",
	on: func(s *server) (result, error) {
		stop := make(chan struct{})
		probe := s.healthProbe(100*time.Millisecond, stop)
		addr := strings.TrimPrefix(s.root, "http://")
		// The client closes its end of what the server closed, a thousand connections at a
		// time, so that it never needs 20,000 file descriptors itself.
		var conns []net.Conn
		opened, failedDials, closedByServer, most := 0, 0, 0, 0
		reap := func() {
			kept := conns[:0]
			for _, c := range conns {
				_ = c.SetReadDeadline(time.Now().Add(50 * time.Microsecond))
				if _, err := c.Read(make([]byte, 1)); err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
					closedByServer++
					c.Close()
					continue
				}
				kept = append(kept, c)
			}
			conns = kept
		}
		for i := range 20000 {
			c, err := net.DialTimeout("tcp", addr, 5*time.Second)
			if err != nil {
				failedDials++
				continue
			}
			if _, err := io.WriteString(c, "POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "+token+"\r\nContent-Length: 1000\r\n\r\n{"); err != nil {
				c.Close()
				continue
			}
			conns = append(conns, c)
			opened++
			most = max(most, len(conns))
			if i%1000 == 999 {
				reap()
			}
		}
		time.Sleep(time.Second)
		reap()
		close(stop)
		n, failed, slowest := probe()
		for _, c := range conns {
			c.Close()
		}
		return result{
			did: "holds at most `--max-conns` (4,096) connections: past it a new connection closes the oldest one that has not sent a whole request, so the file descriptors never run out and `/admin/health` keeps answering",
			figures: []string{fmt.Sprintf("%d opened (%d dials failed), %d closed by the server, %d still open", opened, failedDials, closedByServer, len(conns)),
				fmt.Sprintf("/admin/health: %d probes, %d failed, the slowest %s", n, failed, ms(slowest))},
		}, nil
	},
}
