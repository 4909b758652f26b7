-- 0007_outbox_delivery: the outbox holds everything needed to send a
-- message, and when to try it next.
--
-- Why: pending mail was retried only when the same report was delivered
-- again, by the process that had its workbook on disk and its body in
-- memory. A sender now delivers any due message, across cycles, restarts
-- and replicas, so each report keeps its subject, body and attachment in
-- the database, and each message its next attempt (exponential backoff)
-- and the SMTP server's last answer. A pending message whose report is
-- replaced by a newer one for the same lead is now 'superseded', not
-- 'failed': nothing needs an operator's attention.
--
-- Numbered 0007, three ahead of the highest migration when it was written
-- (0004), leaving room for migrations of other branches.

CREATE TABLE reports (
    id              bigserial PRIMARY KEY,
    report_key      text NOT NULL UNIQUE,
    -- kind is 'ranking' (the workbook for leads) or 'alert' (to the
    -- operator); a newer report supersedes pending ones of its kind only.
    kind            text NOT NULL CHECK (kind IN ('ranking', 'alert')),
    job_run_id      bigint REFERENCES job_runs (id) ON DELETE SET NULL,
    subject         text NOT NULL,
    body            text NOT NULL,
    attachment_name text NOT NULL DEFAULT '',
    attachment      bytea,
    created_at      timestamptz NOT NULL
);

ALTER TABLE email_outbox
    ADD COLUMN report_id bigint REFERENCES reports (id) ON DELETE CASCADE,
    ADD COLUMN next_attempt_at timestamptz,
    ADD COLUMN smtp_reply text NOT NULL DEFAULT '',
    DROP CONSTRAINT email_outbox_status_check,
    ADD CONSTRAINT email_outbox_status_check
        CHECK (status IN ('pending', 'sent', 'failed', 'superseded'));

UPDATE email_outbox SET next_attempt_at = created_at;
ALTER TABLE email_outbox ALTER COLUMN next_attempt_at SET NOT NULL;

-- Messages queued before this migration have no stored body to send; the
-- next cycle queues a new report for their leads.
UPDATE email_outbox SET status = 'failed',
    last_error = 'not sent: queued before the outbox kept message bodies (migration 0007); the next report replaces it'
WHERE status = 'pending';

CREATE INDEX email_outbox_due_idx ON email_outbox (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX email_outbox_job_run_idx ON email_outbox (job_run_id);
