package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"
	"github.com/xuri/excelize/v2"

	"github.com/surveyworker/surveyworker/ingest"
	"github.com/surveyworker/surveyworker/internal/realworld"
	"github.com/surveyworker/surveyworker/internal/smtptest"
	"github.com/surveyworker/surveyworker/store/storetest"
	"github.com/surveyworker/surveyworker/survey"
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "surveyworker-test-bin-")
	if err != nil {
		panic(err)
	}
	binDir = dir
	code := storetest.Run(m)
	os.RemoveAll(dir)
	os.Exit(code)
}

// harness runs the command line against a fresh database, a private inbox
// holding copies of the bundled examples, and a real SMTP server.
type harness struct {
	t     *testing.T
	url   string
	env   map[string]string
	dir   string
	inbox string
	out   string
	smtp  *smtptest.Server
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	dir := t.TempDir()
	h := &harness{t: t, url: storetest.URL(t), dir: dir,
		inbox: filepath.Join(dir, "inbox"), out: filepath.Join(dir, "out"),
		smtp: smtptest.Start(t, smtptest.Options{})}
	h.env = map[string]string{
		"DATABASE_URL":           h.url,
		"SURVEYWORKER_DATA_DIR":  filepath.Join(dir, "state"),
		"SURVEYWORKER_HMAC_KEY":  "test-key-not-secret-0123456789abcdef",
		"SURVEYWORKER_INBOX":     h.inbox,
		"SURVEYWORKER_OUT":       h.out,
		"SURVEYWORKER_LEADS":     "../../examples/leads.csv",
		"SURVEYWORKER_SMTP_HOST": h.smtp.Host,
		"SURVEYWORKER_SMTP_PORT": itoa(h.smtp.Port),
		"SURVEYWORKER_SMTP_TLS":  "none",
		"SURVEYWORKER_SMTP_FROM": "roadmap@example.nhs.uk",
		"SURVEYWORKER_LOG_LEVEL": "warn",
		// The files the tests drop are whole when dropped: a short quiet
		// period spares 'run' waiting the default 5s on each.
		"SURVEYWORKER_SETTLE": "50ms",
	}
	if err := os.MkdirAll(h.inbox, 0o755); err != nil {
		t.Fatal(err)
	}
	return h
}

func itoa(n int) string { return strconv.Itoa(n) }

// run runs the command line and returns its exit code and output.
func (h *harness) run(ctx context.Context, args ...string) (int, string, string) {
	h.t.Helper()
	var stdout, stderr bytes.Buffer
	code := runWithEnv(ctx, args, &stdout, &stderr, func(k string) string { return h.env[k] })
	return code, stdout.String(), stderr.String()
}

