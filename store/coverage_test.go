package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/store/storetest"
	"github.com/surveyworker/surveyworker/survey"
)

// loadPanel imports four practices in two federations and one without,
// then loads one file whose respondents answer two free-text questions.
func loadPanel(t *testing.T, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	_, err := st.UpsertPractices(ctx, []survey.Practice{
		{ODSCode: "K84001", Name: "North One", Federation: "North"},
		{ODSCode: "K84002", Name: "North Two", Federation: "North"},
		{ODSCode: "K84003", Name: "City One", Federation: "City"},
		{ODSCode: "K84004", Name: "Loner"},
	})
	if err != nil {
		t.Fatal(err)
	}
	at := func(day int) time.Time { return time.Date(2026, 11, day, 9, 0, 0, 0, time.UTC) }
	f := sourceFile("comments.csv")
	f.CommentQuestions = []string{"Anything about Wifi?", "Other comments"}
	_, err = st.LoadFile(ctx, f, rowsOf(
		&store.RespondentRow{Row: 2, Key: "r1", PracticeODS: "K84001", Role: " GP partner ", SubmittedAt: at(3),
			Answers: []store.Answer{{Raw: "High", Score: 0.75, Scored: true}, {}}, Comments: []string{"=SUM(A1)", "slow PCs"}},
		&store.RespondentRow{Row: 3, Key: "r2", PracticeODS: "K84001", SubmittedAt: at(9),
			Answers: []store.Answer{{}, {}}, Comments: []string{"", "phones"}},
		&store.RespondentRow{Row: 4, Key: "r3", PracticeODS: "K84003", Role: "Nurse",
			Answers: []store.Answer{{}, {}}, Comments: []string{"", ""}},
		&store.RespondentRow{Row: 5, Key: "r4", Role: "Admin", SubmittedAt: at(5),
			Answers: []store.Answer{{}, {}}, Comments: []string{"who am I", ""}},
	))
	if err != nil {
		t.Fatal(err)
	}
}

func TestComments(t *testing.T) {
	st := storetest.NewStore(t)
	loadPanel(t, st)
	var got []store.Comment
	for c, err := range st.Comments(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, c)
	}
	want := []store.Comment{
		{File: "comments.csv", Row: 2, Question: "Anything about Wifi?", Text: "=SUM(A1)", Federation: "North", Role: "GP partner"},
		{File: "comments.csv", Row: 2, Question: "Other comments", Text: "slow PCs", Federation: "North", Role: "GP partner"},
		{File: "comments.csv", Row: 3, Question: "Other comments", Text: "phones", Federation: "North"},
		{File: "comments.csv", Row: 5, Question: "Anything about Wifi?", Text: "who am I", Role: "Admin"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Comments (-want +got):\n%s", diff)
	}
	fq, err := st.FileQualities(context.Background())
	if err != nil || len(fq) != 1 || fq[0].Comments != 4 {
		t.Errorf("FileQualities = %+v, %v; want one file with 4 comments", fq, err)
	}
}

func TestCoverageAndResponsePeriod(t *testing.T) {
	st := storetest.NewStore(t)
	ctx := context.Background()
	if first, last, err := st.ResponsePeriod(ctx); err != nil || !first.IsZero() || !last.IsZero() {
		t.Errorf("empty database: period %v to %v, %v; want zero times", first, last, err)
	}
	loadPanel(t, st)
	got, err := st.Coverage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.FederationCoverage{
		{Federation: "", Practices: 1},
		{Federation: "City", Practices: 1, Responding: 1, Respondents: 1},
		{Federation: "North", Practices: 2, Responding: 1, Respondents: 2},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Coverage (-want +got):\n%s", diff)
	}
	first, last, err := st.ResponsePeriod(ctx)
	if err != nil || !first.Equal(time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)) || !last.Equal(time.Date(2026, 11, 9, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("period %v to %v, %v; want 3 to 9 November", first, last, err)
	}
}
