// Package metrics defines chimed's Prometheus metrics, in one registry.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is every metric the server exports.
type Metrics struct {
	registry     *prometheus.Registry
	requests     *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	inFlight     prometheus.Gauge
	authFailures *prometheus.CounterVec
	throttled    *prometheus.CounterVec
	storeTx      *prometheus.HistogramVec
	jobRuns      *prometheus.CounterVec
	jobDuration  *prometheus.HistogramVec
}

// New registers the metrics, with the Go runtime and process collectors.
func New() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chimed_requests_total",
			Help: "API requests by operation, HTTP status class and error code (empty on success).",
		}, []string{"operation", "status_class", "error_code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "chimed_request_duration_seconds",
			Help:    "API request latency by operation.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"operation"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "chimed_requests_in_flight",
			Help: "Requests being served now.",
		}),
		authFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chimed_auth_failures_total",
			Help: "Requests refused by authentication, by error type.",
		}, []string{"reason"}),
		throttled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chimed_throttled_requests_total",
			Help: "Requests refused by the per-access-key rate limit, by operation.",
		}, []string{"operation"}),
		storeTx: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "chimed_store_transaction_seconds",
			Help:    "Store transaction latency, background jobs' included (update = read-write, view = read-only, lookup = a read of one record by its key).",
			Buckets: []float64{.0001, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1},
		}, []string{"kind"}),
		jobRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chimed_job_runs_total",
			Help: "Background job runs by job and outcome (ok, failed).",
		}, []string{"job", "outcome"}),
		jobDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "chimed_job_duration_seconds",
			Help: "Background job run time by job.",
		}, []string{"job"}),
	}
	m.registry.MustRegister(m.requests, m.duration, m.inFlight, m.authFailures, m.throttled,
		m.storeTx, m.jobRuns, m.jobDuration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// RequestStarted counts a request in flight; call the returned func when it ends.
func (m *Metrics) RequestStarted() func() {
	m.inFlight.Inc()
	return m.inFlight.Dec
}

// UnknownOperation labels requests whose path and method name no operation.
const UnknownOperation = "unknown"

// Request records a finished API request; the caller names a request that
// names no operation UnknownOperation.
func (m *Metrics) Request(operation string, status int, errorCode string, took time.Duration) {
	m.requests.WithLabelValues(operation, strconv.Itoa(status/100)+"xx", errorCode).Inc()
	m.duration.WithLabelValues(operation).Observe(took.Seconds())
}

// AuthFailure records a request refused by authentication.
func (m *Metrics) AuthFailure(reason string) { m.authFailures.WithLabelValues(reason).Inc() }

// Throttled records a request refused by the rate limit.
func (m *Metrics) Throttled(operation string) { m.throttled.WithLabelValues(operation).Inc() }

// StoreTransaction records one store transaction.
func (m *Metrics) StoreTransaction(kind string, took time.Duration) {
	m.storeTx.WithLabelValues(kind).Observe(took.Seconds())
}

// JobRun records one run of a background job.
func (m *Metrics) JobRun(job string, err error, took time.Duration) {
	outcome := "ok"
	if err != nil {
		outcome = "failed"
	}
	m.jobRuns.WithLabelValues(job, outcome).Inc()
	m.jobDuration.WithLabelValues(job).Observe(took.Seconds())
}
