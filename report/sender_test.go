package report

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
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

const testFrom = "Roadmap <roadmap-reports@example.org>"

// t0 is when the tests' reports are queued.
var t0 = time.Date(2026, 11, 25, 2, 1, 0, 0, time.UTC)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// deliverBundle is what each delivery test starts from: a fresh database,
// a workbook on disk, a clock at t0, options that queue the workbook for
// testLeads and a sender configuration for smtp.
type deliverBundle struct {
	st    *store.Store
	clock *fakeClock
	queue QueueOptions
	cfg   SenderConfig
}

func setupDeliver(t *testing.T, smtp SMTPConfig) *deliverBundle {
	t.Helper()
	st := storetest.NewStore(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "ranking.xlsx")
	if err := WriteWorkbook(path, sampleInput()); err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{t: t0}
	st.Now, st.DBNow = clock.Now, clock.Now
	r := sampleRanking()
	smtp.From = testFrom
	if smtp.Timeout == 0 {
		smtp.Timeout = 5 * time.Second
	}
	return &deliverBundle{st: st, clock: clock,
		queue: QueueOptions{ReportKey: "ranking-7", Ranking: &r, Location: london, AttachmentPath: path,
			Leads: testLeads, From: testFrom, Now: clock.Now},
		cfg: SenderConfig{Store: st, SMTP: smtp, OutboxDir: filepath.Join(dir, "outbox"), Now: clock.Now,
			Jitter: func() float64 { return 0 }},
	}
}

