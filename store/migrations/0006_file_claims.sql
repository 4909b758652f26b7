-- 0006_file_claims: claims on inbox files, and notes on job runs.
--
-- (Numbered 0006, not 0005, so that it cannot clash with a migration
-- written at the same time on another branch.)
--
-- Why: several serve processes may share one database and one inbox.
-- Each inbox file is read by one of them at a time: a worker claims the
-- file's name with a lease (expires_at) that it renews while it works, and
-- deletes the claim once the file has left the inbox. A worker that dies
-- mid-file stops renewing, and once the lease has expired any other
-- worker may claim the file. A file that failed for a passing reason
-- (database unreachable, disk full) keeps its row with the time of its
-- next attempt, so that every worker backs off alike; the file's size
-- and modification time say whether a later claim is of the same file (a
-- changed file is tried at once).
CREATE TABLE file_claims (
    name            text PRIMARY KEY,
    owner           text NOT NULL DEFAULT '',
    size_bytes      bigint NOT NULL DEFAULT 0,
    mtime           timestamptz,
    claimed_at      timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    last_error      text NOT NULL DEFAULT ''
);

-- notes say what a run did that its counters do not: inbox entries it
-- passed over (symbolic links, files still being written), answers
-- re-matched to practices.
ALTER TABLE job_runs ADD COLUMN notes text NOT NULL DEFAULT '';

-- worker_lock is the advisory lock key held, for as long as it lives, by
-- the process running the job: a running run whose key no session holds
-- was left by a process that died, whatever other replicas are doing.
ALTER TABLE job_runs ADD COLUMN worker_lock bigint;