func (h *harness) mustRun(args ...string) string {
	h.t.Helper()
	code, out, errOut := h.run(context.Background(), args...)
	if code != 0 {
		h.t.Fatalf("surveyworker %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// copyExamples copies the bundled example exports into the inbox.
func (h *harness) copyExamples() []string {
	h.t.Helper()
	names, err := filepath.Glob("../../examples/inbox/*")
	if err != nil || len(names) < 2 {
		h.t.Fatalf("examples/inbox: %v (%d files)", err, len(names))
	}
	var out []string
	for _, n := range names {
		out = append(out, filepath.Base(n))
		h.copyFile(n, filepath.Join(h.inbox, filepath.Base(n)))
	}
	return out
}

// copyFile copies src to dst, put in place whole (see [putFile]).
func (h *harness) copyFile(src, dst string) {
	h.t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		h.t.Fatal(err)
	}
	putFile(h.t, dst, b)
}

// putFile writes b to path whole: to a hidden *.part name beside it, which
// no inbox reads, then renamed into place. A running serve watching the
// directory, or re-reading the file, never sees it half written.
func putFile(t *testing.T, path string, b []byte) {
	t.Helper()
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".part")
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func (h *harness) counts() map[string]int64 {
	h.t.Helper()
	c, err := storetest.Open(h.t, h.url).TableCounts(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return c
}

func TestRunCycleEndToEnd(t *testing.T) {
	t.Parallel() // mostly waiting on processes and the database
	h := newHarness(t)
	files := h.copyExamples()
	out := h.mustRun("run", "--practices", "../../examples/practices.csv")

	for _, f := range files {
		if _, err := os.Stat(filepath.Join(h.inbox, "archive", f)); err != nil {
			t.Errorf("%s not archived: %v", f, err)
		}
	}
	// The full workbook, and North Oxfordshire's view for its lead.
	workbooks, _ := filepath.Glob(filepath.Join(h.out, "*.xlsx"))
	if len(workbooks) != 2 || !strings.HasSuffix(workbooks[0], "-run1-north-oxfordshire.xlsx") {
		t.Fatalf("got workbooks %v, want the full one and North Oxfordshire's\noutput:\n%s", workbooks, out)
	}
	workbooks = workbooks[1:]
	if !strings.Contains(out, "workbook: "+workbooks[0]) || !strings.Contains(out, "Cyber Security") ||
		!strings.Contains(out, "view workbook: "+strings.TrimSuffix(workbooks[0], ".xlsx")+"-north-oxfordshire.xlsx") {
		t.Errorf("output does not name the workbooks and ranking:\n%s", out)
	}
	f, err := excelize.OpenFile(workbooks[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	checkWorkbook(t, f, 40, 18, 2)
	checkRoadmapTiers(t, f)

	msgs := h.smtp.WaitForMessages(t, 3, 10*time.Second)
	var got []string
	attached := map[string]string{}
	for _, m := range msgs {
		got = append(got, m.To...)
		p, err := m.Parse()
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Attachments) != 1 || !strings.HasSuffix(p.Attachments[0].Filename, ".xlsx") {
			t.Fatalf("attachments: %+v", p.Attachments)
		}
		attached[m.To[0]] = p.Attachments[0].Filename
		checkParts(t, p)
		att, err := excelize.OpenReader(bytes.NewReader(p.Attachments[0].Data))
		if err != nil {
			t.Fatalf("attachment is not a workbook: %v", err)
		}
		checkWorkbook(t, att, 40, 18, 2)
		if m.To[0] == "practice-manager@example.nhs.uk" {
			checkNorthView(t, att, p)
		}
		att.Close()
	}
	want := []string{"it-lead@example.nhs.uk", "practice-manager@example.nhs.uk", "roadmap@example.org"}
	if diff := cmp.Diff(want, sorted(got)); diff != "" {
		t.Errorf("recipients (-want +got):\n%s", diff)
	}
	date := regexp.MustCompile(`roadmap-(\d{4}-\d\d-\d\d)-run1\.xlsx`).FindStringSubmatch(workbooks[0])
	if date == nil {
		t.Fatalf("workbook name %s", workbooks[0])
	}
	wantNames := map[string]string{"it-lead@example.nhs.uk": "roadmap-" + date[1] + ".xlsx",
		"practice-manager@example.nhs.uk": "roadmap-" + date[1] + "-north-oxfordshire.xlsx",
		"roadmap@example.org":             "roadmap-" + date[1] + ".xlsx"}
	if diff := cmp.Diff(wantNames, attached); diff != "" {
		t.Errorf("attachment names (-want +got):\n%s", diff)
	}

	// A second cycle finds nothing new in the inbox and changes no data,
	// so no lead is sent the same report again.
	before := h.counts()
	h.smtp.Reset()
	out = h.mustRun("run")
	if diff := cmp.Diff(before, h.counts()); diff != "" {
		t.Errorf("second run changed data (-before +after):\n%s", diff)
	}
	if n := len(h.smtp.Messages()); n != 0 {
		t.Errorf("second run sent %d e-mails, want none", n)
	}
	for _, lead := range want {
		if !strings.Contains(out, "e-mail to "+lead+": not sent: unchanged since the report of ") {
			t.Errorf("second run's output does not say %s was sent nothing, and why:\n%s", lead, out)
		}
	}
}

// TestRunWithoutRegistrySendsNothing runs a cycle with no practice
// registry: no answer matches a practice, so the ranking rests on the
// workshop's criteria alone and no lead is sent it; the cycle succeeds and
// says why.
func TestRunWithoutRegistrySendsNothing(t *testing.T) {
	h := newHarness(t)
	h.copyExamples()
	out := h.mustRun("run")
	if !strings.Contains(out, "e-mail: not sent: the ranking rests on no matched practice; import the practice registry (--practices) or add aliases") {
		t.Errorf("output does not say why no e-mail was sent:\n%s", out)
	}
	st := storetest.Open(t, h.url)
	ob, err := st.OutboxState(context.Background())
	if err != nil || ob.Pending+ob.Sent+ob.Failed+ob.Superseded != 0 || len(h.smtp.Messages()) != 0 {
		t.Errorf("outbox %+v (%v), %d messages received; want nothing queued or sent", ob, err, len(h.smtp.Messages()))
	}
	if c := h.counts(); c["respondents"] != 40 {
		t.Errorf("counts %v, want 40 respondents", c)
	}
	runs, err := st.JobRuns(context.Background(), "cycle", 1)
	if err != nil || len(runs) != 1 || runs[0].Status != "succeeded" || !strings.HasPrefix(runs[0].Notes, "not sent: ") {
		t.Errorf("job runs %+v, %v; want one that succeeded with a note", runs, err)
	}
}

// checkParts checks that an e-mail has the text and HTML parts of the
// same report, around which the workbook is attached.
func checkParts(t *testing.T, p *smtptest.Parsed) {
	t.Helper()
	want := []string{"multipart/mixed", "multipart/mixed > multipart/alternative",
		"multipart/mixed > multipart/alternative > text/plain", "multipart/mixed > multipart/alternative > text/html",
		"multipart/mixed > application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
	if diff := cmp.Diff(want, p.Structure); diff != "" {
		t.Errorf("MIME structure (-want +got):\n%s", diff)
	}
	for _, part := range []string{p.Text, p.HTML} {
		for _, s := range []string{"Cyber Security", "This is the first report", "1 practice answer matched no single practice"} {
			if !strings.Contains(strings.Join(strings.Fields(part), " "), s) {
				t.Errorf("a part lacks %q:\n%s", s, part)
			}
		}
	}
}

// checkNorthView checks the North Oxfordshire lead's e-mail and workbook:
// their federation first, and its respondents' comments only.
func checkNorthView(t *testing.T, f *excelize.File, p *smtptest.Parsed) {
	t.Helper()
	if !strings.HasSuffix(p.Subject, "(North Oxfordshire)") || !strings.Contains(p.Text, "In North Oxfordshire, all 4 of its practices answered") {
		t.Errorf("North Oxfordshire's e-mail: subject %q, text:\n%s", p.Subject, p.Text)
	}
	if a4, _ := f.GetCellValue("Summary", "A4"); !strings.HasPrefix(a4, "In North Oxfordshire, all 4 of its practices answered (8 responses).") {
		t.Errorf("Summary A4 = %q, want North Oxfordshire's paragraph", a4)
	}
	if c, _ := f.GetCellValue("By federation", "C5"); c != "North Oxfordshire" {
		t.Errorf("By federation's first federation is %q, want North Oxfordshire", c)
	}
	rows, err := f.GetRows("Comments")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range rows[4:] {
		if len(r) > 1 && r[1] != "North Oxfordshire" {
			t.Errorf("North Oxfordshire's workbook holds a comment of %q: %q", r[1], r)
		}
		n++
	}
	if n != 3 {
		t.Errorf("North Oxfordshire's workbook lists %d comments, want its 3", n)
	}
}

// checkWorkbook reads the workbook back and checks the cells a lead reads first.
func checkWorkbook(t *testing.T, f *excelize.File, responses, practices, files int) {
	t.Helper()
	labels := map[string]string{}
	rows, err := f.GetRows("Summary")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if len(r) >= 2 {
			labels[r[0]] = r[1]
		}
	}
	for label, want := range map[string]int{"Responses": responses, "Practices": practices, "Files": files} {
		if labels[label] != itoa(want) {
			t.Errorf("Summary %s = %q, want %d", label, labels[label], want)
		}
	}
	if labels["Generated"] == "" {
		t.Error("Summary has no Generated time")
	}
	rk, err := f.GetRows("Ranking")
	if err != nil {
		t.Fatal(err)
	}
	wantHeader := []string{"Rank", "Workstream", "Tier", "Score", "Practice priority", "Practices"}
	if len(rk) < 22 || !cmp.Equal(rk[0][:6], wantHeader) {
		t.Fatalf("Ranking sheet: %d rows, header %v", len(rk), rk[0])
	}
	if rk[1][0] != "1" || rk[1][2] != "Very high" {
		t.Errorf("first ranked row = %v, want rank 1 Very high", rk[1])
	}
}

// checkRoadmapTiers checks that the bundled examples reproduce the tier the
// published roadmap gave every workstream.
func checkRoadmapTiers(t *testing.T, f *excelize.File) {
	t.Helper()
	rows, err := f.GetRows("Ranking")
	if err != nil {
		t.Fatal(err)
	}
	cat := survey.DefaultCatalogue()
	for _, r := range rows[1:] {
		w, ok := cat.Match(r[1])
		if !ok {
			t.Errorf("workbook names unknown workstream %q", r[1])
			continue
		}
		if r[2] != string(w.DocTier) {
			t.Errorf("%s: tier %q, roadmap says %q", w.Name, r[2], w.DocTier)
		}
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

func TestIngestSameFileTwiceChangesNothing(t *testing.T) {
	h := newHarness(t)
	h.mustRun("practices", "import", "../../examples/practices.csv")
	h.mustRun("practices", "import", "../../examples/practices.csv")
	file := h.copyExamples()[0]
	path := filepath.Join(h.inbox, file)
	h.mustRun("ingest", path)
	first := h.counts()
	if first["respondents"] == 0 || first["practices"] != 18 {
		t.Fatalf("after first ingest: %v", first)
	}
	out := h.mustRun("ingest", path)
	if !strings.Contains(out, "duplicate") {
		t.Errorf("second ingest output does not say duplicate:\n%s", out)
	}
	if diff := cmp.Diff(first, h.counts()); diff != "" {
		t.Errorf("second ingest changed data (-first +second):\n%s", diff)
	}
}

// TestForgetThenIngestAgain forgets a loaded file, by path and by digest,
// and loads it again: the data comes back as it was.
func TestForgetThenIngestAgain(t *testing.T) {
	h := newHarness(t)
	h.mustRun("practices", "import", "../../examples/practices.csv")
	empty := h.counts()
	path := filepath.Join(h.inbox, h.copyExamples()[0])
	h.mustRun("ingest", path)
	loaded := h.counts()
	out := h.mustRun("forget", path)
	if !strings.Contains(out, "forgot practice-it-priorities-google-forms.csv") || !strings.Contains(out, "25 respondents") {
		t.Errorf("forget output:\n%s", out)
	}
	if diff := cmp.Diff(empty, h.counts()); diff != "" {
		t.Errorf("forget left data behind (-before ingest +after forget):\n%s", diff)
	}
	h.mustRun("ingest", path)
	if diff := cmp.Diff(loaded, h.counts()); diff != "" {
		t.Errorf("ingest after forget (-first load +second):\n%s", diff)
	}
	digest, err := ingest.FileSHA256(path)
	if err != nil {
		t.Fatal(err)
	}
	h.mustRun("forget", strings.ToUpper(digest))
	if code, _, errOut := h.run(context.Background(), "forget", digest); code == 0 || !strings.Contains(errOut, "no file with SHA-256") {
		t.Errorf("forgetting twice: exit %d, stderr %s; want a failure saying no such file", code, errOut)
	}
}

func TestMalformedFileIsQuarantinedAndDatabaseUnchanged(t *testing.T) {
	h := newHarness(t)
	h.mustRun("practices", "import", "../../examples/practices.csv")
	before := h.counts()
	bad := "Timestamp,Which practice are you from?,Priority [Cyber Security]\n" +
		"25/11/2026 09:00:00,Banbury,Very high priority\n" +
		"25/11/2026 09:05:00,\"unterminated\n"
	putFile(t, filepath.Join(h.inbox, "broken.csv"), []byte(bad))
	if err := os.WriteFile(filepath.Join(h.dir, "binary.csv"), []byte("\x00\x01\x02PK\x03\x04garbage"), 0o644); err != nil {
		t.Fatal(err)
	}

	code, _, errOut := h.run(context.Background(), "ingest", filepath.Join(h.dir, "binary.csv"))
	if code == 0 || !strings.Contains(errOut, "binary.csv") {
		t.Errorf("ingest of a binary file: exit %d, stderr %q; want non-zero naming the file", code, errOut)
	}
	out := h.mustRun("run")
	if _, err := os.Stat(filepath.Join(h.inbox, "quarantine", "broken.csv")); err != nil {
		t.Errorf("broken.csv not quarantined: %v\n%s", err, out)
	}
	reason, err := os.ReadFile(filepath.Join(h.inbox, "quarantine", "broken.csv.reason.txt"))
	if err != nil || len(reason) == 0 {
		t.Errorf("no reason file: %v", err)
	}
	if !strings.Contains(out, "rejected") {
		t.Errorf("run output does not list the rejected file:\n%s", out)
	}
	if diff := cmp.Diff(before, h.counts()); diff != "" {
		t.Errorf("malformed files changed data (-before +after):\n%s", diff)
	}
}

func TestServeIngestsDroppedFileAndRunsCronTick(t *testing.T) {
	t.Parallel() // mostly waiting on processes and the database
	h := newHarness(t)
	h.env["SURVEYWORKER_PRACTICES"] = "../../examples/practices.csv"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	var code int
	var stderr string
	wg.Add(1)
	go func() {
		defer wg.Done()
		code, _, stderr = h.run(ctx, "serve", "--schedule", "*/2 * * * * *", "--settle", "200ms")
	}()

	file := h.copyExamples()[0]
	waitFor(t, 30*time.Second, "dropped file archived", func() bool {
		_, err := os.Stat(filepath.Join(h.inbox, "archive", file))
		return err == nil
	})
	waitFor(t, 30*time.Second, "a cron tick wrote a workbook", func() bool {
		m, _ := filepath.Glob(filepath.Join(h.out, "*.xlsx"))
		return len(m) > 0
	})
	cancel()
	wg.Wait()
	if code != 0 {
		t.Errorf("serve exit %d after cancel; stderr:\n%s", code, stderr)
	}
}

func TestRankJSON(t *testing.T) {
	h := newHarness(t)
	h.mustRun("practices", "import", "../../examples/practices.csv")
	h.copyExamples()
	h.mustRun("ingest", filepath.Join(h.inbox, "practice-it-priorities-google-forms.csv"))
	out := h.mustRun("rank", "--json")
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("rank --json: %v\n%s", err, out)
	}
	if len(rows) != 21 {
		t.Fatalf("got %d rows, want 21", len(rows))
	}
	for _, k := range []string{"rank", "workstream", "workstream_id", "tier", "score", "practice_priority",
		"top2_share", "practices", "ci_low", "ci_high", "rank_low", "rank_high", "tier_probability",
		"mandated", "gpfv", "impact", "dependents", "rank_change"} {
		if _, ok := rows[0][k]; !ok {
			t.Errorf("row has no %q: %v", k, rows[0])
		}
	}
	if rows[0]["rank_change"] != nil {
		t.Errorf("first stored run: rank_change = %v, want null", rows[0]["rank_change"])
	}
	text := h.mustRun("rank")
	for _, want := range []string{"WORKSTREAM", "90% INTERVAL", "P(TIER)", "Ranking run 2", "Compared with run 1: +0 respondents"} {
		if !strings.Contains(text, want) {
			t.Errorf("rank table has no %q:\n%s", want, text)
		}
	}

	// A what-if run with other criteria is not stored: the next stored
	// run is still compared with run 2.
	criteria := filepath.Join(t.TempDir(), "criteria.csv")
	if err := os.WriteFile(criteria, []byte("workstream,mandated,impact\nprinting,yes,5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	whatIf := h.mustRun("rank", "--criteria", criteria)
	if !strings.Contains(whatIf, "what-if ranking (not stored)") || !strings.Contains(whatIf, "Compared with run 2") {
		t.Errorf("what-if table:\n%s", whatIf)
	}
	if text := h.mustRun("rank"); !strings.Contains(text, "Ranking run 3") || !strings.Contains(text, "Compared with run 2") {
		t.Errorf("after a what-if run:\n%s", text)
	}
	if err := os.WriteFile(criteria, []byte("workstream,impact\nprinting,5\nwarp-drive,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := h.run(context.Background(), "rank", "--criteria", criteria)
	if code != exitUsage || !strings.Contains(errOut, "criteria.csv:3: unknown workstream \"warp-drive\"") {
		t.Errorf("unknown workstream in criteria: exit %d, stderr %q", code, errOut)
	}
}

// TestRankRecompute checks that rank --recompute finds the totals kept by
// loads and a forget equal to those recomputed from the answers, and
// that it finds and replaces totals that were made wrong.
func TestRankRecompute(t *testing.T) {
	h := newHarness(t)
	h.mustRun("practices", "import", "../../examples/practices.csv")
	files := h.copyExamples()
	for _, f := range files {
		h.mustRun("ingest", filepath.Join(h.inbox, f))
	}
	h.mustRun("forget", filepath.Join(h.inbox, files[0]))
	h.mustRun("ingest", filepath.Join(h.inbox, files[0]))
	out := h.mustRun("rank", "--recompute")
	if !strings.Contains(out, "rows equal the stored ones") || !strings.Contains(out, "Ranking run 1") {
		t.Errorf("rank --recompute after loads and a forget:\n%s", out)
	}
	db := sqlx.MustConnect("postgres", h.url)
	defer db.Close()
	db.MustExec(`UPDATE answer_totals SET score_sum = score_sum + 0.000001
		WHERE (file_id, practice_ods, role, workstream_id) IN (SELECT file_id, practice_ods, role, workstream_id FROM answer_totals LIMIT 2)`)
	code, stdout, stderr := h.run(context.Background(), "rank", "--recompute", "--json")
	if code != 0 || !strings.Contains(stderr, "2 of ") || !strings.Contains(stderr, "differed from the stored ones and were replaced") {
		t.Errorf("rank --recompute --json after damage: exit %d, stderr:\n%s", code, stderr)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(stdout), &rows); err != nil || len(rows) != 21 {
		t.Errorf("rank --recompute --json printed %d rows (%v):\n%s", len(rows), err, stdout)
	}
	if out := h.mustRun("rank", "--recompute"); !strings.Contains(out, "rows equal the stored ones") {
		t.Errorf("rank --recompute after the repair:\n%s", out)
	}
}

func TestInspect(t *testing.T) {
	h := &harness{t: t, env: map[string]string{"SURVEYWORKER_LOG_LEVEL": "warn"}}
	code, out, errOut := h.run(context.Background(), "inspect", "--json", "../../examples/inbox/practice-it-priorities-google-forms.csv")
	if code != 0 {
		t.Fatalf("inspect: exit %d, stderr %s", code, errOut)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("inspect --json of one file is not an object: %v\n%s", err, out)
	}
	for _, k := range []string{"platform", "encoding", "delimiter", "header_rows", "respondents", "columns"} {
		if _, ok := got[k]; !ok {
			t.Errorf("inspect --json has no %q", k)
		}
	}
	if got["platform"] != "google-forms" || got["respondents"] != float64(25) {
		t.Errorf("inspect = %v, %v; want google-forms, 25", got["platform"], got["respondents"])
	}
	_, out, _ = h.run(context.Background(), "inspect", "--json", "../../examples/inbox/practice-it-priorities-google-forms.csv",
		"../../examples/inbox/practice-it-priorities-microsoft-forms.xlsx")
	var both []map[string]any
	if err := json.Unmarshal([]byte(out), &both); err != nil || len(both) != 2 || both[1]["platform"] != "microsoft-forms" {
		t.Errorf("inspect --json of two files: %v, want an array of two objects\n%s", err, out)
	}
	bad := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(bad, []byte("Timestamp,Colour\n1/2/2026 10:00:00,blue\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := h.run(context.Background(), "inspect", bad); code != 0 || !strings.Contains(out, "would be rejected") {
		t.Errorf("inspect of a file without workstreams: exit %d, output:\n%s", code, out)
	}
	// Files that are not tables are described with the reason, and the
	// files after them still are.
	empty, binary := filepath.Join(t.TempDir(), "empty.csv"), filepath.Join(t.TempDir(), "binary.csv")
	if err := errors.Join(os.WriteFile(empty, nil, 0o644), os.WriteFile(binary, bytes.Repeat([]byte{0, 1, 2, 0xFF}, 500), 0o644)); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = h.run(context.Background(), "inspect", empty, binary, "../../examples/inbox/practice-it-priorities-google-forms.csv")
	if code != 0 || !strings.Contains(out, "empty.csv: the file is empty") || !strings.Contains(out, "binary.csv: the file is binary") ||
		!strings.Contains(out, "platform google-forms") {
		t.Errorf("inspect of an empty, a binary and a good file: exit %d, stderr %q, output:\n%s", code, errOut, out)
	}
	code, _, errOut = h.run(context.Background(), "inspect", "--encoding", "latin-9", bad)
	if code != exitUsage || !strings.Contains(errOut, "want utf-8 or windows-1252") {
		t.Errorf("inspect --encoding latin-9: exit %d, stderr %q; want a usage error", code, errOut)
	}
}

// TestInspectAnyExport describes a real export of a survey about something
// else: its platform, its columns, and why it would be rejected.
func TestInspectAnyExport(t *testing.T) {
	file := realworld.Path(t, "exports/qualtrics/qualtrics_sample_3header.csv")
	h := &harness{t: t, env: map[string]string{"SURVEYWORKER_LOG_LEVEL": "warn"}}
	code, out, errOut := h.run(context.Background(), "inspect", file, "--json")
	if code != 0 {
		t.Fatalf("inspect: exit %d, stderr %s", code, errOut)
	}
	var r map[string]any
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("inspect --json: %v\n%s", err, out)
	}
	for _, k := range []string{"encoding", "delimiter", "columns", "practice_column", "workstream_columns", "unmatched_columns"} {
		if _, ok := r[k]; !ok {
			t.Errorf("inspect --json has no %q", k)
		}
	}
	if r["platform"] != "qualtrics" || r["header_rows"] != float64(3) || r["respondents"].(float64) < 1 || r["problem"] == nil {
		t.Errorf("inspect = platform %v, %v header rows, %v respondents, problem %v; want qualtrics, 3, some, a problem",
			r["platform"], r["header_rows"], r["respondents"], r["problem"])
	}
	cols := r["columns"].([]any)
	if len(cols) == 0 {
		t.Fatal("no columns")
	}
	for _, c := range cols {
		if _, ok := c.(map[string]any)["confidence"]; !ok {
			t.Errorf("column %v has no confidence", c)
		}
	}
}

// TestWriteMappingRoundTrip writes the starter mapping of an export whose
// workstream questions are headed Q7_1, Q7_2, edits it as a lead would, and
// ingests the export with it.
func TestWriteMappingRoundTrip(t *testing.T) {
	h := newHarness(t)
	h.mustRun("practices", "import", "../../examples/practices.csv")
	export := filepath.Join(h.dir, "autumn.csv")
	csv := "Response,Q1,Q2,Q7_1,Q7_2\n1,Practice Manager,Jericho Canal Surgery,5,1\n2,GP Partner,Cowley Road Medical Practice,3,4\n"
	if err := os.WriteFile(export, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := h.run(context.Background(), "ingest", export); code != exitFailure || !strings.Contains(errOut, "rejected") {
		t.Fatalf("ingest without a mapping: exit %d, stderr %s", code, errOut)
	}
	starter := filepath.Join(h.dir, "autumn.yaml")
	out := h.mustRun("inspect", export, "--write-mapping", starter)
	if !strings.Contains(out, "generic") || !strings.Contains(out, "would be rejected") {
		t.Errorf("inspect output:\n%s", out)
	}
	b, err := os.ReadFile(starter)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for col, repl := range map[string]string{
		"Response": "response-id", "Q1": "role", "Q2": "practice",
		"Q7_1": "workstream\n    workstream: cyber-security", "Q7_2": "workstream\n    workstream: wifi",
	} {
		re := regexp.MustCompile(`(- column: "` + col + `"[^\n]*\n    role: )[a-z-]+`)
		if !re.MatchString(text) {
			t.Fatalf("starter has no column %s:\n%s", col, text)
		}
		text = re.ReplaceAllString(text, "${1}"+repl)
	}
	if err := os.WriteFile(starter, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := h.run(context.Background(), "inspect", export, "--write-mapping", starter); code == 0 || !strings.Contains(errOut, "exists") {
		t.Errorf("--write-mapping over an edited mapping: exit %d, stderr %s", code, errOut)
	}
	out = h.mustRun("ingest", "--json", "--mapping", starter, export)
	var res []map[string]any
	if err := json.Unmarshal([]byte(out), &res); err != nil || len(res) != 1 {
		t.Fatalf("ingest --json: %v\n%s", err, out)
	}
	if res[0]["status"] != "loaded" || res[0]["platform"] != "generic" || res[0]["respondents"] != float64(2) || res[0]["answers"] != float64(4) {
		t.Errorf("ingest with the mapping = %v; want loaded, generic, 2 respondents, 4 answers", res[0])
	}
}

// TestMappingsFolderApplies puts a mapping in the inbox's mappings folder:
// the cycle applies it to the export it fits and does not take the mapping
// for an export.
func TestMappingsFolderApplies(t *testing.T) {
	h := newHarness(t)
	if err := os.MkdirAll(filepath.Join(h.inbox, "mappings"), 0o755); err != nil {
		t.Fatal(err)
	}
	mapping := "practice: Q2\nworkstreams:\n  Q7_1: cyber-security\n"
	putFile(t, filepath.Join(h.inbox, "mappings", "autumn.yaml"), []byte(mapping))
	csv := "Q2,Q7_1\nJericho Canal Surgery,High\n"
	putFile(t, filepath.Join(h.inbox, "autumn.csv"), []byte(csv))
	h.mustRun("run", "--practices", "../../examples/practices.csv")
	if _, err := os.Stat(filepath.Join(h.inbox, "archive", "autumn.csv")); err != nil {
		t.Errorf("the export was not loaded: %v", err)
	}
	if _, err := os.Stat(filepath.Join(h.inbox, "mappings", "autumn.yaml")); err != nil {
		t.Errorf("the mapping was moved: %v", err)
	}
	if c := h.counts(); c["respondents"] != 1 {
		t.Errorf("counts %v, want 1 respondent", c)
	}
}

func waitFor(t *testing.T, timeout time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if ok() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}
