package store_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/store/storetest"
	"github.com/surveyworker/surveyworker/survey"
)

// rowsOf returns a next function over rows.
func rowsOf(rows ...*store.RespondentRow) func() (*store.RespondentRow, error) {
	return func() (*store.RespondentRow, error) {
		if len(rows) == 0 {
			return nil, io.EOF
		}
		r := rows[0]
		rows = rows[1:]
		return r, nil
	}
}

// row returns a respondent row with the given key and two answers, the
// second blank, and a warning when warn is set.
func row(n int, key string, warn bool) *store.RespondentRow {
	r := &store.RespondentRow{Row: n, Key: key, PracticeText: "somewhere",
		Answers:  []store.Answer{{Raw: "High", Score: 0.75, Scored: true}, {}},
		Comments: []string{"note " + key}}
	if warn {
		r.Warnings = []store.Warning{{Column: "B", Code: "practice_unmatched", Message: "no practice", Value: key}}
	}
	return r
}

func sourceFile(name string) store.SourceFile {
	return store.SourceFile{Name: name, SHA256: strings.Repeat(name[:1], 64), Platform: "generic", Format: "csv",
		Workstreams: []string{"wifi", "telephony"}, CommentQuestions: []string{"Comments"},
		Warnings: []store.Warning{{Row: 1, Column: "Z", Code: "column_ignored", Message: "ignored"}}}
}

func TestLoadFileDuplicateRespondents(t *testing.T) {
	ctx := context.Background()
	st := storetest.NewStore(t)
	res, err := st.LoadFile(ctx, sourceFile("a.csv"), rowsOf(row(2, "k1", false), row(3, "k2", true), row(4, "k2", true)))
	if err != nil {
		t.Fatal(err)
	}
	// Warnings: the file's own, row 3's, and one saying row 4 repeats row 3
	// (row 4's own warning goes with the row).
	want := store.LoadResult{FileID: res.FileID, Rows: 3, Respondents: 2, Duplicates: 1, Answers: 2, Warnings: 3}
	if res != want {
		t.Errorf("first file: got %+v, want %+v", res, want)
	}
	first, err := st.FileWarnings(ctx, res.FileID)
	if err != nil {
		t.Fatal(err)
	}
	var repeated *store.Warning
	for i, w := range first {
		if w.Code == "respondent_repeated" {
			repeated = &first[i]
		}
	}
	if repeated == nil || repeated.Row != 4 || !strings.Contains(repeated.Message, "row 4 repeats row 3") {
		t.Errorf("first file's warnings %+v; want one saying row 4 repeats row 3", first)
	}
	res, err = st.LoadFile(ctx, sourceFile("b.csv"), rowsOf(row(2, "k1", true), row(3, "k3", true)))
	if err != nil {
		t.Fatal(err)
	}
	want = store.LoadResult{FileID: res.FileID, Rows: 2, Respondents: 1, Duplicates: 1, Answers: 1, Warnings: 2}
	if res != want {
		t.Errorf("second file: got %+v, want %+v", res, want)
	}
	warns, err := st.FileWarnings(ctx, res.FileID)
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 2 || warns[0].Code != "column_ignored" || warns[1].Row != 3 {
		t.Errorf("second file's warnings: %+v; want the file warning and row 3's only", warns)
	}
	counts, err := st.TableCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for table, n := range map[string]int64{"respondents": 3, "answers": 3, "comments": 3, "file_warnings": 5} {
		if counts[table] != n {
			t.Errorf("%s: %d rows, want %d", table, counts[table], n)
		}
	}
}

func TestLoadFileChecksKeysOncePerFile(t *testing.T) {
	ctx := context.Background()
	st := storetest.NewStore(t)
	if _, err := st.UpsertPractices(ctx, []survey.Practice{{ODSCode: "K84001", Name: "Abbey", Federation: "North"}}); err != nil {
		t.Fatal(err)
	}
	before, err := st.TableCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	unknownPractice := row(2, "k1", false)
	unknownPractice.PracticeODS = "Y99999"
	offScale := row(2, "k1", false)
	offScale.Answers[0].Score = 7
	badWorkstream := sourceFile("c.csv")
	badWorkstream.Workstreams = []string{"wifi", "teleportation"}
	for _, tc := range []struct {
		name     string
		file     store.SourceFile
		row      *store.RespondentRow
		want     string
		rejected bool
	}{
		{"unknown practice", sourceFile("a.csv"), unknownPractice, "Y99999", false},
		{"score off the 0..1 range", sourceFile("b.csv"), offScale, "respondents_score_range", true},
		{"unknown workstream", badWorkstream, row(2, "k1", false), "teleportation", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := st.LoadFile(ctx, tc.file, rowsOf(row(3, "k0", true), tc.row))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one naming %q", err, tc.want)
			}
			if got := errors.Is(err, store.ErrRejectedData); got != tc.rejected {
				t.Errorf("errors.Is(err, ErrRejectedData) = %v, want %v", got, tc.rejected)
			}
			after, err := st.TableCounts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for table, n := range before {
				if after[table] != n {
					t.Errorf("%s: %d rows after the failed load, %d before", table, after[table], n)
				}
			}
		})
	}
}

