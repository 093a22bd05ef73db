package scenarios

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/scimsim/scimsim/wire"
	"go.yaml.in/yaml/v3"

	"github.com/scimsim/scimsim/internal/decode"
	"github.com/scimsim/scimsim/internal/suggest"
	"github.com/scimsim/scimsim/report"
)

var (
	idPattern    = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
	labelPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	methods      = []string{"GET", "POST", "PUT", "PATCH", "DELETE"}
)

// validate checks what decoding cannot: required keys, allowed values, and the consistency of the
// expectation.
func (p *parser) validate(sc *Scenario, root *yaml.Node) {
	if !idPattern.MatchString(sc.ID) {
		p.add(decode.Pos{File: p.File}, "scenario id %q (the file name) must be at most 64 lower-case letters, digits, '-', '.' or '_', so that it can be typed on a command line and name a simulator tenant", sc.ID)
	}
	if strings.TrimSpace(sc.Title) == "" {
		p.add(p.At(root, "title"), "missing title")
	}
	if strings.TrimSpace(sc.Doc) == "" {
		p.add(p.At(root, "doc"), `missing doc: name the section of the source document the case comes from, e.g. "Step 4: Match user between source and target"`)
	}
	seen := map[string]bool{}
	for i, l := range sc.Labels {
		line := p.At(root, "labels", strconv.Itoa(i))
		switch {
		case !labelPattern.MatchString(l):
			p.add(line, "invalid label %q: labels are lower-case letters, digits and '-' (Ginkgo's --label-filter reserves &|!,()/ and spaces)", l)
		case seen[l]:
			p.add(line, "label %q given twice", l)
		}
		seen[l] = true
	}
	if sc.Source == "" {
		p.add(p.At(root, "source"), "missing source: the source directory file, e.g. testdata/sources/contoso.yaml")
	}
	p.validateCredentials(sc, root)
	p.validateTarget(sc, root)
	if sc.HasOnDemand() {
		p.validateSubject(sc, root)
		p.validateExpect(sc, root)
	}
	p.validateCycles(sc, root)
	if sc.HasLabel(LabelConformance) {
		p.validateConformance(sc, root)
	}
}

// validateConformance checks what a scenario needs to run against a real SCIM endpoint, where the
// harness can only do what any SCIM client can: it creates target.users and target.groups with plain
// POSTs (under names unique to the run) and reads a group back with GET. What only the simulator can
// do is refused: injecting faults, choosing the profile or token, counting every user of the target.
func (p *parser) validateConformance(sc *Scenario, root *yaml.Node) {
	t := sc.Target
	for _, key := range []struct {
		set  bool
		name string
	}{{len(t.Faults) > 0, "faults"}, {t.Profile != "", "profile"}, {t.Token != "", "token"}, {t.Basic != nil, "basic"}} {
		if key.set {
			p.add(p.At(root, "target", key.name), "a %q scenario runs against any real SCIM endpoint, so it cannot set target.%s (only the simulator has faults, a profile and a token to choose)", LabelConformance, key.name)
		}
	}
	if sc.Expect.TargetUsers != nil {
		p.add(p.At(root, "expect", "targetUsers"), "a %q scenario cannot count the users of a real SCIM endpoint: drop expect.targetUsers (expect.targetGroupMembers and expect.targetUser are read back through SCIM)", LabelConformance)
	}
	// The endpoint assigns the ids of what the harness seeds, so a seeded group can only name its
	// members by the id key of a seeded user, which the harness then maps to the endpoint's id.
	ids := map[string]bool{}
	for _, u := range t.Users {
		if id, ok := u["id"].(string); ok && id != "" {
			ids[id] = true
		}
	}
	for i, g := range t.Groups {
		raw, ok := g["members"]
		if !ok {
			continue
		}
		at := p.At(root, "target", "groups", strconv.Itoa(i), "members")
		list, ok := raw.([]any)
		if !ok {
			p.add(at, "target.groups[%d].members must be a list of {value: ID}", i)
			continue
		}
		for j, m := range list {
			mm, _ := m.(map[string]any)
			v, _ := mm["value"].(string)
			if !ids[v] {
				p.add(p.At(root, "target", "groups", strconv.Itoa(i), "members", strconv.Itoa(j)), "target.groups[%d].members[%d] must be {value: ID} with the id of one of target.users: a %q scenario's resources are created through SCIM, and the endpoint assigns their ids", i, j, LabelConformance)
			}
		}
	}
}

