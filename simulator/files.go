package simulator

import (
	"os"
	"time"

	"github.com/scimsim/scimsim/internal/decode"
)

// LoadSeedData reads a --seed-data file: YAML or JSON with "users" and "groups" lists of SCIM
// resources, read by internal/decode like every file scimsim reads ("file:line:col: message",
// the closest known key for an unknown one).
func LoadSeedData(path string) (SeedData, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return SeedData{}, err
	}
	root, d, err := decode.Mapping(path, raw)
	if err != nil {
		return SeedData{}, err
	}
	var data SeedData
	d.Strict(root, &data, "the seed data")
	if err := d.Err(); err != nil {
		return SeedData{}, err
	}
	for _, list := range [][]map[string]any{data.Users, data.Groups} {
		for _, res := range list {
			timesToStrings(res)
		}
	}
	return data, nil
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
