package report

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/surveyworker/surveyworker/analysis"
	"github.com/surveyworker/surveyworker/internal/smtptest"
	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/survey"
)

// viewLeads are leads of every kind: of no federation, of one (spelt two
// ways), of two, and of one the registry does not hold.
var viewLeads = []Lead{
	{Name: "All", Email: "all@example.org", Line: 2},
	{Name: "North one", Email: "north1@example.org", Federations: []string{"North"}, Line: 3},
	{Name: "North two", Email: "north2@example.org", Federations: []string{"north"}, Line: 4},
	{Name: "City", Email: "city@example.org", Federations: []string{"City"}, Line: 5},
	{Name: "Both", Email: "both@example.org", Federations: []string{"North", "City"}, Line: 6},
	{Name: "Typo", Email: "typo@example.org", Federations: []string{"Nrth"}, Line: 7},
}

// leadBundle is a fixture database with its full workbook written, and a
// real SMTP server and a sender to deliver to it.
type leadBundle struct {
	fx *fixture
	// leads are the leads queued for; viewLeads unless a test sets fewer.
	leads []Lead
	dir   string
	srv   *smtptest.Server
	snd   *Sender
	log   *bytes.Buffer
	clock *fakeClock
}

func setupLeadReports(t *testing.T) *leadBundle {
	t.Helper()
	fx := newFixture(t)
	srv := smtptest.Start(t, smtptest.Options{})
	clock := &fakeClock{t: fixtureTime.AddDate(0, 0, 7).Add(time.Hour)}
	snd, err := NewSender(SenderConfig{Store: fx.st, SMTP: SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: TLSNone,
		From: testFrom, Timeout: 5 * time.Second}, Now: clock.Now, Jitter: func() float64 { return 0 }})
	if err != nil {
		t.Fatal(err)
	}
	return &leadBundle{fx: fx, leads: viewLeads, dir: t.TempDir(), srv: srv, snd: snd, log: &bytes.Buffer{}, clock: clock}
}

