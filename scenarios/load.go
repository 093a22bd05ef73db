package scenarios

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/scimsim/scimsim/internal/decode"
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
			return nil, UnknownID(id)
		}
		out = append(out, s)
	}
	return out, nil
}

// UnknownID is the error for an id that no scenario of the catalog has, as Select and the web page's
// scenario route say it.
func UnknownID(id string) error {
	return fmt.Errorf("scenarios: no scenario %q in the catalog (`scimsim scenarios list` shows the ids)", id)
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
	for _, rel := range sc.Target.Schemas {
		f, shown := resolve("target.schemas", rel, decode.Pos{File: sc.File})
		sc.Target.schemaFiles, sc.Target.schemaPaths = append(sc.Target.schemaFiles, f), append(sc.Target.schemaPaths, shown)
	}
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
