package report

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/surveyworker/surveyworker/store"
)

// Defaults of [SenderConfig].
const (
	// DefaultMaxAge is how long after being queued a message is given up.
	DefaultMaxAge = 24 * time.Hour
	// DefaultRetryMin is the delay before the first retry, before jitter.
	DefaultRetryMin = time.Minute
	// DefaultRetryMax caps the delay between retries.
	DefaultRetryMax = time.Hour
)

// SenderConfig configures a [Sender]. Zero values take the defaults given
// for each field.
type SenderConfig struct {
	// Store holds the outbox. Required.
	Store *store.Store
	// SMTP is the relay. Without a Host, messages are written as .eml
	// files to OutboxDir instead. From is always required.
	SMTP SMTPConfig
	// OutboxDir is where .eml files go; required when SMTP has no Host.
	OutboxDir string
	// MaxAge is how long after being queued a message that could not be
	// delivered is given up and marked failed; 0 means DefaultMaxAge.
	MaxAge time.Duration
	// RetryMin and RetryMax bound the delay before the next attempt after
	// a temporary failure: RetryMin after the first, doubling each time up
	// to RetryMax, each delay then drawn uniformly from its upper half so
	// that replicas and messages spread out. Zero means DefaultRetryMin
	// and DefaultRetryMax.
	RetryMin, RetryMax time.Duration
	// Metrics, when set, counts the messages sent and the SMTP errors.
	Metrics *Metrics
	// Logger receives one line per message attempted; nil discards.
	Logger *slog.Logger
	// Now is the clock for due times, ages and Date headers; nil means
	// time.Now.
	Now func() time.Time
	// Jitter returns a number in [0, 1) that places each retry within
	// its delay's upper half; nil means math/rand/v2's Float64.
	Jitter func() float64
}

// Sender delivers the outbox's pending e-mails. It is safe for concurrent
// use, also with Senders of other processes on the same database: each
// message is claimed by one of them at a time.
type Sender struct {
	cfg SenderConfig
	// afterAccepted, set by tests, runs between the relay accepting a
	// message and the outcome being recorded: where a crash would leave
	// the message pending although it was sent.
	afterAccepted func()
}

// NewSender checks cfg and returns a sender.
func NewSender(cfg SenderConfig) (*Sender, error) {
	switch {
	case cfg.Store == nil:
		return nil, errors.New("report: sender needs a store")
	case cfg.MaxAge < 0 || cfg.RetryMin < 0 || cfg.RetryMax < 0:
		return nil, errors.New("report: sender: negative duration")
	}
	if err := cfg.SMTP.Validate(); err != nil {
		return nil, fmt.Errorf("report: sender: %w", err)
	}
	if !cfg.SMTP.Enabled() && cfg.OutboxDir == "" {
		return nil, errors.New("report: sender: no SMTP host and no outbox directory")
	}
	cfg.MaxAge = cmp.Or(cfg.MaxAge, DefaultMaxAge)
	cfg.RetryMin = cmp.Or(cfg.RetryMin, DefaultRetryMin)
	cfg.RetryMax = max(cmp.Or(cfg.RetryMax, DefaultRetryMax), cfg.RetryMin)
	cfg.Logger = cmp.Or(cfg.Logger, slog.New(slog.DiscardHandler))
	cfg.Now = nowFunc(cfg.Now)
	if cfg.Jitter == nil {
		cfg.Jitter = rand.Float64
	}
	return &Sender{cfg: cfg}, nil
}

// DeliveryStats counts what one [Sender.DeliverPending] call did.
type DeliveryStats struct {
	// Sent were handed to the relay or written as .eml files.
	Sent int
	// Retrying failed for a reason that may clear and stay pending, with
	// their next attempt later.
	Retrying int
	// Failed were refused for good (SMTP 5xx for the message or its
	// recipient).
	Failed int
	// Expired were given up, still undelivered MaxAge after being queued.
	Expired int
	// Deferred reports that the pass stopped at an unreachable or refusing
	// relay; the due messages not attempted wait for the next call.
	Deferred bool
}

// Attempted returns how many messages the call tried to send.
func (d DeliveryStats) Attempted() int { return d.Sent + d.Retrying + d.Failed }

