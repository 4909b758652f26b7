package report

import (
	"bytes"
	"fmt"
	"log/slog"
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

func TestIsTemporary(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"no reply", fmt.Errorf("dial failed: connection refused"), true},
		{"sender unusable", &gomail.SendError{Reason: gomail.ErrGetSender}, false},
		{"connection check", &gomail.SendError{Reason: gomail.ErrConnCheck}, true},
	}
	for _, tt := range tests {
		if got := isTemporary(tt.err); got != tt.want {
			t.Errorf("%s: isTemporary = %v, want %v", tt.name, got, tt.want)
		}
	}
}
