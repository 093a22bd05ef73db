package scenarios

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/scimsim/scimsim/internal/decode"
	"github.com/scimsim/scimsim/report"
)

// A cycle scenario runs the provisioning job instead of (or after) one on-demand run: its `cycles:`
// list says what happens before each cycle and how the job stands after it.
//
//	labels: [cycles, faults]
//	source: testdata/sources/contoso.yaml
//	target:
//	  faults:
//	    - {name: expired-token, type: auth_failure, from: 2, until: 3}   # active in cycles 2 and 3
//	subject: {user: alice@contoso.com}      # optional: provision on demand first, checked by expect
//	cycles:
//	  - expect: {status: Active, created: 4}
//	  - changes: {change: {users: [{objectId: u-bob, jobTitle: VP}]}}   # a changes file's set
//	    expect: {status: Quarantine, reason: EncounteredQuarantineException, errorCode: Unauthorized}
//
// A fault with from/until is active in those cycles only (until 0: to the end); faults without
// them are active throughout.

// LabelCycles marks the scenarios that run provisioning cycles.
const LabelCycles = "cycles"

// Job status codes and quarantine reasons a cycle expectation can name (Microsoft Graph's
// synchronizationStatusCode and quarantineReason).
var (
	JobCodes          = []string{"NotRun", "Active", "Paused", "Quarantine"}
	QuarantineReasons = []string{"EncounteredBaseEscrowThreshold", "EncounteredTotalEscrowThreshold", "EncounteredEscrowProportionThreshold",
		"EncounteredQuarantineException", "Unknown", "QuarantinedOnDemand", "TooManyDeletes", "IngestionInterrupted"}
)

// Cycle is one cycle of a cycle scenario.
type Cycle struct {
	// Changes is a set of a changes file (without its `cycle:` key), applied before the cycle.
	Changes YAML        `yaml:"changes"`
	Expect  CycleExpect `yaml:"expect"`
}

// YAML keeps a YAML value as written, with its lines, for a loader that knows its shape (the
// engine reads a cycle's changes against the scenario's source).
type YAML struct{ Node *yaml.Node }

// UnmarshalYAML implements yaml.Unmarshaler.
func (y *YAML) UnmarshalYAML(n *yaml.Node) error {
	y.Node = n
	return nil
}

// Set reports whether the value was written.
func (y YAML) Set() bool {
	return y.Node != nil && !(y.Node.Kind == yaml.ScalarNode && y.Node.Tag == "!!null")
}

// CycleExpect is how the job stands after a cycle. Counts left out are not checked.
type CycleExpect struct {
	// Status is the job's status code after the cycle: Active, Quarantine, Paused or NotRun.
	Status string `yaml:"status"`
	// Reason is the quarantine reason.
	Reason string `yaml:"reason"`
	// SeriesCount is how many times the quarantine was re-evaluated and left in effect.
	SeriesCount *int `yaml:"seriesCount"`
	// EscrowsPruned is the status's escrowsPruned.
	EscrowsPruned *bool `yaml:"escrowsPruned"`
	Processed     *int  `yaml:"processed"`
	Created       *int  `yaml:"created"`
	Updated       *int  `yaml:"updated"`
	Disabled      *int  `yaml:"disabled"`
	Deleted       *int  `yaml:"deleted"`
	Skipped       *int  `yaml:"skipped"`
	Failed        *int  `yaml:"failed"`
	Staged        *int  `yaml:"staged"`
	Escrows       *int  `yaml:"escrows"`
	// ErrorCode is a code among the cycle's failures.
	ErrorCode string `yaml:"errorCode"`
	// Modified are attribute names the cycle's exports changed (each must be among them).
	Modified []string `yaml:"modified"`
	// DurationAtLeast bounds the cycle's virtual duration from below (a throttled cycle is slower).
	DurationAtLeast time.Duration `yaml:"durationAtLeast"`
	// DurationAtMost bounds it from above.
	DurationAtMost time.Duration `yaml:"durationAtMost"`
}

// IsCycles reports whether the scenario runs provisioning cycles.
func (s *Scenario) IsCycles() bool { return len(s.Cycles) > 0 }