// DeliverPending sends every pending e-mail of the outbox that is due, of
// any report and queued by any process, and records each outcome with the
// SMTP server's answer: sent; pending with a later next attempt after an
// SMTP 4xx or a connection failure (exponential backoff with jitter); or
// failed after a 5xx for that message or recipient, which never affects
// the others. A message still undelivered MaxAge after it was queued is
// failed. When the relay cannot be reached, or refuses the session, the
// pass stops after the message that found out, so an outage costs one
// connection attempt per call, not one per message.
//
// DeliverPending takes no lock but a lease on each message's outbox row,
// so it may run while ingest or ranking holds the pipeline lock, and from
// several processes at once. Once ctx is done it takes no other message;
// the one in hand is recorded as it ended, as sent if the relay accepted
// it. It returns an error only when the outbox could not be used, or ctx
// ended the pass; undelivered messages are counted in the stats, not
// errors.
func (s *Sender) DeliverPending(ctx context.Context) (DeliveryStats, error) {
	var stats DeliveryStats
	now := s.cfg.Now()
	expired, err := s.cfg.Store.ExpireEmails(ctx, now.Add(-s.cfg.MaxAge),
		fmt.Sprintf("gave up: not delivered within %s of being queued", s.cfg.MaxAge))
	if err != nil {
		return stats, fmt.Errorf("report: deliver pending: %w", err)
	}
	stats.Expired = int(expired)
	_, err = s.cfg.Store.SendDueEmails(ctx, now, s.lease(), func(ctx context.Context, e store.DueEmail) store.SendOutcome {
		out := s.send(ctx, e, now)
		stats.count(out)
		return out
	})
	s.cfg.Metrics.expired(stats.Expired)
	if stats.Attempted() > 0 || stats.Expired > 0 {
		s.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "outbox delivery", slog.Int("sent", stats.Sent),
			slog.Int("retrying", stats.Retrying), slog.Int("failed", stats.Failed),
			slog.Int("expired", stats.Expired), slog.Bool("deferred", stats.Deferred))
	}
	if err != nil {
		return stats, fmt.Errorf("report: deliver pending: %w", err)
	}
	return stats, nil
}

// lease is how long a message is held by this sender while it sends it:
// twice the longest one SMTP send may take, so that no other sender takes
// a message still in hand.
func (s *Sender) lease() time.Duration {
	return 2 * messageTimeouts * s.cfg.SMTP.timeout()
}

func (d *DeliveryStats) count(out store.SendOutcome) {
	switch out.Status {
	case store.OutboxSent:
		d.Sent++
	case store.OutboxPending:
		d.Retrying++
	case store.OutboxFailed:
		d.Failed++
	}
	d.Deferred = d.Deferred || out.Stop
}

// send sends one due e-mail at now and decides what becomes of it.
func (s *Sender) send(ctx context.Context, e store.DueEmail, now time.Time) store.SendOutcome {
	msg, err := s.message(e, now)
	if err != nil {
		out := store.SendOutcome{Status: store.OutboxFailed, Error: err.Error()}
		s.log(ctx, e, out, ErrClassPermanent)
		return out
	}
	if !s.cfg.SMTP.Enabled() {
		var out store.SendOutcome
		out.EMLPath, err = writeEML(s.cfg.OutboxDir, e.OutboxEmail, msg)
		out.Status = store.OutboxSent
		if err != nil {
			// The disk, not the message: try again like a relay outage.
			out = s.retry(e, now, sendFailure{class: ErrClassConnection}, err)
		}
		s.log(ctx, e, out, "")
		s.cfg.Metrics.sent(out)
		return out
	}
	err = s.sendSMTP(ctx, msg)
	if msg.IsDelivered() {
		if s.afterAccepted != nil {
			s.afterAccepted()
		}
		// Accepted, even if closing the session then failed.
		out := store.SendOutcome{Status: store.OutboxSent, Reply: "250 " + msg.ServerResponse()}
		s.log(ctx, e, out, "")
		s.cfg.Metrics.sent(out)
		return out
	}
	f := classify(err)
	s.cfg.Metrics.smtpError(f.class)
	var out store.SendOutcome
	if f.retry() {
		out = s.retry(e, now, f, err)
	} else {
		out = store.SendOutcome{Status: store.OutboxFailed, Reply: f.reply, Error: err.Error()}
	}
	s.log(ctx, e, out, f.class)
	return out
}

