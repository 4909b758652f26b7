package schedules

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// testSettle is the settle period of watchers on a fake clock, where
// waiting it out costs nothing.
const testSettle = 5 * time.Second

// handoffs records what a watcher handed over.
type handoffs struct {
	mu       sync.Mutex
	counts   map[string]int
	contents map[string]string
	handed   chan string // receives each name handed over
}

func newHandoffs() *handoffs {
	return &handoffs{counts: map[string]int{}, contents: map[string]string{}, handed: make(chan string, 100)}
}

// handle records path and its content at hand-over, leaving the file in
// place.
func (h *handoffs) handle(_ context.Context, path string) error {
	b, err := os.ReadFile(path)
	name := filepath.Base(path)
	h.mu.Lock()
	h.counts[name]++
	h.contents[name] = string(b)
	h.mu.Unlock()
	h.handed <- name
	return err
}

// times returns how many times each file was handed over.
func (h *handoffs) times() map[string]int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return maps.Clone(h.counts)
}

// names returns the names handed over, sorted.
func (h *handoffs) names() []string {
	return slices.Sorted(maps.Keys(h.times()))
}

func (h *handoffs) content(name string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.contents[name]
}

// stepWatcher returns a watcher of dir on a fake clock, for a test to
// drive by calling scan, note and handOver itself: no goroutine, no
// file-system events, no waiting.
func stepWatcher(t *testing.T, dir string, handle func(context.Context, string) error) (*watcher, *fakeClock) {
	t.Helper()
	clk := newFakeClock(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC))
	logger, _ := testLogger(t)
	return newWatcher(dir, testSettle, time.Hour, clk.Now, logger, handle), clk
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// dropFile writes a whole file into place at once, as a finished upload
// would arrive, so a watcher on the real clock never sees it half written.
func dropFile(t *testing.T, path, data string) {
	t.Helper()
	tmp := path + ".tmp"
	writeFile(t, tmp, data)
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func appendFile(t *testing.T, path, data string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(data); err != nil {
		t.Fatal(err)
	}
}

func TestWatcherWaitsUntilFileStopsGrowing(t *testing.T) {
	dir := t.TempDir()
	h := newHandoffs()
	w, clk := stepWatcher(t, dir, h.handle)
	ctx := context.Background()
	handOver := func(when string, want map[string]int) {
		t.Helper()
		w.handOver(ctx, ctx)
		if diff := cmp.Diff(want, h.times()); diff != "" {
			t.Fatalf("%s: hand-overs (-want +got):\n%s", when, diff)
		}
	}

	path := filepath.Join(dir, "export.csv")
	writeFile(t, path, "a,b\n")
	w.note(path)
	// Keep writing with pauses shorter than the settle period.
	for range 4 {
		clk.Advance(testSettle / 2)
		handOver("while still growing", map[string]int{})
		appendFile(t, path, "1,2\n")
		w.note(path)
	}
	clk.Advance(testSettle - time.Nanosecond)
	handOver("just short of the settle period", map[string]int{})
	clk.Advance(time.Nanosecond)
	handOver("once settled", map[string]int{"export.csv": 1})
	if got, want := h.content("export.csv"), "a,b\n1,2\n1,2\n1,2\n1,2\n"; got != want {
		t.Errorf("content at hand-over: got %q, want %q", got, want)
	}

	// The handler left the file in place: it is not handed over again,
	// whether seen by a rescan or an event...
	clk.Advance(10 * testSettle)
	w.scan()
	w.note(path)
	clk.Advance(10 * testSettle)
	handOver("left unchanged", map[string]int{"export.csv": 1})
	// ...until it changes.
	appendFile(t, path, "3,4\n")
	w.note(path)
	clk.Advance(testSettle)
	handOver("after a change", map[string]int{"export.csv": 2})
	if got, want := h.content("export.csv"), "a,b\n1,2\n1,2\n1,2\n1,2\n3,4\n"; got != want {
		t.Errorf("content at second hand-over: got %q, want %q", got, want)
	}
}

// TestWatcherNoticesGrowthWithoutEvents: a file found by a rescan that
// grows with no event (a network file system) is checked again before
// each hand-over, and its settle period starts over.
func TestWatcherNoticesGrowthWithoutEvents(t *testing.T) {
	dir := t.TempDir()
	h := newHandoffs()
	w, clk := stepWatcher(t, dir, h.handle)
	ctx := context.Background()

	path := filepath.Join(dir, "nfs.csv")
	writeFile(t, path, "a")
	w.handOver(ctx, ctx)
	if got := h.names(); len(got) != 0 {
		t.Fatalf("handed over before any scan or event: %v", got)
	}
	w.scan()
	clk.Advance(testSettle / 2)
	appendFile(t, path, "b")
	clk.Advance(testSettle / 2)
	w.handOver(ctx, ctx) // sees the growth
	clk.Advance(testSettle - time.Nanosecond)
	w.handOver(ctx, ctx)
	if got := h.names(); len(got) != 0 {
		t.Fatalf("handed over %v before a settle period passed since it grew", got)
	}
	clk.Advance(time.Nanosecond)
	w.handOver(ctx, ctx)
	if diff := cmp.Diff(map[string]int{"nfs.csv": 1}, h.times()); diff != "" {
		t.Fatalf("hand-overs (-want +got):\n%s", diff)
	}
	if got := h.content("nfs.csv"); got != "ab" {
		t.Errorf("content at hand-over: got %q, want %q", got, "ab")
	}
}

func TestWatcherPicksUpExistingFilesAndIgnoresOthers(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"present.xlsx", ".hidden.csv", "upload.csv.tmp", "big.csv.PART", "~$lock.xlsx"} {
		writeFile(t, filepath.Join(dir, name), "x")
	}
	for _, sub := range []string{"archive", "quarantine", "exports"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, sub, "old.csv"), "x")
	}
	if err := os.Symlink(filepath.Join(dir, "present.xlsx"), filepath.Join(dir, "link.xlsx")); err != nil {
		t.Fatal(err)
	}
	h := newHandoffs()
	w, clk := stepWatcher(t, dir, h.handle)
	ctx := context.Background()

	w.scan() // at start-up
	writeFile(t, filepath.Join(dir, "new.csv"), "x")
	writeFile(t, filepath.Join(dir, "later.tmp"), "x")
	writeFile(t, filepath.Join(dir, "exports", "inner.csv"), "x")
	for _, name := range []string{"new.csv", "later.tmp", "exports", "exports/inner.csv", "archive/old.csv"} {
		w.note(filepath.Join(dir, name)) // file-system events
	}
	// However often the inbox is scanned and handed over, each ready file
	// is handed over once and the others never.
	for range 3 {
		clk.Advance(testSettle)
		w.handOver(ctx, ctx)
		w.scan()
	}
	if diff := cmp.Diff(map[string]int{"new.csv": 1, "present.xlsx": 1}, h.times()); diff != "" {
		t.Errorf("hand-overs (-want +got):\n%s", diff)
	}
}

