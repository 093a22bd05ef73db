package scenarios

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/scimsim/scimsim/wire"
	"go.yaml.in/yaml/v3"

	"github.com/scimsim/scimsim/internal/decode"
	"github.com/scimsim/scimsim/report"
)

// Error is one problem in one scenario file. Error() reads "file:line:col: message", the form
// editors and CI logs turn into a link.
type Error = decode.Error

// Load reads and validates every scenario file directly in the directory dir of fsys (an fs.FS
// path: slash-separated, "." for the root), and returns the scenarios sorted by id. It checks every
// file before returning, and the error joins every problem found (each an *Error), so one run shows
// them all; the valid scenarios are returned with it. Errors and the scenarios' File, SourcePath and
// ConfigPath name files by their paths in fsys. scimsim.Files, the catalog the binary carries, is
// loaded with Load(scimsim.Files, "scenarios").
//
// Scenario files and the sources and configs they use may share a folder. A YAML file (*.yaml,
// *.yml) is a source or a job config, not a scenario, when every key at its top level is one of a
// source's or a config's (kind, users, groups, assignments, target, job; see IsScenarioFile); every
// other YAML file is read as a scenario, so one whose `expect:` is misspelt is reported, not skipped.
//
// A relative `source:` or `config:` path is resolved against the scenario file's directory, then
// against each of its parent directories in turn, up to the root of fsys; the first file that exists
// wins. So the catalog in scenarios/ refers to testdata/sources/contoso.yaml as written in the
// design, and a catalog of one's own can keep its files beside it.
func Load(fsys fs.FS, dir string) ([]Scenario, error) {
	return load(catalog{
		fsys: fsys,
		dir:  path.Clean(dir),
		file: func(name string) string { return path.Join(dir, name) },
		show: func(p string) string { return p },
	})
}

// LoadDir is Load for a directory of the operating system, as a user names it (`--scenarios DIR`):
// scenario files are named as dir joined with their file name, and the files they use, which may lie
// in any directory above dir, by their absolute paths.
func LoadDir(dir string) ([]Scenario, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("scenarios: read catalog %s: %w", dir, err)
	}
	// The catalog's files may lie in any directory above it, so the fs.FS is rooted at the root of
	// the volume and the catalog is a path below it.
	root := filepath.VolumeName(abs) + string(filepath.Separator)
	rel, err := filepath.Rel(root, abs)
	if err != nil {
		return nil, fmt.Errorf("scenarios: read catalog %s: %w", dir, err)
	}
	return load(catalog{
		fsys:     os.DirFS(root),
		dir:      filepath.ToSlash(rel),
		root:     root,
		file:     func(name string) string { return filepath.Join(dir, name) },
		show:     func(p string) string { return filepath.Join(root, filepath.FromSlash(p)) },
		shownDir: dir,
	})
}

// catalog is where Load reads from, and how it names what it read.
type catalog struct {
	fsys fs.FS
	dir  string // the catalog's directory in fsys
	// root is the operating system directory fsys is rooted at, for absolute source and config
	// paths; empty when fsys is not the operating system's (an embedded catalog).
	root string
	// file names a scenario file of the catalog by its file name; show names any file of fsys.
	file, show func(string) string
	shownDir   string // how errors name the catalog's directory; dir when empty
}

func load(c catalog) ([]Scenario, error) {
	shownDir := cmp.Or(c.shownDir, c.dir)
	entries, err := fs.ReadDir(c.fsys, c.dir)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("scenarios: read catalog %s: %w", shownDir, err)
	}
	var (
		out  []Scenario
		errs []error
		seen = map[string]string{}
	)
	for _, e := range entries {
		ext := path.Ext(e.Name())
		if e.IsDir() || (ext != ".yaml" && ext != ".yml") {
			continue
		}
		name := c.file(e.Name())
		data, err := fs.ReadFile(c.fsys, path.Join(c.dir, e.Name()))
		if err != nil {
			errs = append(errs, &Error{Pos: decode.Pos{File: name}, Msg: err.Error()})
			continue
		}
		if !IsScenarioFile(data) {
			continue
		}
		sc, err := Parse(name, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if prev, ok := seen[sc.ID]; ok {
			errs = append(errs, decode.Errorf(decode.Pos{File: name}, "", "scenario id %q is also used by %s", sc.ID, prev))
			continue
		}
		seen[sc.ID] = name
		if err := c.resolveFiles(&sc, c.dir); err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, sc)
	}
	if len(out) == 0 && len(errs) == 0 {
		return nil, fmt.Errorf("scenarios: no scenario files (*.yaml) in %s", shownDir)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, errors.Join(errs...)
}

// sourceOrConfigKeys are the top-level keys of a source (kind, users, groups, assignments) and of a
// job config (target, job, users, groups): engine.LoadSource and engine.LoadConfig accept no others.
var sourceOrConfigKeys = []string{"kind", "users", "groups", "assignments", "target", "job"}

