package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/store/storetest"
	"github.com/surveyworker/surveyworker/survey"
)

// webRow is one respondent of a file loaded by loadWebFile.
type webRow struct {
	practice string
	comment  string
	warnings []store.Warning
}

// loadWebFile loads rows as the file name, with one comment question.
func loadWebFile(t *testing.T, st *store.Store, name string, rows []webRow) int64 {
	t.Helper()
	sum := sha256.Sum256([]byte(name))
	f := store.SourceFile{Name: name, SHA256: hex.EncodeToString(sum[:]), Platform: "google-forms", Format: "csv",
		Encoding: "utf-8", CommentQuestions: []string{"Anything else?"}}
	i := 0
	next := func() (*store.RespondentRow, error) {
		if i == len(rows) {
			return nil, io.EOF
		}
		r := rows[i]
		i++
		return &store.RespondentRow{Row: i + 1, Key: name + "/" + string(rune('a'+i)), PracticeODS: r.practice,
			Comments: []string{r.comment}, Warnings: r.warnings}, nil
	}
	res, err := st.LoadFile(context.Background(), f, next)
	if err != nil {
		t.Fatal(err)
	}
	return res.FileID
}

func sha256Of(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestUploadsAndFileSummaries(t *testing.T) {
	st := storetest.NewStore(t)
	ctx := context.Background()
	loaded := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	st.Now = func() time.Time { return loaded }
	if _, err := st.UpsertPractices(ctx, []survey.Practice{
		{ODSCode: "K84001", Name: "Banbury Cross", Federation: "North Oxfordshire"},
		{ODSCode: "K84002", Name: "Isis", Federation: "Oxford City"},
		{ODSCode: "K84003", Name: "No federation"},
	}); err != nil {
		t.Fatal(err)
	}

	up := store.Upload{Token: "0123456789abcdef0123456789abcdef", StoredName: "web-1.csv", OriginalName: "autumn.csv",
		UploadedBy: "jo", Federation: "Oxford City", Size: 42, SHA256: sha256Of("web-1.csv"),
		UploadedAt: loaded.Add(-time.Minute), Inspection: json.RawMessage(`{"platform": "google-forms"}`)}
	if err := st.RecordUpload(ctx, up); err != nil {
		t.Fatal(err)
	}
	if err := st.RecordUpload(ctx, up); err == nil {
		t.Error("recording the same upload twice: no error")
	}
	waiting := store.Upload{Token: "fedcba9876543210fedcba9876543210", StoredName: "web-2.csv", OriginalName: "x.csv",
		UploadedBy: "sam", Size: 1, SHA256: sha256Of("other"), UploadedAt: loaded}
	if err := st.RecordUpload(ctx, waiting); err != nil {
		t.Fatal(err)
	}
	got, err := st.Upload(ctx, up.Token)
	if err != nil {
		t.Fatal(err)
	}
	if !got.UploadedAt.Equal(up.UploadedAt) {
		t.Errorf("uploaded at %v, want %v", got.UploadedAt, up.UploadedAt)
	}
	var insp map[string]string
	if err := json.Unmarshal(got.Inspection, &insp); err != nil || insp["platform"] != "google-forms" {
		t.Errorf("inspection %s (%v), want the JSON stored", got.Inspection, err)
	}
	if _, err := st.Upload(ctx, "00000000000000000000000000000000"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown token: got %v, want ErrNotFound", err)
	}
	list, err := st.Uploads(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Token != waiting.Token || list[1].Token != up.Token {
		t.Errorf("Uploads = %+v, want the waiting upload, then the first", list)
	}

	webID := loadWebFile(t, st, "web-1.csv", []webRow{
		{practice: "K84002", comment: "Faster wifi please"},
		{practice: "K84001", comment: "Printers!"},
		{practice: "", comment: "", warnings: []store.Warning{{Column: `C "Practice"`, Code: "practice_unmatched", Value: "Isys",
			Message: "no practice in the registry has this name" + store.PracticeCandidatesMarker + "Isis (K84002)"}}},
	})
	loaded = loaded.Add(time.Hour)
	folderID := loadWebFile(t, st, "folder.csv", []webRow{{practice: "K84003", comment: "ok"}})

	files, err := st.FileSummaries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.FileSummary{
		{ID: folderID, Name: "folder.csv", SHA256: sha256Of("folder.csv"), Platform: "google-forms", Format: "csv", Encoding: "utf-8",
			Respondents: 1, LoadedAt: loaded, Federations: []string{}},
		{ID: webID, Name: "web-1.csv", SHA256: sha256Of("web-1.csv"), Platform: "google-forms", Format: "csv", Encoding: "utf-8",
			Respondents: 3, Warnings: 1, LoadedAt: loaded.Add(-time.Hour), Federations: []string{"North Oxfordshire", "Oxford City"},
			Upload: &store.Upload{Token: up.Token, StoredName: "web-1.csv", OriginalName: "autumn.csv", UploadedBy: "jo",
				Federation: "Oxford City", SHA256: up.SHA256, UploadedAt: up.UploadedAt}},
	}
	opt := cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })
	if diff := cmp.Diff(want, files, opt); diff != "" {
		t.Errorf("FileSummaries (-want +got):\n%s", diff)
	}
	one, err := st.FileSummaryBySHA256(ctx, sha256Of("web-1.csv"))
	if err != nil || one.ID != webID {
		t.Errorf("FileSummaryBySHA256 = %+v, %v; want file %d", one, err, webID)
	}
	if _, err := st.FileSummaryByID(ctx, 9999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown file: got %v, want ErrNotFound", err)
	}

	warns, total, err := st.FileRowWarnings(ctx, webID, 10)
	if err != nil {
		t.Fatal(err)
	}
	wantWarns := []store.RowWarning{{File: "web-1.csv", Row: 4, Column: `C "Practice"`, Code: "practice_unmatched",
		Message: "no practice in the registry has this name", Value: "Isys", Candidates: "Isis (K84002)"}}
	if diff := cmp.Diff(wantWarns, warns); diff != "" || total != 1 {
		t.Errorf("FileRowWarnings total %d (-want +got):\n%s", total, diff)
	}

	for _, tt := range []struct {
		federation string
		want       []string
	}{
		{"", []string{"Faster wifi please", "Printers!"}},
		{"Oxford City", []string{"Faster wifi please"}},
		{"Elsewhere", nil},
	} {
		cs, err := st.FileComments(ctx, webID, tt.federation, 10)
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		for _, c := range cs {
			texts = append(texts, c.Text)
		}
		if diff := cmp.Diff(tt.want, texts); diff != "" {
			t.Errorf("FileComments(%q) (-want +got):\n%s", tt.federation, diff)
		}
	}

	feds, err := st.Federations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"North Oxfordshire", "Oxford City"}, feds); diff != "" {
		t.Errorf("Federations (-want +got):\n%s", diff)
	}
}