// TestWatcherFileArrivingAgainIsNew: once a handed-over file has left the
// inbox, a file of that name arriving is new, even with the same content
// and modification time.
func TestWatcherFileArrivingAgainIsNew(t *testing.T) {
	tests := []struct {
		name string
		// move is whether the handler moves the file out; otherwise the
		// file is deleted by someone else after the hand-over.
		move bool
	}{
		{"moved by the handler", true},
		{"deleted after handling", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, done := t.TempDir(), t.TempDir()
			h := newHandoffs()
			handle := func(ctx context.Context, path string) error {
				if err := h.handle(ctx, path); err != nil || !tt.move {
					return err
				}
				return os.Rename(path, filepath.Join(done, filepath.Base(path)))
			}
			w, clk := stepWatcher(t, dir, handle)
			ctx := context.Background()
			path := filepath.Join(dir, "survey.csv")
			writeFile(t, path, "first")
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			w.note(path)
			clk.Advance(testSettle)
			w.handOver(ctx, ctx)
			if !tt.move {
				if err := os.Remove(path); err != nil {
					t.Fatal(err)
				}
				w.scan()
			}

			writeFile(t, path, "first")
			if err := os.Chtimes(path, fi.ModTime(), fi.ModTime()); err != nil {
				t.Fatal(err)
			}
			w.note(path)
			clk.Advance(testSettle)
			w.handOver(ctx, ctx)
			if diff := cmp.Diff(map[string]int{"survey.csv": 2}, h.times()); diff != "" {
				t.Errorf("hand-overs (-want +got):\n%s", diff)
			}
		})
	}
}

