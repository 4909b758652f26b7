package report

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/textproto"
	"os"
	"strings"
	"testing"
	"time"

	gomail "github.com/wneessen/go-mail"
)

func TestSMTPConfigNeverShowsPassword(t *testing.T) {
	c := SMTPConfig{Host: "smtp.example.org", Username: "worker", Password: "hunter2-secret", From: "r@example.org"}
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	logger.Info("config", slog.Any("smtp", c))
	logger.Info("config", "smtp", &c)
	outputs := []string{
		fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprint(&c), c.String(), buf.String(),
	}
	for _, out := range outputs {
		if strings.Contains(out, "hunter2") {
			t.Errorf("password shown in %q", out)
		}
	}
	if !strings.Contains(buf.String(), `"password":"xxxxx"`) || !strings.Contains(buf.String(), `"port":587`) {
		t.Errorf("log output %s lacks the masked password or default port", buf.String())
	}
}

func TestSMTPConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		c    SMTPConfig
		ok   bool
	}{
		{"defaults", SMTPConfig{From: "r@example.org"}, true},
		{"named sender", SMTPConfig{From: "Roadmap <r@example.org>", TLS: TLSImplicit}, true},
		{"no sender", SMTPConfig{}, false},
		{"bad policy", SMTPConfig{From: "r@example.org", TLS: "ssl"}, false},
		{"bad port", SMTPConfig{From: "r@example.org", Port: 70000}, false},
	}
	for _, tt := range tests {
		if err := tt.c.Validate(); (err == nil) != tt.ok {
			t.Errorf("%s: Validate() = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}

func TestSMTPConfigDefaults(t *testing.T) {
	if p := (SMTPConfig{TLS: TLSImplicit}).port(); p != 465 {
		t.Errorf("implicit TLS port %d, want 465", p)
	}
	if p := (SMTPConfig{}).port(); p != 587 {
		t.Errorf("default port %d, want 587", p)
	}
	if d := (SMTPConfig{}).timeout(); d != 30*time.Second {
		t.Errorf("default timeout %v", d)
	}
}

func TestClassify(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	tests := []struct {
		name  string
		err   error
		class string
		reply string
	}{
		{"refused", fmt.Errorf("dial failed: %w", refused), ErrClassConnection, ""},
		{"timeout", fmt.Errorf("dial failed: %w", os.ErrDeadlineExceeded), ErrClassConnection, ""},
		{"greeting refused", fmt.Errorf("dial failed: %w", &textproto.Error{Code: 554, Msg: "5.7.1 go away"}), ErrClassRelay, "554 5.7.1 go away"},
		{"no STARTTLS", errors.New("STARTTLS mode set to: \"TLSMandatory\", but target host does not support STARTTLS"), ErrClassRelay, ""},
		{"sender unusable", &gomail.SendError{Reason: gomail.ErrGetSender}, ErrClassPermanent, ""},
		{"connection lost at MAIL", &gomail.SendError{Reason: gomail.ErrSMTPMailFrom}, ErrClassConnection, ""},
		{"connection check", &gomail.SendError{Reason: gomail.ErrConnCheck}, ErrClassConnection, ""},
	}
	for _, tt := range tests {
		got := classify(tt.err)
		if got.class != tt.class || got.reply != tt.reply {
			t.Errorf("%s: classify = %+v, want class %s, reply %q", tt.name, got, tt.class, tt.reply)
		}
	}
}

func TestReplyText(t *testing.T) {
	tests := map[string]string{
		"sending SMTP RCPT TO command: 550 5.1.1 recipient refused by test server, affected recipient(s): <a@b.org>, affected message ID: <x@y>": "550 5.1.1 recipient refused by test server",
		"closing SMTP DATA writer: 451 4.3.0 try later, affected message ID: <x@y>":                                                              "451 4.3.0 try later",
		"dial failed: connection refused": "",
	}
	for in, want := range tests {
		if got := replyText(in); got != want {
			t.Errorf("replyText(%q) = %q, want %q", in, got, want)
		}
	}
}
