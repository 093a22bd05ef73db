package job

import "time"

// The job's status in Microsoft Graph's shapes: synchronizationStatus and the resources it holds
// (microsoft-graph-docs-contrib, api-reference/v1.0/resources/synchronization-synchronizationstatus.md,
// -synchronizationquarantine.md, -synchronizationtaskexecution.md, -synchronizationprogress.md,
// -synchronizationerror.md). Property names and values are Graph's; what scimsim puts in each is
// said at the field.

// Status codes of synchronizationStatus.code ("NotConfigured, NotRun, Active, Paused, Quarantine").
const (
	CodeNotRun     = "NotRun"
	CodeActive     = "Active"
	CodePaused     = "Paused"
	CodeQuarantine = "Quarantine"
)

// Quarantine reasons (quarantineReason). Microsoft's quarantine page explains three:
// "EncounteredQuarantineException indicates that invalid credentials were provided",
// "EncounteredEscrowProportionThreshold indicates that provisioning exceeded the escrow threshold.
// This condition occurs when more than 40% of provisioning events failed", and QuarantinedOnDemand
// ("we've detected an issue with your application and have manually set it to quarantine"); the
// accidental-deletions page sends a job over its deletion threshold into quarantine, which Graph
// names TooManyDeletes. Graph lists EncounteredBaseEscrowThreshold and
// EncounteredTotalEscrowThreshold without explaining them: scimsim reads Base as the 40,000
// non-reference failures and Total as the 60,000 failures references included, the two absolute
// figures of the escrow thresholds (inferred from the names).
const (
	ReasonQuarantineException = "EncounteredQuarantineException"
	ReasonBaseEscrow          = "EncounteredBaseEscrowThreshold"
	ReasonTotalEscrow         = "EncounteredTotalEscrowThreshold"
	ReasonEscrowProportion    = "EncounteredEscrowProportionThreshold"
	ReasonTooManyDeletes      = "TooManyDeletes"
)

// Execution states (synchronizationTaskExecutionResult: "Succeeded, Failed, EntryLevelErrors").
const (
	StateSucceeded        = "Succeeded"
	StateFailed           = "Failed"
	StateEntryLevelErrors = "EntryLevelErrors"
)

// Status is Graph's synchronizationStatus.
type Status struct {
	Code string `json:"code"`
	// CountSuccessiveCompleteFailures is "Number of consecutive times this job failed": cycles
	// whose state is Failed, in a row.
	CountSuccessiveCompleteFailures int64 `json:"countSuccessiveCompleteFailures"`
	// EscrowsPruned: "true if the job's escrows (object-level errors) were pruned during initial
	// synchronization".
	EscrowsPruned                      bool           `json:"escrowsPruned"`
	LastExecution                      *Execution     `json:"lastExecution"`
	LastSuccessfulExecution            *Execution     `json:"lastSuccessfulExecution"`
	LastSuccessfulExecutionWithExports *Execution     `json:"lastSuccessfulExecutionWithExports"`
	Progress                           []Progress     `json:"progress"`
	Quarantine                         *Quarantine    `json:"quarantine"`
	SteadyStateFirstAchievedTime       *time.Time     `json:"steadyStateFirstAchievedTime"`
	SteadyStateLastAchievedTime        *time.Time     `json:"steadyStateLastAchievedTime"`
	SynchronizedEntryCountByType       []KeyLongValue `json:"synchronizedEntryCountByType"`
	TroubleshootingURL                 string         `json:"troubleshootingUrl"`
}

// Quarantine is Graph's synchronizationQuarantine.
type Quarantine struct {
	// CurrentBegan: "Date and time when the quarantine was last evaluated and imposed."
	CurrentBegan time.Time `json:"currentBegan"`
	// NextAttempt: "Date and time when the next attempt to re-evaluate the quarantine will be made."
	NextAttempt time.Time `json:"nextAttempt"`
	Reason      string    `json:"reason"`
	// SeriesBegan: "when the quarantine was first imposed in this series (a series starts when a
	// quarantine is first imposed, and is reset as soon as the quarantine is lifted)".
	SeriesBegan time.Time `json:"seriesBegan"`
	// SeriesCount: "Number of times in this series the quarantine was re-evaluated and left in
	// effect".
	SeriesCount int64      `json:"seriesCount"`
	Error       *SyncError `json:"error"`
}

// SyncError is Graph's synchronizationError.
type SyncError struct {
	Code             string `json:"code"`
	Message          string `json:"message"`
	TenantActionable bool   `json:"tenantActionable"`
}

// Execution is Graph's synchronizationTaskExecution: one cycle. The counts are filled as
// scimsim reads their one-line descriptions (inferred): countImported the objects the cycle read
// from the source, countImportedDeltas the changes it processed (an incremental cycle's touched
// objects and retried escrows), countEntitled and countEntitledForProvisioning those in scope,
// countExports the creates, updates, disables and deletes it tried, countExported those that
// succeeded, countEscrowed the objects whose export failed and is retried later, countEscrowedRaw
// those plus the deletions the accidental-deletions threshold held.
type Execution struct {
	ActivityIdentifier           string     `json:"activityIdentifier"`
	CountEntitled                int64      `json:"countEntitled"`
	CountEntitledForProvisioning int64      `json:"countEntitledForProvisioning"`
	CountEscrowed                int64      `json:"countEscrowed"`
	CountEscrowedRaw             int64      `json:"countEscrowedRaw"`
	CountExported                int64      `json:"countExported"`
	CountExports                 int64      `json:"countExports"`
	CountImported                int64      `json:"countImported"`
	CountImportedDeltas          int64      `json:"countImportedDeltas"`
	CountImportedReferenceDeltas int64      `json:"countImportedReferenceDeltas"`
	Error                        *SyncError `json:"error"`
	State                        string     `json:"state"`
	TimeBegan                    time.Time  `json:"timeBegan"`
	TimeEnded                    time.Time  `json:"timeEnded"`
}

// Progress is Graph's synchronizationProgress: the last cycle's objects processed of those it had
// to process.
type Progress struct {
	CompletedUnits              int64     `json:"completedUnits"`
	ProgressObservationDateTime time.Time `json:"progressObservationDateTime"`
	TotalUnits                  int64     `json:"totalUnits"`
	Units                       string    `json:"units"`
}

// KeyLongValue is Graph's stringKeyLongValuePair.
type KeyLongValue struct {
	Key   string `json:"key"`
	Value int64  `json:"value"`
}
