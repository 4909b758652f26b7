package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/store/storetest"
	"github.com/surveyworker/surveyworker/survey"
)

// viewPractices are a registry of two federations and a practice in none.
var viewPractices = []survey.Practice{
	{ODSCode: "K84001", Name: "Banbury Cross", Federation: "North"},
	{ODSCode: "K84002", Name: "Cowley Road", Federation: "City"},
	{ODSCode: "K84003", Name: "Lone Surgery"},
}

// loadViewFile loads one file with a respondent of each federation, one
// of the practice in none and one unmatched, each with a comment and a
// warning, plus a warning about the header.
func loadViewFile(t *testing.T, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	if _, err := st.UpsertPractices(ctx, viewPractices); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("views.csv"))
	f := store.SourceFile{Name: "views.csv", SHA256: hex.EncodeToString(sum[:]), Platform: "test", Format: "csv",
		CommentQuestions: []string{"Any other comments?"},
		Warnings:         []store.Warning{{Row: 1, Column: "D", Code: "column_ignored", Message: "column ignored"}}}
	offScale := func(v string) []store.Warning {
		return []store.Warning{{Column: `C "Cyber"`, Code: "answer_off_scale", Value: v, Message: "not on the scale"}}
	}
	rows := []*store.RespondentRow{
		{Row: 2, Key: "n", PracticeODS: "K84001", Role: "GP", Comments: []string{"north comment"}, Warnings: offScale("north answer")},
		{Row: 3, Key: "c", PracticeODS: "K84002", Role: "GP", Comments: []string{"city comment"}, Warnings: offScale("city answer")},
		{Row: 4, Key: "l", PracticeODS: "K84003", Role: "GP", Comments: []string{"lone comment"}, Warnings: offScale("lone answer")},
		{Row: 5, Key: "u", PracticeText: "Banbury", Role: "GP", Comments: []string{"stray comment"}, Warnings: []store.Warning{
			{Column: `B "Practice"`, Code: "practice_unmatched", Value: "Banbury", Message: "no practice has this name"},
			{Column: "E", Code: "cell_outside_header", Value: "stray text", Message: "a value without a header"}}},
	}
	i := 0
	next := func() (*store.RespondentRow, error) {
		if i == len(rows) {
			return nil, io.EOF
		}
		i++
		return rows[i-1], nil
	}
	if _, err := st.LoadFile(ctx, f, next); err != nil {
		t.Fatal(err)
	}
}

// TestFederationViews reads comments and warnings as a federation lead's
// workbook does: only their federation's respondents' text, and nothing
// that respondents of other federations wrote.
func TestFederationViews(t *testing.T) {
	st := storetest.NewStore(t)
	loadViewFile(t, st)
	ctx := context.Background()
	tests := []struct {
		name         string
		federations  []string
		comments     []string
		warnings     []string
		withheld     int
		commentCount int
	}{
		{"full", nil,
			[]string{"north comment", "city comment", "lone comment", "stray comment"},
			[]string{"column_ignored ", "answer_off_scale north answer", "answer_off_scale city answer",
				"answer_off_scale lone answer", "cell_outside_header stray text", "practice_unmatched Banbury"}, 0, 4},
		{"North", []string{"North"},
			[]string{"north comment"},
			[]string{"column_ignored ", "answer_off_scale north answer", "practice_unmatched Banbury"}, 3, 1},
		{"North and City", []string{"North", "City"},
			[]string{"north comment", "city comment"},
			[]string{"column_ignored ", "answer_off_scale north answer", "answer_off_scale city answer",
				"practice_unmatched Banbury"}, 2, 2},
		{"unknown federation", []string{"Nowhere"}, nil,
			[]string{"column_ignored ", "practice_unmatched Banbury"}, 4, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var comments, warnings []string
			for c, err := range st.Comments(ctx, tt.federations...) {
				if err != nil {
					t.Fatal(err)
				}
				comments = append(comments, c.Text)
			}
			for w, err := range st.Warnings(ctx, tt.federations...) {
				if err != nil {
					t.Fatal(err)
				}
				warnings = append(warnings, w.Code+" "+w.Value)
			}
			if diff := cmp.Diff(tt.comments, comments); diff != "" {
				t.Errorf("comments (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.warnings, warnings); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
			if n, err := st.CommentCount(ctx, tt.federations...); err != nil || n != tt.commentCount {
				t.Errorf("CommentCount = %d, %v; want %d", n, err, tt.commentCount)
			}
			if n, err := st.WithheldWarnings(ctx, tt.federations...); err != nil || n != tt.withheld {
				t.Errorf("WithheldWarnings = %d, %v; want %d", n, err, tt.withheld)
			}
		})
	}
	feds, err := st.Federations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"City", "North"}, feds); diff != "" {
		t.Errorf("Federations (-want +got):\n%s", diff)
	}
}
