package report

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/surveyworker/surveyworker/internal/smtptest"
	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/store/storetest"
)

var testLeads = []Lead{
	{Name: "Alex Morgan", Email: "it-lead@example.nhs.uk"},
	{Name: "Sam Patel", Email: "practice-manager@example.nhs.uk"},
	{Name: "", Email: "roadmap@example.org"},
}

// deliverBundle is what each delivery test starts from: a fresh database,
// a workbook on disk and options that send it to testLeads.
type deliverBundle struct {
	st   *store.Store
	opts DeliverOptions
}

func setupDeliver(t *testing.T, smtp SMTPConfig) deliverBundle {
	t.Helper()
	st := storetest.NewStore(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "ranking.xlsx")
	if err := WriteWorkbook(path, sampleInput()); err != nil {
		t.Fatal(err)
	}
	r := sampleRanking()
	smtp.From = "Roadmap <roadmap-reports@example.org>"
	if smtp.Timeout == 0 {
		smtp.Timeout = 5 * time.Second
	}
	return deliverBundle{st: st, opts: DeliverOptions{
		ReportKey: "ranking-7", Ranking: &r, Location: london, AttachmentPath: path,
		Leads: testLeads, SMTP: smtp, OutboxDir: filepath.Join(dir, "outbox"),
		Now: func() time.Time { return time.Date(2026, 11, 25, 2, 1, 0, 0, time.UTC) },
	}}
}

func plainSMTP(srv *smtptest.Server) SMTPConfig {
	return SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: TLSNone}
}

// statuses maps each recipient to its delivery status.
func statuses(ds []Delivery) map[string]string {
	out := map[string]string{}
	for _, d := range ds {
		out[d.Recipient] = d.Status
	}
	return out
}

func allStatus(status string) map[string]string {
	out := map[string]string{}
	for _, l := range testLeads {
		out[l.Email] = status
	}
	return out
}

func TestDeliverSMTP(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	b := setupDeliver(t, plainSMTP(srv))
	ctx := context.Background()

	ds, err := Deliver(ctx, b.st, b.opts)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(allStatus(StatusSent), statuses(ds)); diff != "" {
		t.Errorf("first delivery (-want +got):\n%s", diff)
	}
	msgs := srv.Messages()
	if len(msgs) != len(testLeads) {
		t.Fatalf("server got %d messages, want %d", len(msgs), len(testLeads))
	}
	for i, m := range msgs {
		checkReceived(t, m, testLeads[i], ds[i].MessageID)
	}

	ds, err = Deliver(ctx, b.st, b.opts)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(allStatus(StatusAlreadySent), statuses(ds)); diff != "" {
		t.Errorf("second delivery (-want +got):\n%s", diff)
	}
	if n := len(srv.Messages()); n != len(testLeads) {
		t.Errorf("after a second Deliver the server has %d messages, want still %d", n, len(testLeads))
	}
}

// checkReceived checks one message received by the test server.
func checkReceived(t *testing.T, m smtptest.Message, lead Lead, messageID string) {
	t.Helper()
	if diff := cmp.Diff([]string{lead.Email}, m.To); diff != "" {
		t.Errorf("envelope recipients (-want +got):\n%s", diff)
	}
	if m.From != "roadmap-reports@example.org" {
		t.Errorf("envelope sender %q", m.From)
	}
	p, err := m.Parse()
	if err != nil {
		t.Fatal(err)
	}
	if want := "Primary care IT roadmap ranking – 25 Nov 2026"; p.Subject != want {
		t.Errorf("subject %q, want %q", p.Subject, want)
	}
	to, err := p.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Address != lead.Email || to[0].Name != lead.Name {
		t.Errorf("To header %v (%v), want %s <%s>", to, err, lead.Name, lead.Email)
	}
	wantID := "<" + MessageID("ranking-7", lead.Email, "example.org") + ">"
	if got := p.Header.Get("Message-ID"); got != wantID || messageID != wantID {
		t.Errorf("Message-ID %q (reported %q), want %q", got, messageID, wantID)
	}
	for _, want := range []string{"1  Online consultation (Very high, score 0.82, 36 practices)", "143 survey responses from 37 practices"} {
		if !strings.Contains(p.Text, want) {
			t.Errorf("body lacks %q:\n%s", want, p.Text)
		}
	}
	checkAttachment(t, p)
}

