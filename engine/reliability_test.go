package engine

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/report"
	"github.com/scimsim/scimsim/simulator"
	"github.com/scimsim/scimsim/simulator/faults"
)

// sleeps records the waits the engine asks for instead of waiting: the tests check what is
// waited, never how long anything took.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) option() Option {
	return withSleep(func(ctx context.Context, d time.Duration) error {
		s.mu.Lock()
		s.d = append(s.d, d)
		s.mu.Unlock()
		return ctx.Err()
	})
}

// postExchanges returns the POST exchanges of the run, in order.
func postExchanges(rep *Report) []Exchange {
	var out []Exchange
	for _, s := range rep.Steps {
		for _, ex := range s.Exchanges {
			if ex.Method == "POST" {
				out = append(out, ex)
			}
		}
	}
	return out
}

func hasLandedWarning(rep *Report) bool {
	return slices.ContainsFunc(rep.Warnings, func(w string) bool { return strings.Contains(w, "may already have applied") })
}

// TestRun_retryAfter: a 429 is retried after exactly the wait its Retry-After asks for (RFC 9110
// §10.2.3; Microsoft documents that a 429 is retried automatically, howto-analyze-provisioning-logs.md,
// TooManyRequests: that the wait follows Retry-After is scimsim's reading) when the wait fits in job.timeout, and not at
// all when it does not. A 429 was not applied, so no warning of a possible duplicate is given.
func TestRun_retryAfter(t *testing.T) {
	tests := []struct {
		name       string
		retryAfter int
		count      int
		timeout    time.Duration
		wantSleeps []time.Duration
		want       want
		wantPosts  []int // statuses of the POST attempts
	}{
		{
			name: "throttled twice", retryAfter: 2, count: 2, timeout: 30 * time.Second,
			wantSleeps: []time.Duration{2 * time.Second, 2 * time.Second},
			want:       want{status: report.StatusSuccess, action: report.ActionCreate},
			wantPosts:  []int{429, 429, 201},
		},
		{
			name: "beyond the budget", retryAfter: 120, count: 1, timeout: 10 * time.Second,
			wantSleeps: nil,
			want:       want{status: report.StatusFailure, action: report.ActionNone, failedStep: report.StepExport, errorCode: "TooManyRequests"},
			wantPosts:  []int{429},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg := newTarget(t, simulator.ProfileEntra)
			tg.fault(t, faults.Spec{Type: "throttle", Match: faults.Match{Method: "POST", Resource: "Users"}, Count: tt.count,
				Attributes: map[string]any{"retryAfter": tt.retryAfter}})
			src, cfg := contoso(t)
			cfg.Job.Timeout = tt.timeout
			var s sleeps
			rep := tg.run(t, src, cfg, Subject{User: "alice@contoso.com"}, s.option())
			check(t, rep, tt.want)
			if !slices.Equal(s.d, tt.wantSleeps) {
				t.Errorf("waits %v, want %v", s.d, tt.wantSleeps)
			}
			var got []int
			for i, ex := range postExchanges(rep) {
				got = append(got, ex.Status)
				if i > 0 && ex.Retry != entra.RetryThrottled {
					t.Errorf("POST attempt %d: retry reason %q, want %q", ex.Attempt, ex.Retry, entra.RetryThrottled)
				}
			}
			if !slices.Equal(got, tt.wantPosts) {
				t.Errorf("POST statuses %v, want %v", got, tt.wantPosts)
			}
			if hasLandedWarning(rep) {
				t.Errorf("warnings = %q: a 429 was not applied", rep.Warnings)
			}
			if n := len(tg.users(t, "alice@contoso.com")); n != min(1, len(tt.wantSleeps)) {
				t.Errorf("%d users alice@contoso.com in the target", n)
			}
		})
	}
}

// TestRun_timedOutWriteThatLanded: the target stores the first POST but its answer never
// arrives in time; the engine retries, the retry meets the user the first attempt created
// (409), and the report says that the timed-out write may have been applied. The target holds
// one user, not two.
func TestRun_timedOutWriteThatLanded(t *testing.T) {
	sim, err := simulator.New(simulator.WithToken(testToken), simulator.WithSeed(1))
	if err != nil {
		t.Fatal(err)
	}
	var posts atomic.Int32
	released := make(chan struct{})
	var once sync.Once
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || posts.Add(1) != 1 {
			sim.ServeHTTP(w, r)
			return
		}
		// The write lands; its answer is held until the client gives up, then dropped.
		sim.ServeHTTP(httptest.NewRecorder(), r)
		<-r.Context().Done()
		once.Do(func() { close(released) })
	}))
	t.Cleanup(ts.Close)

	src, cfg := contoso(t)
	cfg.Job.Timeout = 3 * time.Second
	cfg.Job.RequestTimeout = 300 * time.Millisecond
	rep, err := Run(context.Background(), src, cfg, Subject{User: "alice@contoso.com"},
		WithTarget(ts.URL+"/scim/v2", testToken),
		WithClock(func() time.Time { return testNow }),
		withSleep(func(ctx context.Context, d time.Duration) error { return ctx.Err() }))
	if err != nil {
		t.Fatal(err)
	}
	<-released

	exs := postExchanges(rep)
	if len(exs) < 2 || exs[0].Status != 0 || exs[1].Retry != entra.RetryTimeout {
		t.Fatalf("POST exchanges %+v, want a timed-out attempt and a retry marked %q", exs, entra.RetryTimeout)
	}
	if !hasLandedWarning(rep) {
		t.Errorf("warnings = %q, want the retried POST reported as possibly applied", rep.Warnings)
	}
	if sim.Tenant("").Users() != 1 {
		t.Errorf("the target holds %d users, want the one the first attempt stored", sim.Tenant("").Users())
	}
	// The retry meets the user its own first attempt created: the run fails as Entra's would,
	// with EntryConflict, and the warning tells the reader why.
	if rep.Status != report.StatusFailure || rep.ErrorCode != "EntryConflict" {
		t.Errorf("report %s %s %q, want failure EntryConflict", rep.Status, rep.ErrorCode, rep.Reason)
	}
}
