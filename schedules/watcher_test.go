package schedules

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const testSettle = 200 * time.Millisecond

// handoffs records what a watcher handed over.
type handoffs struct {
	mu       sync.Mutex
	names    []string
	contents map[string]string
}

func (h *handoffs) handle(_ context.Context, path string) error {
	b, err := os.ReadFile(path)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.names = append(h.names, filepath.Base(path))
	if h.contents == nil {
		h.contents = map[string]string{}
	}
	h.contents[filepath.Base(path)] = string(b)
	return err
}

func (h *handoffs) list() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.names...)
}

func (h *handoffs) content(name string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.contents[name]
}

// startWatcher runs a watcher on dir until the test ends.
func startWatcher(t *testing.T, dir string, rescan time.Duration, handle func(context.Context, string) error) {
	t.Helper()
	runWatcher(t, dir, rescan, false, handle)
}

func runWatcher(t *testing.T, dir string, rescan time.Duration, pollOnly bool, handle func(context.Context, string) error) {
	t.Helper()
	logger, _ := testLogger(t)
	w := newWatcher(dir, testSettle, rescan, logger, handle)
	w.pollOnly = pollOnly
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.run(ctx, ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
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
	h := &handoffs{}
	startWatcher(t, dir, time.Hour, h.handle)

	path := filepath.Join(dir, "export.csv")
	writeFile(t, path, "a,b\n")
	// Keep writing with pauses shorter than the settle time.
	for range 4 {
		time.Sleep(testSettle / 4)
		if got := h.list(); len(got) != 0 {
			t.Fatalf("handed over while still growing: %v", got)
		}
		appendFile(t, path, "1,2\n")
	}
	waitFor(t, 10*time.Second, "hand-over", func() bool { return len(h.list()) == 1 })
	if got, want := h.content("export.csv"), "a,b\n1,2\n1,2\n1,2\n1,2\n"; got != want {
		t.Errorf("content at hand-over: got %q, want %q", got, want)
	}
	// The handler left the file in place: it is not handed over again...
	time.Sleep(4 * testSettle)
	if got := h.list(); len(got) != 1 {
		t.Fatalf("handed over %d times, want once", len(got))
	}
	// ...until it changes.
	appendFile(t, path, "3,4\n")
	waitFor(t, 10*time.Second, "second hand-over", func() bool { return len(h.list()) == 2 })
}

func TestWatcherPicksUpExistingFilesAndIgnoresOthers(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"present.xlsx", ".hidden.csv", "upload.csv.tmp", "big.csv.PART", "~$lock.xlsx"} {
		writeFile(t, filepath.Join(dir, name), "x")
	}
	for _, sub := range []string{"archive", "quarantine"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, sub, "old.csv"), "x")
	}
	h := &handoffs{}
	startWatcher(t, dir, 100*time.Millisecond, h.handle)

	writeFile(t, filepath.Join(dir, "new.csv"), "x")
	writeFile(t, filepath.Join(dir, "later.tmp"), "x")
	waitFor(t, 10*time.Second, "two hand-overs", func() bool { return len(h.list()) >= 2 })
	time.Sleep(4 * testSettle)
	if diff := cmp.Diff([]string{"new.csv", "present.xlsx"}, h.list()); diff != "" {
		t.Errorf("handed over (-want +got):\n%s", diff)
	}
}

func TestWatcherFileMovedByHandlerIsForgotten(t *testing.T) {
	dir := t.TempDir()
	done := t.TempDir()
	var mu sync.Mutex
	n := 0
	move := func(_ context.Context, path string) error {
		mu.Lock()
		n++
		mu.Unlock()
		return os.Rename(path, filepath.Join(done, filepath.Base(path)))
	}
	startWatcher(t, dir, 100*time.Millisecond, move)
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return n
	}
	path := filepath.Join(dir, "survey.csv")
	writeFile(t, path, "first")
	waitFor(t, 10*time.Second, "first hand-over", func() bool { return count() == 1 })
	// The same name arriving again is a new file.
	writeFile(t, path, "first")
	waitFor(t, 10*time.Second, "second hand-over", func() bool { return count() == 2 })
}

func TestWatcherRescanFindsFilesWithoutEvents(t *testing.T) {
	dir := t.TempDir()
	h := &handoffs{}
	runWatcher(t, dir, 100*time.Millisecond, true, h.handle)
	path := filepath.Join(dir, "nfs.csv")
	writeFile(t, path, "a")
	time.Sleep(testSettle / 2)
	appendFile(t, path, "b")
	waitFor(t, 10*time.Second, "hand-over by rescan", func() bool { return len(h.list()) == 1 })
	if got := h.content("nfs.csv"); got != "ab" {
		t.Errorf("content at hand-over: got %q, want %q", got, "ab")
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