// TestPracticeMeanKeepsExactThreshold: four respondents answering 0.7,
// 0.7, 0.7 and 0.9 have a mean of exactly the top-two threshold 0.75 (to
// within double rounding), which 4-byte scores missed by 1.5e-8.
func TestPracticeMeanKeepsExactThreshold(t *testing.T) {
	ctx := context.Background()
	st := storetest.NewStore(t)
	if _, err := st.UpsertPractices(ctx, []survey.Practice{{ODSCode: "K84001", Name: "Abbey", Federation: "North"}}); err != nil {
		t.Fatal(err)
	}
	var rows []*store.RespondentRow
	for i, s := range []float64{0.7, 0.7, 0.7, 0.9} {
		rows = append(rows, &store.RespondentRow{Row: i + 2, Key: fmt.Sprint("k", i), PracticeODS: "K84001",
			Answers: []store.Answer{{Raw: fmt.Sprint(s * 10), Score: s, Scored: true}, {}}})
	}
	if _, err := st.LoadFile(ctx, sourceFile("a.csv"), rowsOf(rows...)); err != nil {
		t.Fatal(err)
	}
	scores, err := st.PracticeScores(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(scores) != 1 || math.Abs(scores[0].Mean-0.75) > 1e-12 {
		t.Errorf("practice scores %+v, want one mean of 0.75", scores)
	}
}

// TestForgetFile loads two files, forgets one and checks only its rows
// went, that it can be loaded again, and that an unknown digest is
// ErrNotFound.
func TestForgetFile(t *testing.T) {
	ctx := context.Background()
	st := storetest.NewStore(t)
	a, b := sourceFile("a.csv"), sourceFile("b.csv")
	if _, err := st.LoadFile(ctx, a, rowsOf(row(2, "k1", true), row(3, "k2", false))); err != nil {
		t.Fatal(err)
	}
	if _, err := st.LoadFile(ctx, b, rowsOf(row(2, "k3", false))); err != nil {
		t.Fatal(err)
	}
	got, err := st.ForgetFile(ctx, a.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "a.csv" || got.Respondents != 2 || got.Warnings != 2 {
		t.Errorf("forgot %+v, want a.csv with 2 respondents and 2 warnings", got)
	}
	counts, err := st.TableCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for table, n := range map[string]int64{"source_files": 1, "respondents": 1, "answers": 1, "comments": 1, "file_warnings": 1} {
		if counts[table] != n {
			t.Errorf("%s: %d rows after forgetting a.csv, want %d", table, counts[table], n)
		}
	}
	res, err := st.LoadFile(ctx, a, rowsOf(row(2, "k1", true), row(3, "k2", false)))
	if err != nil || res.Duplicate || res.Respondents != 2 {
		t.Errorf("loading a.csv again: %+v, %v; want its 2 respondents back", res, err)
	}
	if _, err := st.ForgetFile(ctx, strings.Repeat("f", 64)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown digest: %v, want ErrNotFound", err)
	}
}

// TestLoadFileCountsPartialAfterDuplicates loads files with partial
// responses, some of them repeating a respondent of the same file or of
// one loaded before: partial_loaded counts the partial respondents
// stored, not those removed again as duplicates.
func TestLoadFileCountsPartialAfterDuplicates(t *testing.T) {
	partial := func(r *store.RespondentRow) *store.RespondentRow { r.Partial = true; return r }
	tests := []struct {
		name        string
		earlier     []*store.RespondentRow // loaded first, from another file
		rows        []*store.RespondentRow
		wantPartial int
		wantDups    int
	}{
		{name: "no duplicates",
			rows:        []*store.RespondentRow{partial(row(2, "k1", false)), row(3, "k2", false), partial(row(4, "k3", false))},
			wantPartial: 2},
		{name: "partial row repeats an earlier row",
			rows:        []*store.RespondentRow{partial(row(2, "k1", false)), partial(row(3, "k1", false)), row(4, "k2", false)},
			wantPartial: 1, wantDups: 1},
		{name: "complete row repeats a partial one",
			rows:        []*store.RespondentRow{partial(row(2, "k1", false)), row(3, "k1", true)},
			wantPartial: 1, wantDups: 1},
		{name: "partial row already stored from another file",
			earlier:     []*store.RespondentRow{row(2, "k1", false)},
			rows:        []*store.RespondentRow{partial(row(2, "k1", true)), partial(row(3, "k2", false)), row(4, "k3", false)},
			wantPartial: 1, wantDups: 1},
		{name: "every partial row a duplicate",
			earlier:     []*store.RespondentRow{row(2, "k1", false), row(3, "k2", false)},
			rows:        []*store.RespondentRow{partial(row(2, "k1", false)), partial(row(3, "k2", false)), row(4, "k3", false)},
			wantPartial: 0, wantDups: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			st := storetest.NewStore(t)
			if tt.earlier != nil {
				if _, err := st.LoadFile(ctx, sourceFile("a.csv"), rowsOf(tt.earlier...)); err != nil {
					t.Fatal(err)
				}
			}
			res, err := st.LoadFile(ctx, sourceFile("b.csv"), rowsOf(tt.rows...))
			if err != nil {
				t.Fatal(err)
			}
			if res.Partial != tt.wantPartial || res.Duplicates != tt.wantDups || res.Respondents != len(tt.rows)-tt.wantDups {
				t.Errorf("result %+v; want %d partial, %d duplicates", res, tt.wantPartial, tt.wantDups)
			}
			qs, err := st.FileQualities(ctx)
			if err != nil {
				t.Fatal(err)
			}
			q := qs[len(qs)-1]
			if q.File != "b.csv" || q.PartialLoaded != tt.wantPartial || q.Warnings[store.PartialLoadedCode] != tt.wantPartial {
				t.Errorf("stored quality %+v; want partial_loaded %d", q, tt.wantPartial)
			}
		})
	}
}

// TestForgetFileWithdrawsQueuedWorkbooks: forgetting a file leaves no
// copy of its respondents' comments in the outbox. A pending e-mail whose
// workbook may quote them is withdrawn and never sent, and no stored
// attachment is left; e-mail already sent, and alerts, which attach
// nothing, are left as they were.
func TestForgetFileWithdrawsQueuedWorkbooks(t *testing.T) {
	ctx := context.Background()
	st := storetest.NewStore(t)
	a := sourceFile("a.csv")
	if _, err := st.LoadFile(ctx, a, rowsOf(row(2, "k1", false))); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
	report := func(key, kind string, attach bool) store.Report {
		r := store.Report{Key: key, Kind: kind, Subject: key, Body: "body", CreatedAt: t0}
		if attach {
			r.AttachmentName, r.Attachment = "r.xlsx", []byte("workbook quoting note k1")
		}
		return r
	}
	queue := func(r store.Report, to string) {
		if _, err := st.QueueReport(ctx, r, []store.Recipient{{Email: to, MessageID: "<" + r.Key + to + ">"}}); err != nil {
			t.Fatal(err)
		}
	}
	queue(report("sent", store.ReportRanking, true), "a@example.org")
	if _, err := st.SendDueEmails(ctx, t0, 0, func(context.Context, store.DueEmail) store.SendOutcome {
		return store.SendOutcome{Status: store.OutboxSent}
	}); err != nil {
		t.Fatal(err)
	}
	queue(report("pending", store.ReportRanking, true), "b@example.org")
	queue(report("alert", store.ReportAlert, false), "ops@example.org")

	got, err := st.ForgetFile(ctx, a.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if got.Withdrawn != 1 || got.Purged != 1 {
		t.Errorf("forgot %+v; want 1 e-mail withdrawn and 1 attachment deleted", got)
	}
	for _, key := range []string{"sent", "pending", "alert"} {
		if b, err := st.ReportAttachment(ctx, key); err != nil || b != nil {
			t.Errorf("report %s: attachment %q, %v; want none", key, b, err)
		}
	}
	want := map[string]string{"sent": store.OutboxSent, "pending": store.OutboxFailed, "alert": store.OutboxPending}
	for key, status := range want {
		rows, err := st.OutboxEmails(ctx, key)
		if err != nil || len(rows) != 1 || rows[0].Status != status {
			t.Fatalf("report %s: %+v, %v; want one e-mail %s", key, rows, err, status)
		}
		if key == "pending" && rows[0].LastError != store.ForgetWithdrawn {
			t.Errorf("withdrawn e-mail's error %q, want %q", rows[0].LastError, store.ForgetWithdrawn)
		}
	}
	var sent []string
	if _, err := st.SendDueEmails(ctx, t0, 0, func(_ context.Context, e store.DueEmail) store.SendOutcome {
		sent = append(sent, e.ReportKey)
		return store.SendOutcome{Status: store.OutboxSent}
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sent, []string{"alert"}) {
		t.Errorf("sent after forget: %v; want the alert only", sent)
	}
}
