-- 0014_outbox_lease: an e-mail being sent is leased, not locked.
--
-- Why: a sender used to claim a message with FOR UPDATE in a transaction
-- that stayed open through the whole SMTP conversation and was bound to
-- the caller's context. A cancel after the relay's 250 rolled the
-- transaction back, so a message already accepted stayed pending and was
-- sent again; and the row stayed locked for as long as the relay took,
-- blocking whatever else touched it (a newer report superseding it, the
-- expiry of old messages). Now a short transaction sets locked_until,
-- the end of the sender's lease on the database's clock; the message is
-- sent outside any transaction; and another short transaction records
-- the outcome and clears the lease. A sender that dies mid-send leaves
-- the lease to run out, after which another sends the message again,
-- with the same Message-ID.
--
-- Numbered 0020, well ahead of the highest migration when it was written
-- (0012 here, 0017 on another branch), leaving room for theirs.

ALTER TABLE email_outbox ADD COLUMN locked_until timestamptz;
