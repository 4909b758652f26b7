package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// E-mail outbox statuses, as stored in email_outbox.status.
const (
	// OutboxPending: not delivered yet; tried again at NextAttemptAt.
	OutboxPending = "pending"
	// OutboxSent: accepted by the SMTP server, or written as an .eml file.
	OutboxSent = "sent"
	// OutboxFailed: given up on, for a permanent failure or its age.
	OutboxFailed = "failed"
	// OutboxSuperseded: a newer report of the same kind was queued for the
	// recipient before this one could be delivered.
	OutboxSuperseded = "superseded"
)

// OutboxStatuses lists the statuses in the order reports show them.
var OutboxStatuses = []string{OutboxPending, OutboxSent, OutboxFailed, OutboxSuperseded}

// Report kinds, as stored in reports.kind.
const (
	// ReportRanking is the workbook sent to the leads.
	ReportRanking = "ranking"
	// ReportAlert is a message to the operator about a failed run.
	ReportAlert = "alert"
)

// Report is one queued report: what each of its e-mails says and
// attaches, kept in the database so that any process can send them.
type Report struct {
	ID int64 `db:"id"`
	// Key identifies the report; it is queued once per key.
	Key string `db:"report_key"`
	// Kind is ReportRanking or ReportAlert.
	Kind string `db:"kind"`
	// JobRunID is the job run that queued the report; zero when none.
	JobRunID int64  `db:"job_run_id"`
	Subject  string `db:"subject"`
	// Body is the plain-text part and HTMLBody, when not empty, the HTML
	// alternative of the same content.
	Body     string `db:"body"`
	HTMLBody string `db:"html_body"`
	// Federations are the federations whose view the report is, as their
	// registry names; empty for the full report.
	Federations []string `db:"-"`
	// AttachmentName is the file name of Attachment; empty for none.
	AttachmentName string `db:"attachment_name"`
	Attachment     []byte `db:"attachment"`
	// AttachmentPath is where the attachment was written, for display.
	AttachmentPath string `db:"-"`
	// CreatedAt is when the report was queued; zero means the store's Now.
	CreatedAt time.Time `db:"created_at"`
}

// Recipient is one addressee of a report.
type Recipient struct {
	Name  string
	Email string
	// MessageID is the Message-ID header, angle brackets included, that
	// every attempt to send this report to this recipient uses.
	MessageID string
	// ChangeKey identifies what the report rests on for this recipient;
	// see [Store.LastSentReports].
	ChangeKey string
}

// OutboxEmail is one row of email_outbox: one report for one recipient.
// The pair (ReportKey, RecipientEmail) is unique, so a report is queued for
// a recipient at most once.
type OutboxEmail struct {
	ID        int64  `db:"id"`
	ReportID  int64  `db:"report_id"`
	ReportKey string `db:"report_key"`
	// Kind is the report's kind, ReportRanking or ReportAlert.
	Kind string `db:"kind"`
	// JobRunID is the job run that queued the e-mail; zero when none.
	JobRunID       int64  `db:"job_run_id"`
	RecipientName  string `db:"recipient_name"`
	RecipientEmail string `db:"recipient_email"`
	Subject        string `db:"subject"`
	AttachmentPath string `db:"attachment_path"`
	// Status is one of OutboxStatuses.
	Status string `db:"status"`
	// Attempts counts the send attempts made so far.
	Attempts int `db:"attempts"`
	// LastError is the most recent failure, or why the row was given up;
	// empty once sent.
	LastError string `db:"last_error"`
	// SMTPReply is the SMTP server's last answer to this message, such as
	// "250 2.0.0 OK: queued as 12" or "451 4.2.1 try later"; empty when
	// no server answered.
	SMTPReply string `db:"smtp_reply"`
	MessageID string `db:"message_id"`
	// EMLPath is the file the message was written to instead of being sent
	// by SMTP; empty otherwise.
	EMLPath string `db:"eml_path"`
	// NextAttemptAt is when a pending row is next due.
	NextAttemptAt time.Time  `db:"next_attempt_at"`
	CreatedAt     time.Time  `db:"created_at"`
	SentAt        *time.Time `db:"sent_at"`
	// ChangeKey is the recipient's change key queued with the e-mail;
	// empty for alerts and e-mail queued before change keys were kept.
	ChangeKey string `db:"change_key"`
}

