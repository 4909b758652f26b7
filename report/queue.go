package report

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/survey"
)

// Delivery statuses, as reported in [Delivery].Status; they are the
// outbox's.
const (
	// StatusPending: not delivered yet; a later [Sender.DeliverPending]
	// tries again.
	StatusPending = store.OutboxPending
	// StatusSent: handed to the SMTP server, or written as an .eml file
	// (EMLPath set).
	StatusSent = store.OutboxSent
	// StatusFailed: a permanent failure, or not delivered in time.
	StatusFailed = store.OutboxFailed
	// StatusSuperseded: a newer report went to the lead instead.
	StatusSuperseded = store.OutboxSuperseded
)

// ErrUndelivered is wrapped by the error [Deliveries] returns when some
// recipients of a report have not been delivered to.
var ErrUndelivered = errors.New("report: e-mail not delivered to every lead")

// Delivery is where one report stands for one recipient.
type Delivery struct {
	Recipient string
	// ReportKey is the report the e-mail carries: the full report, or a
	// federation's view.
	ReportKey string
	// Status is StatusPending, StatusSent, StatusFailed or
	// StatusSuperseded.
	Status    string
	MessageID string
	// EMLPath is the .eml file written when no SMTP host is configured.
	EMLPath string
	// Attempts counts the send attempts so far.
	Attempts int
	// Reply is the SMTP server's last answer; empty when none came.
	Reply string
	// SentAt is when the message was delivered; nil until then.
	SentAt *time.Time
	// NextAttempt is when a pending message is next tried.
	NextAttempt time.Time
	// Err is why the message is not delivered (yet); nil once sent.
	Err error
}

