package schedules

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/surveyworker/surveyworker/ingest"
	"github.com/surveyworker/surveyworker/internal/logctx"
	"github.com/surveyworker/surveyworker/store"
)

// Defaults for the handling of inbox files.
const (
	// DefaultLease is how long a claim on an inbox file lasts unless
	// renewed; the worker holding it renews it every third of that.
	DefaultLease = 30 * time.Second
	// DefaultParallel is how many inbox files one process reads at once.
	DefaultParallel = 2
)

// Backoff of a file that failed for a passing reason: the first retry
// after retryMin, doubling up to retryMax.
const (
	retryMin = time.Second
	retryMax = 5 * time.Minute
	// unclaimableRetry is when a file whose claim could not be asked for
	// (the database did not answer) is offered again.
	unclaimableRetry = 5 * time.Second
)

// backoff returns how long to wait after the attempt-th failed attempt.
func backoff(attempt int) time.Duration {
	d := retryMin
	for i := 1; i < attempt && d < retryMax; i++ {
		d *= 2
	}
	return min(d, retryMax)
}

// fileHandler reads one inbox file and moves it out of the inbox, or
// returns an error and leaves it there.
type fileHandler func(ctx context.Context, path string) (ingest.Result, error)

// fileWorker handles inbox files for the watcher and the cycle alike. It
// claims each file in the database, so that of several processes sharing
// the inbox one reads it; keeps the claim's lease renewed while it works;
// runs the handler; and then releases the claim, or after a failure that
// is not the file's fault keeps it with the time of the next attempt.
type fileWorker struct {
	guard   *guard
	store   *store.Store
	id      string // this process as a worker
	seq     atomic.Int64
	lease   time.Duration
	clock   clock
	logger  *slog.Logger
	metrics *Metrics
	handle  fileHandler
	timeout time.Duration
	// busy, when set, is told when a file is taken in hand (+1) and done
	// with (-1, and whether it added data).
	busy func(delta int, loaded bool)
}

// errFileGone reports that a file left the inbox before its turn came.
var errFileGone = errors.New("schedules: file left the inbox")

// process claims and handles the file at path. With record set, the
// handling is a job run of its own (a watched file); otherwise it is part
// of the run in ctx (the cycle). It returns the handler's result; an error
// wrapping *retryAt when the file is to be tried again later (claimed by
// another worker, or failed for a passing reason); or errFileGone.
func (w *fileWorker) process(ctx context.Context, path string, trigger string, record bool) (ingest.Result, error) {
	name := filepath.Base(path)
	state, ok := statFile(path)
	if !ok {
		return ingest.Result{File: name}, errFileGone
	}
	owner := w.id + "#" + strconv.FormatInt(w.seq.Add(1), 10)
	claim, err := w.store.ClaimFile(ctx, name, owner, store.FileVersion{Size: state.size, MTime: state.mtime}, w.lease)
	var held *store.ClaimedError
	switch {
	case errors.As(err, &held):
		w.metrics.ClaimConflicts.Inc()
		w.logger.DebugContext(ctx, "inbox file claimed elsewhere", slog.String("file", name), slog.String("owner", held.Owner),
			slog.Time("until", held.Until))
		return ingest.Result{File: name}, &retryAt{at: held.Until, reason: err}
	case err != nil:
		w.logger.WarnContext(ctx, "inbox file not claimed; will retry", slog.String("file", name), slog.String("error", err.Error()))
		return ingest.Result{File: name}, &retryAt{at: w.clock.Now().Add(unclaimableRetry), reason: err}
	}
	digest, _ := ingest.FileSHA256(path)
	attrs := []slog.Attr{slog.String("file", name), slog.String("sha256", digest)}
	w.metrics.FilesInHand.Inc()
	defer w.metrics.FilesInHand.Dec()
	if w.busy != nil {
		w.busy(1, false)
	}
	res, err := w.handleClaimed(ctx, path, trigger, record, &claim, attrs)
	if w.busy != nil {
		w.busy(-1, err == nil && res.Status == ingest.StatusLoaded)
	}
	return res, w.settle(logctx.With(ctx, attrs...), path, claim, res, err)
}

