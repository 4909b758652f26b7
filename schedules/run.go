package schedules

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/surveyworker/surveyworker/internal/logctx"
	"github.com/surveyworker/surveyworker/store"
)

// Job names recorded in job_runs.job.
const (
	// JobCycle is the full cycle: ingest the inbox, rank, report, e-mail.
	JobCycle = "cycle"
	// JobIngest is the handling of one file from the watched inbox.
	JobIngest = "ingest"
	// JobRank is a ranking recomputed after watched files added data.
	JobRank = "rank"
	// JobPractices is an import of the practice registry file, with the
	// re-matching of stored answers it allows.
	JobPractices = "practices"
	// JobDeliver is a pass over the pending e-mail deliveries.
	JobDeliver = "deliver"
)

// Triggers recorded in job_runs.trigger.
const (
	TriggerSchedule = "schedule"
	TriggerWatch    = "watch"
	TriggerManual   = "manual"
	// TriggerCatchUp is a cycle run at start-up for a schedule slot that
	// passed while the service was down.
	TriggerCatchUp = "catch-up"
	// TriggerStart is work done once as the service starts.
	TriggerStart = "start"
)

// pipelineLock is the advisory lock that serialises cycles and rankings
// across processes. Inbox files are not under it: each is claimed alone.
const pipelineLock = "pipeline"

// ErrSkipped is returned by [Service.RunCycle] when the cycle did not run
// because a previous run was still going in this process or another
// process held the pipeline lock. The skip is recorded in job_runs.
var ErrSkipped = errors.New("schedules: run skipped: pipeline busy")

// ActiveRun is the job run in progress. The cycle and the file handler find
// it in their context with [RunFromContext] and report their counters on it;
// they are stored when the run finishes.
type ActiveRun struct {
	// ID is the job_runs row of this run.
	ID      int64
	Job     string
	Trigger string
	// ScheduledFor is the schedule slot; zero unless Trigger is
	// [TriggerSchedule].
	ScheduledFor time.Time

	mu     sync.Mutex
	counts store.JobCounts
	// lock is the advisory lock the run holds; nil for none.
	lock *store.JobLock
}

// CheckLock returns nil when the run still holds the advisory lock it was
// started under, or was started under none, and otherwise an error
// wrapping [store.ErrLockLost]: the database restarted or dropped the
// lock's connection, so another process may have taken the lock and be
// doing the same work. Call it before committing what only one process
// at a time may write, such as a ranking. It returns nil on a nil run.
func (r *ActiveRun) CheckLock(ctx context.Context) error {
	if r == nil || r.lock == nil {
		return nil
	}
	if err := r.lock.Check(ctx); err != nil {
		return fmt.Errorf("schedules: %s run %d: %w", r.Job, r.ID, err)
	}
	return nil
}

// SetCounts replaces the counters stored when the run finishes. It does
// nothing on a nil run.
func (r *ActiveRun) SetCounts(c store.JobCounts) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.counts = c
}