// DueEmail is a pending e-mail claimed for sending, with its report's text
// and attachment.
type DueEmail struct {
	OutboxEmail
	Body           string `db:"body"`
	HTMLBody       string `db:"html_body"`
	AttachmentName string `db:"attachment_name"`
	Attachment     []byte `db:"attachment"`
}

// SendOutcome is what a [SendFunc] decided about one e-mail.
type SendOutcome struct {
	// Status is the row's new status: OutboxSent, OutboxPending (try
	// again at RetryAt) or OutboxFailed.
	Status string
	// RetryAt is when a row left pending is next due.
	RetryAt time.Time
	// Reply is the SMTP server's answer; empty when none came.
	Reply string
	// Error is why the message was not sent; empty when it was.
	Error string
	// EMLPath is set when the message was written to a file.
	EMLPath string
	// Stop ends the pass after this row, leaving the rest for a later
	// call: the relay is unreachable, and every message would wait for it.
	Stop bool
}

// SendFunc sends one due e-mail and says what became of it.
type SendFunc func(ctx context.Context, e DueEmail) SendOutcome

const outboxColumns = `o.id, coalesce(o.report_id, 0) AS report_id, o.report_key,
	coalesce(r.kind, 'ranking') AS kind, coalesce(o.job_run_id, 0) AS job_run_id, o.recipient_name,
	o.recipient_email, o.subject, o.attachment_path, o.status, o.attempts, o.last_error, o.smtp_reply,
	o.message_id, o.eml_path, o.next_attempt_at, o.created_at, o.sent_at, o.change_key`

const outboxFrom = ` FROM email_outbox o LEFT JOIN reports r ON r.id = o.report_id `

// QueueReport records r and queues one pending e-mail of it for each
// recipient, due at once, in one transaction, and returns how many e-mails
// it added. A report key already queued keeps its first text and
// attachment, and a recipient already queued for it, in any status, is
// left as it is, so queueing the same report twice adds nothing.
//
// A newly queued e-mail supersedes the recipient's older pending e-mails of
// the same kind: they are marked [OutboxSuperseded], so that a lead is
// never sent yesterday's workbook after today's.
//
// A report keeps its attachment only while one of its e-mails is pending
// (see [Store.PurgeAttachments]): the workbook holds respondents'
// comments. A report key queued again gets r's attachment back if its own
// was purged, for any recipient it adds.
func (s *Store) QueueReport(ctx context.Context, r Report, to []Recipient) (int, error) {
	if r.CreatedAt.IsZero() {
		r.CreatedAt = s.Now()
	}
	added := 0
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		id, err := insertReport(ctx, tx, r)
		if err != nil {
			return err
		}
		for _, rc := range to {
			n, err := queueEmail(ctx, tx, id, r, rc)
			if err != nil {
				return fmt.Errorf("for %s: %w", rc.Email, err)
			}
			added += n
		}
		_, err = purgeAttachments(ctx, tx, 0)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: queue report %s: %w", r.Key, err)
	}
	return added, nil
}

// PurgeAttachments clears the stored attachment of every report none of
// whose e-mails is pending any more (each was sent, failed or was
// superseded), and returns how many it cleared. The workbook attached to
// a ranking report holds the respondents' free-text comments, and once no
// e-mail will send it again the database has no use for it. The outbox
// calls it as e-mails become final; it is exported for 'forget' and for
// tests.
func (s *Store) PurgeAttachments(ctx context.Context) (int64, error) {
	n, err := purgeAttachments(ctx, s.db, 0)
	if err != nil {
		return 0, fmt.Errorf("store: %w", err)
	}
	return n, nil
}