func (p *parser) validateCredentials(sc *Scenario, root *yaml.Node) {
	u := sc.Credentials.URL
	if u == "" {
		return
	}
	rest := strings.NewReplacer("{url}", "", "{root}", "").Replace(u)
	if strings.ContainsAny(rest, "{}") {
		p.add(p.At(root, "credentials", "url"), "credentials.url %q: the only placeholders are {url} (the target's SCIM base URL) and {root} (the simulator's root URL)", u)
		return
	}
	if !strings.HasPrefix(u, "{url}") && !strings.HasPrefix(u, "{root}") && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		p.add(p.At(root, "credentials", "url"), "credentials.url %q must start with {url}, {root}, http:// or https://", u)
	}
}

func (p *parser) validateTarget(sc *Scenario, root *yaml.Node) {
	t := &sc.Target
	if t.Profile != "" && t.Profile != ProfileEntra && t.Profile != ProfileStrict {
		p.add(p.At(root, "target", "profile"), "unknown target profile %q (want %s or %s)", t.Profile, ProfileEntra, ProfileStrict)
	}
	entra := p.validateEntraTarget(sc, root)
	for i, u := range t.Users {
		if _, ok := u["userName"]; !ok && !entra {
			p.add(p.At(root, "target", "users", strconv.Itoa(i)), "target.users[%d] has no userName (a SCIM User needs one, RFC 7643 §4.1)", i)
		}
	}
	for i, g := range t.Groups {
		if _, ok := g["displayName"]; !ok && !entra {
			p.add(p.At(root, "target", "groups", strconv.Itoa(i)), "target.groups[%d] has no displayName (a SCIM Group needs one, RFC 7643 §4.2)", i)
		}
	}
	names := map[string]bool{}
	for i, f := range t.Faults {
		at := func(key ...string) decode.Pos {
			return p.At(root, append([]string{"target", "faults", strconv.Itoa(i)}, key...)...)
		}
		switch {
		case f.Type == "":
			p.add(at(), "target.faults[%d] has no type (`scimsim serve --list-faults` lists them)", i)
		case !slices.Contains(FaultTypes, f.Type):
			hint := "`scimsim serve --list-faults` lists them"
			if near := suggest.Closest(f.Type, FaultTypes, 1); len(near) > 0 {
				hint = fmt.Sprintf("did you mean %q?", near[0])
			}
			p.add(at("type"), "unknown fault type %q (%s)", f.Type, hint)
		}
		if f.Name != "" {
			if names[f.Name] {
				p.add(at("name"), "fault name %q used twice", f.Name)
			}
			names[f.Name] = true
		}
		if m := f.Match.Method; m != "" && !slices.Contains(methods, m) {
			p.add(at("match", "method"), "fault match method %q is not one of %s", m, strings.Join(methods, ", "))
		}
		if r := f.Match.Resource; r != "" && !entra && r != "Users" && r != "Groups" {
			p.add(at("match", "resource"), "fault match resource %q is not Users or Groups", r)
		}
		if f.After < 0 {
			p.add(at("after"), "fault after %d must not be negative", f.After)
		}
		if f.Count < 0 {
			p.add(at("count"), "fault count %d must not be negative (0 means unlimited)", f.Count)
		}
		if f.Probability < 0 || f.Probability > 1 {
			p.add(at("probability"), "fault probability %v must be between 0 and 1", f.Probability)
		}
	}
}

func (p *parser) validateSubject(sc *Scenario, root *yaml.Node) {
	s := sc.Subject
	line := p.At(root, "subject")
	switch {
	case s.User == "" && s.Group == "":
		p.add(line, "subject names neither a user nor a group: write {user: alice@contoso.com} or {group: Sales}")
	case s.User != "" && s.Group != "":
		p.add(line, "subject names both a user and a group; on-demand provisioning takes one or the other")
	case s.User != "" && len(s.Members) > 0:
		p.add(p.At(root, "subject", "members"), "subject members are chosen from a group: add group: NAME or drop members")
	}
}

