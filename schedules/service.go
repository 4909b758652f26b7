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
	"sync"
	"sync/atomic"
	"time"

	"github.com/surveyworker/surveyworker/store"
)

// Defaults for [ServiceConfig].
const (
	DefaultSettle          = 5 * time.Second
	DefaultRescan          = 30 * time.Second
	DefaultShutdownTimeout = 25 * time.Second
	DefaultJobTimeout      = time.Hour
	DefaultCatchUp         = 24 * time.Hour
)

// ServiceConfig configures a [Service]. Zero values take the defaults
// given for each field.
type ServiceConfig struct {
	// Store records job runs and holds the pipeline lock. Required.
	Store *store.Store
	// Logger receives the service's logs; nil discards them.
	Logger *slog.Logger
	// Spec is the cron schedule of the cycle; empty means [DefaultSpec].
	// See [ParseSchedule] for the accepted forms.
	Spec string
	// Location is the time zone Spec is read in; nil means [DefaultZone].
	Location *time.Location
	// Cycle runs one full cycle. trigger is [TriggerSchedule] or
	// [TriggerManual]; [RunFromContext] gives the run to report counters
	// on. Nil disables the schedule.
	Cycle func(ctx context.Context, trigger string) error
	// InboxDir is the watched inbox directory; empty disables the watcher.
	InboxDir string
	// OnFile handles one inbox file that has stopped growing, normally
	// moving it out of the inbox. Required with InboxDir.
	OnFile func(ctx context.Context, path string) error
	// Settle is how long a file's size and modification time must stay
	// unchanged before it is handed over; zero means [DefaultSettle].
	Settle time.Duration
	// Rescan is the interval between full listings of the inbox, which
	// catch files that file-system events missed; zero means [DefaultRescan].
	Rescan time.Duration
	// HTTPAddr, when set, is the address that serves /healthz.
	HTTPAddr string
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
// handler and serves the health check. Cycle and file handling never run
// at the same time, in this process or across processes sharing the
// database.
type Service struct {
	cfg      ServiceConfig
	logger   *slog.Logger
	schedule *Schedule
	guard    *guard
	mux      *http.ServeMux
	running  atomic.Bool

	mu   sync.Mutex
	addr net.Addr
}

// NewService checks cfg and returns a service ready to [Service.Run]. It
// returns an error when the store is missing, neither a cycle nor an
// inbox is configured, the schedule or zone does not parse, or the inbox
// is not a directory.
func NewService(cfg ServiceConfig) (*Service, error) {
	if err := cfg.withDefaults(); err != nil {
		return nil, err
	}
	sched, err := ParseSchedule(cfg.Spec, cfg.Location)
	if err != nil {
		return nil, err
	}
	s := &Service{cfg: cfg, logger: cfg.Logger, guard: newGuard(cfg.Store, cfg.Logger), mux: http.NewServeMux()}
	if cfg.Cycle != nil {
		s.schedule = sched
	}
	s.mux.HandleFunc("GET /healthz", s.healthz)
	return s, nil
}

// withDefaults fills in zero fields and checks the others.
func (c *ServiceConfig) withDefaults() error {
	switch {
	case c.Store == nil:
		return errors.New("schedules: service needs a store")
	case c.Cycle == nil && c.InboxDir == "":
		return errors.New("schedules: service has nothing to do: no cycle and no inbox")
	case c.InboxDir != "" && c.OnFile == nil:
		return errors.New("schedules: inbox set without a file handler")
	case c.Settle < 0 || c.Rescan < 0 || c.ShutdownTimeout < 0 || c.JobTimeout < 0:
		return errors.New("schedules: negative duration in service config")
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
// (such as /metrics) can be added before Run.
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
// [TriggerManual]), under the same locks and records as scheduled runs.
// It returns the cycle's error, or [ErrSkipped] when the pipeline was busy.
func (s *Service) RunCycle(ctx context.Context, trigger string) error {
	if s.cfg.Cycle == nil {
		return errors.New("schedules: no cycle configured")
	}
	return s.runCycle(ctx, nil, trigger, time.Time{})
}

func (s *Service) runCycle(ctx context.Context, abort <-chan struct{}, trigger string, slot time.Time) error {
	j := job{name: JobCycle, trigger: trigger, slot: slot, abort: abort, timeout: s.cfg.JobTimeout}
	return s.guard.run(ctx, j, func(ctx context.Context) error { return s.cfg.Cycle(ctx, trigger) })
}

// Run runs the schedule, the inbox watcher and the HTTP server until ctx
// is cancelled. It then stops taking new work, waits for the cycle or file
// in hand to finish and returns nil. If that takes longer than
// ShutdownTimeout, the work's context is cancelled and Run returns an
// error. It also returns an error when the HTTP address cannot be bound.
func (s *Service) Run(ctx context.Context) error {
	if !s.running.CompareAndSwap(false, true) {
		return errors.New("schedules: service already running")
	}
	defer s.running.Store(false)
	ln, err := s.listen()
	if err != nil {
		return err
	}
	s.guard.abandonStale(ctx)
	work, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	var wg sync.WaitGroup
	s.start(ctx, work, &wg, ln)
	<-ctx.Done()
	s.logger.Info("shutting down; finishing work in hand", slog.Duration("timeout", s.cfg.ShutdownTimeout))
	return s.drain(&wg, stopWork)
}

// start launches the parts of the service, each tracked by wg.
func (s *Service) start(ctx, work context.Context, wg *sync.WaitGroup, ln net.Listener) {
	if s.schedule != nil {
		if slot := s.missedSlot(ctx); !slot.IsZero() {
			wg.Go(func() { s.catchUp(ctx, work, slot) })
		}
		sch := &scheduler{schedule: s.schedule, clock: s.cfg.clock, logger: s.logger, recheck: recheckInterval}
		wg.Go(func() {
			sch.run(ctx, wg, func(slot time.Time) { s.fireCycle(ctx, work, slot) })
		})
	}
	if s.cfg.InboxDir != "" {
		w := newWatcher(s.cfg.InboxDir, s.cfg.Settle, s.cfg.Rescan, s.cfg.clock.Now, s.logger,
			func(work context.Context, path string) error { return s.handleFile(ctx, work, path) })
		wg.Go(func() { w.run(ctx, work) })
	}
	if ln != nil {
		wg.Go(func() { s.serve(ctx, ln) })
	}
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

// errFileGone reports that a file left the inbox before its turn came.
var errFileGone = errors.New("schedules: file left the inbox")

// fireCycle runs the cycle for a schedule slot with work as its context.
// It gives up if ctx is done before the cycle's turn comes.
func (s *Service) fireCycle(ctx, work context.Context, slot time.Time) {
	err := s.runCycle(work, ctx.Done(), TriggerSchedule, slot)
	if errors.Is(err, errNotStarted) && ctx.Err() == nil {
		s.logger.Error("scheduled cycle not started", slog.Time("scheduled_for", slot),
			slog.String("error", err.Error()))
	}
}

// handleFile runs the file handler on path as a job. It asks the watcher
// to offer the file again later when the pipeline was busy or the file
// changed while waiting.
func (s *Service) handleFile(ctx, work context.Context, path string) error {
	state, _ := statFile(path)
	j := job{name: JobIngest, trigger: TriggerWatch, abort: ctx.Done(), quietSkip: true, timeout: s.cfg.JobTimeout,
		precheck: func() error {
			now, ok := statFile(path)
			if !ok {
				return errFileGone
			}
			if now != state {
				return errRetryLater
			}
			return nil
		}}
	err := s.guard.run(work, j, func(ctx context.Context) error { return s.cfg.OnFile(ctx, path) })
	switch {
	case errors.Is(err, errFileGone):
		return nil
	case errors.Is(err, ErrSkipped), errors.Is(err, errRetryLater):
		return errRetryLater
	case errors.Is(err, errNotStarted):
		if ctx.Err() != nil {
			return errRetryLater
		}
		s.logger.Warn("inbox file not handled; will retry", slog.String("path", path), slog.String("error", err.Error()))
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