// handleClaimed runs the handler on the claimed file, renewing the claim
// until it returns. Losing the claim cancels the handler: the file's load
// rolls back and the worker that took the claim over reads it.
func (w *fileWorker) handleClaimed(ctx context.Context, path, trigger string, record bool, claim *store.Claim,
	attrs []slog.Attr) (ingest.Result, error) {
	hctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		w.renew(hctx, claim, cancel)
	}()
	defer func() { cancel(nil); <-renewed }()
	var res ingest.Result
	fn := func(ctx context.Context) error {
		var err error
		res, err = w.handle(ctx, path)
		return err
	}
	if !record {
		err := fn(logctx.With(hctx, attrs...))
		return res, err
	}
	j := job{name: JobIngest, trigger: trigger, quietSkip: true, timeout: w.timeout, attrs: attrs}
	err := w.guard.run(hctx, j, fn)
	return res, err
}

// renew renews claim every third of the lease until ctx is done. When the
// claim is lost, or cannot be renewed before it expires, it cancels the
// work with the reason.
func (w *fileWorker) renew(ctx context.Context, claim *store.Claim, cancel context.CancelCauseFunc) {
	for {
		w.clock.SleepUntil(ctx, w.clock.Now().Add(w.lease/3))
		if ctx.Err() != nil {
			return
		}
		err := w.store.RenewClaim(ctx, claim, w.lease)
		switch {
		case err == nil:
		case errors.Is(err, store.ErrClaimLost) || !w.clock.Now().Before(claim.ExpiresAt):
			w.logger.ErrorContext(ctx, "claim on inbox file lost; abandoning the file in hand",
				slog.String("file", claim.Name), slog.String("error", err.Error()))
			cancel(fmt.Errorf("schedules: claim on %s lost: %w", claim.Name, err))
			return
		default:
			w.logger.WarnContext(ctx, "renewing claim on inbox file", slog.String("file", claim.Name),
				slog.String("error", err.Error()))
		}
	}
}

// settle releases the claim of a file that was handled or has gone, and
// defers that of a file that failed for a passing reason, returning a
// *retryAt with the time of its next attempt.
func (w *fileWorker) settle(ctx context.Context, path string, claim store.Claim, res ingest.Result, err error) error {
	bg := context.WithoutCancel(ctx)
	w.countFile(res, err)
	_, present := statFile(path)
	if err == nil || !present || ctx.Err() != nil {
		if rerr := w.store.ReleaseClaim(bg, claim); rerr != nil {
			w.logger.WarnContext(ctx, "releasing claim on inbox file; it is claimable again once the lease expires",
				slog.String("error", rerr.Error()))
		}
		if err != nil && !present {
			return errFileGone
		}
		return err
	}
	next := w.clock.Now().Add(backoff(claim.Attempts + 1))
	if derr := w.store.DeferClaim(bg, claim, next, err.Error()); derr != nil {
		w.logger.WarnContext(ctx, "recording the failed attempt on inbox file", slog.String("error", derr.Error()))
	}
	w.logger.WarnContext(ctx, "inbox file left in the inbox; will retry", slog.String("error", err.Error()),
		slog.Int("attempt", claim.Attempts+1), slog.Time("next_attempt", next))
	return &retryAt{at: next, reason: err}
}

// countFile counts a handled file and its respondents.
func (w *fileWorker) countFile(res ingest.Result, err error) {
	switch {
	case err != nil:
		w.metrics.Files.WithLabelValues("failed").Inc()
	case res.Status == ingest.StatusLoaded, res.Status == ingest.StatusDuplicate, res.Status == ingest.StatusRejected:
		w.metrics.Files.WithLabelValues(res.Status).Inc()
		w.metrics.Respondents.Add(float64(res.Respondents))
	}
}

// workerID returns a name for this process as a worker, unique among the
// replicas: host, process id and a random suffix.
func workerID() string {
	host, _ := os.Hostname()
	var b [4]byte
	rand.Read(b[:])
	return fmt.Sprintf("%s:%d:%x", host, os.Getpid(), b)
}