// queue writes the full workbook of in and queues the leads' reports.
func (b *leadBundle) queue(t *testing.T, in WorkbookInput, sendUnchanged bool) QueuedReports {
	t.Helper()
	path := filepath.Join(b.dir, "roadmap-run"+strconv.FormatInt(in.Ranking.RunID, 10)+".xlsx")
	if err := WriteWorkbook(path, in); err != nil {
		t.Fatal(err)
	}
	res, err := QueueLeadReports(context.Background(), b.fx.st, LeadReports{Workbook: in, WorkbookPath: path,
		Leads: b.leads, From: testFrom, SendUnchanged: sendUnchanged, Now: b.clock.Now,
		Logger: slog.New(slog.NewTextHandler(b.log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// deliver sends what is pending and returns the messages received since
// the last call, by recipient.
func (b *leadBundle) deliver(t *testing.T) map[string]*smtptest.Parsed {
	t.Helper()
	if _, err := b.snd.DeliverPending(context.Background()); err != nil {
		t.Fatal(err)
	}
	out := map[string]*smtptest.Parsed{}
	for _, m := range b.srv.Messages() {
		p, err := m.Parse()
		if err != nil {
			t.Fatal(err)
		}
		out[m.To[0]] = p
	}
	b.srv.Reset()
	return out
}

// rerank stores a new ranking of the fixture's data a day later and
// returns its workbook input.
func (b *leadBundle) rerank(t *testing.T) WorkbookInput {
	t.Helper()
	ctx := context.Background()
	b.clock.Advance(24 * time.Hour)
	r, err := analysis.Run(ctx, b.fx.st, b.fx.cat, fixtureOptions(b.clock.Now()), true)
	if err != nil {
		t.Fatal(err)
	}
	in := b.fx.in
	in.Ranking, in.GeneratedAt = r, b.clock.Now()
	if err := in.Load(ctx, b.fx.st); err != nil {
		t.Fatal(err)
	}
	return in
}

// TestQueueLeadReports queues the fixture's report for leads of every
// view and reads back what each received: one workbook per view, shared
// by its leads, named for it, holding its federation's comments only.
func TestQueueLeadReports(t *testing.T) {
	b := setupLeadReports(t)
	res := b.queue(t, b.fx.in, false)
	wantKeys := []string{"ranking-2", "ranking-2-city", "ranking-2-city+north", "ranking-2-north", "ranking-2-nrth"}
	if diff := cmp.Diff(wantKeys, res.ReportKeys); diff != "" {
		t.Errorf("report keys (-want +got):\n%s", diff)
	}
	if res.Queued != len(viewLeads) || len(res.Unchanged) != 0 || len(res.Workbooks) != 4 {
		t.Errorf("queued %d, unchanged %d, %d view workbooks; want %d, 0, 4", res.Queued, len(res.Unchanged), len(res.Workbooks), len(viewLeads))
	}
	if len(res.UnknownFederations) != 1 || res.UnknownFederations[0].Name != "Nrth" ||
		!strings.Contains(b.log.String(), `federation=Nrth recipient=typo@example.org line=7`) {
		t.Errorf("unknown federations %+v, log:\n%s", res.UnknownFederations, b.log)
	}

	got := b.deliver(t)
	type received struct {
		Subject, Attachment string
		Comments            int
		FirstFederation     string
	}
	summary := map[string]received{}
	for to, p := range got {
		if len(p.Attachments) != 1 {
			t.Fatalf("%s: %d attachments", to, len(p.Attachments))
		}
		f, err := excelize.OpenReader(bytes.NewReader(p.Attachments[0].Data))
		if err != nil {
			t.Fatal(err)
		}
		heat, _ := f.GetRows(SheetFederation)
		comments, _ := f.GetRows(SheetComments)
		n := 0
		for _, r := range comments[commentsHeaderRow:] {
			if len(r) > 3 {
				n++
			}
		}
		f.Close()
		summary[to] = received{Subject: strings.TrimPrefix(p.Subject, "Primary care IT roadmap ranking – 25 Nov 2026"),
			Attachment: p.Attachments[0].Filename, Comments: n, FirstFederation: heat[4][2]}
		if p.HTML == "" || p.Text == "" {
			t.Errorf("%s: text %d bytes, HTML %d bytes; want both parts", to, len(p.Text), len(p.HTML))
		}
	}
	want := map[string]received{
		"all@example.org":    {"", "roadmap-2026-11-25.xlsx", len(fixtureComments) + 1, "City"},
		"north1@example.org": {" (North)", "roadmap-2026-11-25-north.xlsx", 0, "North"},
		"north2@example.org": {" (North)", "roadmap-2026-11-25-north.xlsx", 0, "North"},
		"city@example.org":   {" (City)", "roadmap-2026-11-25-city.xlsx", len(fixtureComments), "City"},
		"both@example.org":   {" (City and North)", "roadmap-2026-11-25-city+north.xlsx", len(fixtureComments), "City"},
		"typo@example.org":   {" (Nrth)", "roadmap-2026-11-25-nrth.xlsx", 0, "City"},
	}
	if diff := cmp.Diff(want, summary); diff != "" {
		t.Errorf("what each lead received (-want +got):\n%s", diff)
	}
	if !strings.Contains(got["north1@example.org"].Text, "In North, all 4 of its practices answered") {
		t.Errorf("North lead's e-mail does not open with North:\n%s", got["north1@example.org"].Text)
	}
	rows, err := b.fx.st.OutboxEmails(context.Background(), "ranking-2-north")
	if err != nil || len(rows) != 2 || rows[0].ChangeKey == "" || rows[0].ChangeKey != rows[1].ChangeKey {
		t.Errorf("North's outbox rows %+v, %v; want its two leads with one change key", rows, err)
	}
}

// TestQueueLeadReportsUnchanged ranks the same data again: a lead who
// received the last report gets nothing, unless sending unchanged reports
// is asked for, and a lead whose last report was never delivered gets the
// new one.
func TestQueueLeadReportsUnchanged(t *testing.T) {
	b := setupLeadReports(t)
	b.leads = viewLeads[:2] // the full report and North's view
	first := b.queue(t, b.fx.in, false)
	if first.Queued != 2 {
		t.Fatalf("first report queued %d, want 2", first.Queued)
	}
	// Not delivered yet: the next report, on the same data, still goes to
	// everyone, and supersedes this one.
	second := b.queue(t, b.rerank(t), false)
	if second.Queued != 2 || len(second.Unchanged) != 0 {
		t.Errorf("with nothing delivered: queued %d, unchanged %d; want 2, 0", second.Queued, len(second.Unchanged))
	}
	if got := len(b.deliver(t)); got != 2 {
		t.Fatalf("delivered %d, want 2", got)
	}

	in := b.rerank(t)
	third := b.queue(t, in, false)
	if third.Queued != 0 || len(third.ReportKeys) != 0 || len(third.Workbooks) != 0 {
		t.Errorf("nothing changed: queued %d in %v, wrote %v; want nothing", third.Queued, third.ReportKeys, third.Workbooks)
	}
	var unchanged []string
	for _, u := range third.Unchanged {
		unchanged = append(unchanged, u.Lead.Email+" "+u.Last.ReportKey)
	}
	if diff := cmp.Diff([]string{"all@example.org ranking-3", "north1@example.org ranking-3-north"}, unchanged); diff != "" {
		t.Errorf("unchanged leads (-want +got):\n%s", diff)
	}
	if n := strings.Count(b.log.String(), `"e-mail not queued: unchanged since the report of 26 Nov 2026"`); n != 2 {
		t.Errorf("logged %d leads not sent to, want 2:\n%s", n, b.log)
	}
	want := "not sent to all@example.org (unchanged since the report of 26 Nov 2026), " +
		"north1@example.org (unchanged since the report of 26 Nov 2026)"
	if note := UnchangedNote(third.Unchanged, london); note != want {
		t.Errorf("note = %q, want %q", note, want)
	}

	if forced := b.queue(t, in, true); forced.Queued != 2 {
		t.Errorf("sending unchanged reports: queued %d, want 2", forced.Queued)
	}
}

func TestChangeKey(t *testing.T) {
	r := sampleRanking()
	opts := analysis.DefaultOptions()
	data := store.ReportInputs{MaxFileID: 4, Files: 4, Respondents: 143, Matched: 140, Registry: "abc"}
	base := ChangeKey(r, opts, data, []string{"North", "City"})
	later := r
	later.RunID, later.CreatedAt = 8, r.CreatedAt.Add(24*time.Hour)
	if got := ChangeKey(later, opts, data, []string{"City", "North"}); got != base {
		t.Errorf("another run of the same inputs, federations in another order: key %s, want %s", got, base)
	}
	changes := map[string]func() string{
		"a file loaded": func() string { d := data; d.MaxFileID++; return ChangeKey(r, opts, d, []string{"North", "City"}) },
		"a practice re-matched": func() string {
			d := data
			d.Matched--
			return ChangeKey(r, opts, d, []string{"North", "City"})
		},
		"the weights": func() string {
			w := r
			w.Weights.Survey += 0.1
			return ChangeKey(w, opts, data, []string{"North", "City"})
		},
		"a workshop criterion": func() string {
			c := r
			c.Rows = append([]survey.RankedWorkstream(nil), r.Rows...)
			c.Rows[2].Impact++
			return ChangeKey(c, opts, data, []string{"North", "City"})
		},
		"the criteria source": func() string {
			c := r
			c.Params.Criteria = "workshop.yaml"
			return ChangeKey(c, opts, data, []string{"North", "City"})
		},
		"the method": func() string {
			m := r
			m.Params.Intervals = "logit-t"
			return ChangeKey(m, opts, data, []string{"North", "City"})
		},
		"the tier thresholds": func() string {
			o := opts
			o.Thresholds.High = 0.55
			return ChangeKey(r, o, data, []string{"North", "City"})
		},
		"the view": func() string { return ChangeKey(r, opts, data, []string{"North"}) },
	}
	for name, key := range changes {
		if key() == base {
			t.Errorf("%s changed, but the key did not", name)
		}
	}
}

func TestAttachmentName(t *testing.T) {
	r := survey.Ranking{CreatedAt: time.Date(2026, 11, 30, 23, 30, 0, 0, time.UTC)}
	if got := AttachmentName(r, time.UTC, nil); got != "roadmap-2026-11-30.xlsx" {
		t.Errorf("full: %q", got)
	}
	// 23:30 UTC on 30 November is still 30 November in London, and 1
	// December in Tokyo.
	tokyo := mustLocation("Asia/Tokyo")
	if got := AttachmentName(r, tokyo, []string{"North Oxfordshire"}); got != "roadmap-2026-12-01-north-oxfordshire.xlsx" {
		t.Errorf("view: %q", got)
	}
	if got := AttachmentName(r, london, []string{"???"}); !strings.HasPrefix(got, "roadmap-2026-11-30-view-") {
		t.Errorf("view of a name without letters: %q", got)
	}
}

func TestUnchangedNoteNamesTen(t *testing.T) {
	var us []UnchangedLead
	for i := range 12 {
		us = append(us, UnchangedLead{Lead: Lead{Email: "lead" + strconv.Itoa(i) + "@example.org"},
			Last: store.SentReport{CreatedAt: time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)}})
	}
	note := UnchangedNote(us, london)
	if !strings.HasSuffix(note, "lead9@example.org (unchanged since the report of 1 Dec 2026), 2 more") || strings.Contains(note, "lead10") {
		t.Errorf("note = %q, want ten leads named and the rest counted", note)
	}
	if UnchangedNote(nil, london) != "" {
		t.Error("a note for no lead")
	}
}
