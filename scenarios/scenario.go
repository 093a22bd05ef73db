// Package scenarios provides scimsim's scenario catalog and the loader that validates it.
//
// A scenario is one documented case of Microsoft Entra ID's on-demand provisioning ("On-demand
// provisioning in Azure Active Directory", the five steps, their troubleshooting tips, the FAQ and the
// known limitations): the source directory and job configuration to use, what the SCIM target holds and
// how it misbehaves, the subject to provision, and the outcome the document predicts. The catalog is
// one YAML file per case in this directory; the file name is the scenario's stable id.
//
// The package is data plus validation: it imports neither the engine nor the simulator, so a catalog
// can be checked (and listed) without running anything. Load reports every problem of every file as
// "file:line: message" before any scenario runs, so a typo never passes silently.
package scenarios

import (
	"errors"
	"fmt"
	"github.com/scimsim/scimsim/report"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/scimsim/scimsim/internal/decode"
)

// DefaultNow is the fixed clock of a scenario without a `now:` key. Fixed, so that reports, generated
// ids and the replication-delay arithmetic are the same on every run.
var DefaultNow = time.Date(2026, time.November, 25, 10, 0, 0, 0, time.UTC)

// DefaultToken is the secret token the target accepts when a scenario does not name one.
const DefaultToken = "secret"

// Profiles a simulated target can have: how it reads what it is sent.
const (
	ProfileEntra  = "entra"  // accepts Entra's real traffic (capitalised ops, "False" strings)
	ProfileStrict = "strict" // RFC 7643/7644 as written
)

// Outcome statuses, as in the report's `status` field.
const (
	StatusSuccess = report.StatusSuccess
	StatusFailure = report.StatusFailure
	StatusSkipped = report.StatusSkipped
)

// LabelConformance marks scenarios that need nothing only the simulator can do (faults, a profile or
// token, counting the target's users), and so can run against any real SCIM endpoint (--target URL
// --token T): the harness creates their target.users and target.groups through SCIM under names
// unique to the run, and deletes everything the run created afterwards.
const LabelConformance = "conformance"

// Step is one of the five steps of on-demand provisioning (report.StepInfo).
type Step = report.StepInfo

// Steps lists the five steps in order (report.Steps).
var Steps = report.Steps

// StepIndex returns the position of a step type in Steps, or -1 when it names no step.
func StepIndex(stepType string) int { return report.StepIndex(stepType) }

// Actions a successful or skipped run can report (report.Actions).
var Actions = report.Actions

// FaultTypes are the fault types the simulator implements (docs/faults.md). The loader keeps its
// own copy so that the catalog stays free of the simulator; a harness test checks it against the
// simulator's registry so the two cannot drift.
var FaultTypes = []string{
	"auth_failure",
	"unsupported_filter",
	"duplicate_match",
	"throttle",
	"server_error",
	"latency",
	"timeout",
	"conflict",
	"not_found",
	"malformed_response",
	"drop_attribute",
	"empty_query_404",
	"members_despite_exclusion",
	"hide_inactive",
	"connection_reset",
	"wrong_content_type",
	"bad_cursor",
}

// DefaultConfig is the config a scenario names to run Entra's default job, built into scimsim
// (`config: default`, or no config at all).
const DefaultConfig = "default"

// DefaultCrossTenantConfig is the config a scenario names to run Microsoft's default cross-tenant
// synchronization job, built into scimsim (`config: default-cross-tenant`).
const DefaultCrossTenantConfig = "default-cross-tenant"

// Target kinds: what the simulated target is.
const (
	KindSCIM  = "scim"  // a SCIM application (default)
	KindEntra = "entra" // a Microsoft Entra tenant, the target of cross-tenant synchronization
)

// LabelCrossTenant marks the scenarios of cross-tenant synchronization, which run against an Entra
// tenant of the simulator (target.kind: entra).
const LabelCrossTenant = "cross-tenant"

