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
// run has that id, so a run cannot be finished twice. A run marked
// abandoned meanwhile (see [Store.AbandonJobRuns]) counts as running: its
// process was alive after all, having lost its worker lock for a while,
// and its outcome replaces the guess.
func (s *Store) FinishJobRun(ctx context.Context, id int64, status string, counts JobCounts, errText string) error {
	if status != JobSucceeded && status != JobFailed && status != JobSkipped {
		return fmt.Errorf("store: finish job run %d: invalid status %q", id, status)
	}
	res, err := s.db.ExecContext(ctx, `UPDATE job_runs SET finished_at = $2, status = $3,
			files_loaded = $4, files_skipped = $5, files_rejected = $6,
			ranking_run_id = nullif($7, 0), report_path = $8, error = $9, notes = $10
		WHERE id = $1 AND (status = 'running' OR (status = 'failed' AND error = $11))`,
		id, s.Now(), status, counts.FilesLoaded, counts.FilesSkipped, counts.FilesRejected,
		counts.RankingRunID, counts.ReportPath, errText, counts.Notes, AbandonReason)
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
// drops, so a crashed holder never blocks the others for long; but so is
// it when the database restarts or drops the idle connection under a
// live holder, which learns of it only by asking: see [JobLock.Check] and
// [JobLock.Keep]. It is safe for concurrent use.
type JobLock struct {
	name string
	key  int64
	db   *sqlx.DB

	mu       sync.Mutex
	conn     *sqlx.Conn // nil while lost and not taken again
	pid      int
	released bool
}

// TryJobLock takes the advisory lock called name without waiting. It
// returns an error wrapping [ErrLockHeld] when another session holds it.
// The caller must call [JobLock.Release]. Session locks need a direct
// connection to PostgreSQL; they do not work through a pooler in
// transaction mode.
func (s *Store) TryJobLock(ctx context.Context, name string) (*JobLock, error) {
	l := &JobLock{name: name, key: jobLockKey(name), db: s.db}
	if err := l.take(ctx); err != nil {
		return nil, err
	}
	return l, nil
}

// takeTries bounds the pooled connections a lock is tried on: after a
// database restart the first ones handed out may be dead.
const takeTries = 3

// take takes the lock on a new connection; l.mu is held or l is not
// shared yet.
func (l *JobLock) take(ctx context.Context) error {
	var err error
	for range takeTries {
		var conn *sqlx.Conn
		if conn, err = l.db.Connx(ctx); err != nil {
			break
		}
		var got struct {
			OK  bool `db:"ok"`
			PID int  `db:"pid"`
		}
		err = conn.GetContext(ctx, &got, `SELECT pg_try_advisory_lock($1) AS ok, pg_backend_pid() AS pid`, l.key)
		if err != nil {
			discard(conn)
			if ctx.Err() != nil {
				break
			}
			continue
		}
		if !got.OK {
			conn.Close()
			return fmt.Errorf("store: job lock %s: %w", l.name, ErrLockHeld)
		}
		l.conn, l.pid = conn, got.PID
		return nil
	}
	return fmt.Errorf("store: job lock %s: %w", l.name, err)
}

// ErrLockLost is wrapped by the errors of [JobLock.Check] and
// [JobLock.Keep] when the lock is no longer held: the database restarted,
// or the lock's connection was dropped.
var ErrLockLost = errors.New("store: job lock lost")

// PID returns the process id of the database session that holds, or last
// held, the lock: to name it in logs, or end it in tests.
func (l *JobLock) PID() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.pid
}

// Check asks the lock's own session whether it still holds the lock. It
// returns nil when it does, and an error wrapping [ErrLockLost] when the
// session no longer holds it or cannot be reached, in which case the
// connection is given up. An error of ctx is returned as it is.
func (l *JobLock) Check(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.check(ctx)
}

func (l *JobLock) check(ctx context.Context) error {
	if l.released {
		return fmt.Errorf("store: job lock %s: released: %w", l.name, ErrLockLost)
	}
	if l.conn == nil {
		return fmt.Errorf("store: job lock %s: %w", l.name, ErrLockLost)
	}
	var held bool
	err := l.conn.GetContext(ctx, &held, `SELECT EXISTS (SELECT 1 FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid() AND objsubid = 1
			AND ((classid::bigint << 32) | objid::bigint) = $1)`, l.key)
	if err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	if err == nil && held {
		return nil
	}
	discard(l.conn)
	l.conn = nil
	if err != nil {
		return fmt.Errorf("store: job lock %s: session %d: %w: %w", l.name, l.pid, ErrLockLost, err)
	}
	return fmt.Errorf("store: job lock %s: session %d no longer holds it: %w", l.name, l.pid, ErrLockLost)
}

// Keep makes sure the lock is held, taking it again on a new connection
// when it was lost, and reports whether it had to. Between the loss and
// the retaking another session may have held the lock; a holder that
// must not share it (a job's run) should [JobLock.Check] instead. It
// returns an error wrapping [ErrLockLost] when the lock was lost and
// could not be taken again, also wrapping [ErrLockHeld] when another
// session holds it now.
func (l *JobLock) Keep(ctx context.Context) (retaken bool, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	cerr := l.check(ctx)
	if cerr == nil {
		return false, nil
	}
	if l.released || !errors.Is(cerr, ErrLockLost) {
		return false, cerr
	}
	if err := l.take(ctx); err != nil {
		return false, fmt.Errorf("%w; taking it again: %w", cerr, err)
	}
	return true, nil
}

// Release releases the lock and returns its connection to the pool. It is
// safe to call more than once; calls after the first do nothing.
func (l *JobLock) Release() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.released {
		return nil
	}
	l.released = true
	if l.conn == nil {
		return nil
	}
	conn := l.conn
	l.conn = nil
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, l.key)
	if err != nil {
		// Discard the connection rather than pool it with the lock held.
		discard(conn)
		return fmt.Errorf("store: release job lock %s: %w", l.name, err)
	}
	if err := conn.Close(); err != nil {
		return fmt.Errorf("store: release job lock %s: %w", l.name, err)
	}
	return nil
}

// discard closes conn without returning it to the pool.
func discard(conn *sqlx.Conn) {
	conn.Raw(func(any) error { return driver.ErrBadConn })
	conn.Close()
}

// HoldWorker takes the advisory lock that marks this process as the live
// worker called id, which must be unique to the process, and records it on
// every job run the store starts from now on, so that [Store.AbandonJobRuns]
// in any process can tell the runs of a dead process from those in
// progress. Release the lock when the process stops running jobs; it is
// released anyway when the process dies, and lost when the database
// restarts or drops its connection: [JobLock.Keep] it.
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
