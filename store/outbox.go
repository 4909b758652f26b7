package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// E-mail outbox statuses, as stored in email_outbox.status.
const (
	OutboxPending = "pending"
	OutboxSent    = "sent"
	OutboxFailed  = "failed"
)

// OutboxEmail is one row of email_outbox: one report for one recipient.
// The pair (ReportKey, RecipientEmail) is unique, so a report is queued for
// a recipient at most once.
type OutboxEmail struct {
	ID        int64  `db:"id"`
	ReportKey string `db:"report_key"`
	// JobRunID is the job run that queued the e-mail; zero when none.
	JobRunID       int64  `db:"job_run_id"`
	RecipientName  string `db:"recipient_name"`
	RecipientEmail string `db:"recipient_email"`
	Subject        string `db:"subject"`
	AttachmentPath string `db:"attachment_path"`
	// Status is OutboxPending, OutboxSent or OutboxFailed.
	Status string `db:"status"`
	// Attempts counts the send attempts made so far.
	Attempts int `db:"attempts"`
	// LastError is the most recent failure; empty once sent.
	LastError string `db:"last_error"`
	MessageID string `db:"message_id"`
	// EMLPath is the file the message was written to instead of being sent
	// by SMTP; empty otherwise.
	EMLPath   string     `db:"eml_path"`
	CreatedAt time.Time  `db:"created_at"`
	SentAt    *time.Time `db:"sent_at"`
}

// SendOutcome is what a [SendFunc] reports for one e-mail.
type SendOutcome struct {
	// MessageID is the Message-ID header used; it is recorded whether or not
	// the send succeeded.
	MessageID string
	// EMLPath is set when the message was written to a file.
	EMLPath string
	// Err is the failure; nil when the message was handed over.
	Err error
	// Temporary reports that Err may not recur on a later attempt (an SMTP
	// 4xx reply or a network failure).
	Temporary bool
}

// SendFunc sends one outbox e-mail and reports the outcome.
type SendFunc func(ctx context.Context, e OutboxEmail) SendOutcome

const outboxColumns = `id, report_key, coalesce(job_run_id, 0) AS job_run_id, recipient_name,
	recipient_email, subject, attachment_path, status, attempts, last_error, message_id, eml_path,
	created_at, sent_at`

// EnqueueEmails queues each e-mail as a pending outbox row in one
// transaction and returns how many rows it added. An e-mail whose report key
// and recipient are already queued, in any status, is left as it is, so
// enqueueing the same report twice adds nothing.
//
// A newly queued report supersedes the recipient's older reports still
// pending: they are marked failed with the reason, so that a lead is never
// sent yesterday's workbook after today's, and no row stays pending for
// ever once its report key is no longer delivered.
func (s *Store) EnqueueEmails(ctx context.Context, emails []OutboxEmail) (int, error) {
	added := 0
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		for _, e := range emails {
			n, err := enqueueEmail(ctx, tx, e, s.Now())
			if err != nil {
				return fmt.Errorf("%s for %s: %w", e.ReportKey, e.RecipientEmail, err)
			}
			added += n
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: enqueue emails: %w", err)
	}
	return added, nil
}

