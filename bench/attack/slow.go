package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"time"
)

// Attacks by slow and impatient clients: scans that read everything, clients that leave early,
// bodies that arrive a byte at a time.

// scanFlood seeds s with 100,000 users and has 32 clients scan them all for 10 s.
func scanFlood(s *server) (string, error) {
	if err := s.seed("", users(100000, "u"), nil); err != nil {
		return "", err
	}
	before := s.rssMB()
	deadline := time.Now().Add(10 * time.Second)
	var n atomic.Int64
	err := inParallel(32, func(int) error {
		for time.Now().Before(deadline) {
			code, _, err := s.do("GET", "/scim/v2/Users?count=1&filter="+url.QueryEscape(`title eq "Engineer"`), token, nil)
			if err != nil {
				return err
			}
			if code == 200 {
				n.Add(1)
			}
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d answers, RSS %s before, %s after (peak %s)", n.Load(), mb(before), mb(s.rssMB()), mb(s.hwmMB())), nil
}

// leaveEarly sends 8 scans of every user whose clients give up after 50 ms, and measures the
// server's CPU in the 3 s that follow: the work a server does for clients that have gone.
func leaveEarly(s *server) (string, error) {
	impatient := &http.Client{Timeout: 50 * time.Millisecond, Transport: &http.Transport{}}
	cpu0 := s.cpu()
	err := inParallel(8, func(int) error {
		req, err := http.NewRequest("GET", s.root+"/scim/v2/Users?count=1&filter="+url.QueryEscape(`title eq "Engineer"`), nil)
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
