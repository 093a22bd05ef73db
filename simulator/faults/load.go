package faults

import (
	"errors"
	"fmt"
	"os"

	"go.yaml.in/yaml/v3"

	"github.com/scimsim/scimsim/internal/decode"
)

// LoadFile reads the faults of `scimsim serve --faults FILE`: a YAML or JSON list of specs, in
// the form the admin API takes and GET /admin/faults answers, or a mapping whose one key
// "faults" holds that list. Every spec is validated. The file is read by internal/decode, so its
// errors are those of every file scimsim reads, "file:line:col: field: message", all of them at
// once: an unknown key (with the closest known one), a value of the wrong type, a spec Validate
// rejects, a name used twice.
func LoadFile(path string) ([]Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load faults: %w", err)
	}
	return parseSpecs(path, data)
}

// parseSpecs parses a fault list; file names the input in errors. JSON is parsed as YAML (a JSON
// document is YAML flow style), which gives JSON files line numbers too.
func parseSpecs(file string, data []byte) ([]Spec, error) {
	root, err := decode.Document(file, data, "fault file")
	if errors.Is(err, decode.ErrEmpty) {
		return nil, nil // an empty file: no faults
	}
	if err != nil {
		return nil, err
	}
	d := decode.New(file)
	field := ""
	if root.Kind == yaml.MappingNode {
		// {faults: [...]}: the form a scenario's target section and a bigger config file use.
		var list *yaml.Node
		_ = d.Fields(root, "", nil, []string{"faults"}, func(_ string, _, v *yaml.Node) error {
			list = v
			return nil
		})
		if err := d.Err(); err != nil {
			return nil, err
		}
		if list == nil {
			return nil, nil
		}
		root, field = list, "faults"
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil, nil
	}
	if root.Kind != yaml.SequenceNode {
		return nil, d.Errorf(root, field, "want a list of faults, got %s", decode.Describe(root))
	}
	specs := make([]Spec, 0, len(root.Content))
	first := map[string]int{}
	_ = d.Sequence(root, field, func(i int, item *yaml.Node) error {
		at := decode.Index(field, i)
		if item.Kind != yaml.MappingNode {
			return d.Errorf(item, at, "want a fault (a mapping), got %s", decode.Describe(item))
		}
		var spec Spec
		before := d.Len()
		d.Strict(item, &spec, "the fault")
		if d.Len() > before {
			return nil
		}
		// Validate's messages name the fault; the position says which item it is.
		if err := spec.Validate(); err != nil {
			return d.Errorf(item, "", "%v", err)
		}
		if spec.Name != "" {
			if line, dup := first[spec.Name]; dup {
				return d.Errorf(item, "", "fault %q is already defined at line %d", spec.Name, line)
			}
			first[spec.Name] = item.Line
		}
		specs = append(specs, spec)
		return nil
	})
	if err := d.Err(); err != nil {
		return nil, err
	}
	return specs, nil
}

// DecodeSpec reads one fault spec in JSON (or YAML) into spec, over the values spec already holds
// (PATCH /admin/faults/{name} merges), with the checks of LoadFile: an unknown key is an error
// naming it and the closest known one, as is a value of the wrong type; the input is called
// "body" in errors. The spec is not validated: the Set's Add and Update do that.
func DecodeSpec(data []byte, spec *Spec) error {
	item, err := decode.Document("body", data, "fault")
	if err != nil {
		return err
	}
	d := decode.New("body")
	if item.Kind != yaml.MappingNode {
		return d.Errorf(item, "", "want a fault (an object), got %s", decode.Describe(item))
	}
	d.Strict(item, spec, "the fault")
	return d.Err()
}
