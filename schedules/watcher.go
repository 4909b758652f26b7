package schedules

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/surveyworker/surveyworker/ingest"
)

// errRetryLater, returned by a watcher's handler, leaves the file to be
// offered again after the next rescan.
var errRetryLater = errors.New("schedules: retry file later")

// retryAt, returned by a watcher's handler, leaves the file to be offered
// again once the time is at has passed and the file has settled: a file
// claimed by another worker, or one that failed for a passing reason.
type retryAt struct {
	at     time.Time
	reason error
}

// Error says when the file is to be offered again and why.
func (r *retryAt) Error() string {
	return fmt.Sprintf("schedules: retry file at %s: %v", r.at.Format(time.RFC3339), r.reason)
}

// Unwrap returns why the file is to be offered again later.
func (r *retryAt) Unwrap() error { return r.reason }

// reservedDirs are inbox subfolders that hold files already dealt with,
// and the mapping files that say how to read exports.
var reservedDirs = []string{"archive", "quarantine", "processing", "rejects", "outbox", ingest.MappingsDir}

// IgnoredName reports whether a file called name in the inbox is never
// handed over: whatever [ingest.Ready] refuses (hidden files, partial
// downloads, Office lock files) and the inbox's own subfolders. Sharing
// the rule keeps the watcher and the cycle's inbox listing in agreement.
func IgnoredName(name string) bool {
	return !ingest.Ready(name) || slices.Contains(reservedDirs, strings.ToLower(name))
}

// fileState is what the watcher knows of a file's contents.
type fileState struct {
	size  int64
	mtime time.Time
}

// sighting is a file state and when it was first seen unchanged.
type sighting struct {
	state fileState
	since time.Time
}

// watcher hands each settled file of an inbox directory to handle, once.
// Its decisions (scan, note, handOver) read the time from now alone, so
// they can be driven step by step with a fake clock; only run waits.
type watcher struct {
	dir    string
	settle time.Duration
	rescan time.Duration
	now    func() time.Time
	logger *slog.Logger
	handle func(ctx context.Context, path string) error
	// pollOnly skips file-system events and relies on rescans alone.
	pollOnly bool
	// parallel is how many files run hands over at once, each in its own
	// goroutine; zero hands them over one by one in the loop (as the
	// step-by-step tests drive it).
	parallel int
	// event, when set, counts what the watcher saw ("create", "rescan"...).
	event func(kind string)
	// tick, when set, is called on every settle tick of run.
	tick func(ctx context.Context)

	pending  map[string]sighting  // files waiting to settle
	handled  map[string]fileState // files handed over and still present
	deferred map[string]time.Time // files not to offer again before then
	inHand   map[string]bool      // files being handled by a goroutine
	symlinks map[string]bool      // symbolic links already logged
	results  chan handResult      // from the goroutines handling files
	wg       sync.WaitGroup       // the goroutines handling files
}

// handResult is what a goroutine handing a file over reports to run.
type handResult struct {
	path  string
	state fileState
	err   error
}

// newWatcher returns a watcher of dir that hands a file over once it has
// been unchanged for settle, as read from now, and lists dir every rescan.
func newWatcher(dir string, settle, rescan time.Duration, now func() time.Time, logger *slog.Logger,
	handle func(context.Context, string) error) *watcher {
	return &watcher{dir: filepath.Clean(dir), settle: settle, rescan: rescan, now: now, logger: logger,
		handle: handle, pending: map[string]sighting{}, handled: map[string]fileState{},
		deferred: map[string]time.Time{}, inHand: map[string]bool{}, symlinks: map[string]bool{},
		event: func(string) {}}
}