// HasOnDemand reports whether the scenario provisions its subject on demand (every scenario but a
// cycle scenario without a subject).
func (s *Scenario) HasOnDemand() bool {
	return !s.IsCycles() || s.Subject.User != "" || s.Subject.Group != ""
}

// ActiveIn reports whether the fault is active in cycle n.
func (f Fault) ActiveIn(n int) bool {
	return (f.From == 0 || n >= f.From) && (f.Until == 0 || n <= f.Until)
}

// validateCycles checks the cycles form: each cycle expects a known status, quarantine reasons
// only with a quarantine, counts that are not negative; the first cycle reads the source as given;
// fault windows name cycles the scenario runs.
func (p *parser) validateCycles(sc *Scenario, root *yaml.Node) {
	for i, f := range sc.Target.Faults {
		at := func(key ...string) decode.Pos {
			return p.At(root, append([]string{"target", "faults", strconv.Itoa(i)}, key...)...)
		}
		switch {
		case (f.From != 0 || f.Until != 0) && !sc.IsCycles():
			p.add(at(), "target.faults[%d]: from and until name cycles: only a scenario with cycles has them", i)
		case f.From < 0 || f.Until < 0:
			p.add(at(), "target.faults[%d]: from and until are cycle numbers, 1 or more", i)
		case f.Until != 0 && f.Until < max(f.From, 1):
			p.add(at("until"), "target.faults[%d]: until %d comes before from %d", i, f.Until, f.From)
		case f.From > len(sc.Cycles) && sc.IsCycles():
			p.add(at("from"), "target.faults[%d]: from %d, but the scenario runs %d cycles", i, f.From, len(sc.Cycles))
		}
	}
	if !sc.IsCycles() {
		return
	}
	if !sc.HasLabel(LabelCycles) {
		p.add(p.At(root, "labels"), "a scenario with cycles carries the label %q", LabelCycles)
	}
	if sc.HasLabel(LabelConformance) {
		p.add(p.At(root, "cycles"), "a %q scenario cannot run cycles: the job's quarantine and escrows need the simulator's faults", LabelConformance)
	}
	if !sc.HasOnDemand() && (sc.Expect.Status != "" || sc.Expect.FailedStep != "") {
		p.add(p.At(root, "expect"), "expect checks the on-demand run of the subject: add subject, or move the expectation into the cycles")
	}
	for i, c := range sc.Cycles {
		at := func(key ...string) decode.Pos {
			return p.At(root, append([]string{"cycles", strconv.Itoa(i)}, key...)...)
		}
		e := c.Expect
		if i == 0 && c.Changes.Set() {
			p.add(at("changes"), "cycles[0].changes: the first cycle reads the source as written; put changes before a later cycle")
		}
		switch {
		case e.Status == "":
			p.add(at(), "cycles[%d].expect.status is missing (one of %s)", i, strings.Join(JobCodes, ", "))
		case !slices.Contains(JobCodes, e.Status):
			p.add(at("expect", "status"), "cycles[%d].expect.status %q is not one of %s", i, e.Status, strings.Join(JobCodes, ", "))
		}
		switch {
		case e.Reason != "" && !slices.Contains(QuarantineReasons, e.Reason):
			p.add(at("expect", "reason"), "cycles[%d].expect.reason %q is not a quarantine reason (one of %s)", i, e.Reason, strings.Join(QuarantineReasons, ", "))
		case e.Reason != "" && e.Status != "Quarantine" && e.Status != "Paused":
			p.add(at("expect", "reason"), "cycles[%d].expect.reason needs status Quarantine (or Paused, for a job disabled in quarantine)", i)
		}
		for _, n := range []struct {
			key string
			v   *int
		}{{"seriesCount", e.SeriesCount}, {"processed", e.Processed}, {"created", e.Created}, {"updated", e.Updated}, {"disabled", e.Disabled},
			{"deleted", e.Deleted}, {"skipped", e.Skipped}, {"failed", e.Failed}, {"staged", e.Staged}, {"escrows", e.Escrows}} {
			if n.v != nil && *n.v < 0 {
				p.add(at("expect", n.key), "cycles[%d].expect.%s %d must not be negative", i, n.key, *n.v)
			}
		}
		if e.DurationAtMost > 0 && e.DurationAtMost < e.DurationAtLeast {
			p.add(at("expect", "durationAtMost"), "cycles[%d].expect.durationAtMost is shorter than durationAtLeast", i)
		}
	}
}

