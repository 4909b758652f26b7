package schedules

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// DefaultRerankInterval is the least time between two rankings recomputed
// after watched files added data.
const DefaultRerankInterval = time.Minute

// reranker coalesces the rankings that loaded inbox files call for: one
// once the inbox has been quiet (no file in hand, none handled) for the
// quiet period, and never two within the interval, however many files
// were loaded. A ranking that finds the pipeline busy (a cycle, which
// ranks anyway, or another replica's ranking) is tried again after the
// interval.
type reranker struct {
	clock    clock
	quiet    time.Duration
	interval time.Duration
	run      func(ctx context.Context) error
	logger   *slog.Logger

	mu       sync.Mutex
	dirty    bool      // files added data since the last ranking started
	inHand   int       // files being handled
	activity time.Time // when the last file was taken in hand or done with
	last     time.Time // when the last ranking started
	wake     chan struct{}
}

func newReranker(clk clock, quiet, interval time.Duration, run func(context.Context) error, logger *slog.Logger) *reranker {
	return &reranker{clock: clk, quiet: quiet, interval: interval, run: run, logger: logger, wake: make(chan struct{}, 1)}
}

// busy is told when a file is taken in hand (+1) or done with (-1, and
// whether it added data).
func (r *reranker) busy(delta int, loaded bool) {
	r.mu.Lock()
	r.inHand += delta
	r.activity = r.clock.Now()
	r.dirty = r.dirty || loaded
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// ranked tells the reranker that a ranking was computed (by a cycle):
// files loaded before then need no other.
func (r *reranker) ranked(at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.activity.After(at) && r.inHand == 0 {
		r.dirty = false
	}
}

// due returns whether a ranking is due now and, if not but one will be,
// when to look again (zero: wait for a file).
func (r *reranker) due() (bool, time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.dirty || r.inHand > 0 {
		return false, time.Time{}
	}
	at := r.activity.Add(r.quiet)
	if next := r.last.Add(r.interval); next.After(at) {
		at = next
	}
	if r.clock.Now().Before(at) {
		return false, at
	}
	r.dirty, r.last = false, r.clock.Now()
	return true, time.Time{}
}

// loop ranks when due until ctx is done.
func (r *reranker) loop(ctx context.Context, work context.Context) {
	for ctx.Err() == nil {
		ok, at := r.due()
		if ok {
			err := r.run(work)
			if err != nil && !errors.Is(err, context.Canceled) {
				// Busy or failed: want another ranking after the interval.
				r.mu.Lock()
				r.dirty = true
				r.mu.Unlock()
				if !errors.Is(err, ErrSkipped) {
					r.logger.WarnContext(ctx, "ranking after new responses failed; will retry", slog.String("error", err.Error()))
				}
			}
			continue
		}
		wctx, cancel := context.WithCancel(ctx)
		go func() {
			select {
			case <-r.wake:
				cancel()
			case <-wctx.Done():
			}
		}()
		if at.IsZero() {
			<-wctx.Done()
		} else {
			r.clock.SleepUntil(wctx, at)
		}
		cancel()
	}
}
