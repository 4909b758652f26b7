package schedules

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/surveyworker/surveyworker/analysis"
	"github.com/surveyworker/surveyworker/ingest"
	"github.com/surveyworker/surveyworker/report"
	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/store/storetest"
	"github.com/surveyworker/surveyworker/survey"
)

// epraccurRecord returns one epraccur line for a practice with the given
// status and prescribing setting.
func epraccurRecord(code, name, status, setting string) string {
	f := make([]string, 27)
	f[0], f[1], f[9], f[12], f[14], f[25] = code, name, "OX1 1AA", status, "10Q", setting
	return `"` + strings.Join(f, `","`) + `"` + "\r\n"
}

// TestCycleDataQuality runs a cycle on an epraccur registry and an export
// with misspelt practices, and reads the Data quality sheet back.
func TestCycleDataQuality(t *testing.T) {
	st := storetest.NewStore(t)
	logger, _ := testLogger(t)
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	practices := write("epraccur.csv", epraccurRecord("K84501", "JERICHO CANAL SURGERY", "A", "4")+
		epraccurRecord("K84502", "COWLEY ROAD MEDICAL PRACTICE", "A", "4")+
		epraccurRecord("K84503", "CLOSED SURGERY", "C", "4"))
	write("inbox/export.csv", "Timestamp,Which practice?,Priority [Cyber Security]\r\n"+
		"24/11/2026 10:00:00,Jerico Canal Surgery,High\r\n"+
		"24/11/2026 11:00:00,Cowley Rd,Low\r\n"+
		"24/11/2026 12:00:00,Nowhere,Sometimes\r\n")
	c := &Cycle{Store: st, Ingester: ingest.New(st, ingest.Options{HMACKey: []byte("test")}),
		Catalogue: survey.DefaultCatalogue(), Rank: analysis.DefaultOptions(), PracticesFile: practices,
		InboxDir: filepath.Join(dir, "inbox"), OutDir: filepath.Join(dir, "out"), Logger: logger,
		Now: func() time.Time { return time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC) }}
	res, err := c.Run(context.Background(), TriggerManual)
	if err != nil {
		t.Fatal(err)
	}
	if res.Practices != 2 {
		t.Errorf("imported %d practices, want the 2 active ones", res.Practices)
	}
	f, err := excelize.OpenFile(res.Workbook)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(report.SheetQuality)
	if err != nil {
		t.Fatal(err)
	}
	var problems [][]string
	for i, r := range rows {
		if len(r) > 0 && r[0] == "Every problem, row by row" {
			problems = rows[i+2:]
		}
	}
	want := [][]string{
		{"export.csv", "3", `B "Which practice?"`, "Practice not found in the registry", "Cowley Rd",
			"No practice in the registry has this name", "COWLEY ROAD MEDICAL PRACTICE (K84502)"},
		{"export.csv", "4", `C "Priority [Cyber Security]"`, "Answer not on the priority scale", "Sometimes",
			"The answer is not on the priority scale; stored without a score"},
		{"export.csv", "4", `B "Which practice?"`, "Practice not found in the registry", "Nowhere",
			"No practice in the registry has this name"},
	}
	if diff := cmp.Diff(want, problems); diff != "" {
		t.Errorf("Data quality problems (-want +got):\n%s\nsheet: %q", diff, rows)
	}
	if res.Files[0].RejectsFile == "" {
		t.Errorf("no rejects file beside the archived export")
	}
}

// cycleWithLeads returns a cycle over a fresh database with a registry of
// practices, an inbox and a leads file with a lead of each kind.
func cycleWithLeads(t *testing.T, practices string) (*Cycle, string) {
	t.Helper()
	st := storetest.NewStore(t)
	logger, _ := testLogger(t)
	dir := t.TempDir()
	for name, text := range map[string]string{
		"practices.csv": practices,
		"leads.csv":     "name,email,federations\nAll,all@example.org,\nNorth,north@example.org,North\n",
		"inbox/export.csv": "Timestamp,Which practice?,Priority [Cyber Security]\r\n" +
			"24/11/2026 10:00:00,Banbury Cross,High\r\n24/11/2026 11:00:00,Cowley Road,Low\r\n",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	now := func() time.Time { return time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC) }
	rank := analysis.DefaultOptions()
	rank.Now = now
	c := &Cycle{Store: st, Ingester: ingest.New(st, ingest.Options{HMACKey: []byte("test")}),
		Catalogue: survey.DefaultCatalogue(), Rank: rank, PracticesFile: filepath.Join(dir, "practices.csv"),
		InboxDir: filepath.Join(dir, "inbox"), OutDir: filepath.Join(dir, "out"), LeadsFile: filepath.Join(dir, "leads.csv"),
		SMTP: report.SMTPConfig{From: "roadmap@example.org"}, Logger: logger, Now: now}
	return c, dir
}

