package job

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/report"
)

// item is one object of a cycle.
type item struct {
	user  *engine.User
	group *engine.Group
	// reference marks the reference pass: a user provisioned again to set its manager.
	reference bool
}

func (it item) id() string {
	if it.group != nil {
		return it.group.ObjectID
	}
	return it.user.ObjectID
}

// outcome is one provisioned object.
type outcome struct {
	it      item
	rep     *engine.Report
	at      time.Time
	waited  time.Duration
	staged  bool
	members int
	// refMissing: the user's manager was not in the target when the user was provisioned.
	refMissing bool
}

func isEscrowReason(r string) bool {
	return r == ReasonBaseEscrow || r == ReasonTotalEscrow || r == ReasonEscrowProportion
}

// runCycle runs cycle n from time at.
func (j *Job) runCycle(ctx context.Context, n int, at time.Time, allowDeletes bool) CycleSummary {
	initial := !j.watermark
	c := CycleSummary{Number: n, ID: j.guid(), Initial: initial, Began: at, Codes: map[string]int{}}
	exec := &Execution{ActivityIdentifier: c.ID, TimeBegan: at}
	users, groups := j.work(initial)
	exec.CountImported = int64(len(users) + len(groups))
	exec.CountImportedDeltas = int64(len(j.pending))
	total := len(users) + len(groups)
	clock := at
	var (
		exception  *SyncError
		threshold  string
		stagedAll  []item
		modified   = map[string]bool{}
		exports    int64
		exported   int64
		pruned     bool
		refTouched []item
	)
	// "When the deletion threshold is met, the job goes into quarantine" (accidental-deletions.md);
	// "It's evaluated each cycle"; disables count too ("In addition to deletions, the same
	// functionality also works for disables"), and so do groups.
	if limit := j.cfg.Job.DeletionThreshold(); limit > 0 && !allowDeletes {
		var deletions []item
		for _, it := range append(slices.Clone(users), groups...) {
			if r := j.records[it.id()]; r != nil && r.anchor != "" && !r.disabled && !j.sess.InScope(j.object(it, clock)) {
				deletions = append(deletions, it)
			}
		}
		if len(deletions) > limit {
			stagedAll = deletions
			held := map[string]bool{}
			for _, d := range deletions {
				held[d.id()] = true
			}
			users = slices.DeleteFunc(users, func(it item) bool { return held[it.id()] })
			groups = slices.DeleteFunc(groups, func(it item) bool { return held[it.id()] })
		}
	}
	// A job quarantined for its escrow thresholds leaves quarantine when a retry exports without
	// failures ("removed from quarantine after all errors are fixed and the next sync cycle
	// starts", quarantine page); until then the counts it accrued keep it there.
	inEscrowQuarantine := j.status.Code == CodeQuarantine && isEscrowReason(j.status.Quarantine.Reason)
	done := 0
	stop := ""
	process := func(list []item) {
		for start := 0; start < len(list) && stop == ""; start += PageSize {
			page := list[start:min(start+PageSize, len(list))]
			outs := j.provisionPage(ctx, page, clock)
			for _, o := range outs {
				clock = clock.Add(ObjectTime*time.Duration(1+o.members) + o.waited)
				o.at = clock
				j.record(o, &c, exec, modified, &exports, &exported, &exception)
				if o.refMissing && o.rep.Status != report.StatusFailure {
					refTouched = append(refTouched, item{user: o.it.user, reference: true})
				}
			}
			done += len(page)
			if j.opts.Progress != nil {
				j.opts.Progress(n, done, total)
			}
			if exception != nil {
				stop = "quarantined: " + exception.Code
				break
			}
			if r := j.counts.threshold(); r != "" && !inEscrowQuarantine {
				if initial {
					// "Instead of going into quarantine, the synchronization process clears the
					// job's errors and continues until the initial synchronization is completed.
					// When the initial synchronization is completed, the job will pause"
					// (synchronizationStatus, escrowsPruned).
					pruned = true
					for _, rec := range j.records {
						rec.escrow = nil
					}
					j.counts = escrowCounts{}
					continue
				}
				threshold = r
				stop = "quarantined: " + r
			}
		}
	}
	process(users)
	// Reference attributes are set once the referenced users exist: "If the attribute mappings
	// contain "reference" attributes, the service does more updates on the target system to create
	// and link the referenced objects" (how-provisioning-works.md, initial cycle, step 6).
	if stop == "" && len(refTouched) > 0 {
		var again []item
		for _, it := range refTouched {
			if m, _ := it.user.Attrs[j.refAttr].(string); m != "" {
				if _, ok := j.anchorOf(m); ok {
					again = append(again, it)
				}
			}
		}
		total += len(again)
		process(again)
	}
	if j.cfg.Groups.Enabled {
		process(groups)
	}
	for _, it := range stagedAll {
		clock = clock.Add(ObjectTime)
		o := outcome{it: it, rep: j.stagedReport(it, len(stagedAll)), at: clock, staged: true}
		j.record(o, &c, exec, modified, &exports, &exported, &exception)
	}
	if inEscrowQuarantine && exception == nil && c.Failed > 0 {
		threshold = j.status.Quarantine.Reason
	}
	c.Ended = clock
	exec.TimeEnded = clock
	exec.CountExports, exec.CountExported = exports, exported
	for id := range modified {
		c.Modified = append(c.Modified, id)
	}
	sort.Strings(c.Modified)
	for _, r := range j.records {
		if r.escrow != nil {
			c.Escrows++
		}
	}
	exec.CountEscrowed = int64(c.Escrows)
	exec.CountEscrowedRaw = int64(c.Escrows + c.Staged)
	if stop == "" && len(stagedAll) == 0 {
		j.watermark = true
	}
	c.Stopped = stop
	j.finish(c.Ended, exec, &c, exception, threshold, len(stagedAll), pruned)
	c.Code = j.status.Code
	if q := j.status.Quarantine; q != nil {
		c.Reason = q.Reason
	}
	j.lastBegan, j.lastEnded = c.Began, c.Ended
	return c
}

