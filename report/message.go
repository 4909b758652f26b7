package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/mail"
	"path/filepath"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/surveyworker/surveyworker/internal/words"
	"github.com/surveyworker/surveyworker/survey"
)

// XLSXContentType is the MIME type of an Excel workbook.
const XLSXContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// topN is how many workstreams the e-mail body lists.
const topN = 5

// Subject returns the e-mail subject for a report made at t, dated in loc:
// "Primary care IT roadmap ranking – 25 Nov 2026". An empty title means
// [DefaultTitle]; a nil loc means Europe/London.
func Subject(title string, t time.Time, loc *time.Location) string {
	if title == "" {
		title = DefaultTitle
	}
	if loc == nil {
		loc = defaultLocation()
	}
	return title + " – " + t.In(loc).Format(displayDate)
}

// Body returns the plain-text body for ranking r: the counts behind it,
// its top five workstreams with their tiers, and when and how it was
// computed, with times shown in loc (nil means Europe/London).
func Body(r survey.Ranking, loc *time.Location) string {
	if loc == nil {
		loc = defaultLocation()
	}
	var b strings.Builder
	if len(r.Rows) == 0 {
		b.WriteString("No workstreams were ranked: no survey responses have been loaded yet.\n")
	} else {
		fmt.Fprintf(&b, "The attached workbook ranks %d workstreams using %s from %s (%s loaded).\n\n",
			len(r.Rows), words.Count(r.Respondents, "survey response", ""), words.Count(r.Practices, "practice", ""), words.Count(r.Files, "file", ""))
		fmt.Fprintf(&b, "Top %d:\n", min(topN, len(r.Rows)))
		writeTop(&b, r.Rows)
	}
	b.WriteString("\n")
	if !r.CreatedAt.IsZero() {
		fmt.Fprintf(&b, "Ranking computed %s", r.CreatedAt.In(loc).Format(displayTime))
		if r.Method != "" {
			fmt.Fprintf(&b, " (method %s)", oneLine(r.Method))
		}
		b.WriteString(".\n")
	}
	b.WriteString(advisoryNote + "\n")
	b.WriteString("This message was sent automatically by surveyworker.\n")
	return b.String()
}

// writeTop lists the first topN rows; a rank shared with a neighbour is
// marked "=".
func writeTop(b *strings.Builder, rows []survey.RankedWorkstream) {
	for i, r := range rows[:min(topN, len(rows))] {
		rank := fmt.Sprint(r.Rank)
		if (i > 0 && rows[i-1].Rank == r.Rank) || (i+1 < len(rows) && rows[i+1].Rank == r.Rank) {
			rank += "="
		}
		fmt.Fprintf(b, "%4s  %s (%s, score %.2f, %s)\n", rank, oneLine(r.Workstream), oneLine(string(r.Tier)),
			r.Score, words.Count(r.Practices, "practice", ""))
	}
}

// oneLine replaces control characters in s, such as line breaks, with
// spaces.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// MessageID returns the Message-ID, without angle brackets, of the report
// reportKey sent to recipient: the same inputs always give the same ID, so
// a message sent again after a crash can be recognised as a duplicate.
// domain is the part after "@", normally the sender's domain.
func MessageID(reportKey, recipient, domain string) string {
	sum := sha256.Sum256([]byte(reportKey + "\n" + strings.ToLower(recipient)))
	return fmt.Sprintf("%s.%s@%s", idAtom(reportKey), hex.EncodeToString(sum[:12]), domain)
}

// idAtom reduces s to at most 40 characters that are safe in a Message-ID
// or a file name.
func idAtom(s string) string {
	out := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, s)
	if len(out) > 40 {
		out = out[:40]
	}
	if out == "" {
		return "report"
	}
	return out
}

// senderDomain returns the domain of the address in from.
func senderDomain(from string) string {
	addr, err := mail.ParseAddress(from)
	if err != nil {
		return "localhost"
	}
	return addr.Address[strings.LastIndexByte(addr.Address, '@')+1:]
}

// email is one message ready to be built.
type email struct {
	from, toName, to, subject, body, messageID string
	// htmlBody, when set, is the HTML alternative of body.
	htmlBody       string
	date           time.Time
	attachmentName string
	attachment     []byte // nil for none
}

// build returns the go-mail message for e: the text, with its HTML
// alternative when there is one, and the attachment, as multipart/mixed
// around multipart/alternative.
func (e email) build() (*gomail.Msg, error) {
	m := gomail.NewMsg()
	if err := m.From(e.from); err != nil {
		return nil, fmt.Errorf("from %q: %w", e.from, err)
	}
	to, err := mail.ParseAddress(e.to)
	if err != nil {
		return nil, fmt.Errorf("to %q: %w", e.to, err)
	}
	to.Name = e.toName
	m.ToMailAddress(to)
	m.Subject(e.subject)
	m.SetMessageIDWithValue(e.messageID)
	m.SetDateWithValue(e.date)
	m.SetUserAgent("surveyworker")
	m.SetBulk()
	m.SetBodyString(gomail.TypeTextPlain, e.body)
	if e.htmlBody != "" {
		m.AddAlternativeString(gomail.TypeTextHTML, e.htmlBody)
	}
	if e.attachment != nil {
		err := m.AttachReader(filepath.Base(e.attachmentName), bytes.NewReader(e.attachment),
			gomail.WithFileContentType(XLSXContentType))
		if err != nil {
			return nil, fmt.Errorf("attach %s: %w", e.attachmentName, err)
		}
	}
	return m, nil
}