func checkAttachment(t *testing.T, p *smtptest.Parsed) {
	t.Helper()
	if len(p.Attachments) != 1 {
		t.Fatalf("%d attachments, want 1", len(p.Attachments))
	}
	a := p.Attachments[0]
	if a.Filename != "ranking.xlsx" || a.ContentType != XLSXContentType {
		t.Errorf("attachment %q of type %q, want ranking.xlsx of type %s", a.Filename, a.ContentType, XLSXContentType)
	}
	f, err := excelize.OpenReader(bytes.NewReader(a.Data))
	if err != nil {
		t.Fatalf("attachment does not open as a workbook: %v", err)
	}
	defer f.Close()
	if got, _ := f.GetCellValue(SheetRanking, "B2"); got != "Online consultation" {
		t.Errorf("attached workbook Ranking!B2 = %q", got)
	}
}

func TestDeliverOneRecipientRejected(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	srv.RejectRecipient("practice-manager@example.nhs.uk", 550)
	b := setupDeliver(t, plainSMTP(srv))
	ctx := context.Background()

	ds, err := Deliver(ctx, b.st, b.opts)
	if !errors.Is(err, ErrUndelivered) {
		t.Errorf("error %v, want ErrUndelivered", err)
	}
	want := map[string]string{"it-lead@example.nhs.uk": StatusSent, "practice-manager@example.nhs.uk": StatusFailed, "roadmap@example.org": StatusSent}
	if diff := cmp.Diff(want, statuses(ds)); diff != "" {
		t.Errorf("delivery (-want +got):\n%s", diff)
	}
	if ds[1].Err == nil || !strings.Contains(ds[1].Err.Error(), "550") {
		t.Errorf("rejected recipient error %v, want the 550 reply", ds[1].Err)
	}

	srv.RejectRecipient("practice-manager@example.nhs.uk", 0)
	ds, _ = Deliver(ctx, b.st, b.opts)
	want = map[string]string{"it-lead@example.nhs.uk": StatusAlreadySent, "practice-manager@example.nhs.uk": StatusFailed, "roadmap@example.org": StatusAlreadySent}
	if diff := cmp.Diff(want, statuses(ds)); diff != "" {
		t.Errorf("second delivery (-want +got):\n%s", diff)
	}
	if got := recipients(srv.Messages()); !cmp.Equal(got, []string{"it-lead@example.nhs.uk", "roadmap@example.org"}) {
		t.Errorf("server received for %v, want each accepted lead exactly once", got)
	}
}

func TestDeliverTemporaryFailureRetried(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	srv.RejectRecipient("roadmap@example.org", 451)
	b := setupDeliver(t, plainSMTP(srv))
	ctx := context.Background()

	ds, _ := Deliver(ctx, b.st, b.opts)
	if got := statuses(ds)["roadmap@example.org"]; got != StatusPending {
		t.Errorf("after 451: status %q, want %q", got, StatusPending)
	}
	srv.RejectRecipient("roadmap@example.org", 0)
	ds, err := Deliver(ctx, b.st, b.opts)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"it-lead@example.nhs.uk": StatusAlreadySent, "practice-manager@example.nhs.uk": StatusAlreadySent, "roadmap@example.org": StatusSent}
	if diff := cmp.Diff(want, statuses(ds)); diff != "" {
		t.Errorf("retry (-want +got):\n%s", diff)
	}
	wantRcpts := []string{"it-lead@example.nhs.uk", "practice-manager@example.nhs.uk", "roadmap@example.org"}
	if got := recipients(srv.Messages()); !cmp.Equal(got, wantRcpts) {
		t.Errorf("server received for %v, want %v", got, wantRcpts)
	}
	rows, _ := b.st.OutboxEmails(ctx, "ranking-7")
	if rows[2].Attempts != 2 {
		t.Errorf("retried row attempts = %d, want 2", rows[2].Attempts)
	}
}

func TestDeliverTemporaryFailureGivesUp(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	srv.RejectRecipient("roadmap@example.org", 421)
	b := setupDeliver(t, plainSMTP(srv))
	b.opts.MaxAttempts = 2
	var got []string
	for range 3 {
		ds, _ := Deliver(context.Background(), b.st, b.opts)
		got = append(got, statuses(ds)["roadmap@example.org"])
	}
	if want := []string{StatusPending, StatusFailed, StatusFailed}; !cmp.Equal(got, want) {
		t.Errorf("statuses over three calls %v, want %v", got, want)
	}
}