// purgeAttachments is [Store.PurgeAttachments] on q, for the report
// reportID only when it is not zero.
func purgeAttachments(ctx context.Context, q sqlx.ExecerContext, reportID int64) (int64, error) {
	res, err := q.ExecContext(ctx, `UPDATE reports r SET attachment = NULL
		WHERE r.attachment IS NOT NULL AND ($1 = 0 OR r.id = $1)
			AND NOT EXISTS (SELECT 1 FROM email_outbox o WHERE o.report_id = r.id AND o.status = 'pending')`, reportID)
	if err != nil {
		return 0, fmt.Errorf("purge sent attachments: %w", err)
	}
	return res.RowsAffected()
}

// insertReport inserts r unless its key exists, and returns the id of the
// key's report.
func insertReport(ctx context.Context, tx *sqlx.Tx, r Report) (int64, error) {
	var id int64
	_, err := tx.ExecContext(ctx, `INSERT INTO reports (report_key, kind, job_run_id, subject, body,
			html_body, federations, attachment_name, attachment, created_at)
		VALUES ($1, $2, nullif($3::bigint, 0), $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (report_key) DO UPDATE SET attachment = EXCLUDED.attachment
			WHERE reports.attachment IS NULL AND EXCLUDED.attachment IS NOT NULL`,
		r.Key, r.Kind, r.JobRunID, r.Subject, r.Body, r.HTMLBody, pq.Array(nonNil(r.Federations)),
		r.AttachmentName, r.Attachment, r.CreatedAt)
	if err != nil {
		return 0, err
	}
	err = tx.GetContext(ctx, &id, `SELECT id FROM reports WHERE report_key = $1`, r.Key)
	return id, err
}

func queueEmail(ctx context.Context, tx *sqlx.Tx, reportID int64, r Report, rc Recipient) (int, error) {
	var id int64
	err := tx.GetContext(ctx, &id, `INSERT INTO email_outbox (report_id, report_key, job_run_id,
			recipient_name, recipient_email, subject, attachment_path, message_id, change_key,
			created_at, next_attempt_at)
		SELECT $1, report_key, job_run_id, $2, $3, subject, $4, $5, $6, $7, $7 FROM reports WHERE id = $1
		ON CONFLICT (report_key, recipient_email) DO NOTHING RETURNING id`,
		reportID, rc.Name, rc.Email, r.AttachmentPath, rc.MessageID, rc.ChangeKey, r.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE email_outbox o SET status = 'superseded',
			last_error = 'superseded: the newer report ' || $3 || ' was queued for this recipient'
		FROM reports r
		WHERE r.id = o.report_id AND r.kind = $4 AND lower(o.recipient_email) = lower($2)
			AND o.id < $1 AND o.status = 'pending'`, id, rc.Email, r.Key, r.Kind)
	return 1, err
}

// OutboxEmails returns the outbox rows of reportKey ordered by id.
func (s *Store) OutboxEmails(ctx context.Context, reportKey string) ([]OutboxEmail, error) {
	var out []OutboxEmail
	err := s.db.SelectContext(ctx, &out, `SELECT `+outboxColumns+outboxFrom+`
		WHERE o.report_key = $1 ORDER BY o.id`, reportKey)
	if err != nil {
		return nil, fmt.Errorf("store: outbox emails %s: %w", reportKey, err)
	}
	return out, nil
}

// ExpireEmails marks as failed, with reason, the pending e-mails queued
// before createdBefore, and returns how many it marked. An e-mail being
// sent (see [Store.SendDueEmails]) is left to the outcome of that attempt.
// Reports left with no pending e-mail lose their attachment.
func (s *Store) ExpireEmails(ctx context.Context, createdBefore time.Time, reason string) (int64, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE email_outbox SET status = 'failed',
			last_error = CASE WHEN last_error = '' THEN $2 ELSE $2 || '; last error: ' || last_error END
		WHERE status = 'pending' AND created_at < $1
			AND (locked_until IS NULL OR locked_until <= coalesce($3::timestamptz, now()))`,
		createdBefore, reason, s.dbNow())
	if err != nil {
		return 0, fmt.Errorf("store: expire emails: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: expire emails: %w", err)
	}
	if n > 0 {
		if _, err := purgeAttachments(ctx, s.db, 0); err != nil {
			return n, fmt.Errorf("store: expire emails: %w", err)
		}
	}
	return n, nil
}