// sender returns a new Sender on b's configuration, as a process
// starting afresh would make one.
func (b *deliverBundle) sender(t *testing.T) *Sender {
	t.Helper()
	s, err := NewSender(b.cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// queueAndDeliver queues b's report and delivers the pending e-mail once,
// returning the report's deliveries.
func (b *deliverBundle) queueAndDeliver(t *testing.T) ([]Delivery, DeliveryStats) {
	t.Helper()
	ctx := context.Background()
	if _, err := Queue(ctx, b.st, b.queue); err != nil {
		t.Fatal(err)
	}
	stats, err := b.sender(t).DeliverPending(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return b.deliveries(t), stats
}

func (b *deliverBundle) deliveries(t *testing.T) []Delivery {
	t.Helper()
	ds, err := Deliveries(context.Background(), b.st, b.queue.ReportKey)
	if err != nil && !errors.Is(err, ErrUndelivered) {
		t.Fatal(err)
	}
	return ds
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

func TestDeliverPendingSMTP(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.Options{})
	b := setupDeliver(t, plainSMTP(srv))

	ds, stats := b.queueAndDeliver(t)
	if diff := cmp.Diff(allStatus(StatusSent), statuses(ds)); diff != "" {
		t.Errorf("first delivery (-want +got):\n%s", diff)
	}
	if stats != (DeliveryStats{Sent: 3}) {
		t.Errorf("stats %+v, want 3 sent", stats)
	}
	msgs := srv.Messages()
	if len(msgs) != len(testLeads) {
		t.Fatalf("server got %d messages, want %d", len(msgs), len(testLeads))
	}
	for i, m := range msgs {
		checkReceived(t, m, testLeads[i], ds[i].MessageID)
		if want := "250 2.0.0 " + smtptest.QueuedReply(i+1); ds[i].Reply != want {
			t.Errorf("%s: recorded reply %q, want the server's %q", ds[i].Recipient, ds[i].Reply, want)
		}
	}

	// Queueing the same report again, as a repeated 'report --email' does,
	// sends nothing more.
	ds, stats = b.queueAndDeliver(t)
	if diff := cmp.Diff(allStatus(StatusSent), statuses(ds)); diff != "" {
		t.Errorf("second delivery (-want +got):\n%s", diff)
	}
	if stats.Attempted() != 0 || len(srv.Messages()) != len(testLeads) {
		t.Errorf("second delivery attempted %d and the server has %d messages, want 0 and %d",
			stats.Attempted(), len(srv.Messages()), len(testLeads))
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

// TestDeliverPendingSendsWithoutTheWorkbookFile removes the workbook once
// the report is queued: any process, even one that cannot see the folder
// it was written to, sends the copy kept in the database.
func TestDeliverPendingSendsWithoutTheWorkbookFile(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.Options{})
	b := setupDeliver(t, plainSMTP(srv))
	if _, err := Queue(context.Background(), b.st, b.queue); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(b.queue.AttachmentPath); err != nil {
		t.Fatal(err)
	}
	if _, err := b.sender(t).DeliverPending(context.Background()); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages()
	if len(msgs) != 3 {
		t.Fatalf("%d messages, want 3", len(msgs))
	}
	p, err := msgs[0].Parse()
	if err != nil {
		t.Fatal(err)
	}
	checkAttachment(t, p)
}

func TestDeliverPendingOneRecipientRejected(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.Options{})
	srv.RejectRecipient("practice-manager@example.nhs.uk", 550)
	b := setupDeliver(t, plainSMTP(srv))

	ds, stats := b.queueAndDeliver(t)
	want := map[string]string{"it-lead@example.nhs.uk": StatusSent, "practice-manager@example.nhs.uk": StatusFailed, "roadmap@example.org": StatusSent}
	if diff := cmp.Diff(want, statuses(ds)); diff != "" {
		t.Errorf("delivery (-want +got):\n%s", diff)
	}
	if stats != (DeliveryStats{Sent: 2, Failed: 1}) {
		t.Errorf("stats %+v", stats)
	}
	if !strings.HasPrefix(ds[1].Reply, "550 5.1.1 recipient refused") || ds[1].Err == nil {
		t.Errorf("rejected recipient: reply %q, error %v; want the 550 reply recorded", ds[1].Reply, ds[1].Err)
	}

	srv.RejectRecipient("practice-manager@example.nhs.uk", 0)
	b.clock.Advance(2 * time.Hour)
	if ds, _ = b.queueAndDeliver(t); !cmp.Equal(want, statuses(ds)) {
		t.Errorf("second delivery changed statuses: %v", statuses(ds))
	}
	if got := recipients(srv.Messages()); !cmp.Equal(got, []string{"it-lead@example.nhs.uk", "roadmap@example.org"}) {
		t.Errorf("server received for %v, want each accepted lead exactly once", got)
	}
}

func TestDeliverPendingTemporaryFailureBacksOff(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.Options{})
	srv.RejectRecipient("roadmap@example.org", 451)
	b := setupDeliver(t, plainSMTP(srv))
	ctx := context.Background()

	ds, stats := b.queueAndDeliver(t)
	if stats != (DeliveryStats{Sent: 2, Retrying: 1}) {
		t.Errorf("stats %+v, want 2 sent and 1 retrying (a 451 for one recipient stops nothing)", stats)
	}
	// Jitter 0 puts the first retry at half of RetryMin.
	if d := ds[2]; d.Status != StatusPending || !d.NextAttempt.Equal(t0.Add(DefaultRetryMin/2)) || !strings.HasPrefix(d.Reply, "451") {
		t.Fatalf("after 451: %+v, want pending until %v with the 451 reply", d, t0.Add(DefaultRetryMin/2))
	}
	srv.RejectRecipient("roadmap@example.org", 0)
	s := b.sender(t)
	b.clock.Advance(DefaultRetryMin/2 - time.Second)
	if stats, _ := s.DeliverPending(ctx); stats.Attempted() != 0 {
		t.Errorf("before its next attempt: %+v, want nothing attempted", stats)
	}
	b.clock.Advance(time.Second)
	if stats, _ := s.DeliverPending(ctx); stats != (DeliveryStats{Sent: 1}) {
		t.Errorf("at its next attempt: %+v, want it sent", stats)
	}
	wantRcpts := []string{"it-lead@example.nhs.uk", "practice-manager@example.nhs.uk", "roadmap@example.org"}
	if got := recipients(srv.Messages()); !cmp.Equal(got, wantRcpts) {
		t.Errorf("server received for %v, want %v", got, wantRcpts)
	}
	if ds := b.deliveries(t); ds[2].Attempts != 2 || ds[2].Status != StatusSent {
		t.Errorf("retried row %+v, want sent at the second attempt", ds[2])
	}
}

func TestBackoff(t *testing.T) {
	jitter := 0.0
	s, err := NewSender(SenderConfig{Store: &store.Store{}, SMTP: SMTPConfig{From: testFrom}, OutboxDir: "x",
		RetryMin: time.Minute, RetryMax: 10 * time.Minute, Jitter: func() float64 { return jitter }})
	if err != nil {
		t.Fatal(err)
	}
	var got []time.Duration
	for n := 1; n <= 6; n++ {
		got = append(got, s.backoff(n))
	}
	want := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute, 5 * time.Minute, 5 * time.Minute}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("backoff with no jitter (-want +got):\n%s", diff)
	}
	jitter = 0.999
	if d := s.backoff(6); d <= 9*time.Minute || d >= 10*time.Minute {
		t.Errorf("backoff(6) with the most jitter = %v, want just under the 10m cap", d)
	}
}

