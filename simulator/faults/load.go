package faults

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// LoadFile reads the faults of `scimsim serve --faults FILE`: a YAML or JSON list of specs, in
// the form the admin API takes and GET /admin/faults answers, or a mapping whose one key
// "faults" holds that list. Every spec is validated. Errors
// read "file:line: message": an unknown key, a value of the wrong type, a spec Validate rejects,
// a name used twice.
func LoadFile(path string) ([]Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load faults: %w", err)
	}
	return parseSpecs(path, data)
}

var (
	specKeys  = []string{"name", "type", "match", "after", "count", "probability", "attributes"}
	matchKeys = []string{"method", "path", "resource", "filterAttribute", "tenant"}
)

// parseSpecs parses a fault list; file names the input in errors. JSON is parsed as YAML (a JSON
// document is YAML flow style), which gives JSON files line numbers too.
func parseSpecs(file string, data []byte) ([]Spec, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil // an empty file: no faults
		}
		return nil, yamlError(file, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s:%d: a fault file holds one list; found a second document", file, extra.Line)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind == yaml.MappingNode {
		// {faults: [...]}: the form a scenario's target section and a bigger config file use.
		if err := checkKeys(root, []string{"faults"}, ""); err != nil {
			return nil, fmt.Errorf("%s:%w", file, err)
		}
		if root = mappingValue(root, "faults"); root == nil {
			return nil, nil
		}
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil, nil
	}
	if root.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%s:%d: want a list of faults, got %s", file, root.Line, nodeKind(root))
	}
	specs := make([]Spec, 0, len(root.Content))
	firstLine := map[string]int{}
	for _, item := range root.Content {
		if item.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("%s:%d: want a fault (a mapping), got %s", file, item.Line, nodeKind(item))
		}
		if err := checkSpecKeys(item); err != nil {
			return nil, fmt.Errorf("%s:%w", file, err)
		}
		var spec Spec
		if err := item.Decode(&spec); err != nil {
			return nil, yamlError(file, err)
		}
		if err := spec.Validate(); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", file, item.Line, err)
		}
		if spec.Name != "" {
			if line, dup := firstLine[spec.Name]; dup {
				return nil, fmt.Errorf("%s:%d: fault %q is already defined at line %d", file, item.Line, spec.Name, line)
			}
			firstLine[spec.Name] = item.Line
		}
		specs = append(specs, spec)
	}
	return specs, nil
}

// DecodeSpec reads one fault spec in JSON (or YAML) into spec, over the values spec already holds
// (PATCH /admin/faults/{name} merges), with the checks of LoadFile: an unknown key is an error
// naming it and the known ones, as is a value of the wrong type. The spec is not validated: the
// Set's Add and Update do that.
func DecodeSpec(data []byte, spec *Spec) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return yamlError("body", err)
	}
	item := &doc
	if item.Kind == yaml.DocumentNode && len(item.Content) == 1 {
		item = item.Content[0]
	}
	if item.Kind != yaml.MappingNode {
		return fmt.Errorf("body: want a fault (an object), got %s", nodeKind(item))
	}
	if err := checkSpecKeys(item); err != nil {
		return fmt.Errorf("body:%w", err)
	}
	if err := item.Decode(spec); err != nil {
		return yamlError("body", err)
	}
	return nil
}

// checkSpecKeys checks the keys of a fault and of its match and attributes.
func checkSpecKeys(item *yaml.Node) error {
	if err := checkKeys(item, specKeys, ""); err != nil {
		return err
	}
	if m := mappingValue(item, "match"); m != nil && m.Tag != "!!null" {
		if m.Kind != yaml.MappingNode {
			return fmt.Errorf("%d: match: want a mapping, got %s", m.Line, nodeKind(m))
		}
		if err := checkKeys(m, matchKeys, "match."); err != nil {
			return err
		}
	}
	if a := mappingValue(item, "attributes"); a != nil && a.Kind != yaml.MappingNode && a.Tag != "!!null" {
		return fmt.Errorf("%d: attributes: want a mapping, got %s", a.Line, nodeKind(a))
	}
	return nil
}

// checkKeys rejects keys of a mapping node that are not in known, naming the line.
func checkKeys(m *yaml.Node, known []string, prefix string) error {
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		found := false
		for _, want := range known {
			if k.Value == want {
				found = true
				break
			}
		}
		if !found {
			return fmt.Errorf("%d: unknown key %q (known: %s%s)", k.Line, prefix+k.Value, prefix, strings.Join(known, ", "+prefix))
		}
	}
	return nil
}

func mappingValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "scalar " + strconv.Quote(n.Value)
	case yaml.AliasNode:
		return "an alias"
	}
	return "nothing"
}

// yamlError turns the YAML library's "yaml: line 3: ..." into "file:3: ...".
func yamlError(file string, err error) error {
	var te *yaml.TypeError
	msg := err.Error()
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if i := strings.IndexByte(rest, ':'); i > 0 {
			if _, err := strconv.Atoi(rest[:i]); err == nil {
				return fmt.Errorf("%s:%s:%s", file, rest[:i], rest[i+1:])
			}
		}
	}
	return fmt.Errorf("%s: %s", file, msg)
}
