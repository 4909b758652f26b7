package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
)

// Job run statuses, as stored in job_runs.status.
const (
	JobRunning   = "running"
	JobSucceeded = "succeeded"
	JobFailed    = "failed"
	JobSkipped   = "skipped"
)

// ErrLockHeld is returned by [Store.TryJobLock] when another session holds
// the lock.
var ErrLockHeld = errors.New("store: job lock held by another session")

// JobCounts are the counters a job run reports when it finishes.
type JobCounts struct {
	FilesLoaded   int `db:"files_loaded"`
	FilesSkipped  int `db:"files_skipped"`
	FilesRejected int `db:"files_rejected"`
	// RankingRunID is the ranking the run produced; zero when none.
	RankingRunID int64 `db:"ranking_run_id"`
	// ReportPath is the workbook the run wrote; empty when none.
	ReportPath string `db:"report_path"`
	// Notes say what else the run did or passed over, for people: inbox
	// entries not read, answers re-matched to practices, e-mail not queued
	// and why (nothing changed, no matched practice).
	Notes string `db:"notes"`
}

// JobRun is one row of job_runs: one execution, or skipped execution, of a
// scheduled, watched or manual job.
type JobRun struct {
	ID      int64  `db:"id"`
	Job     string `db:"job"`
	Trigger string `db:"trigger"`
	// ScheduledFor is the schedule slot the run belongs to; nil for runs not
	// started by the schedule.
	ScheduledFor *time.Time `db:"scheduled_for"`
	StartedAt    time.Time  `db:"started_at"`
	// FinishedAt is nil while the run is in progress.
	FinishedAt *time.Time `db:"finished_at"`
	Status     string     `db:"status"`
	JobCounts
	// Error is the failure, or for a skipped run the reason it was skipped.
	Error string `db:"error"`
}

const jobRunColumns = `id, job, trigger, scheduled_for, started_at, finished_at, status,
	files_loaded, files_skipped, files_rejected, coalesce(ranking_run_id, 0) AS ranking_run_id,
	report_path, notes, error`

// StartJobRun records that job has started, triggered by trigger, and
// returns the new run's id. A zero scheduledFor is stored as NULL.
func (s *Store) StartJobRun(ctx context.Context, job, trigger string, scheduledFor time.Time) (int64, error) {
	var id int64
	var worker *int64
	if k := s.workerKey.Load(); k != 0 {
		worker = &k
	}
	err := s.db.GetContext(ctx, &id, `INSERT INTO job_runs (job, trigger, scheduled_for, started_at, status, worker_lock)
		VALUES ($1, $2, $3, $4, 'running', $5) RETURNING id`, job, trigger, nullTime(scheduledFor), s.Now(), worker)
	if err != nil {
		return 0, fmt.Errorf("store: start job run %s: %w", job, err)
	}
	return id, nil
}

