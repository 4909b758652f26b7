-- 0012_lead_views: a report per federation view, an HTML part, and what
-- each lead's last report rested on.
--
-- Why: a federation lead now gets their federation's view of the workbook
-- (their federation first, their federation's comments only), so one
-- ranking run gives one report per distinct set of federations, each with
-- its own workbook, text and HTML part; reports.federations says which
-- view a report is (empty for the full workbook). Each queued e-mail keeps
-- the change key of the inputs its report rests on (files, respondents,
-- registry, criteria, weights, method and view), so that the next cycle
-- can tell that nothing changed since the report a lead last received and
-- send nothing. A cycle that queues nothing for a reason (no matched
-- practice, nothing changed) says so in job_runs.notes, while the run
-- itself succeeds.
--
-- Numbered 0012, four ahead of the highest migration when it was written
-- (0008), leaving room for migrations of other branches.

ALTER TABLE reports
    ADD COLUMN html_body   text NOT NULL DEFAULT '',
    ADD COLUMN federations text[] NOT NULL DEFAULT '{}';

ALTER TABLE email_outbox
    ADD COLUMN change_key text NOT NULL DEFAULT '';

-- The last report each lead received is looked up by address among the
-- sent e-mails.
CREATE INDEX email_outbox_sent_recipient_idx ON email_outbox (lower(recipient_email), sent_at DESC)
    WHERE status = 'sent';
