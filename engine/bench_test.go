package engine

import (
	"testing"

	"github.com/scimsim/scimsim/report"
	"github.com/scimsim/scimsim/simulator"
)

// BenchmarkRun_Create provisions one user that gets created, end to end over loopback HTTP against
// the in-process simulator: test connection, import, scope, two matching queries, POST. The
// tenant is emptied between iterations, outside the timer.
func BenchmarkRun_Create(b *testing.B) {
	tg := newTarget(b, simulator.ProfileEntra)
	src, cfg := contoso(b)
	subj := Subject{User: "alice@contoso.com"}
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		tg.tenant.Reset()
		tg.tenant.Configure(simulator.ProfileEntra, testToken)
		b.StartTimer()
		rep := tg.run(b, src, cfg, subj)
		if rep.Action != report.ActionCreate {
			b.Fatalf("action = %s (%s %s), want create", rep.Action, rep.ErrorCode, rep.Reason)
		}
	}
}
