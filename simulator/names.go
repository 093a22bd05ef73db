package simulator

import (
	"fmt"

	"github.com/scimsim/scimsim/wire"
)

// The names the simulator's settings take, each a string type whose values are listed below and
// read by a parser that takes "" for the default: what a tenant simulates, how it reads what
// clients send, and when a state file's log reaches the disk.
type (
	// Kind is what a tenant simulates: a SCIM application (the default) or a Microsoft Entra
	// tenant, the target of cross-tenant synchronization, served as Microsoft Graph under
	// /tenants/NAME/graph/v1.0 (package graph).
	Kind string
	// Profile selects how a tenant reads what clients send.
	Profile string
	// SyncMode says when the state log reaches the disk (StateFile).
	SyncMode string
)

const (
	// KindSCIM and KindEntra are the kinds of tenant.
	KindSCIM  Kind = "scim"
	KindEntra Kind = "entra"

	// ProfileEntra accepts Microsoft Entra ID's traffic as it is shipped today: string booleans
	// ("False"), Remove on members with a value array meaning "remove these members", no-path
	// replace with dotted keys, filters on a value path with a sub-attribute, and a unique group
	// displayName ("Known issues and resolutions with SCIM 2.0 protocol compliance", Microsoft
	// Learn, application-provisioning-config-problem-scim-compatibility.md).
	ProfileEntra Profile = "entra"
	// ProfileStrict reads requests as RFC 7643 and RFC 7644 are written.
	ProfileStrict Profile = "strict"

	// SyncAlways fsyncs the log before a write is answered: an acknowledged write survives a
	// crash of the process and of the machine. Writes that arrive together share one fsync.
	SyncAlways SyncMode = "always"
	// SyncInterval writes the log before a write is answered and fsyncs it every second: an
	// acknowledged write survives a crash of the process (kill -9), and a crash of the machine
	// loses at most the last second.
	SyncInterval SyncMode = "interval"
)

// ParseKind reads a tenant kind; "" is KindSCIM. Its error names the kinds unquoted, as the admin
// API has always answered an unknown kind.
func ParseKind(s string) (Kind, error) {
	switch Kind(s) {
	case "", KindSCIM:
		return KindSCIM, nil
	case KindEntra:
		return KindEntra, nil
	}
	return "", fmt.Errorf("unknown tenant kind %q (want scim or entra)", s)
}

// ParseProfile returns the profile named s; "" is the default, ProfileEntra.
func ParseProfile(s string) (Profile, error) {
	return wire.ParseName("profile", s, ProfileEntra, ProfileStrict)
}

// ParseSyncMode returns the mode named s; "" is SyncAlways.
func ParseSyncMode(s string) (SyncMode, error) {
	return wire.ParseName("sync mode", s, SyncAlways, SyncInterval)
}