// Counts returns the counters set so far.
func (r *ActiveRun) Counts() store.JobCounts {
	if r == nil {
		return store.JobCounts{}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.counts
}

type runKey struct{}

// RunFromContext returns the job run ctx belongs to, or nil outside one.
func RunFromContext(ctx context.Context) *ActiveRun {
	r, _ := ctx.Value(runKey{}).(*ActiveRun)
	return r
}

// job describes one attempt to run a job.
type job struct {
	name    string
	trigger string
	slot    time.Time
	// abort, when closed, stops a job still waiting for its turn.
	abort <-chan struct{}
	// quietSkip leaves a skip unrecorded, for work that is retried anyway.
	quietSkip bool
	// precheck, once the locks are held, may return an error to abandon the
	// job unrecorded; nil means always go ahead.
	precheck func() error
	// timeout bounds the run; zero means none.
	timeout time.Duration
	// lock is the advisory lock the job runs under; empty means none (an
	// inbox file, which is claimed instead).
	lock string
	// attrs are logged on every line of the run.
	attrs []slog.Attr
}

// errNotStarted wraps failures that kept a job from starting: nothing ran
// and nothing was recorded.
var errNotStarted = errors.New("job not started")

// guard runs jobs, each under its lock, records them in job_runs and
// turns panics into failed runs.
type guard struct {
	store   *store.Store
	logger  *slog.Logger
	metrics *Metrics
	clock   clock
	// cycleBusy is set from the moment a cycle is wanted until it ends, so
	// an overlapping tick is skipped instead of queued.
	cycleBusy atomic.Bool
	// worker is this process's worker lock (see [store.Store.HoldWorker]);
	// nil when it could not be taken. It is set before any job runs.
	worker *store.JobLock
}

func newGuard(st *store.Store, logger *slog.Logger, m *Metrics, clk clock) *guard {
	return &guard{store: st, logger: logger, metrics: m, clock: clk}
}

// run runs fn as j. It returns fn's error; [ErrSkipped] when j did not run
// because the previous cycle or another process held j's lock; an error
// wrapping errNotStarted when the lock or the store failed before j
// started, or j was aborted before it started; or the precheck's error.
func (g *guard) run(ctx context.Context, j job, fn func(context.Context) error) error {
	if j.name == JobCycle {
		if !g.cycleBusy.CompareAndSwap(false, true) {
			return g.skip(ctx, j, "previous cycle still running in this process")
		}
		defer g.cycleBusy.Store(false)
	}
	select {
	case <-j.abort:
		return fmt.Errorf("schedules: %s: %w: %w", j.name, errNotStarted, context.Canceled)
	default:
	}
	var lock *store.JobLock
	if j.lock != "" {
		var err error
		lock, err = g.store.TryJobLock(ctx, j.lock)
		if errors.Is(err, store.ErrLockHeld) {
			return g.skip(ctx, j, "another process holds the "+j.lock+" lock")
		}
		if err != nil {
			return fmt.Errorf("schedules: %s: %w: %w", j.name, errNotStarted, err)
		}
		defer g.release(lock)
	}
	if j.precheck != nil {
		if err := j.precheck(); err != nil {
			return err
		}
	}
	return g.execute(ctx, j, lock, fn)
}

// execute records j as started, runs fn and records the outcome; lock is
// the lock j holds, nil for none. Every line logged with the run's
// context carries its run_id.
func (g *guard) execute(ctx context.Context, j job, lock *store.JobLock, fn func(context.Context) error) error {
	id, err := g.store.StartJobRun(ctx, j.name, j.trigger, j.slot)
	if err != nil {
		return fmt.Errorf("schedules: %s: %w: %w", j.name, errNotStarted, err)
	}
	r := &ActiveRun{ID: id, Job: j.name, Trigger: j.trigger, ScheduledFor: j.slot, lock: lock}
	ctx = logctx.With(ctx, append([]slog.Attr{slog.String("job", j.name), slog.String("trigger", j.trigger),
		slog.Int64("run_id", id)}, j.attrs...)...)
	if j.slot.IsZero() {
		g.logger.InfoContext(ctx, "job started")
	} else {
		g.logger.InfoContext(ctx, "job started", slog.Time("scheduled_for", j.slot))
	}
	start := g.clock.Now()
	rctx := context.WithValue(ctx, runKey{}, r)
	if j.timeout > 0 {
		var cancel context.CancelFunc
		rctx, cancel = context.WithTimeout(rctx, j.timeout)
		defer cancel()
	}
	err = callSafely(rctx, fn)
	took := g.clock.Now().Sub(start)
	status, errText := logOutcome(ctx, g.logger, err, took)
	g.finish(ctx, id, status, r.Counts(), errText)
	g.metrics.observeRun(j.name, status, took, g.clock.Now())
	return err
}

// finishTries bounds the attempts to record how a run ended; between them
// the guard waits finishRetry, doubling, so a database restarting during
// the run still gets the outcome instead of a run left "running".
const (
	finishTries = 6
	finishRetry = time.Second
)

// finish records the outcome of run id, trying again while the database
// does not answer.
func (g *guard) finish(ctx context.Context, id int64, status string, counts store.JobCounts, errText string) {
	wait := finishRetry
	for try := 1; ; try++ {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		err := g.store.FinishJobRun(fctx, id, status, counts, errText)
		cancel()
		if err == nil {
			return
		}
		if errors.Is(err, store.ErrNotFound) {
			g.logger.ErrorContext(ctx, "recording job outcome: the run is no longer recorded as running; its outcome is lost",
				slog.String("status", status), slog.String("error", err.Error()))
			return
		}
		if try == finishTries {
			g.logger.ErrorContext(ctx, "recording job outcome; the run stays recorded as running until a worker marks it abandoned",
				slog.String("error", err.Error()))
			return
		}
		g.logger.WarnContext(ctx, "recording job outcome; trying again", slog.String("error", err.Error()),
			slog.Duration("retry_in", wait))
		g.clock.SleepUntil(context.WithoutCancel(ctx), g.clock.Now().Add(wait))
		wait *= 2
	}
}

// logOutcome logs how a run ended and returns the status and error text to
// record.
func logOutcome(ctx context.Context, log *slog.Logger, err error, took time.Duration) (status, errText string) {
	if err == nil {
		log.InfoContext(ctx, "job finished", slog.String("status", store.JobSucceeded), slog.Duration("duration", took))
		return store.JobSucceeded, ""
	}
	attrs := []any{slog.String("status", store.JobFailed), slog.Duration("duration", took), slog.String("error", err.Error())}
	var p *panicError
	if errors.As(err, &p) {
		log.ErrorContext(ctx, "job panicked", append(attrs, slog.String("stack", p.stack))...)
	} else {
		log.ErrorContext(ctx, "job failed", attrs...)
	}
	return store.JobFailed, err.Error()
}

// abandonStale marks as failed the runs left "running" by processes that
// died (see [store.Store.AbandonJobRuns]); runs of live replicas stay.
// It first makes sure this process still holds its worker lock, taking
// it again when the database dropped it: without it this process's own
// runs look abandoned, so while it cannot be had nothing is marked.
func (g *guard) abandonStale(ctx context.Context) {
	if g.worker != nil {
		retaken, err := g.worker.Keep(ctx)
		if err != nil {
			g.logger.ErrorContext(ctx, "worker lock lost; not marking abandoned job runs", slog.String("error", err.Error()))
			return
		}
		if retaken {
			g.logger.WarnContext(ctx, "worker lock was lost, as when the database restarts; took it again",
				slog.Int("session", g.worker.PID()))
		}
	}
	n, err := g.store.AbandonJobRuns(ctx)
	if err != nil {
		g.logger.WarnContext(ctx, "marking abandoned job runs", slog.String("error", err.Error()))
	} else if n > 0 {
		g.logger.WarnContext(ctx, "marked abandoned job runs as failed", slog.Int64("runs", n))
	}
}

// skip logs, and unless j is quiet records, that j did not run.
func (g *guard) skip(ctx context.Context, j job, reason string) error {
	attrs := []any{slog.String("job", j.name), slog.String("trigger", j.trigger), slog.String("reason", reason)}
	if !j.slot.IsZero() {
		attrs = append(attrs, slog.Time("scheduled_for", j.slot))
	}
	if j.quietSkip {
		g.logger.DebugContext(ctx, "job deferred", attrs...)
		return ErrSkipped
	}
	g.metrics.Runs.WithLabelValues(j.name, store.JobSkipped).Inc()
	g.logger.WarnContext(ctx, "job skipped", attrs...)
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, err := g.store.RecordSkippedJobRun(rctx, j.name, j.trigger, j.slot, reason); err != nil {
		g.logger.ErrorContext(ctx, "recording skipped job", slog.String("job", j.name), slog.String("error", err.Error()))
	}
	return ErrSkipped
}

func (g *guard) release(lock *store.JobLock) {
	if err := lock.Release(); err != nil {
		g.logger.Error("releasing job lock", slog.String("error", err.Error()))
	}
}

// panicError is a recovered panic.
type panicError struct {
	value any
	stack string
}

func (p *panicError) Error() string { return fmt.Sprintf("panic: %v", p.value) }

// callSafely calls fn, turning a panic into a *panicError.
func callSafely(ctx context.Context, fn func(context.Context) error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &panicError{value: v, stack: string(debug.Stack())}
		}
	}()
	return fn(ctx)
}