func TestLatestReportRun(t *testing.T) {
	st := storetest.NewStore(t)
	st.Now = stepClock(time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC))
	ctx := context.Background()
	if _, err := st.LatestReportRun(ctx); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("no runs: got %v, want ErrNotFound", err)
	}
	for _, r := range []struct {
		status, path string
	}{
		{store.JobSucceeded, "out/first.xlsx"},
		{store.JobSucceeded, "out/second.xlsx"},
		{store.JobSucceeded, ""}, // a file ingested: no workbook
		{store.JobFailed, "out/failed.xlsx"},
	} {
		id, err := st.StartJobRun(ctx, "cycle", "schedule", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.FinishJobRun(ctx, id, r.status, store.JobCounts{ReportPath: r.path}, ""); err != nil {
			t.Fatal(err)
		}
	}
	run, err := st.LatestReportRun(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if run.ReportPath != "out/second.xlsx" {
		t.Errorf("latest report %q, want out/second.xlsx", run.ReportPath)
	}
}

// TestViewWorkbook queues, for one run, the full report and the views of
// one federation and of two, and checks that each federation is given the
// workbook of its own view only.
func TestViewWorkbook(t *testing.T) {
	st := storetest.NewStore(t)
	ctx := context.Background()
	run, err := st.StartJobRun(ctx, "cycle", "schedule", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	other, err := st.StartJobRun(ctx, "cycle", "schedule", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range []struct {
		run         int64
		key, path   string
		federations []string
	}{
		{run, "ranking-1", "out/full.xlsx", nil},
		{run, "ranking-1-oxford-city", "out/full-oxford-city.xlsx", []string{"Oxford City"}},
		{run, "ranking-1-north+west", "out/full-north+west.xlsx", []string{"North Oxfordshire", "West Oxfordshire"}},
		{other, "ranking-2-south", "out/other-south.xlsx", []string{"South Oxfordshire"}},
	} {
		to := []store.Recipient{{Name: "Lead", Email: fmt.Sprintf("lead%d@example.nhs.uk", i), MessageID: fmt.Sprintf("<%d@x>", i)}}
		if _, err := st.QueueReport(ctx, store.Report{Key: r.key, Kind: store.ReportRanking, JobRunID: r.run, Subject: "s",
			Body: "b", Federations: r.federations, AttachmentPath: r.path}, to); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		federation, want string
	}{
		{"Oxford City", "out/full-oxford-city.xlsx"},
		{"North Oxfordshire", ""}, // only in a view of two
		{"South Oxfordshire", ""}, // another run's
		{"", ""},
	} {
		got, err := st.ViewWorkbook(ctx, run, tt.federation)
		if tt.want == "" {
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("ViewWorkbook(%q) = %q, %v; want ErrNotFound", tt.federation, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ViewWorkbook(%q) = %q, %v; want %q", tt.federation, got, err, tt.want)
		}
	}
}

// TestFileRowWarningsOfFederation loads a file with respondents of two
// federations and one matched to no practice, each with an answer off
// the scale, and checks which warnings, and which rows, a federation's
// view gets: its own respondents' answers, and of the unmatched
// respondent only the practice it named.
func TestFileRowWarningsOfFederation(t *testing.T) {
	st := storetest.NewStore(t)
	ctx := context.Background()
	if _, err := st.UpsertPractices(ctx, []survey.Practice{
		{ODSCode: "K84001", Name: "Banbury Cross", Federation: "North Oxfordshire"},
		{ODSCode: "K84002", Name: "Isis", Federation: "Oxford City"},
	}); err != nil {
		t.Fatal(err)
	}
	offScale := func(value string) store.Warning {
		return store.Warning{Column: `D "Printing"`, Code: "answer_off_scale", Value: value, Message: "not on the scale"}
	}
	id := loadWebFile(t, st, "mixed.csv", []webRow{
		{practice: "K84002", warnings: []store.Warning{offScale("city answer")}},
		{practice: "K84001", warnings: []store.Warning{offScale("north answer")}},
		{practice: "", warnings: []store.Warning{offScale("unmatched answer"),
			{Column: `C "Practice"`, Code: "practice_unmatched", Value: "Isys", Message: "no practice in the registry has this name"}}},
		{practice: "K84002"},
	})
	for _, tt := range []struct {
		federations []string
		want        []string // row: value
		rows        []int
	}{
		{nil, []string{"2: city answer", "3: north answer", "4: unmatched answer", "4: Isys"}, nil},
		{[]string{"Oxford City"}, []string{"2: city answer", "4: Isys"}, []int{2, 5}},
		{[]string{"North Oxfordshire"}, []string{"3: north answer", "4: Isys"}, []int{3}},
		{[]string{"Elsewhere"}, []string{"4: Isys"}, []int{}},
	} {
		warns, total, err := st.FileRowWarnings(ctx, id, 10, tt.federations...)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, w := range warns {
			got = append(got, fmt.Sprintf("%d: %s", w.Row, w.Value))
		}
		if diff := cmp.Diff(tt.want, got); diff != "" || total != len(tt.want) {
			t.Errorf("FileRowWarnings(%q): total %d (-want +got):\n%s", tt.federations, total, diff)
		}
		if len(tt.federations) != 1 {
			continue
		}
		rows, err := st.FederationRows(ctx, id, tt.federations[0])
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.rows, rows); diff != "" {
			t.Errorf("FederationRows(%q) (-want +got):\n%s", tt.federations[0], diff)
		}
	}
	if warns, total, err := st.FileRowWarnings(ctx, id, 1, "Oxford City"); err != nil || len(warns) != 1 || total != 2 {
		t.Errorf("FileRowWarnings limited to 1: %d of %d, %v; want 1 of 2", len(warns), total, err)
	}
}

// TestDeleteUpload checks that a deleted upload is gone, and that
// deleting it again is not an error.
func TestDeleteUpload(t *testing.T) {
	st := storetest.NewStore(t)
	ctx := context.Background()
	u := store.Upload{Token: "0123456789abcdef0123456789abcdef", StoredName: "web-1.csv", OriginalName: "a.csv",
		UploadedBy: "jo", Size: 1, SHA256: sha256Of("a"), UploadedAt: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)}
	if err := st.RecordUpload(ctx, u); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := st.DeleteUpload(ctx, u.Token); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Upload(ctx, u.Token); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleted upload: got %v, want ErrNotFound", err)
		}
	}
}

