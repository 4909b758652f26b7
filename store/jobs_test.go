package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/store/storetest"
)

// stepClock returns a clock that starts at start and advances by one
// minute on every call.
func stepClock(start time.Time) func() time.Time {
	t := start.Add(-time.Minute)
	return func() time.Time {
		t = t.Add(time.Minute)
		return t
	}
}

func TestJobRunLifecycle(t *testing.T) {
	st := storetest.NewStore(t)
	start := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
	st.Now = stepClock(start)
	ctx := context.Background()

	id, err := st.StartJobRun(ctx, "cycle", "schedule", start)
	if err != nil {
		t.Fatal(err)
	}
	counts := store.JobCounts{FilesLoaded: 3, FilesSkipped: 1, FilesRejected: 2, ReportPath: "out/r.xlsx",
		Notes: "not sent: nothing changed"}
	if err := st.FinishJobRun(ctx, id, store.JobSucceeded, counts, ""); err != nil {
		t.Fatal(err)
	}
	if err := st.FinishJobRun(ctx, id, store.JobFailed, counts, "again"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("finishing twice: got %v, want ErrNotFound", err)
	}

	got, err := st.LastSuccessfulJobRun(ctx, "cycle")
	if err != nil {
		t.Fatal(err)
	}
	sched, fin := start, start.Add(time.Minute)
	want := store.JobRun{
		ID: id, Job: "cycle", Trigger: "schedule", ScheduledFor: &sched, StartedAt: start,
		FinishedAt: &fin, Status: store.JobSucceeded, JobCounts: counts,
	}
	if diff := cmp.Diff(want, got, timeEqual); diff != "" {
		t.Errorf("last successful run (-want +got):\n%s", diff)
	}
}

var timeEqual = cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })

func TestFinishJobRunRejectsBadStatus(t *testing.T) {
	st := storetest.NewStore(t)
	ctx := context.Background()
	id, err := st.StartJobRun(ctx, "cycle", "manual", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for _, status := range []string{"", "running", "done"} {
		if err := st.FinishJobRun(ctx, id, status, store.JobCounts{}, ""); err == nil {
			t.Errorf("FinishJobRun(%q): got nil error, want one", status)
		}
	}
}

func TestJobRunQueries(t *testing.T) {
	st := storetest.NewStore(t)
	st.Now = stepClock(time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC))
	ctx := context.Background()

	if _, err := st.LastSuccessfulJobRun(ctx, "cycle"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("empty table: got %v, want ErrNotFound", err)
	}
	ok := mustRun(t, st, "cycle", store.JobSucceeded, "")
	failed := mustRun(t, st, "cycle", store.JobFailed, "boom")
	skipped, err := st.RecordSkippedJobRun(ctx, "cycle", "schedule", st.Now(), "already running")
	if err != nil {
		t.Fatal(err)
	}
	ingest := mustRun(t, st, "ingest", store.JobSucceeded, "")

	tests := []struct {
		name string
		job  string
		want []int64
	}{
		{"cycle", "cycle", []int64{skipped, failed, ok}},
		{"all", "", []int64{ingest, skipped, failed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs, err := st.JobRuns(ctx, tt.job, 3)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, r := range runs {
				got = append(got, r.ID)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
		})
	}

	last, err := st.LastSuccessfulJobRun(ctx, "cycle")
	if err != nil || last.ID != ok {
		t.Errorf("last successful: got %d, %v; want %d", last.ID, err, ok)
	}
	fin, err := st.LastFinishedJobRun(ctx, "cycle")
	if err != nil || fin.ID != failed || fin.Error != "boom" {
		t.Errorf("last finished: got %d %q, %v; want %d \"boom\"", fin.ID, fin.Error, err, failed)
	}
}

func mustRun(t *testing.T, st *store.Store, job, status, errText string) int64 {
	t.Helper()
	ctx := context.Background()
	id, err := st.StartJobRun(ctx, job, "manual", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.FinishJobRun(ctx, id, status, store.JobCounts{}, errText); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestAbandonJobRuns(t *testing.T) {
	st := storetest.NewStore(t)
	ctx := context.Background()
	done := mustRun(t, st, "cycle", store.JobSucceeded, "")
	stale, err := st.StartJobRun(ctx, "cycle", "schedule", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	n, err := st.AbandonJobRuns(ctx)
	if err != nil || n != 1 {
		t.Fatalf("AbandonJobRuns: got %d, %v; want 1", n, err)
	}
	runs, err := st.JobRuns(ctx, "cycle", 10)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]string{}
	for _, r := range runs {
		got[r.ID] = r.Status + "|" + r.Error
	}
	want := map[int64]string{done: "succeeded|", stale: "failed|" + store.AbandonReason}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}

func TestRanSince(t *testing.T) {
	st := storetest.NewStore(t)
	ctx := context.Background()
	before := time.Now().Add(-time.Hour)
	if ran, err := st.RanSince(ctx, "cycle", before); err != nil || ran {
		t.Fatalf("no runs yet: RanSince = %v, %v; want false", ran, err)
	}
	mustRun(t, st, "cycle", store.JobSkipped, "busy")
	if _, err := st.StartJobRun(ctx, "cycle", "schedule", time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AbandonJobRuns(ctx); err != nil {
		t.Fatal(err)
	}
	if ran, err := st.RanSince(ctx, "cycle", before); err != nil || ran {
		t.Fatalf("only skipped and abandoned runs: RanSince = %v, %v; want false", ran, err)
	}
	mustRun(t, st, "cycle", store.JobFailed, "smtp down")
	if ran, err := st.RanSince(ctx, "cycle", before); err != nil || !ran {
		t.Errorf("a failed run ran: RanSince = %v, %v; want true", ran, err)
	}
	if ran, err := st.RanSince(ctx, "cycle", time.Now().Add(time.Hour)); err != nil || ran {
		t.Errorf("nothing ran after the future: RanSince = %v, %v; want false", ran, err)
	}
}

func TestTryJobLockAcrossStores(t *testing.T) {
	url := storetest.URL(t)
	ctx := context.Background()
	a, b := storetest.Open(t, url), storetest.Open(t, url)

	la, err := a.TryJobLock(ctx, "pipeline")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.TryJobLock(ctx, "pipeline"); !errors.Is(err, store.ErrLockHeld) {
		t.Fatalf("second replica: got %v, want ErrLockHeld", err)
	}
	if _, err := a.TryJobLock(ctx, "pipeline"); !errors.Is(err, store.ErrLockHeld) {
		t.Fatalf("second session of the same process: got %v, want ErrLockHeld", err)
	}
	other, err := b.TryJobLock(ctx, "other")
	if err != nil {
		t.Fatalf("a different lock name: %v", err)
	}
	other.Release()
	if err := la.Release(); err != nil {
		t.Fatal(err)
	}
	if err := la.Release(); err != nil {
		t.Errorf("second Release: %v", err)
	}
	lb, err := b.TryJobLock(ctx, "pipeline")
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	lb.Release()
}

// TestJobLockLoss ends the session holding a lock, as a database restart
// would: the holder learns of it from Check, and Keep takes the lock
// again unless another session took it meanwhile.
func TestJobLockLoss(t *testing.T) {
	tests := []struct {
		name string
		// other takes the lock between its loss and Keep.
		other      bool
		wantKeep   error // nil: retaken
		wantRetake bool
	}{
		{name: "free again", wantRetake: true},
		{name: "taken by another session", other: true, wantKeep: store.ErrLockHeld},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := storetest.URL(t)
			ctx := context.Background()
			a, b := storetest.Open(t, url), storetest.Open(t, url)
			l, err := a.TryJobLock(ctx, "pipeline")
			if err != nil {
				t.Fatal(err)
			}
			defer l.Release()
			if err := l.Check(ctx); err != nil {
				t.Fatalf("Check while held: %v", err)
			}
			if retaken, err := l.Keep(ctx); err != nil || retaken {
				t.Fatalf("Keep while held: %v, %v; want false, nil", retaken, err)
			}
			first := l.PID()
			storetest.EndSession(t, url, first)

			if err := l.Check(ctx); !errors.Is(err, store.ErrLockLost) {
				t.Fatalf("Check after the session ended: got %v, want ErrLockLost", err)
			}
			// Once lost, the lock stays lost for Check, even when free.
			if err := l.Check(ctx); !errors.Is(err, store.ErrLockLost) {
				t.Fatalf("second Check after the session ended: got %v, want ErrLockLost", err)
			}
			if tt.other {
				lb, err := b.TryJobLock(ctx, "pipeline")
				if err != nil {
					t.Fatalf("another session taking the lost lock: %v", err)
				}
				defer lb.Release()
			}
			retaken, err := l.Keep(ctx)
			if tt.wantKeep != nil {
				if !errors.Is(err, tt.wantKeep) || !errors.Is(err, store.ErrLockLost) {
					t.Fatalf("Keep: got %v, want ErrLockLost and %v", err, tt.wantKeep)
				}
			} else if err != nil {
				t.Fatalf("Keep: %v", err)
			}
			if retaken != tt.wantRetake {
				t.Fatalf("Keep retaken = %v, want %v", retaken, tt.wantRetake)
			}
			if !tt.wantRetake {
				return
			}
			if l.PID() == first {
				t.Errorf("retaken on the ended session %d", first)
			}
			if err := l.Check(ctx); err != nil {
				t.Errorf("Check after Keep took it again: %v", err)
			}
			if _, err := b.TryJobLock(ctx, "pipeline"); !errors.Is(err, store.ErrLockHeld) {
				t.Errorf("another session after Keep: got %v, want ErrLockHeld", err)
			}
			if err := l.Release(); err != nil {
				t.Fatalf("Release: %v", err)
			}
			if err := l.Check(ctx); !errors.Is(err, store.ErrLockLost) {
				t.Errorf("Check after Release: got %v, want ErrLockLost", err)
			}
			lb, err := b.TryJobLock(ctx, "pipeline")
			if err != nil {
				t.Fatalf("after Release: %v", err)
			}
			lb.Release()
		})
	}
}