// run watches the inbox until ctx is done, handing settled files to the
// handler with work as their context. File-system events make new files
// known quickly; a periodic rescan catches what events miss (network
// file systems, event queue overflows). With parallel set, up to that
// many files are handled at once; run returns once they are done.
func (w *watcher) run(ctx, work context.Context) {
	events, errs, closeWatch := w.subscribe()
	defer closeWatch()
	if w.parallel > 0 {
		w.results = make(chan handResult, w.parallel)
		defer func() {
			go func() { w.wg.Wait(); close(w.results) }()
			for range w.results {
			}
		}()
	}
	w.scan()
	settleTick := time.NewTicker(max(w.settle/4, 10*time.Millisecond))
	defer settleTick.Stop()
	rescanTick := time.NewTicker(w.rescan)
	defer rescanTick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			w.event(eventKind(ev.Op))
			w.note(ev.Name)
		case err, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			w.event("error")
			w.logger.WarnContext(ctx, "inbox watch error; rescanning", slog.String("error", err.Error()))
			w.scan()
		case <-rescanTick.C:
			w.event("rescan")
			w.scan()
		case r := <-w.results:
			delete(w.inHand, r.path)
			w.settled(ctx, r.path, r.state, r.err)
			w.handOverAsync(ctx, work) // a goroutine is free
		case <-settleTick.C:
			if w.tick != nil {
				w.tick(ctx)
			}
			w.handOverAsync(ctx, work)
		}
	}
}

// eventKind names a file-system event for the watcher_events metric.
func eventKind(op fsnotify.Op) string {
	switch {
	case op.Has(fsnotify.Create):
		return "create"
	case op.Has(fsnotify.Write):
		return "write"
	case op.Has(fsnotify.Remove):
		return "remove"
	case op.Has(fsnotify.Rename):
		return "rename"
	default:
		return "chmod"
	}
}

// subscribe starts file-system notifications on the inbox. When they are
// unavailable the watcher polls with its rescans alone.
func (w *watcher) subscribe() (<-chan fsnotify.Event, <-chan error, func()) {
	if w.pollOnly {
		return nil, nil, func() {}
	}
	fw, err := fsnotify.NewWatcher()
	if err == nil {
		if err = fw.Add(w.dir); err == nil {
			return fw.Events, fw.Errors, func() { fw.Close() }
		}
		fw.Close()
	}
	w.logger.Warn("inbox notifications unavailable; polling only",
		slog.String("inbox", w.dir), slog.Duration("rescan", w.rescan), slog.String("error", err.Error()))
	return nil, nil, func() {}
}

// scan notes every candidate file in the inbox and forgets handled files
// that have gone.
func (w *watcher) scan() {
	entries, err := os.ReadDir(w.dir)
	if err != nil {
		w.logger.Error("scanning inbox", slog.String("inbox", w.dir), slog.String("error", err.Error()))
		return
	}
	present := map[string]bool{}
	for _, e := range entries {
		path := filepath.Join(w.dir, e.Name())
		present[path] = true
		w.note(path)
	}
	for path := range w.handled {
		if !present[path] {
			delete(w.handled, path)
		}
	}
}

// note records the current state of path, restarting its settle period
// when the state changed. A symbolic link is logged, once, and never read:
// what it points at may be anywhere.
func (w *watcher) note(path string) {
	if filepath.Dir(path) != w.dir || IgnoredName(filepath.Base(path)) || w.inHand[path] {
		return
	}
	state, ok := statFile(path)
	if !ok {
		w.noteOther(path)
		delete(w.pending, path)
		delete(w.handled, path)
		delete(w.deferred, path)
		return
	}
	if at, ok := w.deferred[path]; ok {
		if w.now().Before(at) {
			return
		}
		delete(w.deferred, path)
	}
	if prev, ok := w.handled[path]; ok && prev == state {
		return
	}
	if s, ok := w.pending[path]; !ok || s.state != state {
		w.pending[path] = sighting{state: state, since: w.now()}
		w.logger.Debug("inbox file noticed", slog.String("path", path), slog.Int64("size", state.size))
	}
}