// TestSessionKey checks that the first key offered is kept and every
// later caller gets it, and that of several processes offering keys at
// once, all get the same one, whichever it is.
func TestSessionKey(t *testing.T) {
	st := storetest.NewStore(t)
	ctx := context.Background()
	first, second := strings.Repeat("a", 64), strings.Repeat("b", 64)
	for _, tt := range []struct {
		candidate   string
		wantCreated bool
	}{
		{first, true},
		{second, false},
		{first, false},
	} {
		key, created, err := st.SessionKey(ctx, tt.candidate)
		if err != nil || key != first || created != tt.wantCreated {
			t.Errorf("SessionKey(%.4s…) = %.4s…, %v, %v; want %.4s…, %v", tt.candidate, key, created, err, first, tt.wantCreated)
		}
	}
	if _, _, err := st.SessionKey(ctx, ""); err == nil {
		t.Error("SessionKey with no candidate: no error")
	}

	fresh := storetest.NewStore(t)
	const n = 8
	start := make(chan struct{})
	type result struct {
		key     string
		created bool
		err     error
	}
	results := make(chan result, n)
	for i := range n {
		go func() {
			<-start
			key, created, err := fresh.SessionKey(ctx, fmt.Sprintf("%064d", i))
			results <- result{key, created, err}
		}()
	}
	close(start)
	keys, created := map[string]bool{}, 0
	for range n {
		r := <-results
		if r.err != nil {
			t.Fatal(r.err)
		}
		keys[r.key] = true
		if r.created {
			created++
		}
	}
	if len(keys) != 1 || created != 1 {
		t.Errorf("%d processes offering keys at once got %d keys, %d created; want one key, created once", n, len(keys), created)
	}
}
