package report

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"

	gomail "github.com/wneessen/go-mail"

	"github.com/surveyworker/surveyworker/store"
)

// sender sends outbox rows for one Deliver call.
type sender struct {
	d           DeliverOptions
	client      *gomail.Client // nil when writing .eml files
	domain      string
	attachments map[string][]byte
}

// newSender prepares the SMTP client and reads the attachment, so that a
// missing workbook fails the call before anything is queued.
func newSender(d DeliverOptions) (*sender, error) {
	s := &sender{d: d, domain: senderDomain(d.SMTP.From), attachments: map[string][]byte{}}
	if d.AttachmentPath != "" {
		if _, err := s.attachment(d.AttachmentPath); err != nil {
			return nil, err
		}
	}
	if d.SMTP.Enabled() {
		c, err := d.SMTP.client()
		if err != nil {
			return nil, err
		}
		s.client = c
	}
	return s, nil
}

// attachment returns the contents of the file at path, read once.
func (s *sender) attachment(path string) ([]byte, error) {
	if data, ok := s.attachments[path]; ok {
		return data, nil
	}
	data, err := os.ReadFile(path)
	if err == nil && len(data) == 0 {
		err = errors.New("file is empty")
	}
	if err != nil {
		return nil, fmt.Errorf("attachment %s: %w", path, err)
	}
	s.attachments[path] = data
	return data, nil
}

// send sends one outbox row; it is the store's [store.SendFunc].
func (s *sender) send(ctx context.Context, e store.OutboxEmail) store.SendOutcome {
	id := MessageID(e.ReportKey, e.RecipientEmail, s.domain)
	out := store.SendOutcome{MessageID: "<" + id + ">"}
	msg, err := s.message(e, id)
	switch {
	case err != nil:
		out.Err = err
	case s.client == nil:
		out.EMLPath, out.Err = writeEML(s.d.OutboxDir, e, msg)
	default:
		out.Err = s.sendSMTP(ctx, msg)
		out.Temporary = out.Err != nil && isTemporary(out.Err)
	}
	s.log(ctx, e, out)
	return out
}

func (s *sender) message(e store.OutboxEmail, id string) (*gomail.Msg, error) {
	m := email{from: s.d.SMTP.From, toName: e.RecipientName, to: e.RecipientEmail, subject: e.Subject,
		body: s.d.Body, messageID: id, date: s.d.Now(), attachmentName: e.AttachmentPath}
	if e.AttachmentPath != "" {
		data, err := s.attachment(e.AttachmentPath)
		if err != nil {
			return nil, err
		}
		m.attachment = data
	}
	return m.build()
}

// sendSMTP connects to the relay and sends msg. ctx and the configured
// timeout bound the connection; the timeout also bounds each SMTP command.
func (s *sender) sendSMTP(ctx context.Context, msg *gomail.Msg) error {
	ctx, cancel := context.WithTimeout(ctx, s.d.SMTP.timeout())
	defer cancel()
	if err := s.client.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("smtp %s: %w", s.d.SMTP.Host, err)
	}
	return nil
}

func (s *sender) log(ctx context.Context, e store.OutboxEmail, out store.SendOutcome) {
	attrs := []slog.Attr{slog.String("report_key", e.ReportKey), slog.String("recipient", e.RecipientEmail),
		slog.String("message_id", out.MessageID), slog.Int("attempt", e.Attempts+1)}
	switch {
	case out.Err != nil:
		attrs = append(attrs, slog.Bool("temporary", out.Temporary), slog.String("error", out.Err.Error()))
		s.d.Logger.LogAttrs(ctx, slog.LevelWarn, "email not delivered", attrs...)
	case out.EMLPath != "":
		s.d.Logger.LogAttrs(ctx, slog.LevelInfo, "email written", append(attrs, slog.String("eml_path", out.EMLPath))...)
	default:
		s.d.Logger.LogAttrs(ctx, slog.LevelInfo, "email sent", attrs...)
	}
}