// DefaultEmailLease is how long [Store.SendDueEmails] holds an e-mail it
// claimed when its caller gives no lease.
const DefaultEmailLease = 15 * time.Minute

// outboxWriteTimeout bounds the claim and the recording of one e-mail,
// which run on even after the pass's context is cancelled.
const outboxWriteTimeout = 10 * time.Second

// SendDueEmails sends the pending e-mails due at now (NextAttemptAt not
// after it), oldest due first, one at a time and each at most once per
// call, and returns the rows it attempted as updated. It stops early when
// send says so or ctx is done; once ctx is done it claims no other row.
//
// Each row is claimed in a short transaction of its own that leases it
// for lease (zero means [DefaultEmailLease]) on the database's clock, so
// that concurrent callers, in this process or others, never send the same
// row while the lease lasts, and no transaction stays open, nor row
// locked, while send talks to the relay. send's outcome is then recorded
// in another short transaction, which ends the lease. Neither is bound to
// ctx's cancellation: a message the relay accepted as ctx was cancelled is
// recorded as sent. A failure for one row never affects the others. A row
// superseded or expired while it was being sent keeps that status unless
// it was sent.
//
// Delivery is at least once: if the process dies, or the recording fails,
// after the server accepted a message but before the row is marked sent,
// the row is still pending, and once its lease has run out a later call
// sends the message again, with the same Message-ID (see [Recipient]).
// A lease must outlast the longest send: a caller whose lease ran out is
// not allowed to record its outcome, since another may have taken the row.
func (s *Store) SendDueEmails(ctx context.Context, now time.Time, lease time.Duration, send SendFunc) ([]OutboxEmail, error) {
	if lease <= 0 {
		lease = DefaultEmailLease
	}
	var done []OutboxEmail
	tried := []int64{}
	for ctx.Err() == nil {
		e, out, ok, err := s.sendNextEmail(ctx, now, lease, tried, send)
		if err != nil {
			return done, fmt.Errorf("store: send due emails: %w", err)
		}
		if !ok {
			return done, nil
		}
		done = append(done, e)
		tried = append(tried, e.ID)
		if out.Stop {
			return done, nil
		}
	}
	return done, fmt.Errorf("store: send due emails: %w", ctx.Err())
}

// sendNextEmail claims the first due row not in tried, sends it and
// records the outcome. ok is false when no row is due.
func (s *Store) sendNextEmail(ctx context.Context, now time.Time, lease time.Duration, tried []int64, send SendFunc) (e OutboxEmail, out SendOutcome, ok bool, err error) {
	due, until, ok, err := s.claimEmail(ctx, now, lease, tried)
	if err != nil || !ok {
		return OutboxEmail{}, SendOutcome{}, ok, err
	}
	out = send(ctx, due)
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), outboxWriteTimeout)
	defer cancel()
	e, err = s.recordOutcome(wctx, due.OutboxEmail, until, out, now)
	return e, out, true, err
}