// TestDeliverPendingOutageOfAnHour is an SMTP relay down for an hour from
// the moment the report is queued, with a delivery attempt every five
// minutes of a fake clock and the worker restarted half-way: the e-mails
// arrive late, once each, and none is lost or failed.
func TestDeliverPendingOutageOfAnHour(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.Options{})
	b := setupDeliver(t, plainSMTP(srv))
	b.cfg.Jitter = nil // real jitter: any draw must give the same outcome
	ctx := context.Background()
	if _, err := Queue(ctx, b.st, b.queue); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	s := b.sender(t)
	var attempts int
	for elapsed := time.Duration(0); elapsed <= 2*time.Hour; elapsed += 5 * time.Minute {
		switch elapsed {
		case 30 * time.Minute:
			s = b.sender(t) // the worker restarts
		case time.Hour:
			srv.Restart(t)
		}
		stats, err := s.DeliverPending(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if elapsed < time.Hour {
			if stats.Sent != 0 || stats.Attempted() > 1 || stats.Failed != 0 {
				t.Fatalf("at +%v, relay down: %+v, want at most one attempt and nothing sent or failed", elapsed, stats)
			}
			attempts += stats.Attempted()
		}
		b.clock.Advance(5 * time.Minute)
	}
	if attempts == 0 {
		t.Error("no attempt was made while the relay was down")
	}
	ds := b.deliveries(t)
	if diff := cmp.Diff(allStatus(StatusSent), statuses(ds)); diff != "" {
		t.Errorf("after the outage (-want +got):\n%s", diff)
	}
	if got := recipients(srv.Messages()); !cmp.Equal(got, []string{"it-lead@example.nhs.uk", "practice-manager@example.nhs.uk", "roadmap@example.org"}) {
		t.Errorf("server received for %v, want each lead exactly once", got)
	}
	for _, d := range ds {
		if d.SentAt == nil || d.SentAt.Before(t0.Add(time.Hour)) || d.SentAt.After(t0.Add(2*time.Hour)) {
			t.Errorf("%s sent at %v, want within the hour after the relay came back", d.Recipient, d.SentAt)
		}
	}
}

func TestDeliverPendingGivesUpAfterMaxAge(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.Options{})
	srv.Reply(smtptest.StageHello, 421)
	b := setupDeliver(t, plainSMTP(srv))
	b.cfg.MaxAge = 3 * time.Hour
	b.cfg.Metrics = NewMetrics(b.st, b.clock.Now)
	ctx := context.Background()
	if _, err := Queue(ctx, b.st, b.queue); err != nil {
		t.Fatal(err)
	}
	s := b.sender(t)
	var total DeliveryStats
	for range 4 * 6 {
		stats, err := s.DeliverPending(ctx)
		if err != nil {
			t.Fatal(err)
		}
		total.Retrying += stats.Retrying
		total.Failed += stats.Failed
		total.Expired += stats.Expired
		b.clock.Advance(10 * time.Minute)
	}
	ds := b.deliveries(t)
	if diff := cmp.Diff(allStatus(StatusFailed), statuses(ds)); diff != "" {
		t.Errorf("after four hours of 421 (-want +got):\n%s", diff)
	}
	for _, d := range ds {
		if d.Err == nil || !strings.Contains(d.Err.Error(), "not delivered within 3h0m0s") {
			t.Errorf("%s: error %v, want it to say it gave up after 3h", d.Recipient, d.Err)
		}
	}
	if total.Retrying == 0 || total.Failed+total.Expired != 3 {
		t.Errorf("stats over the run %+v, want retries, then 3 given up", total)
	}
	if len(srv.Messages()) != 0 {
		t.Errorf("server accepted %d messages while refusing", len(srv.Messages()))
	}
	checkGauges(t, b.cfg.Metrics, map[string]float64{"pending": 0, "sent": 0, "failed": 3, "superseded": 0})
	if got := counterValue(t, b.cfg.Metrics, "surveyworker_smtp_errors_total", "relay"); got != float64(total.Retrying+total.Failed) {
		t.Errorf("relay errors counted %v, want %d", got, total.Retrying+total.Failed)
	}
}