// TestWatcherOffersDeferredFileAfterRescan: a handler that answers
// errRetryLater (the pipeline was busy) gets the file again once a rescan
// has seen it and it has settled again, and not before.
func TestWatcherOffersDeferredFileAfterRescan(t *testing.T) {
	dir := t.TempDir()
	h := newHandoffs()
	busy := true
	handle := func(ctx context.Context, path string) error {
		if err := h.handle(ctx, path); err != nil {
			return err
		}
		if busy {
			return errRetryLater
		}
		return nil
	}
	w, clk := stepWatcher(t, dir, handle)
	ctx := context.Background()
	writeFile(t, filepath.Join(dir, "a.csv"), "x")
	w.scan()
	clk.Advance(testSettle)
	w.handOver(ctx, ctx)
	busy = false
	clk.Advance(testSettle)
	w.handOver(ctx, ctx)
	if diff := cmp.Diff(map[string]int{"a.csv": 1}, h.times()); diff != "" {
		t.Fatalf("before a rescan (-want +got):\n%s", diff)
	}
	w.scan()
	clk.Advance(testSettle - time.Nanosecond)
	w.handOver(ctx, ctx)
	clk.Advance(time.Nanosecond)
	w.handOver(ctx, ctx)
	w.scan()
	clk.Advance(testSettle)
	w.handOver(ctx, ctx)
	if diff := cmp.Diff(map[string]int{"a.csv": 2}, h.times()); diff != "" {
		t.Errorf("after a rescan (-want +got):\n%s", diff)
	}
}

// TestWatcherRun runs the watcher's loop on the real clock: the first file
// may be found by the start-up scan, the second only by what the watcher
// listens to (file-system events, or rescans alone).
func TestWatcherRun(t *testing.T) {
	tests := []struct {
		name     string
		pollOnly bool
		rescan   time.Duration
	}{
		{"file-system events", false, time.Hour},
		{"rescans alone", true, 10 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			h := newHandoffs()
			logger, _ := testLogger(t)
			w := newWatcher(dir, 10*time.Millisecond, tt.rescan, time.Now, logger, h.handle)
			w.pollOnly = tt.pollOnly
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() {
				defer close(done)
				w.run(ctx, ctx)
			}()
			defer func() {
				cancel()
				<-done
			}()

			dropFile(t, filepath.Join(dir, "first.csv"), "1")
			if got := receive(t, h.handed, "first hand-over"); got != "first.csv" {
				t.Fatalf("handed over %s, want first.csv", got)
			}
			dropFile(t, filepath.Join(dir, "second.csv"), "2")
			if got := receive(t, h.handed, "second hand-over"); got != "second.csv" {
				t.Fatalf("handed over %s, want second.csv", got)
			}
			if got := h.content("second.csv"); got != "2" {
				t.Errorf("content at hand-over: got %q, want %q", got, "2")
			}
		})
	}
}

func TestIgnoredName(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"export.csv", false},
		{"Survey Results.xlsx", false},
		{"tmp.csv", false},
		{".DS_Store", true},
		{"export.csv.tmp", true},
		{"export.TMP", true},
		{"export.csv.part", true},
		{"~$Survey.xlsx", true},
		{"archive", true},
		{"Quarantine", true},
		{"mappings", true},
		{"", true},
	}
	for _, tt := range tests {
		if got := IgnoredName(tt.name); got != tt.want {
			t.Errorf("IgnoredName(%q): got %v, want %v", tt.name, got, tt.want)
		}
	}
}
