package schedules

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/store/storetest"
)

// TestRankingNotSavedOnceThePipelineLockIsLost ends the database session
// holding the pipeline lock while a cycle or a re-rank runs, as a
// database restart would: the job fails naming the lost lock and stores
// no ranking, since another process may have taken the lock and be
// ranking too. With the lock kept, the same job stores one.
func TestRankingNotSavedOnceThePipelineLockIsLost(t *testing.T) {
	tests := []struct {
		name     string
		rerank   bool
		loseLock bool
	}{
		{name: "cycle, lock kept"},
		{name: "cycle, lock lost", loseLock: true},
		{name: "re-rank, lock kept", rerank: true},
		{name: "re-rank, lock lost", rerank: true, loseLock: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := storetest.URL(t)
			st := storetest.Open(t, url)
			logger, _ := testLogger(t)
			c := testCycle(t, st, logger)
			if err := os.WriteFile(filepath.Join(c.InboxDir, "a.csv"), []byte(smallExport), 0o644); err != nil {
				t.Fatal(err)
			}
			// lose ends the session holding the run's lock, if the case says so.
			lose := func(ctx context.Context) {
				r := RunFromContext(ctx)
				if r == nil || r.lock == nil {
					t.Fatal("job run without its lock")
				}
				if tt.loseLock {
					storetest.EndSession(t, url, r.lock.PID())
				}
			}
			cfg := ServiceConfig{Store: st, Logger: logger, Pipeline: c,
				Cycle: func(ctx context.Context, trigger string) error {
					lose(ctx)
					_, err := c.Run(ctx, trigger)
					return err
				}}
			if tt.rerank {
				if _, err := c.Ingester.IngestFile(context.Background(), filepath.Join(c.InboxDir, "a.csv")); err != nil {
					t.Fatal(err)
				}
				cfg.Rerank = func(ctx context.Context) error {
					lose(ctx)
					_, err := c.Recompute(ctx)
					return err
				}
			}
			svc, err := NewService(cfg)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			job := JobCycle
			if tt.rerank {
				job = JobRank
				err = svc.runRerank(ctx)
			} else {
				err = svc.RunCycle(ctx, TriggerManual)
			}
			_, rankErr := st.LatestRanking(ctx)
			runs := runsOf(t, st, job)
			if len(runs) != 1 {
				t.Fatalf("%s runs: %+v; want one", job, runs)
			}
			if !tt.loseLock {
				if err != nil || rankErr != nil || runs[0].Status != store.JobSucceeded {
					t.Fatalf("with the lock kept: job %v, ranking %v, run %s; want a ranking saved", err, rankErr, runs[0].Status)
				}
				return
			}
			if !errors.Is(err, store.ErrLockLost) {
				t.Errorf("job: got %v, want ErrLockLost", err)
			}
			if !errors.Is(rankErr, store.ErrNotFound) {
				t.Errorf("a ranking was saved after the lock was lost (LatestRanking: %v)", rankErr)
			}
			if runs[0].Status != store.JobFailed {
				t.Errorf("run status %s, want failed", runs[0].Status)
			}
		})
	}
}

// TestSweepKeepsTheWorkerLock ends the session holding this process's
// worker lock, as a database restart would, while one of its runs is in
// progress: the sweep for abandoned runs takes the lock again and leaves
// the run alone. When another session holds the lock by then, the sweep
// marks nothing rather than this process's own runs.
func TestSweepKeepsTheWorkerLock(t *testing.T) {
	tests := []struct {
		name      string
		taken     bool // another session takes the worker lock first
		wantLines []string
	}{
		{name: "retaken", wantLines: []string{"worker lock was lost", "took it again"}},
		{name: "taken by another session", taken: true, wantLines: []string{"worker lock lost; not marking abandoned job runs"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := storetest.URL(t)
			st, other := storetest.Open(t, url), storetest.Open(t, url)
			logger, logs := testLogger(t)
			svc, err := NewService(ServiceConfig{Store: st, Logger: logger,
				Cycle: func(context.Context, string) error { return nil }})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			release := svc.holdWorker(ctx)
			defer release()
			if svc.guard.worker == nil {
				t.Fatal("no worker lock taken")
			}
			id, err := st.StartJobRun(ctx, JobCycle, TriggerManual, at(12, 0))
			if err != nil {
				t.Fatal(err)
			}
			storetest.EndSession(t, url, svc.guard.worker.PID())
			if tt.taken {
				l, err := other.TryJobLock(ctx, "worker/"+svc.files.id)
				if err != nil {
					t.Fatal(err)
				}
				defer l.Release()
			}

			svc.guard.abandonStale(ctx)
			logs.waitLine(t, tt.wantLines...)
			runs := runsOf(t, st, JobCycle)
			if len(runs) != 1 || runs[0].ID != id || runs[0].Status != store.JobRunning {
				t.Fatalf("runs %+v; want run %d still running", runs, id)
			}
			if tt.taken {
				return
			}
			// Held again: another replica's sweep spares the run too.
			if n, err := other.AbandonJobRuns(ctx); err != nil || n != 0 {
				t.Errorf("another replica's sweep: %d, %v; want 0 marked", n, err)
			}
			if _, err := other.TryJobLock(ctx, "worker/"+svc.files.id); !errors.Is(err, store.ErrLockHeld) {
				t.Errorf("worker lock from another session: got %v, want ErrLockHeld", err)
			}
		})
	}
}