// TestDeliverPendingCrashAfterServerAccepted stops the sender between the
// server's 250 and the commit that records it, as a crash would: the
// message stays pending, no sender takes it while the crashed one's lease
// lasts, the next sender after that sends it again, and both copies
// carry the same Message-ID, so the duplicate is recognisable.
func TestDeliverPendingCrashAfterServerAccepted(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.Options{})
	b := setupDeliver(t, plainSMTP(srv))
	b.queue.Leads = testLeads[:1]
	ctx := context.Background()
	if _, err := Queue(ctx, b.st, b.queue); err != nil {
		t.Fatal(err)
	}
	s := b.sender(t)
	s.afterAccepted = func() { panic("crash") }
	func() {
		defer func() {
			if v := recover(); v != "crash" {
				t.Fatalf("recovered %v, want the crash", v)
			}
		}()
		s.DeliverPending(ctx)
	}()
	if ds := b.deliveries(t); ds[0].Status != StatusPending || ds[0].Attempts != 0 {
		t.Fatalf("after the crash: %+v, want still pending, no attempt recorded", ds[0])
	}
	if stats, err := b.sender(t).DeliverPending(ctx); err != nil || stats.Attempted() != 0 {
		t.Fatalf("within the crashed sender's lease: %+v, %v; want nothing attempted", stats, err)
	}
	b.clock.Advance(s.lease())
	if stats, err := b.sender(t).DeliverPending(ctx); err != nil || stats.Sent != 1 {
		t.Fatalf("after restarting: %+v, %v; want it sent", stats, err)
	}
	msgs := srv.Messages()
	if len(msgs) != 2 {
		t.Fatalf("server has %d messages, want the one accepted before the crash and its resend", len(msgs))
	}
	var ids []string
	for _, m := range msgs {
		p, err := m.Parse()
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.Header.Get("Message-ID"))
	}
	if ids[0] != ids[1] || ids[0] != b.deliveries(t)[0].MessageID {
		t.Errorf("Message-IDs %q, want both the recorded %q", ids, b.deliveries(t)[0].MessageID)
	}
}

// TestDeliverPendingCancelAfterServerAccepted cancels the pass between the
// server's 250 and the recording of it, as SIGTERM would: the message is
// recorded as sent, so it is not sent again, and the pass takes no other
// message.
func TestDeliverPendingCancelAfterServerAccepted(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.Options{})
	b := setupDeliver(t, plainSMTP(srv))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := Queue(ctx, b.st, b.queue); err != nil {
		t.Fatal(err)
	}
	s := b.sender(t)
	s.afterAccepted = cancel
	stats, err := s.DeliverPending(ctx)
	if !errors.Is(err, context.Canceled) || stats.Sent != 1 || stats.Attempted() != 1 {
		t.Fatalf("DeliverPending cancelled after the 250: %+v, %v; want one sent and context.Canceled", stats, err)
	}
	want := map[string]string{testLeads[0].Email: StatusSent, testLeads[1].Email: StatusPending, testLeads[2].Email: StatusPending}
	if diff := cmp.Diff(want, statuses(b.deliveries(t))); diff != "" {
		t.Errorf("deliveries after the cancelled pass (-want +got):\n%s", diff)
	}
	if stats, err := b.sender(t).DeliverPending(context.Background()); err != nil || stats.Sent != 2 {
		t.Fatalf("next pass: %+v, %v; want the other two sent", stats, err)
	}
	if got := recipients(srv.Messages()); len(got) != 3 {
		t.Errorf("server got %v, want each lead once", got)
	}
}