// work is what a cycle processes, users then groups, in the source's order: the initial cycle
// every object in scope ("Sync only assigned users and groups": those assigned, directly or
// through a group; "Sync all": all) and every object the job provisioned before; an incremental
// cycle what changed since the watermark and the escrows: "If an error in the target system
// prevents an individual user from being added, updated, or deleted in the target system, the
// operation is retried in the next sync cycle" (how-provisioning-works.md, Errors and retries).
func (j *Job) work(initial bool) (users, groups []item) {
	all := j.cfg.Job.Scope == engine.ScopeAll
	take := func(id string) bool {
		if initial {
			r := j.records[id]
			return all || j.src.Assigned(id) || (r != nil && r.anchor != "")
		}
		r := j.records[id]
		return j.pending[id] || (r != nil && r.escrow != nil)
	}
	for _, u := range j.src.Users {
		if take(u.ObjectID) {
			users = append(users, item{user: u})
		}
	}
	for _, g := range j.src.Groups {
		if take(g.ObjectID) {
			groups = append(groups, item{group: g})
		}
	}
	return users, groups
}

// object is what the engine provisions for it at time at.
func (j *Job) object(it item, at time.Time) engine.Object {
	o := engine.Object{User: it.user, Group: it.group, Now: at, Seed: seedOf(it.id())}
	if r := j.records[it.id()]; r != nil {
		o.Anchor = r.anchor
	}
	if it.group != nil {
		for _, m := range it.group.Members {
			if r := j.records[m]; r != nil && r.anchor != "" && !r.disabled {
				o.Members = append(o.Members, r.anchor)
			}
		}
	}
	return o
}

func seedOf(id string) int64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return int64(h.Sum64() >> 1)
}

// provisionPage provisions a page of objects, Concurrency at a time, and returns their outcomes
// in the page's order. The records are read, not written, while the page runs.
func (j *Job) provisionPage(ctx context.Context, page []item, at time.Time) []outcome {
	outs := make([]outcome, len(page))
	objs := make([]engine.Object, len(page))
	for i, it := range page {
		objs[i] = j.object(it, at.Add(ObjectTime*time.Duration(i)))
		outs[i].refMissing = it.user != nil && !it.reference && j.managerMissing(it.user)
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < min(j.opts.Concurrency, len(page)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				var waited time.Duration
				octx := context.WithValue(ctx, waitKey{}, &waited)
				rep := j.sess.Provision(octx, objs[i])
				outs[i] = outcome{it: page[i], rep: rep, waited: waited, members: len(objs[i].Members), refMissing: outs[i].refMissing}
			}
		}()
	}
	for i := range page {
		next <- i
	}
	close(next)
	wg.Wait()
	return outs
}

// managerMissing reports whether u's manager is a source user the job has not provisioned yet, so
// that the manager reference is left out.
func (j *Job) managerMissing(u *engine.User) bool {
	if j.refAttr == "" {
		return false
	}
	m, _ := u.Attrs[j.refAttr].(string)
	if m == "" || j.src.User(m) == nil {
		return false
	}
	_, ok := j.anchorOf(m)
	return !ok
}