// CycleOutcome is how the job stood after one cycle: the cycle (report.Cycle) and the status
// fields expectations name.
type CycleOutcome struct {
	report.Cycle
	SeriesCount   int  `json:"seriesCount"`
	EscrowsPruned bool `json:"escrowsPruned"`
}

// DecodeCycleOutcome reads a cycle's JSON.
func DecodeCycleOutcome(b []byte) (CycleOutcome, error) {
	var o CycleOutcome
	if err := json.Unmarshal(b, &o); err != nil {
		return o, fmt.Errorf("scenarios: decode cycle: %w", err)
	}
	return o, nil
}

// Check compares a cycle's outcome with the expectation and returns every difference.
func (e CycleExpect) Check(o CycleOutcome) []string {
	var out []string
	if e.Status != o.Code {
		out = append(out, fmt.Sprintf("expected the job %s after the cycle, it is %s%s", e.Status, o.Code, reasonOf(o.Reason)))
	}
	if e.Reason != "" && e.Reason != o.Reason {
		out = append(out, fmt.Sprintf("expected the quarantine reason %s, got %s", e.Reason, orNoneText(o.Reason)))
	}
	if e.SeriesCount != nil && *e.SeriesCount != o.SeriesCount {
		out = append(out, fmt.Sprintf("expected the quarantine re-evaluated and left in effect %d times, got %d", *e.SeriesCount, o.SeriesCount))
	}
	if e.EscrowsPruned != nil && *e.EscrowsPruned != o.EscrowsPruned {
		out = append(out, fmt.Sprintf("expected escrowsPruned %v, got %v", *e.EscrowsPruned, o.EscrowsPruned))
	}
	for _, n := range []struct {
		what      string
		want      *int
		got       int
		described string
	}{{"processed", e.Processed, o.Processed, "objects processed"}, {"created", e.Created, o.Created, "created"}, {"updated", e.Updated, o.Updated, "updated"},
		{"disabled", e.Disabled, o.Disabled, "disabled"}, {"deleted", e.Deleted, o.Deleted, "deleted"}, {"skipped", e.Skipped, o.Skipped, "skipped"},
		{"failed", e.Failed, o.Failed, "failed"}, {"staged", e.Staged, o.Staged, "deletions staged"}, {"escrows", e.Escrows, o.Escrows, "escrows after the cycle"}} {
		if n.want != nil && *n.want != n.got {
			out = append(out, fmt.Sprintf("expected %d %s, got %d", *n.want, n.described, n.got))
		}
	}
	if e.ErrorCode != "" && o.Codes[e.ErrorCode] == 0 {
		codes := make([]string, 0, len(o.Codes))
		for c := range o.Codes {
			codes = append(codes, c)
		}
		sort.Strings(codes)
		out = append(out, fmt.Sprintf("expected a failure with error code %s, got %s", e.ErrorCode, orNoneText(strings.Join(codes, ", "))))
	}
	for _, m := range e.Modified {
		if !slices.ContainsFunc(o.Modified, func(x string) bool { return strings.EqualFold(x, m) }) {
			out = append(out, fmt.Sprintf("expected the cycle's exports to change %s, they changed %s", m, orNoneText(strings.Join(o.Modified, ", "))))
		}
	}
	d := o.Ended.Sub(o.Began)
	if e.DurationAtLeast > 0 && d < e.DurationAtLeast {
		out = append(out, fmt.Sprintf("expected the cycle to take at least %s of virtual time, it took %s", e.DurationAtLeast, d))
	}
	if e.DurationAtMost > 0 && d > e.DurationAtMost {
		out = append(out, fmt.Sprintf("expected the cycle to take at most %s of virtual time, it took %s", e.DurationAtMost, d))
	}
	return out
}

func reasonOf(r string) string {
	if r == "" {
		return ""
	}
	return " (" + r + ")"
}

func orNoneText(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
