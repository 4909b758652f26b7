package web

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/survey"
)

// makeRanking returns a ranking of the first n workstreams of the
// catalogue with federation segments for feds federations, every value
// derived from the position so that it is the same at every run.
func makeRanking(n, feds int, at time.Time) *survey.Ranking {
	cat := survey.DefaultCatalogue()
	r := &survey.Ranking{CreatedAt: at, Method: "mcda-v1", Respondents: 40 * feds, Practices: 6 * feds, Files: 3,
		Weights: survey.Weights{Survey: 0.4, Impact: 0.25, GPFV: 0.15, Dependencies: 0.2}}
	for i, w := range cat.Workstreams[:n] {
		score := 0.9 - 0.8*float64(i)/float64(n)
		change := 2 - i%5
		tier := survey.Tiers[min(i/5, len(survey.Tiers)-1)]
		r.Rows = append(r.Rows, survey.RankedWorkstream{Rank: i + 1, WorkstreamID: w.ID, Workstream: w.Name,
			Tier: tier, BaseTier: tier, Score: score, PracticePriority: score, Practices: 5 * feds,
			CILow: score - 0.05, CIHigh: score + 0.05, RankLow: max(1, i), RankHigh: i + 2,
			TierProbability: 0.5 + 0.5*float64(i%3)/2, RankChange: &change})
	}
	for f := range feds {
		seg := survey.Segment{Kind: survey.SegmentFederation, Name: fmt.Sprintf("Federation %02d", f+1)}
		for i, w := range cat.Workstreams[:n] {
			seg.Cells = append(seg.Cells, survey.SegmentCell{WorkstreamID: w.ID,
				PracticePriority: float64((i*7+f*3)%100) / 100, Practices: 3 + f%4, Withheld: (i+f)%11 == 0})
		}
		r.Segments = append(r.Segments, seg)
	}
	return r
}

// TestRankingPage stores a ranking and a cycle's workbook and checks the
// page: every workstream with its tier colour, interval and movement,
// the per-federation table with the user's federation first, and the
// workbook to download.
func TestRankingPage(t *testing.T) {
	s := newSite(t, func(c *Config) {
		c.Next = func(t time.Time) time.Time { return t.Truncate(24 * time.Hour).Add(26 * time.Hour) }
	})
	ctx := context.Background()
	if page := s.as("vic").get("/ranking"); !strings.Contains(page.body, "There is no ranking yet") ||
		!strings.Contains(page.body, "the next cycle writes one at 25 Nov 2026 02:00") {
		t.Errorf("ranking page with no ranking:\n%s", page.body)
	}
	r := makeRanking(21, 50, s.clock.Now())
	r.Segments[7].Name = "Oxford City"
	if _, err := s.st.SaveRanking(ctx, r); err != nil {
		t.Fatal(err)
	}
	book := filepath.Join(s.out, "roadmap-2026-11-24-run1.xlsx")
	if err := os.WriteFile(book, []byte("PK\x03\x04 a workbook"), 0o644); err != nil {
		t.Fatal(err)
	}
	id, err := s.st.StartJobRun(ctx, "cycle", "manual", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.st.FinishJobRun(ctx, id, store.JobSucceeded, store.JobCounts{ReportPath: book, RankingRunID: r.RunID}, ""); err != nil {
		t.Fatal(err)
	}

	jo := s.as("jo")
	page := jo.get("/ranking")
	if n := strings.Count(page.body, `<span class="tier tier-`); n != 21 {
		t.Errorf("%d tier badges, want 21", n)
	}
	for _, want := range []string{r.Rows[0].Workstream, "tier-very-high", "tier-low", "0.85–0.95", "▲ 2", "▼ 2", "no change"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("ranking page lacks %q", want)
		}
	}
	heads := regexp.MustCompile(`<th scope="col" class="fed( own)?">([^<]+)</th>`).FindAllStringSubmatch(page.body, -1)
	if len(heads) != 50 || heads[0][2] != "Oxford City" || heads[0][1] != " own" || heads[1][2] != "Federation 01" {
		t.Errorf("federation columns %q, want 50 with Oxford City first", heads[:min(3, len(heads))])
	}
	if n := strings.Count(page.body, `class="withheld"`); n == 0 {
		t.Error("no withheld cell shown")
	}
	// The full workbook holds every federation's comments: it is for
	// those who see every federation. No view was written for Oxford
	// City, so jo is offered none.
	if strings.Contains(page.body, "workbook-link") {
		t.Error("ranking page offers a federation's user the full workbook")
	}
	if r := jo.get("/ranking/workbook"); r.code != http.StatusNotFound {
		t.Errorf("workbook download by a federation's user with no view: %d, want 404", r.code)
	}
	vic := s.as("vic")
	if page := vic.get("/ranking"); !strings.Contains(page.body, `id="workbook-link"`) ||
		!strings.Contains(page.body, "roadmap-2026-11-24-run1.xlsx") {
		t.Errorf("ranking page does not offer the workbook to a user of every federation")
	}
	wb := vic.get("/ranking/workbook")
	if wb.code != http.StatusOK || wb.body != "PK\x03\x04 a workbook" ||
		!strings.Contains(wb.header.Get("Content-Disposition"), "roadmap-2026-11-24-run1.xlsx") {
		t.Errorf("workbook download: %d %q", wb.code, wb.header.Get("Content-Disposition"))
	}
}

