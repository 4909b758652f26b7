package schedules

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/surveyworker/surveyworker/ingest"
	"github.com/surveyworker/surveyworker/store"
)

// Defaults for [ServiceConfig].
const (
	DefaultSettle          = 5 * time.Second
	DefaultRescan          = 30 * time.Second
	DefaultShutdownTimeout = 25 * time.Second
	DefaultJobTimeout      = time.Hour
	DefaultCatchUp         = 24 * time.Hour
	DefaultDeliverInterval = 5 * time.Minute
)

// ServiceConfig configures a [Service]. Zero values take the defaults
// given for each field.
type ServiceConfig struct {
	// Store records job runs, holds the locks and the file claims. Required.
	Store *store.Store
	// Logger receives the service's logs; nil discards them.
	Logger *slog.Logger
	// Spec is the cron schedule of the cycle; empty means [DefaultSpec].
	// See [ParseSchedule] for the accepted forms.
	Spec string
	// Location is the time zone Spec is read in; nil means [DefaultZone].
	Location *time.Location
	// Pipeline, when set, is the cycle the service runs: it supplies
	// Cycle, OnFile, Rerank and Practices where those are nil, and reads
	// its inbox files through the service's claims.
	Pipeline *Cycle
	// Cycle runs one full cycle. trigger is [TriggerSchedule] or
	// [TriggerManual]; [RunFromContext] gives the run to report counters
	// on. Nil (and no Pipeline) disables the schedule.
	Cycle func(ctx context.Context, trigger string) error
	// InboxDir is the watched inbox directory; empty disables the watcher.
	InboxDir string
	// OnFile handles one inbox file that has stopped growing, normally
	// moving it out of the inbox; an error leaves the file to be tried
	// again with backoff. Each file is claimed first, so that of several
	// processes sharing the inbox one handles it. Required with InboxDir
	// unless Pipeline is set.
	OnFile func(ctx context.Context, path string) error
	// Rerank, when set, recomputes the ranking after watched files added
	// data: once the inbox has been quiet for Settle, and at most once per
	// RerankInterval, however many files were loaded.
	Rerank func(ctx context.Context) error
	// RerankInterval is the least time between two reranks; zero means
	// [DefaultRerankInterval].
	RerankInterval time.Duration
	// Practices, when set, imports the practice registry and matches again
	// the stored answers it now matches. It runs at start-up, before any
	// inbox file is read, and whenever PracticesFile changes.
	Practices func(ctx context.Context) error
	// PracticesFile is the registry file watched for changes.
	PracticesFile string
	// Deliver, when set, delivers the pending e-mail (the outbox). It runs
	// outside the pipeline lock after each cycle and every
	// DeliverInterval.
	Deliver func(ctx context.Context) error
	// DeliverInterval is the time between two delivery passes; zero means
	// [DefaultDeliverInterval].
	DeliverInterval time.Duration
	// Settle is how long a file's size and modification time must stay
	// unchanged before it is handed over; zero means [DefaultSettle].
	Settle time.Duration
	// Rescan is the interval between full listings of the inbox, which
	// catch files that file-system events missed; zero means [DefaultRescan].
	Rescan time.Duration
	// Lease is how long a claim on an inbox file lasts unless renewed; a
	// file whose worker died is claimable again this long after its last
	// renewal. Zero means [DefaultLease].
	Lease time.Duration
	// Parallel is how many inbox files this process reads at once; zero
	// means [DefaultParallel].
	Parallel int
	// HTTPAddr, when set, is the address that serves /healthz, /readyz and
	// /metrics.
	HTTPAddr string
	// Registry is what /metrics serves; the service registers its metrics
	// on it. Nil means a registry of the service's own ([NewRegistry]).
	Registry *prometheus.Registry
	// ShutdownTimeout bounds how long Run waits, once cancelled, for the
	// cycle or file in hand; zero means [DefaultShutdownTimeout].
	ShutdownTimeout time.Duration
	// JobTimeout bounds each cycle and each file; zero means
	// [DefaultJobTimeout].
	JobTimeout time.Duration
	// CatchUp is how far back a schedule slot missed while the service
	// was down is run at start-up (once, for the latest missed slot); zero
	// means [DefaultCatchUp] and a negative value turns catching up off.
	CatchUp time.Duration
	// Now returns the current time; nil means time.Now. The schedule, the
	// catch-up, the health check and the settle period of inbox files all
	// read it.
	Now func() time.Time

	// clock, set by tests, replaces Now and the timers the schedule waits
	// on with a clock they advance by hand.
	clock clock
}

