// Package scimsim holds what the scimsim binary carries with it: the scenario catalog (scenarios/)
// and the example sources, job configs and schemas it uses (testdata/sources/, testdata/configs/,
// testdata/schemas/), so that
// `scimsim demo`, `scimsim scenarios` and `scimsim ui` work from any directory. The files keep their
// paths in the repository, so a scenario's `source: testdata/sources/contoso.yaml` names the same
// file in a clone and in the binary.
package scimsim

import "embed"

// Files is the embedded catalog and its fixtures.
//
//go:embed scenarios/*.yaml testdata/sources/*.yaml testdata/configs/*.yaml testdata/schemas/*.json
var Files embed.FS