func enqueueEmail(ctx context.Context, tx *sqlx.Tx, e OutboxEmail, now time.Time) (int, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO email_outbox
			(report_key, job_run_id, recipient_name, recipient_email, subject, attachment_path, created_at)
		VALUES ($1, nullif($2::bigint, 0), $3, $4, $5, $6, $7)
		ON CONFLICT (report_key, recipient_email) DO NOTHING`,
		e.ReportKey, e.JobRunID, e.RecipientName, e.RecipientEmail, e.Subject, e.AttachmentPath, now)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return int(n), err
	}
	_, err = tx.ExecContext(ctx, `UPDATE email_outbox SET status = 'failed',
			last_error = 'superseded: the newer report ' || $1 || ' was queued for this recipient'
		WHERE recipient_email = $2 AND report_key <> $1 AND status = 'pending'`, e.ReportKey, e.RecipientEmail)
	return int(n), err
}

// OutboxEmails returns the outbox rows of reportKey ordered by id.
func (s *Store) OutboxEmails(ctx context.Context, reportKey string) ([]OutboxEmail, error) {
	var out []OutboxEmail
	err := s.db.SelectContext(ctx, &out, `SELECT `+outboxColumns+` FROM email_outbox
		WHERE report_key = $1 ORDER BY id`, reportKey)
	if err != nil {
		return nil, fmt.Errorf("store: outbox emails %s: %w", reportKey, err)
	}
	return out, nil
}

// SendPendingEmails sends the pending outbox rows of reportKey, one at a
// time and each at most once per call, and returns the rows it attempted
// as updated.
//
// Each row is claimed with FOR UPDATE SKIP LOCKED in its own transaction
// and stays locked while send runs, so concurrent callers never send the
// same row; a row locked by another caller is skipped. The outcome is
// recorded in the same transaction: success marks the row sent; a
// temporary failure leaves it pending for a later call until it has been
// attempted maxAttempts times; any other failure marks it failed. A
// failure for one row never affects the others.
//
// Delivery is at least once: if the process dies, or the commit fails,
// after the server accepted a message but before the row is marked sent,
// the row is still pending and a later call sends the message again (with
// the same Message-ID, which the sender should derive from the row). The
// window is the time between the server's reply and the commit.
func (s *Store) SendPendingEmails(ctx context.Context, reportKey string, maxAttempts int, send SendFunc) ([]OutboxEmail, error) {
	if maxAttempts < 1 {
		maxAttempts = 1
	}
	if err := s.failExhaustedEmails(ctx, reportKey, maxAttempts); err != nil {
		return nil, err
	}
	var done []OutboxEmail
	var after int64
	for ctx.Err() == nil {
		e, ok, err := s.sendNextEmail(ctx, reportKey, after, maxAttempts, send)
		if err != nil {
			return done, fmt.Errorf("store: send pending emails %s: %w", reportKey, err)
		}
		if !ok {
			return done, nil
		}
		done = append(done, e)
		after = e.ID
	}
	return done, fmt.Errorf("store: send pending emails %s: %w", reportKey, ctx.Err())
}

// failExhaustedEmails marks as failed the pending rows that have already
// used up maxAttempts, which happens when the limit is lowered.
func (s *Store) failExhaustedEmails(ctx context.Context, reportKey string, maxAttempts int) error {
	_, err := s.db.ExecContext(ctx, `UPDATE email_outbox SET status = 'failed'
		WHERE report_key = $1 AND status = 'pending' AND attempts >= $2`, reportKey, maxAttempts)
	if err != nil {
		return fmt.Errorf("store: send pending emails %s: %w", reportKey, err)
	}
	return nil
}

// sendNextEmail claims the first pending row of reportKey with an id above
// after, sends it and records the outcome. ok is false when no row is left.
func (s *Store) sendNextEmail(ctx context.Context, reportKey string, after int64, maxAttempts int, send SendFunc) (e OutboxEmail, ok bool, err error) {
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &e, `SELECT `+outboxColumns+` FROM email_outbox
			WHERE report_key = $1 AND status = 'pending' AND id > $2
			ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`, reportKey, after)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("claim: %w", err)
		}
		ok = true
		out := send(ctx, e)
		e, err = recordOutcome(ctx, tx, e, out, maxAttempts, s.Now())
		return err
	})
	return e, ok, err
}

// recordOutcome writes the outcome of one send attempt on row e.
func recordOutcome(ctx context.Context, tx *sqlx.Tx, e OutboxEmail, out SendOutcome, maxAttempts int, now time.Time) (OutboxEmail, error) {
	status, lastErr, sentAt := OutboxSent, "", &now
	if out.Err != nil {
		status, lastErr, sentAt = OutboxFailed, out.Err.Error(), nil
		if out.Temporary && e.Attempts+1 < maxAttempts {
			status = OutboxPending
		}
	}
	var updated OutboxEmail
	err := tx.GetContext(ctx, &updated, `UPDATE email_outbox SET status = $2, attempts = attempts + 1,
			last_error = $3, message_id = $4, eml_path = $5, sent_at = $6
		WHERE id = $1 RETURNING `+outboxColumns,
		e.ID, status, lastErr, out.MessageID, out.EMLPath, sentAt)
	if err != nil {
		return e, fmt.Errorf("record outcome for %s: %w", e.RecipientEmail, err)
	}
	return updated, nil
}
