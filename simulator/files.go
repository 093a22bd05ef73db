package simulator

import (
	"fmt"
	"os"
	"time"

	"go.yaml.in/yaml/v3"
)

// LoadSeedData reads a --seed-data file: YAML or JSON with "users" and "groups" lists of SCIM
// resources.
func LoadSeedData(path string) (SeedData, error) {
	root, err := readYAML(path)
	if err != nil {
		return SeedData{}, err
	}
	if root.Kind != yaml.MappingNode {
		return SeedData{}, fmt.Errorf("%s:%d: want a mapping with users and groups", path, root.Line)
	}
	if err := knownKeys(path, root, "users", "groups"); err != nil {
		return SeedData{}, err
	}
	var data SeedData
	if err := root.Decode(&data); err != nil {
		return SeedData{}, fmt.Errorf("%s: %v", path, err)
	}
	for _, list := range [][]map[string]any{data.Users, data.Groups} {
		for _, res := range list {
			timesToStrings(res)
		}
	}
	return data, nil
}

func readYAML(path string) (*yaml.Node, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s: empty file", path)
	}
	return doc.Content[0], nil
}

func knownKeys(path string, m *yaml.Node, keys ...string) error {
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		ok := false
		for _, want := range keys {
			if k.Value == want {
				ok = true
				break
			}
		}
		if !ok {
			return fmt.Errorf("%s:%d: unknown key %q", path, k.Line, k.Value)
		}
	}
	return nil
}

func mapValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// timesToStrings turns the timestamps YAML decodes into time.Time back into the xsd:dateTime
// strings SCIM expects (RFC 7643 §2.3.5).
func timesToStrings(v any) any {
	switch v := v.(type) {
	case time.Time:
		return v.Format(time.RFC3339Nano)
	case map[string]any:
		for k, e := range v {
			v[k] = timesToStrings(e)
		}
	case []any:
		for i, e := range v {
			v[i] = timesToStrings(e)
		}
	}
	return v
}
