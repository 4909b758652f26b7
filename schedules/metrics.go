package schedules

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/surveyworker/surveyworker/store"
)

// NewRegistry returns the registry that /metrics serves: the Go runtime
// and process collectors and nothing else yet. Build it once, give it to
// [ServiceConfig.Registry], and register other collectors (such as the
// outbox's) on it before or after the service starts.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// Metrics are the worker runtime's counters and gauges; docs/OPERATIONS.md
// describes each. They are registered on the service's registry.
type Metrics struct {
	// Files counts inbox files by outcome: loaded, duplicate, rejected, or
	// failed (left in the inbox to be tried again).
	Files *prometheus.CounterVec
	// Respondents counts the new respondents loaded.
	Respondents prometheus.Counter
	// Unmatched is the number of stored respondents with no practice.
	Unmatched prometheus.Gauge
	// Rematched counts the respondents matched to a practice after the
	// registry changed.
	Rematched prometheus.Counter
	// Runs counts job runs by job and outcome (succeeded, failed, skipped).
	Runs *prometheus.CounterVec
	// Duration observes how long each run took, by job and outcome.
	Duration *prometheus.HistogramVec
	// LastSuccess is the time of each job's last successful run.
	LastSuccess *prometheus.GaugeVec
	// NextRun is the next time each scheduled job fires.
	NextRun *prometheus.GaugeVec
	// WatcherEvents counts what the inbox watcher saw, by event.
	WatcherEvents *prometheus.CounterVec
	// ClaimConflicts counts attempts to claim a file held by another worker.
	ClaimConflicts prometheus.Counter
	// FilesInHand is the number of files this process is handling.
	FilesInHand prometheus.Gauge
}

// newMetrics creates the metrics and registers them on reg.
func newMetrics(reg prometheus.Registerer) (*Metrics, error) {
	const ns = "surveyworker"
	m := &Metrics{
		Files: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "files_total",
			Help: "Inbox files handled, by outcome: loaded, duplicate, rejected, failed."}, []string{"outcome"}),
		Respondents: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "respondents_loaded_total",
			Help: "New respondents loaded from inbox files."}),
		Unmatched: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "unmatched_respondents",
			Help: "Stored respondents whose practice answer matched no practice of the registry, or more than one."}),
		Rematched: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "practice_rematched_total",
			Help: "Stored respondents matched to a practice after the registry changed."}),
		Runs: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "job_runs_total",
			Help: "Job runs, by job and outcome: succeeded, failed, skipped."}, []string{"job", "outcome"}),
		Duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: ns, Name: "job_duration_seconds",
			Help:    "How long job runs took, by job and outcome.",
			Buckets: []float64{0.05, 0.25, 1, 5, 30, 120, 600, 3600}}, []string{"job", "outcome"}),
		LastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: ns, Name: "job_last_success_timestamp_seconds",
			Help: "Unix time of the last successful run of each job, by any replica."}, []string{"job"}),
		NextRun: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: ns, Name: "job_next_run_timestamp_seconds",
			Help: "Unix time at which each scheduled job fires next."}, []string{"job"}),
		WatcherEvents: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "watcher_events_total",
			Help: "What the inbox watcher saw, by event: create, write, remove, rename, chmod, rescan, error, symlink."},
			[]string{"event"}),
		ClaimConflicts: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "claim_conflicts_total",
			Help: "Attempts to claim an inbox file that another worker held or that waited for its next attempt."}),
		FilesInHand: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "files_in_hand",
			Help: "Inbox files this process is reading now."}),
	}
	for _, c := range []prometheus.Collector{m.Files, m.Respondents, m.Unmatched, m.Rematched, m.Runs, m.Duration,
		m.LastSuccess, m.NextRun, m.WatcherEvents, m.ClaimConflicts, m.FilesInHand} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	for _, o := range []string{"loaded", "duplicate", "rejected", "failed"} {
		m.Files.WithLabelValues(o)
	}
	return m, nil
}

// observeRun records the outcome of a run of job that took took.
func (m *Metrics) observeRun(job, outcome string, took time.Duration, finished time.Time) {
	m.Runs.WithLabelValues(job, outcome).Inc()
	m.Duration.WithLabelValues(job, outcome).Observe(took.Seconds())
	if outcome == store.JobSucceeded {
		m.LastSuccess.WithLabelValues(job).Set(float64(finished.Unix()))
	}
}

// loadLastSuccess sets the last success of each job from the database, so
// that a restarted process reports the runs of its predecessors and of
// the other replicas.
func (m *Metrics) loadLastSuccess(ctx context.Context, st *store.Store, logger *slog.Logger, jobs ...string) {
	for _, job := range jobs {
		run, err := st.LastSuccessfulJobRun(ctx, job)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			logger.WarnContext(ctx, "reading the last successful run", slog.String("job", job), slog.String("error", err.Error()))
			continue
		}
		if run.FinishedAt != nil {
			m.LastSuccess.WithLabelValues(job).Set(float64(run.FinishedAt.Unix()))
		}
	}
}

// refreshUnmatched sets the unmatched respondents gauge from the database.
func (m *Metrics) refreshUnmatched(ctx context.Context, st *store.Store) {
	if n, err := st.UnmatchedRespondents(ctx); err == nil {
		m.Unmatched.Set(float64(n))
	}
}