// TestDeliverPendingRelayNeverAnswers points the sender at a relay that
// accepts the connection, or the message, and then says nothing, with a
// 200 ms command timeout: the attempt fails and is retried later, the
// pass stops at the first message, and the pipeline lock stays free while
// it waits. Nothing about how long it took is checked.
func TestDeliverPendingRelayNeverAnswers(t *testing.T) {
	t.Parallel()
	for _, stage := range []smtptest.Stage{smtptest.StageConnect, smtptest.StageData} {
		t.Run(string(stage), func(t *testing.T) {
			srv := smtptest.Start(t, smtptest.Options{})
			srv.Hang(stage)
			cfg := plainSMTP(srv)
			cfg.Timeout = 200 * time.Millisecond
			b := setupDeliver(t, cfg)
			ctx := context.Background()
			if _, err := Queue(ctx, b.st, b.queue); err != nil {
				t.Fatal(err)
			}
			type result struct {
				stats DeliveryStats
				err   error
			}
			done := make(chan result, 1)
			go func() {
				stats, err := b.sender(t).DeliverPending(ctx)
				done <- result{stats, err}
			}()
			var lockErr error
			locked := false
			for !locked {
				select {
				case r := <-done:
					done <- r
					locked = true // finished before the check: the lock was never needed either
				default:
					runtime.Gosched()
					if srv.Connections() > 0 {
						var l *store.JobLock
						if l, lockErr = b.st.TryJobLock(ctx, "pipeline"); lockErr == nil {
							l.Release()
						}
						locked = true
					}
				}
			}
			if lockErr != nil {
				t.Errorf("pipeline lock while sending: %v, want it free", lockErr)
			}
			r := <-done
			if r.err != nil || r.stats != (DeliveryStats{Retrying: 1, Deferred: true}) {
				t.Errorf("DeliverPending = %+v, %v; want one retrying and the pass deferred", r.stats, r.err)
			}
			ds := b.deliveries(t)
			if ds[0].Status != StatusPending || ds[0].Err == nil || !strings.Contains(ds[0].Err.Error(), "timeout") {
				t.Errorf("first lead %+v, want pending after a timeout", ds[0])
			}
			if ds[1].Attempts != 0 || ds[2].Attempts != 0 {
				t.Errorf("attempts %d, %d for the other leads, want 0: the pass should stop", ds[1].Attempts, ds[2].Attempts)
			}
		})
	}
}

func TestDeliverPendingWritesEMLWithoutHost(t *testing.T) {
	t.Parallel()
	b := setupDeliver(t, SMTPConfig{})
	ds, _ := b.queueAndDeliver(t)
	if diff := cmp.Diff(allStatus(StatusSent), statuses(ds)); diff != "" {
		t.Errorf("delivery (-want +got):\n%s", diff)
	}
	for i, d := range ds {
		if filepath.Dir(d.EMLPath) != b.cfg.OutboxDir {
			t.Errorf("%s written to %q, want a file in %s", d.Recipient, d.EMLPath, b.cfg.OutboxDir)
		}
		data, err := os.ReadFile(d.EMLPath)
		if err != nil {
			t.Fatal(err)
		}
		checkReceived(t, smtptest.Message{From: "roadmap-reports@example.org", To: []string{d.Recipient}, Data: data}, testLeads[i], d.MessageID)
	}
	if _, stats := b.queueAndDeliver(t); stats.Attempted() != 0 {
		t.Errorf("second delivery attempted %d", stats.Attempted())
	}
	entries, _ := os.ReadDir(b.cfg.OutboxDir)
	if len(entries) != len(testLeads) {
		t.Errorf("outbox holds %d files, want %d", len(entries), len(testLeads))
	}
}