// quarantineExceptions are the failures that quarantine a job whatever the counts: "A job can go
// into quarantine regardless of failure counts for issues such as admin credentials or SCIM
// compliance" (quarantine page): invalid credentials (401), and "An HTTP/404 Not Found response
// was returned rather than the expected HTTP/200 OK response" to a query.
var quarantineExceptions = map[string]string{
	string(entra.CodeUnauthorized):         "Invalid credentials: when attempting to authorize access to the target application, the target's response indicates that the credentials provided are invalid.",
	string(entra.CodeEmptyQueryNotFound):   "SCIM Compliance issue: An HTTP/404 Not Found response was returned rather than the expected HTTP/200 OK response.",
	string(entra.CodeCredentialValidation): "SCIM Compliance issue: An HTTP/404 Not Found response was returned rather than the expected HTTP/200 OK response.",
}

// record takes one outcome into the job's records, the cycle's summary and the log.
func (j *Job) record(o outcome, c *CycleSummary, exec *Execution, modified map[string]bool, exports, exported *int64, exception **SyncError) {
	rep := o.rep
	id := o.it.id()
	r := j.records[id]
	if r == nil {
		r = &record{}
		j.records[id] = r
	}
	c.Processed++
	if !o.it.reference {
		delete(j.pending, id)
	}
	if j.opts.Log != nil {
		meta := Meta{TenantID: j.TenantID, JobID: j.ID, CycleID: c.ID, ChangeID: j.guid(), ID: j.guid(),
			ServicePrincipal: j.ServicePrincipal, App: j.App, At: o.at, Duration: ObjectTime + o.waited, Staged: o.staged}
		j.opts.Log.Write(NewEntry(rep, meta))
	}
	if o.staged {
		c.Staged++
		j.pending[id] = true
		return
	}
	if rep.Target != nil && rep.Action != report.ActionDelete {
		r.anchor = rep.Target.ID
	}
	if s := rep.Step(report.StepScoping); s != nil && s.Status == report.StatusSuccess {
		exec.CountEntitled++
		exec.CountEntitledForProvisioning++
	}
	switch rep.Status {
	case report.StatusFailure:
		c.Failed++
		c.Codes[rep.ErrorCode]++
		j.noteError(rep)
		if r.escrow == nil {
			r.escrow = &escrow{since: o.at}
		}
		r.escrow.count++
		r.escrow.code = rep.ErrorCode
		if rep.FailedStep == report.StepExport {
			*exports++
		}
		if o.it.reference {
			j.counts.referenceFailures++
		} else {
			j.counts.failures++
		}
		if msg, ok := quarantineExceptions[rep.ErrorCode]; ok && *exception == nil {
			*exception = &SyncError{Code: rep.ErrorCode, Message: msg + " " + rep.Reason, TenantActionable: true}
		}
		return
	case report.StatusSkipped:
		c.Skipped++
		r.escrow = nil
		return
	}
	r.escrow = nil
	*exports++
	*exported++
	j.counts.successes++
	for _, mp := range rep.ModifiedProperties {
		modified[mp.Name] = true
	}
	switch rep.Action {
	case report.ActionCreate:
		c.Created++
		r.disabled = false
	case report.ActionUpdate:
		c.Updated++
		r.disabled = false
	case report.ActionDisable:
		c.Disabled++
		r.disabled = true
	case report.ActionDelete:
		c.Deleted++
		r.anchor, r.disabled = "", false
	}
}

func (j *Job) noteError(rep *engine.Report) {
	e := j.errs[rep.ErrorCode]
	if e == nil {
		e = &ErrorStat{Code: rep.ErrorCode, Reason: rep.Reason}
		if s := rep.Step(rep.FailedStep); s != nil {
			e.Tips = slices.DeleteFunc(slices.Clone(s.Tips), func(t engine.Tip) bool { return t == entra.TipExportVaries })
			e.Request = failingRequest(s)
		}
		j.errs[rep.ErrorCode] = e
	}
	e.Count++
}