// retry leaves e pending until its next attempt, or fails it when it has
// been queued for MaxAge.
func (s *Sender) retry(e store.DueEmail, now time.Time, f sendFailure, err error) store.SendOutcome {
	out := store.SendOutcome{Status: store.OutboxPending, Reply: f.reply, Error: err.Error(), Stop: f.stop()}
	deadline := e.CreatedAt.Add(s.cfg.MaxAge)
	if !now.Before(deadline) {
		out.Status = store.OutboxFailed
		out.Error = fmt.Sprintf("gave up: not delivered within %s of being queued; last error: %v", s.cfg.MaxAge, err)
		return out
	}
	// One last attempt at the deadline rather than none after it.
	out.RetryAt = now.Add(s.backoff(e.Attempts + 1))
	if out.RetryAt.After(deadline) {
		out.RetryAt = deadline
	}
	return out
}

// nowFunc returns now, or time.Now when now is nil.
func nowFunc(now func() time.Time) func() time.Time {
	if now == nil {
		return time.Now
	}
	return now
}

// backoff returns the delay after the nth failed attempt: RetryMin doubled
// n-1 times, at most RetryMax, then placed in its upper half by Jitter.
func (s *Sender) backoff(n int) time.Duration {
	d := s.cfg.RetryMin
	for i := 1; i < n && d < s.cfg.RetryMax; i++ {
		d *= 2
	}
	d = min(d, s.cfg.RetryMax)
	return d/2 + time.Duration(s.cfg.Jitter()*float64(d/2))
}

// errAttachmentDeleted fails an e-mail whose report's attachment was
// deleted (see [store.Store.PurgeAttachments]), as when a failed e-mail
// is set pending again by hand: it is not sent without its workbook.
var errAttachmentDeleted = errors.New("not sent: the report's workbook was deleted once none of its e-mails was pending, or by forget; the next report replaces it")

// message builds the e-mail of e, dated now, with the Message-ID it was
// queued with.
func (s *Sender) message(e store.DueEmail, now time.Time) (*gomail.Msg, error) {
	if e.AttachmentName != "" && e.Attachment == nil {
		return nil, errAttachmentDeleted
	}
	id := strings.Trim(e.MessageID, "<>")
	if id == "" {
		id = MessageID(e.ReportKey, e.RecipientEmail, senderDomain(s.cfg.SMTP.From))
	}
	m := email{from: s.cfg.SMTP.From, toName: e.RecipientName, to: e.RecipientEmail, subject: e.Subject,
		body: e.Body, htmlBody: e.HTMLBody, messageID: id, date: now, attachmentName: e.AttachmentName}
	if e.AttachmentName != "" {
		m.attachment = e.Attachment
	}
	return m.build()
}

// sendSMTP connects to the relay and sends msg, within ten command
// timeouts in all and each command within one.
func (s *Sender) sendSMTP(ctx context.Context, msg *gomail.Msg) error {
	ctx, cancel := context.WithTimeout(ctx, messageTimeouts*s.cfg.SMTP.timeout())
	defer cancel()
	client, err := s.cfg.SMTP.client(ctx)
	if err != nil {
		return err
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("smtp %s: %w", s.cfg.SMTP.Host, err)
	}
	return nil
}

func (s *Sender) log(ctx context.Context, e store.DueEmail, out store.SendOutcome, class string) {
	attrs := []slog.Attr{slog.String("report_key", e.ReportKey), slog.String("recipient", e.RecipientEmail),
		slog.String("message_id", e.MessageID), slog.Int("attempt", e.Attempts+1), slog.String("status", out.Status)}
	if out.Reply != "" {
		attrs = append(attrs, slog.String("smtp_reply", out.Reply))
	}
	switch {
	case out.Error != "":
		attrs = append(attrs, slog.String("error_class", class), slog.String("error", out.Error))
		if out.Status == store.OutboxPending {
			attrs = append(attrs, slog.Time("next_attempt", out.RetryAt))
		}
		s.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "email not delivered", attrs...)
	case out.EMLPath != "":
		s.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "email written", append(attrs, slog.String("eml_path", out.EMLPath))...)
	default:
		s.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "email sent", attrs...)
	}
}