// runRecorded runs c as the service does, as a recorded job run, and
// returns the run's record.
func runRecorded(t *testing.T, c *Cycle) (CycleResult, store.JobRun) {
	t.Helper()
	ctx := context.Background()
	var res CycleResult
	svc, err := NewService(ServiceConfig{Store: c.Store, Logger: c.Logger, Cycle: func(ctx context.Context, trigger string) error {
		var err error
		res, err = c.Run(ctx, trigger)
		return err
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.RunCycle(ctx, TriggerManual); err != nil {
		t.Fatal(err)
	}
	runs, err := c.Store.JobRuns(ctx, JobCycle, 1)
	if err != nil || len(runs) != 1 {
		t.Fatalf("job runs %v, %v", runs, err)
	}
	return res, runs[0]
}

// TestCycleSendsNoRankingOfNoPractice runs a cycle whose registry holds
// none of the practices named: the ranking rests on no practice, so no
// e-mail is queued, and the run, which succeeds, says why.
func TestCycleSendsNoRankingOfNoPractice(t *testing.T) {
	c, _ := cycleWithLeads(t, "ods_code,name,federation\nK84999,Elsewhere Surgery,South\n")
	logs := &logBuffer{}
	c.Logger = slog.New(slog.NewTextHandler(logs, nil))
	res, run := runRecorded(t, c)
	if res.Ranking.Practices != 0 || res.Workbook == "" {
		t.Fatalf("ranking of %d practices, workbook %q; want none and a workbook", res.Ranking.Practices, res.Workbook)
	}
	if res.NotSent != NoPracticesNotSent || len(res.ReportKeys) != 0 || len(res.Deliveries) != 0 {
		t.Errorf("mailing %+v, want nothing queued and why", res.Mailing)
	}
	if run.Status != store.JobSucceeded || run.Notes != NoPracticesNotSent || run.Error != "" {
		t.Errorf("job run %s, note %q, error %q; want succeeded with the note %q", run.Status, run.Notes, run.Error, NoPracticesNotSent)
	}
	if countLines(logs.String(), "level=WARN", "e-mail not queued", "no matched practice") != 1 {
		t.Errorf("no warning saying why:\n%s", logs)
	}
	if ob, err := c.Store.OutboxState(context.Background()); err != nil || ob.EmailCounts != (store.EmailCounts{}) {
		t.Errorf("outbox holds %+v (%v), want nothing", ob.EmailCounts, err)
	}
}

// TestCycleSendsEachLeadTheirViewOnce runs a cycle twice on the same data:
// the first queues the full report and North's view, the second nothing,
// and its run says the leads' reports were unchanged.
func TestCycleSendsEachLeadTheirViewOnce(t *testing.T) {
	c, dir := cycleWithLeads(t, "ods_code,name,federation\nK84001,Banbury Cross,North\nK84002,Cowley Road,City\n")
	res, run := runRecorded(t, c)
	if diff := cmp.Diff([]string{"ranking-1", "ranking-1-north"}, res.ReportKeys); diff != "" {
		t.Errorf("reports (-want +got):\n%s", diff)
	}
	if run.Notes != "" || len(res.Deliveries) != 2 {
		t.Errorf("first run: note %q, %d deliveries; want no note and 2", run.Notes, len(res.Deliveries))
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "roadmap-2026-11-25-run1-north.xlsx")); err != nil {
		t.Errorf("North's workbook: %v", err)
	}
	snd, err := report.NewSender(report.SenderConfig{Store: c.Store, SMTP: c.SMTP, OutboxDir: filepath.Join(dir, "out", "outbox"), Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	if stats, err := snd.DeliverPending(context.Background()); err != nil || stats.Sent != 2 {
		t.Fatalf("delivered %+v, %v; want 2 sent", stats, err)
	}

	res, run = runRecorded(t, c)
	want := "not sent to all@example.org (unchanged since the report of 25 Nov 2026), " +
		"north@example.org (unchanged since the report of 25 Nov 2026)"
	if run.Notes != want || run.Status != store.JobSucceeded {
		t.Errorf("second run: %s, note %q; want succeeded, %q", run.Status, run.Notes, want)
	}
	if len(res.ReportKeys) != 0 || len(res.Unchanged) != 2 {
		t.Errorf("second run queued %v, unchanged %d; want nothing queued, 2 unchanged", res.ReportKeys, len(res.Unchanged))
	}
	c.SendUnchanged = true
	if res, _ = runRecorded(t, c); len(res.ReportKeys) != 2 {
		t.Errorf("sending unchanged reports queued %v, want both views", res.ReportKeys)
	}
}

// TestRecomputeMatchesAnswersALoadMissed stores respondents whose practice
// was not in the registry, then adds the practice without the re-match
// that follows an import, as when a load that read the old registry
// commits after that re-match: the next ranking matches them first.
func TestRecomputeMatchesAnswersALoadMissed(t *testing.T) {
	ctx := context.Background()
	st := storetest.NewStore(t)
	logger, _ := testLogger(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "export.csv")
	if err := os.WriteFile(path, []byte("Timestamp,Which practice?,Priority [Cyber Security]\r\n"+
		"24/11/2026 10:00:00,Banbury Cross,High\r\n24/11/2026 11:00:00,Banbury Cross,Low\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	in := ingest.New(st, ingest.Options{HMACKey: []byte("test")})
	if _, err := in.IngestFile(ctx, path); err != nil {
		t.Fatal(err)
	}
	if n, err := st.UnmatchedRespondents(ctx); err != nil || n != 2 {
		t.Fatalf("%d unmatched respondents (%v), want 2", n, err)
	}
	if _, err := st.UpsertPractices(ctx, []survey.Practice{{ODSCode: "K84001", Name: "Banbury Cross", Federation: "North"}}); err != nil {
		t.Fatal(err)
	}
	c := &Cycle{Store: st, Ingester: in, Catalogue: survey.DefaultCatalogue(), Rank: analysis.DefaultOptions(), Logger: logger}
	r, err := c.Recompute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.Practices != 1 {
		t.Errorf("ranking of %d practices, want the 1 the stored answers name", r.Practices)
	}
	if n, err := st.UnmatchedRespondents(ctx); err != nil || n != 0 {
		t.Errorf("%d unmatched respondents (%v) after the ranking, want 0", n, err)
	}
}