// claimEmail leases the first row due at now not in tried, and returns it
// with its report's text and the end of the lease, which stands for the
// claim when its outcome is recorded. ok is false when no row is due.
func (s *Store) claimEmail(ctx context.Context, now time.Time, lease time.Duration, tried []int64) (due DueEmail, until time.Time, ok bool, err error) {
	if ctx.Err() != nil {
		return due, until, false, ctx.Err()
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), outboxWriteTimeout)
	defer cancel()
	var row struct {
		DueEmail
		LockedUntil time.Time `db:"locked_until"`
	}
	err = s.db.GetContext(wctx, &row, `WITH c AS (
			UPDATE email_outbox SET locked_until = coalesce($4::timestamptz, now()) + $3 * interval '1 microsecond'
			WHERE id = (SELECT id FROM email_outbox
				WHERE status = 'pending' AND next_attempt_at <= $1 AND NOT (id = ANY($2))
					AND (locked_until IS NULL OR locked_until <= coalesce($4::timestamptz, now()))
				ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
			RETURNING *)
		SELECT `+outboxColumns+`, o.locked_until, coalesce(r.body, '') AS body,
			coalesce(r.html_body, '') AS html_body, coalesce(r.attachment_name, '') AS attachment_name, r.attachment
		FROM c o LEFT JOIN reports r ON r.id = o.report_id`,
		now, pq.Array(tried), lease.Microseconds(), s.dbNow())
	if errors.Is(err, sql.ErrNoRows) {
		return due, until, false, nil
	}
	if err != nil {
		return due, until, false, fmt.Errorf("claim: %w", err)
	}
	return row.DueEmail, row.LockedUntil, true, nil
}

// recordOutcome writes the outcome of one send attempt on row e, claimed
// until until, and ends its lease. A row whose lease ran out and was
// claimed again is left to its new holder and returned as it stands. A
// report left with no pending e-mail loses its attachment.
func (s *Store) recordOutcome(ctx context.Context, e OutboxEmail, until time.Time, out SendOutcome, now time.Time) (OutboxEmail, error) {
	var sentAt *time.Time
	next := e.NextAttemptAt
	switch out.Status {
	case OutboxSent:
		sentAt = &now
	case OutboxPending:
		next = out.RetryAt
	case OutboxFailed:
	default:
		return e, fmt.Errorf("record outcome for %s: invalid status %q", e.RecipientEmail, out.Status)
	}
	var updated OutboxEmail
	err := s.db.GetContext(ctx, &updated, `WITH o AS (UPDATE email_outbox SET
			status = CASE WHEN status = 'pending' OR $2 = 'sent' THEN $2 ELSE status END,
			last_error = CASE WHEN status = 'pending' OR $2 = 'sent' THEN $3 ELSE last_error END,
			attempts = attempts + 1, smtp_reply = $4, eml_path = $5, sent_at = $6, next_attempt_at = $7,
			locked_until = NULL
		WHERE id = $1 AND locked_until = $8 RETURNING *)
		SELECT `+outboxColumns+` FROM o LEFT JOIN reports r ON r.id = o.report_id`,
		e.ID, out.Status, out.Error, out.Reply, out.EMLPath, sentAt, next, until)
	if errors.Is(err, sql.ErrNoRows) {
		err = s.db.GetContext(ctx, &updated, `SELECT `+outboxColumns+outboxFrom+` WHERE o.id = $1`, e.ID)
	}
	if err != nil {
		return e, fmt.Errorf("record outcome for %s: %w", e.RecipientEmail, err)
	}
	if updated.Status != OutboxPending && updated.ReportID != 0 {
		if _, err := purgeAttachments(ctx, s.db, updated.ReportID); err != nil {
			return updated, fmt.Errorf("record outcome for %s: %w", e.RecipientEmail, err)
		}
	}
	return updated, nil
}

// EmailCounts counts outbox e-mails by status.
type EmailCounts struct {
	Pending, Sent, Failed, Superseded int
}

// add counts n e-mails of status.
func (c *EmailCounts) add(status string, n int) {
	switch status {
	case OutboxPending:
		c.Pending += n
	case OutboxSent:
		c.Sent += n
	case OutboxFailed:
		c.Failed += n
	case OutboxSuperseded:
		c.Superseded += n
	}
}