// Service runs the cycle on its schedule, hands inbox files to the file
// handler and serves the health check, readiness and metrics. Cycles and
// reranks never run at the same time, in this process or across processes
// sharing the database; inbox files are read in parallel, each by the one
// process that claimed it.
type Service struct {
	cfg      ServiceConfig
	logger   *slog.Logger
	schedule *Schedule
	guard    *guard
	files    *fileWorker
	rerank   *reranker
	metrics  *Metrics
	mux      *http.ServeMux
	running  atomic.Bool
	deliver  chan struct{} // asks the delivery loop for a pass

	mu   sync.Mutex
	addr net.Addr
	// practices is the state of PracticesFile last imported.
	practices fileState
}

// NewService checks cfg and returns a service ready to [Service.Run]. It
// returns an error when the store is missing, neither a cycle nor an
// inbox is configured, the schedule or zone does not parse, or the inbox
// is not a directory.
func NewService(cfg ServiceConfig) (*Service, error) {
	cfg.fromPipeline()
	if err := cfg.withDefaults(); err != nil {
		return nil, err
	}
	sched, err := ParseSchedule(cfg.Spec, cfg.Location)
	if err != nil {
		return nil, err
	}
	m, err := newMetrics(cfg.Registry)
	if err != nil {
		return nil, fmt.Errorf("schedules: metrics: %w", err)
	}
	s := &Service{cfg: cfg, logger: cfg.Logger, guard: newGuard(cfg.Store, cfg.Logger, m, cfg.clock),
		metrics: m, mux: http.NewServeMux(), deliver: make(chan struct{}, 1)}
	if cfg.Cycle != nil {
		s.schedule = sched
	}
	s.files = &fileWorker{guard: s.guard, store: cfg.Store, id: workerID(), lease: cfg.Lease, clock: cfg.clock,
		logger: cfg.Logger, metrics: m, timeout: cfg.JobTimeout, handle: cfg.fileHandler()}
	if cfg.Rerank != nil {
		s.rerank = newReranker(cfg.clock, cfg.Settle, cfg.RerankInterval, s.runRerank, cfg.Logger)
		s.files.busy = s.rerank.busy
	}
	if p := cfg.Pipeline; p != nil {
		p.files = s.files
		p.Parallel = cmp.Or(p.Parallel, cfg.Parallel)
	}
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /readyz", s.readyz)
	s.mux.Handle("GET /metrics", promhttp.HandlerFor(cfg.Registry, promhttp.HandlerOpts{Registry: cfg.Registry}))
	return s, nil
}

// fromPipeline fills the hooks that Pipeline supplies.
func (c *ServiceConfig) fromPipeline() {
	p := c.Pipeline
	if p == nil {
		return
	}
	if c.Cycle == nil {
		c.Cycle = func(ctx context.Context, trigger string) error {
			_, err := p.Run(ctx, trigger)
			return err
		}
	}
	if c.InboxDir == "" {
		c.InboxDir = p.InboxDir
	}
	if c.Rerank == nil {
		c.Rerank = func(ctx context.Context) error {
			r, err := p.Recompute(ctx)
			if err == nil {
				if run := RunFromContext(ctx); run != nil {
					run.SetCounts(store.JobCounts{RankingRunID: r.RunID})
				}
				p.logger().InfoContext(ctx, "re-ranked after new responses", slog.Int64("ranking_run", r.RunID))
			}
			return err
		}
	}
	if c.Practices == nil && p.PracticesFile != "" {
		c.PracticesFile = p.PracticesFile
		c.Practices = func(ctx context.Context) error {
			res, err := p.ImportPractices(ctx)
			if run := RunFromContext(ctx); run != nil && err == nil {
				run.SetCounts(store.JobCounts{Notes: fmt.Sprintf("imported %d practices; re-matched %d respondents",
					res.Practices, res.Rematched)})
			}
			return err
		}
	}
}