// TestWorkbookViewOfOwnFederation records a cycle that wrote the full
// workbook, the view of Oxford City and the view of North Oxfordshire
// with West Oxfordshire, and checks that each user is offered, and can
// download, only the workbook whose comments they may read: the full one
// for those who see every federation, their federation's own view for
// those tied to one, and nothing when no view of theirs alone was
// written.
func TestWorkbookViewOfOwnFederation(t *testing.T) {
	s := newSite(t, nil)
	ctx := context.Background()
	r := makeRanking(3, 2, s.clock.Now())
	if _, err := s.st.SaveRanking(ctx, r); err != nil {
		t.Fatal(err)
	}
	full := filepath.Join(s.out, "roadmap-2026-11-24-run1.xlsx")
	books := []struct {
		path        string
		federations []string
	}{
		{full, nil},
		{filepath.Join(s.out, "roadmap-2026-11-24-run1-oxford-city.xlsx"), []string{"Oxford City"}},
		{filepath.Join(s.out, "roadmap-2026-11-24-run1-north-oxfordshire+west-oxfordshire.xlsx"),
			[]string{"North Oxfordshire", "West Oxfordshire"}},
	}
	id, err := s.st.StartJobRun(ctx, "cycle", "manual", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range books {
		if err := os.WriteFile(b.path, []byte("PK\x03\x04 "+filepath.Base(b.path)), 0o644); err != nil {
			t.Fatal(err)
		}
		to := []store.Recipient{{Name: "Lead", Email: fmt.Sprintf("lead%d@example.nhs.uk", i), MessageID: fmt.Sprintf("<%d@x>", i)}}
		if _, err := s.st.QueueReport(ctx, store.Report{Key: fmt.Sprintf("ranking-1-%d", i), Kind: store.ReportRanking,
			JobRunID: id, Subject: "s", Body: "b", Federations: b.federations, AttachmentPath: b.path}, to); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.st.FinishJobRun(ctx, id, store.JobSucceeded, store.JobCounts{ReportPath: full, RankingRunID: r.RunID}, ""); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		user, want string // want is the workbook's name, "" for none
	}{
		{"vic", "roadmap-2026-11-24-run1.xlsx"},
		{"ada", "roadmap-2026-11-24-run1.xlsx"},
		{"jo", "roadmap-2026-11-24-run1-oxford-city.xlsx"},
		{"sam", ""}, // North Oxfordshire is only in a view of two
	} {
		b := s.as(tt.user)
		page := b.get("/ranking")
		wb := b.get("/ranking/workbook")
		if tt.want == "" {
			if strings.Contains(page.body, "workbook-link") || wb.code != http.StatusNotFound {
				t.Errorf("%s: offered a workbook, download %d; want none and 404", tt.user, wb.code)
			}
			continue
		}
		if !strings.Contains(page.body, `id="workbook-link"`) || !strings.Contains(page.body, tt.want+",") {
			t.Errorf("%s: ranking page does not offer %s", tt.user, tt.want)
		}
		if wb.code != http.StatusOK || wb.body != "PK\x03\x04 "+tt.want ||
			!strings.Contains(wb.header.Get("Content-Disposition"), tt.want) {
			t.Errorf("%s: download %d %q %q, want %s", tt.user, wb.code, wb.header.Get("Content-Disposition"), wb.body, tt.want)
		}
	}
}

// TestWorkbookOutsideOutDir checks that a report path outside the out
// folder is never served.
func TestWorkbookOutsideOutDir(t *testing.T) {
	s := newSite(t, nil)
	ctx := context.Background()
	if _, err := s.st.SaveRanking(ctx, makeRanking(3, 1, s.clock.Now())); err != nil {
		t.Fatal(err)
	}
	elsewhere := filepath.Join(t.TempDir(), "secret.xlsx")
	if err := os.WriteFile(elsewhere, []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	id, _ := s.st.StartJobRun(ctx, "cycle", "manual", time.Time{})
	if err := s.st.FinishJobRun(ctx, id, store.JobSucceeded, store.JobCounts{ReportPath: elsewhere}, ""); err != nil {
		t.Fatal(err)
	}
	vic := s.as("vic")
	if r := vic.get("/ranking/workbook"); r.code != http.StatusNotFound {
		t.Errorf("workbook outside the out folder: %d, want 404", r.code)
	}
	if r := vic.get("/ranking"); strings.Contains(r.body, "workbook-link") {
		t.Error("ranking page offers a workbook outside the out folder")
	}
}

// TestRunsPage checks the runs and the next three scheduled times.
func TestRunsPage(t *testing.T) {
	s := newSite(t, func(c *Config) {
		c.Next = func(t time.Time) time.Time { return t.Truncate(time.Hour).Add(time.Hour) }
	})
	ctx := context.Background()
	ok, _ := s.st.StartJobRun(ctx, "cycle", "schedule", s.clock.Now())
	s.st.FinishJobRun(ctx, ok, store.JobSucceeded, store.JobCounts{FilesLoaded: 2, FilesRejected: 1}, "")
	bad, _ := s.st.StartJobRun(ctx, "ingest", "watch", time.Time{})
	s.st.FinishJobRun(ctx, bad, store.JobFailed, store.JobCounts{}, "database unreachable")
	page := s.as("vic").get("/runs")
	for _, want := range []string{"24 Nov 2026 10:00", "24 Nov 2026 11:00", "24 Nov 2026 12:00",
		"status-succeeded", "status-failed", "database unreachable", ">watch<", ">schedule<"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("runs page lacks %q", want)
		}
	}
}

// TestFilesPageFilters checks the federation and status filters, and
// that a file quarantined from the folder is listed with its reason for
// those who see every federation.
func TestFilesPageFilters(t *testing.T) {
	s := newSite(t, nil)
	s.importPractices()
	b, _ := os.ReadFile(filepath.Join("../examples/inbox", googleForms))
	os.WriteFile(filepath.Join(s.inbox, googleForms), b, 0o644)
	os.WriteFile(filepath.Join(s.inbox, "folder-broken.csv"), []byte(brokenCSV), 0o644)
	s.work()
	uploadedToken(t, s.as("sam").upload(file{name: "waiting.csv", body: strings.NewReader(brokenCSV)}))

	vic := s.as("vic")
	for _, tt := range []struct {
		query      string
		want, none []string
	}{
		{"", []string{googleForms, "folder-broken.csv", "waiting.csv"}, nil},
		{"?status=quarantined", []string{"folder-broken.csv"}, []string{googleForms, "waiting.csv"}},
		{"?status=waiting", []string{"waiting.csv"}, []string{googleForms, "folder-broken.csv"}},
		{"?federation=Oxford+City", []string{googleForms}, []string{"folder-broken.csv", "waiting.csv"}},
		{"?federation=North+Oxfordshire", []string{"waiting.csv"}, []string{"folder-broken.csv"}},
	} {
		page := vic.get("/files" + tt.query)
		for _, w := range tt.want {
			if !strings.Contains(page.body, w) {
				t.Errorf("/files%s lacks %s", tt.query, w)
			}
		}
		for _, w := range tt.none {
			if strings.Contains(page.body, ">"+w) {
				t.Errorf("/files%s lists %s", tt.query, w)
			}
		}
	}
	page := vic.get("/files?status=quarantined")
	if !strings.Contains(page.body, "/quarantine/folder-broken.csv/rejects.csv") {
		t.Errorf("no rejects link for the folder's quarantined file:\n%s", page.body)
	}
	if r := vic.get("/quarantine/folder-broken.csv/rejects.csv"); r.code != http.StatusOK {
		t.Errorf("folder rejects: %d", r.code)
	}
	jo := s.as("jo")
	if r := jo.get("/quarantine/folder-broken.csv/rejects.csv"); r.code != http.StatusNotFound {
		t.Errorf("folder rejects for a federation's user: %d, want 404", r.code)
	}
	if r := jo.get("/files"); strings.Contains(r.body, "folder-broken.csv") || strings.Contains(r.body, "waiting.csv") {
		t.Error("a federation's user sees files of no or another federation")
	}
}

// TestEveryPageHeaders checks that pages forbid framing, inline script
// and caching, and that static files are served.
func TestEveryPageHeaders(t *testing.T) {
	s := newSite(t, nil)
	b := s.as("ada")
	for _, path := range []string{"/login", "/upload", "/files", "/ranking", "/runs", "/nowhere"} {
		r := b.get(path)
		if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") ||
			strings.Contains(csp, "unsafe-inline") || r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("GET %s: CSP %q, Cache-Control %q", path, csp, r.header.Get("Cache-Control"))
		}
	}
	if r := b.get("/nowhere"); r.code != http.StatusNotFound {
		t.Errorf("GET /nowhere: %d, want 404", r.code)
	}
	for _, path := range []string{"/static/style.css", "/static/app.js"} {
		if r := b.get(path); r.code != http.StatusOK || len(r.body) < 100 {
			t.Errorf("GET %s: %d, %d bytes", path, r.code, len(r.body))
		}
	}
}