// FinishJobRun records the outcome of the running job run id: status is
// [JobSucceeded], [JobFailed] or [JobSkipped], and errText the failure or
// skip reason. It returns an error wrapping [ErrNotFound] when no running
// run has that id, so a run cannot be finished twice.
func (s *Store) FinishJobRun(ctx context.Context, id int64, status string, counts JobCounts, errText string) error {
	if status != JobSucceeded && status != JobFailed && status != JobSkipped {
		return fmt.Errorf("store: finish job run %d: invalid status %q", id, status)
	}
	res, err := s.db.ExecContext(ctx, `UPDATE job_runs SET finished_at = $2, status = $3,
			files_loaded = $4, files_skipped = $5, files_rejected = $6,
			ranking_run_id = nullif($7, 0), report_path = $8, error = $9, notes = $10
		WHERE id = $1 AND status = 'running'`,
		id, s.Now(), status, counts.FilesLoaded, counts.FilesSkipped, counts.FilesRejected,
		counts.RankingRunID, counts.ReportPath, errText, counts.Notes)
	if err != nil {
		return fmt.Errorf("store: finish job run %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("store: finish job run %d: no such running run: %w", id, ErrNotFound)
	}
	return nil
}

// RecordSkippedJobRun records a run of job that did not execute, with the
// reason, and returns its id.
func (s *Store) RecordSkippedJobRun(ctx context.Context, job, trigger string, scheduledFor time.Time, reason string) (int64, error) {
	var id int64
	now := s.Now()
	err := s.db.GetContext(ctx, &id, `INSERT INTO job_runs (job, trigger, scheduled_for, started_at, finished_at, status, error)
		VALUES ($1, $2, $3, $4, $4, 'skipped', $5) RETURNING id`, job, trigger, nullTime(scheduledFor), now, reason)
	if err != nil {
		return 0, fmt.Errorf("store: record skipped job run %s: %w", job, err)
	}
	return id, nil
}

// AbandonReason is the error [Store.AbandonJobRuns] records.
const AbandonReason = "abandoned: the process running it stopped before it finished"

// AbandonJobRuns marks as failed, with [AbandonReason], every run still
// recorded as running whose process is gone: no session holds the worker
// lock it was started under (see [Store.HoldWorker]), or it was started
// without one. It returns how many it marked. Runs of live workers, in
// this process or another, are left alone.
func (s *Store) AbandonJobRuns(ctx context.Context) (int64, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE job_runs SET status = 'failed', finished_at = $1, error = $2
		WHERE status = 'running' AND (worker_lock IS NULL OR NOT EXISTS (
			SELECT 1 FROM pg_locks l
			WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
				AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
				AND ((l.classid::bigint << 32) | l.objid::bigint) = job_runs.worker_lock))`, s.Now(), AbandonReason)
	if err != nil {
		return 0, fmt.Errorf("store: abandon job runs: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: abandon job runs: %w", err)
	}
	return n, nil
}

// JobRuns returns up to limit runs of job, most recently started first. An
// empty job lists the runs of every job.
func (s *Store) JobRuns(ctx context.Context, job string, limit int) ([]JobRun, error) {
	var runs []JobRun
	err := s.db.SelectContext(ctx, &runs, `SELECT `+jobRunColumns+` FROM job_runs
		WHERE $1 = '' OR job = $1 ORDER BY started_at DESC, id DESC LIMIT $2`, job, limit)
	if err != nil {
		return nil, fmt.Errorf("store: list job runs %s: %w", job, err)
	}
	return runs, nil
}

// RanSince reports whether job has a run that started at or after since
// and ran, or is running: skipped runs and runs abandoned by a process
// that stopped mid-run (see [AbandonReason]) do not count.
func (s *Store) RanSince(ctx context.Context, job string, since time.Time) (bool, error) {
	var ok bool
	err := s.db.GetContext(ctx, &ok, `SELECT exists(SELECT 1 FROM job_runs
		WHERE job = $1 AND started_at >= $2 AND status <> 'skipped' AND error <> $3)`, job, since, AbandonReason)
	if err != nil {
		return false, fmt.Errorf("store: runs of %s since %s: %w", job, since.Format(time.RFC3339), err)
	}
	return ok, nil
}

// LastSuccessfulJobRun returns the most recently finished successful run
// of job, or an error wrapping [ErrNotFound] when it never succeeded.
func (s *Store) LastSuccessfulJobRun(ctx context.Context, job string) (JobRun, error) {
	return s.lastJobRun(ctx, job, `status = 'succeeded'`)
}

// LastFinishedJobRun returns the most recently finished run of job that
// executed (succeeded or failed; skipped runs are passed over), or an
// error wrapping [ErrNotFound] when there is none.
func (s *Store) LastFinishedJobRun(ctx context.Context, job string) (JobRun, error) {
	return s.lastJobRun(ctx, job, `status IN ('succeeded', 'failed')`)
}

// FailureStreakStart returns the id of the first run in the failure streak
// that runID, a run of job that failed, belongs to: the earliest failed run
// of job since its last successful run before runID, or runID itself when
// the runs before it since that success all failed to start or were
// skipped. Every failed run of one streak gives the same answer, however
// many there are and whichever process asks, so it can key one message per
// streak.
func (s *Store) FailureStreakStart(ctx context.Context, job string, runID int64) (int64, error) {
	var id int64
	err := s.db.GetContext(ctx, &id, `SELECT coalesce(min(id), $2) FROM job_runs
		WHERE job = $1 AND status = 'failed' AND id < $2
			AND id > coalesce((SELECT max(id) FROM job_runs
				WHERE job = $1 AND status = 'succeeded' AND id < $2), 0)`, job, runID)
	if err != nil {
		return 0, fmt.Errorf("store: failure streak of %s run %d: %w", job, runID, err)
	}
	return id, nil
}

func (s *Store) lastJobRun(ctx context.Context, job, cond string) (JobRun, error) {
	var run JobRun
	err := s.db.GetContext(ctx, &run, `SELECT `+jobRunColumns+` FROM job_runs
		WHERE job = $1 AND `+cond+` ORDER BY finished_at DESC, id DESC LIMIT 1`, job)
	if errors.Is(err, sql.ErrNoRows) {
		return JobRun{}, fmt.Errorf("store: last job run %s: %w", job, ErrNotFound)
	}
	if err != nil {
		return JobRun{}, fmt.Errorf("store: last job run %s: %w", job, err)
	}
	return run, nil
}

// JobLock is a PostgreSQL session advisory lock held on a dedicated
// connection. It guards a job across processes: while one process holds
// it, no other can take it. The lock is also released when the connection
// drops, so a crashed holder never blocks the others for long.
type JobLock struct {
	name string
	key  int64
	once sync.Once
	conn *sqlx.Conn
}

// TryJobLock takes the advisory lock called name without waiting. It
// returns an error wrapping [ErrLockHeld] when another session holds it.
// The caller must call [JobLock.Release]. Session locks need a direct
// connection to PostgreSQL; they do not work through a pooler in
// transaction mode.
func (s *Store) TryJobLock(ctx context.Context, name string) (*JobLock, error) {
	conn, err := s.db.Connx(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: job lock %s: %w", name, err)
	}
	key := jobLockKey(name)
	var ok bool
	if err := conn.GetContext(ctx, &ok, `SELECT pg_try_advisory_lock($1)`, key); err != nil {
		conn.Close()
		return nil, fmt.Errorf("store: job lock %s: %w", name, err)
	}
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("store: job lock %s: %w", name, ErrLockHeld)
	}
	return &JobLock{name: name, key: key, conn: conn}, nil
}

// Release releases the lock and returns its connection to the pool. It is
// safe to call more than once; calls after the first do nothing.
func (l *JobLock) Release() error {
	var err error
	l.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err = l.conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, l.key)
		if err != nil {
			// Discard the connection rather than pool it with the lock held.
			l.conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		if cerr := l.conn.Close(); err == nil {
			err = cerr
		}
	})
	if err != nil {
		return fmt.Errorf("store: release job lock %s: %w", l.name, err)
	}
	return nil
}

// HoldWorker takes the advisory lock that marks this process as the live
// worker called id, which must be unique to the process, and records it on
// every job run the store starts from now on, so that [Store.AbandonJobRuns]
// in any process can tell the runs of a dead process from those in
// progress. Release the lock when the process stops running jobs; it is
// released anyway when the process dies.
func (s *Store) HoldWorker(ctx context.Context, id string) (*JobLock, error) {
	l, err := s.TryJobLock(ctx, "worker/"+id)
	if err != nil {
		return nil, err
	}
	s.workerKey.Store(l.key)
	return l, nil
}

// jobLockKey maps a lock name to a 63-bit advisory lock key.
func jobLockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("github.com/surveyworker/surveyworker/job/" + name))
	return int64(h.Sum64() >> 1)
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
