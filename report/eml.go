package report

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	gomail "github.com/wneessen/go-mail"

	"github.com/surveyworker/surveyworker/store"
)

// writeEML writes msg for outbox row e as an .eml file in dir and returns
// its path. The name is derived from the report key and recipient, so a
// second write replaces the first; the file appears complete or not at
// all.
func writeEML(dir string, e store.OutboxEmail, msg *gomail.Msg) (path string, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("outbox directory: %w", err)
	}
	path = filepath.Join(dir, emlName(e.ReportKey, e.RecipientEmail))
	tmp, err := os.CreateTemp(dir, ".eml-*.tmp")
	if err != nil {
		return "", fmt.Errorf("eml: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = msg.WriteTo(tmp); err != nil {
		return "", fmt.Errorf("eml %s: %w", path, err)
	}
	if err = tmp.Chmod(0o644); err == nil {
		err = tmp.Close()
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return "", fmt.Errorf("eml %s: %w", path, err)
	}
	return path, nil
}

// emlName is the file name of the message of reportKey to recipient, e.g.
// "ranking-7_it-lead@example.nhs.uk.eml".
func emlName(reportKey, recipient string) string {
	safe := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.@+", r) {
			return r
		}
		return '-'
	}, strings.ToLower(recipient))
	return idAtom(reportKey) + "_" + strings.TrimLeft(safe, ".") + ".eml"
}