// noteOther logs, once per path, an inbox entry that is a symbolic link.
func (w *watcher) noteOther(path string) {
	if fi, err := os.Lstat(path); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		delete(w.symlinks, path)
		return
	}
	if !w.symlinks[path] {
		w.symlinks[path] = true
		w.event("symlink")
		w.logger.Warn("inbox entry is a symbolic link; not read (move the file itself into the inbox)",
			slog.String("path", path))
	}
}

// ready returns the pending files that have stayed unchanged for the
// settle period, in name order, refreshing each first: a file may have
// grown or gone.
func (w *watcher) ready() []string {
	var out []string
	for _, path := range slices.Sorted(maps.Keys(w.pending)) {
		if w.inHand[path] {
			continue
		}
		s := w.pending[path]
		w.note(path)
		if cur, ok := w.pending[path]; !ok || cur != s || w.now().Sub(s.since) < w.settle {
			continue
		}
		out = append(out, path)
	}
	return out
}

// handOver passes each file that has stayed unchanged for the settle
// period to the handler, in name order, until ctx is done. With parallel
// set it starts goroutines instead (see handOverAsync).
func (w *watcher) handOver(ctx, work context.Context) {
	if w.parallel > 0 {
		return // run hands over through handOverAsync
	}
	for _, path := range w.ready() {
		if ctx.Err() != nil {
			return
		}
		s := w.pending[path]
		delete(w.pending, path)
		w.handOne(work, path, s.state)
	}
}

// handOverAsync starts a goroutine for each settled file while fewer than
// parallel are in hand; the others wait their turn.
func (w *watcher) handOverAsync(ctx, work context.Context) {
	if w.parallel == 0 {
		w.handOver(ctx, work)
		return
	}
	for _, path := range w.ready() {
		if ctx.Err() != nil || len(w.inHand) >= w.parallel {
			return
		}
		s := w.pending[path]
		delete(w.pending, path)
		w.inHand[path] = true
		w.wg.Go(func() {
			err := w.call(work, path, s.state)
			w.results <- handResult{path: path, state: s.state, err: err}
		})
	}
}

// handOne calls the handler for path and records what it left.
func (w *watcher) handOne(ctx context.Context, path string, state fileState) {
	w.settled(ctx, path, state, w.call(ctx, path, state))
}

// call runs the handler on path.
func (w *watcher) call(ctx context.Context, path string, state fileState) error {
	w.logger.DebugContext(ctx, "inbox file ready", slog.String("path", path), slog.Int64("size", state.size))
	return w.handle(ctx, path)
}

// settled records what handling path left: a file to offer again (after
// the next rescan, or after a time), or a file left in the inbox that is
// not handed over again until it changes.
func (w *watcher) settled(ctx context.Context, path string, state fileState, err error) {
	log := w.logger.With(slog.String("path", path), slog.Int64("size", state.size))
	delete(w.pending, path)
	var ra *retryAt
	switch {
	case errors.As(err, &ra):
		w.deferred[path] = ra.at
		w.pending[path] = sighting{state: state, since: ra.at.Add(-w.settle)}
		return
	case errors.Is(err, errRetryLater):
		return
	case err != nil:
		log.ErrorContext(ctx, "handling inbox file", slog.String("error", err.Error()))
	}
	after, ok := statFile(path)
	switch {
	case !ok:
	case after != state:
		// Written to while it was read: offered again once it settles.
		w.pending[path] = sighting{state: after, since: w.now()}
	default:
		w.handled[path] = after
		if err == nil {
			log.WarnContext(ctx, "file still in inbox after handling; ignoring it until it changes")
		}
	}
}

// statFile returns the state of the regular file at path; ok is false for
// anything else, including a file that no longer exists.
func statFile(path string) (fileState, bool) {
	fi, err := os.Lstat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return fileState{}, false
	}
	return fileState{size: fi.Size(), mtime: fi.ModTime()}, true
}