// IsScenarioFile tells a scenario file from a source or a job config kept in the same folder: a file
// whose top-level keys are all keys of a source or of a config is not a scenario. Anything else is,
// including a file that is not valid YAML or is empty, so that Parse reports its problems.
func IsScenarioFile(data []byte) bool {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 {
		return true
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode || len(root.Content) == 0 {
		return true
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if !slices.Contains(sourceOrConfigKeys, root.Content[i].Value) {
			return true
		}
	}
	return false
}

// Select returns the scenarios whose ids are listed, in the order listed; an unknown id is an error
// that names it. No ids selects all.
func Select(all []Scenario, ids ...string) ([]Scenario, error) {
	if len(ids) == 0 {
		return all, nil
	}
	byID := make(map[string]Scenario, len(all))
	for _, s := range all {
		byID[s.ID] = s
	}
	out := make([]Scenario, 0, len(ids))
	for _, id := range ids {
		s, ok := byID[id]
		if !ok {
			return nil, fmt.Errorf("scenarios: no scenario %q in the catalog (`scimsim scenarios list` shows the ids)", id)
		}
		out = append(out, s)
	}
	return out, nil
}

// Parse decodes and validates one scenario file, without looking at the files it refers to. name is
// the file's path: it gives the scenario its id and prefixes every error. The error joins every
// problem found, each an *Error.
func Parse(name string, data []byte) (Scenario, error) {
	base := filepath.Base(name)
	sc := Scenario{ID: strings.TrimSuffix(base, filepath.Ext(base)), File: name}
	p := &parser{decode.New(name)}
	root, err := decode.Document(name, data, "scenario file")
	if err != nil {
		return sc, err
	}
	if root.Kind != yaml.MappingNode {
		return sc, decode.Errorf(p.Pos(root), "", "a scenario is a mapping of keys (title, doc, source, config, subject, expect, ...)")
	}
	p.Strict(root, &sc, "the scenario")
	if p.Len() > 0 {
		// Values of the wrong shape leave fields half-decoded: judging them would only add noise.
		return sc, p.Err()
	}
	p.validate(&sc, root)
	sc.sourceAt, sc.configAt = p.At(root, "source"), p.At(root, "config")
	return sc, p.Err()
}

// parser collects the mistakes of one file.
type parser struct{ *decode.Decoder }

func (p *parser) add(at decode.Pos, format string, args ...any) { p.Addf(at, "", format, args...) }

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
	}{{len(t.Faults) > 0, "faults"}, {t.Profile != "", "profile"}, {t.Token != "", "token"}} {
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
			p.add(at(), "target.faults[%d] has no type (one of %s)", i, strings.Join(FaultTypes, ", "))
		case !slices.Contains(FaultTypes, f.Type):
			p.add(at("type"), "unknown fault type %q (known: %s)", f.Type, strings.Join(FaultTypes, ", "))
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

// resolveFiles finds the source and config files the scenario names; see Load.
func (c catalog) resolveFiles(sc *Scenario, dir string) error {
	var errs []error
	resolve := func(key, rel string, at decode.Pos) (string, string) {
		p, err := c.resolvePath(dir, rel)
		if err != nil {
			errs = append(errs, decode.Errorf(at, "", "%s %q: %v", key, rel, err))
			return "", ""
		}
		return p, c.show(p)
	}
	sc.files = c.fsys
	sc.sourceFile, sc.SourcePath = resolve("source", sc.Source, sc.sourceAt)
	if sc.Config == "" || sc.Config == DefaultConfig {
		sc.ConfigPath = DefaultConfig
	} else if sc.Config == DefaultCrossTenantConfig {
		sc.ConfigPath = DefaultCrossTenantConfig
	} else {
		sc.configFile, sc.ConfigPath = resolve("config", sc.Config, sc.configAt)
	}
	return errors.Join(errs...)
}

// resolvePath returns the path in c.fsys of the file rel names, looked for beside dir's files, then
// in each directory above dir.
func (c catalog) resolvePath(dir, rel string) (string, error) {
	if filepath.IsAbs(rel) {
		if c.root == "" {
			return "", errors.New("an absolute path names a file of this machine, and this catalog is not read from its disk: write the path relative to the scenario file")
		}
		r, err := filepath.Rel(c.root, rel)
		if err != nil {
			return "", errors.New("file not found")
		}
		if fi, err := fs.Stat(c.fsys, filepath.ToSlash(r)); err != nil || fi.IsDir() {
			return "", errors.New("file not found")
		}
		return filepath.ToSlash(r), nil
	}
	rel = filepath.ToSlash(rel)
	for d := dir; ; d = path.Dir(d) {
		candidate := path.Join(d, rel)
		if fs.ValidPath(candidate) {
			if fi, err := fs.Stat(c.fsys, candidate); err == nil && !fi.IsDir() {
				return candidate, nil
			}
		}
		if d == "." || d == "/" {
			break
		}
	}
	return "", errors.New("file not found beside the scenario or in any directory above it")
}