// Scenario is one file of the catalog.
type Scenario struct {
	// ID is the file name without its extension: the stable name used by --focus, `scenarios run ID`
	// and the summary table.
	ID string `yaml:"-"`
	// File is the path the scenario was loaded from.
	File string `yaml:"-"`

	Title string `yaml:"title"`
	// Doc names the section of the source document the case comes from, e.g.
	// "Step 4: Match user between source and target > Troubleshooting tips".
	Doc string `yaml:"doc"`
	// Quote is the sentence of that section the scenario reproduces, verbatim.
	Quote  string   `yaml:"quote"`
	Labels []string `yaml:"labels"`
	// Pending, when set, says why the scenario cannot pass yet (a behaviour scimsim does not
	// reproduce). A pending scenario is listed and reported but does not fail a run.
	Pending string `yaml:"pending"`

	// Source and Config are the paths as written; SourcePath and ConfigPath are the files they
	// resolve to (see Load). A config left out, or written as DefaultConfig, is Entra's default
	// job for a non-gallery SCIM application, built into scimsim; ConfigPath is then DefaultConfig.
	Source     string `yaml:"source"`
	Config     string `yaml:"config"`
	SourcePath string `yaml:"-"`
	ConfigPath string `yaml:"-"`

	// Now is the fixed clock of the run (assignment ages, meta timestamps); zero means DefaultNow.
	Now time.Time `yaml:"now"`

	Credentials Credentials `yaml:"credentials"`
	Target      Target      `yaml:"target"`
	Subject     Subject     `yaml:"subject"`
	Expect      Expect      `yaml:"expect"`
	// Cycles, when set, run the provisioning job (cycles.go).
	Cycles []Cycle `yaml:"cycles"`

	// sourceAt and configAt point errors about the referenced files at their keys.
	sourceAt, configAt decode.Pos
	// files holds the source and config files Load found, at sourceFile and configFile.
	files                  fs.FS
	sourceFile, configFile string
}

// ReadSource returns the contents of the scenario's source file, from the catalog it was loaded
// from (the binary's own, or a directory); a scenario built in Go reads SourcePath from the disk.
func (s *Scenario) ReadSource() ([]byte, error) { return s.read(s.sourceFile, s.SourcePath) }

// ReadConfig returns the contents of the scenario's job config file, like ReadSource. A scenario
// whose ConfigPath is DefaultConfig has no file: it runs Entra's default job, which the engine
// builds (engine.DefaultConfig).
func (s *Scenario) ReadConfig() ([]byte, error) {
	if s.ConfigPath == DefaultConfig {
		return nil, fmt.Errorf("%s: the config is Entra's default job, which has no file", s.File)
	}
	return s.read(s.configFile, s.ConfigPath)
}

func (s *Scenario) read(file, shown string) ([]byte, error) {
	if s.files == nil || file == "" {
		return os.ReadFile(shown)
	}
	b, err := fs.ReadFile(s.files, file)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", shown, errors.Unwrap(err))
	}
	return b, nil
}

// Clock returns the scenario's fixed time.
func (s *Scenario) Clock() time.Time {
	if s.Now.IsZero() {
		return DefaultNow
	}
	return s.Now
}

// HasLabel reports whether the scenario carries the label.
func (s *Scenario) HasLabel(label string) bool {
	for _, l := range s.Labels {
		if l == label {
			return true
		}
	}
	return false
}

// Credentials is what the administrator typed in the provisioning configuration, when it differs from
// what the target expects: the Secret Token and the Tenant URL of Step 1's first tip.
type Credentials struct {
	// Token is the secret token sent; empty means the token the target accepts.
	Token string `yaml:"token"`
	// Username and Password are sent instead of the config's, for a job of target.auth basic.
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	// URL is the tenant URL sent; empty means the target's SCIM base URL. The placeholders {url} (the
	// target's SCIM base URL) and {root} (the simulator's root URL) are replaced, so
	// "{url}?aadOptscim062020" adds a feature flag and "{root}/scim/v1" is a wrong path.
	URL string `yaml:"url"`
}