// QueueOptions describe a ranking report to queue with [Queue].
type QueueOptions struct {
	// ReportKey identifies the report; each lead gets it at most once.
	// Required; see [ReportKey].
	ReportKey string
	// JobRunID is the job run queueing the report; 0 when none.
	JobRunID int64
	// Ranking, when Subject or Body is empty, is summarised to make them.
	Ranking *survey.Ranking
	// Subject and Body are the message text; see [Subject] and [Body].
	Subject, Body string
	// HTMLBody, when set, is the HTML alternative of Body; see
	// [ComposeMessage].
	HTMLBody string
	// Title is the report title used in a composed subject.
	Title string
	// Location is the time zone of dates in composed text; nil means
	// Europe/London.
	Location *time.Location
	// AttachmentPath is the workbook to attach; empty attaches nothing.
	// It is read once, here, and kept with the report.
	AttachmentPath string
	// AttachmentName is the file name the workbook is attached under;
	// empty means the base name of AttachmentPath.
	AttachmentName string
	// Federations are the federations whose view the report is; empty
	// for the full report.
	Federations []string
	// ChangeKey identifies what the report rests on. It is kept with each
	// lead's e-mail, so that a later report resting on the same inputs can
	// be recognised as bringing that lead nothing new.
	ChangeKey string
	// Leads are the recipients.
	Leads []Lead
	// From is the sender address; its domain ends each Message-ID.
	// Required.
	From string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// ReportKey returns the outbox key of the report of ranking r:
// "ranking-<run id>" for a stored ranking, otherwise "ranking-" and the
// ranking's UTC creation time. Queueing under this key sends each stored
// ranking to each lead at most once.
func ReportKey(r survey.Ranking) string {
	if r.RunID > 0 {
		return fmt.Sprintf("ranking-%d", r.RunID)
	}
	return "ranking-" + r.CreatedAt.UTC().Format("20060102T150405Z")
}

// Queue records the report, with its text and workbook, and queues one
// e-mail per lead in the store's outbox, in one transaction, and returns
// how many e-mails it queued. Nothing is sent: [Sender.DeliverPending]
// does that, in any process sharing the database. Queueing a report key
// again adds nothing and changes nothing, so each lead gets a report at
// most once however often it is queued; a lead's older report still
// pending is superseded.
func Queue(ctx context.Context, st *store.Store, q QueueOptions) (int, error) {
	r, to, err := q.report()
	if err != nil {
		return 0, fmt.Errorf("report: queue %s: %w", q.ReportKey, err)
	}
	n, err := st.QueueReport(ctx, r, to)
	if err != nil {
		return 0, fmt.Errorf("report: queue %s: %w", q.ReportKey, err)
	}
	return n, nil
}

// report builds the store's report and recipients from q, reading the
// attachment.
func (q QueueOptions) report() (store.Report, []store.Recipient, error) {
	if q.ReportKey == "" {
		return store.Report{}, nil, errors.New("no report key")
	}
	if (q.Subject == "" || q.Body == "") && q.Ranking == nil {
		return store.Report{}, nil, errors.New("no subject and body, and no ranking to compose them from")
	}
	if err := (SMTPConfig{From: q.From}).Validate(); err != nil {
		return store.Report{}, nil, err
	}
	now := nowFunc(q.Now)()
	r := store.Report{Key: q.ReportKey, Kind: store.ReportRanking, JobRunID: q.JobRunID,
		Subject: q.Subject, Body: q.Body, HTMLBody: q.HTMLBody, Federations: q.Federations,
		AttachmentPath: q.AttachmentPath, CreatedAt: now}
	if r.Subject == "" {
		at := q.Ranking.CreatedAt
		if at.IsZero() {
			at = now
		}
		r.Subject = Subject(q.Title, at, q.Location)
	}
	if r.Body == "" {
		r.Body = Body(*q.Ranking, q.Location)
	}
	if q.AttachmentPath != "" {
		data, err := readAttachment(q.AttachmentPath)
		if err != nil {
			return store.Report{}, nil, err
		}
		r.AttachmentName, r.Attachment = cmp.Or(q.AttachmentName, filepath.Base(q.AttachmentPath)), data
	}
	to := recipientsOf(q.ReportKey, q.From, q.Leads)
	for i := range to {
		to[i].ChangeKey = q.ChangeKey
	}
	return r, to, nil
}

// recipientsOf gives each lead the Message-ID of the report key.
func recipientsOf(key, from string, leads []Lead) []store.Recipient {
	domain := senderDomain(from)
	out := make([]store.Recipient, 0, len(leads))
	for _, l := range leads {
		out = append(out, store.Recipient{Name: l.Name, Email: l.Email,
			MessageID: "<" + MessageID(key, l.Email, domain) + ">"})
	}
	return out
}

func readAttachment(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err == nil && len(data) == 0 {
		err = errors.New("file is empty")
	}
	if err != nil {
		return nil, fmt.Errorf("attachment %s: %w", path, err)
	}
	return data, nil
}

// Deliveries returns where each e-mail of the reports reportKeys stands,
// report by report in queue order. When some are not sent, the error
// wraps [ErrUndelivered] and names them; other errors mean the outbox
// could not be read.
func Deliveries(ctx context.Context, st *store.Store, reportKeys ...string) ([]Delivery, error) {
	var rows []store.OutboxEmail
	for _, key := range reportKeys {
		r, err := st.OutboxEmails(ctx, key)
		if err != nil {
			return nil, fmt.Errorf("report: deliveries of %s: %w", key, err)
		}
		rows = append(rows, r...)
	}
	var out []Delivery
	var bad []string
	for _, r := range rows {
		d := Delivery{Recipient: r.RecipientEmail, ReportKey: r.ReportKey, Status: r.Status, MessageID: r.MessageID, EMLPath: r.EMLPath,
			Attempts: r.Attempts, Reply: r.SMTPReply, SentAt: r.SentAt, NextAttempt: r.NextAttemptAt}
		if r.Status != store.OutboxSent {
			d.Err = errors.New(cmp.Or(r.LastError, "not attempted yet"))
			bad = append(bad, r.RecipientEmail+" ("+r.Status+")")
		}
		out = append(out, d)
	}
	if len(bad) > 0 {
		return out, fmt.Errorf("%w: %s", ErrUndelivered, strings.Join(bad, ", "))
	}
	return out, nil
}