func (p *parser) validateExpect(sc *Scenario, root *yaml.Node) {
	e := sc.Expect
	at := func(key ...string) decode.Pos { return p.At(root, append([]string{"expect"}, key...)...) }
	stepTypes := report.StepTypes()
	if e.FailedStep != "" && StepIndex(e.FailedStep) < 0 {
		p.add(at("failedStep"), "expect.failedStep %q names no step (one of %s)", e.FailedStep, strings.Join(stepTypes, ", "))
	}
	if e.Action != "" && !slices.Contains(Actions, e.Action) {
		p.add(at("action"), "expect.action %q is not one of %s", e.Action, strings.Join(Actions, ", "))
	}
	switch e.Status {
	case "":
		p.add(at(), "expect.status is missing (success, failure or skipped)")
	case StatusFailure:
		if e.FailedStep == "" {
			p.add(at(), "expect.status failure names no step: add failedStep (one of %s)", strings.Join(stepTypes, ", "))
		}
		if e.ErrorCode == "" {
			p.add(at(), "expect.status failure needs the errorCode the step reports (docs/architecture.md lists them)")
		}
	case StatusSkipped:
		if e.FailedStep == "" && e.Action != "skip" {
			p.add(at(), "expect.status skipped names no step: add failedStep (import or scoping) or action: skip")
		}
	case StatusSuccess:
		if e.FailedStep != "" || e.ErrorCode != "" {
			p.add(at("status"), "expect.status success cannot have a failedStep or errorCode")
		}
		if e.Action == "" {
			p.add(at(), "expect.status success needs the action taken (%s)", strings.Join(Actions, ", "))
		}
	default:
		p.add(at("status"), "expect.status %q is not success, failure or skipped", e.Status)
	}
	if e.TargetUsers != nil && *e.TargetUsers < 0 {
		p.add(at("targetUsers"), "expect.targetUsers %d must not be negative", *e.TargetUsers)
	}
	for name, n := range e.TargetGroupMembers {
		if n < 0 {
			p.add(at("targetGroupMembers", name), "expect.targetGroupMembers[%q] %d must not be negative", name, n)
		}
	}
	if e.TargetUser != nil {
		p.validateTargetUser(e.TargetUser, at)
	}
	for i, s := range e.Steps {
		sat := func(key ...string) decode.Pos { return at(append([]string{"steps", strconv.Itoa(i)}, key...)...) }
		if StepIndex(s.Type) < 0 {
			p.add(sat("type"), "expect.steps[%d].type %q names no step (one of %s)", i, s.Type, strings.Join(stepTypes, ", "))
		}
		if s.Status != "" && !slices.Contains(report.StepStatuses, s.Status) {
			p.add(sat("status"), "expect.steps[%d].status %q is not success, failure, skipped, warning or notRun", i, s.Status)
		}
		if s.Status == "" && s.Tip == "" && len(s.Details) == 0 {
			p.add(sat(), "expect.steps[%d] expects nothing: give status, tip or details", i)
		}
	}
}

// isAttrPath reports whether path is a SCIM attribute path without a filter (RFC 7644 §3.10): an
// attribute, optionally one sub-attribute, optionally preceded by the schema URN and ":".
func isAttrPath(path string) bool {
	p, err := wire.ParsePath(path)
	return err == nil && !p.Filtered()
}

// validateTargetUser checks expect.targetUser: a user to find, something to expect of it, paths that
// are attribute paths, and no attribute expected both absent and present.
func (p *parser) validateTargetUser(u *UserExpect, at func(key ...string) decode.Pos) {
	if strings.TrimSpace(u.UserName) == "" {
		p.add(at("targetUser"), "expect.targetUser has no userName: name the target's user to inspect, e.g. userName: alice@contoso.com")
	}
	if len(u.Absent) == 0 && len(u.Present) == 0 {
		p.add(at("targetUser"), "expect.targetUser expects nothing: give absent (attributes it must not store) or present (attribute: value)")
	}
	absent := map[string]bool{}
	for i, path := range u.Absent {
		line := at("targetUser", "absent", strconv.Itoa(i))
		switch {
		case !isAttrPath(path):
			p.add(line, "expect.targetUser.absent[%d] %q is not a SCIM attribute path (displayName, name.givenName, urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department)", i, path)
		case absent[strings.ToLower(path)]:
			p.add(line, "expect.targetUser.absent lists %q twice", path)
		}
		absent[strings.ToLower(path)] = true
	}
	for _, path := range slices.Sorted(maps.Keys(u.Present)) {
		line := at("targetUser", "present", path)
		switch {
		case !isAttrPath(path):
			p.add(line, "expect.targetUser.present key %q is not a SCIM attribute path (displayName, name.givenName, urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department)", path)
		case absent[strings.ToLower(path)]:
			p.add(line, "expect.targetUser lists %q as both absent and present", path)
		case u.Present[path] == nil:
			p.add(line, "expect.targetUser.present %q is null: a null value is no value (RFC 7643 §2.5), so list it under absent", path)
		}
	}
}