// Target is what the simulated SCIM target holds and how it behaves before the run.
type Target struct {
	// Kind is scim (default) or entra: an Entra tenant, whose users are Microsoft Graph users and
	// which also holds deletedUsers, partners (its cross-tenant access settings per source tenant,
	// identitySynchronization inline) and an authorizationPolicy.
	Kind                string           `yaml:"kind"`
	TenantID            string           `yaml:"tenantId"` // an Entra tenant's id; default DefaultTargetTenantID
	Domain              string           `yaml:"domain"`   // an Entra tenant's initial domain; default DefaultTargetDomain
	DeletedUsers        []map[string]any `yaml:"deletedUsers"`
	Partners            []map[string]any `yaml:"partners"`
	AuthorizationPolicy map[string]any   `yaml:"authorizationPolicy"`
	Profile             string           `yaml:"profile"` // entra (default) | strict
	Token               string           `yaml:"token"`   // the token it accepts; default DefaultToken
	// Basic makes the simulated target take a user name and password (HTTP Basic) instead of a
	// token, as the applications that authorize "with a user name and password" do.
	Basic  *Basic           `yaml:"basic"`
	Users  []map[string]any `yaml:"users"`  // SCIM User resources to pre-seed
	Groups []map[string]any `yaml:"groups"` // SCIM Group resources to pre-seed
	Faults []Fault          `yaml:"faults"`
}

// Basic is a user name and password.
type Basic struct {
	Username string `yaml:"username"`
	Password string `yaml:"password"`
}

// DefaultTargetTenantID is the id of an Entra target that names none: the target tenant of
// testdata/sources/contoso-cross-tenant.yaml.
const DefaultTargetTenantID = "22222222-2222-4222-8222-222222222222"

// DefaultTargetDomain is the initial domain of an Entra target that names none.
const DefaultTargetDomain = "fabrikam.onmicrosoft.com"

// DomainOrDefault returns an Entra target's initial domain, DefaultTargetDomain when none is given.
func (t *Target) DomainOrDefault() string {
	if t.Domain == "" {
		return DefaultTargetDomain
	}
	return t.Domain
}

// Entra reports whether the target is an Entra tenant.
func (t *Target) Entra() bool { return t.Kind == KindEntra }

// TenantIDOrDefault returns an Entra target's tenant id, DefaultTargetTenantID when none is given.
func (t *Target) TenantIDOrDefault() string {
	if t.TenantID == "" {
		return DefaultTargetTenantID
	}
	return t.TenantID
}

// ProfileOrDefault returns the target's profile, ProfileEntra when none is given.
func (t *Target) ProfileOrDefault() string {
	if t.Profile == "" {
		return ProfileEntra
	}
	return t.Profile
}

// TokenOrDefault returns the token the target accepts, DefaultToken when none is given.
func (t *Target) TokenOrDefault() string {
	if t.Token == "" {
		return DefaultToken
	}
	return t.Token
}

// Fault is a fault to inject, in the simulator's `faults.Spec` shape (docs/faults.md).
type Fault struct {
	Name        string         `yaml:"name"`
	Type        string         `yaml:"type"`
	Match       FaultMatch     `yaml:"match"`
	After       int            `yaml:"after"`
	Count       int            `yaml:"count"`
	Probability float64        `yaml:"probability"`
	Attributes  map[string]any `yaml:"attributes"`
	// From and Until are the cycles the fault is active in, in a cycle scenario (cycles.go).
	From  int `yaml:"from"`
	Until int `yaml:"until"`
}

// FaultMatch selects the requests a fault applies to; an empty field matches anything.
type FaultMatch struct {
	Method          string `yaml:"method"`
	Path            string `yaml:"path"`
	Resource        string `yaml:"resource"`
	FilterAttribute string `yaml:"filterAttribute"`
	Tenant          string `yaml:"tenant"`
}

