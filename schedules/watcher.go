package schedules

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/surveyworker/surveyworker/ingest"
)

// errRetryLater, returned by a watcher's handler, leaves the file to be
// offered again after the next rescan.
var errRetryLater = errors.New("schedules: retry file later")

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

	pending map[string]sighting  // files waiting to settle
	handled map[string]fileState // files handed over and still present
}

// newWatcher returns a watcher of dir that hands a file over once it has
// been unchanged for settle, as read from now, and lists dir every rescan.
func newWatcher(dir string, settle, rescan time.Duration, now func() time.Time, logger *slog.Logger,
	handle func(context.Context, string) error) *watcher {
	return &watcher{dir: filepath.Clean(dir), settle: settle, rescan: rescan, now: now, logger: logger,
		handle: handle, pending: map[string]sighting{}, handled: map[string]fileState{}}
}

// run watches the inbox until ctx is done, handing settled files to the
// handler with work as their context. File-system events make new files
// known quickly; a periodic rescan catches what events miss (network
// file systems, event queue overflows).
func (w *watcher) run(ctx, work context.Context) {
	events, errs, closeWatch := w.subscribe()
	defer closeWatch()
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
			w.note(ev.Name)
		case err, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			w.logger.WarnContext(ctx, "inbox watch error; rescanning", slog.String("error", err.Error()))
			w.scan()
		case <-rescanTick.C:
			w.scan()
		case <-settleTick.C:
			w.handOver(ctx, work)
		}
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
// when the state changed.
func (w *watcher) note(path string) {
	if filepath.Dir(path) != w.dir || IgnoredName(filepath.Base(path)) {
		return
	}
	state, ok := statFile(path)
	if !ok {
		delete(w.pending, path)
		delete(w.handled, path)
		return
	}
	if prev, ok := w.handled[path]; ok && prev == state {
		return
	}
	if s, ok := w.pending[path]; !ok || s.state != state {
		w.pending[path] = sighting{state: state, since: w.now()}
	}
}

// handOver passes each file that has stayed unchanged for the settle
// period to the handler, in name order, until ctx is done.
func (w *watcher) handOver(ctx, work context.Context) {
	for _, path := range slices.Sorted(maps.Keys(w.pending)) {
		if ctx.Err() != nil {
			return
		}
		s := w.pending[path]
		w.note(path) // refresh: the file may have grown or gone
		if cur, ok := w.pending[path]; !ok || cur != s || w.now().Sub(s.since) < w.settle {
			continue
		}
		delete(w.pending, path)
		w.handOne(work, path, s.state)
	}
}

// handOne calls the handler for path and remembers the file if the handler
// left it in the inbox, so it is not handed over again until it changes.
func (w *watcher) handOne(ctx context.Context, path string, state fileState) {
	log := w.logger.With(slog.String("path", path), slog.Int64("size", state.size))
	log.InfoContext(ctx, "inbox file ready")
	err := w.handle(ctx, path)
	if errors.Is(err, errRetryLater) {
		return
	}
	if err != nil {
		log.ErrorContext(ctx, "handling inbox file", slog.String("error", err.Error()))
	}
	if after, ok := statFile(path); ok {
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
