package simulator

import (
	"fmt"
	"io"
	"log/slog"
	"time"
)

// Defaults of the options a Go caller may inject.
const (
	DefaultMaxBody     = 1 << 20   // SCIM request body limit
	DefaultSeedBody    = 256 << 20 // POST /admin/seed body limit
	DefaultJournalSize = 10000     // request journal entries per tenant
	// DefaultJournalBytes bounds the journals of all tenants together, and
	// DefaultJournalTenantBytes each tenant's.
	DefaultJournalBytes       = 64 << 20
	DefaultJournalTenantBytes = 16 << 20
	DefaultMaxTenants         = 1000     // named tenants a client may create over HTTP
	journalBodyLimit          = 64 << 10 // request bodies are cut at 64 KiB in the journal
	// seedReadTimeout is how long POST /admin/seed may take to arrive, longer than the read
	// timeout `scimsim serve` gives other requests.
	seedReadTimeout = 5 * time.Minute
	// seedTightSize is the seed body beyond which the seed runs the collector at seedGCPercent.
	seedTightSize = 8 << 20
	seedGCPercent = 25
)

type options struct {
	schemas     CustomSchemas // every tenant's custom schemas (WithSchemas)
	token       string
	adminToken  string
	profile     Profile
	logger      *slog.Logger
	maxBody     int64
	seed        int64
	journalSize int
	// journalBytes bounds every tenant's journal together, journalTenantBytes each one's.
	journalBytes, journalTenantBytes int64
	maxTenants                       int
	now                              func() time.Time
	// tenantToken is the token of tenants created on first use; tenantTokenSet tells an explicit
	// "" (tenants open) from no WithTenantToken (the default tenant's token).
	tenantToken    string
	tenantTokenSet bool
	tenantIdleTTL  time.Duration
}

// newTenantToken is the bearer token a tenant created on first use requires.
func (o *options) newTenantToken() string {
	if o.tenantTokenSet {
		return o.tenantToken
	}
	return o.token
}

// Option configures a Server.
type Option func(*options)

// WithToken sets the bearer token of the default tenant; "" turns authentication off.
func WithToken(token string) Option { return func(o *options) { o.token = token } }

// WithAdminToken sets the bearer token the admin API requires; "" leaves it open, which the
// command allows only on a loopback address.
func WithAdminToken(token string) Option { return func(o *options) { o.adminToken = token } }

// WithProfile sets the profile of the default tenant and of tenants created on first use.
func WithProfile(p Profile) Option { return func(o *options) { o.profile = p } }

// WithLogger sets the logger; the default discards everything.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithMaxBody sets the SCIM request body limit in bytes (default 1 MiB).
func WithMaxBody(n int64) Option { return func(o *options) { o.maxBody = n } }

// WithSeed seeds the fault probability draws and the generated resource ids, so that a run
// replays exactly.
func WithSeed(seed int64) Option { return func(o *options) { o.seed = seed } }

// WithJournalSize sets how many requests each tenant's journal keeps (default 10,000).
func WithJournalSize(n int) Option { return func(o *options) { o.journalSize = n } }

// WithJournalBytes bounds the request journals in bytes: each tenant's to perTenant, all of them
// together to total (defaults 16 MiB and 64 MiB). Beyond a bound the oldest entries go first, the
// server's oldest for the total, so that a busy tenant (or a hostile client with the token) cannot
// grow the journals without end.
func WithJournalBytes(perTenant, total int64) Option {
	return func(o *options) { o.journalTenantBytes, o.journalBytes = perTenant, total }
}

// WithMaxTenants caps the named tenants that requests may create (default 1,000). Every
// /tenants/{name}/... request names a tenant that is created on first use, with a store and a
// journal of its own, so without a cap any client could exhaust the server's memory. Beyond the
// cap, a SCIM request for a new tenant is 404 and an admin request for one 400; tenants that
// exist keep working, and Server.Tenant (a Go caller) is not capped.
func WithMaxTenants(n int) Option { return func(o *options) { o.maxTenants = n } }

// WithTenantToken sets the bearer token of tenants created on first use (by a request, an admin
// call or Server.Tenant); without it they take the default tenant's token (WithToken), so that a
// server with a token has no open tenant unless one is configured open on purpose. A request for
// a tenant that does not exist yet creates it only when it carries this token.
func WithTenantToken(token string) Option {
	return func(o *options) { o.tenantToken, o.tenantTokenSet = token, true }
}

// WithTenantIdleTTL deletes a named tenant, with its store, faults and journal, once it has
// served no request and had no admin call for d (0, the default: never). Tenants a client created
// and forgot then stop counting against WithMaxTenants.
func WithTenantIdleTTL(d time.Duration) Option { return func(o *options) { o.tenantIdleTTL = d } }

// WithClock sets the clock behind meta.created and meta.lastModified.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithSchemas gives every tenant custom schemas (`serve --schema`): LoadSchemas reads them.
func WithSchemas(cs CustomSchemas) Option { return func(o *options) { o.schemas = cs } }

func buildOptions(opts []Option) (options, error) {
	o := options{
		profile:            ProfileEntra,
		maxBody:            DefaultMaxBody,
		journalSize:        DefaultJournalSize,
		journalBytes:       DefaultJournalBytes,
		journalTenantBytes: DefaultJournalTenantBytes,
		maxTenants:         DefaultMaxTenants,
		now:                time.Now,
	}
	for _, opt := range opts {
		opt(&o)
	}
	if _, err := ParseProfile(string(o.profile)); err != nil {
		return o, err
	}
	if o.maxBody <= 0 {
		return o, fmt.Errorf("max body %d: must be positive", o.maxBody)
	}
	if o.journalSize < 0 {
		return o, fmt.Errorf("journal size %d: must not be negative", o.journalSize)
	}
	if o.tenantIdleTTL < 0 {
		return o, fmt.Errorf("tenant idle TTL %s: must not be negative", o.tenantIdleTTL)
	}
	if o.journalBytes < 0 || o.journalTenantBytes < 0 {
		return o, fmt.Errorf("journal bytes %d per tenant, %d in total: must not be negative", o.journalTenantBytes, o.journalBytes)
	}
	if o.maxTenants < 0 {
		return o, fmt.Errorf("max tenants %d: must not be negative", o.maxTenants)
	}
	if o.logger == nil {
		o.logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.now == nil {
		o.now = time.Now
	}
	return o, nil
}