// Subject is what the administrator searched for on the "Provision on demand" page: a user (by first
// name, last name, display name, user principal name, email, or a Cloud HR id), or a group and up to
// five of its members.
type Subject struct {
	User    string   `yaml:"user"`
	Group   string   `yaml:"group"`
	Members []string `yaml:"members"`
	// Also names further users (or groups) asked for in the same run, to show that on-demand
	// provisioning takes one at a time.
	Also []string `yaml:"also"`
}

// String renders the subject as the summary table shows it.
func (s Subject) String() string {
	if s.Group != "" {
		if len(s.Members) == 0 {
			return "group " + s.Group
		}
		return "group " + s.Group + " " + strings.Join(s.Members, ",")
	}
	return "user " + s.User
}

// Expect is the outcome the document predicts.
type Expect struct {
	Status     string `yaml:"status"`     // success | failure | skipped
	FailedStep string `yaml:"failedStep"` // the step that ended the run: connection ... export
	ErrorCode  string `yaml:"errorCode"`
	Action     string `yaml:"action"` // create | update | disable | delete | skip | none
	// Tip is a phrase that the tips of the failing step (or, for a success, of any step) must contain.
	Tip string `yaml:"tip"`
	// Reason is a phrase the run's reason must contain.
	Reason string `yaml:"reason"`
	// Warning is a phrase one of the run's warnings must contain (a run-level caveat, such as a
	// feature flag the on-demand run ignored).
	Warning string `yaml:"warning"`
	// Modified lists the attribute names of the report's modifiedProperties: all of them, in any
	// order, so that an update proves it sent the changed attributes only.
	Modified []string `yaml:"modified"`
	// Steps are expectations on individual steps, such as a warning on import.
	Steps []StepExpect `yaml:"steps"`
	// TargetUsers is how many users the simulated target holds after the run (nil: not checked),
	// for outcomes the report alone cannot show, such as the duplicate a restore creates.
	TargetUsers *int `yaml:"targetUsers"`
	// TargetDeletedUsers is how many users an Entra target holds in its deleted items after the run
	// (nil: not checked): the soft-deleted half of the duplicates a restore makes.
	TargetDeletedUsers *int `yaml:"targetDeletedUsers"`
	// TargetGroupMembers is, per group displayName, how many members the group holds in the
	// simulated target after the run: what a member PATCH really did to the group.
	TargetGroupMembers map[string]int `yaml:"targetGroupMembers"`
	// TargetUser is an expectation on one user as the target stores it after the run (nil: not
	// checked): what the target kept of a write, which the report, showing what was sent, cannot
	// tell, such as an attribute a drop_attribute fault accepted but did not store.
	TargetUser *UserExpect `yaml:"targetUser"`
}

// UserExpect is an expectation on the stored form of the target's user called UserName, read back
// through SCIM after the run. Attribute paths are SCIM paths without filters (RFC 7644 §3.10):
// "displayName", "name.givenName", or an extension attribute written with its schema URN,
// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department". Attribute names match
// case-insensitively (RFC 7643 §2.1).
type UserExpect struct {
	// UserName finds the user, exactly one, as the catalog writes it (an external endpoint holds
	// it tagged; the harness looks the tagged name up).
	UserName string `yaml:"userName"`
	// Absent are the attributes the user must not store: unassigned, null or an empty list, which
	// RFC 7643 §2.5 counts as the same state.
	Absent []string `yaml:"absent"`
	// Present maps attribute paths to the values the user must store; a value compares equal to
	// its JSON form (true, 3, "text", a list or an object).
	Present map[string]any `yaml:"present"`
}

// StepExpect is an expectation on one step record.
type StepExpect struct {
	Type   string `yaml:"type"`
	Status string `yaml:"status"`
	Tip    string `yaml:"tip"`
	// Details are "View details" properties the step must show, compared as text.
	Details map[string]string `yaml:"details"`
}
