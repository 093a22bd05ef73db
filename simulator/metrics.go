package simulator

import (
	"maps"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// defaultTenantLabel is the tenant label of the default tenant (/scim/v2): a name no other tenant
// can have, since tenant names are letters, digits, '.', '_' and '-'.
const defaultTenantLabel = "(default)"

// metrics are the simulator's Prometheus metrics, served at GET /metrics in the text exposition
// format under the admin API's access rule. Each Server has a registry of its own, so that servers
// in one process (tests) never share counters.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	faults   *prometheus.CounterVec
}

func newMetrics(s *Server) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "scimsim_requests_total",
			Help: "SCIM requests answered, by tenant, method, resource (the endpoint below /scim/v2) and status; status 0 is a connection closed without an answer.",
		}, []string{"tenant", "method", "resource", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "scimsim_request_duration_seconds",
			Help:    "Time from a SCIM request's arrival to its answer, injected latency included, by tenant, method and resource.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"tenant", "method", "resource"}),
		faults: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "scimsim_fault_hits_total",
			Help: "SCIM requests a fault hit, by tenant and fault type.",
		}, []string{"tenant", "type"}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.faults, storedCollector{s},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// observe counts one answered SCIM request of tenant t; rel is its path below the tenant's
// /scim/v2.
func (m *metrics) observe(t *Tenant, rel string, e JournalEntry) {
	sr := m.seriesOf(t, seriesKey{e.Method, resourceLabel(rel), e.Status})
	sr.requests.Inc()
	sr.duration.Observe(e.DurationMs / 1000)
	if e.Fault != "" {
		typ := "unknown" // removed before the request ended
		if spec, ok := t.Faults().Get(e.Fault); ok {
			typ = spec.Type
		}
		m.faults.WithLabelValues(tenantLabel(t.name), typ).Inc()
	}
}

// seriesKey is what a tenant's request series are labelled with besides the tenant.
type seriesKey struct {
	method, resource string
	status           int
}

// series are the children of the request metrics for one tenant and seriesKey.
type series struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

// seriesOf returns t's series for key, from the tenant's own map once they have been looked up:
// a vector's WithLabelValues validates and hashes every label value and takes a lock that every
// request of every tenant shares: about 2% of what a create costs (BenchmarkServer_CreateParallel).
// client_golang advises keeping the child "if performance is critical"
// (CounterVec.GetMetricWithLabelValues); the simulator never deletes a series, so a kept child is
// always the one exported. The map is copied on write: a new key (a method, resource and status
// the tenant has not answered before; the router routes only the methods echo knows) is rare,
// and a read takes no lock.
func (m *metrics) seriesOf(t *Tenant, key seriesKey) *series {
	if all := t.series.Load(); all != nil {
		if sr, ok := (*all)[key]; ok {
			return sr
		}
	}
	t.seriesMu.Lock()
	defer t.seriesMu.Unlock()
	old := t.series.Load()
	if old != nil {
		if sr, ok := (*old)[key]; ok {
			return sr
		}
	}
	tenant := tenantLabel(t.name)
	sr := &series{
		requests: m.requests.WithLabelValues(tenant, key.method, key.resource, strconv.Itoa(key.status)),
		duration: m.duration.WithLabelValues(tenant, key.method, key.resource),
	}
	next := map[seriesKey]*series{}
	if old != nil {
		next = maps.Clone(*old)
	}
	next[key] = sr
	t.series.Store(&next)
	return sr
}

// handler serves the registry; the admin API's authentication wraps it (see routes).
func (m *metrics) handler() echo.HandlerFunc {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
	return func(c echo.Context) error {
		if c.Request().Method != http.MethodGet && c.Request().Method != http.MethodHead {
			return adminErr(http.StatusMethodNotAllowed, "GET /metrics")
		}
		h.ServeHTTP(c.Response(), c.Request())
		return nil
	}
}

func tenantLabel(name string) string {
	if name == "" {
		return defaultTenantLabel
	}
	return name
}

// resourceLabel is the endpoint a path below /scim/v2 addresses, from the few SCIM defines
// (RFC 7644 §3.2), so that the label's values stay few whatever clients request.
func resourceLabel(rel string) string {
	seg, _, _ := strings.Cut(strings.TrimPrefix(rel, "/"), "/")
	switch seg {
	case "Users", "Groups", "ServiceProviderConfig", "Schemas", "ResourceTypes", "Bulk", "Me", ".search":
		return seg
	case "":
		return "root"
	}
	return "other"
}

// storedCollector reports, at each scrape, the users and groups every tenant stores.
type storedCollector struct{ s *Server }

var storedDesc = prometheus.NewDesc("scimsim_resources", "Resources a tenant stores, by tenant and resource.", []string{"tenant", "resource"}, nil)

func (c storedCollector) Describe(ch chan<- *prometheus.Desc) { ch <- storedDesc }

func (c storedCollector) Collect(ch chan<- prometheus.Metric) {
	for _, t := range c.s.Tenants() {
		name := tenantLabel(t.name)
		ch <- prometheus.MustNewConstMetric(storedDesc, prometheus.GaugeValue, float64(t.Users()), name, "Users")
		ch <- prometheus.MustNewConstMetric(storedDesc, prometheus.GaugeValue, float64(t.Groups()), name, "Groups")
	}
}
