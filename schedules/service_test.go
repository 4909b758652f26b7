package schedules

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/store/storetest"
)

// hourly fires at the start of every hour.
const hourly = "0 * * * *"

// at returns a time on the day the fake clocks of these tests start.
func at(hour, min int) time.Time {
	return time.Date(2026, 7, 1, hour, min, 0, 0, time.UTC)
}

// fileSettle is the settle period of services watching an inbox on the
// real clock; dropFile puts files in place whole, so it can be short.
const fileSettle = 10 * time.Millisecond

// clockedStore returns a store on a fresh database whose clock, and the
// database's as far as leases go, is a fake one starting at start, the
// clock to give the service too.
func clockedStore(t *testing.T, start time.Time) (*store.Store, *fakeClock) {
	t.Helper()
	st := storetest.NewStore(t)
	clk := newFakeClock(start)
	st.Now, st.DBNow = clk.Now, clk.Now
	return st, clk
}

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
	receive(t, r.done, "return from Run after cancel")
	return r.err
}

// startService runs a service built from cfg until the test ends.
func startService(t *testing.T, cfg ServiceConfig) *running {
	t.Helper()
	svc, err := NewService(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return runService(t, svc)
}

// runService runs svc until the test ends.
func runService(t *testing.T, svc *Service) *running {
	t.Helper()
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

// runView is what the tests check of a recorded run.
type runView struct {
	Status, Trigger, Error string
	ScheduledFor           time.Time
	Finished               bool
}

// viewRuns returns the runs of job, oldest first.
func viewRuns(t *testing.T, st *store.Store, job string) []runView {
	t.Helper()
	var views []runView
	for _, r := range runsOf(t, st, job) {
		v := runView{Status: r.Status, Trigger: r.Trigger, Error: r.Error, Finished: r.FinishedAt != nil}
		if r.ScheduledFor != nil {
			v.ScheduledFor = r.ScheduledFor.UTC()
		}
		views = append([]runView{v}, views...)
	}
	return views
}

func TestScheduledCycleRunsAndIsRecorded(t *testing.T) {
	st, clk := clockedStore(t, at(12, 30))
	logger, _ := testLogger(t)
	triggers := make(chan string, 10)
	cycle := func(ctx context.Context, trigger string) error {
		RunFromContext(ctx).SetCounts(store.JobCounts{FilesLoaded: 2, ReportPath: "out/roadmap.xlsx"})
		triggers <- trigger
		return nil
	}
	r := startService(t, ServiceConfig{Store: st, Logger: logger, Spec: hourly, Location: time.UTC,
		Cycle: cycle, clock: clk})
	clk.waitSleeping(t)
	clk.AdvanceTo(at(13, 0))
	if got := receive(t, triggers, "scheduled cycle"); got != TriggerSchedule {
		t.Errorf("trigger: got %q, want %q", got, TriggerSchedule)
	}
	if err := r.stop(t); err != nil {
		t.Fatalf("Run: %v", err)
	}
	want := []runView{{Status: store.JobSucceeded, Trigger: TriggerSchedule, ScheduledFor: at(13, 0), Finished: true}}
	if diff := cmp.Diff(want, viewRuns(t, st, JobCycle)); diff != "" {
		t.Errorf("recorded runs (-want +got):\n%s", diff)
	}
	if run := runsOf(t, st, JobCycle)[0]; run.FilesLoaded != 2 || run.ReportPath != "out/roadmap.xlsx" {
		t.Errorf("counters: got %+v, want files_loaded 2 and the report path", run.JobCounts)
	}
}

func TestOverlappingTickIsSkippedLoggedAndRecorded(t *testing.T) {
	st, clk := clockedStore(t, at(12, 30))
	logger, logs := testLogger(t)
	started, release := make(chan struct{}), make(chan struct{})
	var calls atomic.Int32
	cycle := func(ctx context.Context, _ string) error {
		if calls.Add(1) == 1 {
			close(started)
			<-release // the first run outlasts the next slot
		}
		return nil
	}
	r := startService(t, ServiceConfig{Store: st, Logger: logger, Spec: hourly, Location: time.UTC,
		Cycle: cycle, clock: clk})
	clk.waitSleeping(t)
	clk.AdvanceTo(at(13, 0))
	receive(t, started, "start of the 13:00 cycle")
	clk.waitSleeping(t)
	clk.AdvanceTo(at(14, 0))
	logs.waitLine(t, "job skipped", "job=cycle")
	close(release)
	if err := r.stop(t); err != nil {
		t.Fatalf("Run: %v", err)
	}
	want := []runView{
		{Status: store.JobSucceeded, Trigger: TriggerSchedule, ScheduledFor: at(13, 0), Finished: true},
		{Status: store.JobSkipped, Trigger: TriggerSchedule, ScheduledFor: at(14, 0), Finished: true,
			Error: "previous cycle still running in this process"},
	}
	if diff := cmp.Diff(want, viewRuns(t, st, JobCycle)); diff != "" {
		t.Errorf("recorded runs (-want +got):\n%s", diff)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("cycle called %d times, want 1", n)
	}
	if n := countLines(logs.String(), "level=WARN", "job skipped", "job=cycle"); n != 1 {
		t.Errorf("%d skip warnings logged, want 1", n)
	}
}

// TestPanickingCycleIsRecordedAsFailed: a cycle that panics is recorded as
// failed with the panic, logged with its stack, and leaves the service able
// to stop cleanly and, started again, to run the next slot: the panic left
// neither the in-process guard nor the pipeline lock held.
func TestPanickingCycleIsRecordedAsFailed(t *testing.T) {
	st, clk := clockedStore(t, at(12, 30))
	logger, logs := testLogger(t)
	var calls atomic.Int32
	ran := make(chan int32, 10)
	cycle := func(context.Context, string) error {
		n := calls.Add(1)
		ran <- n
		if n == 1 {
			panic("workbook exploded")
		}
		return nil
	}
	svc, err := NewService(ServiceConfig{Store: st, Logger: logger, Spec: hourly, Location: time.UTC,
		Cycle: cycle, clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	for _, slot := range []time.Time{at(13, 0), at(14, 0)} {
		r := runService(t, svc)
		clk.waitSleeping(t)
		clk.AdvanceTo(slot)
		receive(t, ran, "cycle at "+slot.Format("15:04"))
		if err := r.stop(t); err != nil {
			t.Fatalf("Run: %v", err)
		}
	}
	want := []runView{
		{Status: store.JobFailed, Trigger: TriggerSchedule, ScheduledFor: at(13, 0), Finished: true,
			Error: "panic: workbook exploded"},
		{Status: store.JobSucceeded, Trigger: TriggerSchedule, ScheduledFor: at(14, 0), Finished: true},
	}
	if diff := cmp.Diff(want, viewRuns(t, st, JobCycle)); diff != "" {
		t.Errorf("recorded runs (-want +got):\n%s", diff)
	}
	if countLines(logs.String(), "job panicked", "workbook exploded", "stack=") != 1 {
		t.Errorf("panic not logged once with its stack")
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

// TestWatchedFileWaitsForOtherWorkersClaim: a settled file that another
// worker has claimed is not handled nor recorded while the claim lives,
// and is handled once it is released and its lease would have ended.
func TestWatchedFileWaitsForOtherWorkersClaim(t *testing.T) {
	url := storetest.URL(t)
	mine, other := storetest.Open(t, url), storetest.Open(t, url)
	clk := newFakeClock(at(12, 0))
	mine.Now, other.Now = clk.Now, clk.Now
	mine.DBNow, other.DBNow = clk.Now, clk.Now
	ctx := context.Background()
	inbox := t.TempDir()
	dropFile(t, filepath.Join(inbox, "a.csv"), "x")
	claim, err := other.ClaimFile(ctx, "a.csv", "other#1", store.FileVersion{}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	logger, logs := testLogger(t)
	h := newHandoffs()
	r := startService(t, ServiceConfig{Store: mine, Logger: logger, InboxDir: inbox, OnFile: h.handle,
		Settle: 40 * time.Millisecond, Rescan: time.Hour, clock: clk})
	logs.waitLine(t, "inbox file noticed", "a.csv")
	clk.Advance(40 * time.Millisecond)
	logs.waitLine(t, "inbox file claimed elsewhere", "owner=other#1")
	if got := h.names(); len(got) != 0 {
		t.Fatalf("file handled while another worker held its claim: %v", got)
	}
	if err := other.ReleaseClaim(ctx, claim); err != nil {
		t.Fatal(err)
	}
	clk.AdvanceTo(at(12, 1))
	receive(t, h.handed, "hand-over after the claim was released")
	if err := r.stop(t); err != nil {
		t.Fatalf("Run: %v", err)
	}
	want := []runView{{Status: store.JobSucceeded, Trigger: TriggerWatch, Finished: true}}
	if diff := cmp.Diff(want, viewRuns(t, mine, JobIngest)); diff != "" {
		t.Errorf("ingest runs, conflicts not recorded (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{"a.csv": 1}, h.times()); diff != "" {
		t.Errorf("hand-overs (-want +got):\n%s", diff)
	}
}

func TestRunWaitsForFileInHand(t *testing.T) {
	st := storetest.NewStore(t)
	inbox := t.TempDir()
	logger, logs := testLogger(t)
	started, release := make(chan struct{}), make(chan struct{})
	var finished atomic.Bool
	onFile := func(ctx context.Context, path string) error {
		close(started)
		<-release
		if ctx.Err() != nil {
			return ctx.Err()
		}
		finished.Store(true)
		return os.Remove(path)
	}
	r := startService(t, ServiceConfig{Store: st, Logger: logger, InboxDir: inbox, OnFile: onFile, Settle: fileSettle})
	dropFile(t, filepath.Join(inbox, "a.csv"), "x")
	receive(t, started, "hand-over")
	r.cancel()
	logs.waitLine(t, "shutting down")
	select {
	case <-r.done:
		t.Fatal("Run returned while the file was still in hand")
	default:
	}
	close(release)
	if err := r.stop(t); err != nil {
		t.Fatalf("Run: got %v, want nil", err)
	}
	if !finished.Load() {
		t.Fatal("Run returned before the file in hand was finished")
	}
	want := []runView{{Status: store.JobSucceeded, Trigger: TriggerWatch, Finished: true}}
	if diff := cmp.Diff(want, viewRuns(t, st, JobIngest)); diff != "" {
		t.Errorf("ingest runs (-want +got):\n%s", diff)
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
		Settle: fileSettle, ShutdownTimeout: 50 * time.Millisecond})
	dropFile(t, filepath.Join(inbox, "a.csv"), "x")
	receive(t, started, "hand-over")
	if err := r.stop(t); err == nil || !strings.Contains(err.Error(), "shutdown timeout") {
		t.Fatalf("Run: got %v, want a shutdown timeout error", err)
	}
	want := []runView{{Status: store.JobFailed, Trigger: TriggerWatch, Finished: true, Error: "context canceled"}}
	if diff := cmp.Diff(want, viewRuns(t, st, JobIngest)); diff != "" {
		t.Errorf("ingest runs, want one failed, cancelled run (-want +got):\n%s", diff)
	}
}

// TestDeliveryPassStopsAtShutdown: a delivery pass in progress when the
// service is told to stop sees its context cancelled at once, so that it
// claims no other message, rather than going on through the outbox until
// the shutdown timeout cuts it off.
func TestDeliveryPassStopsAtShutdown(t *testing.T) {
	st, clk := clockedStore(t, at(12, 30))
	logger, _ := testLogger(t)
	started := make(chan struct{})
	deliver := func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		return ctx.Err()
	}
	r := startService(t, ServiceConfig{Store: st, Logger: logger, Spec: hourly, CatchUp: -1,
		Cycle: func(context.Context, string) error { return nil }, Deliver: deliver,
		DeliverInterval: 10 * time.Minute, ShutdownTimeout: 5 * time.Second, clock: clk})
	waitSleeperUntil(t, clk, at(12, 40))
	clk.AdvanceTo(at(12, 40))
	receive(t, started, "delivery pass")
	if err := r.stop(t); err != nil {
		t.Fatalf("Run: got %v, want nil: the delivery pass should have stopped with the service", err)
	}
	runs := runsOf(t, st, JobDeliver)
	if len(runs) != 1 || runs[0].Status != store.JobSucceeded || runs[0].Notes != deliverStopped {
		t.Errorf("delivery runs %+v, want one succeeded, noting it was stopped", runs)
	}
}

// waitSleeperUntil waits until a goroutine sleeps on clk until exactly
// until, so that advancing the clock to it wakes that goroutine.
func waitSleeperUntil(t *testing.T, clk *fakeClock, until time.Time) {
	t.Helper()
	timeout := time.NewTimer(hangGuard)
	defer timeout.Stop()
	for {
		clk.mu.Lock()
		found := false
		for s := range clk.sleepers {
			found = found || s.until.Equal(until)
		}
		slept := clk.slept
		clk.mu.Unlock()
		if found {
			return
		}
		select {
		case <-slept:
		case <-timeout.C:
			t.Fatalf("nothing slept on the clock until %s within %s", until, hangGuard)
		}
	}
}

// TestCycleAndFileNeverOverlap: a file that settles while a cycle runs
// waits for the cycle to finish.
// TestFileHandledWhileCycleRuns: inbox files no longer wait for the
// pipeline lock; a file dropped during a long cycle is read at once.
func TestFileHandledWhileCycleRuns(t *testing.T) {
	st := storetest.NewStore(t)
	inbox := t.TempDir()
	logger, logs := testLogger(t)
	started, release := make(chan struct{}), make(chan struct{})
	cycle := func(_ context.Context, trigger string) error {
		if trigger != TriggerManual {
			return nil // the nightly slot passing during the test changes nothing
		}
		close(started)
		<-release
		return nil
	}
	handled := make(chan struct{})
	onFile := func(_ context.Context, path string) error {
		close(handled)
		return os.Remove(path)
	}
	r := startService(t, ServiceConfig{Store: st, Logger: logger, Cycle: cycle,
		InboxDir: inbox, OnFile: onFile, Settle: fileSettle})
	logs.waitLine(t, "schedule started")
	cycleErr := make(chan error, 1)
	go func() { cycleErr <- r.svc.RunCycle(context.Background(), TriggerManual) }()
	receive(t, started, "start of the cycle")
	dropFile(t, filepath.Join(inbox, "a.csv"), "x")
	receive(t, handled, "hand-over during the cycle")
	close(release)
	if err := receive(t, cycleErr, "end of the cycle"); err != nil {
		t.Fatalf("RunCycle: %v", err)
	}
	if err := r.stop(t); err != nil {
		t.Fatalf("Run: %v", err)
	}
}

func TestRunMarksAbandonedRuns(t *testing.T) {
	st, clk := clockedStore(t, at(12, 30))
	ctx := context.Background()
	stale, err := st.StartJobRun(ctx, JobCycle, TriggerSchedule, at(12, 0))
	if err != nil {
		t.Fatal(err)
	}
	logger, logs := testLogger(t)
	// Catching up is off: the abandoned run would make 12:00 a missed slot
	// (TestMissedSlot checks that), and this test is about the marking.
	r := startService(t, ServiceConfig{Store: st, Logger: logger, Spec: hourly, Location: time.UTC,
		Cycle: func(context.Context, string) error { return nil }, CatchUp: -1, clock: clk})
	logs.waitLine(t, "marked abandoned job runs as failed", "runs=1")
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
	runs := runsOf(t, st, JobCycle)
	if len(runs) != 1 || runs[0].ID != stale || runs[0].Status != store.JobFailed || runs[0].Error != store.AbandonReason {
		t.Errorf("runs: got %+v, want the stale run failed as abandoned", runs)
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

// TestMissedSlotIsCaughtUpOnce starts the service after hourly slots
// passed with no cycle run since an older one: the cycle runs once at
// start-up for the latest missed slot, and a restart does not run it again.
func TestMissedSlotIsCaughtUpOnce(t *testing.T) {
	st, clk := clockedStore(t, at(9, 30))
	ctx := context.Background()
	old, err := st.StartJobRun(ctx, JobCycle, TriggerSchedule, at(9, 0))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.FinishJobRun(ctx, old, store.JobSucceeded, store.JobCounts{}, ""); err != nil {
		t.Fatal(err)
	}
	clk.AdvanceTo(at(12, 30)) // down through 10:00, 11:00 and 12:00
	logger, _ := testLogger(t)
	triggers := make(chan string, 10)
	cycle := func(ctx context.Context, trigger string) error {
		triggers <- trigger
		return nil
	}
	cfg := ServiceConfig{Store: st, Logger: logger, Spec: hourly, Location: time.UTC, Cycle: cycle,
		CatchUp: 2 * time.Hour, clock: clk}

	r := startService(t, cfg)
	if got := receive(t, triggers, "catch-up cycle"); got != TriggerCatchUp {
		t.Errorf("trigger: got %q, want %q", got, TriggerCatchUp)
	}
	if err := r.stop(t); err != nil {
		t.Fatalf("Run: %v", err)
	}

	svc, err := NewService(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := svc.missedSlot(ctx); !got.IsZero() {
		t.Errorf("after the catch-up run, a restart finds slot %s missed, want none", got)
	}
	r = runService(t, svc)
	clk.waitSleeping(t) // started, and waiting for the 13:00 slot
	if err := r.stop(t); err != nil {
		t.Fatalf("Run: %v", err)
	}
	close(triggers)
	for trigger := range triggers {
		t.Errorf("restart ran the cycle again (trigger %q)", trigger)
	}
	want := []runView{
		{Status: store.JobSucceeded, Trigger: TriggerSchedule, ScheduledFor: at(9, 0), Finished: true},
		{Status: store.JobSucceeded, Trigger: TriggerCatchUp, ScheduledFor: at(12, 0), Finished: true},
	}
	if diff := cmp.Diff(want, viewRuns(t, st, JobCycle)); diff != "" {
		t.Errorf("recorded runs (-want +got):\n%s", diff)
	}
}

// TestMissedSlot checks which slot, if any, the service catches up at
// start-up at 12:30 for an hourly schedule, from the runs recorded before.
func TestMissedSlot(t *testing.T) {
	type past struct {
		trigger string
		started time.Time
		status  string // a run left running is marked abandoned at start
	}
	tests := []struct {
		name    string
		runs    []past
		catchUp time.Duration
		want    time.Time
	}{
		{"first start: nothing ran, nothing missed", nil, 0, time.Time{}},
		{"only skipped runs", []past{{TriggerSchedule, at(9, 0), store.JobSkipped}}, 0, time.Time{}},
		{"ran before the last slot", []past{{TriggerSchedule, at(11, 0), store.JobSucceeded}}, 0, at(12, 0)},
		{"a failed run counts as run", []past{{TriggerSchedule, at(12, 0), store.JobFailed}}, 0, time.Time{}},
		{"a manual run since the slot counts", []past{
			{TriggerSchedule, at(11, 0), store.JobSucceeded}, {TriggerManual, at(12, 10), store.JobSucceeded},
		}, 0, time.Time{}},
		{"an abandoned run does not count", []past{
			{TriggerSchedule, at(11, 0), store.JobSucceeded}, {TriggerSchedule, at(12, 0), store.JobRunning},
		}, 0, at(12, 0)},
		{"the slot is older than the catch-up window", []past{{TriggerSchedule, at(11, 0), store.JobSucceeded}},
			20 * time.Minute, time.Time{}},
		{"catching up turned off", []past{{TriggerSchedule, at(11, 0), store.JobSucceeded}}, -1, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // each case has its own database and clock
			st, clk := clockedStore(t, at(0, 0))
			ctx := context.Background()
			for _, p := range tt.runs {
				clk.AdvanceTo(p.started)
				if p.status == store.JobSkipped {
					if _, err := st.RecordSkippedJobRun(ctx, JobCycle, p.trigger, p.started, "busy"); err != nil {
						t.Fatal(err)
					}
					continue
				}
				id, err := st.StartJobRun(ctx, JobCycle, p.trigger, p.started)
				if err != nil {
					t.Fatal(err)
				}
				if p.status != store.JobRunning {
					if err := st.FinishJobRun(ctx, id, p.status, store.JobCounts{}, ""); err != nil {
						t.Fatal(err)
					}
				}
			}
			clk.AdvanceTo(at(12, 30))
			svc, err := NewService(ServiceConfig{Store: st, Spec: hourly, Location: time.UTC, CatchUp: tt.catchUp,
				Cycle: func(context.Context, string) error { return nil }, clock: clk})
			if err != nil {
				t.Fatal(err)
			}
			svc.guard.abandonStale(ctx) // as Run does first
			if got := svc.missedSlot(ctx); !got.Equal(tt.want) {
				t.Errorf("missed slot: got %s, want %s", got, tt.want)
			}
		})
	}
}

// TestNoCatchUpOnFirstStart: a database that never ran a cycle has missed
// nothing, however many slots lie in the catch-up window.
func TestNoCatchUpOnFirstStart(t *testing.T) {
	st, clk := clockedStore(t, at(12, 30))
	calls := make(chan string, 10)
	cycle := func(ctx context.Context, trigger string) error {
		calls <- trigger
		return nil
	}
	r := startService(t, ServiceConfig{Store: st, Spec: hourly, Location: time.UTC, Cycle: cycle, clock: clk})
	clk.waitSleeping(t) // started, and waiting for the 13:00 slot
	if err := r.stop(t); err != nil {
		t.Fatalf("Run: %v", err)
	}
	close(calls)
	for trigger := range calls {
		t.Errorf("cycle ran on a first start (trigger %q)", trigger)
	}
	if runs := runsOf(t, st, JobCycle); len(runs) != 0 {
		t.Errorf("runs recorded on a first start: %+v", runs)
	}
}