// stagedReport is the report of a deletion the threshold held.
func (j *Job) stagedReport(it item, n int) *engine.Report {
	subject := engine.Identity{Type: "User"}
	if it.group != nil {
		subject = engine.Identity{Type: "Group", ID: it.group.ObjectID, Display: it.group.DisplayName}
	} else {
		subject.ID, subject.Display = it.user.ObjectID, it.user.Display()
	}
	rep := &engine.Report{Subject: subject, Status: report.StatusSkipped, Action: report.ActionNone, ModifiedProperties: []engine.ModifiedProperty{},
		Reason: fmt.Sprintf("The accidental deletions threshold (%d) is exceeded: %d users and groups would be disabled or deleted in this cycle. The deletion is held until an administrator allows deletes.", j.cfg.Job.DeletionThreshold(), n)}
	if r := j.records[it.id()]; r != nil && r.anchor != "" {
		rep.Target = &engine.Identity{Type: subject.Type, ID: r.anchor, Display: subject.Display}
	}
	return rep
}

// finish sets the job's status after a cycle.
func (j *Job) finish(at time.Time, exec *Execution, c *CycleSummary, exception *SyncError, threshold string, staged int, pruned bool) {
	st := &j.status
	switch {
	case exception != nil || threshold != "" || (c.Processed > 0 && c.Failed == c.Processed):
		exec.State = StateFailed
	case c.Failed > 0 || staged > 0:
		exec.State = StateEntryLevelErrors
	default:
		exec.State = StateSucceeded
	}
	var reason string
	var qerr *SyncError
	switch {
	case exception != nil:
		reason, qerr = ReasonQuarantineException, exception
	case threshold != "":
		reason = threshold
		qerr = &SyncError{Code: threshold, Message: fmt.Sprintf("%d provisioning events failed (%d reference failures) and %d succeeded since the escrow counter was last cleared: the escrow thresholds are exceeded.", j.counts.failures, j.counts.referenceFailures, j.counts.successes), TenantActionable: true}
	case staged > 0:
		reason = ReasonTooManyDeletes
		qerr = &SyncError{Code: ReasonTooManyDeletes, Message: fmt.Sprintf("%d deletions and disables exceed the accidental deletions threshold of %d: allow the deletes, or reassign the objects and restart provisioning.", staged, j.cfg.Job.DeletionThreshold()), TenantActionable: true}
	}
	exec.Error = qerr
	st.LastExecution = exec
	if exec.State == StateSucceeded {
		st.LastSuccessfulExecution = exec
		if exec.CountExported > 0 {
			st.LastSuccessfulExecutionWithExports = exec
		}
	}
	if exec.State == StateFailed {
		st.CountSuccessiveCompleteFailures++
	} else {
		st.CountSuccessiveCompleteFailures = 0
	}
	st.Progress = []Progress{{CompletedUnits: int64(c.Processed), TotalUnits: int64(c.Processed), Units: "objects", ProgressObservationDateTime: at}}
	if c.Escrows == 0 && c.Created+c.Updated+c.Disabled+c.Deleted == 0 && c.Failed == 0 && staged == 0 && !c.Initial {
		// Steady state: a cycle with nothing to do.
		t := at
		if st.SteadyStateFirstAchievedTime == nil {
			st.SteadyStateFirstAchievedTime = &t
		}
		st.SteadyStateLastAchievedTime = &t
	}
	var users, groups int64
	for id, r := range j.records {
		if r.anchor == "" {
			continue
		}
		if j.src.User(id) != nil {
			users++
		} else {
			groups++
		}
	}
	st.SynchronizedEntryCountByType = []KeyLongValue{{Key: "User", Value: users}, {Key: "Group", Value: groups}}
	if pruned {
		st.EscrowsPruned = true
	}
	switch {
	case reason != "":
		if q := st.Quarantine; q != nil && st.Code == CodeQuarantine {
			q.SeriesCount++
			q.CurrentBegan, q.Reason, q.Error = at, reason, qerr
		} else {
			st.Quarantine = &Quarantine{CurrentBegan: at, SeriesBegan: at, Reason: reason, Error: qerr}
		}
		q := st.Quarantine
		next, ok := quarantineRetry(q.SeriesBegan, q.SeriesCount+1)
		if !ok {
			// Disabled after four weeks: the job stops, and its escrows are removed.
			st.Code = CodePaused
			for _, r := range j.records {
				r.escrow = nil
			}
			c.Stopped = "disabled: more than four weeks in quarantine"
			return
		}
		q.NextAttempt = next
		st.Code = CodeQuarantine
	case pruned:
		st.Code = CodePaused
		c.Stopped = "paused: escrows pruned during the initial cycle"
	default:
		if st.Code == CodeQuarantine {
			// "If any of the retries above gets a successful response, the job is automatically put
			// out of quarantine and shall resume regular sync behavior." A new series of escrows
			// starts with it.
			j.counts = escrowCounts{}
		}
		st.Quarantine = nil
		st.Code = CodeActive
	}
}
