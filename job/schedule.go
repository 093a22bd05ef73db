package job

import (
	"time"
)

// The figures of the job's clock and thresholds, each with where Microsoft documents it. Learn
// pages are named by their file in MicrosoftDocs/entra-docs (docs/identity/app-provisioning/),
// with the ms.date of the revision read.
const (
	// IncrementalInterval is the time between the starts of two cycles: the initial cycle "takes
	// longer to perform than subsequent cycles, which occur approximately every 40 minutes as long
	// as the Microsoft Entra provisioning service is running" (the application tutorials' common
	// text, e.g. saas-apps/*-provisioning-tutorial.md); known-issues.md (2025-10-04): "The time
	// between provisioning cycles is currently not configurable." A cycle longer than the interval
	// is followed at once: "The provisioning service continues running back-to-back incremental
	// cycles indefinitely" (how-provisioning-works.md, 2025-03-04).
	IncrementalInterval = 40 * time.Minute

	// ObjectTime is the virtual time one user, group or group member takes: Microsoft's estimate of
	// an initial cycle is "Minimum minutes = 0.01 x [Number of assigned users, groups, and group
	// members]" (application-provisioning-when-will-provisioning-finish-specific-user.md,
	// 2025-03-04, "How long will it take to provision users?"); scimsim takes the minimum, for
	// incremental cycles too (inferred). A throttled request adds its Retry-After.
	ObjectTime = 600 * time.Millisecond

	// QuarantineLimit: "If the provisioning job stays in quarantine for more than four weeks, the
	// provisioning job is disabled (stops running)" and "The retries will go on for 28 days after
	// the first failure after which the escrow entry is removed and the job is disabled"
	// (application-provisioning-quarantine-status.md, 2025-03-04).
	QuarantineLimit = 28 * 24 * time.Hour

	// EscrowMinimum and the other escrow figures: "5,000 failures are the minimum to start
	// evaluating whether to quarantine because of too many failures ... If more than 40% of
	// provisioning events fail, or there are more than 40,000 failures, the provisioning job will go
	// into quarantine. Reference failures won't be counted as part of the 40% threshold or 40,000
	// threshold ... There's an absolute threshold of 60,000 failures that accounts for both reference
	// and non-reference failures" (application-provisioning-quarantine-status.md, "Escrow
	// thresholds", which adds "This logic is subject to change").
	EscrowMinimum        = 5000
	EscrowProportion     = 0.40
	EscrowBaseThreshold  = 40000
	EscrowTotalThreshold = 60000

	// PageSize is how many objects the job processes between two evaluations of its thresholds
	// and quarantine: scimsim's own unit. Microsoft's progress bar counts pages ("The percentage
	// reflects the count of pages provisioned. Each page could contain multiple users or groups")
	// without giving their size.
	PageSize = 100

	// DefaultConcurrency is how many objects a cycle provisions at once. Microsoft documents no
	// figure for the provisioning service (only that "Some target systems implement request rate
	// limits and throttling" and that gallery applications "are configured to adhere to the rate
	// limits set by the application developer"); 4 keeps two cores busy against an in-process
	// target without queueing more requests than a small SCIM server serves at once.
	DefaultConcurrency = 4
)

// quarantineRetry returns when the quarantine series begun at began is re-evaluated the n-th time
// (n from 1), and false when the series is over (the job is disabled). "After the failure, the first
// retry will happen in 6 hours. The second retry happens 12 hours after the first failure. The third
// retry happens 24 hours after the first failure. There will be retries every 24 hours after the 3rd
// retry. The retries will go on for 28 days after the first failure" (quarantine page, "Retry
// duration"); "While in quarantine: The frequency of incremental cycles is gradually reduced to once
// per day."
func quarantineRetry(began time.Time, n int64) (time.Time, bool) {
	var after time.Duration
	switch {
	case n <= 0:
		after = 0
	case n == 1:
		after = 6 * time.Hour
	case n == 2:
		after = 12 * time.Hour
	default:
		after = time.Duration(n-2) * 24 * time.Hour
	}
	if after > QuarantineLimit {
		return time.Time{}, false
	}
	return began.Add(after), true
}

// escrowCounts is what accrues toward quarantine: "clear escrows (to restart the escrow counter
// that accrues toward quarantine status)" (quarantine page). A provisioning event is an export tried
// (a create, update, disable or delete); failures of the reference pass (a manager set once its
// user exists) are reference failures.
type escrowCounts struct {
	failures, referenceFailures, successes int64
}

// threshold returns the quarantine reason the counts reach, "" for none.
func (c escrowCounts) threshold() string {
	total := c.failures + c.referenceFailures
	switch {
	case total < EscrowMinimum:
		return ""
	case total > EscrowTotalThreshold:
		return ReasonTotalEscrow
	case c.failures > EscrowBaseThreshold:
		return ReasonBaseEscrow
	case c.failures+c.successes > 0 && float64(c.failures)/float64(c.failures+c.successes) > EscrowProportion:
		return ReasonEscrowProportion
	}
	return ""
}