func TestDeliverPendingTLSAndAuth(t *testing.T) {
	t.Parallel()
	starttls := smtptest.Start(t, smtptest.Options{TLS: true, Username: "worker", Password: "s3cret"})
	implicit := smtptest.Start(t, smtptest.Options{ImplicitTLS: true, Username: "worker", Password: "s3cret"})
	tests := []struct {
		name     string
		srv      *smtptest.Server
		policy   TLSPolicy
		password string
		want     string
		reply    string
	}{
		{"STARTTLS, right password", starttls, TLSStartTLS, "s3cret", StatusSent, "250"},
		{"implicit TLS, right password", implicit, TLSImplicit, "s3cret", StatusSent, "250"},
		// A wrong password is the relay refusing the session: fixing the
		// configuration delivers the mail, so it stays pending.
		{"wrong password", starttls, TLSStartTLS, "wrong", StatusPending, "535"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := SMTPConfig{Host: tt.srv.Host, Port: tt.srv.Port, TLS: tt.policy, TLSConfig: tt.srv.ClientTLSConfig(),
				Username: "worker", Password: tt.password}
			b := setupDeliver(t, cfg)
			b.queue.Leads = testLeads[:1]
			ds, _ := b.queueAndDeliver(t)
			if len(ds) != 1 || ds[0].Status != tt.want || !strings.HasPrefix(ds[0].Reply, tt.reply) {
				t.Errorf("deliveries %+v, want status %s with a %s reply", ds, tt.want, tt.reply)
			}
		})
	}
}

func TestDeliverPendingTransportFailuresStayPending(t *testing.T) {
	t.Parallel()
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
			b.queue.Leads = testLeads[:1]
			ds, stats := b.queueAndDeliver(t)
			if len(ds) != 1 || ds[0].Status != StatusPending || !stats.Deferred {
				t.Fatalf("deliveries %+v, stats %+v; want one pending and the pass deferred", ds, stats)
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

func TestQueueRefusesBadOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(*QueueOptions)
	}{
		{"missing attachment", func(o *QueueOptions) { o.AttachmentPath += ".missing" }},
		{"no report key", func(o *QueueOptions) { o.ReportKey = "" }},
		{"bad sender", func(o *QueueOptions) { o.From = "not an address" }},
		{"no text", func(o *QueueOptions) { o.Ranking = nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := setupDeliver(t, SMTPConfig{})
			tt.change(&b.queue)
			if _, err := Queue(context.Background(), b.st, b.queue); err == nil {
				t.Error("Queue succeeded, want an error")
			}
			if ds := b.deliveries(t); len(ds) != 0 {
				t.Errorf("outbox has %d rows, want none queued", len(ds))
			}
		})
	}
}

func TestNewSenderRefusesBadConfig(t *testing.T) {
	st := &store.Store{}
	tests := []struct {
		name string
		cfg  SenderConfig
	}{
		{"no store", SenderConfig{SMTP: SMTPConfig{From: testFrom}, OutboxDir: "x"}},
		{"no outbox directory", SenderConfig{Store: st, SMTP: SMTPConfig{From: testFrom}}},
		{"bad sender", SenderConfig{Store: st, SMTP: SMTPConfig{From: "nobody"}, OutboxDir: "x"}},
		{"negative age", SenderConfig{Store: st, SMTP: SMTPConfig{From: testFrom}, OutboxDir: "x", MaxAge: -time.Hour}},
	}
	for _, tt := range tests {
		if _, err := NewSender(tt.cfg); err == nil {
			t.Errorf("%s: NewSender succeeded, want an error", tt.name)
		}
	}
}

func recipients(msgs []smtptest.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.To...)
	}
	return out
}

// closedPort returns a loopback port that refuses connections until the
// test ends: a socket bound to it, and kept bound, never listens. A port
// merely closed again could be taken by another process meanwhile.
func closedPort(t *testing.T) int {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	return sa.(*syscall.SockaddrInet4).Port
}

// TestSendRefusesADeletedWorkbook: an e-mail whose report's workbook was
// deleted, as the outbox does once none of its e-mails is pending, fails
// rather than go out without it.
func TestSendRefusesADeletedWorkbook(t *testing.T) {
	s, err := NewSender(SenderConfig{Store: &store.Store{}, SMTP: SMTPConfig{From: testFrom}, OutboxDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	e := store.DueEmail{OutboxEmail: store.OutboxEmail{ReportKey: "k", RecipientEmail: "a@example.org", Subject: "s"},
		Body: "body", AttachmentName: "r.xlsx"}
	out := s.send(context.Background(), e, time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC))
	if out.Status != store.OutboxFailed || out.Error != errAttachmentDeleted.Error() || out.EMLPath != "" {
		t.Errorf("outcome %+v; want failed for the deleted workbook, nothing written", out)
	}
}