// OutboxState is the outbox as a whole, for metrics.
type OutboxState struct {
	EmailCounts
	// OldestPending is when the oldest pending e-mail was queued; zero
	// when none is pending.
	OldestPending time.Time
}

// OutboxState counts the outbox's e-mails by status and finds the oldest
// pending one.
func (s *Store) OutboxState(ctx context.Context) (OutboxState, error) {
	var rows []struct {
		Status string     `db:"status"`
		N      int        `db:"n"`
		Oldest *time.Time `db:"oldest"`
	}
	err := s.db.SelectContext(ctx, &rows, `SELECT status, count(*) AS n, min(created_at) AS oldest
		FROM email_outbox GROUP BY status`)
	if err != nil {
		return OutboxState{}, fmt.Errorf("store: outbox state: %w", err)
	}
	var st OutboxState
	for _, r := range rows {
		st.add(r.Status, r.N)
		if r.Status == OutboxPending && r.Oldest != nil {
			st.OldestPending = *r.Oldest
		}
	}
	return st, nil
}

// EmailCountsByJobRun counts, for each of the job runs ids, the e-mails it
// queued by status; runs that queued none are absent from the map.
func (s *Store) EmailCountsByJobRun(ctx context.Context, ids []int64) (map[int64]EmailCounts, error) {
	var rows []struct {
		JobRunID int64  `db:"job_run_id"`
		Status   string `db:"status"`
		N        int    `db:"n"`
	}
	err := s.db.SelectContext(ctx, &rows, `SELECT job_run_id, status, count(*) AS n FROM email_outbox
		WHERE job_run_id = ANY($1) GROUP BY job_run_id, status`, pq.Array(ids))
	if err != nil {
		return nil, fmt.Errorf("store: email counts by job run: %w", err)
	}
	out := map[int64]EmailCounts{}
	for _, r := range rows {
		c := out[r.JobRunID]
		c.add(r.Status, r.N)
		out[r.JobRunID] = c
	}
	return out, nil
}

// SentReport is the ranking report a recipient received last.
type SentReport struct {
	ReportKey string `db:"report_key"`
	// ChangeKey is the change key it was queued with; empty for e-mail
	// queued before change keys were kept.
	ChangeKey string `db:"change_key"`
	// CreatedAt is when the report was queued, SentAt when the e-mail was
	// delivered.
	CreatedAt time.Time `db:"created_at"`
	SentAt    time.Time `db:"sent_at"`
}

// LastSentReports returns, for each address of emails that has received
// a ranking report, the one delivered to it last, by lower-cased address.
// Addresses are compared without regard to case; pending, failed and
// superseded e-mails do not count, nor do alerts.
func (s *Store) LastSentReports(ctx context.Context, emails []string) (map[string]SentReport, error) {
	lower := make([]string, len(emails))
	for i, e := range emails {
		lower[i] = strings.ToLower(e)
	}
	var rows []struct {
		Email string `db:"email"`
		SentReport
	}
	err := s.db.SelectContext(ctx, &rows, `SELECT DISTINCT ON (lower(o.recipient_email))
			lower(o.recipient_email) AS email, o.report_key, o.change_key, r.created_at, o.sent_at
		FROM email_outbox o JOIN reports r ON r.id = o.report_id
		WHERE o.status = 'sent' AND r.kind = 'ranking' AND lower(o.recipient_email) = ANY($1)
		ORDER BY lower(o.recipient_email), o.sent_at DESC, o.id DESC`, pq.Array(lower))
	if err != nil {
		return nil, fmt.Errorf("store: last sent reports: %w", err)
	}
	out := make(map[string]SentReport, len(rows))
	for _, r := range rows {
		out[r.Email] = r.SentReport
	}
	return out, nil
}
