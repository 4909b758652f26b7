package schedules

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/store/storetest"
)

// everySecond fires at the start of every second.
const everySecond = "*/1 * * * * *"

// fileSettle is the settle period of services watching an inbox.
const fileSettle = 200 * time.Millisecond

// running is a service started by startService.
type running struct {
	svc    *Service
	cancel context.CancelFunc
	done   chan struct{} // closed when Run has returned
	err    error         // Run's result, once done is closed
}

// stop cancels the service and returns Run's result.
func (r *running) stop(t *testing.T) error {
	t.Helper()
	r.cancel()
	select {
	case <-r.done:
		return r.err
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after cancel")
		return nil
	}
}

// startService runs a service built from cfg until the test ends.
func startService(t *testing.T, cfg ServiceConfig) *running {
	t.Helper()
	svc, err := NewService(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{svc: svc, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		r.err = svc.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-r.done
	})
	return r
}

// runsOf returns the recorded runs of job, newest first.
func runsOf(t *testing.T, st *store.Store, job string) []store.JobRun {
	t.Helper()
	runs, err := st.JobRuns(context.Background(), job, 100)
	if err != nil {
		t.Fatal(err)
	}
	return runs
}

func countStatus(runs []store.JobRun, status string) int {
	n := 0
	for _, r := range runs {
		if r.Status == status {
			n++
		}
	}
	return n
}

func TestScheduledCycleRunsAndIsRecorded(t *testing.T) {
	st := storetest.NewStore(t)
	logger, _ := testLogger(t)
	var calls atomic.Int32
	cycle := func(ctx context.Context, trigger string) error {
		if trigger != TriggerSchedule {
			t.Errorf("trigger: got %q, want %q", trigger, TriggerSchedule)
		}
		RunFromContext(ctx).SetCounts(store.JobCounts{FilesLoaded: 2, ReportPath: "out/roadmap.xlsx"})
		calls.Add(1)
		return nil
	}
	r := startService(t, ServiceConfig{Store: st, Logger: logger, Spec: everySecond, Cycle: cycle})
	waitFor(t, 15*time.Second, "a successful scheduled run", func() bool {
		return countStatus(runsOf(t, st, JobCycle), store.JobSucceeded) > 0
	})
	if err := r.stop(t); err != nil {
		t.Fatalf("Run: %v", err)
	}
	var ok store.JobRun
	for _, run := range runsOf(t, st, JobCycle) {
		if run.Status == store.JobSucceeded {
			ok = run
		}
	}
	if ok.Trigger != TriggerSchedule || ok.ScheduledFor == nil || ok.FinishedAt == nil {
		t.Errorf("recorded run: got %+v, want a finished schedule run with its slot", ok)
	}
	if ok.FilesLoaded != 2 || ok.ReportPath != "out/roadmap.xlsx" {
		t.Errorf("counters: got %+v, want files_loaded 2 and the report path", ok.JobCounts)
	}
	if ok.ScheduledFor != nil && ok.ScheduledFor.Nanosecond() != 0 {
		t.Errorf("scheduled_for %v is not a whole-second slot", ok.ScheduledFor)
	}
}

func TestOverlappingTickIsSkippedLoggedAndRecorded(t *testing.T) {
	st := storetest.NewStore(t)
	logger, logs := testLogger(t)
	release := make(chan struct{})
	var calls atomic.Int32
	cycle := func(ctx context.Context, _ string) error {
		if calls.Add(1) == 1 {
			<-release // the first run outlasts the next ticks
		}
		return nil
	}
	r := startService(t, ServiceConfig{Store: st, Logger: logger, Spec: everySecond, Cycle: cycle})
	waitFor(t, 15*time.Second, "a skipped tick", func() bool {
		return countStatus(runsOf(t, st, JobCycle), store.JobSkipped) > 0
	})
	close(release)
	if err := r.stop(t); err != nil {
		t.Fatalf("Run: %v", err)
	}
	runs := runsOf(t, st, JobCycle)
	var skipped store.JobRun
	for _, run := range runs {
		if run.Status == store.JobSkipped {
			skipped = run
		}
	}
	if want := "previous cycle still running"; !strings.Contains(skipped.Error, want) {
		t.Errorf("skip reason: got %q, want it to mention %q", skipped.Error, want)
	}
	if skipped.ScheduledFor == nil || skipped.Trigger != TriggerSchedule {
		t.Errorf("skipped run: got %+v, want its schedule slot", skipped)
	}
	if n := countLines(logs.String(), "level=WARN", "job skipped", "job=cycle"); n == 0 {
		t.Errorf("no skip logged; log:\n%s", logs)
	}
	if got := countStatus(runs, store.JobRunning); got != 0 {
		t.Errorf("%d runs left running", got)
	}
}

