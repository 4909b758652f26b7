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
)

// loadWarnedFile loads one file whose rows carry the given warnings, one
// row per entry.
func loadWarnedFile(t *testing.T, st *store.Store, name string, fileWarns []store.Warning, rows [][]store.Warning) {
	t.Helper()
	sum := sha256.Sum256([]byte(name))
	f := store.SourceFile{Name: name, SHA256: hex.EncodeToString(sum[:]), Platform: "test", Format: "csv", Warnings: fileWarns}
	i := 0
	next := func() (*store.RespondentRow, error) {
		if i == len(rows) {
			return nil, io.EOF
		}
		i++
		return &store.RespondentRow{Row: i + 1, Key: name + "/" + string(rune('a'+i)), Warnings: rows[i-1]}, nil
	}
	if _, err := st.LoadFile(context.Background(), f, next); err != nil {
		t.Fatal(err)
	}
}

func TestPracticeMatchProblemsAndFileQualities(t *testing.T) {
	st := storetest.NewStore(t)
	ctx := context.Background()
	unmatched := store.Warning{Column: `B "Practice"`, Code: "practice_unmatched", Value: "Banbury",
		Message: "no practice in the registry has this name" + store.PracticeCandidatesMarker + "Banbury Cross (K84001); Isis (K84002)"}
	bare := store.Warning{Column: `B "Practice"`, Code: "practice_unmatched", Value: "Nowhere",
		Message: "no practice in the registry has this name"}
	ambiguous := store.Warning{Column: `B "Practice"`, Code: "practice_ambiguous", Value: "Bridge Street",
		Message: "more than one practice in the registry has this core-name" + store.PracticeCandidatesMarker + "Bridge Street (K84020); Bridge Street (K84021)"}
	offScale := store.Warning{Column: `C "Cyber"`, Code: "answer_off_scale", Value: "Sometimes", Message: "not on the scale"}
	loadWarnedFile(t, st, "b.csv", []store.Warning{{Row: 1, Code: "column_ignored", Message: "ignored"}},
		[][]store.Warning{{unmatched, offScale}, nil, {ambiguous}})
	loadWarnedFile(t, st, "a.csv", nil, [][]store.Warning{{bare}, {offScale}})
	loadWarnedFile(t, st, "c.csv", nil, [][]store.Warning{nil})

	got, total, err := st.PracticeMatchProblems(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.PracticeMatchProblem{
		{File: "a.csv", Row: 2, Text: "Nowhere", Code: "practice_unmatched"},
		{File: "b.csv", Row: 2, Text: "Banbury", Code: "practice_unmatched", Candidates: "Banbury Cross (K84001); Isis (K84002)"},
		{File: "b.csv", Row: 4, Text: "Bridge Street", Code: "practice_ambiguous", Candidates: "Bridge Street (K84020); Bridge Street (K84021)"},
	}
	if diff := cmp.Diff(want, got); diff != "" || total != 3 {
		t.Errorf("PracticeMatchProblems: %d in all, want 3 (-want +got):\n%s", total, diff)
	}
	if first, total, err := st.PracticeMatchProblems(ctx, 2); err != nil || len(first) != 2 || total != 3 {
		t.Errorf("PracticeMatchProblems(2) = %d rows, %d in all, %v; want 2 of 3", len(first), total, err)
	}

	fq, err := st.FileQualities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantFQ := []store.FileQuality{
		{File: "b.csv", Respondents: 3, Warnings: map[string]int{"column_ignored": 1, "practice_unmatched": 1, "answer_off_scale": 1, "practice_ambiguous": 1}},
		{File: "a.csv", Respondents: 2, Warnings: map[string]int{"practice_unmatched": 1, "answer_off_scale": 1}},
		{File: "c.csv", Respondents: 1, Warnings: map[string]int{}},
	}
	if diff := cmp.Diff(wantFQ, fq); diff != "" {
		t.Errorf("FileQualities (-want +got):\n%s", diff)
	}
}

// TestPartialResponses loads a file with partial responses, one stored and
// two left out: the load result, the file row and its quality count them.
func TestPartialResponses(t *testing.T) {
	st := storetest.NewStore(t)
	ctx := context.Background()
	rows := []*store.RespondentRow{
		{Row: 2, Key: "p/a"},
		{Row: 3, Key: "p/b", Partial: true},
		{Row: 4, Partial: true, Excluded: true, Warnings: []store.Warning{{Code: "practice_unmatched", Message: "never stored"}}},
		{Row: 5, Partial: true, Excluded: true},
	}
	i := 0
	next := func() (*store.RespondentRow, error) {
		if i == len(rows) {
			return nil, io.EOF
		}
		i++
		return rows[i-1], nil
	}
	sum := sha256.Sum256([]byte("partial"))
	res, err := st.LoadFile(ctx, store.SourceFile{Name: "p.csv", SHA256: hex.EncodeToString(sum[:]), Platform: "test", Format: "csv"}, next)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 2 || res.Respondents != 2 || res.Partial != 1 || res.PartialExcluded != 2 || res.Warnings != 0 {
		t.Errorf("LoadFile = %+v; want 2 rows and respondents, 1 partial stored, 2 left out, no warnings", res)
	}
	fq, err := st.FileQualities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.FileQuality{{File: "p.csv", Respondents: 2, PartialLoaded: 1, PartialExcluded: 2,
		Warnings: map[string]int{store.PartialLoadedCode: 1, store.PartialExcludedCode: 2}}}
	if diff := cmp.Diff(want, fq); diff != "" {
		t.Errorf("FileQualities (-want +got):\n%s", diff)
	}
}
