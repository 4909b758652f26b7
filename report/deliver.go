package report

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/survey"
)

// DefaultMaxAttempts is how many times an e-mail is tried before it is
// marked failed, when [DeliverOptions].MaxAttempts is zero.
const DefaultMaxAttempts = 5

// Delivery statuses, as reported in [Delivery].Status.
const (
	// StatusSent: handed to the SMTP server, or written as an .eml file
	// (EMLPath set), by this call.
	StatusSent = "sent"
	// StatusAlreadySent: an earlier call delivered it; nothing was sent.
	StatusAlreadySent = "already_sent"
	// StatusPending: a temporary failure; a later call retries it.
	StatusPending = "pending"
	// StatusFailed: a permanent failure, or out of attempts.
	StatusFailed = "failed"
)

// ErrUndelivered is wrapped by the error [Deliver] returns when some
// recipients were not delivered to.
var ErrUndelivered = errors.New("report: e-mail not delivered to every lead")

// Delivery is the outcome of one report for one recipient.
type Delivery struct {
	Recipient string
	// Status is StatusSent, StatusAlreadySent, StatusPending or
	// StatusFailed.
	Status    string
	MessageID string
	// EMLPath is the .eml file written when no SMTP host is configured.
	EMLPath string
	// Err is why the message is pending or failed.
	Err error
}

// DeliverOptions configure [Deliver].
type DeliverOptions struct {
	// ReportKey identifies the report; each lead gets it at most once.
	// Required.
	ReportKey string
	// JobRunID is the job run delivering the report; 0 when none.
	JobRunID int64
	// Ranking, when Subject or Body is empty, is summarised to make them.
	Ranking *survey.Ranking
	// Subject and Body are the message text; see [Subject] and [Body].
	Subject, Body string
	// Title is the report title used in a composed subject.
	Title string
	// Location is the time zone of dates in composed text; nil means
	// Europe/London.
	Location *time.Location
	// AttachmentPath is the workbook to attach; empty attaches nothing.
	AttachmentPath string
	// Leads are the recipients.
	Leads []Lead
	// SMTP is the relay. Without a Host, messages are written as .eml
	// files to OutboxDir instead. From is always required.
	SMTP SMTPConfig
	// OutboxDir is where .eml files go; required when SMTP has no Host.
	OutboxDir string
	// MaxAttempts bounds the tries per recipient; 0 means
	// DefaultMaxAttempts.
	MaxAttempts int
	// Logger receives one line per message; nil discards.
	Logger *slog.Logger
	// Now is the clock for Date headers; nil means time.Now.
	Now func() time.Time
}

// ReportKey returns the outbox key of the report of ranking r:
// "ranking-<run id>" for a stored ranking, otherwise "ranking-" and the
// ranking's UTC creation time. Delivering under this key sends each stored
// ranking to each lead at most once.
func ReportKey(r survey.Ranking) string {
	if r.RunID > 0 {
		return fmt.Sprintf("ranking-%d", r.RunID)
	}
	return "ranking-" + r.CreatedAt.UTC().Format("20060102T150405Z")
}

// Deliver queues the report for every lead in the store's outbox (once per
// report key and lead, however often it is called) and then sends the
// pending messages of ReportKey, one message per lead. A lead already sent
// the report is not sent it again; a temporary failure (SMTP 4xx, network)
// stays pending for a later call, up to MaxAttempts; a permanent one (SMTP
// 5xx) is marked failed. One lead's failure never re-sends to the others.
//
// A row queued by an earlier call keeps the subject and attachment path it
// was queued with; the body is always d's.
//
// Deliver returns one [Delivery] per outbox row of ReportKey, in queue
// order. When some are pending or failed it also returns an error wrapping
// [ErrUndelivered]; other errors mean the outbox could not be used.
func Deliver(ctx context.Context, st *store.Store, d DeliverOptions) ([]Delivery, error) {
	d, err := d.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("report: deliver %s: %w", d.ReportKey, err)
	}
	s, err := newSender(d)
	if err != nil {
		return nil, fmt.Errorf("report: deliver %s: %w", d.ReportKey, err)
	}
	if _, err := st.EnqueueEmails(ctx, d.outboxRows()); err != nil {
		return nil, fmt.Errorf("report: deliver %s: %w", d.ReportKey, err)
	}
	attempted, err := st.SendPendingEmails(ctx, d.ReportKey, d.MaxAttempts, s.send)
	if err != nil {
		return nil, fmt.Errorf("report: deliver %s: %w", d.ReportKey, err)
	}
	rows, err := st.OutboxEmails(ctx, d.ReportKey)
	if err != nil {
		return nil, fmt.Errorf("report: deliver %s: %w", d.ReportKey, err)
	}
	return deliveries(rows, attempted)
}

func (d DeliverOptions) withDefaults() (DeliverOptions, error) {
	if d.ReportKey == "" {
		return d, errors.New("no report key")
	}
	if err := d.SMTP.Validate(); err != nil {
		return d, err
	}
	if !d.SMTP.Enabled() && d.OutboxDir == "" {
		return d, errors.New("no SMTP host and no outbox directory")
	}
	if (d.Subject == "" || d.Body == "") && d.Ranking == nil {
		return d, errors.New("no subject and body, and no ranking to compose them from")
	}
	d.MaxAttempts = max(d.MaxAttempts, 0)
	if d.MaxAttempts == 0 {
		d.MaxAttempts = DefaultMaxAttempts
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	d.compose()
	return d, nil
}

// compose fills an empty Subject or Body from the ranking.
func (d *DeliverOptions) compose() {
	if d.Subject == "" {
		at := d.Ranking.CreatedAt
		if at.IsZero() {
			at = d.Now()
		}
		d.Subject = Subject(d.Title, at, d.Location)
	}
	if d.Body == "" {
		d.Body = Body(*d.Ranking, d.Location)
	}
}

func (d DeliverOptions) outboxRows() []store.OutboxEmail {
	rows := make([]store.OutboxEmail, 0, len(d.Leads))
	for _, l := range d.Leads {
		rows = append(rows, store.OutboxEmail{
			ReportKey: d.ReportKey, JobRunID: d.JobRunID, RecipientName: l.Name,
			RecipientEmail: l.Email, Subject: d.Subject, AttachmentPath: d.AttachmentPath,
		})
	}
	return rows
}

// deliveries reports every outbox row, using this call's outcome for the
// rows it attempted.
func deliveries(rows, attempted []store.OutboxEmail) ([]Delivery, error) {
	now := map[int64]bool{}
	for _, e := range attempted {
		now[e.ID] = true
	}
	var out []Delivery
	var bad []string
	for _, r := range rows {
		dl := Delivery{Recipient: r.RecipientEmail, Status: r.Status, MessageID: r.MessageID, EMLPath: r.EMLPath}
		if r.Status == store.OutboxSent && !now[r.ID] {
			dl.Status = StatusAlreadySent
		}
		if r.Status != store.OutboxSent {
			dl.Err = errors.New(cmp.Or(r.LastError, "not attempted"))
			bad = append(bad, r.RecipientEmail+" ("+r.Status+")")
		}
		out = append(out, dl)
	}
	if len(bad) > 0 {
		return out, fmt.Errorf("%w: %s", ErrUndelivered, strings.Join(bad, ", "))
	}
	return out, nil
}