func TestPanickingCycleIsRecordedAsFailed(t *testing.T) {
	st := storetest.NewStore(t)
	logger, logs := testLogger(t)
	var calls atomic.Int32
	cycle := func(context.Context, string) error {
		if calls.Add(1) == 1 {
			panic("workbook exploded")
		}
		return nil
	}
	r := startService(t, ServiceConfig{Store: st, Logger: logger, Spec: everySecond, Cycle: cycle})
	// The service survives the panic and runs the next tick.
	waitFor(t, 15*time.Second, "a failed then a successful run", func() bool {
		runs := runsOf(t, st, JobCycle)
		return countStatus(runs, store.JobFailed) == 1 && countStatus(runs, store.JobSucceeded) > 0
	})
	if err := r.stop(t); err != nil {
		t.Fatalf("Run: %v", err)
	}
	for _, run := range runsOf(t, st, JobCycle) {
		if run.Status == store.JobFailed && run.Error != "panic: workbook exploded" {
			t.Errorf("failed run error: got %q, want %q", run.Error, "panic: workbook exploded")
		}
	}
	if countLines(logs.String(), "job panicked", "stack=") == 0 {
		t.Errorf("panic not logged with its stack")
	}
}

func TestCycleSkippedWhileAnotherProcessHoldsTheLock(t *testing.T) {
	url := storetest.URL(t)
	ctx := context.Background()
	mine, other := storetest.Open(t, url), storetest.Open(t, url)
	lock, err := other.TryJobLock(ctx, pipelineLock)
	if err != nil {
		t.Fatal(err)
	}
	ran := false
	svc, err := NewService(ServiceConfig{Store: mine, Cycle: func(context.Context, string) error {
		ran = true
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.RunCycle(ctx, TriggerManual); !errors.Is(err, ErrSkipped) {
		t.Fatalf("RunCycle with the lock held elsewhere: got %v, want ErrSkipped", err)
	}
	if ran {
		t.Error("cycle ran while another process held the lock")
	}
	runs := runsOf(t, mine, JobCycle)
	if len(runs) != 1 || runs[0].Status != store.JobSkipped || !strings.Contains(runs[0].Error, "another process") {
		t.Fatalf("recorded runs: got %+v, want one skipped run", runs)
	}
	lock.Release()
	if err := svc.RunCycle(ctx, TriggerManual); err != nil || !ran {
		t.Fatalf("RunCycle after release: got %v (ran %v), want a run", err, ran)
	}
}

func TestWatchedFileWaitsForOtherProcess(t *testing.T) {
	url := storetest.URL(t)
	mine, other := storetest.Open(t, url), storetest.Open(t, url)
	lock, err := other.TryJobLock(context.Background(), pipelineLock)
	if err != nil {
		t.Fatal(err)
	}
	inbox := t.TempDir()
	logger, _ := testLogger(t)
	h := newHandoffs()
	startService(t, ServiceConfig{Store: mine, Logger: logger, InboxDir: inbox, OnFile: h.handle,
		Settle: fileSettle, Rescan: 100 * time.Millisecond})
	writeFile(t, filepath.Join(inbox, "a.csv"), "x")
	time.Sleep(5 * fileSettle)
	if got := h.names(); len(got) != 0 {
		t.Fatalf("file handled while another process held the lock: %v", got)
	}
	lock.Release()
	waitFor(t, 15*time.Second, "hand-over after release", func() bool { return len(h.names()) == 1 })
	waitFor(t, 15*time.Second, "the ingest run", func() bool {
		return countStatus(runsOf(t, mine, JobIngest), store.JobSucceeded) == 1
	})
	if n := len(runsOf(t, mine, JobIngest)); n != 1 {
		t.Errorf("ingest runs: got %d, want 1 (deferrals are not recorded)", n)
	}
}

func TestRunWaitsForFileInHand(t *testing.T) {
	st := storetest.NewStore(t)
	inbox := t.TempDir()
	logger, _ := testLogger(t)
	started := make(chan struct{})
	var finished atomic.Bool
	onFile := func(ctx context.Context, path string) error {
		close(started)
		time.Sleep(500 * time.Millisecond)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		finished.Store(true)
		return os.Remove(path)
	}
	r := startService(t, ServiceConfig{Store: st, Logger: logger, InboxDir: inbox, OnFile: onFile, Settle: fileSettle})
	writeFile(t, filepath.Join(inbox, "a.csv"), "x")
	select {
	case <-started:
	case <-time.After(15 * time.Second):
		t.Fatal("file never handed over")
	}
	if err := r.stop(t); err != nil {
		t.Fatalf("Run: got %v, want nil", err)
	}
	if !finished.Load() {
		t.Fatal("Run returned before the file in hand was finished")
	}
	runs := runsOf(t, st, JobIngest)
	if len(runs) != 1 || runs[0].Status != store.JobSucceeded || runs[0].Trigger != TriggerWatch {
		t.Errorf("ingest runs: got %+v, want one succeeded watch run", runs)
	}
}

func TestRunCancelsWorkAfterShutdownTimeout(t *testing.T) {
	st := storetest.NewStore(t)
	inbox := t.TempDir()
	logger, _ := testLogger(t)
	started := make(chan struct{})
	onFile := func(ctx context.Context, path string) error {
		close(started)
		<-ctx.Done()
		return ctx.Err()
	}
	r := startService(t, ServiceConfig{Store: st, Logger: logger, InboxDir: inbox, OnFile: onFile,
		Settle: fileSettle, ShutdownTimeout: 300 * time.Millisecond})
	writeFile(t, filepath.Join(inbox, "a.csv"), "x")
	select {
	case <-started:
	case <-time.After(15 * time.Second):
		t.Fatal("file never handed over")
	}
	if err := r.stop(t); err == nil {
		t.Fatal("Run: got nil, want a shutdown timeout error")
	}
	runs := runsOf(t, st, JobIngest)
	if len(runs) != 1 || runs[0].Status != store.JobFailed || !strings.Contains(runs[0].Error, "context canceled") {
		t.Errorf("ingest runs: got %+v, want one failed, cancelled run", runs)
	}
}

func TestCycleAndFileNeverOverlap(t *testing.T) {
	st := storetest.NewStore(t)
	inbox := t.TempDir()
	logger, _ := testLogger(t)
	var inCycle, overlapped, cycles atomic.Int32
	cycle := func(context.Context, string) error {
		if cycles.Add(1) > 1 {
			return nil
		}
		inCycle.Store(1)
		defer inCycle.Store(0)
		time.Sleep(4 * fileSettle) // the file settles meanwhile
		return nil
	}
	handled := make(chan struct{})
	onFile := func(_ context.Context, path string) error {
		if inCycle.Load() == 1 {
			overlapped.Store(1)
		}
		close(handled)
		return os.Remove(path)
	}
	startService(t, ServiceConfig{Store: st, Logger: logger, Spec: everySecond, Cycle: cycle,
		InboxDir: inbox, OnFile: onFile, Settle: fileSettle})
	waitFor(t, 15*time.Second, "the first cycle to start", func() bool { return inCycle.Load() == 1 })
	writeFile(t, filepath.Join(inbox, "a.csv"), "x")
	select {
	case <-handled:
	case <-time.After(15 * time.Second):
		t.Fatal("file never handed over")
	}
	if overlapped.Load() == 1 {
		t.Error("file handled while a cycle was running")
	}
}

func TestRunMarksAbandonedRuns(t *testing.T) {
	st := storetest.NewStore(t)
	ctx := context.Background()
	stale, err := st.StartJobRun(ctx, JobCycle, TriggerSchedule, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	r := startService(t, ServiceConfig{Store: st, Cycle: func(context.Context, string) error { return nil }})
	waitFor(t, 15*time.Second, "the stale run to be failed", func() bool {
		for _, run := range runsOf(t, st, JobCycle) {
			if run.ID == stale {
				return run.Status == store.JobFailed && run.Error == store.AbandonReason
			}
		}
		return false
	})
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
}

func TestNewServiceRejectsBadConfig(t *testing.T) {
	st := storetest.NewStore(t)
	cycle := func(context.Context, string) error { return nil }
	onFile := func(context.Context, string) error { return nil }
	file := filepath.Join(t.TempDir(), "f")
	writeFile(t, file, "")
	tests := []struct {
		name    string
		cfg     ServiceConfig
		wantErr string
	}{
		{"no store", ServiceConfig{Cycle: cycle}, "needs a store"},
		{"nothing to do", ServiceConfig{Store: st}, "nothing to do"},
		{"bad spec", ServiceConfig{Store: st, Cycle: cycle, Spec: "0 25 * * *"}, `schedule "0 25 * * *"`},
		{"bad zone prefix", ServiceConfig{Store: st, Cycle: cycle, Spec: "CRON_TZ=Europe/Lundun 0 2 * * *"}, "Europe/Lundun"},
		{"inbox without handler", ServiceConfig{Store: st, InboxDir: t.TempDir()}, "without a file handler"},
		{"inbox is a file", ServiceConfig{Store: st, InboxDir: file, OnFile: onFile}, "not a directory"},
		{"missing inbox", ServiceConfig{Store: st, InboxDir: file + "x", OnFile: onFile}, "not a directory"},
		{"negative settle", ServiceConfig{Store: st, Cycle: cycle, Settle: -time.Second}, "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewService(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("NewService: got %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestServiceNext(t *testing.T) {
	st := storetest.NewStore(t)
	svc, err := NewService(ServiceConfig{Store: st, Cycle: func(context.Context, string) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	if got, want := svc.Next(at), time.Date(2026, 7, 2, 1, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Next with the defaults: got %s, want %s (02:00 BST)", got, want)
	}
}

// TestMissedSlotIsCaughtUpOnce starts the service after an hourly slot
// passed with no cycle run since an older one: the cycle runs once at
// start-up for that slot, and a restart does not run it again.
func TestMissedSlotIsCaughtUpOnce(t *testing.T) {
	st := storetest.NewStore(t)
	ctx := context.Background()
	now := time.Now()
	st.Now = func() time.Time { return now.Add(-3 * time.Hour) }
	old, err := st.StartJobRun(ctx, JobCycle, TriggerSchedule, now.Add(-3*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.FinishJobRun(ctx, old, store.JobSucceeded, store.JobCounts{}, ""); err != nil {
		t.Fatal(err)
	}
	st.Now = time.Now
	var triggers []string
	var mu sync.Mutex
	cycle := func(ctx context.Context, trigger string) error {
		mu.Lock()
		defer mu.Unlock()
		triggers = append(triggers, trigger)
		return nil
	}
	cfg := ServiceConfig{Store: st, Spec: "0 * * * *", Location: time.UTC, Cycle: cycle, CatchUp: 2 * time.Hour}
	for start := range 2 {
		r := startService(t, cfg)
		if start == 0 {
			waitFor(t, 15*time.Second, "the catch-up run", func() bool {
				return countStatus(runsOf(t, st, JobCycle), store.JobSucceeded) == 2
			})
		} else {
			time.Sleep(500 * time.Millisecond)
		}
		if err := r.stop(t); err != nil {
			t.Fatalf("Run: %v", err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(triggers) != 1 || triggers[0] != TriggerCatchUp {
		t.Errorf("cycle triggers: %q, want one %q", triggers, TriggerCatchUp)
	}
	slot := now.UTC().Truncate(time.Hour)
	if latest := runsOf(t, st, JobCycle)[0]; latest.ScheduledFor == nil || !latest.ScheduledFor.Equal(slot) {
		t.Errorf("catch-up run's slot: %v, want %v", latest.ScheduledFor, slot)
	}
}

// TestNoCatchUpOnFirstStart: a database that never ran a cycle has missed
// nothing.
func TestNoCatchUpOnFirstStart(t *testing.T) {
	st := storetest.NewStore(t)
	var calls atomic.Int32
	cycle := func(ctx context.Context, trigger string) error { calls.Add(1); return nil }
	r := startService(t, ServiceConfig{Store: st, Spec: "0 * * * *", Location: time.UTC, Cycle: cycle})
	time.Sleep(500 * time.Millisecond)
	if err := r.stop(t); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("cycle ran %d times on a first start, want 0", n)
	}
}