// fileHandler returns the handler of inbox files: the pipeline's, or
// OnFile, whose result is unknown beyond its error.
func (c *ServiceConfig) fileHandler() fileHandler {
	if c.OnFile == nil && c.Pipeline != nil {
		return c.Pipeline.IngestFile
	}
	onFile := c.OnFile
	return func(ctx context.Context, path string) (ingest.Result, error) {
		if onFile == nil {
			return ingest.Result{}, errors.New("schedules: no file handler")
		}
		err := onFile(ctx, path)
		res := ingest.Result{File: filepath.Base(path)}
		if run := RunFromContext(ctx); err == nil && run != nil && run.Counts().FilesLoaded > 0 {
			res.Status = ingest.StatusLoaded
		}
		return res, err
	}
}

// withDefaults fills in zero fields and checks the others.
func (c *ServiceConfig) withDefaults() error {
	switch {
	case c.Store == nil:
		return errors.New("schedules: service needs a store")
	case c.Cycle == nil && c.InboxDir == "":
		return errors.New("schedules: service has nothing to do: no cycle and no inbox")
	case c.InboxDir != "" && c.OnFile == nil && c.Pipeline == nil:
		return errors.New("schedules: inbox set without a file handler")
	case c.Settle < 0 || c.Rescan < 0 || c.ShutdownTimeout < 0 || c.JobTimeout < 0 || c.Lease < 0 ||
		c.RerankInterval < 0 || c.DeliverInterval < 0 || c.Parallel < 0:
		return errors.New("schedules: negative duration or count in service config")
	}
	if c.InboxDir != "" {
		if fi, err := os.Stat(c.InboxDir); err != nil || !fi.IsDir() {
			return fmt.Errorf("schedules: inbox %s is not a directory: %v", c.InboxDir, err)
		}
	}
	c.Logger = cmp.Or(c.Logger, slog.New(slog.DiscardHandler))
	c.Spec = cmp.Or(c.Spec, DefaultSpec)
	c.Settle = cmp.Or(c.Settle, DefaultSettle)
	c.Rescan = cmp.Or(c.Rescan, DefaultRescan)
	c.ShutdownTimeout = cmp.Or(c.ShutdownTimeout, DefaultShutdownTimeout)
	c.JobTimeout = cmp.Or(c.JobTimeout, DefaultJobTimeout)
	c.CatchUp = cmp.Or(c.CatchUp, DefaultCatchUp)
	c.Lease = cmp.Or(c.Lease, DefaultLease)
	c.Parallel = cmp.Or(c.Parallel, DefaultParallel)
	c.RerankInterval = cmp.Or(c.RerankInterval, DefaultRerankInterval)
	c.DeliverInterval = cmp.Or(c.DeliverInterval, DefaultDeliverInterval)
	if c.Registry == nil {
		c.Registry = NewRegistry()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.clock == nil {
		c.clock = realClock{now: c.Now}
	}
	c.Now = c.clock.Now
	return nil
}

// Next returns the first time after t at which the cycle is scheduled, or
// the zero time when no cycle is configured.
func (s *Service) Next(t time.Time) time.Time {
	if s.schedule == nil {
		return time.Time{}
	}
	return s.schedule.Next(t)
}

// Mux returns the HTTP handler served at HTTPAddr, so that more endpoints
// can be added before Run.
func (s *Service) Mux() *http.ServeMux {
	return s.mux
}

// Addr returns the address the HTTP server listens on while Run is
// serving, or nil.
func (s *Service) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// RunCycle runs the cycle once now with the given trigger (normally
// [TriggerManual]), under the same locks and records as scheduled runs,
// and then a delivery pass when Deliver is set. It returns the cycle's
// error, or [ErrSkipped] when the pipeline was busy.
func (s *Service) RunCycle(ctx context.Context, trigger string) error {
	if s.cfg.Cycle == nil {
		return errors.New("schedules: no cycle configured")
	}
	release := s.holdWorker(ctx)
	defer release()
	s.guard.abandonStale(ctx)
	err := s.runCycle(ctx, nil, trigger, time.Time{})
	if s.cfg.Deliver != nil && !errors.Is(err, ErrSkipped) {
		s.runDeliver(ctx)
	}
	return err
}

func (s *Service) runCycle(ctx context.Context, abort <-chan struct{}, trigger string, slot time.Time) error {
	j := job{name: JobCycle, trigger: trigger, slot: slot, abort: abort, timeout: s.cfg.JobTimeout, lock: pipelineLock}
	started := s.cfg.clock.Now()
	err := s.guard.run(ctx, j, func(ctx context.Context) error { return s.cfg.Cycle(ctx, trigger) })
	if err == nil && s.rerank != nil {
		s.rerank.ranked(started)
	}
	if !errors.Is(err, ErrSkipped) {
		select {
		case s.deliver <- struct{}{}:
		default:
		}
	}
	return err
}

// runRerank recomputes the ranking as a job of its own, under the
// pipeline lock: a cycle running meanwhile ranks anyway.
func (s *Service) runRerank(ctx context.Context) error {
	j := job{name: JobRank, trigger: TriggerWatch, quietSkip: true, timeout: s.cfg.JobTimeout, lock: pipelineLock}
	return s.guard.run(ctx, j, s.cfg.Rerank)
}

// deliverStopped is the note of a delivery pass cut short by shutdown.
const deliverStopped = "stopped by shutdown; the next pass sends the rest"

// runDeliver runs a delivery pass as a job of its own, outside the
// pipeline lock. A pass that ctx cut short is recorded as succeeded, with
// a note: stopping is not a failure of delivery.
func (s *Service) runDeliver(ctx context.Context) {
	j := job{name: JobDeliver, trigger: TriggerSchedule, timeout: s.cfg.JobTimeout}
	pass := func(rctx context.Context) error {
		err := s.cfg.Deliver(rctx)
		if err != nil && ctx.Err() != nil && errors.Is(err, context.Canceled) {
			RunFromContext(rctx).SetCounts(store.JobCounts{Notes: deliverStopped})
			return nil
		}
		return err
	}
	if err := s.guard.run(ctx, j, pass); err != nil && ctx.Err() == nil {
		s.logger.WarnContext(ctx, "delivery pass failed; the next one retries", slog.String("error", err.Error()))
	}
}

// holdWorker takes this process's worker lock, so that its job runs are
// known to be alive, and returns its release. The sweep for abandoned
// runs keeps it held (see [guard.abandonStale]).
func (s *Service) holdWorker(ctx context.Context) func() {
	lock, err := s.cfg.Store.HoldWorker(ctx, s.files.id)
	if err != nil {
		s.logger.WarnContext(ctx, "taking the worker lock", slog.String("error", err.Error()))
		return func() {}
	}
	s.guard.worker = lock
	return func() {
		s.guard.worker = nil
		s.guard.release(lock)
	}
}

// Run runs the schedule, the inbox watcher and the HTTP server until ctx
// is cancelled. It imports the practice registry first, when configured,
// so that no inbox file is read before the registry is known. Once ctx is
// cancelled it stops taking new work, waits for the cycle or files in
// hand to finish and returns nil. If that takes longer than
// ShutdownTimeout, the work's context is cancelled (a file's load rolls
// back) and Run returns an error. It also returns an error when the HTTP
// address cannot be bound.
func (s *Service) Run(ctx context.Context) error {
	if !s.running.CompareAndSwap(false, true) {
		return errors.New("schedules: service already running")
	}
	defer s.running.Store(false)
	ln, err := s.listen()
	if err != nil {
		return err
	}
	release := s.holdWorker(ctx)
	defer release()
	s.guard.abandonStale(ctx)
	s.metrics.loadLastSuccess(ctx, s.cfg.Store, s.logger, JobCycle, JobIngest, JobRank, JobPractices, JobDeliver)
	s.metrics.refreshUnmatched(ctx, s.cfg.Store)
	if next := s.Next(s.cfg.clock.Now()); !next.IsZero() {
		s.metrics.NextRun.WithLabelValues(JobCycle).Set(float64(next.Unix()))
	}
	work, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	var wg sync.WaitGroup
	if ln != nil {
		wg.Go(func() { s.serve(ctx, ln) })
	}
	s.importPractices(ctx, work, true)
	s.start(ctx, work, &wg)
	<-ctx.Done()
	s.logger.Info("shutting down; finishing work in hand", slog.Duration("timeout", s.cfg.ShutdownTimeout))
	return s.drain(&wg, stopWork)
}

// start launches the parts of the service, each tracked by wg.
func (s *Service) start(ctx, work context.Context, wg *sync.WaitGroup) {
	if s.schedule != nil {
		if slot := s.missedSlot(ctx); !slot.IsZero() {
			wg.Go(func() { s.catchUp(ctx, work, slot) })
		}
		sch := &scheduler{schedule: s.schedule, clock: s.cfg.clock, logger: s.logger, recheck: recheckInterval,
			next: func(t time.Time) { s.metrics.NextRun.WithLabelValues(JobCycle).Set(float64(t.Unix())) }}
		wg.Go(func() {
			sch.run(ctx, wg, func(slot time.Time) { s.fireCycle(ctx, work, slot) })
		})
	}
	if s.cfg.InboxDir != "" {
		w := newWatcher(s.cfg.InboxDir, s.cfg.Settle, s.cfg.Rescan, s.cfg.clock.Now, s.logger,
			func(work context.Context, path string) error { return s.handleFile(ctx, work, path) })
		w.parallel = s.cfg.Parallel
		w.event = func(kind string) { s.metrics.WatcherEvents.WithLabelValues(kind).Inc() }
		var swept time.Time
		w.tick = func(context.Context) {
			s.importPractices(ctx, work, false)
			// Runs and rejects spools left by a replica that died are
			// dealt with as the service goes, not only at the next start.
			if now := s.cfg.clock.Now(); now.Sub(swept) >= s.cfg.Rescan {
				swept = now
				s.guard.abandonStale(ctx)
				removeLeftovers(ctx, s.cfg.Store, s.cfg.InboxDir, s.logger)
			}
		}
		wg.Go(func() { w.run(ctx, work) })
	}
	if s.rerank != nil {
		wg.Go(func() { s.rerank.loop(ctx, work) })
	}
	if s.cfg.Deliver != nil {
		wg.Go(func() { s.deliverLoop(ctx) })
	}
}

// deliverLoop runs a delivery pass after each cycle and every
// DeliverInterval until ctx is done. A pass runs under ctx, not the work
// context: once the service is stopping it claims no other message,
// where the work context would let it go through the whole outbox while
// shutdown waits. The message in hand is recorded as it ended.
func (s *Service) deliverLoop(ctx context.Context) {
	for ctx.Err() == nil {
		wctx, cancel := context.WithCancel(ctx)
		go func() {
			select {
			case <-s.deliver:
				cancel()
			case <-wctx.Done():
			}
		}()
		s.cfg.clock.SleepUntil(wctx, s.cfg.clock.Now().Add(s.cfg.DeliverInterval))
		cancel()
		if ctx.Err() == nil {
			s.runDeliver(ctx)
		}
	}
}

// importPractices runs the Practices hook when the registry file changed
// since it was last imported (or, with force, whatever its state) and has
// stopped changing.
func (s *Service) importPractices(ctx, work context.Context, force bool) {
	if s.cfg.Practices == nil || ctx.Err() != nil {
		return
	}
	state, ok := statFile(s.cfg.PracticesFile)
	s.mu.Lock()
	same := state == s.practices
	s.mu.Unlock()
	if !force && (!ok || same || s.cfg.clock.Now().Sub(state.mtime) < s.cfg.Settle) {
		return
	}
	trigger := TriggerWatch
	if force {
		trigger = TriggerStart
	}
	j := job{name: JobPractices, trigger: trigger, timeout: s.cfg.JobTimeout,
		attrs: []slog.Attr{slog.String("file", s.cfg.PracticesFile)}}
	err := s.guard.run(work, j, s.cfg.Practices)
	if err != nil {
		if ctx.Err() == nil {
			s.logger.ErrorContext(ctx, "importing the practice registry failed; inbox files are matched against the registry stored",
				slog.String("file", s.cfg.PracticesFile), slog.String("error", err.Error()))
		}
		return
	}
	s.mu.Lock()
	s.practices = state
	s.mu.Unlock()
	s.metrics.refreshUnmatched(work, s.cfg.Store)
}

// missedSlot returns the latest schedule slot within CatchUp before now
// that no cycle ran for (skipped and abandoned runs do not count), or the
// zero time. A database that has never run a cycle has missed nothing: the
// service was not there.
func (s *Service) missedSlot(ctx context.Context) time.Time {
	if s.cfg.CatchUp < 0 {
		return time.Time{}
	}
	slot := s.schedule.Prev(s.cfg.Now(), s.cfg.CatchUp)
	if slot.IsZero() {
		return slot
	}
	if _, err := s.cfg.Store.LastFinishedJobRun(ctx, JobCycle); errors.Is(err, store.ErrNotFound) {
		return time.Time{}
	}
	ran, err := s.cfg.Store.RanSince(ctx, JobCycle, slot)
	if err != nil {
		s.logger.WarnContext(ctx, "checking for a missed scheduled run", slog.String("error", err.Error()))
		return time.Time{}
	}
	if ran {
		return time.Time{}
	}
	return slot
}

// catchUp runs the cycle for a slot missed while the service was down.
func (s *Service) catchUp(ctx, work context.Context, slot time.Time) {
	s.logger.WarnContext(ctx, "running the cycle of a schedule slot missed while the service was down",
		slog.Time("scheduled_for", slot))
	err := s.runCycle(work, ctx.Done(), TriggerCatchUp, slot)
	if err != nil && ctx.Err() == nil && !errors.Is(err, ErrSkipped) {
		s.logger.Error("catch-up cycle failed", slog.Time("scheduled_for", slot), slog.String("error", err.Error()))
	}
}

// fireCycle runs the cycle for a schedule slot with work as its context.
// It gives up if ctx is done before the cycle's turn comes.
func (s *Service) fireCycle(ctx, work context.Context, slot time.Time) {
	err := s.runCycle(work, ctx.Done(), TriggerSchedule, slot)
	if errors.Is(err, errNotStarted) && ctx.Err() == nil {
		s.logger.Error("scheduled cycle not started", slog.Time("scheduled_for", slot),
			slog.String("error", err.Error()))
	}
}

// handleFile claims path and runs the file handler on it as a job. It asks
// the watcher to offer the file again when another worker holds it, when
// it failed for a passing reason (with backoff), or when shutting down.
func (s *Service) handleFile(ctx, work context.Context, path string) error {
	if ctx.Err() != nil {
		return errRetryLater
	}
	_, err := s.files.process(work, path, TriggerWatch, true)
	var ra *retryAt
	switch {
	case err == nil, errors.Is(err, errFileGone):
		s.metrics.refreshUnmatched(work, s.cfg.Store)
		return nil
	case errors.As(err, &ra):
		return err
	case errors.Is(err, ErrSkipped), ctx.Err() != nil:
		return errRetryLater
	}
	return err
}

// drain waits for the running parts to stop, cancelling the work in hand
// after the shutdown timeout.
func (s *Service) drain(wg *sync.WaitGroup, stopWork context.CancelFunc) error {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	timer := time.NewTimer(s.cfg.ShutdownTimeout)
	defer timer.Stop()
	select {
	case <-done:
		s.logger.Info("stopped")
		return nil
	case <-timer.C:
	}
	s.logger.Error("shutdown timeout reached; cancelling work in hand")
	stopWork()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
	return fmt.Errorf("schedules: work still running after the shutdown timeout of %s", s.cfg.ShutdownTimeout)
}

// listen binds the HTTP address, if one is configured.
func (s *Service) listen() (net.Listener, error) {
	if s.cfg.HTTPAddr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", s.cfg.HTTPAddr)
	if err != nil {
		return nil, fmt.Errorf("schedules: http: %w", err)
	}
	s.mu.Lock()
	s.addr = ln.Addr()
	s.mu.Unlock()
	return ln, nil
}

// serve serves HTTP on ln until ctx is done.
func (s *Service) serve(ctx context.Context, ln net.Listener) {
	srv := &http.Server{Handler: s.mux, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.logger.Info("http listening", slog.String("addr", ln.Addr().String()))
	select {
	case err := <-errc:
		s.logger.Error("http server stopped", slog.String("error", err.Error()))
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}
	s.mu.Lock()
	s.addr = nil
	s.mu.Unlock()
}