func TestDeliverWritesEMLWithoutHost(t *testing.T) {
	b := setupDeliver(t, SMTPConfig{})
	ctx := context.Background()
	ds, err := Deliver(ctx, b.st, b.opts)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(allStatus(StatusSent), statuses(ds)); diff != "" {
		t.Errorf("delivery (-want +got):\n%s", diff)
	}
	for i, d := range ds {
		if filepath.Dir(d.EMLPath) != b.opts.OutboxDir {
			t.Errorf("%s written to %q, want a file in %s", d.Recipient, d.EMLPath, b.opts.OutboxDir)
		}
		data, err := os.ReadFile(d.EMLPath)
		if err != nil {
			t.Fatal(err)
		}
		checkReceived(t, smtptest.Message{From: "roadmap-reports@example.org", To: []string{d.Recipient}, Data: data}, testLeads[i], d.MessageID)
	}
	ds, _ = Deliver(ctx, b.st, b.opts)
	if diff := cmp.Diff(allStatus(StatusAlreadySent), statuses(ds)); diff != "" {
		t.Errorf("second delivery (-want +got):\n%s", diff)
	}
	entries, _ := os.ReadDir(b.opts.OutboxDir)
	if len(entries) != len(testLeads) {
		t.Errorf("outbox holds %d files, want %d", len(entries), len(testLeads))
	}
}

func TestDeliverSTARTTLSAndAuth(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{TLS: true, Username: "worker", Password: "s3cret"})
	tests := []struct {
		name     string
		password string
		want     string
	}{
		{"right password", "s3cret", StatusSent},
		{"wrong password", "wrong", StatusFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: TLSStartTLS, TLSConfig: srv.ClientTLSConfig(),
				Username: "worker", Password: tt.password}
			b := setupDeliver(t, cfg)
			b.opts.Leads = testLeads[:1]
			ds, _ := Deliver(context.Background(), b.st, b.opts)
			if len(ds) != 1 || ds[0].Status != tt.want {
				t.Errorf("deliveries %+v, want status %s", ds, tt.want)
			}
		})
	}
}

func TestDeliverTransportFailuresStayPending(t *testing.T) {
	plain := smtptest.Start(t, smtptest.Options{})
	tests := []struct {
		name    string
		cfg     SMTPConfig
		wantErr string
	}{
		{"STARTTLS required but not offered", SMTPConfig{Host: plain.Host, Port: plain.Port, TLS: TLSStartTLS}, "STARTTLS"},
		{"connection refused", SMTPConfig{Host: "127.0.0.1", Port: closedPort(t), TLS: TLSNone}, "refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := setupDeliver(t, tt.cfg)
			b.opts.Leads = testLeads[:1]
			ds, err := Deliver(context.Background(), b.st, b.opts)
			if !errors.Is(err, ErrUndelivered) || len(ds) != 1 || ds[0].Status != StatusPending {
				t.Fatalf("deliveries %+v, %v; want one pending", ds, err)
			}
			if !strings.Contains(ds[0].Err.Error(), tt.wantErr) {
				t.Errorf("error %q lacks %q", ds[0].Err, tt.wantErr)
			}
		})
	}
	if n := len(plain.Messages()); n != 0 {
		t.Errorf("server got %d messages over a refused STARTTLS, want 0", n)
	}
}

func TestDeliverRefusesBadOptions(t *testing.T) {
	tests := []struct {
		name   string
		change func(*DeliverOptions)
	}{
		{"missing attachment", func(o *DeliverOptions) { o.AttachmentPath += ".missing" }},
		{"no report key", func(o *DeliverOptions) { o.ReportKey = "" }},
		{"no outbox directory", func(o *DeliverOptions) { o.OutboxDir = "" }},
		{"bad sender", func(o *DeliverOptions) { o.SMTP.From = "not an address" }},
		{"no text", func(o *DeliverOptions) { o.Ranking = nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := setupDeliver(t, SMTPConfig{})
			tt.change(&b.opts)
			if _, err := Deliver(context.Background(), b.st, b.opts); err == nil || errors.Is(err, ErrUndelivered) {
				t.Errorf("got %v, want a configuration error", err)
			}
			rows, err := b.st.OutboxEmails(context.Background(), b.opts.ReportKey)
			if err != nil || len(rows) != 0 {
				t.Errorf("outbox has %d rows (%v), want none queued", len(rows), err)
			}
		})
	}
}

func recipients(msgs []smtptest.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.To...)
	}
	return out
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}
